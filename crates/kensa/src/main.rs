//! The kensa command line: parses arguments, runs one command, maps the outcome to an
//! exit status. All scanning lives in the library crates.

mod cli;
mod config;
mod pin;
mod registry_cmd;
mod trust;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use kensa_core::{Report, Severity};
use kensa_image::{ImageInput, LayerCache};
use kensa_scan::Target;

// glibc's malloc was a fifth of the instructions of checking a rendered chart of 10,000
// documents (millions of small nodes, allocated and freed across rayon's threads);
// mimalloc halves that and keeps per-thread heaps.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use crate::cli::{CacheAction, Cli, Command, CommonArgs, DbAction, SbomArgs};
use crate::config::{ScanConfig, default_cache_dir, default_db_dir};

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

#[expect(clippy::print_stderr, reason = "main warns on stderr")]
pub(crate) fn warn(message: &str) {
    eprintln!("warning: {message}");
}

#[expect(clippy::print_stderr, reason = "main reports errors on stderr")]
pub(crate) fn print_error(e: &anyhow::Error) {
    eprintln!("error: {e}");
    for cause in e.chain().skip(1) {
        eprintln!("  Caused by: {cause}");
    }
}

/// With `KENSA_DEBUG` set, what the scan took from the cache and what it walked, on
/// stderr, one `debug:` line each (the concurrent-scan test reads them).
#[expect(clippy::print_stderr, reason = "debug output goes to stderr")]
fn print_stats(stats: &kensa_scan::ScanStats) {
    eprintln!(
        "debug: layers_walked={} layers_cached={} layers_waited={} bytes_walked={} elapsed_ms={}",
        stats.layers_walked,
        stats.layers_cached,
        stats.layers_waited,
        stats.bytes_walked,
        stats.elapsed_ms
    );
    for diff_id in &stats.walked {
        eprintln!("debug: walked layer {diff_id}");
    }
}

fn run(cli: Cli) -> Result<ExitStatus> {
    match cli.command {
        Command::Image(args) => {
            let mut input = match (&args.input, &args.reference) {
                (Some(path), _) => ImageInput::Archive(path.clone()),
                (None, Some(reference)) => ImageInput::parse_reference(reference)?,
                (None, None) => anyhow::bail!(
                    "give an image: a registry reference, `--input FILE` or `oci-layout:DIR`"
                ),
            };
            let config = ScanConfig::resolve(&args.common, args.platform.as_deref())?;
            if let ImageInput::Registry { client, reference } = &mut input {
                **client = config::registry_options(&args.registry, args.common.config.as_deref())?;
                client.document_cache = registry_cmd::document_cache(&config);
                registry_cmd::warn_insecure(client, reference);
            }
            // Judged on the reference as given: a signature check pins the input to a
            // digest before the scan.
            let given = match &input {
                ImageInput::Registry { .. } => args.reference.clone(),
                _ => None,
            };
            let pin_check = move |report: Report| -> Report {
                match given.as_deref().and_then(|g| {
                    kensa_pin::target_finding(g, report.artifact.manifest_digest.as_ref())
                }) {
                    Some(finding) => report.with_findings(vec![finding]),
                    None => report,
                }
            };
            let notation = args
                .trust_policy
                .as_deref()
                .zip(args.trust_store.as_deref());
            if args.verify_signature || !config.signature_keys.is_empty() || notation.is_some() {
                let keys: Vec<_> = args
                    .key
                    .iter()
                    .chain(&config.signature_keys)
                    .cloned()
                    .collect();
                let check = trust::ScanCheck::start(&mut input, &keys, notation)?;
                return scan_then(Target::Image(input), config, |r| {
                    check.apply(r).map(pin_check)
                });
            }
            scan_then(Target::Image(input), config, |r| Ok(pin_check(r)))
        }
        Command::Rootfs(args) => scan(Target::Rootfs(args.dir), &args.common, None),
        Command::Fs(args) => {
            let mut config = ScanConfig::resolve(&args.common, None)?;
            config.scan.ignore_files = !args.no_ignore;
            config.scan.manifest_images =
                manifest_images(&args.images, args.common.config.as_deref())?;
            scan_with(Target::Filesystem(args.dir), config)
        }
        Command::Dockerfile(args) => scan(Target::Dockerfiles(args.files), &args.common, None),
        Command::Manifest(args) => {
            let mut config = ScanConfig::resolve(&args.common, None)?;
            config.scan.manifest_images =
                manifest_images(&args.images, args.common.config.as_deref())?;
            scan_with(Target::Manifests(args.paths), config)
        }
        Command::Sbom(args) => sbom(&args),
        Command::Db(args) => {
            let dir = match args.db_dir {
                Some(d) => d,
                None => default_db_dir()?,
            };
            match args.action {
                DbAction::Import { paths } => db_import(&dir, &paths)?,
                DbAction::Info => db_info(&dir)?,
                DbAction::Update {
                    mirror,
                    ecosystem,
                    cve_list,
                    kev,
                    epss,
                } => {
                    let mut options = kensa_vuln::UpdateOptions {
                        feeds: kensa_vuln::Feeds {
                            cve_list,
                            kev,
                            epss,
                        },
                        ..kensa_vuln::UpdateOptions::default()
                    };
                    if !mirror.is_empty() {
                        options.base_urls = mirror;
                    }
                    if !ecosystem.is_empty() {
                        options.ecosystems = ecosystem;
                    }
                    let summary = kensa_vuln::update(&dir, &options)?;
                    write_stdout(&format!(
                        "updated {}\n{}",
                        summary.path.display(),
                        describe_db(&summary.info)
                    ))?;
                }
            }
            Ok(ExitStatus::Clean)
        }
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
                    let mut freed = LayerCache::clean(&dir)?;
                    freed += registry_cmd::clean_documents(&dir)?;
                    freed += kensa_malware::Database::clean_cache(&dir)?;
                    write_stdout(&format!("removed {freed} bytes from {}\n", dir.display()))?;
                }
            }
            Ok(ExitStatus::Clean)
        }
        Command::Registry(args) => registry_cmd::run(&args),
        Command::Verify(args) => Ok(if trust::verify(&args)? {
            ExitStatus::Clean
        } else {
            ExitStatus::Findings(1)
        }),
        Command::Sign(args) => {
            trust::sign(&args)?;
            Ok(ExitStatus::Clean)
        }
        Command::Keygen { output_key_prefix } => {
            trust::keygen(&output_key_prefix)?;
            Ok(ExitStatus::Clean)
        }
        Command::Pin(args) => pin::run(&args),
        Command::Rule { id } => {
            let text = rule_help(&id).with_context(|| {
                let docs: Vec<String> = kensa_scan::registry::RULE_SETS
                    .iter()
                    .map(|set| format!("`{}`", set.doc().path))
                    .collect();
                let docs = match docs.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last}", rest.join(", "))
                    }
                    _ => docs.concat(),
                };
                format!("no rule `{id}`; {docs} list them all")
            })?;
            write_stdout(&text)?;
            Ok(ExitStatus::Clean)
        }
    }
}

