//! Finding, resolving and rewriting the references of one file.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Mutex;

use kensa_core::Digest;
use kensa_core::pinning::ImageRef;
use kensa_registry::{Client, ClientOptions, Reference, RegistryError};

use crate::PinError;

/// Largest file `kensa pin` reads: the manifest parser's own bound.
const MAX_FILE_BYTES: usize = kensa_manifest::yaml::MAX_FILE_BYTES;

/// A tag reference that a digest can pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The 1-based line.
    pub line: u32,
    /// Its bytes in the file.
    pub span: Range<usize>,
    /// The reference as written.
    pub reference: String,
}

/// A reference left alone, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// The 1-based line.
    pub line: u32,
    /// The reference as written.
    pub reference: String,
    /// Why it is left alone.
    pub why: String,
}

/// One rewrite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// The 1-based line.
    pub line: u32,
    /// The reference as written.
    pub from: String,
    /// What replaces it.
    pub to: String,
}

/// What kind of file, which decides how its references are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A Dockerfile or Containerfile.
    Dockerfile,
    /// YAML or JSON: Kubernetes, ECS, Compose, CloudFormation.
    Manifest,
}

impl Kind {
    /// From the file name: `Dockerfile`, `Containerfile`, `Dockerfile.*`, `*.Dockerfile`
    /// are Dockerfiles; everything else is read as YAML (JSON included).
    pub fn of(path: &Path) -> Kind {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let dockerfile = ["dockerfile", "containerfile"].iter().any(|d| {
            name == *d || name.starts_with(&format!("{d}.")) || name.ends_with(&format!(".{d}"))
        });
        if dockerfile {
            Kind::Dockerfile
        } else {
            Kind::Manifest
        }
    }
}

/// Byte ranges of the lines of a text (without their `\n`), by 1-based number.
pub(crate) struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Line `n`'s bytes, without the newline.
    pub(crate) fn line(&self, n: u32) -> Option<Range<usize>> {
        let i = usize::try_from(n).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.len, |next| next - 1);
        Some(start..end)
    }
}

/// Reads `path` as text, within the size bound.
pub fn read_file(path: &Path) -> Result<String, PinError> {
    let file = path.display().to_string();
    let read = |source| PinError::Read {
        file: file.clone(),
        source,
    };
    let size = fs_err::metadata(path).map_err(read)?.len();
    if usize::try_from(size).map_or(true, |s| s > MAX_FILE_BYTES) {
        return Err(PinError::TooLarge {
            file,
            size,
            limit: MAX_FILE_BYTES,
        });
    }
    let bytes = fs_err::read(path).map_err(read)?;
    String::from_utf8(bytes).map_err(|_| PinError::NotText { file })
}

/// The references of `text` (the file `file`, of `kind`) that could be pinned, and
/// those left alone.
pub fn find(file: &str, kind: Kind, text: &str) -> Result<(Vec<Site>, Vec<Skipped>), PinError> {
    match kind {
        Kind::Dockerfile => crate::dockerfile::find(file, text),
        Kind::Manifest => crate::manifest::find(file, text),
    }
}

/// Tells the digest a tag names now.
pub trait Resolver {
    /// The manifest (or index) digest `reference` names; the error says why not.
    fn resolve(&self, reference: &str) -> Result<Digest, String>;
}

/// Resolves through a registry client, with `kensa image`'s options (auth, TLS,
/// `--insecure`); each reference is asked once per run.
pub struct RegistryResolver {
    client: Client,
    seen: Mutex<HashMap<String, Result<Digest, String>>>,
}

impl RegistryResolver {
    /// A resolver with these client options.
    pub fn new(options: ClientOptions) -> Result<RegistryResolver, RegistryError> {
        Ok(RegistryResolver {
            client: Client::new(options)?,
            seen: Mutex::new(HashMap::new()),
        })
    }
}

impl Resolver for RegistryResolver {
    fn resolve(&self, reference: &str) -> Result<Digest, String> {
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(known) = seen.get(reference) {
            return known.clone();
        }
        let resolved = Reference::parse(reference)
            .and_then(|r| self.client.manifest(&r))
            .map(|m| m.digest)
            .map_err(|e| e.to_string());
        seen.insert(reference.to_owned(), resolved.clone());
        resolved
    }
}

/// The rewrite of one file: every tag reference found, resolved and pinned.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The file, as named on the command line.
    pub file: String,
    /// Its text before.
    pub original: String,
    /// Its text after; equal to `original` outside the edits.
    pub rewritten: String,
    /// The rewrites, in file order.
    pub edits: Vec<Edit>,
    /// The references left alone, in file order.
    pub skipped: Vec<Skipped>,
}

