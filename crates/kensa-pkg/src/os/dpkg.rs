//! Debian packages from dpkg's database: `var/lib/dpkg/status`, distroless images'
//! `var/lib/dpkg/status.d/*`, and the file lists in `var/lib/dpkg/info/*.list`.

use kensa_core::analyzer::OwnedFiles;
use kensa_core::package::SourcePackage;
use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, Package,
    PathSpec, ScanNote, Scanner,
};

/// Reads dpkg's status database and file lists.
pub struct Dpkg;

const ID: &str = "dpkg";

impl Analyzer for Dpkg {
    fn id(&self) -> &'static str {
        ID
    }

    fn version(&self) -> u32 {
        1
    }

    /// The inventory runs in every scan: `--list-packages` and SBOMs need it too.
    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::Exact("var/lib/dpkg/status"),
            PathSpec::Glob("var/lib/dpkg/info/*.list"),
            PathSpec::Glob("var/lib/dpkg/status.d/*"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        // A desktop system's status file is ~10 MiB; leave room for big server images.
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = super::decode_text(file.content);
        if let Some(name) = file.path.strip_prefix("var/lib/dpkg/info/") {
            let package = name.strip_suffix(".list").unwrap_or(name);
            out.owned_files
                .push(owned_files(package, &text, |line| line));
        } else if let Some(name) = file
            .path
            .strip_prefix("var/lib/dpkg/status.d/")
            .and_then(|n| n.strip_suffix(".md5sums"))
        {
            // Distroless keeps `<package>.md5sums` beside each stanza: `<md5>  <path>`.
            out.owned_files
                .push(owned_files(name, &text, |line| md5sums_path(line)));
        } else {
            // status.d stanzas have no Status field: every one of them is installed.
            let distroless = file.path.starts_with("var/lib/dpkg/status.d/");
            parse_status(file.path, &text, distroless, out);
        }
        Ok(())
    }
}

fn md5sums_path(line: &str) -> &str {
    line.split_once(' ')
        .map_or("", |(_, path)| path.trim_start_matches([' ', '*']))
}

/// `libc6:amd64.list` belongs to `libc6`: the scan joins file lists by name.
fn owned_files(package: &str, text: &str, path_of: impl Fn(&str) -> &str) -> OwnedFiles {
    let package = package.split_once(':').map_or(package, |(name, _)| name);
    OwnedFiles {
        ecosystem: Ecosystem::Deb,
        package: package.to_owned(),
        files: text
            .lines()
            .filter_map(|line| super::normalize_path(path_of(line)))
            .collect(),
    }
}

/// One stanza's fields, as borrowed slices of the file; continuation lines are joined
/// only for the fields kensa reads.
#[derive(Default)]
struct Stanza<'a> {
    line: u32,
    package: Option<&'a str>,
    version: Option<&'a str>,
    architecture: Option<&'a str>,
    status: Option<&'a str>,
    source: Option<&'a str>,
}

fn parse_status(path: &str, text: &str, distroless: bool, out: &mut AnalysisOutput) {
    let mut stanza = Stanza::default();
    let mut stray = Vec::new();
    let mut line_no: u32 = 0;
    let mut in_stanza = false;
    for raw in text.split('\n') {
        line_no = line_no.saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if in_stanza {
                finish(path, std::mem::take(&mut stanza), distroless, out);
                in_stanza = false;
            }
            continue;
        }
        if !in_stanza {
            stanza.line = line_no;
            in_stanza = true;
        }
        if line.starts_with([' ', '\t']) {
            // A continuation (Description, Conffiles): nothing kensa reads.
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            stray.push(line_no);
            continue;
        };
        let value = value.trim();
        // Field names are case-insensitive in deb822.
        let slot = match key.trim().to_ascii_lowercase().as_str() {
            "package" => &mut stanza.package,
            "version" => &mut stanza.version,
            "architecture" => &mut stanza.architecture,
            "status" => &mut stanza.status,
            "source" => &mut stanza.source,
            _ => continue,
        };
        *slot = Some(value);
    }
    if in_stanza {
        finish(path, stanza, distroless, out);
    }
    if let Some(first) = stray.first() {
        out.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: ID.into(),
            location: Location::path(path).with_line(*first),
            message: format!(
                "{} line(s) are neither `Field: value` nor a continuation; ignored (first at line {first})",
                stray.len()
            ),
        });
    }
}

/// dpkg's states in which the package's files are on disk. `config-files` and
/// `not-installed` leave only configuration (or nothing) behind, so they are not
/// inventory; a package on hold or marked for removal is still installed.
fn files_present(status: &str) -> bool {
    let state = status.split_whitespace().nth(2).unwrap_or("");
    matches!(
        state,
        "installed"
            | "triggers-pending"
            | "triggers-awaited"
            | "half-configured"
            | "unpacked"
            | "half-installed"
    )
}

