//! A read-only walker of Berkeley DB hash databases, enough to list the values of rpm's
//! legacy `Packages` file (RHEL/CentOS 7 and 8, Amazon Linux 2, SLES 12).
//!
//! No maintained crate reads this format (the one `rpmdb` crate on crates.io has had a
//! single release and opens paths, not bytes), so this walks the pages itself: the
//! metadata page gives the byte order, page size and last page; every hash page's
//! values are either stored on the page or, for anything as large as a header, in a
//! chain of overflow pages. Every offset is checked and every chain is bounded by the
//! number of pages, so hostile input ends in an error, never a panic or a loop.

use thiserror::Error;

/// Why a Berkeley DB file, or one value in it, could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BdbError {
    /// Not a Berkeley DB hash database.
    #[error("not a Berkeley DB hash database (magic `{0:#010x}`)")]
    NotHash(u32),
    /// A metadata field kensa relies on is out of range.
    #[error("Berkeley DB metadata field `{field}` has unusable value `{value}`")]
    BadMeta {
        /// The field.
        field: &'static str,
        /// Its value.
        value: u32,
    },
    /// Shorter than its metadata says.
    #[error("Berkeley DB file of {len} bytes is too short for page `{page}`")]
    Truncated {
        /// File length.
        len: usize,
        /// The page that lies beyond it.
        page: u32,
    },
    /// A page or item that does not hold what its reference says.
    #[error("Berkeley DB page `{page}`: {what}")]
    BadPage {
        /// The page.
        page: u32,
        /// What is wrong.
        what: String,
    },
}

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

#[derive(Clone, Copy)]
struct Db<'a> {
    bytes: &'a [u8],
    big_endian: bool,
    page_size: usize,
}

impl<'a> Db<'a> {
    fn u32_at(&self, b: &[u8], at: usize) -> Option<u32> {
        let s: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(s)
        } else {
            u32::from_le_bytes(s)
        })
    }

    fn u16_at(&self, b: &[u8], at: usize) -> Option<u16> {
        let s: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big_endian {
            u16::from_be_bytes(s)
        } else {
            u16::from_le_bytes(s)
        })
    }

    fn page(&self, n: u32) -> Result<&'a [u8], BdbError> {
        let start = (n as usize).checked_mul(self.page_size);
        start
            .and_then(|s| self.bytes.get(s..s.checked_add(self.page_size)?))
            .ok_or(BdbError::Truncated {
                len: self.bytes.len(),
                page: n,
            })
    }

    fn bad(page: u32, what: impl Into<String>) -> BdbError {
        BdbError::BadPage {
            page,
            what: what.into(),
        }
    }

    /// Follows an overflow chain from `first`, collecting `total` bytes.
    fn overflow(&self, first: u32, total: u32) -> Result<Vec<u8>, BdbError> {
        let total = total as usize;
        if total > self.bytes.len() {
            return Err(Self::bad(
                first,
                format!("value length `{total}` exceeds the file"),
            ));
        }
        let mut out = Vec::with_capacity(total);
        let mut current = first;
        let mut seen = std::collections::HashSet::new();
        while current != 0 && out.len() < total {
            if !seen.insert(current) {
                return Err(Self::bad(first, "overflow chain loops"));
            }
            let page = self.page(current)?;
            if page.get(25) != Some(&P_OVERFLOW) {
                return Err(Self::bad(current, "expected an overflow page"));
            }
            // On overflow pages the free-offset field holds the bytes stored there.
            let len = usize::from(self.u16_at(page, 22).unwrap_or(0));
            let chunk = page
                .get(PAGE_HEADER..PAGE_HEADER.saturating_add(len))
                .ok_or_else(|| {
                    Self::bad(current, format!("overflow length `{len}` exceeds the page"))
                })?;
            let take = chunk.len().min(total - out.len());
            out.extend_from_slice(chunk.get(..take).unwrap_or_default());
            current = self.u32_at(page, 16).unwrap_or(0);
        }
        if out.len() != total {
            return Err(Self::bad(
                first,
                format!("overflow chain holds {} of {total} bytes", out.len()),
            ));
        }
        Ok(out)
    }

    /// The values on hash page `n` (every second item; the others are keys).
    fn hash_values(&self, n: u32, values: &mut Vec<Vec<u8>>, errors: &mut Vec<BdbError>) {
        let page = match self.page(n) {
            Ok(p) => p,
            Err(e) => {
                errors.push(e);
                return;
            }
        };
        let entries = usize::from(self.u16_at(page, 20).unwrap_or(0));
        let offset_of =
            |i: usize| -> Option<usize> { self.u16_at(page, PAGE_HEADER + 2 * i).map(usize::from) };
        for i in (1..entries).step_by(2) {
            let Some(off) = offset_of(i) else {
                errors.push(Self::bad(
                    n,
                    format!("item index `{i}` lies beyond the page"),
                ));
                return;
            };
            match page.get(off) {
                Some(&H_OFFPAGE) => {
                    let (Some(pgno), Some(len)) =
                        (self.u32_at(page, off + 4), self.u32_at(page, off + 8))
                    else {
                        errors.push(Self::bad(
                            n,
                            format!("off-page item at `{off}` is cut short"),
                        ));
                        continue;
                    };
                    match self.overflow(pgno, len) {
                        Ok(v) => values.push(v),
                        Err(e) => errors.push(e),
                    }
                }
                Some(&H_KEYDATA) => {
                    // Items fill the page from its end: an item ends where the previous begins.
                    let end = match i.checked_sub(1).and_then(offset_of) {
                        Some(prev) => prev,
                        None => self.page_size,
                    };
                    match page.get(off + 1..end) {
                        Some(v) => values.push(v.to_vec()),
                        None => errors.push(Self::bad(
                            n,
                            format!("item at `{off}` overlaps its neighbour"),
                        )),
                    }
                }
                Some(&other) => errors.push(Self::bad(
                    n,
                    format!("unsupported item type `{other}` at offset `{off}`"),
                )),
                None => errors.push(Self::bad(
                    n,
                    format!("item offset `{off}` lies beyond the page"),
                )),
            }
        }
    }
}

