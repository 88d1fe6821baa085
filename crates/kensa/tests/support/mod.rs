//! The test image both CLI test files scan.

use kensa_testkit::{Compression, Entry, Image, Layer, contents};
use serde_json::json;

/// A Debian image with a setuid binary, AWS keys added in one layer and deleted in the
/// next, a password in its config and two pinned Python packages.
#[allow(dead_code, reason = "registry_hygiene builds images of its own")]
pub(crate) fn image() -> Image {
    let key = format!("AKIA{}", "Z7Q2M4X6P3R5T6W3");
    let secret = format!("{}{}", "q8Vt3kR1uN6pXz0Lm2Ws9Ye4", "Hb7Jc5Df1Ga3Kj8Q");
    Image::new(vec![
        Layer::new(vec![
            Entry::file(
                "etc/os-release",
                contents::os_release_debian("12", "bookworm"),
            ),
            Entry::exec("usr/bin/su", "ELF").with_mode(0o4755),
        ])
        .created_by("ADD rootfs /"),
        Layer::new(vec![Entry::file(
            "app/.env",
            format!("AWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
        )])
        .compression(Compression::Zstd)
        .created_by("COPY .env /app/"),
        Layer::new(vec![Entry::Whiteout("app/.env".into())]).created_by("RUN rm /app/.env"),
        Layer::new(vec![Entry::file(
            "app/requirements.txt",
            "requests==2.19.0\nurllib3==1.24.2\n",
        )])
        .created_by("COPY requirements.txt /app/"),
    ])
    .config(json!({"Cmd": ["/bin/sh"], "Env": ["DB_PASSWORD=hunter2-prod-db"]}))
    .history(1, "ENV DB_PASSWORD=hunter2-prod-db")
}

/// The JSON report on stdout of a run that must have succeeded.
#[allow(dead_code, reason = "cli_snapshots uses only the image")]
pub(crate) fn json_report(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `s` as a regex matching itself, for insta filters.
#[allow(dead_code, reason = "not every test file filters its snapshots")]
pub(crate) fn regex_escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let special = "\\.+*?()|[]{}^$#&-~".contains(c);
            special.then_some('\\').into_iter().chain([c])
        })
        .collect()
}
