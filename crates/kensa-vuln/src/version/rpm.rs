//! RPM versions (`[epoch:]version[-release]`), ordered by rpm's `rpmvercmp`, including `~`
//! (sorts before anything) and `^` (sorts after the base version but before its next
//! segment).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed RPM EVR.
///
/// A missing epoch is 0, as rpm treats it. rpm itself skips the release comparison when either
/// side lacks a release, which is not a total order; here a missing release sorts before any
/// release (`1.0` < `1.0-1`), as most scanners do.
#[derive(Clone, Debug)]
pub struct RpmVersion {
    raw: Box<str>,
    epoch: Box<str>,
    version: Box<str>,
    release: Box<str>,
}

impl RpmVersion {
    /// The epoch's digits, `0` when absent.
    pub fn epoch(&self) -> &str {
        &self.epoch
    }

    /// The version part.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The release part, empty when absent.
    pub fn release(&self) -> &str {
        &self.release
    }
}

impl FromStr for RpmVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(Scheme::Rpm, s, reason);
        check_len(Scheme::Rpm, s)?;
        if s.is_empty() {
            return Err(err("version is empty"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("contains whitespace or a control character"));
        }
        // As rpm's parseEVR: the epoch is the leading digits when a colon follows them, and the
        // release starts after the last hyphen.
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        let (epoch, rest) = match s.get(digits..).and_then(|r| r.strip_prefix(':')) {
            Some(rest) => (s.get(..digits).unwrap_or_default(), rest),
            None => ("", s),
        };
        let epoch = if epoch.is_empty() { "0" } else { epoch };
        let (version, release) = match rest.rsplit_once('-') {
            Some((version, release)) => {
                if release.is_empty() {
                    return Err(err("release after `-` is empty"));
                }
                (version, release)
            }
            None => (rest, ""),
        };
        if version.is_empty() {
            return Err(err("version is empty"));
        }
        if version.contains(':') {
            return Err(err("epoch before `:` is not a number"));
        }
        Ok(RpmVersion {
            raw: s.into(),
            epoch: epoch.into(),
            version: version.into(),
            release: release.into(),
        })
    }
}

impl Ord for RpmVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(&self.epoch, &other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| rpmvercmp(&self.release, &other.release))
    }
}

impl PartialOrd for RpmVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for RpmVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for RpmVersion {}

