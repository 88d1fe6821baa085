//! Reading OSV records from JSON files, directories and osv.dev's `all.zip` archives, and
//! the enrichment beside them: CVE JSON 5 records (single files, directories, or the
//! cvelistV5 release zip `cves/<year>/<n>xxx/CVE-….json`, also when that zip sits inside
//! the release's outer zip), CISA's KEV catalog and FIRST's EPSS CSV (`.csv`/`.csv.gz`).
//! A JSON document is told apart by its top-level keys (`cveMetadata`, `catalogVersion`).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::VulnError;
use crate::osv::{Advisory, Skip, parse_record};

/// The largest single OSV JSON document read; real records are a few kilobytes.
const MAX_RECORD_BYTES: u64 = 16 << 20;

/// The largest KEV catalog or EPSS CSV read (decompressed): today's are 1.3 MB and 10 MB.
const MAX_FEED_BYTES: u64 = 512 << 20;

/// The largest zip nested in a zip that is spooled to disk (cvelistV5's release archive
/// wraps `cves.zip`, about 500 MB today).
const MAX_NESTED_ZIP_BYTES: u64 = 4 << 30;

/// Counts of what an import read, kept and left out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportStats {
    /// JSON documents read.
    pub read: u64,
    /// Records imported (with at least one usable affected package).
    pub imported: u64,
    /// Records skipped because they are withdrawn.
    pub withdrawn: u64,
    /// Records skipped because they could not be parsed or have no id.
    pub malformed_records: u64,
    /// Records skipped because nothing in them could be matched (only `GIT` ranges,
    /// unsupported ecosystems or malformed entries).
    pub nothing_to_match: u64,
    /// Records replaced by a later record with the same id.
    pub duplicates: u64,
    /// `GIT` ranges skipped.
    pub git_ranges: u64,
    /// `affected` entries of ecosystems kensa has no version ordering for.
    pub unsupported_ecosystem: u64,
    /// `affected` entries or ranges left out because a field is malformed.
    pub malformed_entries: u64,
    /// Range versions the scheme rejects, kept so that the packages they may cover are
    /// reported as unverifiable (apk versions are ordered as apk-tools does and not counted).
    #[serde(default)]
    pub unreadable_versions: u64,
    /// CVE JSON 5 records imported.
    #[serde(default)]
    pub cve_records: u64,
    /// Of those, records in state REJECTED.
    #[serde(default)]
    pub cve_rejected: u64,
    /// CVSS metrics of CVE records left out (no vector, score out of range).
    #[serde(default)]
    pub cve_metrics_dropped: u64,
    /// KEV catalog entries imported.
    #[serde(default)]
    pub kev_entries: u64,
    /// EPSS scores imported.
    #[serde(default)]
    pub epss_scores: u64,
}

/// One thing an import could not use, for the user to see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportIssue {
    /// The file, or `archive.zip!entry.json`.
    pub source: String,
    /// The record id, when known.
    pub id: Option<String>,
    /// The field, when the problem is in one.
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(id) = &self.id {
            write!(f, ": record `{id}`")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// An import source and how many records it gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// The path (or URL) imported.
    pub source: String,
    /// Records imported from it.
    pub records: u64,
}

/// Collects advisories from any number of sources before [`DbBuilder::build`] writes them.
#[derive(Debug, Default)]
pub struct DbBuilder {
    pub(crate) advisories: Vec<Advisory>,
    by_id: HashMap<String, usize>,
    pub(crate) stats: ImportStats,
    pub(crate) issues: Vec<ImportIssue>,
    pub(crate) sources: Vec<SourceInfo>,
    /// Per CVE id: its record, KEV entry and EPSS score.
    pub(crate) enrichment: BTreeMap<String, kensa_enrich::Enrichment>,
    /// `catalogVersion` of the KEV catalog imported.
    pub(crate) kev_catalog: Option<String>,
    /// `score_date` of the EPSS scores imported.
    pub(crate) epss_date: Option<String>,
}

