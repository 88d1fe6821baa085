//! NuGet package versions: SemVer 2.0 extended to four numbers
//! (`Major.Minor[.Patch[.Revision]][-Release][+Metadata]`), ordered as NuGet's default
//! `VersionComparer`: missing numbers are 0, pre-release labels compare case-insensitively,
//! and metadata is ignored.
//!
//! NuGet stores each number in an `int`; here numbers of any length are accepted and compared
//! by value, so nothing overflows.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed NuGet version.
#[derive(Clone, Debug)]
pub struct NugetVersion {
    raw: Box<str>,
    /// Major, minor, patch, revision; digit strings, missing ones `0`.
    numbers: [Box<str>; 4],
    /// Dot-separated pre-release labels; empty for a release.
    release: Vec<Box<str>>,
}

impl NugetVersion {
    /// True for a pre-release (`1.0.0-beta`).
    pub fn is_prerelease(&self) -> bool {
        !self.release.is_empty()
    }
}

fn is_label(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl FromStr for NugetVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(Scheme::Nuget, s, reason);
        check_len(Scheme::Nuget, s)?;
        let trimmed = s.trim();
        let (rest, metadata) = match trimmed.split_once('+') {
            Some((rest, metadata)) => (rest, Some(metadata)),
            None => (trimmed, None),
        };
        if let Some(metadata) = metadata
            && !metadata.split('.').all(is_label)
        {
            return Err(err("metadata labels are made of `[0-9A-Za-z-]`"));
        }
        let (numbers, release) = match rest.split_once('-') {
            Some((numbers, release)) => (numbers, Some(release)),
            None => (rest, None),
        };
        let release = match release {
            Some(release) => {
                let labels: Vec<&str> = release.split('.').collect();
                if !labels.iter().all(|l| is_label(l)) {
                    return Err(err(
                        "pre-release labels are non-empty and made of `[0-9A-Za-z-]`",
                    ));
                }
                labels.into_iter().map(Box::from).collect()
            }
            None => Vec::new(),
        };
        let parts: Vec<&str> = numbers.split('.').collect();
        if parts.len() > 4 {
            return Err(err("more than four numbers"));
        }
        if !parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(err("version numbers must be decimal digits"));
        }
        let number = |k: usize| -> Box<str> { parts.get(k).copied().unwrap_or("0").into() };
        Ok(NugetVersion {
            raw: trimmed.into(),
            numbers: [number(0), number(1), number(2), number(3)],
            release,
        })
    }
}

/// One pre-release label: numeric labels compare by value and before alphanumeric ones, which
/// compare ordinally ignoring ASCII case.
fn compare_label(a: &str, b: &str) -> Ordering {
    let na = a.bytes().all(|c| c.is_ascii_digit());
    let nb = b.bytes().all(|c| c.is_ascii_digit());
    match (na, nb) {
        (true, true) => cmp_decimal(a, b),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a
            .bytes()
            .map(|c| c.to_ascii_uppercase())
            .cmp(b.bytes().map(|c| c.to_ascii_uppercase())),
    }
}

impl Ord for NugetVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.numbers.iter().zip(&other.numbers) {
            let ord = cmp_decimal(a, b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        match (self.release.is_empty(), other.release.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            (false, false) => {}
        }
        for (a, b) in self.release.iter().zip(&other.release) {
            let ord = compare_label(a, b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        self.release.len().cmp(&other.release.len())
    }
}

impl PartialOrd for NugetVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for NugetVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for NugetVersion {}

impl fmt::Display for NugetVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// SemVer 2.0's precedence example, with NuGet's fourth number and legacy two-part
    /// versions.
    pub(crate) const ASCENDING: &[&str] = &[
        "0.0.0",
        "1.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.0.1-alpha",
        "1.0.0.1",
        "1.0.1",
        "1.1",
        "2.0.0.0",
        "2.0.0.10",
        "10.0.0",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<NugetVersion>(ASCENDING);
    }

    /// Equal pairs from NuGet's `VersionComparerTests` (default comparison).
    #[test]
    fn reference_equalities() {
        assert_equal::<NugetVersion>(&[
            ("1.0.0", "1.0.0"),
            ("1.0.0-BETA", "1.0.0-beta"),
            ("1.0.0-BETA+AA", "1.0.0-beta+aa"),
            ("1.0.0-BETA.X.y.5.77.0+AA", "1.0.0-beta.x.y.5.77.0+aa"),
            ("1.0.0", "1.0.0+metadata"),
            ("1.0.0", "1.0.0.0"),
            ("1.0", "1.0.0.0"),
            ("1", "1.0.0"),
            ("01.0.0", "1.0.0"),
        ]);
    }

    #[test]
    fn rejects_invalid() {
        assert_rejected::<NugetVersion>(&[
            ("", "decimal digits"),
            ("1.0.0.0.0", "more than four numbers"),
            ("v1.0.0", "decimal digits"),
            ("1.0.0-", "pre-release labels"),
            ("1.0.0-beta..1", "pre-release labels"),
            ("1.0.0+", "metadata labels"),
            ("1..0", "decimal digits"),
            ("1.0.0-beta_1", "pre-release labels"),
        ]);
    }
}
