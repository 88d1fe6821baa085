//! Writes the demo image that README.md scans: a small Debian 11-era application image
//! with the mistakes kensa exists to catch (root user, setuid binaries, left-over apt
//! lists, an SSH port, secrets in files, in ENV and in a layer that a later step deleted).
//!
//! Usage: `cargo run -p kensa-testkit --example demo-image -- PATH.tar`

use std::path::PathBuf;

use kensa_testkit::contents::{self, DebPackage};
use kensa_testkit::{Compression, Entry, Image, Layer};
use serde_json::json;

fn main() -> std::io::Result<()> {
    let out = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/demo/app.tar"));
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::DirBuilder::new().recursive(true).create(dir)?;
    }
    // Fake credentials, assembled so that no complete token appears in the source.
    let aws_key = format!("AKIA{}", "Z7Q2M4X6P3R5T6W3");
    let aws_secret = format!("{}{}", "q8Vt3kR1uN6pXz0Lm2Ws9Ye4", "Hb7Jc5Df1Ga3Kj8Q");
    let github = format!("ghp_{}{}", "R4nD0mL00k1ngT0k3nV4lu3", "Xy9Zq8Wp7AbCd");
    let private_key = format!(
        "-----BEGIN OPENSSH {}-----\n{}\n-----END OPENSSH {}-----\n",
        "PRIVATE KEY",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\
         QyNTUxOQAAACDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoDemoAAAAJ",
        "PRIVATE KEY"
    );

    let base = Layer::new(vec![
        Entry::dir("etc/"),
        Entry::file(
            "etc/os-release",
            contents::os_release_debian("11", "bullseye"),
        ),
        Entry::file(
            "etc/passwd",
            contents::passwd(&[("root", 0, 0), ("daemon", 1, 1), ("app", 1000, 1000)]),
        ),
        Entry::file(
            "etc/group",
            contents::group(&[("root", 0), ("daemon", 1), ("app", 1000)]),
        ),
        Entry::file(
            "etc/shadow",
            "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\napp::19000:0:99999:7:::\n",
        )
        .with_mode(0o640),
        Entry::dir("var/lib/dpkg/"),
        Entry::file(
            "var/lib/dpkg/status",
            contents::dpkg_status(&[
                DebPackage::new("curl", "7.74.0-1.3+deb11u1"),
                DebPackage::new("libssl1.1", "1.1.1n-0+deb11u3").source("openssl"),
                DebPackage::new("openssl", "1.1.1n-0+deb11u3"),
                DebPackage::new("zlib1g", "1:1.2.11.dfsg-2+deb11u1").source("zlib"),
            ]),
        ),
        Entry::exec("usr/bin/passwd", "\x7fELF demo").with_mode(0o4755),
        Entry::exec("usr/bin/chage", "\x7fELF demo").with_mode(0o2755),
    ])
    .created_by("/bin/sh -c #(nop) ADD file:3b6f6c1a in / ");
    let apt = Layer::new(vec![
        Entry::dir("var/lib/apt/lists/"),
        Entry::file(
            "var/lib/apt/lists/deb.debian.org_debian_dists_bullseye_InRelease",
            "Origin: Debian\nLabel: Debian\nSuite: oldstable\n",
        ),
        Entry::exec("usr/bin/python3", "\x7fELF demo"),
    ])
    .created_by("/bin/sh -c apt-get update && apt-get install -y python3");
    let app = Layer::new(vec![
        Entry::dir("app/"),
        Entry::file(
            "app/app.py",
            format!(
                "import os\n\nGITHUB_TOKEN = \"{github}\"\n\ndef main():\n    print(\"hello\")\n"
            ),
        ),
        Entry::file(
            "app/.env",
            format!("AWS_ACCESS_KEY_ID={aws_key}\nAWS_SECRET_ACCESS_KEY={aws_secret}\n"),
        ),
        Entry::file("app/requirements.txt", "requests==2.19.0\nurllib3==1.23\n"),
        Entry::file("app/deploy_key", private_key),
    ])
    .compression(Compression::Zstd)
    .created_by("COPY . /app # buildkit");
    let cleanup = Layer::new(vec![Entry::Whiteout("app/deploy_key".into())])
        .created_by("RUN /bin/sh -c rm /app/deploy_key # buildkit");

    let image = Image::new(vec![base, apt, app, cleanup])
        .config(json!({
            "Env": [
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "DB_PASSWORD=hunter2-prod-db",
            ],
            "Cmd": ["python3", "/app/app.py"],
            "WorkingDir": "/app",
            "ExposedPorts": { "22/tcp": {}, "8080/tcp": {} },
            "Labels": { "org.opencontainers.image.source": "https://example.com/demo" },
        }))
        .repo_tag(Some("kensa-demo:latest"))
        .history(3, "ENV DB_PASSWORD=hunter2-prod-db");
    let built = image.write_docker_archive(&out)?;
    let mut stderr = std::io::stderr().lock();
    use std::io::Write;
    writeln!(
        stderr,
        "wrote {} (image {}, {} layers)",
        out.display(),
        built.config_digest,
        built.diff_ids.len()
    )?;
    Ok(())
}
