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

/// A parsed apk version: a valid one, or (from an advisory, through
/// [`ApkVersion::parse_lenient`]) an invalid one kept for apk-tools' token-by-token ordering.
#[derive(Clone, Debug)]
pub struct ApkVersion {
    raw: Box<str>,
    /// `None` for a string apk-tools would not install but still orders (see [`loose`]).
    tokens: Option<Vec<Token>>,
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
            tokens: Some(tokens),
        })
    }
}

impl ApkVersion {
    /// Parses a version written in an advisory: a valid version as [`FromStr`] does, and any
    /// other ASCII string as apk-tools itself treats it, ordered token by token up to the
    /// first token it cannot read.
    ///
    /// Alpine's secdb holds fixed versions apk would never install (`4.8.0.-r1`), and
    /// apk-tools (and so Trivy) still compare them; dropping the record would lose a real
    /// finding. Installed versions always come from an installed database and go through
    /// the strict parser, so an invalid string only ever meets a valid one here.
    pub fn parse_lenient(s: &str) -> Result<ApkVersion, VersionError> {
        match s.parse::<ApkVersion>() {
            Ok(v) => Ok(v),
            Err(e) => {
                if s.is_empty() || !s.is_ascii() || s.len() > super::MAX_VERSION_LEN {
                    return Err(e);
                }
                Ok(ApkVersion {
                    raw: s.into(),
                    tokens: None,
                })
            }
        }
    }

    /// Whether apk-tools would accept this version (`apk_version_validate`).
    pub fn is_valid(&self) -> bool {
        self.tokens.is_some()
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
        let (Some(a), Some(b)) = (&self.tokens, &other.tokens) else {
            return loose::compare(&self.raw, &other.raw);
        };
        let mut a = a.iter();
        let mut b = b.iter();
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

/// apk-tools' comparison of strings it does not validate (`apk_version_compare` walking
/// `get_token`/`next_token`): tokens are compared while both sides have the same kind and
/// value, and a side whose next token is unreadable stops there. Written here from apk-tools'
/// documented behaviour because no crate implements apk ordering; the strict parser above
/// stays the reference for valid strings.
mod loose {
    use std::cmp::Ordering;

    /// Token kinds in apk-tools' order (`TOKEN_*`); a smaller kind next means newer.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Invalid,
        DigitOrZero,
        Digit,
        Letter,
        Suffix,
        SuffixNo,
        CommitHash,
        RevisionNo,
        End,
    }

    const PRE_SUFFIXES: [&[u8]; 4] = [b"alpha", b"beta", b"pre", b"rc"];
    const POST_SUFFIXES: [&[u8]; 5] = [b"cvs", b"svn", b"git", b"hg", b"p"];

    #[derive(Clone)]
    struct Cursor<'a> {
        rest: &'a [u8],
        kind: Kind,
    }

    impl Cursor<'_> {
        /// `get_token`: the value of the token at the cursor, moving to the next one.
        /// Numbers saturate: apk-tools keeps them in a C `int`, and no real version has a
        /// number anywhere near `i128::MAX`.
        fn value(&mut self) -> i128 {
            let Some(&first) = self.rest.first() else {
                self.kind = Kind::End;
                return 0;
            };
            let mut len = 0;
            let mut value: i128 = 0;
            let mut next = None;
            let digits = |rest: &[u8], value: &mut i128, len: &mut usize| {
                while let Some(d) = rest.get(*len).filter(|c| c.is_ascii_digit()) {
                    *value = value
                        .saturating_mul(10)
                        .saturating_add(i128::from(d - b'0'));
                    *len += 1;
                }
            };
            match self.kind {
                Kind::DigitOrZero if first == b'0' => {
                    // Leading zeros (the Gentoo rule): more zeros sort lower.
                    len = self.rest.iter().take_while(|&&c| c == b'0').count();
                    value = -(len as i128);
                    next = Some(Kind::Digit);
                }
                Kind::DigitOrZero | Kind::Digit | Kind::SuffixNo | Kind::RevisionNo => {
                    digits(self.rest, &mut value, &mut len);
                }
                Kind::Letter => {
                    value = i128::from(first);
                    len = 1;
                }
                Kind::Suffix => {
                    let pre = PRE_SUFFIXES.iter().position(|p| self.rest.starts_with(p));
                    let post = POST_SUFFIXES.iter().position(|p| self.rest.starts_with(p));
                    match (pre, post) {
                        (Some(i), _) => {
                            len = PRE_SUFFIXES.get(i).map_or(0, |p| p.len());
                            value = i as i128 - PRE_SUFFIXES.len() as i128;
                        }
                        (None, Some(i)) => {
                            len = POST_SUFFIXES.get(i).map_or(0, |p| p.len());
                            value = i as i128;
                        }
                        (None, None) => {
                            self.kind = Kind::Invalid;
                            return -1;
                        }
                    }
                }
                Kind::CommitHash => {
                    len = self
                        .rest
                        .iter()
                        .take_while(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
                        .count();
                }
                Kind::Invalid | Kind::End => {
                    self.kind = Kind::Invalid;
                    return -1;
                }
            }
            self.rest = self.rest.get(len..).unwrap_or_default();
            if self.rest.is_empty() {
                self.kind = Kind::End;
            } else if let Some(next) = next {
                self.kind = next;
            } else {
                self.advance_kind();
            }
            value
        }

        /// `next_token`: the kind of the token after a separator, or `Invalid` when the
        /// grammar does not allow it there.
        fn advance_kind(&mut self) {
            let Some(&c) = self.rest.first() else {
                self.kind = Kind::End;
                return;
            };
            let after_digit = matches!(self.kind, Kind::Digit | Kind::DigitOrZero);
            let next = if after_digit && c.is_ascii_lowercase() {
                Kind::Letter
            } else if self.kind == Kind::Letter && c.is_ascii_digit() {
                Kind::Digit
            } else if self.kind == Kind::Suffix && c.is_ascii_digit() {
                Kind::SuffixNo
            } else {
                let (next, skip) = match c {
                    b'.' => (Kind::DigitOrZero, 1),
                    b'_' => (Kind::Suffix, 1),
                    b'~' => (Kind::CommitHash, 1),
                    b'-' if self.rest.get(1) == Some(&b'r') => (Kind::RevisionNo, 2),
                    _ => (Kind::Invalid, 1),
                };
                self.rest = self.rest.get(skip..).unwrap_or_default();
                next
            };
            let allowed_back = matches!(
                (next, self.kind),
                (Kind::DigitOrZero, Kind::Digit)
                    | (Kind::Suffix, Kind::SuffixNo)
                    | (Kind::Digit, Kind::Letter)
            );
            self.kind = if next < self.kind && !allowed_back {
                Kind::Invalid
            } else {
                next
            };
        }

        fn starts_pre_release(&self) -> bool {
            self.kind == Kind::Suffix && self.clone().value() < 0
        }
    }