impl fmt::Display for RpmVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// rpm's `rpmvercmp`: skip separators, compare alternating all-digit and all-letter segments,
/// numbers beating letters, with `~` and `^` handled before each segment.
///
/// Only ASCII letters and digits form segments, as in rpm's `risalnum`; every other byte,
/// including non-ASCII, is a separator.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    let is_sep = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        while a.get(i).is_some_and(is_sep) {
            i += 1;
        }
        while b.get(j).is_some_and(is_sep) {
            j += 1;
        }
        let (ca, cb) = (a.get(i).copied(), b.get(j).copied());
        if ca.is_none() && cb.is_none() {
            return Ordering::Equal;
        }
        if ca == Some(b'~') || cb == Some(b'~') {
            if ca != Some(b'~') {
                return Ordering::Greater;
            }
            if cb != Some(b'~') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        if ca == Some(b'^') || cb == Some(b'^') {
            if ca.is_none() {
                return Ordering::Less;
            }
            if cb.is_none() {
                return Ordering::Greater;
            }
            if ca != Some(b'^') {
                return Ordering::Greater;
            }
            if cb != Some(b'^') {
                return Ordering::Less;
            }
            i += 1;
            j += 1;
            continue;
        }
        let (Some(ca), Some(_)) = (ca, cb) else {
            // One side ran out: whichever still has characters is newer.
            return if ca.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let is_num = ca.is_ascii_digit();
        let class = |c: &u8| {
            if is_num {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let seg_a = run(a, i, class);
        let seg_b = run(b, j, class);
        i += seg_a.len();
        j += seg_b.len();
        if seg_b.is_empty() {
            // Different segment types: numeric is newer than alphabetic.
            return if is_num {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if is_num {
            // Both runs are ASCII digits, so they are valid UTF-8.
            cmp_decimal(
                std::str::from_utf8(seg_a).unwrap_or_default(),
                std::str::from_utf8(seg_b).unwrap_or_default(),
            )
        } else {
            seg_a.cmp(seg_b)
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
}

fn run(s: &[u8], start: usize, class: impl Fn(&u8) -> bool) -> &[u8] {
    let rest = s.get(start..).unwrap_or_default();
    let len = rest.iter().take_while(|c| class(c)).count();
    rest.get(..len).unwrap_or_default()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// A chain through rpm's `tests/rpmvercmp.at` vectors (letters before numbers, `~` before
    /// the base version, `^` after it), then epoch and release ordering.
    pub(crate) const ASCENDING: &[&str] = &[
        "xyz.4",
        "xyz10",
        "xyz10.1",
        "1.0~rc1~git123",
        "1.0~rc1",
        "1.0~rc1^git1",
        "1.0~rc2",
        "1.0",
        "1.0^",
        "1.0^git1~pre",
        "1.0^git1",
        "1.0^git2",
        "1.0^20160101",
        "1.0^20160101^git1",
        "1.0^20160102",
        "1.0.1",
        "1.01",
        "2.0",
        "2.0.1",
        "2.0.1a",
        "4.999.9",
        "5.0",
        "5.5p1",
        "5.5p2",
        "5.5p10",
        "5.6p1",
        "6.0",
        "6.0.rc1",
        "6.5p1",
        "10a1",
        "10a2",
        "10b2",
        "10xyz",
        "10.1xyz",
        "10.0039",
        "20101121",
        "20101122",
        "1:0.1",
        "1:0.1-1",
        "1:0.1-1.el8",
        "1:0.1-2.el8",
        "1:0.1-10.el8",
        "2:0.0.1-1",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<RpmVersion>(ASCENDING);
    }

    /// Every `RPMVERCMP(a, b, result)` line of rpm's `tests/rpmvercmp.at`, including the
    /// caret cases and the "oddities" rpm documents as current behaviour.
    #[test]
    fn rpm_test_suite() {
        use Ordering::{Equal as E, Greater as G, Less as L};
        let cases = [
            ("1.0", "1.0", E),
            ("1.0", "2.0", L),
            ("2.0", "1.0", G),
            ("2.0.1", "2.0.1", E),
            ("2.0", "2.0.1", L),
            ("2.0.1", "2.0", G),
            ("2.0.1a", "2.0.1a", E),
            ("2.0.1a", "2.0.1", G),
            ("2.0.1", "2.0.1a", L),
            ("5.5p1", "5.5p1", E),
            ("5.5p1", "5.5p2", L),
            ("5.5p2", "5.5p1", G),
            ("5.5p10", "5.5p10", E),
            ("5.5p1", "5.5p10", L),
            ("5.5p10", "5.5p1", G),
            ("10xyz", "10.1xyz", L),
            ("10.1xyz", "10xyz", G),
            ("xyz10", "xyz10", E),
            ("xyz10", "xyz10.1", L),
            ("xyz10.1", "xyz10", G),
            ("xyz.4", "xyz.4", E),
            ("xyz.4", "8", L),
            ("8", "xyz.4", G),
            ("xyz.4", "2", L),
            ("2", "xyz.4", G),
            ("5.5p2", "5.6p1", L),
            ("5.6p1", "5.5p2", G),
            ("5.6p1", "6.5p1", L),
            ("6.5p1", "5.6p1", G),
            ("6.0.rc1", "6.0", G),
            ("6.0", "6.0.rc1", L),
            ("10b2", "10a1", G),
            ("10a2", "10b2", L),
            ("1.0aa", "1.0aa", E),
            ("1.0a", "1.0aa", L),
            ("1.0aa", "1.0a", G),
            ("10.0001", "10.0001", E),
            ("10.0001", "10.1", E),
            ("10.1", "10.0001", E),
            ("10.0001", "10.0039", L),
            ("10.0039", "10.0001", G),
            ("4.999.9", "5.0", L),
            ("5.0", "4.999.9", G),
            ("20101121", "20101121", E),
            ("20101121", "20101122", L),
            ("20101122", "20101121", G),
            ("2_0", "2_0", E),
            ("2.0", "2_0", E),
            ("2_0", "2.0", E),
            ("a", "a", E),
            ("a+", "a+", E),
            ("a+", "a_", E),
            ("a_", "a+", E),
            ("+a", "+a", E),
            ("+a", "_a", E),
            ("_a", "+a", E),
            ("+_", "+_", E),
            ("_+", "+_", E),
            ("_+", "_+", E),
            ("+", "_", E),
            ("_", "+", E),
            ("1.0~rc1", "1.0~rc1", E),
            ("1.0~rc1", "1.0", L),
            ("1.0", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc2", L),
            ("1.0~rc2", "1.0~rc1", G),
            ("1.0~rc1~git123", "1.0~rc1~git123", E),
            ("1.0~rc1~git123", "1.0~rc1", L),
            ("1.0~rc1", "1.0~rc1~git123", G),
            ("1.0^", "1.0^", E),
            ("1.0^", "1.0", G),
            ("1.0", "1.0^", L),
            ("1.0^git1", "1.0^git1", E),
            ("1.0^git1", "1.0", G),
            ("1.0", "1.0^git1", L),
            ("1.0^git1", "1.0^git2", L),
            ("1.0^git2", "1.0^git1", G),
            ("1.0^git1", "1.01", L),
            ("1.01", "1.0^git1", G),
            ("1.0^20160101", "1.0^20160101", E),
            ("1.0^20160101", "1.0.1", L),
            ("1.0.1", "1.0^20160101", G),
            ("1.0^20160101^git1", "1.0^20160101^git1", E),
            ("1.0^20160102", "1.0^20160101^git1", G),
            ("1.0^20160101^git1", "1.0^20160102", L),
            ("1.0~rc1^git1", "1.0~rc1^git1", E),
            ("1.0~rc1^git1", "1.0~rc1", G),
            ("1.0~rc1", "1.0~rc1^git1", L),
            ("1.0^git1~pre", "1.0^git1~pre", E),
            ("1.0^git1", "1.0^git1~pre", G),
            ("1.0^git1~pre", "1.0^git1", L),
            // Oddities rpm keeps on purpose (RhBug:811992, non-ASCII as separators).
            ("1b.fc17", "1b.fc17", E),
            ("1b.fc17", "1.fc17", L),
            ("1.fc17", "1b.fc17", G),
            ("1g.fc17", "1g.fc17", E),
            ("1g.fc17", "1.fc17", G),
            ("1.fc17", "1g.fc17", L),
            ("1.1.α", "1.1.α", E),
            ("1.1.α", "1.1.β", E),
            ("1.1.β", "1.1.α", E),
            ("1.1.αα", "1.1.α", E),
            ("1.1.α", "1.1.ββ", E),
            ("1.1.ββ", "1.1.αα", E),
        ];
        for (a, b, expected) in cases {
            assert_eq!(rpmvercmp(a, b), expected, "rpmvercmp({a}, {b})");
        }
    }

    #[test]
    fn evr_parsing_and_equality() {
        let v: RpmVersion = "2:1.2.3-4.el9_2".parse().unwrap();
        assert_eq!(
            (v.epoch(), v.version(), v.release()),
            ("2", "1.2.3", "4.el9_2")
        );
        let v: RpmVersion = "1.2-3-4".parse().unwrap();
        assert_eq!((v.version(), v.release()), ("1.2-3", "4"));
        assert_equal::<RpmVersion>(&[
            ("0:1.0-1", "1.0-1"),
            (":1.0-1", "1.0-1"),
            ("00:1.0", "1.0"),
            ("1.0-1", "1_0-1"),
        ]);
        assert_ascending::<RpmVersion>(&["9.9-9", "1:1.0-1", "10:0.1-1"]);
    }

    #[test]
    fn rejects_malformed_evr() {
        assert_rejected::<RpmVersion>(&[
            ("", "version is empty"),
            ("1:", "version is empty"),
            ("1:-1", "version is empty"),
            ("1.0-", "release after `-` is empty"),
            ("a:1.0", "epoch before `:` is not a number"),
            ("1.0 1", "whitespace"),
        ]);
    }
}
