//! OS detection from `os-release` (freedesktop.org), which every current distribution ships.

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, OsInfo, PathSpec, Scanner};

/// Reads `/etc/os-release` or `/usr/lib/os-release`.
pub struct OsRelease;

impl Analyzer for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Debian makes etc/os-release a symlink to usr/lib/os-release; links are never
        // followed, so both paths are read.
        &[
            PathSpec::Exact("etc/os-release"),
            PathSpec::Exact("usr/lib/os-release"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = super::decode_text(file.content);
        let os = parse(&text).ok_or_else(|| AnalyzeError::new("os-release has no `ID` field"))?;
        // etc/os-release, when it is a real file, is the one the system reads first.
        if out.os.is_none() || file.path == "etc/os-release" {
            out.os = Some(os);
        }
        Ok(())
    }
}

/// Parses os-release's shell-like `KEY=value` lines.
pub fn parse(text: &str) -> Option<OsInfo> {
    let mut id = None;
    let mut version = None;
    let mut codename = None;
    let mut pretty = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "ID" => id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => version = Some(value),
            "VERSION_CODENAME" => codename = Some(value).filter(|v| !v.is_empty()),
            "PRETTY_NAME" => pretty = Some(value),
            _ => {}
        }
    }
    let id = id.filter(|i| !i.is_empty())?;
    Some(OsInfo {
        family: family(&id).to_owned(),
        version: version.unwrap_or_default(),
        codename,
        pretty_name: pretty,
    })
}

