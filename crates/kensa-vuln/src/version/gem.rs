//! RubyGems versions, parsed and ordered as `Gem::Version` does.
//!
//! A version is numeric segments optionally followed by letters (`1.2.3.beta.1`; `-` means
//! `.pre.`). Any letter makes it a pre-release, which sorts before the release, and trailing
//! zeros of the numeric and of the pre-release part are ignored (`1.0` == `1`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed RubyGems version.
#[derive(Clone, Debug)]
pub struct GemVersion {
    raw: Box<str>,
    /// `canonical_segments`: numbers then strings, trailing zeros of each part dropped.
    segments: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Digits without leading zeros; empty for zero.
    Num(String),
    Str(String),
}

/// The padding of the shorter version, and the value trimmed from the end.
static ZERO: Segment = Segment::Num(String::new());

impl GemVersion {
    /// True when the version contains a letter, as `Gem::Version#prerelease?`.
    pub fn is_prerelease(&self) -> bool {
        self.segments.iter().any(|s| matches!(s, Segment::Str(_)))
    }
}

/// `Gem::Version::ANCHORED_VERSION_PATTERN` without the surrounding whitespace:
/// `[0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?`.
fn is_valid(v: &str) -> bool {
    let (main, pre) = match v.split_once('-') {
        Some((main, pre)) => (main, Some(pre)),
        None => (v, None),
    };
    let mut parts = main.split('.');
    let first_ok = parts
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    let pre_ok = pre.is_none_or(|pre| {
        pre.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    });
    first_ok && rest_ok && pre_ok
}

impl FromStr for GemVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Gem, s)?;
        // Ruby's `\s` and `strip`: space, \t, \n, \v, \f, \r.
        let trimmed = s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'));
        let version = if trimmed.is_empty() { "0" } else { trimmed };
        if !is_valid(version) {
            return Err(VersionError::new(
                Scheme::Gem,
                s,
                "Malformed version number string",
            ));
        }
        let expanded = version.replace('-', ".pre.");
        // `_segments`: every run of digits or of letters.
        let mut segments = Vec::new();
        let bytes = expanded.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let Some(&c) = bytes.get(i) else { break };
            let class = |b: &u8| {
                if c.is_ascii_digit() {
                    b.is_ascii_digit()
                } else {
                    b.is_ascii_alphabetic()
                }
            };
            if !c.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let len = bytes
                .get(i..)
                .unwrap_or_default()
                .iter()
                .take_while(|b| class(b))
                .count();
            let run = expanded.get(i..i + len).unwrap_or_default();
            segments.push(if c.is_ascii_digit() {
                Segment::Num(run.trim_start_matches('0').into())
            } else {
                Segment::Str(run.into())
            });
            i += len;
        }
        // `canonical_segments`: drop trailing zeros of the numeric part and of the rest.
        let split = segments
            .iter()
            .position(|s| matches!(s, Segment::Str(_)))
            .unwrap_or(segments.len());
        let mut string_part = segments.split_off(split);
        while segments.last() == Some(&ZERO) {
            segments.pop();
        }
        while string_part.last() == Some(&ZERO) {
            string_part.pop();
        }
        segments.append(&mut string_part);
        Ok(GemVersion {
            raw: version.into(),
            segments,
        })
    }
}

impl Ord for GemVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.segments, &other.segments);
        for k in 0..a.len().max(b.len()) {
            let l = a.get(k).unwrap_or(&ZERO);
            let r = b.get(k).unwrap_or(&ZERO);
            let ord = match (l, r) {
                (Segment::Num(x), Segment::Num(y)) => cmp_decimal(x, y),
                (Segment::Str(_), Segment::Num(_)) => Ordering::Less,
                (Segment::Num(_), Segment::Str(_)) => Ordering::Greater,
                (Segment::Str(x), Segment::Str(y)) => x.cmp(y),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

impl PartialOrd for GemVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for GemVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for GemVersion {}

impl fmt::Display for GemVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// RubyGems' `test_semver` chain, then `test_spaceship` cases.
    pub(crate) const ASCENDING: &[&str] = &[
        "0.0.beta",
        "0.0.beta.1",
        "1.0.a",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0",
        "1.8.2.a",
        "1.8.2.a9",
        "1.8.2.a10",
        "1.8.2.b",
        "1.8.2",
        "5.a",
        "5.0.0.rc2",
        "5.x",
        "22.1.50.0.d",
        "22.1.50",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<GemVersion>(ASCENDING);
        assert_ascending::<GemVersion>(&["1.0.0-1", "1"]);
    }

    /// `test_spaceship`, `test_equals2` and `test_initialize` of RubyGems' `test_gem_version.rb`.
    #[test]
    fn reference_equalities() {
        assert_equal::<GemVersion>(&[
            ("1.0", "1.0.0"),
            ("", "0"),
            ("0.beta.1", "0.0.beta.1"),
            ("1.2.b1", "1.2.b.1"),
            ("1.0", "1.0 "),
            ("1.0", " 1.0 "),
            ("1.0", "1.0\n"),
            ("1.0", "\n1.0\n"),
            ("1.0.0-rc1", "1.0.0.pre.rc1"),
            ("1.0.0-rc1", "1.0.0-rc.1"),
        ]);
    }

    #[test]
    fn prerelease_is_any_letter() {
        for (v, pre) in [
            ("1.2.0.a", true),
            ("2.9.b", true),
            ("1.2.d.42", true),
            ("1.A", true),
            ("1.2.0", false),
            ("22.1.50.0", false),
        ] {
            assert_eq!(v.parse::<GemVersion>().unwrap().is_prerelease(), pre, "{v}");
        }
    }

    #[test]
    fn rejects_malformed() {
        let reason = "Malformed version number string";
        assert_rejected::<GemVersion>(&[
            ("junk", reason),
            ("1.0\n2.0", reason),
            ("1..2", reason),
            ("1.2\\ 3.4", reason),
            (
                "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
                reason,
            ),
            ("1.0+build", reason),
            ("-1", reason),
        ]);
    }
}