    pub(super) fn compare(a: &str, b: &str) -> Ordering {
        let mut a = Cursor {
            rest: a.as_bytes(),
            kind: Kind::Digit,
        };
        let mut b = Cursor {
            rest: b.as_bytes(),
            kind: Kind::Digit,
        };
        let (mut av, mut bv) = (0, 0);
        while a.kind == b.kind && !matches!(a.kind, Kind::End | Kind::Invalid) && av == bv {
            av = a.value();
            bv = b.value();
        }
        if av != bv {
            return av.cmp(&bv);
        }
        if a.kind == b.kind {
            return Ordering::Equal;
        }
        // Equal so far: the side that goes on is newer, unless with a pre-release suffix.
        if a.starts_pre_release() {
            return Ordering::Less;
        }
        if b.starts_pre_release() {
            return Ordering::Greater;
        }
        b.kind.cmp(&a.kind)
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

    /// The fallback ordering agrees with the strict one on valid versions (so that an
    /// invalid advisory version lands where apk-tools puts it among valid ones).
    #[test]
    fn loose_ordering_agrees_with_strict_on_valid_versions() {
        for (i, a) in ASCENDING.iter().enumerate() {
            for b in &ASCENDING[i + 1..] {
                assert_eq!(loose::compare(a, b), Ordering::Less, "{a} < {b}");
                assert_eq!(loose::compare(b, a), Ordering::Greater, "{b} > {a}");
            }
            assert_eq!(loose::compare(a, a), Ordering::Equal, "{a}");
        }
    }

    #[test]
    fn invalid_strings_are_ordered_up_to_their_first_unreadable_token() {
        let lenient = |s: &str| ApkVersion::parse_lenient(s).unwrap();
        let strict = |s: &str| s.parse::<ApkVersion>().unwrap();
        assert!(!lenient("4.8.0.-r1").is_valid());
        assert!(lenient("4.8.0-r1").is_valid());
        // `4.8.0.` goes on past `4.8.0-r1`'s digits with a dot, so it is newer; any higher
        // number is newer still.
        assert!(strict("4.8.0-r1") < lenient("4.8.0.-r1"));
        assert!(lenient("4.8.0.-r1") < strict("4.8.1"));
        // An unknown suffix reads as -1, as apk-tools' `get_token` returns: below the bare
        // version, like a pre-release.
        assert!(lenient("1.2_foo") < strict("1.2"));
        assert!(strict("1.1") < lenient("1.2_foo"));
        assert_eq!(lenient("1.2x!").cmp(&lenient("1.2x!")), Ordering::Equal);
        // Not a version at all, and never one of unbounded length.
        assert!(ApkVersion::parse_lenient("").is_err());
        assert!(ApkVersion::parse_lenient("1.0é").is_err());
        assert!(ApkVersion::parse_lenient(&"1".repeat(600)).is_err());
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
