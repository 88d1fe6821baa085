//! Alpine package versions, ordered as apk-tools 2.14/3.x orders them.
//!
//! Grammar: `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`. Suffixes `_alpha`, `_beta`,
//! `_pre` and `_rc` sort before the bare version; `_cvs`, `_svn`, `_git`, `_hg` and `_p` after
//! it. As in apk-tools, a dotted number with a leading zero (`1.05`) is compared as a string
//! (the Gentoo rule), other numbers numerically. Strings that `apk_version_validate` rejects are
//! rejected here, so every parsed value is one apk itself could install.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed, valid apk version.
#[derive(Clone, Debug)]
pub struct ApkVersion {
    raw: Box<str>,
    tokens: Vec<Token>,
}

/// Token kinds in apk-tools' order: a shorter version is newer exactly when its next token kind
/// is greater than the longer one's (`TOKEN_*` in `version.c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    InitialDigit,
    Digit,
    Letter,
    Suffix,
    SuffixNo,
    CommitHash,
    RevisionNo,
    End,
}

/// Suffix weights; `None` is the bare version, which separates pre- from post-release suffixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    None,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Token {
    kind: Kind,
    /// The token's text: digits, a letter, a suffix name or a hash.
    value: Box<str>,
    suffix: Suffix,
}

impl ApkVersion {
    fn tokenize(s: &str) -> Option<Vec<Token>> {
        let b = s.as_bytes();
        let mut pos = 0;
        let mut tokens = Vec::new();
        let digits = |pos: usize| -> usize {
            b.get(pos..)
                .unwrap_or_default()
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let take = |start: usize, len: usize| -> Box<str> {
            s.get(start..start + len).unwrap_or_default().into()
        };

        let n = digits(0);
        if n == 0 {
            return None;
        }
        tokens.push(Token {
            kind: Kind::InitialDigit,
            value: take(0, n),
            suffix: Suffix::None,
        });
        pos += n;
        let mut last = Kind::InitialDigit;
        while let Some(&c) = b.get(pos) {
            let token = match c {
                b'a'..=b'z' => {
                    if last > Kind::Digit {
                        return None;
                    }
                    pos += 1;
                    Token {
                        kind: Kind::Letter,
                        value: take(pos - 1, 1),
                        suffix: Suffix::None,
                    }
                }
                b'.' | b'0'..=b'9' => {
                    if c == b'.' {
                        if last > Kind::Digit {
                            return None;
                        }
                        pos += 1;
                    }
                    let kind = match last {
                        Kind::InitialDigit | Kind::Digit => Kind::Digit,
                        Kind::Suffix => Kind::SuffixNo,
                        _ => return None,
                    };
                    let n = digits(pos);
                    if n == 0 {
                        return None;
                    }
                    pos += n;
                    Token {
                        kind,
                        value: take(pos - n, n),
                        suffix: Suffix::None,
                    }
                }
                b'_' => {
                    if last > Kind::SuffixNo {
                        return None;
                    }
                    pos += 1;
                    let n = b
                        .get(pos..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|c| c.is_ascii_lowercase())
                        .count();
                    let name = take(pos, n);
                    pos += n;
                    let suffix = match &*name {
                        "alpha" => Suffix::Alpha,
                        "beta" => Suffix::Beta,
                        "pre" => Suffix::Pre,
                        "rc" => Suffix::Rc,
                        "cvs" => Suffix::Cvs,
                        "svn" => Suffix::Svn,
                        "git" => Suffix::Git,
                        "hg" => Suffix::Hg,
                        "p" => Suffix::P,
                        _ => return None,
                    };
                    Token {
                        kind: Kind::Suffix,
                        value: name,
                        suffix,
                    }
                }
                b'~' => {
                    if last >= Kind::CommitHash {
                        return None;
                    }
                    pos += 1;
                    let n = b
                        .get(pos..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                        .count();
                    if n == 0 {
                        return None;
                    }
                    pos += n;
                    Token {
                        kind: Kind::CommitHash,
                        value: take(pos - n, n),
                        suffix: Suffix::None,
                    }
                }
                b'-' => {
                    if last >= Kind::RevisionNo || b.get(pos + 1) != Some(&b'r') {
                        return None;
                    }
                    pos += 2;
                    let n = digits(pos);
                    if n == 0 {
                        return None;
                    }
                    pos += n;
                    Token {
                        kind: Kind::RevisionNo,
                        value: take(pos - n, n),
                        suffix: Suffix::None,
                    }
                }
                _ => return None,
            };
            last = token.kind;
            tokens.push(token);
        }
        Some(tokens)
    }
}

impl FromStr for ApkVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Apk, s)?;
        let tokens = Self::tokenize(s).ok_or_else(|| {
            VersionError::new(
                Scheme::Apk,
                s,
                "does not match `digit{.digit}...{letter}{_suffix{#}}...{~hash}{-r#}`",
            )
        })?;
        Ok(ApkVersion {
            raw: s.into(),
            tokens,
        })
    }
}

