//! Shared types of kensa: the vocabulary every other crate speaks.
//!
//! Nothing here does I/O. Image sources, analyzers, rules and renderers all meet on
//! these types: a [`Digest`] names a blob, an [`Analyzer`](analyzer::Analyzer) turns
//! files into [`Package`]s, [`Finding`]s and [`ScanNote`]s, a [`RuleMeta`] describes a
//! rule of any family (listed in its [`RuleSet`]), and a [`Report`] carries everything a
//! renderer needs.
#![warn(missing_docs)]

pub mod analyzer;
pub mod artifact;
pub mod cache_key;
pub mod digest;
pub mod docs;
pub mod finding;
pub mod package;
pub mod pinning;
pub mod purl;
pub mod report;
pub mod rule;
pub mod section;
pub mod severity;

pub use analyzer::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FileKind, FileMeta, FileSink, FindingPolicy,
    HEAD_BYTES, LockGraph, LockNode, OwnedFiles, PathAllowlist, PathSpec, ProjectManifest,
    TextScanner,
};
pub use artifact::{
    Artifact, ArtifactKind, ConfigSummary, History, ImageConfig, LayerInfo, OsInfo,
};
pub use cache_key::{CacheKey, KEY_ENCODING, KeyBuilder};
pub use digest::{Digest, DigestError};
pub use finding::{
    CvssMetric, EpssScore, Finding, KevEntry, Location, NoteLevel, Priority, ScanNote, Scanner,
    SeveritySource, SourceKind, SuppressedFinding, VulnDetails,
};
pub use package::{Ecosystem, Package, Relationship, pep503};
pub use purl::Purl;
pub use report::{Report, SCHEMA_VERSION, Summary, TargetResult, VerifiedSignature};
pub use rule::{RuleDoc, RuleGroup, RuleMeta, RuleSet, check_rule_set};
pub use section::Section;
pub use severity::Severity;
