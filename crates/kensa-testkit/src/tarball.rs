//! A tar writer that puts names into headers byte-for-byte.
//!
//! The `tar` crate's `Builder::append_data`/`set_path` refuse `..` and rewrite absolute paths,
//! which is right for archivers and wrong for us: hostile layers are exactly what kensa must be
//! tested against. So names are copied raw into the header, and names that do not fit use the
//! GNU `././@LongLink` extension entries (`L` for the name, `K` for the link target), which every
//! reader that matters (GNU tar, Go `archive/tar`, the `tar` crate) understands.

use std::io::{self, Read, Write};

use tar::{EntryType, Header};

/// Every entry gets this mtime (2024-01-01T00:00:00Z, the config's `created`), so output is
/// reproducible.
pub(crate) const MTIME: u64 = 1_704_067_200;

const BLOCK: usize = 512;
const NAME_LEN: usize = 100;
const GNU_LONG_NAME: &[u8] = b"././@LongLink";

/// Metadata of one entry; the data is given separately.
pub(crate) struct Meta<'a> {
    pub(crate) kind: EntryType,
    pub(crate) name: &'a [u8],
    pub(crate) link: Option<&'a [u8]>,
    pub(crate) mode: u32,
    pub(crate) uid: u64,
    pub(crate) gid: u64,
}

pub(crate) struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    pub(crate) fn new(out: W) -> Self {
        Self { out }
    }

    /// Writes one entry whose body is exactly `size` bytes read from `data`.
    pub(crate) fn append(
        &mut self,
        meta: &Meta<'_>,
        size: u64,
        data: &mut dyn Read,
    ) -> io::Result<()> {
        if meta.name.len() > NAME_LEN {
            self.long_name(EntryType::GNULongName, meta.name)?;
        }
        if let Some(link) = meta.link.filter(|l| l.len() > NAME_LEN) {
            self.long_name(EntryType::GNULongLink, link)?;
        }
        let mut header = Header::new_gnu();
        header.set_entry_type(meta.kind);
        set_truncated(&mut header.as_old_mut().name, meta.name);
        if let Some(link) = meta.link {
            set_truncated(&mut header.as_old_mut().linkname, link);
        }
        header.set_mode(meta.mode);
        header.set_uid(meta.uid);
        header.set_gid(meta.gid);
        header.set_mtime(MTIME);
        header.set_size(size);
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        self.body(size, data)
    }

    /// Writes a GNU sparse file (`S`) of `real_size` bytes that are zero but for `data` at
    /// its end: the tar stream holds only `data`, a reader expands the hole.
    pub(crate) fn sparse(&mut self, name: &[u8], real_size: u64, data: &[u8]) -> io::Result<()> {
        if name.len() > NAME_LEN {
            self.long_name(EntryType::GNULongName, name)?;
        }
        let stored = u64::try_from(data.len())
            .map_err(|_| io::Error::other("sparse data length overflows u64"))?;
        let offset = real_size
            .checked_sub(stored)
            .ok_or_else(|| io::Error::other("sparse entry: the data is longer than the file"))?;
        let mut header = Header::new_gnu();
        header.set_entry_type(EntryType::GNUSparse);
        set_truncated(&mut header.as_old_mut().name, name);
        header.set_mode(0o644);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mtime(MTIME);
        header.set_size(stored);
        let gnu = header
            .as_gnu_mut()
            .ok_or_else(|| io::Error::other("a GNU header is not GNU"))?;
        gnu.set_real_size(real_size);
        if let Some(block) = gnu.sparse.first_mut() {
            block.set_offset(offset);
            block.set_length(stored);
        }
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        self.body(stored, &mut &data[..])
    }

    /// Writes `bytes` with no header or padding: the caller owns the framing.
    pub(crate) fn raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)
    }

    /// Writes the end-of-archive marker (two zero blocks) and hands back the sink.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0; 2 * BLOCK])?;
        Ok(self.out)
    }

    /// Hands back the sink without an end-of-archive marker.
    pub(crate) fn into_inner(self) -> W {
        self.out
    }

    fn long_name(&mut self, kind: EntryType, name: &[u8]) -> io::Result<()> {
        let mut header = Header::new_gnu();
        header.set_entry_type(kind);
        set_truncated(&mut header.as_old_mut().name, GNU_LONG_NAME);
        header.set_mode(0o644);
        header.set_mtime(0);
        // GNU tar counts the terminating NUL in the size.
        let size = u64::try_from(name.len())
            .map_err(|_| io::Error::other("name length overflows u64"))?
            .saturating_add(1);
        header.set_size(size);
        header.set_cksum();
        self.out.write_all(header.as_bytes())?;
        self.body(size, &mut name.chain(&[0u8][..]))
    }

    fn body(&mut self, size: u64, data: &mut dyn Read) -> io::Result<()> {
        let copied = io::copy(&mut data.take(size), &mut self.out)?;
        if copied != size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!("tar entry body: expected `{size}` bytes, source gave `{copied}`"),
            ));
        }
        let rem = usize::try_from(size % BLOCK as u64).unwrap_or(0);
        if rem != 0 {
            self.out.write_all(&[0; BLOCK][rem..])?;
        }
        Ok(())
    }
}

/// Copies as much of `src` as fits; the long-name entry written before carries the whole name.
fn set_truncated(dst: &mut [u8], src: &[u8]) {
    let n = src.len().min(dst.len());
    if let (Some(d), Some(s)) = (dst.get_mut(..n), src.get(..n)) {
        d.copy_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'a>(name: &'a [u8]) -> Meta<'a> {
        Meta {
            kind: EntryType::Regular,
            name,
            link: None,
            mode: 0o644,
            uid: 0,
            gid: 0,
        }
    }

    #[test]
    fn short_body_is_an_error_not_a_corrupt_archive() {
        let mut w = TarWriter::new(Vec::new());
        let err = w.append(&file(b"a"), 10, &mut &b"abc"[..]).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn entries_are_block_aligned() {
        let mut w = TarWriter::new(Vec::new());
        w.append(&file(b"a"), 3, &mut &b"abc"[..]).unwrap();
        let out = w.finish().unwrap();
        // header + one padded data block + two end blocks
        assert_eq!(out.len(), 4 * BLOCK);
        assert_eq!(&out[BLOCK..BLOCK + 3], b"abc");
        assert!(out[BLOCK + 3..].iter().all(|&b| b == 0));
    }

    #[test]
    fn name_of_exactly_100_bytes_needs_no_extension() {
        let name = vec![b'n'; 100];
        let mut w = TarWriter::new(Vec::new());
        w.append(&file(&name), 0, &mut io::empty()).unwrap();
        let out = w.finish().unwrap();
        assert_eq!(out.len(), 3 * BLOCK);
        let mut ar = tar::Archive::new(&out[..]);
        let mut entries = ar.entries().unwrap();
        let e = entries.next().unwrap().unwrap();
        assert_eq!(&*e.path_bytes(), &name[..]);
    }
}
