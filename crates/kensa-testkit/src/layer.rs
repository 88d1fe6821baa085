//! Layers: tar entries described in memory, written as a (compressed) layer blob.

use std::io::{self, Read, Seek, SeekFrom, Write};

use sha2::{Digest as _, Sha256};
use tar::EntryType;
use tempfile::SpooledTempFile;

use crate::tarball::{Meta, TarWriter};

/// Blobs below this size stay in memory; a bomb layer spills to a temp file.
const SPOOL_LIMIT: usize = 16 << 20;

/// How a layer blob is compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    /// Plain tar (`application/vnd.oci.image.layer.v1.tar`; what `docker save` writes).
    None,
    /// gzip (`…tar+gzip`; what registries and most OCI tools carry).
    Gzip,
    /// zstd (`…tar+zstd`).
    Zstd,
}

impl Compression {
    pub(crate) fn media_type(self) -> &'static str {
        match self {
            Compression::None => "application/vnd.oci.image.layer.v1.tar",
            Compression::Gzip => "application/vnd.oci.image.layer.v1.tar+gzip",
            Compression::Zstd => "application/vnd.oci.image.layer.v1.tar+zstd",
        }
    }
}

/// One tar entry. Paths and link targets are written into the header byte-for-byte, so
/// `"./etc/passwd"`, `"/abs"`, `"../escape"` and names longer than 100 bytes all survive as given;
/// write a trailing `/` on directories if you want the usual tar spelling.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry {
    /// A regular file.
    File {
        path: String,
        content: Vec<u8>,
        mode: u32,
        uid: u64,
        gid: u64,
    },
    /// A directory.
    Dir { path: String, mode: u32 },
    /// A symbolic link to `target`, which may be absolute or climb out with `..`.
    Symlink { path: String, target: String },
    /// A hard link to the earlier entry `target`.
    Hardlink { path: String, target: String },
    /// Deletes `path` from lower layers: written as `<dir>/.wh.<name>`.
    Whiteout(String),
    /// Hides everything lower layers put in this directory: written as `<dir>/.wh..wh..opq`.
    OpaqueWhiteout(String),
    /// A PAX extended header (`x`) whose records (`path`, `linkpath`, `size`, `uid`, …) apply to
    /// the next entry, as Go's `archive/tar` and buildkit write them for long or non-ASCII names.
    /// Values are written verbatim, so they may contradict the next header.
    Pax(Vec<(String, Vec<u8>)>),
    /// A regular file of `size` zero bytes, streamed so it is never held in memory.
    Zeros { path: String, size: u64 },
    /// A GNU sparse file of `size` bytes: a hole of zeros, then `tail`. The tar stream holds
    /// only `tail`, so a file of gigabytes costs a few blocks.
    Sparse {
        path: String,
        size: u64,
        tail: Vec<u8>,
    },
    /// Bytes copied into the tar stream verbatim, with no header or padding. A layer holding a
    /// `Raw` entry gets no end-of-archive marker either, so the bytes decide how the stream ends
    /// (truncated headers, bad checksums, trailing garbage).
    Raw(Vec<u8>),
}

impl Entry {
    /// A regular file, mode `0o644`, owned by root.
    pub fn file(path: &str, content: impl Into<Vec<u8>>) -> Entry {
        Entry::File {
            path: path.to_owned(),
            content: content.into(),
            mode: 0o644,
            uid: 0,
            gid: 0,
        }
    }

    /// An executable file, mode `0o755`, owned by root.
    pub fn exec(path: &str, content: impl Into<Vec<u8>>) -> Entry {
        Entry::file(path, content).with_mode(0o755)
    }

    /// A directory, mode `0o755`.
    pub fn dir(path: &str) -> Entry {
        Entry::Dir {
            path: path.to_owned(),
            mode: 0o755,
        }
    }

    /// A symbolic link `path -> target`.
    pub fn symlink(path: &str, target: &str) -> Entry {
        Entry::Symlink {
            path: path.to_owned(),
            target: target.to_owned(),
        }
    }