/// apk-tools' `token_cmp` for two tokens of the same kind.
fn token_cmp(a: &Token, b: &Token) -> Ordering {
    match a.kind {
        Kind::Digit if a.value.starts_with('0') || b.value.starts_with('0') => {
            a.value.cmp(&b.value)
        }
        Kind::InitialDigit | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
            cmp_decimal(&a.value, &b.value)
        }
        Kind::Letter => a.value.cmp(&b.value),
        Kind::Suffix => a.suffix.cmp(&b.suffix),
        Kind::CommitHash | Kind::End => a.value.cmp(&b.value),
    }
}

impl Ord for ApkVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let mut a = self.tokens.iter();
        let mut b = other.tokens.iter();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return Ordering::Equal,
                (Some(ta), Some(tb)) if ta.kind == tb.kind => {
                    let ord = token_cmp(ta, tb);
                    if ord != Ordering::Equal {
                        return ord;
                    }
                }
                (ta, tb) => {
                    // The leading tokens are equal and the next kinds differ: the version that
                    // goes on is newer, unless it goes on with a pre-release suffix.
                    if ta.is_some_and(|t| t.kind == Kind::Suffix && t.suffix < Suffix::None) {
                        return Ordering::Less;
                    }
                    if tb.is_some_and(|t| t.kind == Kind::Suffix && t.suffix < Suffix::None) {
                        return Ordering::Greater;
                    }
                    let ka = ta.map_or(Kind::End, |t| t.kind);
                    let kb = tb.map_or(Kind::End, |t| t.kind);
                    return kb.cmp(&ka);
                }
            }
        }
    }
}

impl PartialOrd for ApkVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ApkVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ApkVersion {}