impl DbBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        DbBuilder::default()
    }

    /// What was read so far.
    pub fn stats(&self) -> &ImportStats {
        &self.stats
    }

    /// What could not be used so far.
    pub fn issues(&self) -> &[ImportIssue] {
        &self.issues
    }

    /// Imports a path: an OSV JSON file, a zip archive of them (osv.dev's `all.zip`), or a
    /// directory searched recursively for both.
    pub fn add_path(&mut self, path: &Path) -> Result<(), VulnError> {
        let before = self.records_so_far();
        let meta = fs_err::metadata(path).map_err(|e| VulnError::io("read", path, e))?;
        if meta.is_dir() {
            let mut files: Vec<PathBuf> = Vec::new();
            for entry in walkdir::WalkDir::new(path).follow_links(false) {
                let entry = entry.map_err(|e| {
                    let p = e.path().unwrap_or(path).to_path_buf();
                    VulnError::io("read", p, e.into())
                })?;
                if entry.file_type().is_file() && kind_of(entry.path()).is_some() {
                    files.push(entry.into_path());
                }
            }
            files.sort();
            for f in files {
                self.add_file(&f)?;
            }
        } else {
            self.add_file(path)?;
        }
        self.sources.push(SourceInfo {
            source: path.display().to_string(),
            records: self.records_so_far().saturating_sub(before),
        });
        Ok(())
    }

    fn records_so_far(&self) -> u64 {
        let s = &self.stats;
        s.imported + s.cve_records + s.kev_entries + s.epss_scores
    }

    fn add_file(&mut self, path: &Path) -> Result<(), VulnError> {
        match kind_of(path) {
            Some(Kind::Json) => {
                let mut bytes = Vec::new();
                fs_err::File::open(path)
                    .and_then(|f| f.take(MAX_RECORD_BYTES + 1).read_to_end(&mut bytes))
                    .map_err(|e| VulnError::io("read", path, e))?;
                let source = path.display().to_string();
                if bytes.len() as u64 > MAX_RECORD_BYTES {
                    self.record_too_large(source);
                } else {
                    self.add_json(&source, &bytes);
                }
                Ok(())
            }
            Some(Kind::Zip) => self.add_zip(path),
            Some(kind @ (Kind::Csv | Kind::CsvGz)) => self.add_epss_file(path, kind),
            None => Err(VulnError::UnsupportedInput {
                path: path.to_path_buf(),
            }),
        }
    }

    fn record_too_large(&mut self, source: String) {
        self.stats.read += 1;
        self.stats.malformed_records += 1;
        self.issues.push(ImportIssue {
            source,
            id: None,
            field: None,
            reason: format!("larger than {MAX_RECORD_BYTES} bytes"),
        });
    }

    /// Imports every `.json` entry of a zip archive, and the entries of a `.zip` inside it
    /// (one level: the cvelistV5 release wraps its `cves.zip`).
    pub fn add_zip(&mut self, path: &Path) -> Result<(), VulnError> {
        self.add_zip_at(path, 0)
    }

    fn add_zip_at(&mut self, path: &Path, depth: u32) -> Result<(), VulnError> {
        let file = fs_err::File::open(path).map_err(|e| VulnError::io("read", path, e))?;
        let zip_err = |source| VulnError::Zip {
            path: path.to_path_buf(),
            source,
        };
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
        let mut bytes = Vec::new();
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(zip_err)?;
            let name = match entry.name() {
                Ok(n) => n.into_owned(),
                Err(e) => {
                    self.stats.read += 1;
                    self.stats.malformed_records += 1;
                    self.issues.push(ImportIssue {
                        source: format!("{}!#{i}", path.display()),
                        id: None,
                        field: None,
                        reason: format!("unreadable entry name: {e}"),
                    });
                    continue;
                }
            };
            if depth == 0 && entry.is_file() && name.ends_with(".zip") {
                let mut spool = tempfile::tempfile()
                    .map_err(|e| VulnError::io("create a temporary file for", path, e))?;
                let copied =
                    std::io::copy(&mut (&mut entry).take(MAX_NESTED_ZIP_BYTES + 1), &mut spool)
                        .map_err(|e| {
                            VulnError::io(
                                "read",
                                PathBuf::from(format!("{}!{name}", path.display())),
                                e,
                            )
                        })?;
                drop(entry);
                if copied > MAX_NESTED_ZIP_BYTES {
                    self.issues.push(ImportIssue {
                        source: format!("{}!{name}", path.display()),
                        id: None,
                        field: None,
                        reason: format!("nested archive larger than {MAX_NESTED_ZIP_BYTES} bytes"),
                    });
                    continue;
                }
                let inner = tempfile::NamedTempFile::new()
                    .map_err(|e| VulnError::io("create a temporary file for", path, e))?;
                let (mut f, inner_path) = (inner.as_file(), inner.path().to_path_buf());
                std::io::Seek::rewind(&mut spool)
                    .and_then(|()| std::io::copy(&mut spool, &mut f))
                    .map_err(|e| VulnError::io("write", &inner_path, e))?;
                self.add_zip_at(&inner_path, depth + 1)?;
                continue;
            }
            if !entry.is_file() || !name.ends_with(".json") {
                continue;
            }
            // cvelistV5's change logs sit beside the records; they describe no CVE.
            if name.ends_with("/delta.json") || name.ends_with("/deltaLog.json") {
                continue;
            }
            let source = format!("{}!{name}", path.display());
            bytes.clear();
            // The declared size is attacker-controlled; the cap is on what is actually read.
            (&mut entry)
                .take(MAX_RECORD_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| VulnError::io("read", PathBuf::from(&source), e))?;
            if bytes.len() as u64 > MAX_RECORD_BYTES {
                self.record_too_large(source);
                continue;
            }
            self.add_json(&source, &bytes);
        }
        Ok(())
    }

    /// Imports one JSON document — an OSV record, a CVE JSON 5 record or the KEV catalog —
    /// told apart by their top-level keys; problems are counted and recorded, never fatal.
    pub fn add_json(&mut self, source: &str, bytes: &[u8]) {
        // A substring test first, as nearly every document is an OSV record and a full
        // parse to learn the keys would double the import time; the parse then decides.
        if memchr::memmem::find(bytes, b"\"cveMetadata\"").is_some()
            && has_key(bytes, "cveMetadata")
        {
            return self.add_cve_json(source, bytes);
        }
        if memchr::memmem::find(bytes, b"\"catalogVersion\"").is_some()
            && has_key(bytes, "catalogVersion")
        {
            return self.add_kev_json(source, bytes);
        }
        self.stats.read += 1;
        let advisory = match parse_record(bytes) {
            Ok(a) => a,
            Err(reason) => {
                self.stats.malformed_records += 1;
                self.issues.push(ImportIssue {
                    source: source.to_owned(),
                    id: id_hint(bytes),
                    field: None,
                    reason,
                });
                return;
            }
        };
        if advisory.withdrawn {
            self.stats.withdrawn += 1;
            return;
        }
        for skip in &advisory.skipped {
            match skip {
                Skip::GitRange => self.stats.git_ranges += 1,
                Skip::UnsupportedEcosystem(eco) => {
                    self.stats.unsupported_ecosystem += 1;
                    self.issues.push(ImportIssue {
                        source: source.to_owned(),
                        id: Some(advisory.id.clone()),
                        field: None,
                        reason: format!("ecosystem `{eco}` is not supported"),
                    });
                }
                Skip::UnreadableVersion { field, reason } => {
                    self.stats.unreadable_versions += 1;
                    self.issues.push(ImportIssue {
                        source: source.to_owned(),
                        id: Some(advisory.id.clone()),
                        field: Some(field.clone()),
                        reason: format!(
                            "{reason}; kept: packages this range may cover are reported as unverifiable"
                        ),
                    });
                }
                Skip::Malformed { field, reason } => {
                    self.stats.malformed_entries += 1;
                    self.issues.push(ImportIssue {
                        source: source.to_owned(),
                        id: Some(advisory.id.clone()),
                        field: Some(field.clone()),
                        reason: reason.clone(),
                    });
                }
            }
        }
        if advisory.affected.is_empty() {
            self.stats.nothing_to_match += 1;
            return;
        }
        self.stats.imported += 1;
        match self.by_id.get(&advisory.id) {
            Some(&i) => {
                self.stats.duplicates += 1;
                self.stats.imported -= 1;
                if let Some(slot) = self.advisories.get_mut(i) {
                    *slot = advisory;
                }
            }
            None => {
                self.by_id
                    .insert(advisory.id.clone(), self.advisories.len());
                self.advisories.push(advisory);
            }
        }
    }
}