    /// A hard link `path` to the entry `target`.
    pub fn hardlink(path: &str, target: &str) -> Entry {
        Entry::Hardlink {
            path: path.to_owned(),
            target: target.to_owned(),
        }
    }

    /// Sets the permission bits (including setuid `0o4000` etc.) of a file or directory; other
    /// entries have no mode of their own and are returned unchanged.
    pub fn with_mode(mut self, new: u32) -> Entry {
        if let Entry::File { mode, .. } | Entry::Dir { mode, .. } = &mut self {
            *mode = new;
        }
        self
    }

    /// Sets the owner of a file; other entries are returned unchanged.
    pub fn with_owner(mut self, new_uid: u64, new_gid: u64) -> Entry {
        if let Entry::File { uid, gid, .. } = &mut self {
            *uid = new_uid;
            *gid = new_gid;
        }
        self
    }

    fn write<W: Write>(&self, tw: &mut TarWriter<W>) -> io::Result<()> {
        match self {
            Entry::File {
                path,
                content,
                mode,
                uid,
                gid,
            } => {
                let m = Meta {
                    kind: EntryType::Regular,
                    name: path.as_bytes(),
                    link: None,
                    mode: *mode,
                    uid: *uid,
                    gid: *gid,
                };
                tw.append(&m, len64(content.len()), &mut content.as_slice())
            }
            Entry::Dir { path, mode } => tw.append(
                &root_owned(EntryType::Directory, path.as_bytes(), None, *mode),
                0,
                &mut io::empty(),
            ),
            Entry::Symlink { path, target } => tw.append(
                &root_owned(
                    EntryType::Symlink,
                    path.as_bytes(),
                    Some(target.as_bytes()),
                    0o777,
                ),
                0,
                &mut io::empty(),
            ),
            Entry::Hardlink { path, target } => tw.append(
                &root_owned(
                    EntryType::Link,
                    path.as_bytes(),
                    Some(target.as_bytes()),
                    0o644,
                ),
                0,
                &mut io::empty(),
            ),
            Entry::Whiteout(path) => {
                let name = whiteout_name(path);
                tw.append(
                    &root_owned(EntryType::Regular, name.as_bytes(), None, 0o644),
                    0,
                    &mut io::empty(),
                )
            }
            Entry::OpaqueWhiteout(dir) => {
                let name = opaque_whiteout_name(dir);
                tw.append(
                    &root_owned(EntryType::Regular, name.as_bytes(), None, 0o644),
                    0,
                    &mut io::empty(),
                )
            }
            Entry::Zeros { path, size } => tw.append(
                &root_owned(EntryType::Regular, path.as_bytes(), None, 0o644),
                *size,
                &mut io::repeat(0),
            ),
            Entry::Sparse { path, size, tail } => tw.sparse(path.as_bytes(), *size, tail),
            Entry::Pax(records) => {
                let body = pax_records(records);
                tw.append(
                    &root_owned(EntryType::XHeader, b"PaxHeaders.0/entry", None, 0o644),
                    len64(body.len()),
                    &mut body.as_slice(),
                )
            }
            Entry::Raw(bytes) => tw.raw(bytes),
        }
    }
}

fn root_owned<'a>(kind: EntryType, name: &'a [u8], link: Option<&'a [u8]>, mode: u32) -> Meta<'a> {
    Meta {
        kind,
        name,
        link,
        mode,
        uid: 0,
        gid: 0,
    }
}

fn len64(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// Each record is `"<len> <key>=<value>\n"`, where `<len>` counts the whole record including
/// its own digits.
fn pax_records(records: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (key, value) in records {
        // " " + key + "=" + value + "\n"
        let rest = key.len().saturating_add(value.len()).saturating_add(3);
        let mut len = rest.saturating_add(1);
        while len != rest.saturating_add(len.to_string().len()) {
            len = rest.saturating_add(len.to_string().len());
        }
        out.extend_from_slice(format!("{len} {key}=").as_bytes());
        out.extend_from_slice(value);
        out.push(b'\n');
    }
    out
}

/// `"a/b/c"` → `"a/b/.wh.c"`, `"c"` → `".wh.c"` (a trailing `/` is ignored).
pub(crate) fn whiteout_name(path: &str) -> String {
    let p = path.trim_end_matches('/');
    match p.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.wh.{name}"),
        None => format!(".wh.{p}"),
    }
}

