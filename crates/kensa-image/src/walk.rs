//! The one-pass walker: each layer is decompressed and read exactly once, every entry is
//! matched against all analyzers' wants at the same time, and a file's content is read
//! once and handed to each analyzer that asked for it.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FileKind, FileMeta, FileSink, HEAD_BYTES,
    Location, NoteLevel, ScanNote,
};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::blob::{HashingReader, Stage, blob_mismatch, limit_exceeded};
use crate::path::{PathProblem, file_name, normalize, parent};
use crate::route::Router;
use crate::{Image, ImageError, Layer};

/// Bumped whenever [`LayerIndex`] changes shape or meaning; part of the cache key.
pub const WALKER_VERSION: u32 = 1;

/// Limits that keep a hostile image from exhausting memory or time.
#[derive(Clone, Debug)]
pub struct WalkOptions {
    /// A layer may decompress to at most this many times its compressed size (or
    /// [`WalkOptions::ratio_floor`], whichever is larger).
    pub max_layer_ratio: u64,
    /// Uncompressed bytes every layer may reach whatever its compressed size, so that
    /// tiny layers of well-compressible text are not taken for bombs.
    pub ratio_floor: u64,
    /// Entries one layer may hold.
    pub max_entries_per_layer: u64,
    /// Bytes of one file the walker streams to analyzers that read files in pieces; the
    /// rest of a larger file is skipped with a note. It bounds the time a crafted sparse
    /// entry (a tiny tar record that expands to terabytes of zeros) can cost.
    pub max_streamed_file_bytes: u64,
}

impl Default for WalkOptions {
    fn default() -> Self {
        WalkOptions {
            max_layer_ratio: 100,
            ratio_floor: 256 * 1024 * 1024,
            max_entries_per_layer: 2_000_000,
            max_streamed_file_bytes: 16 * 1024 * 1024 * 1024,
        }
    }
}

/// One surviving or deleted entry of a layer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The normalised path.
    pub path: String,
    /// Its metadata.
    pub meta: FileMeta,
}

/// What a layer holds, without content: enough to build the final filesystem view.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerIndex {
    /// Entries in archive order (a later duplicate overrides an earlier one).
    pub entries: Vec<IndexEntry>,
    /// Paths this layer deletes from the layers below (`.wh.NAME`).
    pub whiteouts: Vec<String>,
    /// Directories whose lower-layer content this layer hides (`.wh..wh..opq`).
    pub opaque_dirs: Vec<String>,
    /// Entries the walker refused (path escapes, undecodable names).
    pub notes: Vec<ScanNote>,
}

/// The result of walking one layer or directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LayerScan {
    /// The entries.
    pub index: LayerIndex,
    /// Each analyzer's output, by analyzer id.
    pub outputs: BTreeMap<&'static str, AnalysisOutput>,
    /// Bytes of uncompressed content walked.
    pub uncompressed_size: u64,
}

/// Walks layers and directories with a fixed set of analyzers.
pub struct Walker<'a> {
    analyzers: Vec<&'a dyn Analyzer>,
    router: Router,
    options: WalkOptions,
}