impl DbBuilder {
    fn issue(&mut self, source: &str, id: Option<String>, reason: String) {
        self.issues.push(ImportIssue {
            source: source.to_owned(),
            id,
            field: None,
            reason,
        });
    }

    fn add_cve_json(&mut self, source: &str, bytes: &[u8]) {
        match kensa_enrich::cve::parse(bytes) {
            Ok(record) => {
                self.stats.cve_records += 1;
                self.stats.cve_metrics_dropped += u64::from(record.dropped_metrics);
                if record.state == kensa_enrich::CveState::Rejected {
                    self.stats.cve_rejected += 1;
                }
                let id = record.id.clone();
                self.enrichment.entry(id).or_default().record = Some(record);
            }
            Err(e) => {
                self.stats.malformed_records += 1;
                self.issue(source, None, e.to_string());
            }
        }
    }

    fn add_kev_json(&mut self, source: &str, bytes: &[u8]) {
        match kensa_enrich::kev::parse(bytes) {
            Ok(catalog) => {
                for entry in catalog.entries {
                    self.stats.kev_entries += 1;
                    let id = entry.cve.clone();
                    self.enrichment.entry(id).or_default().kev = Some(entry);
                }
                self.kev_catalog = Some(catalog.version);
            }
            Err(e) => {
                self.stats.malformed_records += 1;
                self.issue(source, None, e.to_string());
            }
        }
    }

