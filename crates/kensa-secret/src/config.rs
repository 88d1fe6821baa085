//! The user's secret-scanning settings, as they appear in kensa's config file.

use kensa_core::Severity;
use serde::{Deserialize, Deserializer, Serialize};

/// Settings of the secret scanner. The default is the built-in rule set with the
/// built-in allowlists.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretConfig {
    /// Extra rules, checked after the built-in ones.
    pub custom_rules: Vec<CustomRule>,
    /// Ids of built-in rules to turn off. A custom rule may reuse a disabled id.
    pub disable_rules: Vec<String>,
    /// Globs of paths never scanned (`**/fixtures/**`), in addition to the built-in ones.
    /// Matched against the path relative to the image root, without a leading `/`.
    pub allow_paths: Vec<String>,
    /// Regexes of values that are not secrets. A candidate is dropped when one of them
    /// matches the secret value or the whole matched text.
    pub allow_regexes: Vec<String>,
}

/// A rule written by the user.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRule {
    /// Kebab-case id, unique among all enabled rules; it becomes the finding id.
    pub id: String,
    /// What the credential is, shown as the finding title.
    pub title: String,
    /// How bad a leak is (`LOW` … `CRITICAL`, any case).
    #[serde(deserialize_with = "severity_any_case")]
    pub severity: Severity,
    /// The regex (Rust `regex` syntax, ASCII classes). The credential is the group named
    /// `secret`, else group 1, else the whole match.
    pub regex: String,
    /// Literal keywords (case-insensitive). The regex runs only on lines holding one;
    /// without keywords it runs over every text file, which is slower. Prefer keywords
    /// of 4 bytes or more: a 3-byte keyword is searched as 128 4-byte pieces (one per
    /// byte that may follow it), which slows every scan a little.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per byte, 0 to 8) of the secret.
    #[serde(default)]
    pub entropy: Option<f32>,
    /// The regex spans lines: run it over the whole file rather than per line.
    #[serde(default)]
    pub multiline: bool,
    /// How to revoke the credential; the start of the finding's remediation.
    #[serde(default)]
    pub revoke: Option<String>,
}

fn severity_any_case<'de, D: Deserializer<'de>>(de: D) -> Result<Severity, D::Error> {
    let raw = String::deserialize(de)?;
    raw.parse().map_err(serde::de::Error::custom)
}