impl<'a> Walker<'a> {
    /// Compiles the analyzers' path declarations.
    pub fn new(
        analyzers: &[&'a dyn Analyzer],
        options: WalkOptions,
    ) -> Result<Self, globset::Error> {
        Ok(Walker {
            router: Router::new(analyzers)?,
            analyzers: analyzers.to_vec(),
            options,
        })
    }

    /// Walks the given layers of `image` in parallel. Every blob is verified: its digest
    /// and size against the descriptor, its uncompressed digest against the config.
    pub fn walk_layers(
        &self,
        image: &Image,
        layers: &[&Layer],
    ) -> Result<Vec<LayerScan>, ImageError> {
        self.walk_layers_then(image, layers, &|_, _| {})
    }

    /// [`Walker::walk_layers`], calling `walked` with each layer as soon as it is walked
    /// and verified (from the walking thread), so a cache can store it and another
    /// process waiting for it can go on before the whole batch is done.
    pub fn walk_layers_then(
        &self,
        image: &Image,
        layers: &[&Layer],
        walked: &(dyn Fn(&Layer, &LayerScan) + Sync),
    ) -> Result<Vec<LayerScan>, ImageError> {
        // Largest first, one task each: an image's wall time is bounded by its largest
        // layer, so that one must start at once rather than queue behind small ones.
        let mut order: Vec<usize> = (0..layers.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(layers[i].size));
        let mut scans: Vec<(usize, LayerScan)> = order
            .par_iter()
            .with_max_len(1)
            .map(|&i| {
                let scan = self.walk_layer(image, layers[i])?;
                walked(layers[i], &scan);
                Ok((i, scan))
            })
            .collect::<Result<_, _>>()?;
        scans.sort_by_key(|(i, _)| *i);
        Ok(scans.into_iter().map(|(_, scan)| scan).collect())
    }

    /// Walks one layer of `image`.
    pub fn walk_layer(&self, image: &Image, layer: &Layer) -> Result<LayerScan, ImageError> {
        let blob = layer.blob_name();
        let (reader, stored_size) = image.store.open(&layer.blob_path)?;
        // A descriptor size is a promise; reading past it means the blob is not the one
        // named. A stored blob longer than its descriptor is still read to its end (it is
        // bounded by what is on disk), so that the error can name its real digest.
        let expected_size = if layer.digest.is_some() {
            layer.size
        } else {
            stored_size
        };
        let raw = HashingReader::new(reader, expected_size.max(stored_size), Stage::Blob);
        let mut buffered = BufReader::with_capacity(256 * 1024, raw);
        let magic = buffered
            .fill_buf()
            .map_err(|e| self.stream_error(&blob, "layer blob", e, layer))?;
        let compression =
            Compression::detect(layer.media_type.as_deref(), magic).ok_or_else(|| {
                ImageError::UnsupportedMediaType {
                    blob: blob.clone(),
                    media_type: layer.media_type.clone().unwrap_or_default(),
                }
            })?;
        let decoder = Decoder::new(compression, buffered)
            .map_err(|e| self.stream_error(&blob, compression.name(), e, layer))?;
        let limit = expected_size
            .saturating_mul(self.options.max_layer_ratio)
            .max(self.options.ratio_floor);
        // Inflating is most of a layer's cost; it runs on its own thread so that hashing,
        // tar parsing and analyzers overlap with it. That keeps the second core busy when
        // one large layer is left, which is what bounds a whole image's wall time.
        std::thread::scope(|scope| {
            let (chunks_tx, chunks_rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(PIPE_DEPTH);
            let (free_tx, free_rx) = mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH + 2);
            let producer = scope.spawn(move || inflate_into(decoder, &chunks_tx, &free_rx));
            let pipe = PipeReader {
                chunks: chunks_rx,
                free: free_tx,
                current: Vec::new(),
                pos: 0,
            };
            let uncompressed = HashingReader::new(pipe, limit, Stage::Uncompressed);
            let mut archive = tar::Archive::new(uncompressed);
            let mut walk = LayerWalk::new(self);
            let walked = self.read_entries(&mut archive, &mut walk, &blob, layer);
            let mut uncompressed = archive.into_inner();
            let finished = match walked {
                Ok(()) => uncompressed
                    .finish()
                    .map(|(diff_id, size, _)| (diff_id, size))
                    .map_err(|e| self.stream_error(&blob, "tar stream", e, layer)),
                Err(e) => {
                    // Keep the stream flowing to its end, so the blob is hashed whole and a
                    // blob that is not the one named is reported as such, not as the broken
                    // tar or gzip stream that its wrong bytes made. The bomb guard still
                    // bounds how much is inflated.
                    let _ = io::copy(&mut uncompressed, &mut io::sink());
                    drop(uncompressed);
                    Err(e)
                }
            };
            let inflated = producer.join().map_err(|_| ImageError::Layer {
                blob: blob.clone(),
                what: "layer blob",
                source: io::Error::other("the decompression thread panicked"),
            })?;
            if let Some((blob_digest, blob_size)) = &inflated.blob
                && let Some(mismatch) = blob_mismatch(
                    &blob,
                    layer.digest.as_ref(),
                    blob_digest,
                    expected_size,
                    *blob_size,
                )
            {
                return Err(mismatch);
            }
            // A broken compressed stream is the cause of whatever the tar reader then saw.
            if let Some(e) = inflated.error {
                return Err(self.stream_error(&blob, compression.name(), e, layer));
            }
            let (diff_id, uncompressed_size) = finished?;
            if inflated.blob.is_none() {
                // Unreachable while the walk succeeded, but an unhashed blob is never trusted.
                return Err(ImageError::Layer {
                    blob,
                    what: "layer blob",
                    source: io::Error::other("the blob was not read to its end"),
                });
            }
            if diff_id != layer.diff_id {
                return Err(ImageError::DiffId {
                    index: layer.index,
                    blob,
                    expected: layer.diff_id.clone(),
                    actual: diff_id,
                });
            }
            Ok(walk.finish(uncompressed_size))
        })
    }

    /// Reads every tar entry of a layer into `walk`.
    fn read_entries<R: Read>(
        &self,
        archive: &mut tar::Archive<R>,
        walk: &mut LayerWalk<'_, 'a>,
        blob: &str,
        layer: &Layer,
    ) -> Result<(), ImageError> {
        let entries = archive
            .entries()
            .map_err(|e| self.stream_error(blob, "tar stream", e, layer))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| self.stream_error(blob, "tar stream", e, layer))?;
            walk.count_entry(blob)?;
            let header = entry.header();
            let kind = match header.entry_type() {
                t if t.is_file() || t.is_contiguous() || t.is_gnu_sparse() => FileKind::Regular,
                t if t.is_dir() => FileKind::Dir,
                t if t.is_symlink() => FileKind::Symlink,
                t if t.is_hard_link() => FileKind::Hardlink,
                t if t.is_pax_global_extensions() || t.is_pax_local_extensions() => continue,
                t if t.is_gnu_longname() || t.is_gnu_longlink() => continue,
                _ => FileKind::Other,
            };
            let bad_header = |e| self.stream_error(blob, "tar header", e, layer);
            let mode = header.mode().map_err(bad_header)? & 0o7777;
            let uid = header.uid().map_err(bad_header)?;
            let gid = header.gid().map_err(bad_header)?;
            let link_target = entry
                .link_name_bytes()
                .map(|t| String::from_utf8_lossy(&t).into_owned());
            let meta = FileMeta {
                kind,
                mode,
                uid,
                gid,
                size: if kind == FileKind::Regular {
                    entry.size()
                } else {
                    0
                },
                link_target,
            };
            let raw_path = entry.path_bytes().into_owned();
            walk.entry(&raw_path, meta, &mut entry)
                .map_err(|e| self.stream_error(blob, "tar stream", e, layer))?;
        }
        Ok(())
    }

    fn stream_error(
        &self,
        blob: &str,
        what: &'static str,
        e: io::Error,
        layer: &Layer,
    ) -> ImageError {
        match limit_exceeded(&e) {
            Some(Stage::Blob) => ImageError::BlobTooLong {
                blob: blob.to_owned(),
                expected: layer.size,
            },
            Some(Stage::Uncompressed) => ImageError::DecompressionBomb {
                blob: blob.to_owned(),
                compressed: layer.size,
                limit: layer
                    .size
                    .saturating_mul(self.options.max_layer_ratio)
                    .max(self.options.ratio_floor),
            },
            None => ImageError::Layer {
                blob: blob.to_owned(),
                what,
                source: e,
            },
        }
    }

    /// Walks a directory tree as if it were one layer (`kensa rootfs`, `kensa fs`).
    /// Symlinks are recorded, never followed; only regular files are opened, so FIFOs and
    /// devices cannot block the scan. Directories named in `skip_dirs` are not entered.
    pub fn walk_dir(&self, root: &Path, skip_dirs: &[&str]) -> Result<LayerScan, ImageError> {
        self.walk_tree(root, skip_dirs, false)
    }

    /// Walks a source tree (`kensa fs`) as [`Walker::walk_dir`] does, leaving out what
    /// its `.gitignore` and `.ignore` files (and those of its parents) exclude, as
    /// ripgrep does: build output and installed dependencies are not the project. A
    /// note says so whenever such a file is in play.
    pub fn walk_source_tree(
        &self,
        root: &Path,
        skip_dirs: &[&str],
    ) -> Result<LayerScan, ImageError> {
        self.walk_tree(root, skip_dirs, true)
    }

    fn walk_tree(
        &self,
        root: &Path,
        skip_dirs: &[&str],
        ignore_files: bool,
    ) -> Result<LayerScan, ImageError> {
        use std::os::unix::fs::MetadataExt;

        let meta =
            fs_err::metadata(root).map_err(|e| ImageError::io(root.display().to_string(), e))?;
        if !meta.is_dir() {
            return Err(ImageError::invalid(
                format!("`{}`", root.display()),
                "is not a directory",
            ));
        }
        let mut walk = LayerWalk::new(self);
        let mut total = 0u64;
        let skip: Vec<std::ffi::OsString> = skip_dirs.iter().map(Into::into).collect();
        let mut builder = ignore::WalkBuilder::new(root);
        // Hidden files are scanned (`.env`, `.npmrc` are what secret scanning is for);
        // only ignore files decide, and only when asked.
        builder
            .standard_filters(false)
            .follow_links(false)
            .sort_by_file_name(|a, b| a.cmp(b))
            .filter_entry(move |e| {
                !(e.depth() > 0
                    && e.file_type().is_some_and(|t| t.is_dir())
                    && skip.iter().any(|s| s.as_os_str() == e.file_name()))
            });
        if ignore_files {
            builder
                .git_ignore(true)
                .git_exclude(true)
                .ignore(true)
                .parents(true)
                .require_git(false);
        }
        let mut ignore_file_seen = ignore_files
            && root
                .ancestors()
                .any(|dir| dir.join(".gitignore").is_file() || dir.join(".ignore").is_file());
        for item in builder.build() {
            let dent = match item {
                Ok(d) => d,
                Err(e) => {
                    walk.index.notes.push(ScanNote {
                        level: NoteLevel::Warning,
                        found_by: "walker".into(),
                        location: Location::default(),
                        message: format!("not scanned: {e}"),
                    });
                    continue;
                }
            };
            if ignore_files && matches!(dent.file_name().to_str(), Some(".gitignore" | ".ignore")) {
                ignore_file_seen = true;
            }
            if dent.depth() == 0 {
                continue;
            }
            let rel = match dent.path().strip_prefix(root) {
                Ok(r) => r,
                Err(_) => continue,
            };
            let raw = rel.as_os_str().as_encoded_bytes().to_vec();
            let md = match dent.metadata() {
                Ok(m) => m,
                Err(e) => {
                    walk.index.notes.push(ScanNote {
                        level: NoteLevel::Warning,
                        found_by: "walker".into(),
                        location: Location::path(rel.display().to_string()),
                        message: format!("not scanned: {e}"),
                    });
                    continue;
                }
            };
            let Some(ft) = dent.file_type() else {
                continue;
            };
            let kind = if ft.is_file() {
                FileKind::Regular
            } else if ft.is_dir() {
                FileKind::Dir
            } else if ft.is_symlink() {
                FileKind::Symlink
            } else {
                FileKind::Other
            };
            let link_target = if kind == FileKind::Symlink {
                fs_err::read_link(dent.path())
                    .ok()
                    .map(|t| t.display().to_string())
            } else {
                None
            };
            let meta = FileMeta {
                kind,
                mode: md.mode() & 0o7777,
                uid: u64::from(md.uid()),
                gid: u64::from(md.gid()),
                size: if kind == FileKind::Regular {
                    md.len()
                } else {
                    0
                },
                link_target,
            };
            if kind == FileKind::Regular {
                total = total.saturating_add(md.len());
                let path_for_error = dent.path().to_owned();
                let mut lazy = LazyFile::new(&path_for_error);
                if let Err(e) = walk.entry(&raw, meta, &mut lazy) {
                    walk.index.notes.push(ScanNote {
                        level: NoteLevel::Warning,
                        found_by: "walker".into(),
                        location: Location::path(rel.display().to_string()),
                        message: format!("not scanned: {e}"),
                    });
                }
            } else {
                walk.entry(&raw, meta, &mut io::empty())
                    .map_err(|e| ImageError::io(dent.path().display().to_string(), e))?;
            }
        }
        if ignore_file_seen {
            walk.index.notes.push(ScanNote {
                level: NoteLevel::Info,
                found_by: "walker".into(),
                location: Location::default(),
                message: "paths that `.gitignore` or `.ignore` files exclude were not scanned \
                          (`--no-ignore` scans them)"
                    .to_owned(),
            });
        }
        Ok(walk.finish(total))
    }
}

