//! The kensa command line: parses arguments, runs one command, maps the outcome to an
//! exit status. All scanning lives in the library crates.

mod cli;
mod config;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use kensa_core::{Report, Severity};
use kensa_image::{ImageInput, LayerCache};
use kensa_scan::Target;

use crate::cli::{CacheAction, Cli, Command, CommonArgs};
use crate::config::{ScanConfig, default_cache_dir};

/// What a run ended with. Errors are always 2 (and `--exit-code 2` is refused), so a
/// pipeline can tell "kensa failed" from "kensa found something".
enum ExitStatus {
    Clean,
    Findings(u8),
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        match status {
            ExitStatus::Clean => ExitCode::SUCCESS,
            ExitStatus::Findings(code) => ExitCode::from(code),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout with exit 0, usage errors to stderr.
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::Error.into()
            } else {
                ExitStatus::Clean.into()
            };
        }
    };
    match run(cli) {
        Ok(status) => status.into(),
        Err(e) if is_broken_pipe(&e) => ExitStatus::Clean.into(),
        Err(e) => {
            print_error(&e);
            ExitStatus::Error.into()
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

#[expect(clippy::print_stderr, reason = "main reports errors on stderr")]
fn print_error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  Caused by: {cause}");
    }
}

fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Image(args) => {
            let input = match (&args.input, &args.reference) {
                (Some(path), _) => ImageInput::Archive(path.clone()),
                (None, Some(reference)) => ImageInput::parse_reference(reference)?,
                (None, None) => anyhow::bail!("give an image: `--input FILE` or `oci-layout:DIR`"),
            };
            scan(Target::Image(input), &args.common, args.platform.as_deref())
        }
        Command::Rootfs(args) => scan(Target::Rootfs(args.dir), &args.common, None),
        Command::Fs(args) => scan(Target::Filesystem(args.dir), &args.common, None),
        Command::Dockerfile(args) => scan(Target::Dockerfiles(args.files), &args.common, None),
        Command::Cache(args) => {
            let dir = match args.cache_dir {
                Some(d) => d,
                None => default_cache_dir()?,
            };
            match args.action {
                CacheAction::Info => {
                    let cache = LayerCache::open(&dir)?;
                    let info = cache.info()?;
                    write_stdout(&format!(
                        "cache: {}\nsize: {} bytes\nentries: {}\n",
                        info.path.display(),
                        info.bytes,
                        info.entries
                    ))?;
                }
                CacheAction::Clean => {
                    let freed = LayerCache::clean(&dir)?;
                    write_stdout(&format!("removed {freed} bytes from {}\n", dir.display()))?;
                }
            }
            Ok(ExitStatus::Clean)
        }
        Command::Rule { id } => {
            let text = rule_help(&id).with_context(|| {
                format!(
                    "no rule `{id}`; `docs/rules.md` and `docs/dockerfile-rules.md` list them all"
                )
            })?;
            write_stdout(&text)?;
            Ok(ExitStatus::Clean)
        }
    }
}

/// `kensa rule ID`: the help of an image rule or a Dockerfile rule.
fn rule_help(id: &str) -> Option<String> {
    let render = |id: &str,
                  title: &str,
                  severity: Severity,
                  section: kensa_core::Section,
                  why: &str,
                  fix: &str| {
        format!(
            "{id}: {title}\nseverity: {severity}\nsection: {} {}\n\nWhy\n{why}\n\nFix\n{fix}\n",
            section.code(),
            section.title()
        )
    };
    if let Some(m) = kensa_rules::all_rules().find(|m| m.id.eq_ignore_ascii_case(id)) {
        return Some(render(m.id, m.title, m.severity, m.section, m.why, m.fix));
    }
    kensa_dockerfile::RULES
        .iter()
        .map(|r| r.meta())
        .find(|m| m.id.eq_ignore_ascii_case(id))
        .map(|m| render(m.id, m.title, m.severity, m.section, m.why, m.fix))
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn scan(target: Target, args: &CommonArgs, platform: Option<&str>) -> Result<ExitStatus> {
    let config = ScanConfig::resolve(args, platform)?;
    let spinner = config.progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_message("scanning");
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        bar
    });
    let result = kensa_scan::scan(&target, &config.scan);
    if let Some(bar) = spinner {
        bar.finish_and_clear();
    }
    let (mut report, _stats) = result?;
    if let Some(severities) = &config.severities {
        filter_severities(&mut report, severities);
    }
    write_report(&report, &config)?;
    Ok(match config.fail {
        Some((threshold, code)) if report.has_findings_at_or_above(threshold) => {
            ExitStatus::Findings(code)
        }
        _ => ExitStatus::Clean,
    })
}

/// `--severity` narrows the report, as in Trivy: findings of other severities are
/// neither shown nor counted for the exit code.
fn filter_severities(report: &mut Report, keep: &[Severity]) {
    for result in &mut report.results {
        result.findings.retain(|f| keep.contains(&f.severity));
    }
    report.results.retain(|r| !r.findings.is_empty());
    report.summary.by_severity.retain(|s, _| keep.contains(s));
    report.summary.by_scanner.clear();
    for f in report.results.iter().flat_map(|r| &r.findings) {
        *report.summary.by_scanner.entry(f.scanner).or_default() += 1;
    }
}

fn write_report(report: &Report, config: &ScanConfig) -> Result<()> {
    match &config.output {
        Some(path) => {
            let file = fs_err::File::create(path)?;
            let mut w = io::BufWriter::new(file);
            kensa_report::render(report, config.format, &mut w, &config.render)
                .with_context(|| format!("writing `{}`", path.display()))?;
            w.flush()
                .with_context(|| format!("writing `{}`", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            let mut w = io::BufWriter::new(stdout.lock());
            kensa_report::render(report, config.format, &mut w, &config.render)?;
            w.flush()?;
        }
    }
    Ok(())
}
