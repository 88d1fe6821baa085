//! `kensa db update`: downloads osv.dev's per-ecosystem `all.zip` archives from a list of
//! base URLs, and the enrichment feeds asked for (the cvelistV5 release zip, CISA's KEV
//! catalog, FIRST's EPSS CSV, each from a list of mirror URLs), and rebuilds the database
//! from them, atomically.
//!
//! Each archive is downloaded to `<dir>/downloads/<Ecosystem>.zip.part`, resumed with an
//! HTTP range request when a previous attempt left a partial file, checked (size bounds,
//! a readable zip with at least one record) and only then renamed into place. The
//! database itself is rebuilt by [`DbBuilder::build`], which writes beside the old file
//! and renames: an interrupted update leaves the old database serving.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::{BuildSummary, DbBuilder, VulnError};

/// osv.dev's public download location: `<base>/<Ecosystem>/all.zip`.
pub const DEFAULT_BASE_URL: &str = "https://osv-vulnerabilities.storage.googleapis.com";

/// The ecosystems downloaded when none are named: those kensa's analyzers inventory.
pub const DEFAULT_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpine",
    "Chainguard",
    "Debian",
    "Go",
    "Maven",
    "NuGet",
    "Packagist",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "RubyGems",
    "SUSE",
    "Ubuntu",
    "Wolfi",
    "crates.io",
    "npm",
    "openSUSE",
];

/// Where and what to download.
#[derive(Clone, Debug)]
pub struct UpdateOptions {
    /// Base URLs, tried in order for each archive.
    pub base_urls: Vec<String>,
    /// OSV ecosystem names, as osv.dev spells its folders.
    pub ecosystems: Vec<String>,
    /// Attempts per URL.
    pub attempts: u32,
    /// The largest archive accepted; osv.dev's biggest is a few hundred MB.
    pub max_bytes: u64,
    /// Pause before the second attempt, doubled after each failure.
    pub backoff: Duration,
    /// Enrichment feeds; none by default.
    pub feeds: Feeds,
}

/// Enrichment downloads: for each feed, URLs tried in order (mirrors of one file).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Feeds {
    /// The cvelistV5 release archive (a zip of `cves/<year>/<n>xxx/CVE-….json`, or the
    /// release's outer zip around it).
    pub cve_list: Vec<String>,
    /// CISA's `known_exploited_vulnerabilities.json`.
    pub kev: Vec<String>,
    /// FIRST's `epss_scores-….csv.gz` (or `.csv`).
    pub epss: Vec<String>,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            base_urls: vec![DEFAULT_BASE_URL.to_owned()],
            ecosystems: DEFAULT_ECOSYSTEMS.iter().map(|e| (*e).to_owned()).collect(),
            attempts: 3,
            max_bytes: 2 * 1024 * 1024 * 1024,
            backoff: Duration::from_millis(500),
            feeds: Feeds::default(),
        }
    }
}

/// Downloads every archive, then rebuilds the database in `dir` from them.
pub fn update(dir: &Path, options: &UpdateOptions) -> Result<BuildSummary, VulnError> {
    let downloads = dir.join("downloads");
    fs_err::create_dir_all(&downloads).map_err(|e| VulnError::io("create", &downloads, e))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(600)))
        .http_status_as_error(false)
        .build()
        .into();
    let mut archives = Vec::new();
    for ecosystem in &options.ecosystems {
        archives.push(fetch_archive(&agent, &downloads, ecosystem, options)?);
    }
    let feeds = &options.feeds;
    if !feeds.cve_list.is_empty() {
        let f = fetch(
            &agent,
            &downloads,
            "cvelist.zip",
            &feeds.cve_list,
            options,
            check_archive,
        )?;
        archives.push(f);
    }
    if !feeds.kev.is_empty() {
        let name = "known_exploited_vulnerabilities.json";
        archives.push(fetch(
            &agent,
            &downloads,
            name,
            &feeds.kev,
            options,
            check_not_empty,
        )?);
    }
    if !feeds.epss.is_empty() {
        // The importer tells plain from gzipped CSV by the name, so keep the URL's.
        let gz = feeds.epss.iter().all(|u| u.ends_with(".gz"));
        let name = if gz {
            "epss_scores.csv.gz"
        } else {
            "epss_scores.csv"
        };
        archives.push(fetch(
            &agent,
            &downloads,
            name,
            &feeds.epss,
            options,
            check_not_empty,
        )?);
    }
    let mut builder = DbBuilder::new();
    for archive in &archives {
        builder.add_path(archive)?;
    }
    builder.build(dir)
}

