//! Go versions: module versions (`v1.2.3`, `v2.0.0+incompatible`, pseudo-versions such as
//! `v0.0.0-20191109021931-daa7c04131f5`) compared as `golang.org/x/mod/semver` compares them,
//! and toolchain versions (`go1.21.3`, `1.22rc1`) of the `stdlib` package compared as the Go
//! command's `gover` compares them.
//!
//! Module versions must start with `v`; a string starting with `go` or a digit is a toolchain
//! version. OSV's Go records drop the `v` (`"fixed": "0.17.0"`); [`GoVersion::from_osv`] reads
//! those as module versions. Numbers of any length compare by their digits, as both reference
//! implementations do.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A Go module version or Go toolchain version.
///
/// `Ord` sorts every module version before every toolchain version only to be total;
/// [`crate::version::Version::compare`] refuses to order the two kinds.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum GoVersion {
    /// A module version (`vMAJOR[.MINOR[.PATCH[-PRERELEASE][+BUILD]]]`).
    Module(ModuleVersion),
    /// A toolchain version (`[go]1.21.3`, `1.22rc1`).
    Toolchain(ToolchainVersion),
}

impl GoVersion {
    /// Parses a version from an OSV record of the `Go` ecosystem, where module versions have no
    /// `v` prefix (and the standard library's versions are written as SemVer too).
    pub fn from_osv(s: &str) -> Result<GoVersion, VersionError> {
        check_len(Scheme::Go, s)?;
        let module = if s.starts_with('v') {
            s.parse()
        } else {
            format!("v{s}")
                .parse::<ModuleVersion>()
                .map_err(|e| VersionError::new(Scheme::Go, s, e.reason))
        };
        module.map(GoVersion::Module)
    }

    /// Orders two versions of the same kind; `None` for a module and a toolchain version.
    pub fn compare_same_kind(&self, other: &GoVersion) -> Option<Ordering> {
        match (self, other) {
            (GoVersion::Module(a), GoVersion::Module(b)) => Some(a.cmp(b)),
            (GoVersion::Toolchain(a), GoVersion::Toolchain(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl FromStr for GoVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        if s.starts_with("go") || s.starts_with(|c: char| c.is_ascii_digit()) {
            s.parse().map(GoVersion::Toolchain)
        } else {
            s.parse().map(GoVersion::Module)
        }
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GoVersion::Module(v) => v.fmt(f),
            GoVersion::Toolchain(v) => v.fmt(f),
        }
    }
}

/// A Go module version, compared as `golang.org/x/mod/semver.Compare` does: `v1` and `v1.0`
/// equal `v1.0.0`, and build metadata such as `+incompatible` is ignored.
#[derive(Clone, Debug)]
pub struct ModuleVersion {
    raw: Box<str>,
    major: Box<str>,
    minor: Box<str>,
    patch: Box<str>,
    /// Without the leading `-`; empty for a release.
    prerelease: Box<str>,
    build: Box<str>,
}

impl ModuleVersion {
    /// True for `+incompatible` versions: a v2+ module without a `/vN` module path.
    pub fn is_incompatible(&self) -> bool {
        &*self.build == "incompatible"
    }

    /// True for pseudo-versions (`vX.Y.Z-[pre.]yyyymmddhhmmss-abcdef123456`), which name a
    /// commit rather than a tag.
    pub fn is_pseudo(&self) -> bool {
        let last = self.prerelease.rsplit(['.', '-']).collect::<Vec<_>>();
        match last.as_slice() {
            [rev, time, ..] => {
                rev.len() == 12
                    && rev.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
                    && time.len() == 14
                    && time.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        }
    }
}

impl FromStr for ModuleVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let err = |reason: &str| VersionError::new(Scheme::Go, s, reason);
        check_len(Scheme::Go, s)?;
        let rest = s
            .strip_prefix('v')
            .ok_or_else(|| err("module versions start with `v`"))?;
        let (core, build) = match rest.split_once('+') {
            Some((core, build)) => (core, Some(build)),
            None => (rest, None),
        };
        let (numbers, prerelease) = match core.split_once('-') {
            Some((numbers, pre)) => (numbers, Some(pre)),
            None => (core, None),
        };
        let mut parts = numbers.split('.');
        let major = parts.next().unwrap_or_default();
        let minor = parts.next();
        let patch = parts.next();
        if parts.next().is_some() {
            return Err(err("more than three numbers"));
        }
        for n in [Some(major), minor, patch].into_iter().flatten() {
            if !is_canonical_number(n) {
                return Err(err("numbers must be decimal without leading zeros"));
            }
        }
        if (prerelease.is_some() || build.is_some()) && patch.is_none() {
            return Err(err("pre-release and build suffixes need major.minor.patch"));
        }
        if let Some(pre) = prerelease {
            check_identifiers(pre, true).map_err(err)?;
        }
        if let Some(build) = build {
            check_identifiers(build, false).map_err(err)?;
        }
        Ok(ModuleVersion {
            raw: s.into(),
            major: major.into(),
            minor: minor.unwrap_or("0").into(),
            patch: patch.unwrap_or("0").into(),
            prerelease: prerelease.unwrap_or_default().into(),
            build: build.unwrap_or_default().into(),
        })
    }
}

fn is_canonical_number(n: &str) -> bool {
    !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && (n == "0" || !n.starts_with('0'))
}

/// SemVer identifiers: non-empty, `[0-9A-Za-z-]`, numeric ones without leading zeros in a
/// pre-release.
fn check_identifiers(s: &str, prerelease: bool) -> Result<(), &'static str> {
    for id in s.split('.') {
        if id.is_empty() {
            return Err("empty pre-release or build identifier");
        }
        if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err("identifiers are made of `[0-9A-Za-z-]`");
        }
        if prerelease
            && id.len() > 1
            && id.starts_with('0')
            && id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err("numeric pre-release identifier has a leading zero");
        }
    }
    Ok(())
}

