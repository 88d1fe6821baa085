//! Decoding of the RPM header blob that every rpm database format stores per package:
//! a count of index entries, the data length, the 16-byte entries (tag, type, offset,
//! count, all big-endian) and the data store they point into.

use thiserror::Error;

/// Why a header blob could not be decoded.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum HeaderError {
    /// Shorter than its own index and data lengths say.
    #[error(
        "header blob of {len} bytes is truncated (index of {entries} entries and {data} data bytes)"
    )]
    Truncated {
        /// Blob length.
        len: usize,
        /// Index entries claimed.
        entries: u32,
        /// Data bytes claimed.
        data: u32,
    },
    /// More entries or data than rpm itself accepts.
    #[error(
        "header blob claims {entries} index entries and {data} data bytes, beyond rpm's limits"
    )]
    TooLarge {
        /// Index entries claimed.
        entries: u32,
        /// Data bytes claimed.
        data: u32,
    },
    /// A tag kensa needs has a type or location that makes no sense.
    #[error(
        "tag `{tag}` has type `{ty}` with offset `{offset}` and count `{count}`, which do not fit the data store"
    )]
    BadEntry {
        /// The tag.
        tag: u32,
        /// Its declared type.
        ty: u32,
        /// Its offset into the data store.
        offset: i32,
        /// Its count.
        count: u32,
    },
    /// The file-list tags disagree with each other.
    #[error("file list is inconsistent: {0}")]
    Files(String),
}

/// Tags kensa reads.
pub mod tag {
    /// Package name.
    pub const NAME: u32 = 1000;
    /// Upstream version.
    pub const VERSION: u32 = 1001;
    /// Distribution release.
    pub const RELEASE: u32 = 1002;
    /// Epoch, when set.
    pub const EPOCH: u32 = 1003;
    /// License expression.
    pub const LICENSE: u32 = 1014;
    /// CPU architecture.
    pub const ARCH: u32 = 1022;
    /// Full paths, in packages from before rpm 4.
    pub const OLDFILENAMES: u32 = 1027;
    /// `name-version-release.src.rpm` it was built from.
    pub const SOURCERPM: u32 = 1044;
    /// Index into DIRNAMES for each basename.
    pub const DIRINDEXES: u32 = 1116;
    /// File names without their directory.
    pub const BASENAMES: u32 = 1117;
    /// Directories, each ending in `/`.
    pub const DIRNAMES: u32 = 1118;
    /// Module stream (`nodejs:18:8090020240123:a75119d5`) on RHEL 8+.
    pub const MODULARITYLABEL: u32 = 5096;
}

mod ty {
    pub(super) const INT32: u32 = 4;
    pub(super) const STRING: u32 = 6;
    pub(super) const STRING_ARRAY: u32 = 8;
    pub(super) const I18NSTRING: u32 = 9;
}

/// rpm's own bounds (`HEADER_TAGS_MAX`, `HEADER_DATA_MAX`).
const MAX_ENTRIES: u32 = 0xffff;
const MAX_DATA: u32 = 0x0fff_ffff;

/// The fields of one installed package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RpmHeader {
    /// `NAME`.
    pub name: String,
    /// `EPOCH`, when the package sets one.
    pub epoch: Option<u32>,
    /// `VERSION`.
    pub version: String,
    /// `RELEASE`.
    pub release: String,
    /// `ARCH`.
    pub arch: Option<String>,
    /// `SOURCERPM`.
    pub source_rpm: Option<String>,
    /// `LICENSE`.
    pub license: Option<String>,
    /// `MODULARITYLABEL`.
    pub modularity_label: Option<String>,
    /// Owned paths, absolute as rpm records them.
    pub files: Vec<String>,
}

#[derive(Clone, Copy)]
struct Entry {
    tag: u32,
    ty: u32,
    offset: i32,
    count: u32,
}

struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([
        *s.first()?,
        *s.get(1)?,
        *s.get(2)?,
        *s.get(3)?,
    ]))
}

