//! Debian package versions (`[epoch:]upstream[-revision]`), ordered exactly as dpkg orders them.
//!
//! Parsing follows dpkg's `parseversion`: what dpkg rejects with an error is rejected here;
//! what it only warns about (an upstream version not starting with a digit, characters outside
//! its alphabet) is accepted, since dpkg installs such packages and `dpkg --compare-versions`
//! still orders them.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len};

/// A parsed dpkg version.
///
/// Equality is dpkg's: `1.0` == `0:1.0` == `1.0-0`, and `1.01` == `1.1`.
#[derive(Clone, Debug)]
pub struct DebVersion {
    raw: Box<str>,
    epoch: u32,
    upstream: Box<str>,
    revision: Box<str>,
}

impl DebVersion {
    /// The epoch, 0 when absent.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// The upstream version.
    pub fn upstream(&self) -> &str {
        &self.upstream
    }

    /// The Debian revision, empty when absent.
    pub fn revision(&self) -> &str {
        &self.revision
    }
}

impl FromStr for DebVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(Scheme::Deb, s, reason);
        check_len(Scheme::Deb, s)?;
        let trimmed = s.trim_matches(is_c_space);
        if trimmed.is_empty() {
            return Err(err("version string is empty"));
        }
        if trimmed.contains(is_c_space) {
            return Err(err("version string has embedded spaces"));
        }
        // The epoch ends at the first colon; later colons belong to the upstream version.
        let (epoch, rest) = match trimmed.split_once(':') {
            Some((epoch, rest)) => {
                let epoch = parse_epoch(epoch).map_err(err)?;
                if rest.is_empty() {
                    return Err(err("nothing after colon in version number"));
                }
                (epoch, rest)
            }
            None => (0, trimmed),
        };
        // The revision starts after the last hyphen; earlier hyphens belong to upstream.
        let (upstream, revision) = match rest.rsplit_once('-') {
            Some((upstream, revision)) => {
                if revision.is_empty() {
                    return Err(err("revision number is empty"));
                }
                (upstream, revision)
            }
            None => (rest, ""),
        };
        if upstream.is_empty() {
            return Err(err("version number is empty"));
        }
        Ok(DebVersion {
            raw: trimmed.into(),
            epoch,
            upstream: upstream.into(),
            revision: revision.into(),
        })
    }
}

/// dpkg's `c_isspace`: space, tab, newline, vertical tab, form feed, carriage return.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn parse_epoch(epoch: &str) -> Result<u32, &'static str> {
    if epoch.is_empty() {
        return Err("epoch in version is empty");
    }
    let digits = epoch.strip_prefix('-').unwrap_or(epoch);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("epoch in version is not number");
    }
    if digits.len() != epoch.len() {
        return Err("epoch in version is negative");
    }
    // dpkg stores the epoch in an int and refuses anything above INT_MAX.
    match digits.parse::<u32>() {
        Ok(n) if i32::try_from(n).is_ok() => Ok(n),
        _ => Err("epoch in version is too big"),
    }
}

impl Ord for DebVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| verrevcmp(&self.upstream, &other.upstream))
            .then_with(|| verrevcmp(&self.revision, &other.revision))
    }
}

impl PartialOrd for DebVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for DebVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for DebVersion {}