/// Every value stored in a Berkeley DB hash file, in page order, with the errors of
/// the values that could not be read.
pub fn values(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, Vec<BdbError>), BdbError> {
    let magic_le = bytes
        .get(12..16)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .map(u32::from_le_bytes)
        .ok_or(BdbError::Truncated {
            len: bytes.len(),
            page: 0,
        })?;
    let big_endian = match magic_le {
        HASH_MAGIC => false,
        m if m.swap_bytes() == HASH_MAGIC => true,
        m => return Err(BdbError::NotHash(m)),
    };
    let mut db = Db {
        bytes,
        big_endian,
        page_size: 0,
    };
    let field = |at, name| {
        db.u32_at(bytes, at).ok_or(BdbError::BadMeta {
            field: name,
            value: 0,
        })
    };
    let page_size = field(20, "pagesize")?;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(BdbError::BadMeta {
            field: "pagesize",
            value: page_size,
        });
    }
    if let Some(&alg) = bytes.get(24).filter(|a| **a != 0) {
        return Err(BdbError::BadMeta {
            field: "encrypt_alg",
            value: u32::from(alg),
        });
    }
    if let Some(&t) = bytes.get(25).filter(|t| **t != P_HASHMETA) {
        return Err(BdbError::BadMeta {
            field: "type",
            value: u32::from(t),
        });
    }
    let last_pgno = field(32, "last_pgno")?;
    db.page_size = page_size as usize;
    let in_file = u32::try_from(bytes.len() / db.page_size).unwrap_or(u32::MAX);
    let mut values = Vec::new();
    let mut errors = Vec::new();
    if last_pgno >= in_file {
        errors.push(BdbError::Truncated {
            len: bytes.len(),
            page: last_pgno,
        });
    }
    for n in 1..=last_pgno.min(in_file.saturating_sub(1)) {
        let Ok(page) = db.page(n) else { break };
        if matches!(page.get(25), Some(&P_HASH | &P_HASH_UNSORTED)) {
            db.hash_values(n, &mut values, &mut errors);
        }
    }
    Ok((values, errors))
}

/// Builds small hash databases for tests: one hash page per batch of values, each value
/// in its own overflow chain (as rpm's headers are), plus one on-page value. Also for
/// fuzz seeds (feature `encoders`).
#[cfg(any(test, feature = "encoders"))]
pub mod encode {
    pub const PAGE: usize = 512;

    fn put16(p: &mut [u8], at: usize, v: u16, be: bool) {
        let b = if be { v.to_be_bytes() } else { v.to_le_bytes() };
        p[at..at + 2].copy_from_slice(&b);
    }

    fn put32(p: &mut [u8], at: usize, v: u32, be: bool) {
        let b = if be { v.to_be_bytes() } else { v.to_le_bytes() };
        p[at..at + 4].copy_from_slice(&b);
    }

