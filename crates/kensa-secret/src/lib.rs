//! Secret detection: a built-in rule set with a hashed keyword prefilter, linear-time regexes, entropy checks, allowlists and masking.
//!
//! [`SecretScanner::scan`] finds clear-text credentials (SP 800-190 4.1.4) in one file;
//! [`SecretScanner::scan_text`] does the same for image-config strings (`Env`, labels,
//! history). [`SecretAnalyzer`] plugs the scanner into the layer walker.
//!
//! How a file is scanned:
//! 1. Allowlisted paths (vendor test data, package docs, user globs) and binary content
//!    are skipped.
//! 2. One pass finds every rule keyword (`keywords.rs`: each position's case-folded
//!    4 bytes are hashed into a table of rare pieces of the keywords, and only hits are
//!    compared in full). Ordinary text hits few of them, so most files cost this pass
//!    and nothing else. Keywords taken from case-sensitive token prefixes (`AKIA`,
//!    `ghp_`) are found only in that case.
//! 3. For each keyword hit, the rules listing it run their regex on that line only
//!    (once per line and rule); multi-line rules (PEM blocks, key files) run once over
//!    the file. A cheap test comes first: context rules need a `NAME = value` shape
//!    after the keyword (URL rules an `@`), and the generic rules a value that passes
//!    the value checks of step 4.
//! 4. A match is dropped when its value is a documented example or placeholder, below
//!    the rule's entropy threshold, an identifier or reference for generic rules, or
//!    matched by a user allow-regex. Overlapping matches keep the most specific rule.
//! 5. Findings carry the rule id as their id (the same ids as gitleaks and Trivy use
//!    where they overlap, so users' habits carry over), the 1-based line of the match,
//!    and a message whose every secret is masked (`ghp_****`).

mod allow;
mod analyzer;
mod config;
mod error;
mod family;
mod keywords;
mod mask;
mod rules;
mod scanner;
mod settings;
mod stream;

pub use allow::{ALLOW_PATHS, EXAMPLE_VALUES, is_builtin_allowed_path};
pub use analyzer::{BuiltinAllowlist, SECRET_ANALYZER, SecretAnalyzer, default_scanner};
pub use config::{CustomRule, SecretConfig};
pub use error::SecretError;
pub use family::{SECRET_RULES, SecretRules};
pub use mask::mask;
pub use rules::{Beside, Check, Gate, RULES, Rule, Value};
pub use scanner::{SecretScanner, is_binary};
pub use stream::SecretStream;