/// Downloads one ecosystem's archive, trying each base URL `attempts` times.
fn fetch_archive(
    agent: &ureq::Agent,
    downloads: &Path,
    ecosystem: &str,
    options: &UpdateOptions,
) -> Result<PathBuf, VulnError> {
    let file_stem: String = ecosystem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let urls: Vec<String> = options
        .base_urls
        .iter()
        .map(|base| {
            format!(
                "{}/{}/all.zip",
                base.trim_end_matches('/'),
                ecosystem.replace(' ', "%20")
            )
        })
        .collect();
    fetch(
        agent,
        downloads,
        &format!("{file_stem}.zip"),
        &urls,
        options,
        check_archive,
    )
}

/// Downloads one file to `downloads/<name>`, trying each URL `attempts` times, resuming a
/// partial download, and renaming it into place only once `check` accepts it.
fn fetch(
    agent: &ureq::Agent,
    downloads: &Path,
    name: &str,
    urls: &[String],
    options: &UpdateOptions,
    check: fn(&Path, &str) -> Result<(), VulnError>,
) -> Result<PathBuf, VulnError> {
    let part = downloads.join(format!("{name}.part"));
    let done = downloads.join(name);
    let mut last = VulnError::Download {
        url: String::new(),
        reason: "no URL given".into(),
    };
    for url in urls {
        let mut pause = options.backoff;
        for attempt in 1..=options.attempts.max(1) {
            match download(agent, url, &part, options.max_bytes).and_then(|()| check(&part, url)) {
                Ok(()) => {
                    fs_err::rename(&part, &done)
                        .map_err(|e| VulnError::io("rename into", &done, e))?;
                    return Ok(done);
                }
                Err(e) => {
                    last = e;
                    if attempt < options.attempts {
                        std::thread::sleep(pause);
                        pause = pause.saturating_mul(2);
                    }
                }
            }
        }
    }
    Err(last)
}

/// Appends to `part`, resuming from its length with a range request.
fn download(agent: &ureq::Agent, url: &str, part: &Path, max_bytes: u64) -> Result<(), VulnError> {
    let fail = |reason: String| VulnError::Download {
        url: url.to_owned(),
        reason,
    };
    let have = fs_err::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut request = agent.get(url);
    if have > 0 {
        request = request.header("Range", format!("bytes={have}-"));
    }
    let mut response = request.call().map_err(|e| fail(e.to_string()))?;
    let status = response.status().as_u16();
    let append = match status {
        206 => true,
        200 => false,
        // The partial file is complete or stale; start again.
        416 => {
            let _ = fs_err::remove_file(part);
            return Err(fail(
                "the server refused to resume (416); restarting".into(),
            ));
        }
        other => return Err(fail(format!("HTTP status {other}"))),
    };
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(part)
        .map_err(|e| VulnError::io("create", part, e))?;
    let already = if append { have } else { 0 };
    let limit = max_bytes.saturating_sub(already);
    let mut body = response
        .body_mut()
        .as_reader()
        .take(limit.saturating_add(1));
    let copied =
        std::io::copy(&mut body, &mut file).map_err(|e| fail(format!("interrupted: {e}")))?;
    file.flush().map_err(|e| VulnError::io("write", part, e))?;
    if copied > limit {
        let _ = fs_err::remove_file(part);
        return Err(fail(format!("larger than the {max_bytes}-byte limit")));
    }
    Ok(())
}

/// A downloaded feed must not be empty; its content is checked by the import that follows,
/// which fails the update (leaving the old database) when it is malformed.
fn check_not_empty(part: &Path, url: &str) -> Result<(), VulnError> {
    let len = fs_err::metadata(part)
        .map_err(|e| VulnError::io("read", part, e))?
        .len();
    if len == 0 {
        let _ = fs_err::remove_file(part);
        return Err(VulnError::Download {
            url: url.to_owned(),
            reason: "the response was empty".into(),
        });
    }
    Ok(())
}

/// A downloaded archive must be a readable zip holding at least one JSON record.
fn check_archive(part: &Path, url: &str) -> Result<(), VulnError> {
    let bad = |reason: String| VulnError::Download {
        url: url.to_owned(),
        reason,
    };
    let file = fs_err::File::open(part).map_err(|e| VulnError::io("read", part, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| {
        let _ = fs_err::remove_file(part);
        bad(format!("not a valid zip archive ({e})"))
    })?;
    let records = (0..zip.len())
        .filter(|&i| {
            zip.by_index(i).is_ok_and(|f| {
                f.name()
                    .is_ok_and(|n| n.ends_with(".json") || n.ends_with(".zip"))
            })
        })
        .count();
    if records == 0 {
        let _ = fs_err::remove_file(part);
        return Err(bad("the archive holds no OSV records".into()));
    }
    Ok(())
}
