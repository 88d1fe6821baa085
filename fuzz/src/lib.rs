//! What the fuzz targets share: the input formats (decoded by the targets in
//! `fuzz_targets/`, encoded by the `seeds` binary, so the two cannot drift apart) and the
//! scratch files that image sources need, since kensa reads images from disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kensa_core::{Analyzer, FileKind, FileMeta, PathSpec};
use sha2::{Digest as _, Sha256};

/// Every analyzer a scan can run: packages, OS detection, content rules, Dockerfile lint
/// and secrets, in a fixed order (the first input byte indexes it).
pub fn analyzers() -> &'static [&'static dyn Analyzer] {
    static ALL: OnceLock<Vec<&'static dyn Analyzer>> = OnceLock::new();
    ALL.get_or_init(|| {
        let extra: [&'static dyn Analyzer; 2] = [
            &kensa_dockerfile::DOCKERFILE_ANALYZER,
            &kensa_secret::SECRET_ANALYZER,
        ];
        kensa_pkg::ANALYZERS
            .iter()
            .copied()
            .chain(kensa_rules::CONTENT_ANALYZERS.iter().copied())
            .chain(extra)
            .collect()
    })
}

/// A path that `spec` matches: globs get `a` for `**` and `x` for `*`.
pub fn spec_path(spec: &PathSpec) -> String {
    match spec {
        PathSpec::Exact(p) => (*p).to_owned(),
        PathSpec::FileName(n) => format!("srv/app/{n}"),
        PathSpec::Suffix(s) => format!("srv/app/x{s}"),
        PathSpec::Glob(g) => g.replace("**", "a").replace('*', "x"),
        PathSpec::AnyFile => "srv/app/file.txt".to_owned(),
    }
}

/// The `analyzer` target's input: `[analyzer][want][flags] content…`. Flag bit 0 makes the
/// file executable (binary analyzers decline anything else).
pub mod analyzer_input {
    use super::*;

    /// One file for one analyzer, decoded.
    pub struct Decoded<'a> {
        pub analyzer: &'static dyn Analyzer,
        pub path: String,
        pub meta: FileMeta,
        pub content: &'a [u8],
    }

    pub fn decode(data: &[u8]) -> Option<Decoded<'_>> {
        let [a, w, flags, content @ ..] = data else {
            return None;
        };
        let all = analyzers();
        let analyzer = *all.get(usize::from(*a) % all.len())?;
        let wants = analyzer.wants();
        let spec = wants.get(usize::from(*w) % wants.len().max(1))?;
        Some(Decoded {
            analyzer,
            path: spec_path(spec),
            meta: file_meta(flags & 1 != 0, content.len()),
            content,
        })
    }

    /// Encodes `content` for the analyzer with this id and the first of its wants whose
    /// path ends with `path_suffix`.
    pub fn encode(id: &str, path_suffix: &str, exec: bool, content: &[u8]) -> Option<Vec<u8>> {
        let all = analyzers();
        let a = all.iter().position(|a| a.id() == id)?;
        let w = all[a]
            .wants()
            .iter()
            .position(|w| spec_path(w).ends_with(path_suffix))?;
        let mut out = vec![u8::try_from(a).ok()?, u8::try_from(w).ok()?, u8::from(exec)];
        out.extend_from_slice(content);
        Some(out)
    }
}

/// Metadata of a regular file of `len` bytes.
pub fn file_meta(exec: bool, len: usize) -> FileMeta {
    FileMeta {
        kind: FileKind::Regular,
        mode: if exec { 0o755 } else { 0o644 },
        uid: 0,
        gid: 0,
        size: len as u64,
        link_target: None,
    }
}

/// Runs one analyzer on one file the way the walker does: `accepts` on the head first,
/// the size limit, then `analyze`. Errors are the analyzer's way of refusing input.
pub fn run_analyzer(analyzer: &dyn Analyzer, path: &str, meta: &FileMeta, content: &[u8]) {
    let head = &content[..content.len().min(kensa_core::HEAD_BYTES)];
    if content.len() as u64 > analyzer.max_file_size() || !analyzer.accepts(meta, head) {
        return;
    }
    let file = kensa_core::FileInput {
        path,
        meta,
        content,
    };
    let mut out = kensa_core::AnalysisOutput::default();
    match analyzer.analyze(&file, &mut out) {
        Ok(()) => debug(&format_args!(
            "{} `{path}`: {} packages, {} findings, {} notes",
            analyzer.id(),
            out.packages.len(),
            out.findings.len(),
            out.notes.len()
        )),
        Err(e) => debug(&format_args!("{} `{path}`: {e}", analyzer.id())),
    }
}