impl<'a> Header<'a> {
    fn parse(blob: &'a [u8]) -> Result<Self, HeaderError> {
        let truncated = |entries, data| HeaderError::Truncated {
            len: blob.len(),
            entries,
            data,
        };
        let (Some(il), Some(dl)) = (be32(blob, 0), be32(blob, 4)) else {
            return Err(truncated(0, 0));
        };
        if il > MAX_ENTRIES || dl > MAX_DATA {
            return Err(HeaderError::TooLarge {
                entries: il,
                data: dl,
            });
        }
        // Bounded by the checks above, so no overflow on any platform kensa builds for.
        let index_end = 8 + il as usize * 16;
        let data_end = index_end + dl as usize;
        let data = blob.get(index_end..data_end).ok_or(truncated(il, dl))?;
        let mut entries = Vec::with_capacity(il as usize);
        for i in 0..il as usize {
            let at = 8 + i * 16;
            let (Some(tag), Some(ty), Some(offset), Some(count)) = (
                be32(blob, at),
                be32(blob, at + 4),
                be32(blob, at + 8),
                be32(blob, at + 12),
            ) else {
                return Err(truncated(il, dl));
            };
            entries.push(Entry {
                tag,
                ty,
                offset: i32::from_be_bytes(offset.to_be_bytes()),
                count,
            });
        }
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<Entry> {
        self.entries.iter().find(|e| e.tag == tag).copied()
    }

    fn bad(e: Entry) -> HeaderError {
        HeaderError::BadEntry {
            tag: e.tag,
            ty: e.ty,
            offset: e.offset,
            count: e.count,
        }
    }

    fn tail(&self, e: Entry) -> Result<&'a [u8], HeaderError> {
        usize::try_from(e.offset)
            .ok()
            .and_then(|o| self.data.get(o..))
            .ok_or_else(|| Self::bad(e))
    }

    /// `count` NUL-terminated strings from the entry's offset.
    fn strings(&self, e: Entry) -> Result<Vec<String>, HeaderError> {
        if !matches!(e.ty, ty::STRING | ty::STRING_ARRAY | ty::I18NSTRING) {
            return Err(Self::bad(e));
        }
        let mut rest = self.tail(e)?;
        let count = if e.ty == ty::STRING { 1 } else { e.count };
        // Each string takes at least its NUL, so a count beyond the data is a lie.
        if count as usize > rest.len() {
            return Err(Self::bad(e));
        }
        let mut out = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let nul = rest
                .iter()
                .position(|&b| b == 0)
                .ok_or_else(|| Self::bad(e))?;
            let (s, after) = rest.split_at(nul);
            out.push(String::from_utf8_lossy(s).into_owned());
            rest = after.get(1..).unwrap_or_default();
        }
        Ok(out)
    }

    fn string(&self, tag: u32) -> Result<Option<String>, HeaderError> {
        match self.entry(tag) {
            // I18N strings hold one translation per locale; the first is the C locale.
            Some(e) => Ok(self.strings(e)?.into_iter().next()),
            None => Ok(None),
        }
    }

    fn int32s(&self, e: Entry) -> Result<Vec<u32>, HeaderError> {
        if e.ty != ty::INT32 {
            return Err(Self::bad(e));
        }
        let rest = self.tail(e)?;
        let bytes = (e.count as usize)
            .checked_mul(4)
            .filter(|n| *n <= rest.len())
            .ok_or_else(|| Self::bad(e))?;
        Ok(rest
            .get(..bytes)
            .unwrap_or_default()
            .chunks_exact(4)
            .filter_map(|c| be32(c, 0))
            .collect())
    }
}

/// Decodes one header blob as rpm stores it in its databases (no lead, no magic).
pub fn decode(blob: &[u8]) -> Result<RpmHeader, HeaderError> {
    let h = Header::parse(blob)?;
    let epoch = match h.entry(tag::EPOCH) {
        Some(e) => h.int32s(e)?.first().copied(),
        None => None,
    };
    let files = match (
        h.entry(tag::BASENAMES),
        h.entry(tag::DIRNAMES),
        h.entry(tag::DIRINDEXES),
    ) {
        (Some(b), Some(d), Some(i)) => {
            let (basenames, dirnames, indexes) = (h.strings(b)?, h.strings(d)?, h.int32s(i)?);
            if basenames.len() != indexes.len() {
                return Err(HeaderError::Files(format!(
                    "{} basenames but {} directory indexes",
                    basenames.len(),
                    indexes.len()
                )));
            }
            let mut files = Vec::with_capacity(basenames.len());
            for (base, index) in basenames.iter().zip(indexes) {
                let dir = dirnames.get(index as usize).ok_or_else(|| {
                    HeaderError::Files(format!(
                        "directory index `{index}` of `{base}` is beyond {} directories",
                        dirnames.len()
                    ))
                })?;
                files.push(format!("{dir}{base}"));
            }
            files
        }
        (None, _, _) => match h.entry(tag::OLDFILENAMES) {
            Some(e) => h.strings(e)?,
            None => Vec::new(),
        },
        _ => {
            return Err(HeaderError::Files(
                "BASENAMES without DIRNAMES or DIRINDEXES".into(),
            ));
        }
    };
    Ok(RpmHeader {
        name: h.string(tag::NAME)?.unwrap_or_default(),
        epoch,
        version: h.string(tag::VERSION)?.unwrap_or_default(),
        release: h.string(tag::RELEASE)?.unwrap_or_default(),
        arch: h.string(tag::ARCH)?.filter(|s| !s.is_empty()),
        source_rpm: h.string(tag::SOURCERPM)?.filter(|s| !s.is_empty()),
        license: h.string(tag::LICENSE)?.filter(|s| !s.is_empty()),
        modularity_label: h.string(tag::MODULARITYLABEL)?.filter(|s| !s.is_empty()),
        files,
    })
}

