//! Python package versions (PEP 440), parsed and ordered by the `pep440_rs` crate.
//!
//! Equality is PEP 440's: release segments are zero-padded (`1.0` == `1.0.0`), and spelling
//! variants normalise (`1.0-alpha1` == `1.0a1`, `v1.0` == `1.0`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len};

/// A parsed PEP 440 version.
#[derive(Clone, Debug)]
pub struct Pep440Version {
    raw: Box<str>,
    inner: pep440_rs::Version,
}

impl Pep440Version {
    /// The `pep440_rs` value, for callers that need its accessors.
    pub fn as_pep440(&self) -> &pep440_rs::Version {
        &self.inner
    }
}

impl FromStr for Pep440Version {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Pep440, s)?;
        let inner = pep440_rs::Version::from_str(s)
            .map_err(|e| VersionError::new(Scheme::Pep440, s, e.to_string()))?;
        Ok(Pep440Version {
            raw: s.into(),
            inner,
        })
    }
}

impl Ord for Pep440Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.inner.cmp(&other.inner)
    }
}

impl PartialOrd for Pep440Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Pep440Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Pep440Version {}

impl fmt::Display for Pep440Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// PEP 440's own ordering example ("Summary of permitted suffixes and relative
    /// ordering"), with local versions and an epoch added at the end.
    pub(crate) const ASCENDING: &[&str] = &[
        "1.dev0",
        "1.0.dev456",
        "1.0a1",
        "1.0a2.dev456",
        "1.0a12.dev456",
        "1.0a12",
        "1.0b1.dev456",
        "1.0b2",
        "1.0b2.post345.dev456",
        "1.0b2.post345",
        "1.0rc1.dev456",
        "1.0rc1",
        "1.0",
        "1.0+abc.5",
        "1.0+abc.7",
        "1.0+5",
        "1.0.post456.dev34",
        "1.0.post456",
        "1.0.15",
        "1.1.dev1",
        "1!0.1",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<Pep440Version>(ASCENDING);
    }

    #[test]
    fn normalised_spellings_are_equal() {
        assert_equal::<Pep440Version>(&[
            ("1.0", "1.0.0"),
            ("1.0", "0!1.0"),
            ("1.0a1", "1.0-alpha1"),
            ("1.0a1", "1.0.a.1"),
            ("1.0rc1", "1.0c1"),
            ("1.0.post1", "1.0-1"),
            ("1.0", "v1.0"),
            ("1.0", " 1.0 "),
            ("1.0", "01.00"),
        ]);
    }

    #[test]
    fn rejects_non_pep440() {
        assert_rejected::<Pep440Version>(&[
            ("", ""),
            ("french toast", ""),
            ("1.0.*", ""),
            ("1.0+", ""),
            ("1..0", ""),
        ]);
    }
}
