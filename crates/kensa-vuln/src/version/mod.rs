//! Version schemes: one parser and total order per packaging ecosystem.
//!
//! Each module holds a parsed type with `FromStr` and `Ord` that follows the ecosystem's
//! reference implementation (dpkg, rpmvercmp, apk-tools, PEP 440, SemVer, Go, Maven,
//! RubyGems, NuGet, Composer), tested against that implementation's own vectors. [`Scheme`]
//! picks the module for an OSV ecosystem name and [`Version`] carries a parsed value of any
//! scheme, so that advisory ranges can be parsed once, at import, into typed values.
//!
//! Inputs come from images and advisory feeds, so they are hostile: parsers reject what the
//! reference rejects, never panic, and compare numbers of any length by their digits rather
//! than by a machine integer that could overflow.

pub mod apk;
pub mod deb;
pub mod gem;
pub mod go;
pub mod maven;
pub mod nuget;
pub mod packagist;
pub mod pep440;
pub mod rpm;
pub mod semver;

use std::cmp::Ordering;
use std::fmt;

/// Longest version string any parser accepts.
///
/// Real versions are far shorter; the cap bounds the work (and, for Maven's nested lists, the
/// recursion depth) that one hostile string can cause.
pub const MAX_VERSION_LEN: usize = 512;

/// A versioning scheme: the ordering rules of one family of package managers.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Scheme {
    /// Debian and Ubuntu packages, ordered as dpkg does.
    Deb,
    /// RPM packages (Red Hat, SUSE, Alma, Rocky, …), ordered as rpm does.
    Rpm,
    /// Alpine, Wolfi and Chainguard packages, ordered as apk-tools does.
    Apk,
    /// Python packages (PEP 440).
    Pep440,
    /// SemVer 2.0 as used by crates.io and npm.
    Semver,
    /// Go module versions and Go toolchain versions.
    Go,
    /// Maven artifacts (`ComparableVersion`).
    Maven,
    /// RubyGems (`Gem::Version`).
    Gem,
    /// NuGet packages.
    Nuget,
    /// Composer / Packagist packages.
    Packagist,
}