/// `openssl-1.1.1k-12.el8_9.src.rpm` → (`openssl`, `1.1.1k`, `12.el8_9`).
pub fn split_source_rpm(s: &str) -> Option<(&str, &str, &str)> {
    let stem = s
        .strip_suffix(".src.rpm")
        .or_else(|| s.strip_suffix(".nosrc.rpm"))?;
    let (rest, release) = stem.rsplit_once('-')?;
    let (name, version) = rest.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() || release.is_empty() {
        return None;
    }
    Some((name, version, release))
}

/// Builds header blobs for tests, as rpm lays them out (entries in tag order, data
/// aligned for integers). Also for fuzz seeds (feature `encoders`).
#[cfg(any(test, feature = "encoders"))]
pub mod encode {
    /// A tag value to encode.
    pub enum Value<'a> {
        Str(&'a str),
        I18n(&'a str),
        Strs(Vec<&'a str>),
        Int32(Vec<u32>),
    }

    /// Encodes `(tag, value)` pairs into a header blob.
    pub fn header(tags: &[(u32, Value<'_>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, value) in tags {
            let (ty, count, offset) = match value {
                Value::Str(s) | Value::I18n(s) => {
                    let off = data.len();
                    data.extend_from_slice(s.as_bytes());
                    data.push(0);
                    (if matches!(value, Value::Str(_)) { 6 } else { 9 }, 1, off)
                }
                Value::Strs(list) => {
                    let off = data.len();
                    for s in list {
                        data.extend_from_slice(s.as_bytes());
                        data.push(0);
                    }
                    (8, list.len(), off)
                }
                Value::Int32(v) => {
                    while !data.len().is_multiple_of(4) {
                        data.push(0);
                    }
                    let off = data.len();
                    for n in v {
                        data.extend_from_slice(&n.to_be_bytes());
                    }
                    (4, v.len(), off)
                }
            };
            index.extend_from_slice(&tag.to_be_bytes());
            index.extend_from_slice(&(ty as u32).to_be_bytes());
            index.extend_from_slice(&(offset as u32).to_be_bytes());
            index.extend_from_slice(&(count as u32).to_be_bytes());
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&((index.len() / 16) as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    /// A typical installed package's header.
    pub fn package(name: &str, epoch: Option<u32>, version: &str, release: &str) -> Vec<u8> {
        use super::tag::*;
        let source = format!("{name}-{version}-{release}.src.rpm");
        let mut tags = vec![
            (NAME, Value::Str(name)),
            (VERSION, Value::Str(version)),
            (RELEASE, Value::Str(release)),
        ];
        if let Some(e) = epoch {
            tags.push((EPOCH, Value::Int32(vec![e])));
        }
        tags.extend([
            (LICENSE, Value::Str("GPLv3+")),
            (ARCH, Value::Str("x86_64")),
            (SOURCERPM, Value::Str(Box::leak(source.into_boxed_str()))),
            (DIRINDEXES, Value::Int32(vec![0, 1, 1])),
            (BASENAMES, Value::Strs(vec![name, "README", "COPYING"])),
            (
                DIRNAMES,
                Value::Strs(vec!["/usr/bin/", "/usr/share/doc/pkg/"]),
            ),
        ]);
        header(&tags)
    }
}

#[cfg(test)]
mod tests {
    use super::encode::{Value, header, package};
    use super::tag::*;
    use super::*;

    #[test]
    fn decodes_a_full_header() {
        let blob = header(&[
            (NAME, Value::Str("openssl-libs")),
            (VERSION, Value::Str("1.1.1k")),
            (RELEASE, Value::Str("12.el8_9")),
            (EPOCH, Value::Int32(vec![1])),
            (LICENSE, Value::I18n("OpenSSL and ASL 2.0")),
            (ARCH, Value::Str("x86_64")),
            (SOURCERPM, Value::Str("openssl-1.1.1k-12.el8_9.src.rpm")),
            (DIRINDEXES, Value::Int32(vec![0, 0, 1])),
            (
                BASENAMES,
                Value::Strs(vec!["libcrypto.so.1.1k", "libssl.so.1.1k", "LICENSE"]),
            ),
            (
                DIRNAMES,
                Value::Strs(vec!["/usr/lib64/", "/usr/share/licenses/openssl-libs/"]),
            ),
            (MODULARITYLABEL, Value::Str("")),
        ]);
        let h = decode(&blob).unwrap();
        assert_eq!(
            h,
            RpmHeader {
                name: "openssl-libs".into(),
                epoch: Some(1),
                version: "1.1.1k".into(),
                release: "12.el8_9".into(),
                arch: Some("x86_64".into()),
                source_rpm: Some("openssl-1.1.1k-12.el8_9.src.rpm".into()),
                license: Some("OpenSSL and ASL 2.0".into()),
                modularity_label: None,
                files: vec![
                    "/usr/lib64/libcrypto.so.1.1k".into(),
                    "/usr/lib64/libssl.so.1.1k".into(),
                    "/usr/share/licenses/openssl-libs/LICENSE".into(),
                ],
            }
        );
    }

    #[test]
    fn old_filenames_and_modularity_label() {
        let blob = header(&[
            (NAME, Value::Str("nodejs")),
            (VERSION, Value::Str("18.19.0")),
            (RELEASE, Value::Str("1.module+el8.9.0+21018+c9a0ad6c")),
            (OLDFILENAMES, Value::Strs(vec!["/usr/bin/node"])),
            (
                MODULARITYLABEL,
                Value::Str("nodejs:18:8090020240123:a75119d5"),
            ),
        ]);
        let h = decode(&blob).unwrap();
        assert_eq!(h.files, ["/usr/bin/node"]);
        assert_eq!(
            h.modularity_label.as_deref(),
            Some("nodejs:18:8090020240123:a75119d5")
        );
        assert_eq!(h.epoch, None);
    }

    #[test]
    fn source_rpm_names_split_from_the_right() {
        assert_eq!(
            split_source_rpm("openssl-1.1.1k-12.el8_9.src.rpm"),
            Some(("openssl", "1.1.1k", "12.el8_9"))
        );
        assert_eq!(
            split_source_rpm("python3-pip-21.2.3-7.el9.noarch.src.rpm"),
            Some(("python3-pip", "21.2.3", "7.el9.noarch"))
        );
        assert_eq!(split_source_rpm("kernel.nosrc.rpm"), None);
        assert_eq!(split_source_rpm("a-1.src.rpm"), None);
        assert_eq!(split_source_rpm("whatever"), None);
    }

    #[test]
    fn broken_headers_are_errors_not_panics() {
        let good = package("bash", Some(2), "5.1.8", "6.el9");
        // Every truncation.
        for n in 0..good.len() {
            let _ = decode(&good[..n]);
        }
        assert!(matches!(
            decode(&good[..good.len() - 1]),
            Err(HeaderError::Truncated { .. })
        ));
        // Every single-byte corruption.
        for i in 0..good.len() {
            for v in [0x00, 0x7f, 0xff] {
                let mut bad = good.clone();
                bad[i] = v;
                let _ = decode(&bad);
            }
        }
        let mut huge = vec![0xff; 8];
        huge.extend([0; 64]);
        assert!(matches!(decode(&huge), Err(HeaderError::TooLarge { .. })));
        // Wrong types for the tags kensa reads.
        let wrong = header(&[(NAME, Value::Int32(vec![7]))]);
        let err = decode(&wrong).unwrap_err();
        assert_eq!(
            err.to_string(),
            "tag `1000` has type `4` with offset `0` and count `1`, which do not fit the data store"
        );
        let wrong = header(&[(EPOCH, Value::Str("1"))]);
        assert!(decode(&wrong).is_err());
        // A string array whose count exceeds the data.
        let mut lie = header(&[(BASENAMES, Value::Strs(vec!["a"]))]);
        lie[8 + 12..8 + 16].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(decode(&lie).is_err());
        // A directory index out of range.
        let bad_index = header(&[
            (DIRINDEXES, Value::Int32(vec![5])),
            (BASENAMES, Value::Strs(vec!["x"])),
            (DIRNAMES, Value::Strs(vec!["/"])),
        ]);
        assert_eq!(
            decode(&bad_index).unwrap_err().to_string(),
            "file list is inconsistent: directory index `5` of `x` is beyond 1 directories"
        );
    }
}
