//! Severity levels, ordered from `UNKNOWN` to `CRITICAL`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// How bad a finding is. `Unknown` sorts lowest: it is shown, but never meets a
/// `--severity` threshold other than `UNKNOWN` itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    /// The source gave no usable rating.
    Unknown,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 5] = [
        Severity::Unknown,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The uppercase name used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "UNKNOWN",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        }
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for Severity {
    fn value_variants<'a>() -> &'a [Self] {
        &Severity::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl Severity {
    /// The names, comma-separated, lowest first, for error text.
    pub fn names() -> String {
        Severity::ALL.map(Severity::as_str).join(", ")
    }
}

/// A severity name that kensa does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown severity `{0}` (expected one of {names})", names = Severity::names())]
pub struct SeverityError(pub String);

impl FromStr for Severity {
    type Err = SeverityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SeverityError(s.to_owned()))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_parsed_case_insensitively() {
        assert!(Severity::Unknown < Severity::Low && Severity::High < Severity::Critical);
        assert_eq!("high".parse::<Severity>().unwrap(), Severity::High);
        assert_eq!(
            "severe".parse::<Severity>().unwrap_err().to_string(),
            "unknown severity `severe` (expected one of UNKNOWN, LOW, MEDIUM, HIGH, CRITICAL)"
        );
    }
}
