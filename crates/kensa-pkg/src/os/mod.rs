//! Operating-system analyzers: which distribution an image is, and which packages its
//! package manager installed (dpkg, apk, rpm).
//!
//! # OS detection
//!
//! [`os_release::OsRelease`] reads `os-release`; [`distro_release::DistroRelease`] reads the
//! older distribution files (`etc/debian_version`, `etc/alpine-release`,
//! `etc/redhat-release`, `etc/centos-release`, `etc/system-release`, `etc/lsb-release`)
//! for images that lack it, such as some distroless images. Both report the same
//! [`OsInfo`](kensa_core::OsInfo) `family` values, which the vulnerability matcher keys on:
//!
//! | family | distribution | `os-release` `ID` | version example | codename |
//! |---|---|---|---|---|
//! | `debian` | Debian, and distroless images built from it | `debian` | `12` | `bookworm` |
//! | `ubuntu` | Ubuntu | `ubuntu` | `22.04` | `jammy` |
//! | `alpine` | Alpine Linux | `alpine` | `3.19.1` | — |
//! | `wolfi` | Wolfi | `wolfi` | `20230201` | — |
//! | `chainguard` | Chainguard OS | `chainguard` | `20230214` | — |
//! | `rhel` | Red Hat Enterprise Linux, UBI | `rhel` | `8.9` | — |
//! | `centos` | CentOS Linux, CentOS Stream | `centos` | `7`, `9` | — |
//! | `rocky` | Rocky Linux | `rocky` | `9.3` | — |
//! | `almalinux` | AlmaLinux | `almalinux` | `9.3` | — |
//! | `fedora` | Fedora | `fedora` | `39` | — |
//! | `ol` | Oracle Linux | `ol` | `8.9` | — |
//! | `amzn` | Amazon Linux 2 and 2023 | `amzn` | `2`, `2023` | — |
//! | `opensuse-leap` | openSUSE Leap | `opensuse-leap`, `opensuse` | `15.5` | — |
//! | `opensuse-tumbleweed` | openSUSE Tumbleweed | `opensuse-tumbleweed` | `20240301` | — |
//! | `sles` | SUSE Linux Enterprise Server (and SAP) | `sles`, `sles_sap` | `15.5` | — |
//! | `photon` | VMware Photon OS | `photon` | `5.0` | — |
//! | `azurelinux` | Azure Linux 3 | `azurelinux` | `3.0` | — |
//! | `mariner` | CBL-Mariner 1 and 2 | `mariner` | `2.0` | — |
//!
//! The family is the `os-release` `ID` as the distribution writes it (so `almalinux`, not
//! `alma`: the advisory matcher and Syft's purls use that spelling), lowercased, with two
//! aliases folded: `opensuse` (Leap 42 and older) and `sles_sap`. Any other `ID` is
//! reported as it is written. Distroless images say
//! `ID=debian` (with `PRETTY_NAME="Distroless"`) and are reported as `debian`; without an
//! `os-release`, `etc/debian_version` gives the same family, major version and codename.
//!
//! Within one layer `os-release` wins over the fallback files: the scan applies each
//! layer's analyzer outputs in id order, and `distro-release` sorts before `os-release`.
//!
//! # Packages
//!
//! [`dpkg::Dpkg`], [`apk::Apk`] and [`rpm::Rpm`] emit [`Package`](kensa_core::Package)s
//! whose `purl` lacks the `distro` qualifier, since one file does not say which
//! distribution it belongs to; the scan calls [`purl::purl`] once the OS is known.

pub mod apk;
pub mod distro_release;
pub mod dpkg;
pub mod os_release;
pub mod purl;
pub mod rpm;
pub mod rpm_bdb;
pub mod rpm_header;
pub mod rpm_ndb;

/// Decodes a text database: drops a UTF-8 byte-order mark and replaces invalid UTF-8,
/// because package descriptions written in Latin-1 by old tooling must not cost the
/// whole inventory.
fn decode_text(content: &[u8]) -> std::borrow::Cow<'_, str> {
    let content = content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content);
    String::from_utf8_lossy(content)
}

/// Normalises a path from a package database to the walker's form: no leading `/` or
/// `./`, no trailing `/`. Returns `None` for the root itself.
fn normalize_path(path: &str) -> Option<String> {
    let p = path.trim_end_matches('\r');
    let p = p.strip_prefix("./").unwrap_or(p);
    let p = p.trim_start_matches('/').trim_end_matches('/');
    if p.is_empty() || p == "." {
        None
    } else {
        Some(p.to_owned())
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Helpers shared by the OS analyzers' tests.

    use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, FileKind, FileMeta};

    /// Runs `analyzer` on one regular file.
    pub(crate) fn run(
        analyzer: &dyn Analyzer,
        path: &str,
        content: &[u8],
    ) -> Result<AnalysisOutput, AnalyzeError> {
        let mut out = AnalysisOutput::default();
        run_into(analyzer, path, content, &mut out)?;
        Ok(out)
    }

    /// Runs `analyzer` on one regular file, adding to `out`.
    pub(crate) fn run_into(
        analyzer: &dyn Analyzer,
        path: &str,
        content: &[u8],
        out: &mut AnalysisOutput,
    ) -> Result<(), AnalyzeError> {
        let meta = FileMeta {
            kind: FileKind::Regular,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            link_target: None,
        };
        analyzer.analyze(
            &FileInput {
                path,
                meta: &meta,
                content,
            },
            out,
        )
    }

    /// Whether `analyzer` wants `path`, matched the way the walker matches (globs with
    /// `*` not crossing `/`).
    pub(crate) fn wants(analyzer: &dyn Analyzer, path: &str) -> bool {
        use kensa_core::PathSpec;
        analyzer.wants().iter().any(|spec| match *spec {
            PathSpec::Exact(p) => p == path,
            PathSpec::FileName(n) => path.rsplit('/').next() == Some(n),
            PathSpec::Suffix(s) => path.ends_with(s),
            PathSpec::Glob(g) => globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .unwrap()
                .compile_matcher()
                .is_match(path),
            PathSpec::AnyFile => true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised() {
        assert_eq!(
            normalize_path("/usr/bin/curl").as_deref(),
            Some("usr/bin/curl")
        );
        assert_eq!(normalize_path("./etc/").as_deref(), Some("etc"));
        assert_eq!(normalize_path("/usr/lib\r").as_deref(), Some("usr/lib"));
        assert_eq!(normalize_path("/."), None);
        assert_eq!(normalize_path("/"), None);
        assert_eq!(normalize_path(""), None);
    }

    #[test]
    fn text_loses_bom_and_survives_latin1() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFPackage: a"), "Package: a");
        assert_eq!(
            decode_text(b"Maintainer: J\xF6rg"),
            "Maintainer: J\u{FFFD}rg"
        );
    }
}
