//! The layer cache: per-layer walker indexes and analyzer outputs, and whole-image
//! results, each under a [`CacheKey`] (a SHA-256 of the layer's diff_id, the producer's
//! id, code version and settings digest), in one embedded redb file.
//!
//! Entries are stored as `sha256(payload) ‖ payload`, the payload in MessagePack with
//! field names (self-describing, so the report types' skipped empty fields round-trip,
//! and several times faster to decode than JSON on a warm rescan of a large image).
//! redb already checksums its pages,
//! but a payload we cannot decode or whose checksum fails (a bug, a partial write by an
//! older kensa, a hand-edited file) is treated as a miss and recomputed, never trusted.

use std::path::{Path, PathBuf};

use kensa_core::{AnalysisOutput, Analyzer, CacheKey, Digest};
use redb::{Database, ReadableDatabase, ReadableTableMetadata, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

use crate::walk::{LayerIndex, WALKER_VERSION};

/// Key bytes of a [`CacheKey`] to `sha256(payload) ‖ payload`.
const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("entries");
/// The table of kensa versions that keyed entries by strings; dropped on the next write.
const OLD_TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("layers");
const FILE_NAME: &str = "layers.redb";

/// Why the cache could not be used. A scan turns this into a note and goes on uncached.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The cache directory could not be created or read.
    #[error("cache directory `{path}`")]
    Dir {
        /// The directory.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The database file could not be opened (another kensa may hold it).
    #[error("cache database `{path}` cannot be opened: {message}")]
    Open {
        /// The file.
        path: PathBuf,
        /// redb's explanation.
        message: String,
    },
    /// A read or write failed.
    #[error("cache database `{path}`: {message}")]
    Access {
        /// The file.
        path: PathBuf,
        /// redb's explanation.
        message: String,
    },
}

/// What `kensa cache info` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheInfo {
    /// The database file.
    pub path: PathBuf,
    /// Its size on disk.
    pub bytes: u64,
    /// Stored entries (walker indexes plus analyzer outputs).
    pub entries: u64,
}

/// An open layer cache.
pub struct LayerCache {
    db: Database,
    path: PathBuf,
}

impl LayerCache {
    /// Opens (or creates) the cache in `dir`. A file that is not a readable database is
    /// deleted and recreated: the cache only ever holds what can be recomputed.
    pub fn open(dir: &Path) -> Result<LayerCache, CacheError> {
        fs_err::create_dir_all(dir).map_err(|source| CacheError::Dir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(FILE_NAME);
        let db = match Database::create(&path) {
            Ok(db) => db,
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                return Err(CacheError::Open {
                    path,
                    message: "it is in use by another kensa process".into(),
                });
            }
            Err(_) => {
                // Unreadable: throw it away and start again.
                fs_err::remove_file(&path).map_err(|source| CacheError::Dir {
                    path: dir.to_owned(),
                    source,
                })?;
                Database::create(&path).map_err(|e| CacheError::Open {
                    path: path.clone(),
                    message: e.to_string(),
                })?
            }
        };
        Ok(LayerCache { db, path })
    }

    /// The walker index of a layer, if cached and intact.
    pub fn index(&self, diff_id: &Digest) -> Option<LayerIndex> {
        self.get(&index_key(diff_id))
    }

    /// An analyzer's output for a layer, if cached and intact.
    pub fn output(&self, diff_id: &Digest, analyzer: &dyn Analyzer) -> Option<AnalysisOutput> {
        self.get(&CacheKey::analyzer_output(diff_id, analyzer))
    }

