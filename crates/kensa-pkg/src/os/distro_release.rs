//! OS detection from the distribution files that predate `os-release`, for images that
//! ship without it (distroless variants, old CentOS and Amazon Linux images).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, OsInfo, PathSpec, Scanner};

/// Reads `etc/debian_version`, `etc/alpine-release`, `etc/redhat-release`,
/// `etc/centos-release`, `etc/system-release` and `etc/lsb-release`.
pub struct DistroRelease;

impl Analyzer for DistroRelease {
    fn id(&self) -> &'static str {
        "distro-release"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::Exact("etc/alpine-release"),
            PathSpec::Exact("etc/centos-release"),
            PathSpec::Exact("etc/debian_version"),
            PathSpec::Exact("etc/lsb-release"),
            PathSpec::Exact("etc/redhat-release"),
            PathSpec::Exact("etc/system-release"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = super::decode_text(file.content);
        let os = match file.path {
            "etc/debian_version" => debian_version(&text),
            "etc/alpine-release" => alpine_release(&text),
            "etc/lsb-release" => lsb_release(&text),
            _ => rh_release(&text),
        }
        .ok_or_else(|| {
            AnalyzeError::new(format!(
                "`{}` does not name a known distribution",
                first_line(&text)
            ))
        })?;
        if out
            .os
            .as_ref()
            .is_none_or(|old| is_weak(old) && !is_weak(&os))
        {
            out.os = Some(os);
        }
        Ok(())
    }
}

/// Ubuntu ships `debian_version` (`bookworm/sid`), and Oracle Linux a `redhat-release`
/// that says Red Hat, so a `debian` or `rhel` answer gives way to any other distribution
/// file in the same layer, whatever order the files come in.
fn is_weak(os: &OsInfo) -> bool {
    os.family == "debian" || os.family == "rhel"
}

fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(80).collect()
}

/// `12.5` → Debian 12 bookworm; `trixie/sid` → Debian testing, codename only.
fn debian_version(text: &str) -> Option<OsInfo> {
    let line = text.lines().next()?.trim();
    if line.is_empty() {
        return None;
    }
    let (version, codename) = if line.starts_with(|c: char| c.is_ascii_digit()) {
        let major = line.split('.').next().unwrap_or(line);
        (major.to_owned(), debian_codename(major).map(str::to_owned))
    } else {
        let name = line.split('/').next().unwrap_or(line);
        if !name.chars().all(|c| c.is_ascii_lowercase()) {
            return None;
        }
        (String::new(), Some(name.to_owned()))
    };
    Some(OsInfo {
        family: "debian".into(),
        version,
        codename,
        pretty_name: Some(format!("Debian GNU/Linux {line}")),
    })
}

fn debian_codename(major: &str) -> Option<&'static str> {
    Some(match major {
        "7" => "wheezy",
        "8" => "jessie",
        "9" => "stretch",
        "10" => "buster",
        "11" => "bullseye",
        "12" => "bookworm",
        "13" => "trixie",
        "14" => "forky",
        _ => return None,
    })
}

fn alpine_release(text: &str) -> Option<OsInfo> {
    let version = text.lines().next()?.trim();
    if version.is_empty() || !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(OsInfo {
        family: "alpine".into(),
        version: version.to_owned(),
        codename: None,
        pretty_name: Some(format!("Alpine Linux v{version}")),
    })
}

fn lsb_release(text: &str) -> Option<OsInfo> {
    let mut id = None;
    let mut release = None;
    let mut codename = None;
    let mut description = None;
    for line in text.lines() {
        let Some((key, value)) = line.trim().split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_owned();
        match key.trim() {
            "DISTRIB_ID" => id = Some(value.to_ascii_lowercase()),
            "DISTRIB_RELEASE" => release = Some(value),
            "DISTRIB_CODENAME" => codename = Some(value).filter(|v| !v.is_empty()),
            "DISTRIB_DESCRIPTION" => description = Some(value),
            _ => {}
        }
    }
    let id = id.filter(|i| !i.is_empty())?;
    Some(OsInfo {
        family: super::os_release::family(&id).to_owned(),
        version: release.unwrap_or_default(),
        codename,
        pretty_name: description,
    })
}

