//! A reader of rpm's own `ndb` package store, `Packages.db` (openSUSE and SLES 15): a
//! 32-byte header, slot pages that map package indexes to 16-byte blocks, and blobs
//! framed by `BlbS` and `BlbE` markers. Everything is little-endian.

use thiserror::Error;

/// Why an ndb file, or one blob in it, could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum NdbError {
    /// The file header is wrong.
    #[error("not an rpm ndb database: {0}")]
    Header(String),
    /// A slot is damaged; the slots after it cannot be trusted.
    #[error("ndb slot `{slot}` has a bad magic number")]
    BadSlot {
        /// The slot number.
        slot: usize,
    },
    /// A blob a slot points at is missing or damaged.
    #[error("ndb package `{pkg}`: {what}")]
    BadBlob {
        /// The package index.
        pkg: u32,
        /// What is wrong.
        what: String,
    },
}

const HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const PAGE: usize = 4096;
const HEADER_SIZE: usize = 32;
const SLOT_SIZE: usize = 16;
const BLOCK: usize = 16;
const BLOB_HEAD: usize = 16;
const BLOB_TAIL: usize = 12;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
    Some(u32::from_le_bytes(s))
}

/// Every package blob in the store, with the errors of those that could not be read.
pub fn blobs(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<NdbError>), NdbError> {
    let header = |what: String| NdbError::Header(what);
    let magic = le32(bytes, 0).ok_or_else(|| header("file is shorter than its header".into()))?;
    if magic != HEADER_MAGIC {
        return Err(header(format!("magic `{magic:#010x}`")));
    }
    let version = le32(bytes, 4).unwrap_or(u32::MAX);
    if version != 0 {
        return Err(header(format!("unsupported version `{version}`")));
    }
    let slot_pages = le32(bytes, 12).unwrap_or(0) as usize;
    let slots_end = slot_pages
        .checked_mul(PAGE)
        .filter(|end| *end <= bytes.len() && *end >= HEADER_SIZE)
        .ok_or_else(|| header(format!("`{slot_pages}` slot pages do not fit the file")))?;

    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (slot, at) in (HEADER_SIZE..slots_end).step_by(SLOT_SIZE).enumerate() {
        let (Some(magic), Some(pkg), Some(block), Some(blocks)) = (
            le32(bytes, at),
            le32(bytes, at + 4),
            le32(bytes, at + 8),
            le32(bytes, at + 12),
        ) else {
            break;
        };
        if magic != SLOT_MAGIC {
            errors.push(NdbError::BadSlot { slot });
            break;
        }
        if pkg == 0 {
            continue;
        }
        match blob(bytes, pkg, block as usize, blocks as usize) {
            Ok(b) => out.push(b.to_vec()),
            Err(what) => errors.push(NdbError::BadBlob { pkg, what }),
        }
    }
    Ok((out, errors))
}

fn blob(bytes: &[u8], pkg: u32, block: usize, blocks: usize) -> Result<&[u8], String> {
    let start = block
        .checked_mul(BLOCK)
        .ok_or_else(|| format!("block `{block}` is out of range"))?;
    let span = blocks
        .checked_mul(BLOCK)
        .and_then(|len| start.checked_add(len))
        .and_then(|end| bytes.get(start..end))
        .ok_or_else(|| format!("blocks `{block}`+`{blocks}` lie beyond the file"))?;
    let (Some(magic), Some(owner), Some(len)) = (le32(span, 0), le32(span, 4), le32(span, 12))
    else {
        return Err("blob head is cut short".into());
    };
    if magic != BLOB_MAGIC {
        return Err(format!("blob magic `{magic:#010x}`"));
    }
    if owner != pkg {
        return Err(format!("blob belongs to package `{owner}`"));
    }
    let len = len as usize;
    if BLOB_HEAD + len + BLOB_TAIL > span.len() {
        return Err(format!(
            "blob length `{len}` exceeds its {} bytes of blocks",
            span.len()
        ));
    }
    span.get(BLOB_HEAD..BLOB_HEAD + len)
        .ok_or_else(|| "blob is cut short".into())
}

/// Builds small ndb stores for tests and fuzz seeds (feature `encoders`).
#[cfg(any(test, feature = "encoders"))]
pub mod encode {
    use super::*;

    /// One slot page; each blob in its own block run after it, package indexes from 1.
    pub fn database(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut db = vec![0u8; PAGE];
        db[0..4].copy_from_slice(b"RpmP");
        db[12..16].copy_from_slice(&1u32.to_le_bytes());
        for at in (HEADER_SIZE..PAGE).step_by(SLOT_SIZE) {
            db[at..at + 4].copy_from_slice(b"Slot");
        }
        for (i, b) in blobs.iter().enumerate() {
            let pkg = i as u32 + 1;
            let block = db.len() / BLOCK;
            let total = (BLOB_HEAD + b.len() + BLOB_TAIL).div_ceil(BLOCK);
            let mut run = vec![0u8; total * BLOCK];
            run[0..4].copy_from_slice(b"BlbS");
            run[4..8].copy_from_slice(&pkg.to_le_bytes());
            run[12..16].copy_from_slice(&(b.len() as u32).to_le_bytes());
            run[16..16 + b.len()].copy_from_slice(b);
            let tail = 16 + b.len();
            run[tail..tail + 4].copy_from_slice(b"BlbE");
            db.extend(run);
            let at = HEADER_SIZE + i * SLOT_SIZE;
            db[at + 4..at + 8].copy_from_slice(&pkg.to_le_bytes());
            db[at + 8..at + 12].copy_from_slice(&(block as u32).to_le_bytes());
            db[at + 12..at + 16].copy_from_slice(&(total as u32).to_le_bytes());
        }
        db
    }
}

#[cfg(test)]
mod tests {
    use super::encode::database;
    use super::*;

    #[test]
    fn reads_every_blob() {
        let want = vec![b"first header".to_vec(), vec![9; 5000], Vec::new()];
        let (got, errors) = blobs(&database(&want)).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(got, want);
    }

    #[test]
    fn damage_is_reported() {
        assert!(matches!(blobs(b"RpmQ"), Err(NdbError::Header(_))));
        assert!(matches!(blobs(b""), Err(NdbError::Header(_))));
        let good = database(&[b"one".to_vec(), b"two".to_vec()]);
        let mut huge = good.clone();
        huge[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(
            blobs(&huge).unwrap_err().to_string(),
            "not an rpm ndb database: `4294967295` slot pages do not fit the file"
        );
        let mut bad = good.clone();
        bad[PAGE] = b'X';
        let (got, errors) = blobs(&bad).unwrap();
        assert_eq!(got, [b"two".to_vec()]);
        assert_eq!(
            errors.first().unwrap().to_string(),
            "ndb package `1`: blob magic `0x53626c58`"
        );
        for n in 0..good.len() {
            let _ = blobs(&good[..n]);
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0xa5;
            let _ = blobs(&bad);
        }
    }
}
