//! Alpine, Wolfi and Chainguard packages from apk's database, `lib/apk/db/installed`.

use kensa_core::package::SourcePackage;
use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, Package,
    PathSpec, ScanNote, Scanner,
};

/// Reads `lib/apk/db/installed`.
pub struct Apk;

const ID: &str = "apk";

impl Analyzer for Apk {
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
        &[PathSpec::Exact("lib/apk/db/installed")]
    }

    fn max_file_size(&self) -> u64 {
        // The file lists every file with its checksum: a few MiB for a large image.
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = super::decode_text(file.content);
        parse(file.path, &text, out);
        Ok(())
    }
}

#[derive(Default)]
struct Record {
    line: u32,
    name: Option<String>,
    version: Option<String>,
    arch: Option<String>,
    origin: Option<String>,
    license: Option<String>,
    dir: String,
    files: Vec<String>,
}

fn parse(path: &str, text: &str, out: &mut AnalysisOutput) {
    let mut rec: Option<Record> = None;
    let mut stray = Vec::new();
    let mut line_no: u32 = 0;
    for raw in text.split('\n') {
        line_no = line_no.saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            if let Some(r) = rec.take() {
                finish(path, r, out);
            }
            continue;
        }
        let r = rec.get_or_insert_with(|| Record {
            line: line_no,
            ..Record::default()
        });
        let Some((key, value)) = line.split_once(':') else {
            stray.push(line_no);
            continue;
        };
        let value = value.trim();
        match key {
            "P" => r.name = Some(value.to_owned()),
            "V" => r.version = Some(value.to_owned()),
            "A" => r.arch = Some(value.to_owned()),
            "o" => r.origin = Some(value.to_owned()),
            "L" => r.license = Some(value.to_owned()),
            "F" => r.dir = super::normalize_path(value).unwrap_or_default(),
            "R" => {
                let joined = if r.dir.is_empty() {
                    value.to_owned()
                } else {
                    format!("{}/{value}", r.dir)
                };
                if let Some(p) = super::normalize_path(&joined) {
                    r.files.push(p);
                }
            }
            // Commit (`c:`), checksums, sizes, dependencies: kensa-core has no field for them.
            _ if key.len() == 1 => {}
            _ => stray.push(line_no),
        }
    }
    if let Some(r) = rec {
        finish(path, r, out);
    }
    if let Some(first) = stray.first() {
        out.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: ID.into(),
            location: Location::path(path).with_line(*first),
            message: format!(
                "{} line(s) are not `X:value` records; ignored (first at line {first})",
                stray.len()
            ),
        });
    }
}

fn finish(path: &str, r: Record, out: &mut AnalysisOutput) {
    let location = Location::path(path).with_line(r.line);
    let (Some(name), Some(version)) = (
        r.name.filter(|n| !n.is_empty()),
        r.version.filter(|v| !v.is_empty()),
    ) else {
        out.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: ID.into(),
            location,
            message: "record lacks a package name (`P:`) or version (`V:`); skipped".into(),
        });
        return;
    };
    let mut pkg = Package {
        dev: false,
        relationship: None,
        ecosystem: Ecosystem::Apk,
        source: Some(SourcePackage {
            // An origin builds all its subpackages at the same version.
            name: r
                .origin
                .filter(|o| !o.is_empty())
                .unwrap_or_else(|| name.clone()),
            version: Some(version.clone()),
        }),
        name,
        version,
        purl: None,
        arch: r.arch.filter(|a| !a.is_empty()),
        licenses: r.license.filter(|l| !l.is_empty()).into_iter().collect(),
        direct: None,
        found_by: ID.into(),
        location,
        files: r.files,
    };
    pkg.purl = Some(super::purl::purl(&pkg, None));
    out.packages.push(pkg);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::test_support::{run, wants};

    const INSTALLED: &str = "\
C:Q1Jm3Bwa0FbYLMhTxkmwk/aoV/xpc=
P:musl
V:1.2.4_git20230717-r4
A:x86_64
S:407337
I:667648
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Timo Teras <timo.teras@iki.fi>
t:1705339466
c:a3d1e4a4a8cbb3c5e7c1ab0e7d2e0e4c1a2b3c4d
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1HjXx7FKh0gjVwGdvW0HyEjfVBC8=
R:libc.musl-x86_64.so.1
a:0:0:777
Z:Q17yJ3JFNypA4mxhJJr0ou6CzsJVI=

