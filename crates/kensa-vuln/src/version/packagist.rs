//! Composer (Packagist) versions: normalised as Composer's `VersionParser::normalize` does
//! and ordered as PHP's `version_compare` orders the normalised strings, which is how Composer
//! compares them.
//!
//! Normalisation pads to four numbers (`1.2` → `1.2.0.0`), drops a leading `v`, build metadata
//! and `as` aliases, and expands stability suffixes (`b` → `beta`, `p`/`pl` → `patch`). The
//! order is `dev < alpha < beta < RC < stable < patch`. Branch names (`dev-feature`) are not
//! ordered versions and are rejected; `dev-master` and `1.x-dev` normalise as Composer does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use std::sync::LazyLock;

use regex::Regex;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed Composer version.
#[derive(Clone, Debug)]
pub struct PackagistVersion {
    raw: Box<str>,
    normalized: Box<str>,
    tokens: Vec<Token>,
}

/// One element of PHP's canonical form: a number or a special word with its weight.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Num(Box<str>),
    Word(i8),
}

/// PHP's weight for a number among special words (`#` in `version_compare`).
const NUMBER_WEIGHT: i8 = 4;

/// `version_compare`'s special forms, matched as prefixes, as PHP does.
fn word_weight(word: &str) -> i8 {
    const FORMS: &[(&str, i8)] = &[
        ("dev", 0),
        ("alpha", 1),
        ("a", 1),
        ("beta", 2),
        ("b", 2),
        ("RC", 3),
        ("rc", 3),
        ("#", NUMBER_WEIGHT),
        ("pl", 5),
        ("p", 5),
    ];
    FORMS
        .iter()
        .find(|(form, _)| word.starts_with(form))
        .map_or(-1, |(_, w)| *w)
}

const MODIFIER: &str =
    r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*)?)?([.-]?dev)?";

static CLASSICAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^v?(\d{{1,5}})(\.\d+)?(\.\d+)?(\.\d+)?{MODIFIER}$"
    ))
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});
static DATETIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)^v?(\d{{4}}(?:[.:-]?\d{{2}}){{1,6}}(?:[.:-]?\d{{1,3}}){{0,2}}){MODIFIER}$"
    ))
    .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});
static DEV_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(.*?)[.-]?dev$").unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});
static BRANCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^v?(\d+)(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?(\.(?:\d+|[x*]))?$")
        .unwrap_or_else(|e| unreachable!("constant regex: {e}"))
});

/// `VersionParser::normalize`, returning the normalised string.
fn normalize(input: &str) -> Result<String, &'static str> {
    let mut version = input.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0b']);
    // "1.0.x-dev as 1.0.0": the alias is what the package claims to be, not what it is.
    if let Some((real, alias)) = version.split_once(" as ") {
        let (real, alias) = (real.trim_end_matches(' '), alias.trim_start_matches(' '));
        let plain = |s: &str| !s.is_empty() && !s.contains(|c: char| c == ',' || c.is_whitespace());
        if plain(real) && plain(alias) {
            version = real;
        }
    }
    if version.is_empty() {
        return Err("version is empty");
    }
    let lower = version.to_ascii_lowercase();
    if matches!(
        lower.strip_prefix("dev-").unwrap_or(&lower),
        "master" | "trunk" | "default"
    ) {
        return Ok("9999999-dev".to_owned());
    }
    if lower.starts_with("dev-") {
        return Err("`dev-` branches are not ordered versions");
    }
    if let Some((base, build)) = version.split_once('+')
        && !base.is_empty()
        && !base.contains(|c: char| c == ',' || c.is_whitespace())
        && !build.is_empty()
        && !build.contains(char::is_whitespace)
    {
        version = base;
    }
    let (mut out, stability, number, dev) = if let Some(m) = CLASSICAL.captures(version) {
        let part = |k: usize| m.get(k).map_or(".0", |g| g.as_str()).to_owned();
        let major = m.get(1).map_or("", |g| g.as_str());
        (
            format!("{major}{}{}{}", part(2), part(3), part(4)),
            m.get(5),
            m.get(6),
            m.get(7),
        )
    } else if let Some(m) = DATETIME.captures(version) {
        let digits = m.get(1).map_or("", |g| g.as_str());
        (
            digits
                .chars()
                .map(|c| if c.is_ascii_digit() { c } else { '.' })
                .collect(),
            m.get(2),
            m.get(3),
            m.get(4),
        )
    } else {
        return normalize_dev_branch(version);
    };
    if let Some(stability) = stability.map(|g| g.as_str().to_ascii_lowercase()) {
        if stability == "stable" {
            return Ok(out);
        }
        out.push('-');
        out.push_str(match stability.as_str() {
            "a" => "alpha",
            "b" => "beta",
            "p" | "pl" => "patch",
            "rc" => "RC",
            other => other,
        });
        if let Some(n) = number.map(|g| g.as_str()) {
            out.push_str(n.trim_start_matches(['.', '-']));
        }
    }
    if dev.is_some_and(|g| !g.as_str().is_empty()) {
        out.push_str("-dev");
    }
    Ok(out)
}