impl Scheme {
    /// Every scheme, in declaration order.
    pub const ALL: &'static [Scheme] = &[
        Scheme::Deb,
        Scheme::Rpm,
        Scheme::Apk,
        Scheme::Pep440,
        Scheme::Semver,
        Scheme::Go,
        Scheme::Maven,
        Scheme::Gem,
        Scheme::Nuget,
        Scheme::Packagist,
    ];

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Deb => "Debian",
            Scheme::Rpm => "RPM",
            Scheme::Apk => "Alpine",
            Scheme::Pep440 => "PEP 440",
            Scheme::Semver => "SemVer",
            Scheme::Go => "Go",
            Scheme::Maven => "Maven",
            Scheme::Gem => "RubyGems",
            Scheme::Nuget => "NuGet",
            Scheme::Packagist => "Composer",
        }
    }

    /// Parses `s` as a version of this scheme.
    pub fn parse(self, s: &str) -> Result<Version, VersionError> {
        Ok(match self {
            Scheme::Deb => Version::Deb(s.parse()?),
            Scheme::Rpm => Version::Rpm(s.parse()?),
            Scheme::Apk => Version::Apk(s.parse()?),
            Scheme::Pep440 => Version::Pep440(s.parse()?),
            Scheme::Semver => Version::Semver(s.parse()?),
            Scheme::Go => Version::Go(s.parse()?),
            Scheme::Maven => Version::Maven(s.parse()?),
            Scheme::Gem => Version::Gem(s.parse()?),
            Scheme::Nuget => Version::Nuget(s.parse()?),
            Scheme::Packagist => Version::Packagist(s.parse()?),
        })
    }

    /// The scheme of an OSV `affected[].package.ecosystem` value, or `None` when kensa has no
    /// ordering for it.
    ///
    /// OSV suffixes a release after a colon (`Debian:11`, `Alpine:v3.18`,
    /// `Red Hat:enterprise_linux:9::appstream`); the release does not change the ordering, so
    /// only the part before the first colon is looked at. Names are case-sensitive in OSV.
    pub fn for_osv_ecosystem(name: &str) -> Option<Scheme> {
        let base = name.split_once(':').map_or(name, |(base, _)| base).trim();
        Some(match base {
            "Debian" | "Ubuntu" => Scheme::Deb,
            "Alpine" | "Wolfi" | "Chainguard" | "MinimOS" => Scheme::Apk,
            "Red Hat" | "AlmaLinux" | "Rocky Linux" | "SUSE" | "openSUSE" | "Mageia"
            | "Photon OS" | "Azure Linux" | "openEuler" => Scheme::Rpm,
            "PyPI" => Scheme::Pep440,
            "crates.io" | "npm" => Scheme::Semver,
            "Go" => Scheme::Go,
            "Maven" => Scheme::Maven,
            "RubyGems" => Scheme::Gem,
            "NuGet" => Scheme::Nuget,
            "Packagist" => Scheme::Packagist,
            _ => return None,
        })
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A parsed version of any scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Version {
    /// A dpkg version.
    Deb(deb::DebVersion),
    /// An rpm `[epoch:]version[-release]`.
    Rpm(rpm::RpmVersion),
    /// An apk-tools version.
    Apk(apk::ApkVersion),
    /// A PEP 440 version.
    Pep440(pep440::Pep440Version),
    /// A SemVer 2.0 version.
    Semver(semver::SemverVersion),
    /// A Go module or toolchain version.
    Go(go::GoVersion),
    /// A Maven version.
    Maven(maven::MavenVersion),
    /// A RubyGems version.
    Gem(gem::GemVersion),
    /// A NuGet version.
    Nuget(nuget::NugetVersion),
    /// A Composer version.
    Packagist(packagist::PackagistVersion),
}

impl Version {
    /// The scheme this version was parsed with.
    pub fn scheme(&self) -> Scheme {
        match self {
            Version::Deb(_) => Scheme::Deb,
            Version::Rpm(_) => Scheme::Rpm,
            Version::Apk(_) => Scheme::Apk,
            Version::Pep440(_) => Scheme::Pep440,
            Version::Semver(_) => Scheme::Semver,
            Version::Go(_) => Scheme::Go,
            Version::Maven(_) => Scheme::Maven,
            Version::Gem(_) => Scheme::Gem,
            Version::Nuget(_) => Scheme::Nuget,
            Version::Packagist(_) => Scheme::Packagist,
        }
    }

    /// Orders two versions of the same scheme; `None` when the schemes differ, or when two Go
    /// versions are of different kinds (a module version and a toolchain version), because no
    /// ordering between them means anything.
    pub fn compare(&self, other: &Version) -> Option<Ordering> {
        match (self, other) {
            (Version::Deb(a), Version::Deb(b)) => Some(a.cmp(b)),
            (Version::Rpm(a), Version::Rpm(b)) => Some(a.cmp(b)),
            (Version::Apk(a), Version::Apk(b)) => Some(a.cmp(b)),
            (Version::Pep440(a), Version::Pep440(b)) => Some(a.cmp(b)),
            (Version::Semver(a), Version::Semver(b)) => Some(a.cmp(b)),
            (Version::Go(a), Version::Go(b)) => a.compare_same_kind(b),
            (Version::Maven(a), Version::Maven(b)) => Some(a.cmp(b)),
            (Version::Gem(a), Version::Gem(b)) => Some(a.cmp(b)),
            (Version::Nuget(a), Version::Nuget(b)) => Some(a.cmp(b)),
            (Version::Packagist(a), Version::Packagist(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Version::Deb(v) => v.fmt(f),
            Version::Rpm(v) => v.fmt(f),
            Version::Apk(v) => v.fmt(f),
            Version::Pep440(v) => v.fmt(f),
            Version::Semver(v) => v.fmt(f),
            Version::Go(v) => v.fmt(f),
            Version::Maven(v) => v.fmt(f),
            Version::Gem(v) => v.fmt(f),
            Version::Nuget(v) => v.fmt(f),
            Version::Packagist(v) => v.fmt(f),
        }
    }
}

/// A string that is not a valid version of a scheme.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid {scheme} version: {reason}")]
pub struct VersionError {
    /// The scheme the input was parsed with.
    pub scheme: Scheme,
    /// The rejected input, shortened if it was very long.
    pub input: String,
    /// Why it was rejected, in the reference implementation's words where it has them.
    pub reason: String,
}

impl VersionError {
    pub(crate) fn new(scheme: Scheme, input: &str, reason: impl Into<String>) -> Self {
        // A hostile multi-megabyte "version" must not be copied into every error message.
        const SHOWN: usize = 80;
        let input = match input.char_indices().nth(SHOWN) {
            Some((end, _)) => format!("{}…", input.get(..end).unwrap_or_default()),
            None => input.to_owned(),
        };
        VersionError {
            scheme,
            input,
            reason: reason.into(),
        }
    }
}

/// Rejects inputs longer than [`MAX_VERSION_LEN`].
pub(crate) fn check_len(scheme: Scheme, s: &str) -> Result<(), VersionError> {
    if s.len() > MAX_VERSION_LEN {
        return Err(VersionError::new(
            scheme,
            s,
            format!("longer than {MAX_VERSION_LEN} bytes ({} bytes)", s.len()),
        ));
    }
    Ok(())
}

/// Compares two strings of ASCII digits as unbounded decimal numbers.
///
/// Leading zeros are stripped, then the longer number is the larger, and equal lengths compare
/// digit by digit: dpkg and rpm compare this way, and it needs no integer that could overflow.
pub(crate) fn cmp_decimal(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests;