/// `"a/b"` → `"a/b/.wh..wh..opq"`; the root (`""` or `"/"`) → `".wh..wh..opq"`.
pub(crate) fn opaque_whiteout_name(dir: &str) -> String {
    let d = dir.trim_end_matches('/');
    if d.is_empty() {
        ".wh..wh..opq".to_owned()
    } else {
        format!("{d}/.wh..wh..opq")
    }
}

/// One layer of an image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layer {
    /// Written in this order.
    pub entries: Vec<Entry>,
    /// Compression of the blob (also in docker archives, where `docker save` itself writes
    /// plain tars but other tools write gzip).
    pub compression: Compression,
    /// The config `history[].created_by` of this layer.
    pub created_by: String,
}

impl Layer {
    /// A gzip layer with these entries.
    pub fn new(entries: Vec<Entry>) -> Layer {
        Layer {
            entries,
            compression: Compression::Gzip,
            created_by: "COPY . / # kensa-testkit".to_owned(),
        }
    }

    /// Sets the compression.
    pub fn compression(mut self, c: Compression) -> Layer {
        self.compression = c;
        self
    }

    /// Sets the history `created_by`.
    pub fn created_by(mut self, s: &str) -> Layer {
        s.clone_into(&mut self.created_by);
        self
    }

    /// A layer whose tar is `size` bytes of zeros in one file "zeros" (streamed, never held in
    /// memory) — a decompression bomb.
    pub fn bomb(uncompressed_size: u64) -> Layer {
        Layer::new(vec![Entry::Zeros {
            path: "zeros".to_owned(),
            size: uncompressed_size,
        }])
        .created_by("ADD zeros / # kensa-testkit bomb")
    }

    /// Raw tar bytes given verbatim (for malformed tars), compressed as set.
    pub fn raw(tar_bytes: Vec<u8>) -> Layer {
        Layer::new(vec![Entry::Raw(tar_bytes)]).created_by("ADD raw / # kensa-testkit raw")
    }

    /// Writes the layer's tar stream, uncompressed, into `out` (for tests of tar readers that
    /// need no image around the layer).
    pub fn write_tar(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut tw = TarWriter::new(out);
        for e in &self.entries {
            e.write(&mut tw)?;
        }
        if !self.has_raw() {
            tw.finish()?;
        }
        Ok(())
    }

    fn has_raw(&self) -> bool {
        self.entries.iter().any(|e| matches!(e, Entry::Raw(_)))
    }

    /// Builds the blob: the tar is hashed (diff_id) on its way into the compressor, and the
    /// compressed stream is hashed (digest) on its way into the spool.
    pub(crate) fn build(&self) -> io::Result<LayerBlob> {
        let spool = HashWriter::new(SpooledTempFile::new(SPOOL_LIMIT));
        let tar = HashWriter::new(Encoder::new(self.compression, spool)?);
        let mut tw = TarWriter::new(tar);
        for e in &self.entries {
            e.write(&mut tw)?;
        }
        let tar = if self.has_raw() {
            tw.into_inner()
        } else {
            tw.finish()?
        };
        let (encoder, diff_id, _) = tar.finish();
        let (mut file, digest, size) = encoder.finish()?.finish();
        file.flush()?;
        Ok(LayerBlob {
            file,
            info: BlobInfo {
                digest,
                size,
                diff_id,
                media_type: self.compression.media_type(),
            },
        })
    }
}

/// What is known about a built layer blob.
#[derive(Clone, Debug)]
pub(crate) struct BlobInfo {
    pub(crate) digest: String,
    pub(crate) size: u64,
    pub(crate) diff_id: String,
    pub(crate) media_type: &'static str,
}

