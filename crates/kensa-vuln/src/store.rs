//! The advisory store: one redb file, built beside the old one and renamed into place.
//!
//! Tables:
//! - `meta`: `"info"` → JSON [`DbInfo`] (read by `kensa db info` and checked on open).
//! - `packages`: `"<ecosystem>\0<normalised name>"` → postcard `Vec<StoredAffected>`, every
//!   advisory entry for that package, so that matching one package is one lookup.
//! - `advisories`: index → postcard `StoredAdvisory`, the text shared by all packages of a
//!   record (an Alpine record lists the same CVE for six releases).
//! - `cves`: CVE id → JSON [`kensa_enrich::Enrichment`]: its CVE record (CVSS per CNA and
//!   ADP, SSVC, state), KEV entry and EPSS score. JSON rather than postcard, as the core
//!   types it holds skip empty fields, which postcard cannot decode; a scan decodes only
//!   the few CVEs its findings name.
//!
//! Values are postcard on structs of this crate, which is compact and fast to decode; postcard
//! has no field names, so [`SCHEMA_VERSION`] must change whenever a stored struct does.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use redb::{ReadableDatabase, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::VulnError;
use crate::ecosystem::{family, package_key};
use crate::import::{DbBuilder, ImportIssue, ImportStats, SourceInfo};
use crate::osv::{ListedVersion, Range, Rating};

/// The schema version of the database file this build writes and reads.
pub const SCHEMA_VERSION: u32 = 4;

/// The database file's name inside the database directory.
pub const DB_FILE: &str = "advisories.redb";

pub(crate) const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
pub(crate) const PACKAGES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("packages");
pub(crate) const ADVISORIES: TableDefinition<'_, u32, &[u8]> = TableDefinition::new("advisories");
pub(crate) const CVES: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("cves");
const INFO_KEY: &str = "info";

/// What a database holds and where it came from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbInfo {
    /// The schema version of the file.
    pub schema_version: u32,
    /// When it was built, in seconds since the Unix epoch.
    pub built_at: u64,
    /// What was imported.
    pub sources: Vec<SourceInfo>,
    /// Records imported per ecosystem family (`Debian`, `PyPI`); a record that affects several
    /// releases of one distribution counts once.
    pub records: BTreeMap<String, u64>,
    /// Affected-package entries per full ecosystem key (`Debian:11`, `PyPI`).
    pub packages: BTreeMap<String, u64>,
    /// What the import read, kept and left out.
    pub stats: ImportStats,
    /// `catalogVersion` of the KEV catalog imported, if any.
    #[serde(default)]
    pub kev_catalog: Option<String>,
    /// The day of the EPSS scores imported, if any.
    #[serde(default)]
    pub epss_date: Option<String>,
}

impl DbInfo {
    /// The age of the database in whole days at `now` (seconds since the epoch).
    pub fn age_days(&self, now: u64) -> u64 {
        now.saturating_sub(self.built_at) / 86_400
    }

    /// The build time as `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn built_at_rfc3339(&self) -> String {
        let secs = self.built_at;
        let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX);
        let (y, m, d) = crate::date::civil_from_days(days);
        let rem = secs % 86_400;
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            rem / 60 % 60,
            rem % 60
        )
    }
}

/// An advisory's shared text, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredAdvisory {
    pub(crate) id: String,
    /// The alias group: records that name each other share it and are reported as one.
    pub(crate) group: u32,
    pub(crate) aliases: Vec<String>,
    pub(crate) related: Vec<String>,
    pub(crate) upstream: Vec<String>,
    pub(crate) title: String,
    pub(crate) rating: Rating,
    pub(crate) references: Vec<String>,
}

/// One advisory's statement about one package, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredAffected {
    pub(crate) advisory: u32,
    pub(crate) ranges: Vec<Range>,
    pub(crate) versions: Vec<ListedVersion>,
    pub(crate) rating: Option<Rating>,
}

/// The result of [`DbBuilder::build`].
#[derive(Debug)]
pub struct BuildSummary {
    /// The database file written.
    pub path: PathBuf,
    /// What it holds.
    pub info: DbInfo,
    /// What could not be imported, each naming the source, record and field.
    pub issues: Vec<ImportIssue>,
}

