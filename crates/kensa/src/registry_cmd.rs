//! `kensa registry REPO`: flags to a policy and a client, then the listing, the ECR
//! policy or a scan of every tag. The work is `kensa_registry::hygiene`'s and
//! `kensa_scan`'s.

use std::io::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, Result};
use kensa_core::{Report, Severity};
use kensa_image::ImageInput;
use kensa_registry::hygiene::{self, Policy, TagInfo, Verdict};
use kensa_registry::{Client, Reference};
use kensa_report::Format;
use kensa_scan::{ScanStats, Target};

use crate::ExitStatus;
use crate::cli::{Emit, RegistryRepoArgs};
use crate::config::ScanConfig;

/// Tags scanned at once; each scan walks its layers in parallel too.
const PARALLEL_SCANS: usize = 4;

pub(crate) fn run(args: &RegistryRepoArgs) -> Result<ExitStatus> {
    let policy = Policy {
        keep_last: args.keep_last,
        older_than_days: args.older_than,
        tag_prefix: args.tag_prefix.clone(),
    };
    let rules = policy.rules()?;
    if args.emit == Some(Emit::EcrLifecycle) {
        let json = serde_json::to_string_pretty(&hygiene::ecr_lifecycle(&rules))?;
        output(args, &format!("{json}\n"))?;
        return Ok(ExitStatus::Clean);
    }
    let repository = Reference::parse(&args.repository)?;
    let mut options =
        crate::config::registry_options(&args.registry, args.common.config.as_deref())?;
    let scan_config = if args.scan {
        let config = ScanConfig::resolve(&args.common, args.platform.as_deref())?;
        // The listing reads every config; the scans then find them kept.
        options.document_cache = document_cache(&config);
        Some(config)
    } else {
        None
    };
    warn_insecure(&options, &repository);
    let client = Client::new(options.clone())?;
    let tags = client.tags(&repository, args.page_size)?;
    let mut infos = hygiene::inspect(&client, &repository, &tags)?;
    hygiene::sort_newest_first(&mut infos);
    let now = hygiene::now_unix();
    let verdicts = hygiene::judge(&infos, &rules, now);
    let judged = args.keep_last.is_some() || args.older_than.is_some();
    let Some(config) = scan_config else {
        let text = match args.common.format {
            Format::Table => hygiene::render_listing(&infos, &verdicts, judged),
            Format::Json => listing_json(&repository, &infos, &verdicts)?,
            other => anyhow::bail!(
                "`--format {}`: the tag listing is written as `table` or `json`; other formats are for `--scan --reports DIR`",
                other.as_str()
            ),
        };
        output(args, &text)?;
        return Ok(ExitStatus::Clean);
    };
    scan_all(
        args,
        &config,
        &repository,
        options,
        &infos,
        &verdicts,
        judged,
    )
}

fn output(args: &RegistryRepoArgs, text: &str) -> Result<()> {
    match &args.common.output {
        Some(path) => {
            fs_err::write(path, text).with_context(|| format!("writing `{}`", path.display()))
        }
        None => Ok(crate::write_stdout(text)?),
    }
}

fn listing_json(repository: &Reference, infos: &[TagInfo], verdicts: &[Verdict]) -> Result<String> {
    #[derive(serde::Serialize)]
    struct Row<'a> {
        #[serde(flatten)]
        info: &'a TagInfo,
        #[serde(flatten)]
        verdict: &'a Verdict,
    }
    let rows: Vec<Row<'_>> = infos
        .iter()
        .zip(verdicts)
        .map(|(info, verdict)| Row { info, verdict })
        .collect();
    let doc = serde_json::json!({ "repository": repository.name(), "tags": rows });
    Ok(format!("{}\n", serde_json::to_string_pretty(&doc)?))
}