    /// A database holding `values` off-page, plus the 4-byte record rpm keeps at key 0.
    pub fn database(values: &[Vec<u8>], be: bool) -> Vec<u8> {
        let chunk = PAGE - 26;
        let mut pages: Vec<Vec<u8>> = vec![vec![0; PAGE], vec![0; PAGE]];
        // Hash page 1: items are written from the page end downwards.
        let mut items: Vec<Vec<u8>> = Vec::new();
        items.push(vec![1, 0, 0, 0, 0]); // key 0 (H_KEYDATA)
        items.push(vec![1, 42, 0, 0, 0]); // value: next instance number
        for (i, v) in values.iter().enumerate() {
            let first = pages.len() as u32;
            let n = v.len().div_ceil(chunk).max(1);
            for (k, part) in v.chunks(chunk).enumerate() {
                let mut p = vec![0; PAGE];
                p[25] = 7;
                put16(&mut p, 22, part.len() as u16, be);
                let next = if k + 1 < n { first + k as u32 + 1 } else { 0 };
                put32(&mut p, 16, next, be);
                p[26..26 + part.len()].copy_from_slice(part);
                pages.push(p);
            }
            let mut key = vec![1];
            key.extend_from_slice(&((i + 1) as u32).to_le_bytes());
            items.push(key);
            let mut off = vec![3, 0, 0, 0];
            off.extend_from_slice(&if be {
                first.to_be_bytes()
            } else {
                first.to_le_bytes()
            });
            let len = v.len() as u32;
            off.extend_from_slice(&if be {
                len.to_be_bytes()
            } else {
                len.to_le_bytes()
            });
            items.push(off);
        }
        let hash = &mut pages[1];
        hash[25] = 13;
        put16(hash, 20, items.len() as u16, be);
        let mut end = PAGE;
        for (i, item) in items.iter().enumerate() {
            end -= item.len();
            hash[end..end + item.len()].copy_from_slice(item);
            put16(hash, 26 + 2 * i, end as u16, be);
        }
        let last = pages.len() as u32 - 1;
        let meta = &mut pages[0];
        put32(meta, 12, 0x0006_1561, be);
        put32(meta, 16, 9, be);
        put32(meta, 20, PAGE as u32, be);
        meta[25] = 8;
        put32(meta, 32, last, be);
        pages.concat()
    }
}

#[cfg(test)]
mod tests {
    use super::encode::{PAGE, database};
    use super::*;

    fn blobs() -> Vec<Vec<u8>> {
        vec![
            (0..1500u32).map(|i| (i % 251) as u8).collect(),
            b"short".to_vec(),
            vec![7; 486], // exactly one full overflow page
        ]
    }

    #[test]
    fn reads_values_in_both_byte_orders() {
        for be in [false, true] {
            let db = database(&blobs(), be);
            let (values, errors) = values(&db).unwrap();
            assert!(errors.is_empty(), "{errors:?}");
            let mut expected = vec![vec![42, 0, 0, 0]];
            expected.extend(blobs());
            assert_eq!(values, expected, "big-endian: {be}");
        }
    }

    #[test]
    fn rejects_other_files() {
        assert_eq!(
            values(b"").unwrap_err(),
            BdbError::Truncated { len: 0, page: 0 }
        );
        assert_eq!(values(&[0; 64]).unwrap_err(), BdbError::NotHash(0));
        let mut db = database(&blobs(), false);
        db[20..24].copy_from_slice(&1000u32.to_le_bytes());
        assert_eq!(
            values(&db).unwrap_err().to_string(),
            "Berkeley DB metadata field `pagesize` has unusable value `1000`"
        );
        let mut db = database(&blobs(), false);
        db[24] = 1;
        assert!(matches!(
            values(&db),
            Err(BdbError::BadMeta {
                field: "encrypt_alg",
                ..
            })
        ));
    }

    #[test]
    fn loops_truncation_and_corruption_end_in_errors() {
        // A chain that points back at itself.
        let mut db = database(&[vec![1; 2000]], false);
        let first = 2 * PAGE;
        db[first + 16..first + 20].copy_from_slice(&2u32.to_le_bytes());
        let (_, errors) = values(&db).unwrap();
        assert!(!errors.is_empty());
        // Every truncation and every byte flipped: no panic, no hang.
        let good = database(&blobs(), false);
        for n in (0..good.len()).step_by(7) {
            let _ = values(&good[..n]);
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0xff;
            let _ = values(&bad);
        }
        let (vals, errors) = values(&good[..good.len() - PAGE]).unwrap();
        assert!(vals.len() < 4);
        assert!(matches!(errors.first(), Some(BdbError::Truncated { .. })));
    }
}