    /// Stores a layer's index and the outputs of the analyzers that ran on it.
    pub fn store<'a>(
        &self,
        diff_id: &Digest,
        index: &LayerIndex,
        outputs: impl IntoIterator<Item = (&'a dyn Analyzer, &'a AnalysisOutput)>,
    ) -> Result<(), CacheError> {
        let access = |e: &dyn std::fmt::Display| CacheError::Access {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let txn = self.db.begin_write().map_err(|e| access(&e))?;
        txn.delete_table(OLD_TABLE).map_err(|e| access(&e))?;
        {
            let mut table = txn.open_table(TABLE).map_err(|e| access(&e))?;
            let value = encode(index).map_err(|e| access(&e))?;
            table
                .insert(index_key(diff_id).as_bytes().as_slice(), value.as_slice())
                .map_err(|e| access(&e))?;
            for (analyzer, out) in outputs {
                let value = encode(out).map_err(|e| access(&e))?;
                let key = CacheKey::analyzer_output(diff_id, analyzer);
                table
                    .insert(key.as_bytes().as_slice(), value.as_slice())
                    .map_err(|e| access(&e))?;
            }
        }
        txn.commit().map_err(|e| access(&e))
    }

    /// Size and entry count.
    pub fn info(&self) -> Result<CacheInfo, CacheError> {
        let access = |e: &dyn std::fmt::Display| CacheError::Access {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let entries = match self
            .db
            .begin_read()
            .map_err(|e| access(&e))?
            .open_table(TABLE)
        {
            Ok(table) => table.len().map_err(|e| access(&e))?,
            Err(redb::TableError::TableDoesNotExist(_)) => 0,
            Err(e) => return Err(access(&e)),
        };
        let bytes = fs_err::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        Ok(CacheInfo {
            path: self.path.clone(),
            bytes,
            entries,
        })
    }

    /// Deletes the cache in `dir`; returns the bytes freed.
    pub fn clean(dir: &Path) -> Result<u64, CacheError> {
        let path = dir.join(FILE_NAME);
        match fs_err::metadata(&path) {
            Ok(meta) => {
                fs_err::remove_file(&path).map_err(|source| CacheError::Dir {
                    path: dir.to_owned(),
                    source,
                })?;
                Ok(meta.len())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
            Err(source) => Err(CacheError::Dir {
                path: dir.to_owned(),
                source,
            }),
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A whole-image result stored by the scan under its own key (which must name
    /// everything the result depends on), if cached and intact.
    pub fn image_result<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        self.get(key)
    }

    /// Stores a whole-image result under `key`.
    pub fn store_image_result<T: Serialize>(
        &self,
        key: &CacheKey,
        value: &T,
    ) -> Result<(), CacheError> {
        let access = |e: &dyn std::fmt::Display| CacheError::Access {
            path: self.path.clone(),
            message: e.to_string(),
        };
        let value = encode(value).map_err(|e| access(&e))?;
        let txn = self.db.begin_write().map_err(|e| access(&e))?;
        {
            let mut table = txn.open_table(TABLE).map_err(|e| access(&e))?;
            table
                .insert(key.as_bytes().as_slice(), value.as_slice())
                .map_err(|e| access(&e))?;
        }
        txn.commit().map_err(|e| access(&e))
    }

    fn get<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        let txn = self.db.begin_read().ok()?;
        let table = txn.open_table(TABLE).ok()?;
        let guard = table.get(key.as_bytes().as_slice()).ok()??;
        decode(guard.value())
    }
}

/// The walker's index is keyed like an analyzer's output, with the walker as producer.
/// The payload encoding (MessagePack) is part of the walker's version: changing it
/// means bumping [`WALKER_VERSION`] and every analyzer's version.
fn index_key(diff_id: &Digest) -> CacheKey {
    CacheKey::layer(diff_id, "walker", WALKER_VERSION, None)
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, rmp_serde::encode::Error> {
    let payload = rmp_serde::to_vec_named(value)?;
    let mut out = Vec::with_capacity(32 + payload.len());
    out.extend_from_slice(&Sha256::digest(&payload));
    out.extend_from_slice(&payload);
    Ok(out)
}

fn decode<T: DeserializeOwned>(stored: &[u8]) -> Option<T> {
    let (sum, payload) = stored.split_at_checked(32)?;
    if Sha256::digest(payload).as_slice() != sum {
        return None;
    }
    rmp_serde::from_slice(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Versioned(u32);

    impl Analyzer for Versioned {
        fn id(&self) -> &'static str {
            "dpkg"
        }
        fn version(&self) -> u32 {
            self.0
        }
        fn scanner(&self) -> Option<kensa_core::Scanner> {
            None
        }
        fn wants(&self) -> &'static [kensa_core::PathSpec] {
            &[]
        }
        fn analyze(
            &self,
            _: &kensa_core::FileInput<'_>,
            _: &mut AnalysisOutput,
        ) -> Result<(), kensa_core::AnalyzeError> {
            Ok(())
        }
    }

    const V3: Versioned = Versioned(3);
    const V4: Versioned = Versioned(4);

    fn digest() -> Digest {
        format!("sha256:{}", "d".repeat(64)).parse().unwrap()
    }

    #[test]
    fn stores_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LayerCache::open(dir.path()).unwrap();
        let index = LayerIndex {
            whiteouts: vec!["etc/x".into()],
            ..LayerIndex::default()
        };
        let out = AnalysisOutput::default();
        cache
            .store(&digest(), &index, [(&V3 as &dyn Analyzer, &out)])
            .unwrap();
        assert_eq!(cache.index(&digest()), Some(index));
        assert_eq!(cache.output(&digest(), &V3), Some(out));
        assert_eq!(
            cache.output(&digest(), &V4),
            None,
            "a new analyzer version misses"
        );
        assert_eq!(cache.info().unwrap().entries, 2);
    }

    #[test]
    fn tampered_payloads_are_misses() {
        let index = LayerIndex::default();
        let mut stored = encode(&index).unwrap();
        assert_eq!(decode::<LayerIndex>(&stored), Some(index));
        let last = stored.len() - 1;
        stored[last] ^= 1;
        assert_eq!(decode::<LayerIndex>(&stored), None);
        assert_eq!(decode::<LayerIndex>(&stored[..10]), None);
    }

    #[test]
    fn a_garbage_database_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs_err::write(
            dir.path().join(FILE_NAME),
            b"this is not a redb file at all",
        )
        .unwrap();
        let cache = LayerCache::open(dir.path()).unwrap();
        assert_eq!(cache.info().unwrap().entries, 0);
        assert!(LayerCache::clean(dir.path()).unwrap() > 0);
    }
}