impl fmt::Display for ApkVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// A chain through apk-tools' `test/unit/version.data`: pre-release suffixes before the
    /// bare version, letters and post-release suffixes after it, revisions last, the Gentoo
    /// string rule for leading zeros, and commit hashes.
    pub(crate) const ASCENDING: &[&str] = &[
        "0.1.0_alpha_pre2",
        "0.1.0_alpha",
        "0.1.0_alpha2",
        "0.1.3_alpha",
        "0.8_beta1",
        "0.8_beta2",
        "0.10.1_rc1",
        "0.13_beta1",
        "0.20070118",
        "0.20070207_rc1",
        "1.0_p9-r0",
        "1.0_p10-r0",
        "1.02.07",
        "1.02.10-r1",
        "1.06-r6",
        "1.1_alpha1",
        "1.1",
        "1.1a",
        "1.1.1-r1",
        "1.2.12.04",
        "1.2.12.05",
        "1.3_pre1-r1",
        "1.3-r0",
        "1.3.1-r0",
        "1.3.2",
        "1.6d",
        "1.7",
        "1.7b",
        "1.8.5",
        "1.8.5_p2",
        "2.1_pre20",
        "2.1_pre26",
        "2.5.1-r8",
        "2.5.1a-r1",
        "2.6.1.3",
        "2.6.1.3-r1",
        "2.9.11_pre20051101",
        "2.9.11_pre20051101-r2",
        "2.9.11_pre20051101-r3",
        "2.9.11_pre20061021-r1",
        "3.1_p16",
        "3.1_p17",
        "4.5_p1",
        "4.5_p1-r1",
        "6b-r7",
        "7.0.17",
        "7.0.174",
        "013",
        "014-r1",
        "20050718-r1",
        "20050718-r2",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<ApkVersion>(ASCENDING);
    }

    /// Lines of apk-tools' `test/unit/version.data` (`a < b`, `a > b`, `a = b`).
    #[test]
    fn apk_tools_test_vectors() {
        let lines = "\
2.34 > 0.1.0_alpha
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha2 > 0.1.0_alpha
1.0.4-r3 < 1.0.4-r4
1.1 > 1.1_alpha1
1.2.1 > 1.2
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
1.2.12.1 < 1.2.13
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
2.01.01_alpha10 > 0.94
1.0 > 0.99.3.20040818
1.39 > 1.00_beta2
2.8.0.6-r1 > 0.5.2.7
4.2.52_p2-r1 < 4.2.52_p4-r2
20060720 > 3.0.20060720
2.0.0_rc3-r1 > 1.5
3.0.0-r2 < 021109-r3
0.9.16-r1 < 3.9_pre20060124
0.10.0-r1 > 0.10.0
0.10.0 < 0.10.1_rc1
1.0-r1 > 0.15.1b
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
2.10.1 > 02.08.01b
3.81 > 1.6d
1.2.07.8 < 1.2.12.04
1.07-r1 < 1.07.5
1.07.5 > 1.07
0.1_pre20060810 < 0.1_pre20060817
3.3.17 > 0.59s-r11
0.9.28-r2 < 0.9.28.1
0.9.28.1 < 087-r1
104-r11 > 104-r9
20040406-r1 > 2.12r-r4
2.12r-r4 < 2.12r-r5
1.0.1 < 1.1.1-r3
1.1.1-r3 > 0.3.4_pre20061029
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
1.0~1234 < 1.0~2345
1.0~1234-r1 < 1.0~2345-r0
1.0~1234-r1 > 1.0~1234-r0";
        for line in lines.lines() {
            let mut parts = line.split(' ');
            let (a, op, b) = (
                parts.next().unwrap(),
                parts.next().unwrap(),
                parts.next().unwrap(),
            );
            let a: ApkVersion = a.parse().unwrap();
            let b: ApkVersion = b.parse().unwrap();
            let expected = match op {
                "<" => Ordering::Less,
                ">" => Ordering::Greater,
                _ => Ordering::Equal,
            };
            assert_eq!(a.cmp(&b), expected, "{line}");
            assert_eq!(b.cmp(&a), expected.reverse(), "{line} (reversed)");
        }
    }

    #[test]
    fn equal_versions() {
        assert_equal::<ApkVersion>(&[("1.0", "1.0"), ("1.0-r0", "1.0-r00"), ("1.01", "1.01")]);
        // The Gentoo rule makes these different, unlike most schemes.
        assert_ascending::<ApkVersion>(&["1.00", "1.01", "1.1"]);
    }

    /// The validity lines (`version` / `!version`) of apk-tools' `version.data`.
    #[test]
    fn validity_matches_apk_tools() {
        for valid in [
            "1.2",
            "0.1_pre2",
            "0.1_pre2~1234abcd",
            "0.1_p1_pre2",
            "0.1_alpha1_pre2",
            "0.1_git20240101_pre1",
        ] {
            assert!(valid.parse::<ApkVersion>().is_ok(), "{valid}");
        }
        let reason = "does not match";
        assert_rejected::<ApkVersion>(&[
            ("", reason),
            ("0.1bc", reason),
            ("0.1bc1", reason),
            ("0.1a1", reason),
            ("0.1a.1", reason),
            ("0.1_pre2~", reason),
            ("0.1_pre2~1234xbcd", reason),
            ("0.1_pre2~1234abcd_pre1", reason),
            ("0.1_pre2-r1~1234xbcd", reason),
            ("0.1_foobar", reason),
            ("0.1_foobar1", reason),
            ("0.1-pre1.1", reason),
            ("0.1-r", reason),
            ("0.1-r2_pre1", reason),
            ("0.1-r2_p3_pre1", reason),
            ("0.1-r2-r3", reason),
            ("0.1-r2.1", reason),
            (".1", reason),
            ("a", reason),
            ("_pre1", reason),
            ("-r1", reason),
            ("0.1_", reason),
            ("0.1_-r0", reason),
            ("0.1__alpha", reason),
            ("0.1_1_alpha", reason),
            ("1.0bc", reason),
            ("23_foo", reason),
        ]);
    }
}
