//! Files over an analyzer's whole-file limit are streamed to it, not skipped.
// See: issues/9 (point 4)
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_core::Scanner;
use kensa_image::ImageInput;
use kensa_scan::{ScanOptions, Target, scan};
use kensa_testkit::{Entry, Image, Layer};

#[test]
fn issue_9_secrets_in_a_file_larger_than_the_buffer_limit_are_found() {
    // 12 MiB of log lines (the secret scanner holds files of up to 10 MiB whole), with a
    // token on the last line and one in a later-deleted copy.
    let line = "2026-12-03T10:00:00Z GET /healthz 200 0.001s upstream=app-7f9c\n";
    let lines = 12 * 1024 * 1024 / line.len() + 1;
    let token = format!("ghp_{}{}", "R4nD0mL00k1ngT0k3nV4lu3", "Xy9Zq8Wp7AbCd");
    let mut log = line.repeat(lines);
    log.push_str(&format!("retrying with token={token}\n"));
    assert!(log.len() > 12 * 1024 * 1024);
    let image = Image::new(vec![Layer::new(vec![Entry::file(
        "var/log/app/access.log",
        log,
    )])]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("i.tar");
    image.write_oci_archive(&path).unwrap();
    let options = ScanOptions {
        scanners: vec![Scanner::Secret],
        ..ScanOptions::default()
    };
    let (report, _) = scan(&Target::Image(ImageInput::Archive(path)), &options).unwrap();
    assert!(
        report.notes.is_empty(),
        "nothing was skipped: {:?}",
        report.notes
    );
    let findings: Vec<_> = report.findings().collect();
    let found: Vec<_> = findings
        .iter()
        .map(|f| (f.id.as_str(), f.location.path.as_deref(), f.location.line))
        .collect();
    assert_eq!(
        found,
        [(
            "github-pat",
            Some("var/log/app/access.log"),
            Some(u32::try_from(lines + 1).unwrap())
        )]
    );
    let message = findings[0].message.as_deref().unwrap();
    assert!(!message.contains(&token), "masked: {message}");
}