/// One scan per tag, pinned to the digest the listing saw, several at once in this
/// process: they share the layer cache, so a layer common to many tags is claimed by the
/// first scan that needs it, walked once, and read from the cache by the others.
fn scan_all(
    args: &RegistryRepoArgs,
    config: &ScanConfig,
    repository: &Reference,
    options: kensa_registry::ClientOptions,
    infos: &[TagInfo],
    verdicts: &[Verdict],
    judged: bool,
) -> Result<ExitStatus> {
    if let Some(dir) = &args.reports {
        fs_err::create_dir_all(dir)?;
    }
    // Plain threads, not a rayon pool: a scan waiting for a layer another scan claimed
    // must not be run nested inside that scan's own parallel walk (as work stealing
    // could do), or it would wait for itself.
    type Outcome = Result<(Report, ScanStats), kensa_scan::ScanError>;
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Outcome>>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL_SCANS.min(infos.len()) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(info) = infos.get(i) else { break };
                    let outcome = scan_tag(repository, &options, info, config);
                    let mut done = results.lock().unwrap_or_else(|e| e.into_inner());
                    if done.len() <= i {
                        done.resize_with(i + 1, || None);
                    }
                    done[i] = Some(outcome);
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    results.resize_with(infos.len(), || None);
    let debug = std::env::var_os("KENSA_DEBUG").is_some_and(|v| !v.is_empty());
    let mut rows = Vec::new();
    let mut failed = false;
    let mut status = ExitStatus::Clean;
    let mut total = ScanStats::default();
    for ((info, verdict), result) in infos.iter().zip(verdicts).zip(results) {
        let mut row = vec![info.tag.clone(), hygiene::short_digest(&info.digest)];
        match result {
            Some(Ok((mut report, stats))) => {
                if let Some(severities) = &config.severities {
                    crate::filter_severities(&mut report, severities);
                }
                for severity in [
                    Severity::Critical,
                    Severity::High,
                    Severity::Medium,
                    Severity::Low,
                ] {
                    let n = report
                        .summary
                        .by_severity
                        .get(&severity)
                        .copied()
                        .unwrap_or(0);
                    row.push(n.to_string());
                }
                row.push(report.summary.notes.to_string());
                if let Some((threshold, code)) = config.fail
                    && report.has_findings_at_or_above(threshold)
                {
                    status = ExitStatus::Findings(code);
                }
                if let Some(dir) = &args.reports {
                    write_tag_report(&report, config, &dir.join(&info.tag))?;
                }
                if debug {
                    debug_line(&format!(
                        "tag {}: layers_walked={} layers_cached={} layers_waited={}",
                        info.tag, stats.layers_walked, stats.layers_cached, stats.layers_waited
                    ));
                }
                total.layers_walked += stats.layers_walked;
                total.layers_cached += stats.layers_cached;
                total.layers_waited += stats.layers_waited;
                total.walked.extend(stats.walked);
            }
            Some(Err(e)) => {
                failed = true;
                row.extend(["-", "-", "-", "-", "-"].map(String::from));
                crate::warn(&format!("tag `{}`: {e}", info.tag));
            }
            // Only if a scan thread panicked.
            None => {
                failed = true;
                row.extend(["-", "-", "-", "-", "-"].map(String::from));
            }
        }
        if judged {
            row.push(if verdict.stale { "stale" } else { "kept" }.to_owned());
        }
        rows.push(row);
    }
    if debug {
        debug_line(&format!(
            "all tags: layers_walked={} layers_cached={} layers_waited={}",
            total.layers_walked, total.layers_cached, total.layers_waited
        ));
        for diff_id in &total.walked {
            debug_line(&format!("walked layer {diff_id}"));
        }
    }
    let mut header = vec![
        "TAG", "DIGEST", "CRITICAL", "HIGH", "MEDIUM", "LOW", "NOTES",
    ];
    if judged {
        header.push("STATUS");
    }
    let mut text = hygiene::table(&header, &rows);
    text.push_str(&format!("\n{} tags scanned\n", infos.len()));
    output(args, &text)?;
    if failed {
        anyhow::bail!(
            "some tags of `{}` could not be scanned (see the warnings above)",
            repository.name()
        );
    }
    Ok(status)
}