/// `VersionParser::normalizeBranch` for `1.x-dev`-style versions.
fn normalize_dev_branch(version: &str) -> Result<String, &'static str> {
    let invalid = "not a Composer version";
    let base = DEV_SUFFIX
        .captures(version)
        .and_then(|m| m.get(1))
        .ok_or(invalid)?
        .as_str();
    let m = BRANCH.captures(base).ok_or(invalid)?;
    let mut out = String::new();
    for k in 1..=4 {
        let part = m.get(k).map_or("x", |g| g.as_str().trim_start_matches('.'));
        if k > 1 {
            out.push('.');
        }
        out.push_str(if matches!(part, "x" | "X" | "*") {
            "9999999"
        } else {
            part
        });
    }
    out.push_str("-dev");
    Ok(out)
}

/// PHP's `php_canonicalize_version` followed by splitting at dots.
fn tokens(normalized: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, tokens: &mut Vec<Token>| {
        if run.is_empty() {
            return;
        }
        tokens.push(if run.bytes().all(|b| b.is_ascii_digit()) {
            Token::Num(run.as_str().into())
        } else {
            Token::Word(word_weight(run))
        });
        run.clear();
    };
    for c in normalized.chars() {
        if matches!(c, '.' | '-' | '_' | '+') {
            flush(&mut run, &mut tokens);
            continue;
        }
        if run
            .chars()
            .last()
            .is_some_and(|p| p.is_ascii_digit() != c.is_ascii_digit())
        {
            flush(&mut run, &mut tokens);
        }
        run.push(c);
    }
    flush(&mut run, &mut tokens);
    tokens
}

impl PackagistVersion {
    /// The version as Composer normalises it (`v1.0` → `1.0.0.0`, `1.0b2` → `1.0.0.0-beta2`).
    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

impl FromStr for PackagistVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Packagist, s)?;
        let normalized = normalize(s).map_err(|r| VersionError::new(Scheme::Packagist, s, r))?;
        Ok(PackagistVersion {
            raw: s.into(),
            tokens: tokens(&normalized),
            normalized: normalized.into(),
        })
    }
}

fn weight(t: &Token) -> i8 {
    match t {
        Token::Num(_) => NUMBER_WEIGHT,
        Token::Word(w) => *w,
    }
}

impl Ord for PackagistVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.tokens, &other.tokens);
        for (x, y) in a.iter().zip(b) {
            let ord = match (x, y) {
                (Token::Num(x), Token::Num(y)) => cmp_decimal(x, y),
                _ => weight(x).cmp(&weight(y)),
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        // The longer version wins if it goes on with a number or a word above a number
        // (`patch`), and loses if it goes on with `dev`, `alpha`, `beta` or `RC`.
        match (a.get(b.len()), b.get(a.len())) {
            (Some(next), _) => weight(next).cmp(&NUMBER_WEIGHT).then(Ordering::Greater),
            (None, Some(next)) => NUMBER_WEIGHT.cmp(&weight(next)).then(Ordering::Less),
            (None, None) => Ordering::Equal,
        }
    }
}

impl PartialOrd for PackagistVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for PackagistVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for PackagistVersion {}

