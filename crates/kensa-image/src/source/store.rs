//! The two places blobs live: inside a tar archive (read in place, never extracted) and
//! in an OCI layout directory.

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::ImageError;
use crate::blob::BlobStore;
use crate::path::{normalize, resolve_relative};

/// More entries than any real image archive has; a guard against index exhaustion.
const MAX_ARCHIVE_ENTRIES: u64 = 1_000_000;
/// `docker save` links duplicate layers with symlinks; real chains are one hop.
const MAX_LINK_HOPS: usize = 8;

enum ArchiveEntry {
    File { offset: u64, size: u64 },
    Symlink(String),
}

/// Blobs read in place from an uncompressed tar (`docker save` output, OCI archives).
/// The archive is scanned once for its entry offsets; each blob read then opens its own
/// file handle and seeks, so layers can be read in parallel without extracting anything.
pub(crate) struct ArchiveStore {
    path: PathBuf,
    described: String,
    entries: HashMap<String, ArchiveEntry>,
}

impl ArchiveStore {
    pub(crate) fn open(path: &Path) -> Result<ArchiveStore, ImageError> {
        let described = format!("`{}`", path.display());
        let mut file = fs_err::File::open(path).map_err(|e| ImageError::io(&described, e))?;
        let mut magic = [0u8; 4];
        let got = file
            .read(&mut magic)
            .map_err(|e| ImageError::io(&described, e))?;
        if got >= 2 && magic[..2] == [0x1f, 0x8b] || got == 4 && magic == [0x28, 0xb5, 0x2f, 0xfd] {
            return Err(ImageError::UnrecognisedInput {
                path: path.display().to_string(),
                reason: "it is a compressed file; decompress it first (`gunzip`/`zstd -d`), \
                         since kensa reads image archives in place"
                    .into(),
            });
        }
        file.seek(SeekFrom::Start(0))
            .map_err(|e| ImageError::io(&described, e))?;
        let mut archive = tar::Archive::new(file);
        let mut entries = HashMap::new();
        let bad_tar = |e| ImageError::UnrecognisedInput {
            path: path.display().to_string(),
            reason: format!("not a readable tar archive ({e})"),
        };
        // Seeking past each entry, not reading it: a warm rescan of a 4 GB `docker save`
        // archive then reads a few kilobytes of headers instead of the whole file.
        for (count, entry) in archive.entries_with_seek().map_err(bad_tar)?.enumerate() {
            if count as u64 >= MAX_ARCHIVE_ENTRIES {
                return Err(ImageError::Limit {
                    what: described,
                    limit: MAX_ARCHIVE_ENTRIES,
                    unit: "archive entries",
                });
            }
            let entry = entry.map_err(bad_tar)?;
            // Entries of the outer archive that escape its root cannot be blobs we look up
            // by normalised name, so they are simply never reachable.
            let Ok(name) = normalize(&entry.path_bytes()) else {
                continue;
            };
            let kind = entry.header().entry_type();
            if kind.is_file() || kind.is_contiguous() {
                entries.insert(
                    name,
                    ArchiveEntry::File {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            } else if (kind.is_symlink() || kind.is_hard_link())
                && let Some(target) = entry.link_name_bytes()
            {
                let target = String::from_utf8_lossy(&target).into_owned();
                let target = if kind.is_hard_link() {
                    // Hardlink names are relative to the archive root, not the entry.
                    format!("/{target}")
                } else {
                    target
                };
                entries.insert(name, ArchiveEntry::Symlink(target));
            }
        }
        Ok(ArchiveStore {
            path: path.to_owned(),
            described,
            entries,
        })
    }

    /// Follows archive-internal links, never outside the archive.
    fn locate(&self, path: &str) -> Option<(u64, u64)> {
        let mut current = normalize(path.as_bytes()).ok()?;
        for _ in 0..=MAX_LINK_HOPS {
            match self.entries.get(&current)? {
                ArchiveEntry::File { offset, size } => return Some((*offset, *size)),
                ArchiveEntry::Symlink(target) => {
                    current = resolve_relative(&current, target).ok()?;
                }
            }
        }
        None
    }
}

impl BlobStore for ArchiveStore {
    fn open(&self, path: &str) -> Result<(Box<dyn Read + Send + '_>, u64), ImageError> {
        let (offset, size) = self.locate(path).ok_or_else(|| ImageError::Missing {
            what: self.described.clone(),
            entry: path.to_owned(),
        })?;
        let what = || format!("{} entry `{path}`", self.described);
        let mut file = fs_err::File::open(&self.path).map_err(|e| ImageError::io(what(), e))?;
        file.seek(SeekFrom::Start(offset))
            .map_err(|e| ImageError::io(what(), e))?;
        Ok((Box::new(file.take(size)), size))
    }

    fn contains(&self, path: &str) -> bool {
        self.locate(path).is_some()
    }

    fn describe(&self) -> &str {
        &self.described
    }
}

/// Blobs in an OCI image layout directory.
pub(crate) struct LayoutStore {
    root: PathBuf,
    described: String,
}

impl LayoutStore {
    pub(crate) fn new(root: &Path) -> LayoutStore {
        LayoutStore {
            root: root.to_owned(),
            described: format!("`{}`", root.display()),
        }
    }

    fn resolve(&self, path: &str) -> Option<PathBuf> {
        let rel = normalize(path.as_bytes()).ok()?;
        Some(self.root.join(rel))
    }
}

impl BlobStore for LayoutStore {
    fn open(&self, path: &str) -> Result<(Box<dyn Read + Send + '_>, u64), ImageError> {
        let missing = || ImageError::Missing {
            what: self.described.clone(),
            entry: path.to_owned(),
        };
        let full = self.resolve(path).ok_or_else(missing)?;
        let what = || format!("{} file `{path}`", self.described);
        let meta = match fs_err::symlink_metadata(&full) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(e) => return Err(ImageError::io(what(), e)),
        };
        // A blob must be a plain file: a symlink could point anywhere on the host, and a
        // FIFO or device would block or never end.
        if !meta.file_type().is_file() {
            return Err(ImageError::invalid(
                what(),
                "is not a regular file (symlinks and special files are not followed)",
            ));
        }
        let file = fs_err::File::open(&full).map_err(|e| ImageError::io(what(), e))?;
        Ok((Box::new(file), meta.len()))
    }

    fn contains(&self, path: &str) -> bool {
        self.resolve(path).is_some_and(|p| p.is_file())
    }

    fn describe(&self) -> &str {
        &self.described
    }
}
