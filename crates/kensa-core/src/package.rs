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

    /// Every ecosystem, in declaration order.
    pub const ALL: &'static [Ecosystem] = &[
        Ecosystem::Deb,
        Ecosystem::Apk,
        Ecosystem::Rpm,
        Ecosystem::Pypi,
        Ecosystem::Npm,
        Ecosystem::Cargo,
        Ecosystem::Go,
        Ecosystem::Maven,
        Ecosystem::Gem,
        Ecosystem::Composer,
        Ecosystem::Nuget,
    ];

    /// The package-URL type of the ecosystem's packages.
    pub fn purl_type(self) -> &'static str {
        match self {
            Ecosystem::Deb => "deb",
            Ecosystem::Apk => "apk",
            Ecosystem::Rpm => "rpm",
            Ecosystem::Pypi => "pypi",
            Ecosystem::Npm => "npm",
            Ecosystem::Cargo => "cargo",
            Ecosystem::Go => "golang",
            Ecosystem::Maven => "maven",
            Ecosystem::Gem => "gem",
            Ecosystem::Composer => "composer",
            Ecosystem::Nuget => "nuget",
        }
    }

    /// The ecosystem whose packages have this package-URL type.
    pub fn from_purl_type(ty: &str) -> Option<Ecosystem> {
        Ecosystem::ALL
            .iter()
            .copied()
            .find(|e| e.purl_type().eq_ignore_ascii_case(ty))
    }

    /// A package name in the form names of the ecosystem are compared in, so that the
    /// inventory, purls, advisory lookups and VEX matching agree on which package a name
    /// means. The rules are the purl type definitions' (which say which names are
    /// case-insensitive) and the registries':
    ///
    /// - PyPI: [`pep503`].
    /// - npm, Go, NuGet and Packagist: lower case. npm forbids upper case in new names
    ///   and the `npm` purl type declares names case-insensitive; the `golang` type does
    ///   the same for module paths (whose hosts fold case anyway); NuGet and Packagist
    ///   resolve names case-insensitively. (The few legacy npm packages whose names
    ///   differ only in case are the price; advisories name them as registered, so both
    ///   sides fold the same way.)
    /// - Maven: `group:artifact`; a `/` between them, as purls write it, is read as `:`.
    /// - crates.io, RubyGems, deb, apk and rpm: as written; lockfiles, databases and
    ///   advisories all carry the registered spelling.
    ///
    /// Surrounding whitespace is trimmed for every ecosystem.
    pub fn normalise_name(self, name: &str) -> String {
        let name = name.trim();
        match self {
            Ecosystem::Pypi => pep503(name),
            Ecosystem::Npm | Ecosystem::Go | Ecosystem::Nuget | Ecosystem::Composer => {
                name.to_lowercase()
            }
            Ecosystem::Maven if !name.contains(':') => name.replacen('/', ":", 1),
            Ecosystem::Maven
            | Ecosystem::Cargo
            | Ecosystem::Gem
            | Ecosystem::Deb
            | Ecosystem::Apk
            | Ecosystem::Rpm => name.to_owned(),
        }
    }
}

/// PEP 503 name normalisation, `re.sub(r"[-_.]+", "-", name).lower()`: each run of `-`,
/// `_` and `.` becomes one `-`, and letters are lower-cased. Runs at the ends become a
/// `-` too, as the regex does; valid names (PEP 508) have none, so only broken metadata
/// is affected, and it must compare the way pip would compare it.
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_sep {
                out.push('-');
            }
            in_sep = true;
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
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
    /// Needed only to develop the project (npm `devDependencies`, Composer
    /// `packages-dev`, Poetry/PDM/uv dev groups), as its lockfile says: such packages are
    /// not installed in production, so scans leave them out unless asked
    /// (`--include-dev-deps`).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub dev: bool,
    /// Set for the project's own packages: the root (main) module of a project or
    /// binary and the members of its workspace; `None` for what the project depends on
    /// and for installed packages.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub relationship: Option<Relationship>,
}

/// How one of the project's own packages stands to the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relationship {
    /// The project (or binary) itself: the main module, the root crate or package.
    Root,
    /// A member of the project's workspace other than the root.
    Workspace,
}

impl Relationship {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Root => "root",
            Relationship::Workspace => "workspace",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_is_the_regex_substitution() {
        for (name, want) in [
            ("Flask_SQLAlchemy", "flask-sqlalchemy"),
            ("zope..Interface", "zope-interface"),
            ("Foo.-_Bar", "foo-bar"),
            ("PyYAML", "pyyaml"),
            ("requests", "requests"),
            ("_private.", "-private-"),
            ("--a__", "-a-"),
            ("", ""),
        ] {
            assert_eq!(pep503(name), want, "{name}");
        }
    }

    #[test]
    fn names_normalise_by_ecosystem() {
        let n = |e: Ecosystem, s| e.normalise_name(s);
        assert_eq!(
            n(Ecosystem::Pypi, " Django_REST.framework "),
            "django-rest-framework"
        );
        assert_eq!(n(Ecosystem::Nuget, "Newtonsoft.Json"), "newtonsoft.json");
        assert_eq!(n(Ecosystem::Composer, "Symfony/Console"), "symfony/console");
        assert_eq!(
            n(Ecosystem::Maven, "org.apache/commons-lang3"),
            "org.apache:commons-lang3"
        );
        assert_eq!(
            n(Ecosystem::Maven, "org.apache:commons-lang3"),
            "org.apache:commons-lang3"
        );
        assert_eq!(n(Ecosystem::Npm, "@Scope/JSONStream"), "@scope/jsonstream");
        assert_eq!(
            n(Ecosystem::Go, "github.com/BurntSushi/toml"),
            "github.com/burntsushi/toml"
        );
        assert_eq!(n(Ecosystem::Gem, "ActiveRecord"), "ActiveRecord");
        assert_eq!(n(Ecosystem::Cargo, "serde_json"), "serde_json");
        assert_eq!(n(Ecosystem::Deb, "libc6"), "libc6");
    }

    #[test]
    fn purl_types_round_trip() {
        for &e in Ecosystem::ALL {
            assert_eq!(Ecosystem::from_purl_type(e.purl_type()), Some(e));
        }
        assert_eq!(Ecosystem::from_purl_type("oci"), None);
    }
}
