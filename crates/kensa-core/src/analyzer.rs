//! The contract between the layer walker and the analyzers.
//!
//! An analyzer declares which paths it wants ([`PathSpec`]); the walker reads each layer
//! once, matches every entry against all declarations at the same time, reads a file's
//! content once if any analyzer wants it, and hands the same bytes to each of them.

use serde::{Deserialize, Serialize};

use crate::{Ecosystem, Finding, OsInfo, Package, ScanNote, Scanner, SuppressedFinding};

/// A path an analyzer wants to see. Paths are relative to the image root, `/`-separated,
/// without a leading `/` or `./` (`etc/os-release`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathSpec {
    /// Exactly this path.
    Exact(&'static str),
    /// Any file with this name, in any directory.
    FileName(&'static str),
    /// Any path ending with this text (`.dist-info/METADATA`).
    Suffix(&'static str),
    /// A glob (`**/node_modules/*/package.json`), with `*` not crossing `/`.
    Glob(&'static str),
    /// Every regular file, for content scanners.
    AnyFile,
}

/// How documents and help show a path spec: `/etc/os-release`, any `Dockerfile`,
/// `*.key`, a glob, every regular file.
impl std::fmt::Display for PathSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathSpec::Exact(path) => write!(f, "`/{path}`"),
            PathSpec::FileName(name) => write!(f, "any `{name}`"),
            PathSpec::Suffix(suffix) => write!(f, "`*{suffix}`"),
            PathSpec::Glob(glob) => write!(f, "`{glob}`"),
            PathSpec::AnyFile => f.write_str("every regular file"),
        }
    }
}

/// What kind of entry a path is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file.
    Regular,
    /// A directory.
    Dir,
    /// A symbolic link (never followed).
    Symlink,
    /// A hard link to another path of the same layer.
    Hardlink,
    /// Devices, FIFOs and anything else.
    Other,
}

/// The metadata of one filesystem entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileMeta {
    /// What it is.
    pub kind: FileKind,
    /// Permission bits, including setuid (`0o4000`) and setgid (`0o2000`).
    pub mode: u32,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
    /// Size in bytes (0 for non-regular entries).
    pub size: u64,
    /// The link target, for symlinks and hardlinks, as written (never resolved).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub link_target: Option<String>,
}

/// One file handed to an analyzer.
#[derive(Debug)]
pub struct FileInput<'a> {
    /// The normalised path.
    pub path: &'a str,
    /// Its metadata.
    pub meta: &'a FileMeta,
    /// Its whole content (the walker has already applied the size limit).
    pub content: &'a [u8],
}

/// How much of a file [`Analyzer::accepts`] sees.
pub const HEAD_BYTES: usize = 8192;

/// What analyzers produce for one layer or directory; stored in the layer cache.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOutput {
    /// Packages found.
    #[serde(default)]
    pub packages: Vec<Package>,
    /// Findings.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Findings the input itself asks to ignore (a manifest's `kensa.io/ignore`), or
    /// that what was scanned with it clears, each with the reason: listed, not dropped.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<SuppressedFinding>,
    /// Things that could not be checked.
    #[serde(default)]
    pub notes: Vec<ScanNote>,
    /// The operating system, if this input says what it is.
    #[serde(default)]
    pub os: Option<OsInfo>,
    /// File lists kept apart from their package's record (dpkg's `info/*.list`); the scan
    /// joins them to the surviving package of the same ecosystem and name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub owned_files: Vec<OwnedFiles>,
    /// What project manifests declare (`Cargo.toml`, `package.json`, `pyproject.toml`);
    /// the scan joins them to the lockfiles beside them after the walk.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub manifests: Vec<ProjectManifest>,
    /// The dependency graphs of lockfiles that record no dev flag (`Cargo.lock`,
    /// `yarn.lock`), for the same join.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lock_graphs: Vec<LockGraph>,
}

/// What one project manifest declares about the project it describes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectManifest {
    /// The manifest's path.
    pub path: String,
    /// The project's name, when it has one (a virtual workspace root has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The project's version, when it declares one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Names of what it needs to run or build (normal, build, optional dependencies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<String>,
    /// Names of what it needs only to develop (dev-dependencies, devDependencies).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dev_dependencies: Vec<String>,
    /// The workspace members' directories it declares, as globs relative to its own
    /// (package.json `workspaces`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workspaces: Vec<String>,
}

/// A lockfile's packages and the edges between them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockGraph {
    /// The lockfile's path (the `location.path` of its packages).
    pub path: String,
    /// Every locked package.
    pub nodes: Vec<LockNode>,
    /// Directories, relative to the lockfile's, of workspace members the lock records
    /// without naming them (pnpm importers); their manifests name them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workspace_dirs: Vec<String>,
}

/// One locked package.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockNode {
    /// Its name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The project's own code (a Cargo workspace member or path dependency): its edges
    /// mix every kind of dependency, so its manifest says which are for development.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub member: bool,
    /// Indexes into [`LockGraph::nodes`] of what it depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<usize>,
}

/// The files one package owns, as recorded in a file of their own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnedFiles {
    /// The owning package's ecosystem.
    pub ecosystem: Ecosystem,
    /// The owning package's name (for dpkg, without the `:arch` qualifier).
    pub package: String,
    /// Normalised paths (relative, `/`-separated), as the package database lists them.
    pub files: Vec<String>,
}

