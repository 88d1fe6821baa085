//! Small verified documents kept on disk by digest: image configs and the manifests an
//! index names. Content-addressed, so they never go stale, and checked against their
//! digest again when read, so a damaged or planted file is a miss, never trusted. With
//! them a rescan of an unchanged image asks the registry for the tag's manifest only.
//!
//! Beside them, the digest each tag named when it was last scanned, so that a tag that
//! moved since is noticed.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use kensa_core::Digest;
use sha2::{Digest as _, Sha256};

use crate::Reference;

/// Documents by digest under one directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Documents {
    dir: PathBuf,
}

impl Documents {
    pub(crate) fn new(dir: &Path) -> Documents {
        Documents {
            dir: dir.to_owned(),
        }
    }

    fn path(&self, digest: &Digest) -> Option<PathBuf> {
        // Only what can be verified here is kept.
        (digest.algorithm() == "sha256").then(|| {
            self.dir
                .join("blobs")
                .join(digest.algorithm())
                .join(digest.hex())
        })
    }

    /// The document named `digest`, if kept, intact and at most `max_size` bytes.
    pub(crate) fn get(&self, digest: &Digest, max_size: u64) -> Option<Vec<u8>> {
        let path = self.path(digest)?;
        let file = fs_err::File::open(&path).ok()?;
        let mut bytes = Vec::new();
        file.take(max_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .ok()?;
        let hash: [u8; 32] = Sha256::digest(&bytes).into();
        if bytes.len() as u64 > max_size || &Digest::sha256_from_bytes(&hash) != digest {
            let _ = fs_err::remove_file(&path);
            return None;
        }
        Some(bytes)
    }

    /// Keeps `bytes`, already verified to be `digest`. A cache: failing to write only
    /// costs a request next time.
    pub(crate) fn put(&self, digest: &Digest, bytes: &[u8]) {
        let Some(path) = self.path(digest) else {
            return;
        };
        if path.is_file() {
            return;
        }
        let _ = write_atomically(&path, bytes);
    }
}

/// Writes through a temporary file in the same directory and renames it into place, so
/// a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs_err::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Records that `reference` (a tag) named `digest` at this scan, under `dir`, and returns
/// the digest it named at the previous scan when that was another one.
pub fn record_tag(dir: &Path, reference: &Reference, digest: &Digest) -> Option<Digest> {
    let tag = reference.tag()?;
    let name = format!("{}:{tag}", reference.name());
    let hash: [u8; 32] = Sha256::digest(name.as_bytes()).into();
    let key = Digest::sha256_from_bytes(&hash);
    let path = dir.join("tags").join(key.hex());
    let previous = fs_err::read_to_string(&path)
        .ok()
        .and_then(|s| s.trim().parse::<Digest>().ok());
    if previous.as_ref() != Some(digest) {
        let _ = write_atomically(&path, digest.to_string().as_bytes());
    }
    previous.filter(|p| p != digest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tampered_document_is_a_miss_and_a_moved_tag_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let docs = Documents::new(dir.path());
        let bytes = br#"{"rootfs":{}}"#;
        let hash: [u8; 32] = Sha256::digest(bytes).into();
        let digest = Digest::sha256_from_bytes(&hash);
        assert_eq!(docs.get(&digest, 100), None);
        docs.put(&digest, bytes);
        assert_eq!(docs.get(&digest, 100).as_deref(), Some(&bytes[..]));
        assert_eq!(docs.get(&digest, 4), None, "over the limit");
        let path = docs.path(&digest).unwrap();
        fs_err::write(&path, b"planted").unwrap();
        assert_eq!(docs.get(&digest, 100), None);
        assert!(!path.exists(), "a bad file is removed");

        let r = Reference::parse("registry.example/app:1").unwrap();
        let other = Digest::sha256_from_bytes(&[7; 32]);
        assert_eq!(record_tag(dir.path(), &r, &digest), None);
        assert_eq!(record_tag(dir.path(), &r, &digest), None);
        assert_eq!(record_tag(dir.path(), &r, &other), Some(digest));
        assert_eq!(record_tag(dir.path(), &r, &other), None);
    }
}