impl fmt::Display for PackagistVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// Composer's stability order (`dev < alpha < beta < RC < stable < patch`) across the
    /// spellings `VersionParser` accepts.
    pub(crate) const ASCENDING: &[&str] = &[
        "0.9",
        "1.0.0-dev",
        "1.0.0-alpha1",
        "1.0.0-alpha.2",
        "1.0.0-b1",
        "1.0.0-beta2-dev",
        "1.0.0-beta2",
        "1.0.0-beta.2.1",
        "1.0.0-beta10",
        "1.0.0-RC1",
        "1.0.0-rc2",
        "1.0.0",
        "1.0.0-p1",
        "1.0.0-pl2",
        "1.0.0-patch3",
        "v1.0.1",
        "1.1.0",
        "1.1.x-dev",
        "10.4.13",
        "2010.01.02",
        "2010.01.02.5",
        "12345.0",
        "dev-master",
        "20100102.203040",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<PackagistVersion>(ASCENDING);
    }

    /// `successfulNormalizedVersions` of composer/semver's `VersionParserTest`.
    #[test]
    fn normalizes_as_composer() {
        for (input, expected) in [
            ("1.0.0", "1.0.0.0"),
            ("1.2.3.4", "1.2.3.4"),
            ("1.0.0RC1dev", "1.0.0.0-RC1-dev"),
            ("1.0.0-rC15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0.RC.15-dev", "1.0.0.0-RC15-dev"),
            ("1.0.0-rc1", "1.0.0.0-RC1"),
            ("1.0.0.pl3-dev", "1.0.0.0-patch3-dev"),
            ("1.0-dev", "1.0.0.0-dev"),
            ("0", "0.0.0.0"),
            ("10.4.13-beta", "10.4.13.0-beta"),
            ("10.4.13beta2", "10.4.13.0-beta2"),
            ("10.4.13beta.2", "10.4.13.0-beta2"),
            ("v1.13.11-beta.0", "1.13.11.0-beta0"),
            ("1.13.11.0-beta0", "1.13.11.0-beta0"),
            ("10.4.13-b", "10.4.13.0-beta"),
            ("10.4.13-b5", "10.4.13.0-beta5"),
            ("v1.0.0", "1.0.0.0"),
            ("2010.01", "2010.01.0.0"),
            ("2010.01.02", "2010.01.02.0"),
            ("2010.1.555", "2010.1.555.0"),
            ("2010.10.200", "2010.10.200.0"),
            ("v20100102", "20100102"),
            ("2010-01-02", "2010.01.02"),
            ("2010-01-02.5", "2010.01.02.5"),
            ("20100102-203040", "20100102.203040"),
            ("20100102203040-10", "20100102203040.10"),
            ("20100102-203040-p1", "20100102.203040-patch1"),
            ("201903.0", "201903.0"),
            ("201903.0-p2", "201903.0-patch2"),
            ("dev-master", "9999999-dev"),
            ("dev-trunk", "9999999-dev"),
            ("master", "9999999-dev"),
            ("1.x-dev", "1.9999999.9999999.9999999-dev"),
            ("1.0.x-dev", "1.0.9999999.9999999-dev"),
            ("dev-master as 1.0.0", "9999999-dev"),
            ("1.0.0+foo", "1.0.0.0"),
            ("1.0.0-alpha.3.1+foo/-bar", "1.0.0.0-alpha3.1"),
            ("1.0.0-stable", "1.0.0.0"),
            ("  1.0.0", "1.0.0.0"),
        ] {
            let v: PackagistVersion = input.parse().unwrap();
            assert_eq!(v.normalized(), expected, "{input}");
        }
    }

    #[test]
    fn equal_after_normalisation() {
        assert_equal::<PackagistVersion>(&[
            ("1.0", "1.0.0.0"),
            ("v1.0.0", "1.0.0"),
            ("1.0.0-stable", "1.0.0"),
            ("1.0.0-b2", "1.0.0-beta2"),
            ("1.0.0-pl1", "1.0.0-p1"),
            ("1.0.0+build", "1.0.0"),
        ]);
    }

    /// `failingNormalizedVersions` of composer/semver's `VersionParserTest`.
    #[test]
    fn rejects_what_composer_rejects() {
        let invalid = "not a Composer version";
        assert_rejected::<PackagistVersion>(&[
            ("", "version is empty"),
            ("a", invalid),
            ("1.0.0-meh", invalid),
            ("1.0.0.0.0", invalid),
            ("feature-foo", invalid),
            ("1.0.0+foo bar", invalid),
            ("1.0.1-SNAPSHOT", invalid),
            ("1.0.0<1.0.5-dev", invalid),
            ("foo bar-dev", invalid),
            ("1.0 .2", invalid),
            ("^", invalid),
            ("~1", invalid),
            ("^1", invalid),
            ("1.*", invalid),
            ("20100102.0.3.4", invalid),
            ("dev-feature-foo", "branches"),
        ]);
    }
}