    /// Imports FIRST's EPSS CSV, plain or gzipped.
    pub fn add_epss_file(&mut self, path: &Path, kind: Kind) -> Result<(), VulnError> {
        let file = fs_err::File::open(path).map_err(|e| VulnError::io("read", path, e))?;
        let mut reader: Box<dyn Read> = match kind {
            Kind::CsvGz => Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::new(
                file,
            ))),
            _ => Box::new(std::io::BufReader::new(file)),
        };
        let mut text = String::new();
        (&mut reader)
            .take(MAX_FEED_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(|e| VulnError::io("read", path, e))?;
        if text.len() as u64 > MAX_FEED_BYTES {
            return Err(VulnError::Feed {
                path: path.to_path_buf(),
                reason: format!("larger than {MAX_FEED_BYTES} bytes"),
            });
        }
        let parsed = kensa_enrich::epss::parse(&text).map_err(|e| VulnError::Feed {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        self.epss_date = Some(parsed.date);
        for score in parsed.scores {
            self.stats.epss_scores += 1;
            let id = score.cve.clone();
            self.enrichment.entry(id).or_default().epss = Some(score);
        }
        Ok(())
    }
}

/// How an import file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An OSV record, a CVE record or the KEV catalog.
    Json,
    /// A zip of JSON documents.
    Zip,
    /// FIRST's EPSS CSV.
    Csv,
    /// The same, gzipped.
    CsvGz,
}

fn kind_of(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".csv.gz") {
        return Some(Kind::CsvGz);
    }
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Kind::Json),
        "zip" => Some(Kind::Zip),
        "csv" => Some(Kind::Csv),
        _ => None,
    }
}

/// Whether the JSON object in `bytes` has `key` at its top level.
fn has_key(bytes: &[u8], key: &str) -> bool {
    serde_json::from_slice::<HashMap<String, serde::de::IgnoredAny>>(bytes)
        .is_ok_and(|m| m.contains_key(key))
}

/// The `id` of a record that failed to parse, when it can still be found.
fn id_hint(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(bytes).ok().map(|r| r.id)
}
