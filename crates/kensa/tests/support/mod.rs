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

/// `kensa` run in `dir` as a user with no docker login, registry credentials, key
/// passphrase or settings file of their own, the cache under `dir`.
#[allow(
    dead_code,
    reason = "only the signing and pinning tests run it this way"
)]
pub(crate) fn isolated_kensa(dir: &std::path::Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", dir.join("no-docker-config"))
        .env("KENSA_CACHE_DIR", dir.join("cache"))
        .env_remove("KENSA_CONFIG")
        .env_remove("KENSA_USERNAME")
        .env_remove("KENSA_PASSWORD")
        .env_remove("KENSA_KEY_PASSWORD");
    cmd
}

/// A run's exit status, stdout and stderr, for assertion messages.
#[allow(
    dead_code,
    reason = "only the signing and pinning tests print runs whole"
)]
pub(crate) fn run_text(out: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