/// x/mod's `comparePrerelease`: a release beats any pre-release; identifiers compare
/// numerically when both are numbers, numbers sort before words, words compare as ASCII.
fn compare_prerelease(x: &str, y: &str) -> Ordering {
    match (x.is_empty(), y.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        (false, false) => {}
    }
    let mut xs = x.split('.');
    let mut ys = y.split('.');
    loop {
        match (xs.next(), ys.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(a), Some(b)) => {
                let na = a.bytes().all(|c| c.is_ascii_digit());
                let nb = b.bytes().all(|c| c.is_ascii_digit());
                let ord = match (na, nb) {
                    (true, true) => cmp_decimal(a, b),
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    (false, false) => a.cmp(b),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

impl Ord for ModuleVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_decimal(&self.major, &other.major)
            .then_with(|| cmp_decimal(&self.minor, &other.minor))
            .then_with(|| cmp_decimal(&self.patch, &other.patch))
            .then_with(|| compare_prerelease(&self.prerelease, &other.prerelease))
    }
}

impl PartialOrd for ModuleVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ModuleVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ModuleVersion {}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// A Go toolchain version, compared as the Go command's `gover.Compare`: from Go 1.21 on, the
/// language version `1.21` sorts before `1.21rc1`, which sorts before `1.21.0`; before 1.21,
/// `1.20` equals `1.20.0`.
#[derive(Clone, Debug)]
pub struct ToolchainVersion {
    raw: Box<str>,
    major: Box<str>,
    minor: Box<str>,
    /// Empty when absent and not implied, which sorts before `0`.
    patch: Box<str>,
    /// Pre-release kind (`alpha`, `beta`, `rc`), empty for a release.
    kind: Box<str>,
    pre: Box<str>,
}

impl ToolchainVersion {
    /// The equivalent module-style SemVer, as the Go vulnerability database writes standard
    /// library versions: `go1.21.3` is `v1.21.3`, `go1.22rc1` is `v1.22.0-rc.1`.
    pub fn to_module_version(&self) -> Result<ModuleVersion, VersionError> {
        let patch = if self.patch.is_empty() {
            "0"
        } else {
            &self.patch
        };
        let pre = match (&*self.kind, &*self.pre) {
            ("", _) => String::new(),
            (kind, "") => format!("-{kind}"),
            (kind, n) => format!("-{kind}.{n}"),
        };
        format!("v{}.{}.{patch}{pre}", self.major, self.minor).parse()
    }
}

impl FromStr for ToolchainVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        let err = || {
            VersionError::new(
                Scheme::Go,
                s,
                "not a Go toolchain version like `go1.21.3` or `1.22rc1`",
            )
        };
        check_len(Scheme::Go, s)?;
        let x = s.strip_prefix("go").unwrap_or(s);
        let (major, x) = cut_int(x).ok_or_else(err)?;
        let mut v = ToolchainVersion {
            raw: s.into(),
            major: major.into(),
            minor: "0".into(),
            patch: "0".into(),
            kind: "".into(),
            pre: "".into(),
        };
        let Some(x) = x.strip_prefix('.') else {
            // Only a bare major ("1") is valid without a dot.
            return if x.is_empty() { Ok(v) } else { Err(err()) };
        };
        let (minor, x) = cut_int(x).ok_or_else(err)?;
        v.minor = minor.into();
        // A missing patch meant ".0" before Go 1.21; since then it names the language version.
        if cmp_decimal(minor, "21") != Ordering::Less || !x.is_empty() {
            v.patch = "".into();
        }
        if x.is_empty() {
            return Ok(v);
        }
        if let Some(x) = x.strip_prefix('.') {
            let (patch, rest) = cut_int(x).ok_or_else(err)?;
            // Go has never had pre-releases of patch releases and refuses them.
            if !rest.is_empty() {
                return Err(err());
            }
            v.patch = patch.into();
            return Ok(v);
        }
        let kind_len = x.bytes().take_while(u8::is_ascii_lowercase).count();
        if kind_len == 0 {
            return Err(err());
        }
        let (kind, x) = x.split_at(kind_len);
        v.kind = kind.into();
        if x.is_empty() {
            return Ok(v);
        }
        let (pre, rest) = cut_int(x).ok_or_else(err)?;
        if !rest.is_empty() {
            return Err(err());
        }
        v.pre = pre.into();
        Ok(v)
    }
}