pub(crate) struct LayerBlob {
    file: SpooledTempFile,
    pub(crate) info: BlobInfo,
}

impl LayerBlob {
    pub(crate) fn rewind(&mut self) -> io::Result<()> {
        self.file.seek(SeekFrom::Start(0)).map(drop)
    }
}

impl Read for LayerBlob {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

enum Encoder<W: Write> {
    None(W),
    Gzip(flate2::write::GzEncoder<W>),
    Zstd(zstd::Encoder<'static, W>),
}

impl<W: Write> Encoder<W> {
    fn new(c: Compression, w: W) -> io::Result<Self> {
        Ok(match c {
            Compression::None => Encoder::None(w),
            // GzEncoder::new writes mtime 0 and no file name, so output is reproducible.
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(zstd::Encoder::new(w, 0)?),
        })
    }

    fn finish(self) -> io::Result<W> {
        match self {
            Encoder::None(w) => Ok(w),
            Encoder::Gzip(e) => e.finish(),
            Encoder::Zstd(e) => e.finish(),
        }
    }
}

impl<W: Write> Write for Encoder<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::None(w) => w.write(buf),
            Encoder::Gzip(e) => e.write(buf),
            Encoder::Zstd(e) => e.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::None(w) => w.flush(),
            Encoder::Gzip(e) => e.flush(),
            Encoder::Zstd(e) => e.flush(),
        }
    }
}

/// Passes bytes through while computing their sha256 and length.
pub(crate) struct HashWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        Self {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// Returns the sink, the `sha256:<hex>` digest and the byte count.
    pub(crate) fn finish(self) -> (W, String, u64) {
        (self.inner, sha256_digest_of_hasher(self.hasher), self.len)
    }
}

impl<W: Write> Write for HashWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        let written = buf.get(..n).unwrap_or(buf);
        self.hasher.update(written);
        self.len = self.len.saturating_add(len64(written.len()));
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn sha256_digest_of_hasher(h: Sha256) -> String {
    format!("sha256:{}", hex(&h.finalize()))
}

/// `sha256:<hex>` of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> String {
    sha256_digest_of_hasher(Sha256::new_with_prefix(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whiteout_names_follow_the_aufs_convention() {
        assert_eq!(whiteout_name("etc/passwd"), "etc/.wh.passwd");
        assert_eq!(whiteout_name("./a/b/"), "./a/.wh.b");
        assert_eq!(whiteout_name("top"), ".wh.top");
        assert_eq!(
            opaque_whiteout_name("var/lib/apt/"),
            "var/lib/apt/.wh..wh..opq"
        );
        assert_eq!(opaque_whiteout_name("/"), ".wh..wh..opq");
    }

    #[test]
    fn mode_and_owner_apply_only_where_the_header_has_them() {
        let f = Entry::file("bin/su", "x")
            .with_mode(0o4755)
            .with_owner(0, 42);
        assert_eq!(
            f,
            Entry::File {
                path: "bin/su".into(),
                content: b"x".to_vec(),
                mode: 0o4755,
                uid: 0,
                gid: 42
            }
        );
        let l = Entry::symlink("a", "/etc/shadow");
        assert_eq!(l.clone().with_mode(0o600).with_owner(1, 1), l);
    }

    #[test]
    fn pax_record_length_counts_its_own_digits() {
        let r = pax_records(&[("path".into(), b"a".to_vec())]);
        assert_eq!(r, b"9 path=a\n");
        // 98 bytes plus two digits is 100, which has three: the record is 101 long.
        let r = pax_records(&[("path".into(), vec![b'x'; 91])]);
        assert_eq!((&r[..4], r.len()), (&b"101 "[..], 101));
        // The other 100 bytes push the length to three digits.
        let r = pax_records(&[("path".into(), vec![b'x'; 93])]);
        assert_eq!(&r[..4], b"103 ");
        assert_eq!(r.len(), 103);
    }

    #[test]
    fn sha256_of_empty_input_is_the_well_known_value() {
        assert_eq!(
            sha256_digest(b""),
            "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