impl DbBuilder {
    /// Writes the database into `dir` (created if missing): built in a temporary file in the
    /// same directory and renamed over [`DB_FILE`], so that a reader never sees a half-built
    /// file and an interrupted build leaves the previous database in place.
    pub fn build(self, dir: &Path) -> Result<BuildSummary, VulnError> {
        self.build_at(dir, now_secs())
    }

    pub(crate) fn build_at(self, dir: &Path, built_at: u64) -> Result<BuildSummary, VulnError> {
        fs_err::create_dir_all(dir).map_err(|e| VulnError::io("create", dir, e))?;
        let path = dir.join(DB_FILE);
        let tmp = tempfile::Builder::new()
            .prefix(".advisories-")
            .suffix(".redb.tmp")
            .tempfile_in(dir)
            .map_err(|e| VulnError::io("create a temporary file in", dir, e))?;
        let tmp_path = tmp.path().to_path_buf();
        let groups = alias_groups(&self);
        let mut records: BTreeMap<String, u64> = BTreeMap::new();
        let mut package_counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_key: BTreeMap<String, Vec<StoredAffected>> = BTreeMap::new();
        let mut stored_advisories = Vec::with_capacity(self.advisories.len());
        for (index, a) in self.advisories.into_iter().enumerate() {
            let index = u32::try_from(index).map_err(|_| {
                VulnError::store(&tmp_path, "too many advisories", "more than 2^32 records")
            })?;
            let families: BTreeSet<&str> =
                a.affected.iter().map(|x| family(&x.ecosystem)).collect();
            for f in families {
                *records.entry(f.to_owned()).or_default() += 1;
            }
            for x in a.affected {
                *package_counts.entry(x.ecosystem.clone()).or_default() += 1;
                by_key
                    .entry(package_key(&x.ecosystem, &x.name))
                    .or_default()
                    .push(StoredAffected {
                        advisory: index,
                        ranges: x.ranges,
                        versions: x.versions,
                        rating: x.rating,
                    });
            }
            stored_advisories.push(StoredAdvisory {
                group: groups.get(index as usize).copied().unwrap_or(index),
                id: a.id,
                aliases: a.aliases,
                related: a.related,
                upstream: a.upstream,
                title: a.title,
                rating: a.rating,
                references: a.references,
            });
        }
        let info = DbInfo {
            schema_version: SCHEMA_VERSION,
            built_at,
            sources: self.sources,
            records,
            packages: package_counts,
            stats: self.stats,
            kev_catalog: self.kev_catalog,
            epss_date: self.epss_date,
        };
        {
            let p = &tmp_path;
            let err = |what| move |e: redb::Error| VulnError::store(p, what, e);
            let db = redb::Database::create(&tmp_path).map_err(|e| err("create")(e.into()))?;
            let txn = db.begin_write().map_err(|e| err("write")(e.into()))?;
            {
                let mut meta = txn.open_table(META).map_err(|e| err("write")(e.into()))?;
                let json = serde_json::to_vec(&info)
                    .map_err(|e| VulnError::store(&tmp_path, "encode metadata", e))?;
                meta.insert(INFO_KEY, json.as_slice())
                    .map_err(|e| err("write")(e.into()))?;
                let mut adv = txn
                    .open_table(ADVISORIES)
                    .map_err(|e| err("write")(e.into()))?;
                for (i, a) in stored_advisories.iter().enumerate() {
                    let bytes = postcard::to_stdvec(a)
                        .map_err(|e| VulnError::store(&tmp_path, "encode advisory", e))?;
                    let i = u32::try_from(i).unwrap_or(u32::MAX);
                    adv.insert(i, bytes.as_slice())
                        .map_err(|e| err("write")(e.into()))?;
                }
                let mut cves = txn.open_table(CVES).map_err(|e| err("write")(e.into()))?;
                for (id, e) in &self.enrichment {
                    let bytes = serde_json::to_vec(e)
                        .map_err(|e| VulnError::store(&tmp_path, "encode CVE entry", e))?;
                    cves.insert(id.as_str(), bytes.as_slice())
                        .map_err(|e| err("write")(e.into()))?;
                }
                let mut pkgs = txn
                    .open_table(PACKAGES)
                    .map_err(|e| err("write")(e.into()))?;
                for (key, entries) in &by_key {
                    let bytes = postcard::to_stdvec(entries)
                        .map_err(|e| VulnError::store(&tmp_path, "encode package entry", e))?;
                    pkgs.insert(key.as_str(), bytes.as_slice())
                        .map_err(|e| err("write")(e.into()))?;
                }
            }
            txn.commit().map_err(|e| err("commit")(e.into()))?;
        }
        tmp.persist(&path)
            .map_err(|e| VulnError::io("rename into", &path, e.error))?;
        Ok(BuildSummary {
            path,
            info,
            issues: self.issues,
        })
    }
}