impl fmt::Display for DebVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// dpkg's character weight for the non-digit parts: `~` first, then the end of the part, then
/// letters, then everything else.
///
/// Bytes above 127 (which dpkg only warns about) weigh `byte + 256`, as dpkg computes on
/// platforms where `char` is unsigned; on x86, where it is signed, dpkg puts them between
/// letters and punctuation instead.
fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(b'~') => -1,
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`: alternately compare a non-digit run by [`order`] and a digit run as a
/// number.
fn verrevcmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_digit = |s: &[u8], k: usize| s.get(k).is_some_and(u8::is_ascii_digit);
    while i < a.len() || j < b.len() {
        while (i < a.len() && !is_digit(a, i)) || (j < b.len() && !is_digit(b, j)) {
            let ac = order(a.get(i).copied());
            let bc = order(b.get(j).copied());
            if ac != bc {
                return ac.cmp(&bc);
            }
            i += 1;
            j += 1;
        }
        while a.get(i) == Some(&b'0') {
            i += 1;
        }
        while b.get(j) == Some(&b'0') {
            j += 1;
        }
        let mut first_diff = Ordering::Equal;
        while is_digit(a, i) && is_digit(b, j) {
            if first_diff == Ordering::Equal {
                first_diff = a.get(i).cmp(&b.get(j));
            }
            i += 1;
            j += 1;
        }
        if is_digit(a, i) {
            return Ordering::Greater;
        }
        if is_digit(b, j) {
            return Ordering::Less;
        }
        if first_diff != Ordering::Equal {
            return first_diff;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// Debian Policy 5.6.12's `~` example (`~~ < ~~a < ~ < (end) < a`), then dpkg's weights for
    /// letters before other characters, revisions and epochs, and a few real archive versions.
    pub(crate) const ASCENDING: &[&str] = &[
        "1.0~~",
        "1.0~~a",
        "1.0~",
        "1.0",
        "1.0a",
        "1.0+",
        "1.0.",
        "1.0.1",
        "1.2-1",
        "1.2-1.1",
        "1.2-2",
        "1.10-1",
        "2.36.1-8+deb11u1",
        "2.36.1-8+deb11u2",
        "2.36.1-8+deb12u1",
        "2.36.1-9",
        "1:0.1-1",
        "1:2.3.4-1ubuntu0.1",
        "1:2.3.4-1ubuntu1",
        "2:0~rc1-0",
        "2:0",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<DebVersion>(ASCENDING);
    }

    /// From dpkg's `lib/dpkg/t/t-version.c`, written as version strings.
    #[test]
    fn dpkg_test_suite_comparisons() {
        let less = [
            ("0:0-0", "1:0-0"),
            ("0:a-0", "0:b-0"),
            ("0:0-a", "0:0-b"),
            ("0:1-1", "0:2-1"),
            ("0:1-1", "0:1-2"),
        ];
        for (a, b) in less {
            assert_ascending::<DebVersion>(&[a, b]);
        }
        assert_equal::<DebVersion>(&[
            ("0:0-0", "0:0-0"),
            ("0:0-00", "0:00-0"),
            ("1:2-3", "1:2-3"),
            ("0", "0:0"),
            ("0:0-0-0", "0:0-0-0"),
            ("0:0:0-0", "0:0:0-0"),
            ("  \t0:0-1", "0:0-1"),
            ("0:0-1\t  ", "0:0-1"),
            ("1.0", "0:1.0"),
            ("1.0", "1.0-0"),
            ("1.01", "1.1"),
        ]);
    }

    #[test]
    fn splits_at_first_colon_and_last_hyphen() {
        let v: DebVersion = "0:0:0-0-0".parse().unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (0, "0:0-0", "0"));
        let v: DebVersion = "5:1".parse().unwrap();
        assert_eq!((v.epoch(), v.upstream(), v.revision()), (5, "1", ""));
        let v: DebVersion = "0:09azAZ.-+~:-0".parse().unwrap();
        assert_eq!(v.upstream(), "09azAZ.-+~:");
    }

    #[test]
    fn accepts_what_dpkg_only_warns_about() {
        for s in ["0:abc3-0", "0:0_a-0", "0:0-0:0", "0:0-0_"] {
            assert!(s.parse::<DebVersion>().is_ok(), "{s}");
        }
    }

    #[test]
    fn rejects_what_dpkg_rejects() {
        assert_rejected::<DebVersion>(&[
            ("", "version string is empty"),
            ("  ", "version string is empty"),
            ("0:", "nothing after colon in version number"),
            ("0:0 0-1", "version string has embedded spaces"),
            ("-1:0-1", "epoch in version is negative"),
            (
                "999999999999999999999999:0-1",
                "epoch in version is too big",
            ),
            ("2147483648:1", "epoch in version is too big"),
            ("a:0-0", "epoch in version is not number"),
            ("A:0-0", "epoch in version is not number"),
            (":1.0", "epoch in version is empty"),
            ("-0", "version number is empty"),
            ("0:-0", "version number is empty"),
            ("1.0-", "revision number is empty"),
        ]);
    }

    #[test]
    fn error_names_input_and_scheme() {
        let err = "a:0".parse::<DebVersion>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "`a:0` is not a valid Debian version: epoch in version is not number"
        );
    }
}