/// Maps an os-release `ID` to kensa's family name (the table in the [`crate::os`] doc).
pub fn family(id: &str) -> &str {
    match id {
        // Leap 42 and older said `opensuse`.
        "opensuse" => "opensuse-leap",
        "sles_sap" => "sles",
        other => other,
    }
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    inner
        .replace("\\\"", "\"")
        .replace("\\$", "$")
        .replace("\\`", "`")
        .replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::test_support::{run, run_into, wants};

    fn detect(text: &str) -> (String, String, Option<String>) {
        let os = parse(text).unwrap();
        (os.family, os.version, os.codename)
    }

    fn triple(f: &str, v: &str, c: Option<&str>) -> (String, String, Option<String>) {
        (f.to_owned(), v.to_owned(), c.map(str::to_owned))
    }

    #[test]
    fn wants_table() {
        for (path, want) in [
            ("etc/os-release", true),
            ("usr/lib/os-release", true),
            ("etc/os-release.bak", false),
            ("opt/app/etc/os-release", false),
            ("usr/lib/os-release/x", false),
        ] {
            assert_eq!(wants(&OsRelease, path), want, "{path}");
        }
    }

    #[test]
    fn detects_every_supported_distribution() {
        type Case<'a> = (&'a str, (&'a str, &'a str, Option<&'a str>));
        let cases: &[Case<'_>] = &[
            (
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                 VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n",
                ("debian", "12", Some("bookworm")),
            ),
            (
                "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\n\
                 VERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\nVERSION_CODENAME=bookworm\n",
                ("debian", "12", Some("bookworm")),
            ),
            (
                "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\n\
                 VERSION=\"22.04.4 LTS (Jammy Jellyfish)\"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n\
                 UBUNTU_CODENAME=jammy\n",
                ("ubuntu", "22.04", Some("jammy")),
            ),
            (
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\nPRETTY_NAME=\"Alpine Linux v3.19\"\n",
                ("alpine", "3.19.1", None),
            ),
            (
                "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n\
                 HOME_URL=\"https://wolfi.dev\"\n",
                ("wolfi", "20230201", None),
            ),
            (
                "ID=chainguard\nNAME=\"Chainguard\"\nPRETTY_NAME=\"Chainguard\"\nVERSION_ID=\"20230214\"\n",
                ("chainguard", "20230214", None),
            ),
            (
                "NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.9 (Ootpa)\"\nID=\"rhel\"\n\
                 ID_LIKE=\"fedora\"\nVERSION_ID=\"8.9\"\nPLATFORM_ID=\"platform:el8\"\n",
                ("rhel", "8.9", None),
            ),
            (
                "NAME=\"CentOS Linux\"\nVERSION=\"7 (Core)\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"7\"\n",
                ("centos", "7", None),
            ),
            (
                "NAME=\"Rocky Linux\"\nVERSION=\"9.3 (Blue Onyx)\"\nID=\"rocky\"\nVERSION_ID=\"9.3\"\n",
                ("rocky", "9.3", None),
            ),
            (
                "NAME=\"AlmaLinux\"\nVERSION=\"9.3 (Shamrock Pampas Cat)\"\nID=\"almalinux\"\nVERSION_ID=\"9.3\"\n",
                ("almalinux", "9.3", None),
            ),
            (
                "NAME=\"Fedora Linux\"\nVERSION=\"39 (Container Image)\"\nID=fedora\nVERSION_ID=39\n\
                 VERSION_CODENAME=\"\"\n",
                ("fedora", "39", None),
            ),
            (
                "NAME=\"Oracle Linux Server\"\nVERSION=\"8.9\"\nID=\"ol\"\nVERSION_ID=\"8.9\"\n",
                ("ol", "8.9", None),
            ),
            (
                "NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\n",
                ("amzn", "2", None),
            ),
            (
                "NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\n",
                ("amzn", "2023", None),
            ),
            (
                "NAME=\"openSUSE Leap\"\nVERSION=\"15.5\"\nID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.5\"\n",
                ("opensuse-leap", "15.5", None),
            ),
            (
                "NAME=\"openSUSE Leap\"\nVERSION=\"42.3\"\nID=opensuse\nVERSION_ID=\"42.3\"\n",
                ("opensuse-leap", "42.3", None),
            ),
            (
                "NAME=\"SLES\"\nVERSION=\"15-SP5\"\nVERSION_ID=\"15.5\"\nID=\"sles\"\n",
                ("sles", "15.5", None),
            ),
            (
                "NAME=\"SLES_SAP\"\nVERSION_ID=\"15.4\"\nID=\"sles_sap\"\n",
                ("sles", "15.4", None),
            ),
            (
                "NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\n",
                ("photon", "5.0", None),
            ),
            (
                "NAME=\"Microsoft Azure Linux\"\nVERSION=\"3.0.20240727\"\nID=azurelinux\nVERSION_ID=\"3.0\"\n",
                ("azurelinux", "3.0", None),
            ),
            (
                "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20240123\"\nID=mariner\nVERSION_ID=\"2.0\"\n",
                ("mariner", "2.0", None),
            ),
            // Debian testing has a codename and no VERSION_ID.
            (
                "PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nNAME=\"Debian GNU/Linux\"\n\
                 VERSION_CODENAME=trixie\nID=debian\n",
                ("debian", "", Some("trixie")),
            ),
        ];
        for (text, (f, v, c)) in cases {
            assert_eq!(detect(text), triple(f, v, *c), "{text}");
        }
    }

    #[test]
    fn tolerates_crlf_bom_comments_and_single_quotes() {
        let out = run(
            &OsRelease,
            "etc/os-release",
            b"\xEF\xBB\xBF# comment\r\nID='Ubuntu'\r\nVERSION_ID=\"24.04\"\r\n\r\nVERSION_CODENAME=noble\r\n",
        )
        .unwrap();
        let os = out.os.unwrap();
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("ubuntu", "24.04")
        );
        assert_eq!(os.codename.as_deref(), Some("noble"));
    }

    #[test]
    fn etc_wins_over_usr_lib_in_either_order() {
        let etc = b"ID=debian\nVERSION_ID=12\n";
        let lib = b"ID=debian\nVERSION_ID=11\n";
        for order in [
            ["etc/os-release", "usr/lib/os-release"],
            ["usr/lib/os-release", "etc/os-release"],
        ] {
            let mut out = kensa_core::AnalysisOutput::default();
            for path in order {
                let content: &[u8] = if path.starts_with("etc") { etc } else { lib };
                run_into(&OsRelease, path, content, &mut out).unwrap();
            }
            assert_eq!(out.os.unwrap().version, "12", "{order:?}");
        }
    }

    #[test]
    fn rejects_files_without_id() {
        assert!(parse("NAME=x\n# ID=commented\n").is_none());
        assert!(parse("").is_none());
        assert!(parse("ID=\"\"\n").is_none());
        let err = run(&OsRelease, "etc/os-release", b"\x00\x01\xFF binary").unwrap_err();
        assert_eq!(err.to_string(), "os-release has no `ID` field");
    }
}