/// Prints why an input was refused, or what an analyzer made of it, when `KENSA_FUZZ_DEBUG` is set, to check that seeds
/// get as deep as meant (`KENSA_FUZZ_DEBUG=1 target -runs=0 corpus/target`).
pub fn debug(e: &dyn std::fmt::Display) {
    static ON: OnceLock<bool> = OnceLock::new();
    if *ON.get_or_init(|| std::env::var_os("KENSA_FUZZ_DEBUG").is_some()) {
        eprintln!("{e}");
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex(bytes))
}

/// The hex sha256 of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A directory for this process's scratch files, on tmpfs when there is one.
pub fn scratch_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let shm = Path::new("/dev/shm");
        let builder = tempfile::Builder::new()
            .prefix("kensa-fuzz-")
            .tempdir_in(shm);
        builder
            .or_else(|_| tempfile::tempdir())
            .unwrap_or_else(|e| panic!("no scratch directory: {e}"))
    })
    .path()
}

/// A tar archive of `(name, bytes)` members, in order.
pub fn tar_of(members: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, bytes) in members {
        let mut h = tar::Header::new_ustar();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, bytes.as_slice())
            .unwrap_or_else(|e| panic!("tar member `{name}`: {e}"));
    }
    b.into_inner().unwrap_or_else(|e| panic!("tar finish: {e}"))
}

/// Writes `bytes` to `path`, replacing it.
pub fn write(path: &Path, bytes: &[u8]) {
    let mut f = fs_err::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    f.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
}

/// gzip of `bytes`.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
    enc.finish().unwrap_or_else(|e| panic!("{e}"))
}

/// The `layer_walk` target's input: `[mode] …`. Mode bits 0-1 pick how the bytes become a
/// layer blob (0: a tar as is; 1: a tar the harness gzips; 2 and 3: a blob as is, gzip or
/// zstd or anything, with a diff_id that cannot match). Mode bit 2 makes two layers: two
/// little-endian bytes give the first layer's length, the rest is the second layer, so
/// whiteouts in the upper one meet entries of the lower one.
pub mod layer_input {
    use super::*;

    /// A layer blob and the diff_id the config claims for it.
    pub struct Blob {
        pub bytes: Vec<u8>,
        pub diff_id: String,
    }

    pub fn decode(data: &[u8]) -> Option<Vec<Blob>> {
        let [mode, rest @ ..] = data else {
            return None;
        };
        let parts: Vec<&[u8]> = if mode & 4 != 0 {
            let [lo, hi, rest @ ..] = rest else {
                return None;
            };
            let n = usize::from(u16::from_le_bytes([*lo, *hi])).min(rest.len());
            let (a, b) = rest.split_at(n);
            vec![a, b]
        } else {
            vec![rest]
        };
        Some(
            parts
                .into_iter()
                .map(|p| match mode & 3 {
                    0 => Blob {
                        bytes: p.to_vec(),
                        diff_id: sha256(p),
                    },
                    1 => Blob {
                        bytes: gzip(p),
                        diff_id: sha256(p),
                    },
                    _ => Blob {
                        bytes: p.to_vec(),
                        diff_id: format!("sha256:{}", "0".repeat(64)),
                    },
                })
                .collect(),
        )
    }

    /// One or two layers in `mode` (see the module docs).
    pub fn encode(mode: u8, layers: &[&[u8]]) -> Vec<u8> {
        let mut out = vec![mode];
        match layers {
            [one] => out.extend_from_slice(one),
            [lower, upper] => {
                out[0] |= 4;
                let n = u16::try_from(lower.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&n.to_le_bytes());
                out.extend_from_slice(&lower[..usize::from(n)]);
                out.extend_from_slice(upper);
            }
            _ => {}
        }
        out
    }
}