/// A file opened only when some analyzer wants its content.
struct LazyFile<'p> {
    path: &'p Path,
    file: Option<fs_err::File>,
}

impl<'p> LazyFile<'p> {
    fn new(path: &'p Path) -> Self {
        LazyFile { path, file: None }
    }
}

impl Read for LazyFile<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.file.is_none() {
            self.file = Some(fs_err::File::open(self.path)?);
        }
        match self.file.as_mut() {
            Some(f) => f.read(buf),
            None => Ok(0),
        }
    }
}

/// Per-layer state: the index being built, each analyzer's output, and a reusable
/// content buffer (one file in memory at a time per layer).
struct LayerWalk<'w, 'a> {
    walker: &'w Walker<'a>,
    index: LayerIndex,
    outputs: Vec<AnalysisOutput>,
    oversize: Vec<Oversize>,
    matched: Vec<usize>,
    accepted: Vec<usize>,
    buffer: Vec<u8>,
    /// The reusable piece buffer of files that are streamed rather than held whole.
    chunk: Vec<u8>,
    entries: u64,
}

#[derive(Default)]
struct Oversize {
    count: u64,
    largest: Option<(u64, String)>,
}

impl<'w, 'a> LayerWalk<'w, 'a> {
    fn new(walker: &'w Walker<'a>) -> Self {
        LayerWalk {
            walker,
            index: LayerIndex::default(),
            outputs: vec![AnalysisOutput::default(); walker.analyzers.len()],
            oversize: (0..walker.analyzers.len())
                .map(|_| Oversize::default())
                .collect(),
            matched: Vec::new(),
            accepted: Vec::new(),
            buffer: Vec::new(),
            chunk: Vec::new(),
            entries: 0,
        }
    }