/// Union-find over record ids and aliases: records that share any id form one group, named
/// by the smallest record index in it.
fn alias_groups(b: &DbBuilder) -> Vec<u32> {
    let mut parent: Vec<usize> = (0..b.advisories.len()).collect();
    fn find(parent: &mut [usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            let gp = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = gp;
            }
            x = p;
        }
        x
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, a) in b.advisories.iter().enumerate() {
        for id in std::iter::once(&a.id).chain(&a.aliases) {
            match owner.get(id.as_str()) {
                Some(&j) => {
                    let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                    let (lo, hi) = (ri.min(rj), ri.max(rj));
                    if let Some(slot) = parent.get_mut(hi) {
                        *slot = lo;
                    }
                }
                None => {
                    owner.insert(id, i);
                }
            }
        }
    }
    (0..parent.len())
        .map(|i| u32::try_from(find(&mut parent, i)).unwrap_or(u32::MAX))
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// An open, read-only advisory database.
pub struct VulnDb {
    pub(crate) path: PathBuf,
    pub(crate) db: redb::ReadOnlyDatabase,
    pub(crate) info: DbInfo,
    /// Every ecosystem key with at least one package entry.
    pub(crate) keys: Vec<String>,
}

impl std::fmt::Debug for VulnDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulnDb")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl VulnDb {
    /// Opens the database in `dir` read-only; several scans may hold it open at once.
    pub fn open(dir: &Path) -> Result<VulnDb, VulnError> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(VulnError::NoDatabase {
                dir: dir.to_path_buf(),
            });
        }
        let db =
            redb::ReadOnlyDatabase::open(&path).map_err(|e| VulnError::store(&path, "open", e))?;
        let info = {
            let txn = db
                .begin_read()
                .map_err(|e| VulnError::store(&path, "read", e))?;
            let meta = txn
                .open_table(META)
                .map_err(|e| VulnError::store(&path, "read metadata", e))?;
            let raw = meta
                .get(INFO_KEY)
                .map_err(|e| VulnError::store(&path, "read metadata", e))?
                .ok_or_else(|| VulnError::Corrupt {
                    path: path.clone(),
                    key: INFO_KEY.to_owned(),
                    source: "missing".into(),
                })?;
            // Read the version alone first, so that a future layout gets the schema message
            // rather than a decoding error.
            #[derive(Deserialize)]
            struct Version {
                schema_version: u32,
            }
            let v: Version =
                serde_json::from_slice(raw.value()).map_err(|e| VulnError::Corrupt {
                    path: path.clone(),
                    key: INFO_KEY.to_owned(),
                    source: e.into(),
                })?;
            if v.schema_version != SCHEMA_VERSION {
                return Err(VulnError::SchemaMismatch {
                    path,
                    found: v.schema_version,
                    expected: SCHEMA_VERSION,
                });
            }
            serde_json::from_slice::<DbInfo>(raw.value()).map_err(|e| VulnError::Corrupt {
                path: path.clone(),
                key: INFO_KEY.to_owned(),
                source: e.into(),
            })?
        };
        let keys = info.packages.keys().cloned().collect();
        Ok(VulnDb {
            path,
            db,
            info,
            keys,
        })
    }

    /// What the database holds.
    pub fn info(&self) -> &DbInfo {
        &self.info
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ecosystem keys that have advisories (`Debian:11`, `PyPI`, …).
    pub fn ecosystems(&self) -> &[String] {
        &self.keys
    }
}