/// A classic docker-archive at a fresh path holding these layer blobs, with a config
/// whose `rootfs.diff_ids` are the given ones.
pub fn docker_archive(blobs: &[layer_input::Blob]) -> PathBuf {
    let diff_ids: Vec<&str> = blobs.iter().map(|b| b.diff_id.as_str()).collect();
    let history: Vec<_> = blobs
        .iter()
        .map(|_| serde_json::json!({"created_by": "RUN fuzz"}))
        .collect();
    let config = serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"User": "root"},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    });
    let layers: Vec<String> = (0..blobs.len()).map(|i| format!("{i}/layer.tar")).collect();
    let manifest = serde_json::json!([{
        "Config": "config.json",
        "RepoTags": ["fuzz:latest"],
        "Layers": layers,
    }]);
    let mut members = vec![
        (
            "manifest.json".to_owned(),
            manifest.to_string().into_bytes(),
        ),
        ("config.json".to_owned(), config.to_string().into_bytes()),
    ];
    for (name, blob) in layers.iter().zip(blobs) {
        members.push((name.clone(), blob.bytes.clone()));
    }
    let path = scratch_dir().join("layer.tar");
    write(&path, &tar_of(&members));
    path
}

/// The `image_source` target's input: `[layout] doc0 SEP doc1 SEP …`. `doc0` is the
/// top-level document (`manifest.json` for layout 0, a docker-archive; `index.json` for
/// layout 1, an OCI layout directory, and layout 2, an OCI archive); every other doc is a
/// blob stored under its own digest (and, in docker archives, also as `<hex>.json`).
/// A doc may name a later doc `n` (1-9) by `@Dn` (`sha256:<hex>`), `@Hn` (`<hex>`) and
/// `@Sn` (its length), so mutated documents keep pointing at each other.
pub mod source_input {
    use super::*;

    /// The separator between documents.
    pub const SEP: &[u8] = b"\n@@@\n";

    /// Where the documents go.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Layout {
        DockerArchive,
        OciLayout,
        OciArchive,
    }

    pub fn decode(data: &[u8]) -> Option<(Layout, Vec<Vec<u8>>)> {
        let [layout, rest @ ..] = data else {
            return None;
        };
        let layout = match layout % 3 {
            0 => Layout::DockerArchive,
            1 => Layout::OciLayout,
            _ => Layout::OciArchive,
        };
        let mut docs: Vec<Vec<u8>> = split(rest, SEP).into_iter().map(<[u8]>::to_vec).collect();
        docs.truncate(10);
        // Resolve from the last document down, so each one is final when named.
        for i in (0..docs.len()).rev() {
            let mut doc = std::mem::take(&mut docs[i]);
            for (j, later) in docs.iter().enumerate().skip(i + 1) {
                let h = hex(later);
                doc = replace(
                    &doc,
                    format!("@D{j}").as_bytes(),
                    format!("sha256:{h}").as_bytes(),
                );
                doc = replace(&doc, format!("@H{j}").as_bytes(), h.as_bytes());
                doc = replace(
                    &doc,
                    format!("@S{j}").as_bytes(),
                    later.len().to_string().as_bytes(),
                );
            }
            docs[i] = doc;
        }
        Some((layout, docs))
    }

    pub fn encode(layout: Layout, docs: &[Vec<u8>]) -> Vec<u8> {
        let mut out = vec![match layout {
            Layout::DockerArchive => 0,
            Layout::OciLayout => 1,
            Layout::OciArchive => 2,
        }];
        for (i, d) in docs.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(SEP);
            }
            out.extend_from_slice(d);
        }
        out
    }

    /// Writes the documents as an image input and returns it.
    pub fn materialise(layout: Layout, docs: &[Vec<u8>]) -> Option<kensa_image::ImageInput> {
        let (top, blobs) = docs.split_first()?;
        let mut members: Vec<(String, Vec<u8>)> = Vec::new();
        let top_name = match layout {
            Layout::DockerArchive => "manifest.json",
            _ => "index.json",
        };
        members.push((top_name.to_owned(), top.clone()));
        if layout != Layout::DockerArchive {
            members.push((
                "oci-layout".to_owned(),
                br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
            ));
        }
        for b in blobs {
            let h = hex(b);
            members.push((format!("blobs/sha256/{h}"), b.clone()));
            if layout == Layout::DockerArchive {
                members.push((format!("{h}.json"), b.clone()));
            }
        }
        members.sort_by(|a, b| a.0.cmp(&b.0));
        members.dedup_by(|a, b| a.0 == b.0);
        let base = scratch_dir();
        Some(match layout {
            Layout::OciLayout => {
                let dir = base.join("layout");
                let _ = fs_err::remove_dir_all(&dir);
                fs_err::create_dir_all(dir.join("blobs/sha256")).ok()?;
                for (name, bytes) in &members {
                    write(&dir.join(name), bytes);
                }
                kensa_image::ImageInput::OciLayout(dir)
            }
            _ => {
                let path = base.join("image.tar");
                write(&path, &tar_of(&members));
                kensa_image::ImageInput::Archive(path)
            }
        })
    }

    /// Replaces literal digests, hexes and sizes of later documents with placeholders, for
    /// seeds made from real images.
    pub fn placeholders(docs: &mut [Vec<u8>]) {
        let facts: Vec<(String, usize)> = docs.iter().map(|d| (hex(d), d.len())).collect();
        for (i, doc) in docs.iter_mut().enumerate() {
            for (j, (h, len)) in facts.iter().enumerate().skip(i + 1) {
                *doc = replace(
                    doc,
                    format!("sha256:{h}").as_bytes(),
                    format!("@D{j}").as_bytes(),
                );
                *doc = replace(doc, h.as_bytes(), format!("@H{j}").as_bytes());
                *doc = replace(
                    doc,
                    format!("\"size\":{len}").as_bytes(),
                    format!("\"size\":@S{j}").as_bytes(),
                );
            }
        }
    }
}