fn finish(path: &str, s: Stanza<'_>, distroless: bool, out: &mut AnalysisOutput) {
    let location = Location::path(path).with_line(s.line);
    if !distroless || s.status.is_some() {
        let Some(status) = s.status else {
            note(
                out,
                location,
                "stanza has no `Status` field; skipped".into(),
            );
            return;
        };
        if !files_present(status) {
            return;
        }
    }
    let Some(name) = s.package.filter(|n| !n.is_empty()) else {
        note(
            out,
            location,
            "stanza has no `Package` field; skipped".into(),
        );
        return;
    };
    let Some(version) = s.version.filter(|v| !v.is_empty()) else {
        note(
            out,
            location,
            format!("package `{name}` has no `Version` field; skipped"),
        );
        return;
    };
    let source = match s.source {
        Some(src) => {
            let (src_name, src_version) = match src.split_once('(') {
                Some((n, v)) => (n.trim(), v.trim_end_matches(')').trim()),
                None => (src.trim(), ""),
            };
            SourcePackage {
                name: if src_name.is_empty() { name } else { src_name }.to_owned(),
                version: Some(
                    if src_version.is_empty() {
                        version
                    } else {
                        src_version
                    }
                    .to_owned(),
                ),
            }
        }
        None => SourcePackage {
            name: name.to_owned(),
            version: Some(version.to_owned()),
        },
    };
    let mut pkg = Package {
        dev: false,
        relationship: None,
        ecosystem: Ecosystem::Deb,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: None,
        arch: s.architecture.filter(|a| !a.is_empty()).map(str::to_owned),
        source: Some(source),
        // dpkg records no license; it lives in /usr/share/doc/<pkg>/copyright.
        licenses: Vec::new(),
        direct: None,
        found_by: ID.into(),
        location,
        files: Vec::new(),
    };
    pkg.purl = Some(super::purl::purl(&pkg, None));
    out.packages.push(pkg);
}

