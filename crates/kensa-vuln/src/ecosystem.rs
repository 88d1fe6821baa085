//! Ecosystem keys and package-name normalisation, shared by import and matching.
//!
//! The store is keyed by OSV ecosystem (with the release for OS ecosystems, as OSV writes it:
//! `Debian:11`, `Alpine:v3.10`) and by the package name normalised the way the ecosystem's
//! own tools compare names, so that `Flask_SQLAlchemy` in an image finds the advisory for
//! `flask-sqlalchemy`.

use kensa_core::{Ecosystem, OsInfo};

/// The OSV ecosystem name of a language package ecosystem; `None` for OS ecosystems, whose
/// key depends on the release.
pub fn osv_language_ecosystem(eco: Ecosystem) -> Option<&'static str> {
    Some(match eco {
        Ecosystem::Pypi => "PyPI",
        Ecosystem::Npm => "npm",
        Ecosystem::Cargo => "crates.io",
        Ecosystem::Go => "Go",
        Ecosystem::Maven => "Maven",
        Ecosystem::Gem => "RubyGems",
        Ecosystem::Composer => "Packagist",
        Ecosystem::Nuget => "NuGet",
        Ecosystem::Deb | Ecosystem::Apk | Ecosystem::Rpm => return None,
    })
}

/// The family of an OSV ecosystem key: the part before the first colon (`Debian:11` →
/// `Debian`).
pub fn family(key: &str) -> &str {
    key.split_once(':').map_or(key, |(f, _)| f)
}

/// Normalises a package name as the ecosystem compares names.
///
/// PyPI: PEP 503 (lowercase, runs of `-`, `_`, `.` become one `-`). NuGet and Packagist names
/// are case-insensitive. Maven coordinates are `group:artifact` (a `/` as in purls is read
/// as `:`). npm, crates.io, Go module paths, RubyGems and OS package names are compared as
/// written.
pub fn normalise_name(osv_ecosystem: &str, name: &str) -> String {
    let name = name.trim();
    match family(osv_ecosystem) {
        "PyPI" => {
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
        "NuGet" | "Packagist" => name.to_lowercase(),
        "Maven" if !name.contains(':') => name.replacen('/', ":", 1),
        _ => name.to_owned(),
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

    #[test]
    fn pep503_and_case_rules() {
        assert_eq!(
            normalise_name("PyPI", "Flask_SQLAlchemy"),
            "flask-sqlalchemy"
        );
        assert_eq!(normalise_name("PyPI", "zope..Interface"), "zope-interface");
        assert_eq!(normalise_name("PyPI", "requests"), "requests");
        assert_eq!(
            normalise_name("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(normalise_name("npm", "@Babel/core"), "@Babel/core");
        assert_eq!(
            normalise_name("Maven", "org.apache.logging.log4j/log4j-core"),
            "org.apache.logging.log4j:log4j-core"
        );
        assert_eq!(
            normalise_name("Go", "github.com/BurntSushi/toml"),
            "github.com/BurntSushi/toml"
        );
        assert_eq!(normalise_name("Debian:11", "openssl"), "openssl");
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