/// The `manifest` target's input: `[mode]` + files separated by `\n@@@\n`. The first
/// file is `deploy/m.yaml`; the others are `deploy/f1.yaml`, `deploy/f2.yaml`, …, which
/// the first may name in a Compose `extends.file`. Mode bit 0 turns the secret rules on.
pub mod manifest_input {
    /// The separator between files.
    pub const SEP: &[u8] = b"\n@@@\n";

    /// A decoded input.
    pub struct Decoded {
        /// `deploy/m.yaml`.
        pub main: String,
        /// The other files, by name.
        pub others: Vec<(String, String)>,
        /// Whether to run the secret rules.
        pub secrets: bool,
    }

    /// Takes `data` apart; `None` when it is not UTF-8.
    pub fn decode(data: &[u8]) -> Option<Decoded> {
        let (mode, rest) = data.split_first()?;
        let mut files = super::split(rest, SEP).into_iter();
        let main = std::str::from_utf8(files.next()?).ok()?.to_owned();
        let others = files
            .enumerate()
            .filter_map(|(i, f)| {
                Some((
                    format!("deploy/f{}.yaml", i + 1),
                    std::str::from_utf8(f).ok()?.to_owned(),
                ))
            })
            .collect();
        Some(Decoded {
            main,
            others,
            secrets: mode & 1 == 1,
        })
    }

    /// `main` and `others` as an input with `mode`.
    pub fn encode(mode: u8, main: &str, others: &[&str]) -> Vec<u8> {
        let mut out = vec![mode];
        out.extend_from_slice(main.as_bytes());
        for o in others {
            out.extend_from_slice(SEP);
            out.extend_from_slice(o.as_bytes());
        }
        out
    }

    /// Serves the other files from the input, never the disk.
    pub struct Files(pub Vec<(String, String)>);

    impl kensa_manifest::Loader for Files {
        fn load(&self, path: &str) -> Result<Option<String>, String> {
            self.0
                .iter()
                .find(|(name, _)| name == path)
                .map(|(_, text)| Some(text.clone()))
                .ok_or_else(|| "no such file".to_owned())
        }
    }
}

/// `haystack` split on every `sep`.
pub fn split<'a>(haystack: &'a [u8], sep: &[u8]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut rest = haystack;
    while let Some(at) = find(rest, sep) {
        out.push(&rest[..at]);
        rest = &rest[at + sep.len()..];
    }
    out.push(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// `haystack` with every `from` replaced by `to`.
pub fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let parts = split(haystack, from);
    parts.join(to)
}
