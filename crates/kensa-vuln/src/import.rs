//! Reading OSV records from JSON files, directories and osv.dev's `all.zip` archives.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::VulnError;
use crate::osv::{Advisory, Skip, parse_record};

/// The largest single OSV JSON document read; real records are a few kilobytes.
const MAX_RECORD_BYTES: u64 = 16 << 20;

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
        let before = self.stats.imported;
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
            records: self.stats.imported.saturating_sub(before),
        });
        Ok(())
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

    /// Imports every `.json` entry of a zip archive.
    pub fn add_zip(&mut self, path: &Path) -> Result<(), VulnError> {
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
            if !entry.is_file() || !name.ends_with(".json") {
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

    /// Imports one OSV JSON document; problems are counted and recorded, never fatal.
    pub fn add_json(&mut self, source: &str, bytes: &[u8]) {
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

#[derive(Clone, Copy)]
enum Kind {
    Json,
    Zip,
}

fn kind_of(path: &Path) -> Option<Kind> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "json" => Some(Kind::Json),
        "zip" => Some(Kind::Zip),
        _ => None,
    }
}

/// The `id` of a record that failed to parse, when it can still be found.
fn id_hint(bytes: &[u8]) -> Option<String> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: String,
    }
    serde_json::from_slice::<IdOnly>(bytes).ok().map(|r| r.id)
}
