//! Package URLs for OS packages, in the canonical form of the purl specification
//! (percent-encoding all but alphanumerics, `.-_~` and `:`; qualifiers sorted by key).
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

use kensa_core::{Ecosystem, OsInfo, Package};

/// The purl of `pkg`, with the `distro` qualifier and namespace taken from `os`.
///
/// Analyzers fill [`Package::purl`] with `purl(pkg, None)`; the scan calls this again
/// with the detected OS. Language packages' purls do not depend on the OS and are
/// returned as their analyzer wrote them.
pub fn purl(pkg: &Package, os: Option<&OsInfo>) -> String {
    let (ty, default_ns) = match pkg.ecosystem {
        Ecosystem::Deb => ("deb", "debian"),
        Ecosystem::Apk => ("apk", "alpine"),
        Ecosystem::Rpm => ("rpm", "redhat"),
        other => {
            return pkg.purl.clone().unwrap_or_else(|| {
                format!(
                    "pkg:{}/{}@{}",
                    other.as_str(),
                    encode(&pkg.name),
                    encode(&pkg.version)
                )
            });
        }
    };
    let namespace = os.map_or(default_ns, |os| match (pkg.ecosystem, os.family.as_str()) {
        (Ecosystem::Rpm, "rhel") => "redhat",
        (_, "") => default_ns,
        (_, family) => family,
    });

    let mut qualifiers: Vec<(String, String)> = Vec::new();
    let mut version = pkg.version.as_str();
    if pkg.ecosystem == Ecosystem::Rpm
        && let Some((epoch, rest)) = version.split_once(':')
    {
        if epoch != "0" && !epoch.is_empty() {
            qualifiers.push(("epoch".into(), epoch.into()));
        }
        version = rest;
    }
    if let Some(arch) = pkg.arch.as_deref().filter(|a| !a.is_empty()) {
        qualifiers.push(("arch".into(), arch.into()));
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
        qualifiers.push(("distro".into(), distro));
    }
    if let Some(source) = &pkg.source
        && source.name != pkg.name
        && !source.name.is_empty()
    {
        qualifiers.push(("upstream".into(), source.name.clone()));
    }
    if let Some(old) = pkg.purl.as_deref() {
        for (key, value) in qualifiers_of(old) {
            if !qualifiers.iter().any(|(k, _)| *k == key) {
                qualifiers.push((key, value));
            }
        }
    }
    qualifiers.sort();

    let mut out = format!("pkg:{ty}/{}/{}", encode(namespace), encode(&pkg.name));
    if !version.is_empty() {
        out.push('@');
        out.push_str(&encode(version));
    }
    for (i, (key, value)) in qualifiers.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(key);
        out.push('=');
        out.push_str(&encode(value));
    }
    out
}

/// Percent-encodes everything but what the purl specification leaves bare.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded qualifiers of a purl, except those [`purl`] derives itself.
fn qualifiers_of(purl: &str) -> Vec<(String, String)> {
    let Some((_, query)) = purl.split_once('?') else {
        return Vec::new();
    };
    let query = query.split_once('#').map_or(query, |(q, _)| q);
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, v)| !v.is_empty() && !matches!(*k, "arch" | "distro" | "epoch" | "upstream"))
        .map(|(k, v)| (k.to_owned(), decode(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_core::Location;
    use kensa_core::package::SourcePackage;

    fn pkg(eco: Ecosystem, name: &str, version: &str, arch: &str, source: Option<&str>) -> Package {
        Package {
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
        assert_eq!(decode("%41%zz%4"), "A%zz%4");
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
