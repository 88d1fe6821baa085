//! Package URLs for OS packages, in the canonical form of the purl specification
//! built and printed by [`kensa_core::Purl`].
//!
//! | ecosystem | type | namespace (from the OS family; default without an OS) | version | qualifiers |
//! |---|---|---|---|---|
//! | dpkg | `deb` | `debian`, `ubuntu`, other families as is; default `debian` | `[epoch:]upstream-revision` | `arch`, `distro`, `upstream` |
//! | apk | `apk` | `alpine`, `wolfi`, `chainguard`, …; default `alpine` | `version-rN` | `arch`, `distro`, `upstream` |
//! | rpm | `rpm` | `redhat` for `rhel`, else the family; default `redhat` | `version-release` | `arch`, `distro`, `epoch`, `modularitylabel`, `upstream` |
//!
//! `distro` is `<family>-<version>` (`debian-12`, `alpine-3.19.1`, `rhel-8.9`), or the
//! codename when there is no version. `upstream` names the source package when it
//! differs from the binary (for rpm, the source rpm's name). Qualifiers an analyzer put
//! in [`Package::purl`] that cannot be derived from the package's fields (rpm's
//! `modularitylabel`) are kept.

use kensa_core::{Ecosystem, OsInfo, Package, Purl};

/// Qualifiers [`purl`] derives from the package and the OS; any others an analyzer put in
/// [`Package::purl`] are kept.
const DERIVED: &[&str] = &["arch", "distro", "epoch", "upstream"];

