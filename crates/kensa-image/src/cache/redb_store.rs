//! The local layer store: one redb file that every kensa process on the machine opens at
//! the same time (redb's multi-writer mode: each write transaction takes the file's
//! writer lock for as long as it lasts, readers never wait), plus per-layer claim files
//! so that two processes do not walk the same layer at once.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kensa_core::CacheKey;
use redb::{
    ConcurrencyMode, Database, DatabaseError, ReadableDatabase, ReadableTableMetadata,
    TableDefinition, TableError,
};

use super::{CacheError, CacheInfo, Claim, LayerStore};

/// Key bytes of a [`CacheKey`] to `sha256(payload) ‖ payload`.
const TABLE: TableDefinition<&[u8], &[u8]> = TableDefinition::new("entries");
/// The table of kensa versions that keyed entries by strings; dropped on the next write.
const OLD_TABLE: TableDefinition<&str, &[u8]> = TableDefinition::new("layers");
const FILE_NAME: &str = "layers.redb";
/// Held while a process opens the database.
const OPEN_LOCK: &str = "layers.redb.lock";
/// Where the claim files live, one empty file per layer ever claimed.
const CLAIMS_DIR: &str = "claims";

/// How long an open waits for a process holding the file in a mode this one cannot
/// share (a kensa from before the multi-writer cache holds it for its whole scan).
const OPEN_TIMEOUT: Duration = Duration::from_secs(30);

/// The layer store in one redb file in a directory.
pub struct RedbStore {
    db: Database,
    path: PathBuf,
    claims: PathBuf,
}

impl RedbStore {
    /// Opens (or creates) the store in `dir`. A file that is not a readable database is
    /// deleted and recreated: the cache only ever holds what can be recomputed. A file
    /// another process holds exclusively is waited for, up to [`OPEN_TIMEOUT`].
    pub fn open(dir: &Path) -> Result<RedbStore, CacheError> {
        let dir_error = |source| CacheError::Dir {
            path: dir.to_owned(),
            source,
        };
        fs_err::create_dir_all(dir).map_err(dir_error)?;
        let path = dir.join(FILE_NAME);
        let deadline = Instant::now() + OPEN_TIMEOUT;
        // Opening is serialised by a lock file beside the database (held only while
        // opening), so that no process sees a file another is still creating, and
        // a file found unreadable is replaced by one process, not raced over.
        let open_lock = dir.join(OPEN_LOCK);
        let lock_error = |source| CacheError::Claim {
            path: open_lock.clone(),
            source,
        };
        let guard = fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&open_lock)
            .map_err(lock_error)?;
        let mut pause = Duration::from_millis(2);
        loop {
            match guard.try_lock() {
                Ok(()) => break,
                Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    return Err(CacheError::Open {
                        path,
                        message: format!(
                            "another process has been opening it for {}s",
                            OPEN_TIMEOUT.as_secs()
                        ),
                    });
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(e)),
            }
        }
        let mut pause = Duration::from_millis(2);
        let mut replaced = false;
        loop {
            let error = match Database::builder()
                .set_concurrency_mode(ConcurrencyMode::MultiWriter)
                .create(&path)
            {
                Ok(db) => {
                    return Ok(RedbStore {
                        db,
                        path,
                        claims: dir.join(CLAIMS_DIR),
                    });
                }
                Err(e) => e,
            };
            match error {
                DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch
                    if Instant::now() < deadline =>
                {
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(Duration::from_millis(100));
                }
                e @ (DatabaseError::DatabaseAlreadyOpen | DatabaseError::LockProtocolMismatch) => {
                    return Err(CacheError::Open {
                        path,
                        message: format!(
                            "{e}: another process has held it exclusively for {}s",
                            OPEN_TIMEOUT.as_secs()
                        ),
                    });
                }
                _ if !replaced => {
                    // Unreadable: throw it away and start again, once.
                    replaced = true;
                    match fs_err::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => return Err(dir_error(e)),
                    }
                }
                e => {
                    return Err(CacheError::Open {
                        path,
                        message: e.to_string(),
                    });
                }
            }
        }
    }

    /// Deletes the store in `dir` (database and claim files); returns the bytes freed.
    pub fn clean(dir: &Path) -> Result<u64, CacheError> {
        let dir_error = |source| CacheError::Dir {
            path: dir.to_owned(),
            source,
        };
        let path = dir.join(FILE_NAME);
        let freed = match fs_err::metadata(&path) {
            Ok(meta) => {
                fs_err::remove_file(&path).map_err(dir_error)?;
                meta.len()
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(dir_error(e)),
        };
        match fs_err::remove_file(dir.join(OPEN_LOCK)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(dir_error(e)),
        }
        match fs_err::remove_dir_all(dir.join(CLAIMS_DIR)) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(dir_error(e)),
        }
        Ok(freed)
    }

    fn access(&self, e: impl std::fmt::Display) -> CacheError {
        CacheError::Access {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }
}