/// Finds the references of `text`, resolves each through `resolver` and splices the
/// digest into its span. The first reference that cannot be resolved is an error
/// naming it and its `file:line`, so a half-pinned file is never the outcome.
pub fn plan(
    file: &str,
    kind: Kind,
    text: &str,
    resolver: &dyn Resolver,
) -> Result<FilePlan, PinError> {
    let (mut sites, mut skipped) = find(file, kind, text)?;
    sites.sort_by_key(|s| s.span.start);
    skipped.sort_by_key(|s| s.line);
    let mut rewritten = String::with_capacity(text.len() + sites.len() * 80);
    let mut edits = Vec::new();
    let mut done = 0;
    for site in &sites {
        let digest = resolver
            .resolve(&site.reference)
            .map_err(|message| PinError::Resolve {
                file: file.to_owned(),
                line: site.line,
                reference: site.reference.clone(),
                message,
            })?;
        let to = pinned(&site.reference, &digest);
        rewritten.push_str(text.get(done..site.span.start).unwrap_or_default());
        rewritten.push_str(&to);
        done = site.span.end;
        edits.push(Edit {
            line: site.line,
            from: site.reference.clone(),
            to,
        });
    }
    rewritten.push_str(text.get(done..).unwrap_or_default());
    Ok(FilePlan {
        file: file.to_owned(),
        original: text.to_owned(),
        rewritten,
        edits,
        skipped,
    })
}

/// `name:tag@digest`, the tag kept for readers; a reference without one gets the
/// `latest` it was resolved as, so the line says which tag the digest came from.
fn pinned(reference: &str, digest: &Digest) -> String {
    match ImageRef::parse(reference).tag {
        Some(_) => format!("{reference}@{digest}"),
        None => format!("{reference}:latest@{digest}"),
    }
}

impl FilePlan {
    /// Whether anything would change.
    pub fn changed(&self) -> bool {
        !self.edits.is_empty()
    }

    /// The unified diff of the rewrite (empty when nothing changes), with the file's
    /// name on both sides as given, so `patch -p0` applies it.
    pub fn diff(&self) -> String {
        if !self.changed() {
            return String::new();
        }
        similar::TextDiff::from_lines(&self.original, &self.rewritten)
            .unified_diff()
            .context_radius(3)
            .header(&self.file, &self.file)
            .to_string()
    }

    /// Writes the rewritten text over `path`.
    pub fn write(&self, path: &Path) -> Result<(), PinError> {
        fs_err::write(path, &self.rewritten).map_err(|source| PinError::Write {
            file: self.file.clone(),
            source,
        })
    }
}

/// Sites and skips as `(line, text)` pairs, for tests.
#[cfg(test)]
pub(crate) type Lines = Vec<(u32, String)>;

#[cfg(test)]
pub(crate) fn lines_of(text: &str, (sites, skipped): (Vec<Site>, Vec<Skipped>)) -> (Lines, Lines) {
    (
        sites
            .iter()
            .map(|s| {
                (
                    s.line,
                    text.get(s.span.clone()).unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        skipped
            .iter()
            .map(|s| (s.line, s.reference.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Table(Vec<(&'static str, Digest)>);

    impl Resolver for Table {
        fn resolve(&self, reference: &str) -> Result<Digest, String> {
            self.0
                .iter()
                .find(|(r, _)| *r == reference)
                .map(|(_, d)| d.clone())
                .ok_or_else(|| "manifest unknown".to_owned())
        }
    }

    fn digest(c: char) -> Digest {
        format!("sha256:{}", c.to_string().repeat(64))
            .parse()
            .unwrap()
    }

    #[test]
    fn only_the_spans_change() {
        let text = "# base\nFROM  golang:1.22  AS build # keep\n\nFROM nginx\r\n";
        let table = Table(vec![("golang:1.22", digest('a')), ("nginx", digest('b'))]);
        let plan = plan("Dockerfile", Kind::Dockerfile, text, &table).unwrap();
        assert_eq!(
            plan.rewritten,
            format!(
                "# base\nFROM  golang:1.22@{}  AS build # keep\n\nFROM nginx:latest@{}\r\n",
                digest('a'),
                digest('b')
            )
        );
        assert_eq!(plan.edits.len(), 2);
    }

    #[test]
    fn an_unresolvable_tag_names_file_and_line() {
        let table = Table(Vec::new());
        let e = plan(
            "k8s/pod.yaml",
            Kind::Manifest,
            "a:\n  image: app:9\n",
            &table,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`k8s/pod.yaml:2`: cannot resolve `app:9`: manifest unknown"
        );
    }

    #[test]
    fn kinds_come_from_the_name() {
        for d in [
            "Dockerfile",
            "app.Dockerfile",
            "Dockerfile.prod",
            "Containerfile",
        ] {
            assert_eq!(Kind::of(Path::new(d)), Kind::Dockerfile, "{d}");
        }
        assert_eq!(Kind::of(Path::new("deploy.yaml")), Kind::Manifest);
    }

    #[test]
    fn lines_are_indexed_without_their_newline() {
        let index = LineIndex::new("a\nbc\n");
        assert_eq!(index.line(1), Some(0..1));
        assert_eq!(index.line(2), Some(2..4));
        assert_eq!(index.line(3), Some(5..5));
        assert_eq!(index.line(4), None);
        assert_eq!(index.line(0), None);
    }
}