    fn count_entry(&mut self, blob: &str) -> Result<(), ImageError> {
        self.entries += 1;
        if self.entries > self.walker.options.max_entries_per_layer {
            return Err(ImageError::Limit {
                what: format!("layer {blob}"),
                limit: self.walker.options.max_entries_per_layer,
                unit: "entries",
            });
        }
        Ok(())
    }

    fn refuse(&mut self, raw_path: &[u8], problem: PathProblem) {
        let shown: String = String::from_utf8_lossy(raw_path)
            .chars()
            .take(200)
            .collect();
        let message = match problem {
            PathProblem::Escapes => format!(
                "entry `{}` climbs out of the image root with `..`; ignored, as a container \
                 runtime would refuse it (this layer was probably crafted)",
                shown.escape_debug()
            ),
            PathProblem::NotText => format!(
                "entry `{}` has a name that is not UTF-8 text or holds a NUL byte; not analyzed",
                shown.escape_debug()
            ),
        };
        self.index.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: "walker".into(),
            location: Location::default(),
            message,
        });
    }

    fn entry(&mut self, raw_path: &[u8], meta: FileMeta, content: &mut dyn Read) -> io::Result<()> {
        let path = match normalize(raw_path) {
            Ok(p) if p.is_empty() => return Ok(()),
            Ok(p) => p,
            Err(problem) => {
                self.refuse(raw_path, problem);
                return Ok(());
            }
        };
        let name = file_name(&path);
        if let Some(hidden) = name.strip_prefix(".wh.") {
            if hidden == ".wh..opq" {
                self.index.opaque_dirs.push(parent(&path).to_owned());
            } else if !hidden.starts_with(".wh.") && !hidden.is_empty() {
                let dir = parent(&path);
                let target = if dir.is_empty() {
                    hidden.to_owned()
                } else {
                    format!("{dir}/{hidden}")
                };
                self.index.whiteouts.push(target);
            }
            // Other `.wh..wh.*` names are aufs bookkeeping, not files of the image.
            return Ok(());
        }
        let mut meta = meta;
        if meta.kind == FileKind::Hardlink {
            // Hardlink targets are paths of the same archive; keep them normalised so the
            // view can find them, and never resolve one that leaves the root.
            if let Some(target) = meta.link_target.take() {
                match normalize(target.as_bytes()) {
                    Ok(t) => meta.link_target = Some(t),
                    Err(_) => {
                        self.refuse(target.as_bytes(), PathProblem::Escapes);
                    }
                }
            }
        }
        if meta.kind == FileKind::Regular {
            self.dispatch(&path, &meta, content)?;
        }
        self.index.entries.push(IndexEntry { path, meta });
        Ok(())
    }

    fn dispatch(&mut self, path: &str, meta: &FileMeta, content: &mut dyn Read) -> io::Result<()> {
        let analyzers = &self.walker.analyzers;
        self.walker.router.route(path, &mut self.matched);
        if self.matched.is_empty() {
            return Ok(());
        }
        // Read the head first: analyzers decline most files from it (binaries for content
        // scanners, non-executables for binary analyzers), and then nothing more is buffered.
        self.buffer.clear();
        let head_len = meta.size.min(HEAD_BYTES as u64);
        content.take(head_len).read_to_end(&mut self.buffer)?;
        self.accepted.clear();
        let mut streams: Vec<(usize, Box<dyn FileSink + 'a>)> = Vec::new();
        for &i in &self.matched {
            let Some(&analyzer) = analyzers.get(i) else {
                continue;
            };
            if !analyzer.accepts(meta, &self.buffer) {
                continue;
            }
            if meta.size <= analyzer.max_file_size() {
                self.accepted.push(i);
            } else if let Some(sink) = analyzer.stream(path, meta) {
                streams.push((i, sink));
            } else {
                let o = &mut self.oversize[i];
                o.count += 1;
                if o.largest.as_ref().is_none_or(|(size, _)| meta.size > *size) {
                    o.largest = Some((meta.size, path.to_owned()));
                }
            }
        }
        if self.accepted.is_empty() && streams.is_empty() {
            return Ok(());
        }
        let rest = meta.size - head_len;
        if self.accepted.is_empty() {
            // Only streaming analyzers: the file passes through one chunk at a time, so
            // memory stays bounded whatever its size.
            return self.stream_file(path, meta, content, rest, streams);
        }
        // Every accepting analyzer's limit is at least `meta.size`, so this allocation is
        // bounded by the analyzers' own limits.
        self.buffer.reserve(usize::try_from(rest).unwrap_or(0));
        content.take(rest).read_to_end(&mut self.buffer)?;
        let input = FileInput {
            path,
            meta,
            content: &self.buffer,
        };
        for &i in &self.accepted {
            let Some(analyzer) = analyzers.get(i) else {
                continue;
            };
            let out = &mut self.outputs[i];
            if let Err(e) = analyzer.analyze(&input, out) {
                out.notes.push(error_note(*analyzer, path, &e));
            }
        }
        if !streams.is_empty() {
            let buffer = std::mem::take(&mut self.buffer);
            for piece in buffer.chunks(CHUNK_BYTES) {
                self.feed(path, &mut streams, piece);
            }
            self.buffer = buffer;
            self.finish_streams(path, streams);
        }
        Ok(())
    }

    /// Hands the rest of a file, after its head in `self.buffer`, to `streams` one
    /// chunk at a time, within the walker's per-file streaming limit.
    fn stream_file(
        &mut self,
        path: &str,
        meta: &FileMeta,
        content: &mut dyn Read,
        rest: u64,
        mut streams: Vec<(usize, Box<dyn FileSink + 'a>)>,
    ) -> io::Result<()> {
        let limit = self.walker.options.max_streamed_file_bytes;
        let head = std::mem::take(&mut self.buffer);
        self.feed(path, &mut streams, &head);
        self.buffer = head;
        let mut chunk = std::mem::take(&mut self.chunk);
        let mut fed = self.buffer.len() as u64;
        let mut remaining = rest;
        while remaining > 0 && !streams.is_empty() && fed < limit {
            let want = remaining.min(CHUNK_BYTES as u64).min(limit - fed);
            chunk.clear();
            let n = content.take(want).read_to_end(&mut chunk)?;
            if n == 0 {
                break;
            }
            fed += n as u64;
            remaining = remaining.saturating_sub(n as u64);
            self.feed(path, &mut streams, &chunk);
        }
        self.chunk = chunk;
        if fed < meta.size && !streams.is_empty() {
            for (i, _) in &streams {
                let Some(analyzer) = self.walker.analyzers.get(*i) else {
                    continue;
                };
                self.outputs[*i].notes.push(ScanNote {
                    level: NoteLevel::Warning,
                    found_by: analyzer.id().to_owned(),
                    location: Location::path(path),
                    message: format!(
                        "file of {} bytes: only its first {fed} bytes were analyzed (the walker \
                         streams at most {limit} bytes of one file)",
                        meta.size
                    ),
                });
            }
        }
        self.finish_streams(path, streams);
        Ok(())
    }

    /// Writes `piece` to every stream; one that fails is dropped with a note.
    fn feed(
        &mut self,
        path: &str,
        streams: &mut Vec<(usize, Box<dyn FileSink + 'a>)>,
        piece: &[u8],
    ) {
        streams.retain_mut(|(i, sink)| match sink.write(piece) {
            Ok(()) => true,
            Err(e) => {
                if let Some(analyzer) = self.walker.analyzers.get(*i) {
                    self.outputs[*i].notes.push(error_note(*analyzer, path, &e));
                }
                false
            }
        });
    }

    fn finish_streams(&mut self, path: &str, streams: Vec<(usize, Box<dyn FileSink + 'a>)>) {
        for (i, sink) in streams {
            let (Some(analyzer), Some(out)) =
                (self.walker.analyzers.get(i), self.outputs.get_mut(i))
            else {
                continue;
            };
            if let Err(e) = sink.finish(out) {
                out.notes.push(error_note(*analyzer, path, &e));
            }
        }
    }

    fn finish(mut self, uncompressed_size: u64) -> LayerScan {
        let mut outputs = BTreeMap::new();
        for (i, analyzer) in self.walker.analyzers.iter().enumerate() {
            let mut out = std::mem::take(&mut self.outputs[i]);
            let o = &self.oversize[i];
            if let Some((size, path)) = &o.largest {
                let message = if o.count == 1 {
                    format!(
                        "file of {size} bytes is larger than the analyzer's limit of {} bytes; not analyzed",
                        analyzer.max_file_size()
                    )
                } else {
                    format!(
                        "{} files larger than the analyzer's limit of {} bytes were not analyzed (the largest, {size} bytes, is shown)",
                        o.count,
                        analyzer.max_file_size()
                    )
                };
                out.notes.push(ScanNote {
                    level: NoteLevel::Warning,
                    found_by: analyzer.id().to_owned(),
                    location: Location::path(path.clone()),
                    message,
                });
            }
            outputs.insert(analyzer.id(), out);
        }
        LayerScan {
            index: self.index,
            outputs,
            uncompressed_size,
        }
    }
}

/// The note for an analyzer that could not make sense of a file it asked for.
fn error_note(analyzer: &dyn Analyzer, path: &str, e: &AnalyzeError) -> ScanNote {
    ScanNote {
        level: NoteLevel::Error,
        found_by: analyzer.id().to_owned(),
        location: Location::path(path),
        message: e.to_string(),
    }
}

/// Chunks in flight between the inflating thread and the walker.
const PIPE_DEPTH: usize = 4;
const CHUNK_BYTES: usize = 256 * 1024;

/// What the inflating thread learned about a layer blob.
struct Inflated {
    /// The blob's digest and size, when it could be read to its end.
    blob: Option<(kensa_core::Digest, u64)>,
    /// Why inflating stopped early, if it did.
    error: Option<io::Error>,
}

/// Runs on the inflating thread: sends the decompressed stream in chunks, then drains the
/// rest of the blob so its digest covers every byte. When the stream is broken, the rest
/// of the blob is still hashed: a blob with the wrong bytes is reported as the wrong blob.
/// Stops early, without a digest, when the walker hangs up (it failed and reports why).
fn inflate_into(
    mut decoder: Decoder<'_>,
    chunks: &mpsc::SyncSender<io::Result<Vec<u8>>>,
    free: &mpsc::Receiver<Vec<u8>>,
) -> Inflated {
    let mut error = None;
    loop {
        let mut buf = free.try_recv().unwrap_or_default();
        buf.resize(CHUNK_BYTES, 0);
        match read_full(&mut decoder, &mut buf) {
            Ok(0) => break,
            Ok(n) => {
                buf.truncate(n);
                if chunks.send(Ok(buf)).is_err() {
                    // The walker stopped and reports why.
                    return Inflated {
                        blob: None,
                        error: None,
                    };
                }
            }
            Err(e) => {
                // The walker reports the stream error; it only needs to stop.
                let _ = chunks.send(Err(io::Error::new(e.kind(), e.to_string())));
                error = Some(e);
                break;
            }
        }
    }
    let drained = decoder.into_inner().and_then(|mut buffered| {
        io::copy(&mut buffered, &mut io::sink())?;
        let (digest, size, _) = buffered.into_inner().finish()?;
        Ok((digest, size))
    });
    match drained {
        Ok(blob) => Inflated {
            blob: Some(blob),
            error,
        },
        Err(e) => Inflated {
            blob: None,
            error: error.or(Some(e)),
        },
    }
}

/// Fills `buf` as far as the stream allows, so chunks are full-sized.
fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The walker's end of the pipe: a `Read` over the chunks the inflating thread sends.
struct PipeReader {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    free: mpsc::SyncSender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.current.len() {
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let used = std::mem::replace(&mut self.current, chunk);
                    // Hand the spent buffer back for reuse; if the queue is full it is freed.
                    let _ = self.free.try_send(used);
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                // The sender is gone: the stream ended.
                Err(_) => return Ok(0),
            }
        }
        let available = &self.current[self.pos..];
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Magic bytes decide, because docker archives carry no media types and some tools
    /// label uncompressed layers `+gzip`; a media type naming an unknown compression is
    /// refused rather than guessed at.
    fn detect(media_type: Option<&str>, magic: &[u8]) -> Option<Compression> {
        if let Some(mt) = media_type {
            let known = mt.ends_with(".tar")
                || mt.ends_with("tar+gzip")
                || mt.ends_with("tar+zstd")
                || mt.ends_with(".tar.gzip")
                || mt == "application/vnd.docker.image.rootfs.diff.tar.gzip"
                || mt == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
            if !known {
                return None;
            }
        }
        Some(if magic.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if magic.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else {
            Compression::None
        })
    }

    fn name(self) -> &'static str {
        match self {
            Compression::None => "tar stream",
            Compression::Gzip => "gzip stream",
            Compression::Zstd => "zstd stream",
        }
    }
}

type RawReader<'s> = BufReader<HashingReader<Box<dyn Read + Send + 's>>>;

enum Decoder<'s> {
    None(RawReader<'s>),
    Gzip(Box<flate2::bufread::MultiGzDecoder<RawReader<'s>>>),
    Zstd(zstd::stream::read::Decoder<'static, RawReader<'s>>),
}

impl<'s> Decoder<'s> {
    fn new(compression: Compression, inner: RawReader<'s>) -> io::Result<Self> {
        Ok(match compression {
            Compression::None => Decoder::None(inner),
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(inner)))
            }
            Compression::Zstd => Decoder::Zstd(zstd::stream::read::Decoder::with_buffer(inner)?),
        })
    }

    fn into_inner(self) -> io::Result<RawReader<'s>> {
        Ok(match self {
            Decoder::None(r) => r,
            Decoder::Gzip(d) => d.into_inner(),
            Decoder::Zstd(d) => d.finish(),
        })
    }
}

impl Read for Decoder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::None(r) => r.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
    }
}
