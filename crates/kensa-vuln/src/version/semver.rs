//! SemVer 2.0 versions as crates.io and npm (and their OSV ranges) use them, parsed by the
//! `semver` crate.
//!
//! Precedence is SemVer's, which ignores build metadata: `1.0.0+a` == `1.0.0+b`, although the
//! `semver` crate's own `Ord` tells them apart. A single leading `v` is accepted, as npm's
//! `semver.parse` accepts it. Major, minor and patch must fit in a `u64` (the `semver` crate's
//! and npm's own limit); pre-release numbers of any length compare correctly.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len};

/// A parsed SemVer 2.0 version.
#[derive(Clone, Debug)]
pub struct SemverVersion {
    raw: Box<str>,
    inner: semver::Version,
}

impl SemverVersion {
    /// The `semver` crate value.
    pub fn as_semver(&self) -> &semver::Version {
        &self.inner
    }
}

impl FromStr for SemverVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Semver, s)?;
        let trimmed = s.trim();
        let unprefixed = trimmed.strip_prefix('v').unwrap_or(trimmed);
        let inner = semver::Version::parse(unprefixed)
            .map_err(|e| VersionError::new(Scheme::Semver, s, e.to_string()))?;
        Ok(SemverVersion {
            raw: trimmed.into(),
            inner,
        })
    }
}

impl Ord for SemverVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.inner, &other.inner);
        (a.major, a.minor, a.patch)
            .cmp(&(b.major, b.minor, b.patch))
            .then_with(|| a.pre.cmp(&b.pre))
    }
}

impl PartialOrd for SemverVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for SemverVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for SemverVersion {}

impl fmt::Display for SemverVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// SemVer 2.0.0 §11's precedence examples, joined into one chain.
    pub(crate) const ASCENDING: &[&str] = &[
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "2.0.0",
        "2.1.0",
        "2.1.1",
        "2.1.2-0.3.7",
        "2.1.2-x.7.z.92",
        "2.1.2",
        "18446744073709551615.0.0",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<SemverVersion>(ASCENDING);
    }

    #[test]
    fn build_metadata_has_no_precedence() {
        assert_equal::<SemverVersion>(&[
            ("1.0.0+20130313144700", "1.0.0"),
            ("1.0.0-beta+exp.sha.5114f85", "1.0.0-beta"),
            ("1.0.0+21AF26D3----117B344092BD", "1.0.0+a"),
            ("v1.2.3", "1.2.3"),
        ]);
    }

    #[test]
    fn huge_prerelease_numbers_compare_by_value() {
        assert_ascending::<SemverVersion>(&[
            "1.0.0-99999999999999999999999",
            "1.0.0-100000000000000000000000",
            "1.0.0-a",
        ]);
    }

    #[test]
    fn rejects_non_semver() {
        assert_rejected::<SemverVersion>(&[
            ("", "empty"),
            ("1.0", "unexpected end of input"),
            ("01.0.0", "leading zero"),
            ("1.0.0-", "empty identifier"),
            ("18446744073709551616.0.0", "exceeds u64::MAX"),
            ("vv1.0.0", "unexpected character"),
        ]);
    }
}
