//! The files of an image layout, written either as a directory or as a tar archive.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::Path;

use tar::EntryType;

use crate::layer::LayerBlob;
use crate::tarball::{Meta, TarWriter};

pub(crate) enum Source {
    Dir,
    Bytes(Vec<u8>),
    /// The first `len` bytes of `FileSet::blobs[index]`.
    Blob {
        index: usize,
        len: u64,
    },
}

/// Paths are relative, with `/` separators; directories end in `/`. A `BTreeMap` keeps archive
/// order sorted, so output is reproducible and parents come before children.
#[derive(Default)]
pub(crate) struct FileSet {
    blobs: Vec<LayerBlob>,
    files: BTreeMap<String, Source>,
}

impl FileSet {
    pub(crate) fn add_blob(&mut self, blob: LayerBlob) -> usize {
        self.blobs.push(blob);
        self.blobs.len().saturating_sub(1)
    }

    /// Adds a file and the directories above it. A path already present keeps its first
    /// content: equal digests name equal blobs.
    pub(crate) fn insert(&mut self, path: String, source: Source) {
        let mut end = 0;
        while let Some(i) = path.get(end..).and_then(|rest| rest.find('/')) {
            end = end.saturating_add(i).saturating_add(1);
            if let Some(dir) = path.get(..end) {
                self.files.entry(dir.to_owned()).or_insert(Source::Dir);
            }
        }
        self.files.entry(path).or_insert(source);
    }

    pub(crate) fn write_dir(&mut self, root: &Path) -> io::Result<()> {
        fs_err::create_dir_all(root)?;
        for (path, source) in &self.files {
            let dest = root.join(path);
            match source {
                Source::Dir => fs_err::create_dir_all(&dest)?,
                Source::Bytes(bytes) => fs_err::write(&dest, bytes)?,
                Source::Blob { index, len } => {
                    let mut f = fs_err::File::create(&dest)?;
                    let b = blob(&mut self.blobs, *index)?;
                    b.rewind()?;
                    io::copy(&mut b.take(*len), &mut f)?;
                    f.flush()?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn write_tar(&mut self, dest: &Path) -> io::Result<()> {
        let file = fs_err::File::create(dest)?;
        let mut tw = TarWriter::new(io::BufWriter::new(file));
        for (path, source) in &self.files {
            let name = path.as_bytes();
            match source {
                Source::Dir => tw.append(
                    &meta(EntryType::Directory, name, 0o755),
                    0,
                    &mut io::empty(),
                )?,
                Source::Bytes(bytes) => {
                    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
                    tw.append(
                        &meta(EntryType::Regular, name, 0o644),
                        len,
                        &mut bytes.as_slice(),
                    )?;
                }
                Source::Blob { index, len } => {
                    let b = blob(&mut self.blobs, *index)?;
                    b.rewind()?;
                    tw.append(
                        &meta(EntryType::Regular, name, 0o644),
                        *len,
                        &mut b.take(*len),
                    )?;
                }
            }
        }
        tw.finish()?.flush()
    }
}

fn meta(kind: EntryType, name: &[u8], mode: u32) -> Meta<'_> {
    Meta {
        kind,
        name,
        link: None,
        mode,
        uid: 0,
        gid: 0,
    }
}

fn blob(blobs: &mut [LayerBlob], index: usize) -> io::Result<&mut LayerBlob> {
    blobs
        .get_mut(index)
        .ok_or_else(|| io::Error::other(format!("internal: no layer blob `{index}`")))
}