impl AnalysisOutput {
    /// Appends everything `other` holds.
    pub fn extend(&mut self, other: AnalysisOutput) {
        self.packages.extend(other.packages);
        self.findings.extend(other.findings);
        self.suppressed.extend(other.suppressed);
        self.notes.extend(other.notes);
        self.owned_files.extend(other.owned_files);
        self.manifests.extend(other.manifests);
        self.lock_graphs.extend(other.lock_graphs);
        if other.os.is_some() {
            self.os = other.os;
        }
    }

    /// True when nothing was produced.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
            && self.findings.is_empty()
            && self.suppressed.is_empty()
            && self.notes.is_empty()
            && self.os.is_none()
            && self.owned_files.is_empty()
    }
}

/// An analyzer could not make sense of a file it asked for. The walker turns this into
/// a [`ScanNote`] that names the analyzer and the path, so nothing fails silently.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct AnalyzeError(pub String);

impl AnalyzeError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        AnalyzeError(message.into())
    }
}

/// Takes one file's content piece by piece as the walker reads it, so a file of any size
/// is analyzed without being held whole (see [`Analyzer::stream`]).
pub trait FileSink {
    /// The next piece of the file. Pieces arrive in order and together make the whole
    /// file, starting with the head [`Analyzer::accepts`] saw. After an error no more
    /// pieces come and [`FileSink::finish`] is not called; the walker notes the error.
    fn write(&mut self, piece: &[u8]) -> Result<(), AnalyzeError>;
    /// The file has ended (or the walker stopped reading it, and says so in a note).
    fn finish(self: Box<Self>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError>;
}

/// Turns files into packages, findings and notes.
///
/// Implementations are unit structs listed in a registry slice. They must be pure
/// functions of the file they are given and their settings: results are cached under a
/// [`CacheKey`](crate::CacheKey) of the layer digest, [`Analyzer::id`],
/// [`Analyzer::version`] and [`Analyzer::settings_digest`], so a change in behaviour
/// must bump the version and a change of settings must change the digest.
pub trait Analyzer: Sync {
    /// A stable, unique id such as `dpkg` or `secret`.
    fn id(&self) -> &'static str;
    /// The code version: bumped whenever the output for the same input and settings
    /// changes.
    fn version(&self) -> u32;
    /// A digest of whatever else decides the output (user settings, a rule table, a
    /// signature database), built with a [`KeyBuilder`](crate::KeyBuilder); `None` when
    /// the code alone decides it.
    fn settings_digest(&self) -> Option<crate::Digest> {
        None
    }
    /// The scanner this analyzer serves; `None` when it runs for every scan (OS detection).
    fn scanner(&self) -> Option<Scanner>;
    /// The paths this analyzer wants.
    fn wants(&self) -> &'static [PathSpec];
    /// The largest file it wants; a larger one is skipped with a note.
    fn max_file_size(&self) -> u64 {
        16 * 1024 * 1024
    }
    /// Whether this analyzer wants a file it matched by path, judged from its metadata and
    /// its first [`HEAD_BYTES`] bytes (fewer for smaller files). The walker asks before
    /// reading a file whole, so content scanners can decline binaries and binary analyzers
    /// can decline everything that is not an executable, without the walker buffering it.
    fn accepts(&self, meta: &FileMeta, head: &[u8]) -> bool {
        let _ = (meta, head);
        true
    }
    /// Analyzes one file.
    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError>;
    /// For an accepted file larger than [`Analyzer::max_file_size`]: a sink that takes
    /// its content in pieces as the walker reads it, instead of a copy of the whole file.
    /// `None` (the default) skips such a file with a note. An analyzer that wants every
    /// file streamed returns a `max_file_size` of 0.
    fn stream<'s>(&'s self, path: &str, meta: &FileMeta) -> Option<Box<dyn FileSink + 's>> {
        let _ = (path, meta);
        None
    }
    /// What the scan does with this analyzer's findings once the layers are stacked.
    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy::default()
    }
    /// A path allowlist this analyzer keeps for the whole scan: the scan applies it to
    /// the findings of every analyzer and rule whose [`FindingPolicy::allowlisted`] says
    /// so, whether or not this analyzer's own scanner runs.
    fn path_allowlist(&self) -> Option<&dyn PathAllowlist> {
        None
    }
    /// A scanner of strings that are not files (image config `Env`, labels, history) this
    /// analyzer offers to the image rules.
    fn text_scanner(&self) -> Option<&dyn TextScanner> {
        None
    }
    /// Notes about the analyzer's own setup, reported once per scan that runs it (what
    /// of a signature database was not loaded, and why).
    fn notes(&self) -> Vec<ScanNote> {
        Vec::new()
    }
}

/// What the scan does with an analyzer's (or a rule's) findings after the walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FindingPolicy {
    /// Kept even when a later layer deletes or hides the file: the bytes are still in
    /// the image for anyone who pulls it (secrets). Otherwise a finding about a file
    /// that does not survive in the final image is dropped.
    pub survives_deletion: bool,
    /// Dropped when a [`PathAllowlist`] of the scan allows the finding's path (vendored
    /// test fixtures, documentation, the user's `secret.allow_paths`).
    pub allowlisted: bool,
}

/// Paths whose findings are not reported.
pub trait PathAllowlist: Sync {
    /// Whether findings on `path` (relative, `/`-separated) are dropped.
    fn allows(&self, path: &str) -> bool;
}

/// Finds problems in a string that is not a file.
pub trait TextScanner: Sync {
    /// The findings in `text`; `source` names where it came from, for their locations.
    fn scan_text(&self, source: &str, text: &str) -> Vec<Finding>;
}