/// The `--image` options of `kensa manifest` and `kensa fs`.
fn manifest_images(
    args: &cli::ManifestImageArgs,
    settings_file: Option<&std::path::Path>,
) -> Result<Vec<kensa_scan::ManifestImage>> {
    args.images
        .iter()
        .map(|given| manifest_image(given, &args.registry, settings_file))
        .collect()
}

/// One `--image [REF=]IMAGE`: a registry reference, `oci-layout:DIR`, an archive file
/// or a layout directory.
fn manifest_image(
    given: &str,
    registry: &cli::RegistryArgs,
    settings_file: Option<&std::path::Path>,
) -> Result<kensa_scan::ManifestImage> {
    let (name, image) = match given.split_once('=') {
        Some((name, image)) => (Some(name.to_owned()), image),
        None => (None, given),
    };
    let path = std::path::Path::new(image);
    let input = if path.is_file() {
        ImageInput::Archive(path.to_path_buf())
    } else if path.is_dir() {
        ImageInput::OciLayout(path.to_path_buf())
    } else {
        let mut input =
            ImageInput::parse_reference(image).with_context(|| format!("`--image {given}`"))?;
        if let ImageInput::Registry { client, reference } = &mut input {
            **client = config::registry_options(registry, settings_file)?;
            registry_cmd::warn_insecure(client, reference);
        }
        input
    };
    Ok(kensa_scan::ManifestImage { name, input })
}

fn db_import(dir: &std::path::Path, paths: &[std::path::PathBuf]) -> Result<()> {
    let mut builder = kensa_vuln::DbBuilder::new();
    for path in paths {
        builder
            .add_path(path)
            .with_context(|| format!("importing `{}`", path.display()))?;
    }
    let summary = builder.build(dir)?;
    let mut text = format!("built {}\n", summary.path.display());
    text.push_str(&describe_db(&summary.info));
    if !summary.issues.is_empty() {
        text.push_str(&format!(
            "{} records or fields were left out (malformed, withdrawn or unsupported); the first ones:\n",
            summary.issues.len()
        ));
        for issue in summary.issues.iter().take(10) {
            text.push_str(&format!("  {issue}\n"));
        }
    }
    write_stdout(&text)?;
    Ok(())
}