/// gover's `cutInt`: a leading decimal without unnecessary leading zeros, and the rest.
fn cut_int(x: &str) -> Option<(&str, &str)> {
    let n = x.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || (n > 1 && x.starts_with('0')) {
        return None;
    }
    Some(x.split_at(n))
}

/// gover's `cmpInt`, where the empty string (an absent patch) sorts before every number.
fn cmp_int(x: &str, y: &str) -> Ordering {
    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
}

impl Ord for ToolchainVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_int(&self.major, &other.major)
            .then_with(|| cmp_int(&self.minor, &other.minor))
            .then_with(|| cmp_int(&self.patch, &other.patch))
            .then_with(|| self.kind.cmp(&other.kind))
            .then_with(|| cmp_int(&self.pre, &other.pre))
    }
}

impl PartialOrd for ToolchainVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for ToolchainVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for ToolchainVersion {}

impl fmt::Display for ToolchainVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// Module versions in x/mod/semver order: pseudo-versions (pre-releases of the next
    /// patch), SemVer pre-releases, `+incompatible` majors.
    pub(crate) const ASCENDING: &[&str] = &[
        "v0.0.0-20191109021931-daa7c04131f5",
        "v0.0.0-20200101000000-aaaaaaaaaaaa",
        "v0.0.1-alpha",
        "v0.0.1-alpha.1",
        "v0.0.1-alpha.beta",
        "v0.0.1-beta.2",
        "v0.0.1-beta.11",
        "v0.0.1-rc.1",
        "v0.0.1-rc.1.0.20200101000000-abcdefabcdef",
        "v0.0.1",
        "v0.1.0",
        "v1.0.0-rc.1",
        "v1.0.0",
        "v1.2.3",
        "v1.2.4-0.20191109021931-daa7c04131f5",
        "v1.2.4",
        "v2.0.0+incompatible",
        "v2.1.0+incompatible",
        "v99999999999999999999.0.0",
    ];

    /// `compareTests` of the Go command's `internal/gover`, joined into one chain.
    const TOOLCHAIN_ASCENDING: &[&str] = &[
        "1",
        "1.1",
        "1.5",
        "1.6",
        "1.6.1",
        "1.10",
        "1.19alpha3",
        "1.19beta2",
        "1.19rc1",
        "1.19rc2",
        "1.19",
        "1.19.1",
        "1.20rc1",
        "1.20",
        "1.21",
        "1.21rc1",
        "1.21.0",
        "go1.21.3",
        "go1.22rc1",
        "1.99999999999999998",
        "1.99999999999999999",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<GoVersion>(ASCENDING);
        assert_ascending::<GoVersion>(TOOLCHAIN_ASCENDING);
    }

    #[test]
    fn equal_versions() {
        assert_equal::<GoVersion>(&[
            ("v1", "v1.0.0"),
            ("v1.2", "v1.2.0"),
            ("v2.0.0+incompatible", "v2.0.0"),
            ("v1.0.0+build.1", "v1.0.0+build.2"),
            ("1.19", "1.19.0"),
            ("1.20", "1.20.0"),
            ("go1.21.3", "1.21.3"),
        ]);
        let a: ToolchainVersion = "1.21".parse().unwrap();
        let b: ToolchainVersion = "1.21.0".parse().unwrap();
        assert_eq!(a.cmp(&b), Ordering::Less);
    }

    #[test]
    fn modules_and_toolchains_are_not_compared() {
        let module: GoVersion = "v1.21.3".parse().unwrap();
        let toolchain: GoVersion = "go1.21.3".parse().unwrap();
        assert_eq!(module.compare_same_kind(&toolchain), None);
        let GoVersion::Toolchain(t) = toolchain else {
            panic!("toolchain expected")
        };
        assert_eq!(
            GoVersion::Module(t.to_module_version().unwrap()).compare_same_kind(&module),
            Some(Ordering::Equal)
        );
        let rc: ToolchainVersion = "go1.22rc1".parse().unwrap();
        assert_eq!(rc.to_module_version().unwrap().to_string(), "v1.22.0-rc.1");
    }

    #[test]
    fn osv_versions_have_no_v() {
        let fixed = GoVersion::from_osv("0.17.0").unwrap();
        let installed: GoVersion = "v0.16.9".parse().unwrap();
        assert_eq!(installed.compare_same_kind(&fixed), Some(Ordering::Less));
        assert!(GoVersion::from_osv("0.0.0-20220314234659-1baeb1ce4c0b").is_ok());
        assert!(GoVersion::from_osv("1.0.0.0").is_err());
    }

    #[test]
    fn pseudo_and_incompatible() {
        let v: ModuleVersion = "v0.0.0-20191109021931-daa7c04131f5".parse().unwrap();
        assert!(v.is_pseudo() && !v.is_incompatible());
        let v: ModuleVersion = "v1.2.4-0.20191109021931-daa7c04131f5".parse().unwrap();
        assert!(v.is_pseudo());
        let v: ModuleVersion = "v2.0.0+incompatible".parse().unwrap();
        assert!(v.is_incompatible() && !v.is_pseudo());
        let v: ModuleVersion = "v1.0.0-rc.1".parse().unwrap();
        assert!(!v.is_pseudo());
    }

    /// Invalid strings from x/mod's `semver_test.go` and gover's parser.
    #[test]
    fn rejects_invalid() {
        assert_rejected::<GoVersion>(&[
            ("", "start with `v`"),
            ("bad", "start with `v`"),
            ("v", "leading zeros"),
            ("v1.2.3.4", "more than three numbers"),
            ("v1-alpha.beta.gamma", "need major.minor.patch"),
            ("v1.2-pre", "need major.minor.patch"),
            ("v1.2+build", "need major.minor.patch"),
            ("v1.2.3-", "empty"),
            ("v1.2.3-0123", "leading zero"),
            ("v1.2.3-0123.0123", "leading zero"),
            ("v1.2.3-+meta", "empty"),
            ("v1.2.3-pre+", "empty"),
            ("v1.2.3+me$ta", "identifiers"),
            ("v01.2.3", "leading zeros"),
            ("v1.02.3", "leading zeros"),
            ("go", "toolchain"),
            ("go1.", "toolchain"),
            ("1.21.3rc1", "toolchain"),
            ("1.21RC1", "toolchain"),
            ("go01.21", "toolchain"),
        ]);
        // gover accepts a pre-release kind without a number.
        assert!("1.21rc".parse::<ToolchainVersion>().is_ok());
    }
}
