//! Ecosystem keys and package-name normalisation, shared by import and matching.
//!
//! The store is keyed by OSV ecosystem (with the release for OS ecosystems, as OSV writes it:
//! `Debian:11`, `Alpine:v3.10`) and by the package name normalised the way the ecosystem's
//! own tools compare names, so that `Flask_SQLAlchemy` in an image finds the advisory for
//! `flask-sqlalchemy`.

use kensa_core::{Ecosystem, OsInfo};

use crate::version::Scheme;

/// Where advisories for an ecosystem's packages are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdvisorySource {
    /// One OSV ecosystem for every installation (`PyPI`, `Go`).
    Language(&'static str),
    /// The OSV ecosystems of the distribution release, whose versions use this scheme.
    Os(Scheme),
}

/// Where advisories for packages of `eco` are found. Every ecosystem is named here, so
/// that a new one cannot be matched in some other ecosystem's advisories by default.
pub fn advisory_source(eco: Ecosystem) -> AdvisorySource {
    use AdvisorySource::{Language, Os};
    match eco {
        Ecosystem::Pypi => Language("PyPI"),
        Ecosystem::Npm => Language("npm"),
        Ecosystem::Cargo => Language("crates.io"),
        Ecosystem::Go => Language("Go"),
        Ecosystem::Maven => Language("Maven"),
        Ecosystem::Gem => Language("RubyGems"),
        Ecosystem::Composer => Language("Packagist"),
        Ecosystem::Nuget => Language("NuGet"),
        Ecosystem::Deb => Os(Scheme::Deb),
        Ecosystem::Apk => Os(Scheme::Apk),
        Ecosystem::Rpm => Os(Scheme::Rpm),
    }
}

/// The package ecosystem of an OSV ecosystem key: a language's own name, or the
/// ecosystem of a distribution's packages (`Debian:12` → deb); `None` for keys kensa has
/// no mapping for.
pub fn package_ecosystem(osv_ecosystem: &str) -> Option<Ecosystem> {
    let family = family(osv_ecosystem);
    let scheme = Scheme::for_osv_ecosystem(osv_ecosystem);
    Ecosystem::ALL
        .iter()
        .copied()
        .find(|&e| match advisory_source(e) {
            AdvisorySource::Language(name) => name == family,
            AdvisorySource::Os(s) => Some(s) == scheme,
        })
}

/// The family of an OSV ecosystem key: the part before the first colon (`Debian:11` →
/// `Debian`).
pub fn family(key: &str) -> &str {
    key.split_once(':').map_or(key, |(f, _)| f)
}

/// Normalises a package name of an OSV ecosystem as the ecosystem's tools compare names,
/// by [`Ecosystem::normalise_name`], the rule the inventory uses too. Names in keys kensa
/// has no mapping for are compared as written.
pub fn normalise_name(osv_ecosystem: &str, name: &str) -> String {
    match package_ecosystem(osv_ecosystem) {
        Some(eco) => eco.normalise_name(name),
        None => name.trim().to_owned(),
    }
}

/// The table key for a package: ecosystem and normalised name, joined by a NUL that neither
/// contains.
pub(crate) fn package_key(osv_ecosystem: &str, name: &str) -> String {
    format!("{osv_ecosystem}\0{}", normalise_name(osv_ecosystem, name))
}

/// The OSV ecosystem keys that hold advisories for an operating system release.
///
/// `known` is the list of keys present in the database: rpm distributions publish per product
/// stream (`Red Hat:enterprise_linux:9::appstream`, `SUSE:Linux Enterprise Module for
/// Basesystem 15 SP5`), so their keys are found by matching the release among the keys the
/// database actually has. The result is empty for a family kensa has no mapping for.
pub fn os_ecosystems(os: &OsInfo, known: &[String]) -> Vec<String> {
    let version = os.version.trim();
    let mut parts = version.split(['.', ' ']);
    let major = parts.next().unwrap_or_default();
    let minor = parts.next();
    let family = os.family.trim().to_ascii_lowercase();
    let exact = |k: String| vec![k];
    match family.as_str() {
        "debian" => {
            let major = if major.chars().all(|c| c.is_ascii_digit()) && !major.is_empty() {
                Some(major.to_owned())
            } else {
                os.codename
                    .as_deref()
                    .and_then(debian_codename)
                    .map(str::to_owned)
            };
            major.map_or_else(Vec::new, |m| exact(format!("Debian:{m}")))
        }
        "ubuntu" => {
            let release = match minor {
                Some(minor) => format!("{major}.{minor}"),
                None => major.to_owned(),
            };
            vec![format!("Ubuntu:{release}"), format!("Ubuntu:{release}:LTS")]
        }
        "alpine" => match minor {
            Some(minor) => exact(format!("Alpine:v{major}.{minor}")),
            None if version == "edge" => exact("Alpine:edge".to_owned()),
            None => Vec::new(),
        },
        "wolfi" => exact("Wolfi".to_owned()),
        "chainguard" => exact("Chainguard".to_owned()),
        "almalinux" => exact(format!("AlmaLinux:{major}")),
        "rocky" => exact(format!("Rocky Linux:{major}")),
        "mageia" => exact(format!("Mageia:{major}")),
        "photon" => exact(format!("Photon OS:{version}")),
        "azurelinux" | "mariner" => exact(format!("Azure Linux:{major}")),
        "rhel" | "centos" => {
            let prefix = format!("Red Hat:enterprise_linux:{major}:");
            known
                .iter()
                .filter(|k| k.starts_with(&prefix))
                .cloned()
                .collect()
        }
        "sles" | "sled" | "sle-micro" => {
            let release = match minor {
                Some(sp) if sp != "0" => format!(" {major} SP{sp}"),
                _ => format!(" {major}"),
            };
            known
                .iter()
                .filter(|k| k.starts_with("SUSE:") && k.ends_with(&release))
                .cloned()
                .collect()
        }
        "opensuse-leap" => exact(format!("openSUSE:Leap {version}")),
        "opensuse-tumbleweed" => exact("openSUSE:Tumbleweed".to_owned()),
        _ => Vec::new(),
    }
}