C:Q1Ll0oaT3XB6hAQ0ZsdH7bXZtS0K4=
P:libcrypto3
V:3.1.4-r5
A:x86_64
L:Apache-2.0
o:openssl
c:ec0d4d0a4c84b36f8d9e7c0a0c2e8d0f6b8a9c1e
D:so:libc.musl-x86_64.so.1
F:etc
F:etc/ssl
R:openssl.cnf
F:usr/lib
R:libcrypto.so.3
F:usr/lib/engines-3
R:afalg.so

P:alpine-baselayout-data
V:3.4.3-r2
A:x86_64
L:GPL-2.0-only
o:alpine-baselayout
R:top-level-file
";

    #[test]
    fn wants_table() {
        for (path, want) in [
            ("lib/apk/db/installed", true),
            ("lib/apk/db/installed.new", false),
            ("usr/lib/apk/db/installed", false),
            ("lib/apk/db/triggers", false),
        ] {
            assert_eq!(wants(&Apk, path), want, "{path}");
        }
    }

    #[test]
    fn installed_snapshot() {
        let out = run(&Apk, "lib/apk/db/installed", INSTALLED.as_bytes()).unwrap();
        assert!(out.notes.is_empty(), "{:?}", out.notes);
        insta::assert_json_snapshot!("apk_installed", out.packages);
    }

    #[test]
    fn files_join_the_last_directory_and_crlf_changes_nothing() {
        let plain = run(&Apk, "lib/apk/db/installed", INSTALLED.as_bytes()).unwrap();
        let crlf = INSTALLED.replace('\n', "\r\n");
        let odd = run(&Apk, "lib/apk/db/installed", crlf.as_bytes()).unwrap();
        assert_eq!(plain.packages, odd.packages);
        let crypto = &plain.packages[1];
        assert_eq!(
            crypto.files,
            [
                "etc/ssl/openssl.cnf",
                "usr/lib/libcrypto.so.3",
                "usr/lib/engines-3/afalg.so"
            ]
        );
        assert_eq!(crypto.source.as_ref().unwrap().name, "openssl");
        assert_eq!(crypto.location.line, Some(22));
        assert_eq!(plain.packages[2].files, ["top-level-file"]);
    }

    #[test]
    fn broken_inputs_give_notes_not_panics() {
        let out = run(
            &Apk,
            "lib/apk/db/installed",
            b"V:1.0\nA:x86_64\n\nP:ok\nV:2\n",
        )
        .unwrap();
        assert_eq!(out.packages.len(), 1);
        assert_eq!(out.notes.len(), 1);
        assert_eq!(out.notes.first().unwrap().location.line, Some(1));
        let out = run(
            &Apk,
            "lib/apk/db/installed",
            b"P:x\nV:1\nnot a record\nR:\nF:\n",
        )
        .unwrap();
        assert_eq!(out.packages.len(), 1);
        assert!(
            out.notes
                .first()
                .unwrap()
                .message
                .contains("first at line 3")
        );
        for case in [
            &b""[..],
            b"\xFF\xFF",
            b"P:trunc\nV:1.",
            b":::\n\n\n",
            b"R:../../etc/passwd\nP:a\nV:1\n",
        ] {
            let out = run(&Apk, "lib/apk/db/installed", case).unwrap();
            for p in &out.packages {
                assert!(!p.name.is_empty());
            }
        }
        let huge = format!("P:big\nV:1\n{}", "F:d\nR:f\n".repeat(100_000));
        let out = run(&Apk, "lib/apk/db/installed", huge.as_bytes()).unwrap();
        assert_eq!(out.packages.first().unwrap().files.len(), 100_000);
    }
}