fn note(out: &mut AnalysisOutput, location: Location, message: String) {
    out.notes.push(ScanNote {
        level: NoteLevel::Warning,
        found_by: ID.into(),
        location,
        message,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::test_support::{run, wants};

    const STATUS: &str = "\
Package: libc6
Status: install ok installed
Priority: optional
Section: libs
Installed-Size: 12986
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Replaces: libc6-amd64
Depends: libgcc-s1
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system. This package includes shared versions of the standard C library
 .
 and the standard math library, as well as many others.
Homepage: https://www.gnu.org/software/libc/libc.html

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries

Package: bsdutils
Essential: yes
Status: install ok installed
Priority: required
Architecture: amd64
Multi-Arch: foreign
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+b1
Description: basic utilities from 4.4BSD-Lite

Package: tzdata
Status: hold ok installed
Architecture: all
Version: 2024a-0+deb12u1
Conffiles:
 /etc/timezone abcdef0123456789abcdef0123456789
Description: time zone and daylight-saving time data

Package: oldpkg
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1
Conffiles:
 /etc/oldpkg.conf 0123456789abcdef0123456789abcdef

Package: halfway
Status: install reinstreq half-installed
Architecture: amd64
Version: 3.0-1
";

    #[test]
    fn wants_table() {
        for (path, want) in [
            ("var/lib/dpkg/status", true),
            ("var/lib/dpkg/status-old", false),
            ("var/lib/dpkg/status.d/base-files", true),
            ("var/lib/dpkg/status.d/libc6.md5sums", true),
            ("var/lib/dpkg/status.d/sub/x", false),
            ("var/lib/dpkg/info/libc6:amd64.list", true),
            ("var/lib/dpkg/info/curl.list", true),
            ("var/lib/dpkg/info/curl.md5sums", false),
            ("var/lib/dpkg/info/curl.postinst", false),
            ("usr/var/lib/dpkg/status", false),
        ] {
            assert_eq!(wants(&Dpkg, path), want, "{path}");
        }
    }

    #[test]
    fn status_file_snapshot() {
        let out = run(&Dpkg, "var/lib/dpkg/status", STATUS.as_bytes()).unwrap();
        assert!(out.notes.is_empty(), "{:?}", out.notes);
        insta::assert_json_snapshot!("dpkg_status", out.packages);
    }

    #[test]
    fn crlf_bom_and_multiarch_give_the_same_packages() {
        let plain = run(&Dpkg, "var/lib/dpkg/status", STATUS.as_bytes()).unwrap();
        let mut crlf = b"\xEF\xBB\xBF".to_vec();
        crlf.extend_from_slice(STATUS.replace('\n', "\r\n").as_bytes());
        let odd = run(&Dpkg, "var/lib/dpkg/status", &crlf).unwrap();
        assert_eq!(plain.packages, odd.packages);
        let names: Vec<_> = plain
            .packages
            .iter()
            .map(|p| {
                format!(
                    "{}:{}={}",
                    p.name,
                    p.arch.as_deref().unwrap_or(""),
                    p.version
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                "libc6:amd64=2.36-9+deb12u4",
                "libc6:i386=2.36-9+deb12u4",
                "bsdutils:amd64=1:2.38.1-5+b1",
                "tzdata:all=2024a-0+deb12u1",
                "halfway:amd64=3.0-1",
            ]
        );
        let bsd = &plain.packages[2];
        let src = bsd.source.as_ref().unwrap();
        assert_eq!(
            (src.name.as_str(), src.version.as_deref()),
            ("util-linux", Some("2.38.1-5"))
        );
        assert_eq!(bsd.location.line, Some(28));
    }

    #[test]
    fn distroless_status_d_has_no_status_field() {
        let stanza = "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n\
                      Maintainer: Santiago Vila <sanvila@debian.org>\nInstalled-Size: 341\n";
        let out = run(&Dpkg, "var/lib/dpkg/status.d/base-files", stanza.as_bytes()).unwrap();
        assert_eq!(out.packages.len(), 1);
        let p = out.packages.first().unwrap();
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("base-files", "12.4+deb12u5")
        );
        assert_eq!(
            p.location.path.as_deref(),
            Some("var/lib/dpkg/status.d/base-files")
        );
        // The same stanza in the main status file lacks Status and is skipped, said aloud.
        let out = run(&Dpkg, "var/lib/dpkg/status", stanza.as_bytes()).unwrap();
        assert!(out.packages.is_empty());
        assert_eq!(out.notes.len(), 1);
    }

    #[test]
    fn file_lists_become_owned_files() {
        let list = "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libc.so.6\r\n\n/usr/share/doc/libc6/copyright\n";
        let out = run(&Dpkg, "var/lib/dpkg/info/libc6:amd64.list", list.as_bytes()).unwrap();
        assert_eq!(
            out.owned_files,
            [OwnedFiles {
                ecosystem: Ecosystem::Deb,
                package: "libc6".into(),
                files: vec![
                    "lib".into(),
                    "lib/x86_64-linux-gnu".into(),
                    "lib/x86_64-linux-gnu/libc.so.6".into(),
                    "usr/share/doc/libc6/copyright".into(),
                ],
            }]
        );
        let sums = "5e4c2b1d7a1f0e8c2b3a4d5e6f708192  usr/bin/tzselect\n\
                    0123456789abcdef0123456789abcdef  usr/share/zoneinfo/UTC\n";
        let out = run(
            &Dpkg,
            "var/lib/dpkg/status.d/tzdata.md5sums",
            sums.as_bytes(),
        )
        .unwrap();
        let owned = out.owned_files.first().unwrap();
        assert_eq!(owned.package, "tzdata");
        assert_eq!(owned.files, ["usr/bin/tzselect", "usr/share/zoneinfo/UTC"]);
        assert!(out.packages.is_empty());
    }

    #[test]
    fn empty_fields_fall_back_or_are_left_out() {
        let text = "Package: empty\nStatus: install ok installed\nArchitecture:\nSource:\nVersion: 1.0-1\n\n\
                    Package: versioned-source\nStatus: install ok installed\nSource: src ()\nVersion: 2\n";
        let out = run(&Dpkg, "var/lib/dpkg/status", text.as_bytes()).unwrap();
        assert!(out.notes.is_empty(), "{:?}", out.notes);
        let [empty, versioned] = &out.packages[..] else {
            panic!("{:?}", out.packages)
        };
        assert_eq!(empty.arch, None);
        let src = empty.source.as_ref().unwrap();
        assert_eq!(
            (src.name.as_str(), src.version.as_deref()),
            ("empty", Some("1.0-1"))
        );
        assert_eq!(empty.purl.as_deref(), Some("pkg:deb/debian/empty@1.0-1"));
        let src = versioned.source.as_ref().unwrap();
        assert_eq!(
            (src.name.as_str(), src.version.as_deref()),
            ("src", Some("2"))
        );
    }

    #[test]
    fn broken_inputs_give_notes_not_panics() {
        let cases: &[&[u8]] = &[
            b"",
            b"\n\n\n",
            b"Package: curl\nStatus: install ok installed\n",
            b"Status: install ok installed\nVersion: 1\n",
            b"garbage without colon\nPackage: x\nStatus: install ok installed\nVersion: 1\n",
            b"Package: trunc\nStatus: install ok inst",
            b"\xFF\xFE\x00P\x00a\x00c",
            b": \n:\n::::\n",
        ];
        for case in cases {
            let out = run(&Dpkg, "var/lib/dpkg/status", case).unwrap();
            for p in &out.packages {
                assert!(!p.name.is_empty() && !p.version.is_empty());
            }
        }
        let out = run(
            &Dpkg,
            "var/lib/dpkg/status",
            b"garbage\nPackage: x\nStatus: install ok installed\nVersion: 1\n",
        )
        .unwrap();
        assert_eq!(out.packages.len(), 1);
        assert_eq!(out.notes.first().unwrap().location.line, Some(1));
        let out = run(
            &Dpkg,
            "var/lib/dpkg/status",
            b"Package: curl\nStatus: install ok installed\n",
        )
        .unwrap();
        assert_eq!(
            out.notes.first().unwrap().message,
            "package `curl` has no `Version` field; skipped"
        );

        let huge = format!(
            "Package: big\nStatus: install ok installed\nVersion: 1\nDescription: x\n{}\n",
            " .\n".repeat(200_000)
        );
        let out = run(&Dpkg, "var/lib/dpkg/status", huge.as_bytes()).unwrap();
        assert_eq!(out.packages.len(), 1);
    }
}