fn debian_codename(codename: &str) -> Option<&'static str> {
    Some(match codename {
        "squeeze" => "6",
        "wheezy" => "7",
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(family: &str, version: &str) -> OsInfo {
        OsInfo {
            family: family.into(),
            version: version.into(),
            codename: None,
            pretty_name: None,
        }
    }

    /// The rules themselves are `Ecosystem::normalise_name`'s, tested in kensa-core;
    /// here, that OSV keys reach the right one.
    #[test]
    fn osv_keys_use_their_ecosystems_rule() {
        assert_eq!(normalise_name("PyPI", "zope..Interface"), "zope-interface");
        assert_eq!(normalise_name("npm", "@Babel/core"), "@babel/core");
        assert_eq!(
            normalise_name("Maven", "org.apache.logging.log4j/log4j-core"),
            "org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(normalise_name("Debian:11", "libSM6"), "libSM6");
        assert_eq!(normalise_name("Unknown", " X "), "X");
    }

    #[test]
    fn every_ecosystem_has_one_advisory_source_and_maps_back() {
        for &eco in Ecosystem::ALL {
            let key = match advisory_source(eco) {
                AdvisorySource::Language(name) => name.to_owned(),
                AdvisorySource::Os(Scheme::Deb) => "Debian:12".to_owned(),
                AdvisorySource::Os(Scheme::Apk) => "Alpine:v3.19".to_owned(),
                AdvisorySource::Os(_) => "Red Hat:enterprise_linux:9::baseos".to_owned(),
            };
            assert_eq!(package_ecosystem(&key), Some(eco), "{key}");
        }
        assert_eq!(package_ecosystem("Ubuntu:22.04:LTS"), Some(Ecosystem::Deb));
        assert_eq!(package_ecosystem("Wolfi"), Some(Ecosystem::Apk));
        assert_eq!(
            package_ecosystem("SUSE:Linux Enterprise Server 15 SP5"),
            Some(Ecosystem::Rpm)
        );
        assert_eq!(package_ecosystem("Hex"), None);
    }

    #[test]
    fn os_releases_map_to_osv_keys() {
        assert_eq!(os_ecosystems(&os("debian", "12"), &[]), ["Debian:12"]);
        assert_eq!(os_ecosystems(&os("debian", "11.9"), &[]), ["Debian:11"]);
        let mut sid = os("debian", "");
        sid.codename = Some("bullseye".into());
        assert_eq!(os_ecosystems(&sid, &[]), ["Debian:11"]);
        assert_eq!(
            os_ecosystems(&os("alpine", "3.19.1"), &[]),
            ["Alpine:v3.19"]
        );
        assert_eq!(
            os_ecosystems(&os("ubuntu", "22.04"), &[]),
            ["Ubuntu:22.04", "Ubuntu:22.04:LTS"]
        );
        assert_eq!(os_ecosystems(&os("rocky", "9.3"), &[]), ["Rocky Linux:9"]);
        assert_eq!(
            os_ecosystems(&os("almalinux", "8.10"), &[]),
            ["AlmaLinux:8"]
        );
        assert_eq!(os_ecosystems(&os("wolfi", "20230201"), &[]), ["Wolfi"]);
        let known: Vec<String> = [
            "Red Hat:enterprise_linux:9::appstream",
            "Red Hat:enterprise_linux:9::baseos",
            "Red Hat:enterprise_linux:8::appstream",
            "SUSE:Linux Enterprise Server 15 SP5",
            "SUSE:Linux Enterprise Module for Basesystem 15 SP5",
            "SUSE:Linux Enterprise Server 15 SP4",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(
            os_ecosystems(&os("rhel", "9.3"), &known),
            [
                "Red Hat:enterprise_linux:9::appstream",
                "Red Hat:enterprise_linux:9::baseos"
            ]
        );
        assert_eq!(
            os_ecosystems(&os("sles", "15.5"), &known),
            [
                "SUSE:Linux Enterprise Server 15 SP5",
                "SUSE:Linux Enterprise Module for Basesystem 15 SP5"
            ]
        );
        assert!(os_ecosystems(&os("plan9", "4"), &known).is_empty());
    }
}