fn scan_tag(
    repository: &Reference,
    options: &kensa_registry::ClientOptions,
    info: &TagInfo,
    config: &ScanConfig,
) -> Result<(Report, ScanStats), kensa_scan::ScanError> {
    let pinned = format!("{}:{}@{}", repository.name(), info.tag, info.digest);
    let reference = Reference::parse(&pinned).map_err(|source| {
        kensa_scan::ScanError::Image(kensa_image::ImageError::Registry {
            reference: pinned.clone(),
            source: Box::new(source),
        })
    })?;
    let input = ImageInput::Registry {
        reference,
        client: Box::new(options.clone()),
    };
    kensa_scan::scan(&Target::Image(input), &config.scan)
}

fn write_tag_report(report: &Report, config: &ScanConfig, path: &std::path::Path) -> Result<()> {
    let file = fs_err::File::create(path)?;
    let mut w = std::io::BufWriter::new(file);
    kensa_report::render(report, config.format, &mut w, &config.render)
        .with_context(|| format!("writing `{}`", path.display()))?;
    w.flush()
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

#[expect(clippy::print_stderr, reason = "debug output goes to stderr")]
fn debug_line(line: &str) {
    eprintln!("debug: {line}");
}

/// Where verified registry documents (and the digests tags named) are kept: beside the
/// layer cache, and nowhere with `--no-cache`.
pub(crate) fn document_cache(config: &ScanConfig) -> Option<std::path::PathBuf> {
    config.scan.cache_dir.as_ref().map(|d| d.join("registry"))
}

/// Records the digest `reference` (a tag) resolved to, and notes in the report when it
/// named another image at the previous scan.
pub(crate) fn note_moved_tag(
    report: &mut Report,
    reference: &Reference,
    client: &kensa_registry::ClientOptions,
) {
    let (Some(dir), Some(digest)) = (&client.document_cache, &report.artifact.manifest_digest)
    else {
        return;
    };
    if reference.digest().is_some() {
        return;
    }
    if let Some(previous) = kensa_registry::record_tag(dir, reference, digest) {
        report.notes.push(kensa_core::ScanNote {
            level: kensa_core::NoteLevel::Warning,
            found_by: "registry".into(),
            location: kensa_core::Location::default(),
            message: format!(
                "tag `{reference}` moved since the last scan: it named `{previous}`, now `{digest}`"
            ),
        });
        report.summary.notes = report.notes.len();
    }
}

/// Deletes the kept registry documents beside the layer cache in `dir`; returns the
/// bytes freed.
pub(crate) fn clean_documents(dir: &std::path::Path) -> Result<u64> {
    let root = dir.join("registry");
    let mut freed = 0;
    for entry in walk(&root) {
        freed += entry;
    }
    match fs_err::remove_dir_all(&root) {
        Ok(()) => Ok(freed),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// The sizes of the files under `dir`, for the bytes `kensa cache clean` reports.
fn walk(dir: &std::path::Path) -> Vec<u64> {
    let Ok(entries) = fs_err::read_dir(dir) else {
        return Vec::new();
    };
    let mut sizes = Vec::new();
    for entry in entries.flatten() {
        match entry.file_type() {
            Ok(t) if t.is_dir() => sizes.extend(walk(&entry.path())),
            Ok(_) => sizes.extend(entry.metadata().map(|m| m.len())),
            Err(_) => {}
        }
    }
    sizes
}

/// Plain HTTP is said on stderr, whether `--insecure` or the settings file asked for it.
pub(crate) fn warn_insecure(options: &kensa_registry::ClientOptions, reference: &Reference) {
    if options.insecure {
        crate::warn(
            "`--insecure`: talking plain HTTP to the registry; anyone on the path can read and alter what is scanned",
        );
    } else if options.is_insecure(reference) {
        crate::warn(&format!(
            "the settings file sets `registries.{}.insecure`: talking plain HTTP to it; anyone on the path can read and alter what is scanned",
            reference.registry()
        ));
    }
}
