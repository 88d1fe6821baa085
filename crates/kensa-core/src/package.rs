//! Installed or declared software packages.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Location;

/// The packaging world a package belongs to; it decides the version scheme and the
/// advisory ecosystem it is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ecosystem {
    /// Debian packages (dpkg).
    Deb,
    /// Alpine packages (apk).
    Apk,
    /// RPM packages.
    Rpm,
    /// Python (PyPI).
    Pypi,
    /// JavaScript (npm).
    Npm,
    /// Rust (crates.io).
    Cargo,
    /// Go modules.
    Go,
    /// Java (Maven).
    Maven,
    /// Ruby (RubyGems).
    Gem,
    /// PHP (Packagist).
    Composer,
    /// .NET (NuGet).
    Nuget,
}

impl Ecosystem {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Go => "go",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
        }
    }

    /// True for packages managed by the operating system's package manager.
    pub fn is_os(self) -> bool {
        matches!(self, Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm)
    }
}

impl fmt::Display for Ecosystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A package found in an image or a source tree.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Package {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// The name as the ecosystem spells it.
    pub name: String,
    /// The full version as recorded (with epoch and release where the format has them).
    pub version: String,
    /// The package URL (purl).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub purl: Option<String>,
    /// CPU architecture for OS packages.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub arch: Option<String>,
    /// The source package (Debian source, Alpine origin, source RPM) and its version.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<SourcePackage>,
    /// Declared licenses, as recorded.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub licenses: Vec<String>,
    /// Whether a lockfile lists it as a direct dependency, when it says.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub direct: Option<bool>,
    /// The analyzer that found it.
    pub found_by: String,
    /// Where it was recorded (the database or manifest file, and its layer).
    pub location: Location,
    /// Files the package owns, when its database lists them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub files: Vec<String>,
}

/// The source a binary package was built from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SourcePackage {
    /// Source package name.
    pub name: String,
    /// Source version, when it differs from or is recorded beside the binary's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub version: Option<String>,
}
