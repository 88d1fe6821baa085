//! YARA rules in a whole scan: a rule matching a file of a layer and a member of a zip in
//! it, with its tags and metadata in the finding; a rule that matches nothing; a rule
//! file that does not compile; a file too large to be matched.
// See: issues/12 (point 2)
#![allow(clippy::unwrap_used, reason = "test code")]

use std::io::Write;
use std::path::Path;

use kensa_core::Scanner;
use kensa_image::ImageInput;
use kensa_scan::{ScanOptions, Target, scan};
use kensa_testkit::{Entry, Image, Layer};

const RULES: &str = r#"
rule Kensa_Webshell_Marker : webshell php {
    meta:
        author = "kensa tests"
        score = 80
    strings:
        $a = "kensa-yara-webshell"
    condition:
        $a
}

rule Kensa_Never_Matches {
    strings:
        $a = "this string is in no file of the test"
    condition:
        $a
}
"#;

fn zip(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn with_rules(path: &Path) -> ScanOptions {
    ScanOptions {
        scanners: vec![Scanner::Malware],
        malware: kensa_malware::MalwareConfig {
            yara: vec![path.to_path_buf()],
            ..kensa_malware::MalwareConfig::default()
        },
        ..ScanOptions::default()
    }
}

#[test]
fn issue_12_a_yara_rule_matches_a_layer_file_and_a_zip_member_with_its_tags_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("webshells.yar");
    fs_err::write(&rules, RULES).unwrap();
    let shell = b"<?php /* kensa-yara-webshell */ system($_GET['c']); ?>";
    let image = Image::new(vec![
        Layer::new(vec![
            Entry::file("var/www/shell.php", &shell[..]),
            Entry::file("opt/site.zip", zip(&[("uploads/x.php", shell)])),
            Entry::file("var/www/index.php", "<?php echo 'hello'; ?>"),
        ])
        .created_by("COPY www /var/www"),
    ]);
    let path = dir.path().join("i.tar");
    image.write_oci_archive(&path).unwrap();
    let (report, _) = scan(
        &Target::Image(ImageInput::Archive(path)),
        &with_rules(&rules),
    )
    .unwrap();
    let mut found: Vec<_> = report
        .findings()
        .map(|f| {
            (
                f.id.as_str(),
                f.location.path.as_deref().unwrap(),
                f.location.member.as_deref(),
                f.location.created_by.as_deref(),
                f.message.as_deref().unwrap(),
            )
        })
        .collect();
    found.sort();
    let message = "`Kensa_Webshell_Marker` (YARA rule in `webshells.yar`; tags: webshell, php; \
                   author = \"kensa tests\", score = 80)";
    assert_eq!(
        found,
        [
            (
                "KS-MAL-003",
                "opt/site.zip",
                Some("uploads/x.php"),
                Some("COPY www /var/www"),
                message
            ),
            (
                "KS-MAL-003",
                "var/www/shell.php",
                None,
                Some("COPY www /var/www"),
                message
            ),
        ]
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.message == "2 YARA rules compiled from 1 file(s)"),
        "{:?}",
        report.notes
    );
}

#[test]
fn issue_12_yara_files_of_a_database_directory_are_compiled_and_not_called_unknown() {
    let db = tempfile::tempdir().unwrap();
    fs_err::write(db.path().join("webshells.yara"), RULES).unwrap();
    let root = tempfile::tempdir().unwrap();
    fs_err::write(root.path().join("a.php"), "kensa-yara-webshell").unwrap();
    let options = ScanOptions {
        scanners: vec![Scanner::Malware],
        malware: kensa_malware::MalwareConfig {
            databases: vec![db.path().to_path_buf()],
            ..kensa_malware::MalwareConfig::default()
        },
        ..ScanOptions::default()
    };
    let (report, _) = scan(&Target::Rootfs(root.path().to_path_buf()), &options).unwrap();
    let ids: Vec<_> = report.findings().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["KS-MAL-003"]);
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.message.contains("not loaded")),
        "{:?}",
        report.notes
    );
}

#[test]
fn issue_12_a_yara_syntax_error_fails_the_scan_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("broken.yar");
    fs_err::write(
        &rules,
        "rule Fine { condition: true }\n\nrule Broken {\n    condition: $missing\n}\n",
    )
    .unwrap();
    let root = tempfile::tempdir().unwrap();
    let err = scan(
        &Target::Rootfs(root.path().to_path_buf()),
        &with_rules(&rules),
    )
    .err()
    .unwrap()
    .to_string();
    let shown = rules.display().to_string();
    assert!(err.contains(&format!("YARA rules `{shown}`")), "{err}");
    assert!(err.contains(&format!("{shown}:4:")), "{err}");
}

#[test]
fn issue_12_a_file_past_the_yara_bound_is_a_note_with_a_count() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("webshells.yar");
    fs_err::write(&rules, RULES).unwrap();
    let root = tempfile::tempdir().unwrap();
    let mut big = vec![b' '; kensa_malware::yara::MAX_YARA_BYTES as usize + 1];
    big[..19].copy_from_slice(b"kensa-yara-webshell");
    fs_err::write(root.path().join("big.bin"), &big).unwrap();
    fs_err::write(root.path().join("small.php"), "kensa-yara-webshell").unwrap();
    // Past 1 MiB an archive is unpacked on a thread of its own as it streams: the count
    // of its members comes from there.
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .large_file(true);
    w.start_file("data/big.dat", stored).unwrap();
    w.write_all(&big).unwrap();
    w.start_file("www/up.php", stored).unwrap();
    w.write_all(b"kensa-yara-webshell").unwrap();
    drop(big);
    fs_err::write(
        root.path().join("site.zip"),
        w.finish().unwrap().into_inner(),
    )
    .unwrap();
    let (report, _) = scan(
        &Target::Rootfs(root.path().to_path_buf()),
        &with_rules(&rules),
    )
    .unwrap();
    let mut found: Vec<_> = report
        .findings()
        .map(|f| {
            (
                f.location.path.as_deref().unwrap(),
                f.location.member.as_deref(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [("site.zip", Some("www/up.php")), ("small.php", None)]
    );
    for path in ["big.bin", "site.zip"] {
        let note = report
            .notes
            .iter()
            .find(|n| n.location.path.as_deref() == Some(path))
            .unwrap_or_else(|| panic!("no note on {path}: {:?}", report.notes));
        assert!(
            note.message
                .starts_with("1 file(s) (this one or its archive members) larger than 64 MiB"),
            "{}",
            note.message
        );
    }
}
