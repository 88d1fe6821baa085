//! The layer cache: per-layer walker indexes and analyzer outputs, and whole-image
//! results, each under a [`CacheKey`] (a SHA-256 of the layer's diff_id, the producer's
//! id, code version and settings digest).
//!
//! Where entries live is a [`LayerStore`]: a small trait of get/put/contains by key
//! (plus an optional per-layer claim), so a shared store for a server is one more file.
//! [`RedbStore`] keeps them in one embedded redb file that any number of kensa processes
//! use at the same time.
//!
//! Entries are stored as `sha256(payload) ‖ payload`, the payload in MessagePack with
//! field names (self-describing, so the report types' skipped empty fields round-trip,
//! and several times faster to decode than JSON on a warm rescan of a large image). A
//! store may checksum its pages too, but a payload we cannot decode or whose checksum
//! fails (a bug, a partial write by an older kensa, a hand-edited file, a store shared
//! with something else) is treated as a miss and recomputed, never trusted.

mod redb_store;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kensa_core::{AnalysisOutput, Analyzer, CacheKey, Digest};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest as _, Sha256};

pub use redb_store::RedbStore;

use crate::walk::{LayerIndex, WALKER_VERSION};

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
    /// The database file could not be opened.
    #[error("cache database `{path}` cannot be opened: {message}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A read or write failed.
    #[error("cache database `{path}`: {message}")]
    Access {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// An entry could not be encoded; a kensa bug.
    #[error("cache entry cannot be encoded: {message}")]
    Encode {
        /// The encoder's explanation.
        message: String,
    },
    /// A layer claim could not be taken or checked.
    #[error("cache claim `{path}`")]
    Claim {
        /// The claim's lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// What `kensa cache info` shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheInfo {
    /// Where the entries are (the database file).
    pub path: PathBuf,
    /// Its size.
    pub bytes: u64,
    /// Stored entries (walker indexes, analyzer outputs, image results).
    pub entries: u64,
}

/// A held claim on a layer: while it lives, no other process that asks for the same
/// claim gets it. Dropping it releases it.
pub struct Claim {
    _held: Box<dyn Send>,
}

impl Claim {
    /// A claim held by `guard` (a locked file, a lease), released when it is dropped.
    pub fn new(guard: impl Send + 'static) -> Claim {
        Claim {
            _held: Box::new(guard),
        }
    }
}

/// Where cache entries live: opaque, already framed payloads by key. [`LayerCache`]
/// frames and verifies them, so a store only has to keep bytes.
pub trait LayerStore: Send + Sync {
    /// The payloads stored under `keys`, in order (`None` where absent), read together
    /// (one transaction where the store has them).
    fn get(&self, keys: &[CacheKey]) -> Result<Vec<Option<Vec<u8>>>, CacheError>;
    /// Whether an entry is stored under `key`.
    fn contains(&self, key: &CacheKey) -> Result<bool, CacheError>;
    /// Stores every entry, all or none.
    fn put(&self, entries: &[(CacheKey, Vec<u8>)]) -> Result<(), CacheError>;
    /// Size and entry count.
    fn info(&self) -> Result<CacheInfo, CacheError>;
    /// Claims the work of computing `key`'s entries, without waiting: `Ok(None)` while
    /// another process holds the claim. Stores shared by processes that cannot see each
    /// other's claims grant every claim, which only costs duplicate work.
    fn try_claim(&self, key: &CacheKey) -> Result<Option<Claim>, CacheError> {
        let _ = key;
        Ok(Some(Claim::new(())))
    }
}

/// A layer's walker index and each analyzer's output, by analyzer id.
pub type CachedLayer = (LayerIndex, BTreeMap<&'static str, AnalysisOutput>);

/// The layer cache over a [`LayerStore`].
pub struct LayerCache {
    store: Box<dyn LayerStore>,
}

impl LayerCache {
    /// Opens (or creates) the local cache in `dir` (a [`RedbStore`]).
    pub fn open(dir: &Path) -> Result<LayerCache, CacheError> {
        Ok(LayerCache::with_store(Box::new(RedbStore::open(dir)?)))
    }

    /// The cache over another store.
    pub fn with_store(store: Box<dyn LayerStore>) -> LayerCache {
        LayerCache { store }
    }

    /// The walker index of a layer, if cached and intact.
    pub fn index(&self, diff_id: &Digest) -> Option<LayerIndex> {
        self.get_one(&index_key(diff_id))
    }

    /// An analyzer's output for a layer, if cached and intact.
    pub fn output(&self, diff_id: &Digest, analyzer: &dyn Analyzer) -> Option<AnalysisOutput> {
        self.get_one(&CacheKey::analyzer_output(diff_id, analyzer))
    }

    /// A layer's index and the outputs of all `analyzers`, read together; `None` unless
    /// every one of them is cached and intact.
    pub fn layer(&self, diff_id: &Digest, analyzers: &[&dyn Analyzer]) -> Option<CachedLayer> {
        let mut keys = Vec::with_capacity(1 + analyzers.len());
        keys.push(index_key(diff_id));
        keys.extend(
            analyzers
                .iter()
                .map(|a| CacheKey::analyzer_output(diff_id, *a)),
        );
        let mut found = self.store.get(&keys).ok()?.into_iter();
        let index = decode(&found.next()??)?;
        let mut outputs = BTreeMap::new();
        for (analyzer, stored) in analyzers.iter().zip(found) {
            outputs.insert(analyzer.id(), decode(&stored?)?);
        }
        Some((index, outputs))
    }

    /// Whether the layer's index is cached (its outputs may not all be).
    pub fn contains_layer(&self, diff_id: &Digest) -> bool {
        self.store.contains(&index_key(diff_id)).unwrap_or(false)
    }

    /// Stores a layer's index and the outputs of the analyzers that ran on it.
    pub fn store<'a>(
        &self,
        diff_id: &Digest,
        index: &LayerIndex,
        outputs: impl IntoIterator<Item = (&'a dyn Analyzer, &'a AnalysisOutput)>,
    ) -> Result<(), CacheError> {
        let mut entries = vec![(index_key(diff_id), self.encode(index)?)];
        for (analyzer, out) in outputs {
            entries.push((
                CacheKey::analyzer_output(diff_id, analyzer),
                self.encode(out)?,
            ));
        }
        self.store.put(&entries)
    }

    /// A whole-image result stored by the scan under its own key (which must name
    /// everything the result depends on), if cached and intact.
    pub fn image_result<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        self.get_one(key)
    }

    /// Stores a whole-image result under `key`.
    pub fn store_image_result<T: Serialize>(
        &self,
        key: &CacheKey,
        value: &T,
    ) -> Result<(), CacheError> {
        self.store.put(&[(*key, self.encode(value)?)])
    }

    /// Claims the walk of layer `diff_id`: `Ok(None)` while another process walks it.
    pub fn try_claim_layer(&self, diff_id: &Digest) -> Result<Option<Claim>, CacheError> {
        self.store.try_claim(&index_key(diff_id))
    }

    /// Size and entry count.
    pub fn info(&self) -> Result<CacheInfo, CacheError> {
        self.store.info()
    }

    /// Deletes the local cache in `dir`; returns the bytes freed.
    pub fn clean(dir: &Path) -> Result<u64, CacheError> {
        RedbStore::clean(dir)
    }

    fn get_one<T: DeserializeOwned>(&self, key: &CacheKey) -> Option<T> {
        let stored = self.store.get(std::slice::from_ref(key)).ok()?;
        decode(stored.into_iter().next()??.as_slice())
    }

    fn encode<T: Serialize>(&self, value: &T) -> Result<Vec<u8>, CacheError> {
        encode(value).map_err(|e| CacheError::Encode {
            message: e.to_string(),
        })
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
    use std::sync::Mutex;

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

    /// A second store, in memory: what the seam asks of one.
    #[derive(Default)]
    struct MemoryStore(Mutex<BTreeMap<CacheKey, Vec<u8>>>);

    impl LayerStore for MemoryStore {
        fn get(&self, keys: &[CacheKey]) -> Result<Vec<Option<Vec<u8>>>, CacheError> {
            let map = self.0.lock().unwrap();
            Ok(keys.iter().map(|k| map.get(k).cloned()).collect())
        }
        fn contains(&self, key: &CacheKey) -> Result<bool, CacheError> {
            Ok(self.0.lock().unwrap().contains_key(key))
        }
        fn put(&self, entries: &[(CacheKey, Vec<u8>)]) -> Result<(), CacheError> {
            self.0.lock().unwrap().extend(entries.iter().cloned());
            Ok(())
        }
        fn info(&self) -> Result<CacheInfo, CacheError> {
            Ok(CacheInfo {
                path: PathBuf::from("memory"),
                bytes: 0,
                entries: self.0.lock().unwrap().len() as u64,
            })
        }
    }

    fn round_trip(cache: &LayerCache) {
        let index = LayerIndex {
            whiteouts: vec!["etc/x".into()],
            ..LayerIndex::default()
        };
        let out = AnalysisOutput::default();
        cache
            .store(&digest(), &index, [(&V3 as &dyn Analyzer, &out)])
            .unwrap();
        assert_eq!(cache.index(&digest()), Some(index.clone()));
        assert_eq!(cache.output(&digest(), &V3), Some(out.clone()));
        assert_eq!(
            cache.output(&digest(), &V4),
            None,
            "a new analyzer version misses"
        );
        assert_eq!(
            cache.layer(&digest(), &[&V3]),
            Some((index, BTreeMap::from([("dpkg", out)])))
        );
        assert_eq!(cache.layer(&digest(), &[&V3, &V4]), None);
        assert!(cache.contains_layer(&digest()));
        assert_eq!(cache.info().unwrap().entries, 2);
    }

    #[test]
    fn stores_and_reads_back_in_every_store() {
        let dir = tempfile::tempdir().unwrap();
        round_trip(&LayerCache::open(dir.path()).unwrap());
        round_trip(&LayerCache::with_store(Box::<MemoryStore>::default()));
    }

    #[test]
    fn corrupt_entries_are_misses() {
        let store = MemoryStore::default();
        let cache = LayerCache::with_store(Box::new(MemoryStore::default()));
        cache.store(&digest(), &LayerIndex::default(), []).unwrap();
        let stored = cache.store.get(&[index_key(&digest())]).unwrap();
        let mut bytes = stored.into_iter().next().unwrap().unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        store.put(&[(index_key(&digest()), bytes)]).unwrap();
        let tampered = LayerCache::with_store(Box::new(store));
        assert_eq!(tampered.index(&digest()), None);
        assert_eq!(tampered.layer(&digest(), &[]), None);
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
}