/// The purl of `pkg`, with the `distro` qualifier and namespace taken from `os`.
///
/// Analyzers fill [`Package::purl`] with `purl(pkg, None)`; the scan calls this again
/// with the detected OS. Language packages' purls do not depend on the OS and are
/// returned as their analyzer wrote them.
pub fn purl(pkg: &Package, os: Option<&OsInfo>) -> String {
    let default_ns = match pkg.ecosystem {
        Ecosystem::Deb => "debian",
        Ecosystem::Apk => "alpine",
        Ecosystem::Rpm => "redhat",
        Ecosystem::Pypi
        | Ecosystem::Npm
        | Ecosystem::Cargo
        | Ecosystem::Go
        | Ecosystem::Maven
        | Ecosystem::Gem
        | Ecosystem::Composer
        | Ecosystem::Nuget => {
            return pkg.purl.clone().unwrap_or_else(|| {
                Purl::for_package(pkg.ecosystem, &pkg.name, &pkg.version).to_string()
            });
        }
    };
    let namespace = os.map_or(default_ns, |os| match (pkg.ecosystem, os.family.as_str()) {
        (Ecosystem::Rpm, "rhel") => "redhat",
        (_, "") => default_ns,
        (_, family) => family,
    });

    let mut version = pkg.version.as_str();
    let mut epoch = None;
    if pkg.ecosystem == Ecosystem::Rpm
        && let Some((e, rest)) = version.split_once(':')
    {
        epoch = Some(e).filter(|e| *e != "0");
        version = rest;
    }
    let mut out = Purl::for_package(pkg.ecosystem, &pkg.name, version).with_namespace([namespace]);
    if let Some(old) = pkg.purl.as_deref().and_then(|p| Purl::parse(p).ok()) {
        out.qualifiers = old
            .qualifiers
            .into_iter()
            .filter(|(k, _)| !DERIVED.contains(&k.as_str()))
            .collect();
    }
    if let Some(epoch) = epoch {
        out = out.with_qualifier("epoch", epoch);
    }
    if let Some(arch) = pkg.arch.as_deref() {
        out = out.with_qualifier("arch", arch);
    }
    if let Some(os) = os {
        let release = if os.version.is_empty() {
            os.codename.as_deref().unwrap_or("")
        } else {
            &os.version
        };
        let distro = if release.is_empty() {
            os.family.clone()
        } else {
            format!("{}-{release}", os.family)
        };
        out = out.with_qualifier("distro", &distro);
    }
    if let Some(source) = &pkg.source
        && source.name != pkg.name
    {
        out = out.with_qualifier("upstream", &source.name);
    }
    out.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_core::Location;
    use kensa_core::package::SourcePackage;

    fn pkg(eco: Ecosystem, name: &str, version: &str, arch: &str, source: Option<&str>) -> Package {
        Package {
            dev: false,
            relationship: None,
            ecosystem: eco,
            name: name.into(),
            version: version.into(),
            purl: None,
            arch: Some(arch.into()),
            source: source.map(|s| SourcePackage {
                name: s.into(),
                version: None,
            }),
            licenses: Vec::new(),
            direct: None,
            found_by: "test".into(),
            location: Location::default(),
            files: Vec::new(),
        }
    }

    fn os(family: &str, version: &str, codename: Option<&str>) -> OsInfo {
        OsInfo {
            family: family.into(),
            version: version.into(),
            codename: codename.map(Into::into),
            pretty_name: None,
        }
    }

    #[test]
    fn deb_purls_follow_the_spec_example() {
        let curl = pkg(Ecosystem::Deb, "curl", "7.88.1-10", "amd64", Some("curl"));
        assert_eq!(
            purl(&curl, None),
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64"
        );
        assert_eq!(
            purl(&curl, Some(&os("debian", "12", Some("bookworm")))),
            "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12"
        );
        let bsdutils = pkg(
            Ecosystem::Deb,
            "bsdutils",
            "1:2.38.1-5+deb12u1",
            "amd64",
            Some("util-linux"),
        );
        assert_eq!(
            purl(&bsdutils, Some(&os("ubuntu", "", Some("noble")))),
            "pkg:deb/ubuntu/bsdutils@1:2.38.1-5%2Bdeb12u1?arch=amd64&distro=ubuntu-noble&upstream=util-linux"
        );
    }

    #[test]
    fn rpm_epoch_is_a_qualifier_and_extra_qualifiers_survive() {
        let mut openssl = pkg(
            Ecosystem::Rpm,
            "openssl-libs",
            "1:1.1.1k-12.el8_9",
            "x86_64",
            Some("openssl"),
        );
        openssl.purl = Some(
            "pkg:rpm/redhat/openssl-libs@1.1.1k-12.el8_9?arch=x86_64&epoch=1&modularitylabel=a%3Ab&upstream=openssl"
                .into(),
        );
        assert_eq!(
            purl(&openssl, Some(&os("rhel", "8.9", None))),
            "pkg:rpm/redhat/openssl-libs@1.1.1k-12.el8_9?arch=x86_64&distro=rhel-8.9&epoch=1&modularitylabel=a:b&upstream=openssl"
        );
        let bash = pkg(
            Ecosystem::Rpm,
            "bash",
            "0:5.1.8-6.el9",
            "x86_64",
            Some("bash"),
        );
        assert_eq!(
            purl(&bash, Some(&os("rocky", "9.3", None))),
            "pkg:rpm/rocky/bash@5.1.8-6.el9?arch=x86_64&distro=rocky-9.3"
        );
    }

    #[test]
    fn apk_namespace_follows_the_os() {
        let ssl = pkg(
            Ecosystem::Apk,
            "libssl3",
            "3.1.4-r5",
            "x86_64",
            Some("openssl"),
        );
        assert_eq!(
            purl(&ssl, None),
            "pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64&upstream=openssl"
        );
        assert_eq!(
            purl(&ssl, Some(&os("wolfi", "20230201", None))),
            "pkg:apk/wolfi/libssl3@3.1.4-r5?arch=x86_64&distro=wolfi-20230201&upstream=openssl"
        );
    }

    #[test]
    fn hostile_names_are_encoded() {
        let p = pkg(Ecosystem::Deb, "a b/c?d", "1@2#3&", "x=y", None);
        assert_eq!(
            purl(&p, None),
            "pkg:deb/debian/a%20b%2Fc%3Fd@1%402%233%26?arch=x%3Dy"
        );
        let lang = Package {
            purl: Some("pkg:pypi/requests@2.31.0".into()),
            ..pkg(Ecosystem::Pypi, "requests", "2.31.0", "", None)
        };
        assert_eq!(
            purl(&lang, Some(&os("debian", "12", None))),
            "pkg:pypi/requests@2.31.0"
        );
    }
}