impl LayerStore for RedbStore {
    fn get(&self, keys: &[CacheKey]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
        let txn = self.db.begin_read().map_err(|e| self.access(e))?;
        let table = match txn.open_table(TABLE) {
            Ok(table) => table,
            Err(TableError::TableDoesNotExist(_)) => return Ok(vec![None; keys.len()]),
            Err(e) => return Err(self.access(e)),
        };
        keys.iter()
            .map(|key| {
                let found = table
                    .get(key.as_bytes().as_slice())
                    .map_err(|e| self.access(e))?;
                Ok(found.map(|guard| guard.value().to_vec()))
            })
            .collect()
    }

    fn contains(&self, key: &CacheKey) -> Result<bool, CacheError> {
        let txn = self.db.begin_read().map_err(|e| self.access(e))?;
        match txn.open_table(TABLE) {
            Ok(table) => Ok(table
                .get(key.as_bytes().as_slice())
                .map_err(|e| self.access(e))?
                .is_some()),
            Err(TableError::TableDoesNotExist(_)) => Ok(false),
            Err(e) => Err(self.access(e)),
        }
    }

    fn put(&self, entries: &[(CacheKey, Vec<u8>)]) -> Result<(), CacheError> {
        // Waits while another process is in a write transaction; those are short (one
        // layer's entries), never a whole scan.
        let txn = self.db.begin_write().map_err(|e| self.access(e))?;
        txn.delete_table(OLD_TABLE).map_err(|e| self.access(e))?;
        {
            let mut table = txn.open_table(TABLE).map_err(|e| self.access(e))?;
            for (key, value) in entries {
                table
                    .insert(key.as_bytes().as_slice(), value.as_slice())
                    .map_err(|e| self.access(e))?;
            }
        }
        txn.commit().map_err(|e| self.access(e))
    }

    fn info(&self) -> Result<CacheInfo, CacheError> {
        let txn = self.db.begin_read().map_err(|e| self.access(e))?;
        let entries = match txn.open_table(TABLE) {
            Ok(table) => table.len().map_err(|e| self.access(e))?,
            Err(TableError::TableDoesNotExist(_)) => 0,
            Err(e) => return Err(self.access(e)),
        };
        let bytes = fs_err::metadata(&self.path).map(|m| m.len()).unwrap_or(0);
        Ok(CacheInfo {
            path: self.path.clone(),
            bytes,
            entries,
        })
    }

    /// An exclusive lock on `claims/<key>.lock`. The files are never deleted while the
    /// store is in use: deleting a lock file that another process has open would let a
    /// third lock a new file of the same name at the same time.
    fn try_claim(&self, key: &CacheKey) -> Result<Option<Claim>, CacheError> {
        let path = self.claims.join(format!("{key}.lock"));
        let claim_error = |source| CacheError::Claim {
            path: path.clone(),
            source,
        };
        fs_err::create_dir_all(&self.claims).map_err(claim_error)?;
        let file = fs_err::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(claim_error)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Claim::new(file))),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(claim_error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cache::LayerCache;
    use crate::walk::LayerIndex;

    fn digest() -> kensa_core::Digest {
        format!("sha256:{}", "d".repeat(64)).parse().unwrap()
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
        drop(cache);
        assert!(LayerCache::clean(dir.path()).unwrap() > 0);
    }

    #[test]
    fn two_handles_share_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = LayerCache::open(dir.path()).unwrap();
        let b = LayerCache::open(dir.path()).expect("no exclusive lock on the database");
        a.store(&digest(), &LayerIndex::default(), []).unwrap();
        assert_eq!(b.index(&digest()), Some(LayerIndex::default()));
        b.store(&digest(), &LayerIndex::default(), []).unwrap();
        assert_eq!(a.info().unwrap().entries, 1);
    }

    #[test]
    fn a_claim_is_held_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let a = LayerCache::open(dir.path()).unwrap();
        let b = LayerCache::open(dir.path()).unwrap();
        let claim = a.try_claim_layer(&digest()).unwrap().expect("free");
        assert!(b.try_claim_layer(&digest()).unwrap().is_none(), "held");
        drop(claim);
        assert!(b.try_claim_layer(&digest()).unwrap().is_some(), "released");
        drop((a, b));
        LayerCache::clean(dir.path()).unwrap();
        assert!(!dir.path().join(CLAIMS_DIR).exists());
    }
}