/// `<name> release <version> (<codename>)`, the format of Red Hat's family of files.
fn rh_release(text: &str) -> Option<OsInfo> {
    let line = text.lines().next()?.trim();
    let (name, rest) = line.split_once(" release ")?;
    let version = rest.split_whitespace().next()?;
    if !version.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    const NAMES: &[(&str, &str)] = &[
        ("AlmaLinux", "almalinux"),
        ("Amazon Linux", "amzn"),
        ("CentOS", "centos"),
        ("Fedora", "fedora"),
        ("Oracle Linux", "ol"),
        ("Red Hat Enterprise Linux", "rhel"),
        ("Rocky Linux", "rocky"),
    ];
    let family = NAMES
        .iter()
        .find(|(prefix, _)| name.starts_with(prefix))
        .map(|(_, family)| *family)?;
    // os-release gives CentOS its major version only and Amazon Linux 2023 `2023`;
    // the fallback agrees so the matcher sees one version whichever file answered.
    let version = match family {
        "centos" => version.split('.').next().unwrap_or(version),
        "amzn" if version.starts_with("2023.") => "2023",
        _ => version,
    };
    Some(OsInfo {
        family: family.into(),
        version: version.to_owned(),
        codename: None,
        pretty_name: Some(line.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::test_support::{run, run_into, wants};

    fn detect(path: &str, text: &str) -> (String, String, Option<String>) {
        let os = run(&DistroRelease, path, text.as_bytes())
            .unwrap()
            .os
            .unwrap();
        (os.family, os.version, os.codename)
    }

    #[test]
    fn wants_table() {
        for (path, want) in [
            ("etc/debian_version", true),
            ("etc/alpine-release", true),
            ("etc/redhat-release", true),
            ("etc/centos-release", true),
            ("etc/system-release", true),
            ("etc/lsb-release", true),
            ("etc/os-release", false),
            ("etc/system-release-cpe", false),
            ("usr/etc/debian_version", false),
        ] {
            assert_eq!(wants(&DistroRelease, path), want, "{path}");
        }
    }

    #[test]
    fn reads_each_file_format() {
        let s = |v: &str| Some(v.to_owned());
        type Case<'a> = (&'a str, &'a str, (&'a str, &'a str, Option<String>));
        let cases: &[Case<'_>] = &[
            (
                "etc/debian_version",
                "12.5\n",
                ("debian", "12", s("bookworm")),
            ),
            (
                "etc/debian_version",
                "11.9\r\n",
                ("debian", "11", s("bullseye")),
            ),
            (
                "etc/debian_version",
                "trixie/sid\n",
                ("debian", "", s("trixie")),
            ),
            ("etc/alpine-release", "3.19.1\n", ("alpine", "3.19.1", None)),
            (
                "etc/redhat-release",
                "Red Hat Enterprise Linux release 8.9 (Ootpa)\n",
                ("rhel", "8.9", None),
            ),
            (
                "etc/centos-release",
                "CentOS Linux release 7.9.2009 (Core)\n",
                ("centos", "7", None),
            ),
            (
                "etc/redhat-release",
                "CentOS Stream release 9\n",
                ("centos", "9", None),
            ),
            (
                "etc/redhat-release",
                "Rocky Linux release 9.3 (Blue Onyx)\n",
                ("rocky", "9.3", None),
            ),
            (
                "etc/redhat-release",
                "AlmaLinux release 9.3 (Shamrock Pampas Cat)\n",
                ("almalinux", "9.3", None),
            ),
            (
                "etc/redhat-release",
                "Fedora release 39 (Thirty Nine)\n",
                ("fedora", "39", None),
            ),
            (
                "etc/system-release",
                "Oracle Linux Server release 7.9\n",
                ("ol", "7.9", None),
            ),
            (
                "etc/system-release",
                "Amazon Linux release 2 (Karoo)\n",
                ("amzn", "2", None),
            ),
            (
                "etc/system-release",
                "Amazon Linux release 2023.3.20240312 (Amazon Linux)\n",
                ("amzn", "2023", None),
            ),
            (
                "etc/lsb-release",
                "DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\n\
                 DISTRIB_DESCRIPTION=\"Ubuntu 22.04.4 LTS\"\n",
                ("ubuntu", "22.04", s("jammy")),
            ),
        ];
        for (path, text, (f, v, c)) in cases {
            assert_eq!(
                detect(path, text),
                ((*f).to_owned(), (*v).to_owned(), c.clone()),
                "{path}: {text}"
            );
        }
    }

    #[test]
    fn specific_files_beat_debian_version_and_redhat_release_in_any_order() {
        let ubuntu: [(&str, &[u8]); 2] = [
            ("etc/debian_version", b"bookworm/sid\n"),
            (
                "etc/lsb-release",
                b"DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=24.04\n",
            ),
        ];
        let oracle: [(&str, &[u8]); 2] = [
            (
                "etc/redhat-release",
                b"Red Hat Enterprise Linux Server release 7.9 (Maipo)\n",
            ),
            ("etc/system-release", b"Oracle Linux Server release 7.9\n"),
        ];
        for (files, family) in [(ubuntu, "ubuntu"), (oracle, "ol")] {
            for reversed in [false, true] {
                let mut files = files;
                if reversed {
                    files.reverse();
                }
                let mut out = AnalysisOutput::default();
                for (path, content) in files {
                    run_into(&DistroRelease, path, content, &mut out).unwrap();
                }
                assert_eq!(out.os.unwrap().family, family, "reversed: {reversed}");
            }
        }
    }

    #[test]
    fn unknown_or_garbage_content_is_an_error_naming_it() {
        for (path, text) in [
            ("etc/redhat-release", "Foo Linux release 1.0\n"),
            ("etc/redhat-release", "release notes\n"),
            ("etc/debian_version", "\n"),
            ("etc/debian_version", "Not A Codename\n"),
            ("etc/alpine-release", "edge\n"),
            ("etc/lsb-release", "DISTRIB_RELEASE=1\n"),
            ("etc/system-release", ""),
        ] {
            let err = run(&DistroRelease, path, text.as_bytes()).unwrap_err();
            assert!(
                err.to_string()
                    .ends_with("does not name a known distribution"),
                "{path}: {err}"
            );
        }
        let long = "x".repeat(10_000);
        let err = run(&DistroRelease, "etc/redhat-release", long.as_bytes()).unwrap_err();
        assert!(err.to_string().len() < 200, "message is bounded");
    }
}