fn db_info(dir: &std::path::Path) -> Result<()> {
    let db = kensa_vuln::VulnDb::open(dir)?;
    write_stdout(&format!(
        "database: {}\n{}",
        dir.display(),
        describe_db(db.info())
    ))?;
    Ok(())
}

fn describe_db(info: &kensa_vuln::DbInfo) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut text = format!(
        "built: {} ({} days ago)\nschema: {}\n",
        info.built_at_rfc3339(),
        info.age_days(now),
        info.schema_version
    );
    for source in &info.sources {
        text.push_str(&format!(
            "source: {} ({} records)\n",
            source.source, source.records
        ));
    }
    for (ecosystem, count) in &info.records {
        text.push_str(&format!("records {ecosystem}: {count}\n"));
    }
    let s = &info.stats;
    if s.cve_records > 0 {
        text.push_str(&format!(
            "CVE records: {} ({} rejected)\n",
            s.cve_records, s.cve_rejected
        ));
    }
    if let Some(version) = &info.kev_catalog {
        text.push_str(&format!(
            "KEV catalog: {version} ({} entries)\n",
            s.kev_entries
        ));
    }
    if let Some(date) = &info.epss_date {
        text.push_str(&format!("EPSS scores: {date} ({} CVEs)\n", s.epss_scores));
    }
    text
}

/// `kensa sbom`: the inventory only, in an SBOM format.
fn sbom(args: &SbomArgs) -> Result<ExitStatus> {
    let target = if args.target.starts_with("oci-layout:") {
        Target::Image(ImageInput::parse_reference(&args.target)?)
    } else if std::path::Path::new(&args.target).is_dir() {
        Target::Rootfs(args.target.clone().into())
    } else {
        Target::Image(ImageInput::Archive(args.target.clone().into()))
    };
    let common = CommonArgs {
        scanners: Vec::new(),
        db_dir: None,
        db_max_age: 0,
        config: None,
        ignorefile: None,
        vex: Vec::new(),
        ignore_unfixed: false,
        include_dev_deps: args.include_dev_deps,
        format: args.format.0,
        output: args.output.clone(),
        severity: Vec::new(),
        exit_code: 0,
        fail_on: None,
        list_packages: false,
        quiet: true,
        cache_dir: args.cache_dir.clone(),
        no_cache: args.no_cache,
        max_layer_ratio: kensa_image::WalkOptions::default().max_layer_ratio,
        sort_by: None,
        group_by: None,
        fail_on_kev: false,
        fail_on_epss: None,
        malware_db: Vec::new(),
        yara: Vec::new(),
    };
    let config = ScanConfig::resolve(&common, args.platform.as_deref())?;
    let (report, _) = kensa_scan::scan(&target, &config.scan)?;
    write_report(&report, &config)?;
    Ok(ExitStatus::Clean)
}

/// `kensa rule ID`: the help of a rule of any family.
fn rule_help(id: &str) -> Option<String> {
    kensa_scan::registry::find_rule(id).map(|(family, rule)| family.help(rule))
}

pub(crate) fn write_stdout(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

fn scan(target: Target, args: &CommonArgs, platform: Option<&str>) -> Result<ExitStatus> {
    scan_with(target, ScanConfig::resolve(args, platform)?)
}

fn scan_with(target: Target, config: ScanConfig) -> Result<ExitStatus> {
    scan_then(target, config, Ok)
}

/// A scan whose report `after` completes before it is filtered and written.
fn scan_then(
    target: Target,
    config: ScanConfig,
    after: impl FnOnce(Report) -> Result<Report>,
) -> Result<ExitStatus> {
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
    let (report, stats) = result?;
    let mut report = after(report)?;
    if let Target::Image(ImageInput::Registry { reference, client }) = &target {
        registry_cmd::note_moved_tag(&mut report, reference, client);
    }
    if std::env::var_os("KENSA_DEBUG").is_some_and(|v| !v.is_empty()) {
        print_stats(&stats);
    }
    if let Some(severities) = &config.severities {
        filter_severities(&mut report, severities);
    }
    write_report(&report, &config)?;
    if let Some(code) = config
        .fail_exploited
        .as_ref()
        .and_then(|g| g.fails(&report))
    {
        return Ok(ExitStatus::Findings(code));
    }
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
