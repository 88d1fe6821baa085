//! Advisory store, OSV import, version schemes and vulnerability matching.
//!
//! Matching (SP 800-190 4.1.1) compares an installed package's version with an advisory's
//! ranges in the package ecosystem's own ordering; [`version`] holds one parser and ordering
//! per scheme, so that "is `1.0~rc1` before `1.0`" is answered the way dpkg, rpm or pip would.
//!
//! # Using it
//!
//! Build a database from OSV files, directories or osv.dev `all.zip` archives:
//!
//! ```ignore
//! let mut b = kensa_vuln::DbBuilder::new();
//! b.add_path(Path::new("osv/Debian/all.zip"))?;   // or a .json file, or a directory
//! let summary = b.build(&db_dir)?;                // atomic: temp file + rename
//! // summary.info: sources, records per ecosystem family, import stats;
//! // summary.issues: every record or field left out, naming file, id and field.
//! ```
//!
//! Open it and match an inventory (`VulnDb::open` reads only the metadata):
//!
//! ```ignore
//! let db = kensa_vuln::VulnDb::open(&db_dir)?;      // VulnError::NoDatabase if none
//! let age = db.info().age_days(now_secs);
//! let result = db.match_packages(&packages, os_info.as_ref());
//! // result.findings: Vec<VulnMatch>, one per vulnerability per package, aliases merged;
//! // result.notes: unverifiable versions, releases missing from the database, read errors.
//! ```
//!
//! Suppress, then turn into report findings:
//!
//! ```ignore
//! let mut s = kensa_vuln::Suppressions::new();
//! s.load_ignore_file(Path::new(".kensaignore"))?;  // format: see [`suppress`]
//! s.load_vex(Path::new("app.openvex.json"))?;     // OpenVEX or CycloneDX, detected
//! s.set_ignore_unfixed(true);
//! let filtered = s.apply(result.findings, kensa_vuln::Date::today());
//! let findings: Vec<kensa_core::Finding> =
//!     filtered.findings.into_iter().map(kensa_vuln::VulnMatch::into_finding).collect();
//! // filtered.suppressed: Vec<Suppressed { finding, reason }>; filtered.notes: expired ignores.
//! ```
//!
//! The store layout is described in [`store`]; OSV semantics (range events, `versions`,
//! withdrawn records, `GIT` ranges, alias merging) in [`osv`] and [`matcher`].

pub mod date;
pub mod ecosystem;
mod error;
pub mod import;
pub mod matcher;
pub mod osv;
pub mod severity;
pub mod store;
pub mod suppress;
pub mod update;
pub mod version;

pub use date::Date;
pub use error::VulnError;
pub use import::{DbBuilder, ImportIssue, ImportStats, SourceInfo};
pub use matcher::{MatchOptions, MatchResult, VulnMatch};
pub use severity::CvssScore;
pub use store::{BuildSummary, DB_FILE, DbInfo, SCHEMA_VERSION, VulnDb};
pub use suppress::{Filtered, RuleFiltered, Suppressed, SuppressionReason, Suppressions};
pub use update::{Feeds, UpdateOptions, update};
