//! Snapshots of real `kensa` invocations: exit code, stdout and stderr together, so a
//! change to what a user sees (help text, the valid values of a flag, an error message,
//! a report) shows up in review as a diff.
//!
//! Temp directories, versions and digests that change from run to run are filtered out;
//! `INSTA_UPDATE=always cargo test -p kensa --test cli_snapshots` rewrites the files.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::Path;
use std::process::Command;

use insta_cmd::assert_cmd_snapshot;

mod support;

use support::{image, regex_escape};

fn kensa(cwd: &Path) -> Command {
    let mut cmd = Command::new(insta_cmd::get_cargo_bin("kensa"));
    cmd.current_dir(cwd)
        .env_remove("KENSA_CACHE_DIR")
        .env_remove("KENSA_CONFIG")
        .env_remove("KENSA_DB_DIR")
        .env("NO_COLOR", "1")
        // Relative to `cwd`, so that no temp path shows in the snapshots' metadata.
        .env("XDG_CACHE_HOME", "cache")
        .env("XDG_DATA_HOME", "data")
        // Help wraps at the terminal width otherwise.
        .env("COLUMNS", "100");
    cmd
}

/// Runs `body` with filters that make `dir` and the build's version stable.
fn with_filters(dir: &Path, body: impl FnOnce()) {
    let dir = regex_escape(&dir.display().to_string());
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(&dir, "[TMP]");
    settings.add_filter(env!("CARGO_PKG_VERSION"), "[VERSION]");
    settings.bind(body);
}

/// The subcommands `kensa --help` lists, so that a new one gets a snapshot of its own
/// help without this list being edited.
fn subcommands(cmd: &mut Command) -> Vec<String> {
    let out = cmd.arg("--help").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        // Wrapped descriptions are indented further than the names.
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn help_of_every_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    with_filters(cwd, || {
        assert_cmd_snapshot!("help", kensa(cwd).arg("--help"));
        let top = subcommands(&mut kensa(cwd));
        assert!(top.len() >= 7, "{top:?}");
        // `rule` is snapshotted with the rule registry's tests.
        for sub in top
            .iter()
            .filter(|s| !matches!(s.as_str(), "help" | "rule"))
        {
            assert_cmd_snapshot!(format!("help_{sub}"), kensa(cwd).args([sub, "--help"]));
            for inner in subcommands(kensa(cwd).arg(sub)) {
                if inner != "help" {
                    assert_cmd_snapshot!(
                        format!("help_{sub}_{inner}"),
                        kensa(cwd).args([sub, &inner, "--help"])
                    );
                }
            }
        }
    });
}

/// A value a flag does not take exits 2 and lists the ones it does, from the same
/// registries that parse them.
#[test]
fn bad_flag_values_list_the_valid_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    with_filters(cwd, || {
        for (name, args) in [
            (
                "bad_format",
                &["image", "-i", "x.tar", "--format", "xml"][..],
            ),
            (
                "bad_scanner",
                &["image", "-i", "x.tar", "--scanners", "vuln,bogus"],
            ),
            ("bad_severity", &["fs", ".", "--severity", "HIGH,severe"]),
            ("bad_fail_on", &["fs", ".", "--fail-on", "urgent"]),
            ("bad_sbom_format", &["sbom", "x.tar", "--format", "table"]),
            (
                "missing_malware_db",
                &["fs", ".", "--malware-db", "no-such-dir"],
            ),
            ("reserved_exit_code", &["fs", ".", "--exit-code", "2"]),
            (
                "bad_platform",
                &["image", "-i", "x.tar", "--platform", "linux"],
            ),
            ("unknown_subcommand", &["frobnicate"]),
        ] {
            assert_cmd_snapshot!(name, kensa(cwd).args(args));
        }
    });
}

#[test]
fn missing_inputs_are_errors_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    with_filters(cwd, || {
        for (name, args) in [
            ("missing_image_argument", &["image"][..]),
            (
                "missing_image_archive",
                &["image", "--input", "nope.tar", "--no-cache"],
            ),
            (
                "missing_oci_layout",
                &["image", "oci-layout:nope", "--no-cache"],
            ),
            (
                "missing_rootfs",
                &["rootfs", "nope", "--scanners", "config"],
            ),
            ("missing_dockerfile", &["dockerfile", "nope/Dockerfile"]),
            ("missing_database", &["fs", ".", "--scanners", "vuln"]),
            (
                "missing_db_import_path",
                &["db", "import", "nope.json", "--db-dir", "db"],
            ),
            ("missing_db_info", &["db", "info", "--db-dir", "nodb"]),
            ("missing_sbom_target", &["sbom", "nope.tar", "--no-cache"]),
        ] {
            assert_cmd_snapshot!(name, kensa(cwd).args(args));
        }
    });
}

#[test]
fn scan_of_a_small_image_in_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    image().write_docker_archive(&cwd.join("app.tar")).unwrap();
    with_filters(cwd, || {
        let scan = |format: &str| {
            let mut cmd = kensa(cwd);
            cmd.args([
                "image",
                "--input",
                "app.tar",
                "--scanners",
                "config,secret",
                "--no-cache",
                "--format",
                format,
            ]);
            cmd
        };
        assert_cmd_snapshot!("scan_table", scan("table"));
        assert_cmd_snapshot!("scan_json", scan("json"));
        let with_scanners = |scanners: &str| {
            let mut cmd = kensa(cwd);
            cmd.args([
                "image",
                "-i",
                "app.tar",
                "--no-cache",
                "--scanners",
                scanners,
            ]);
            cmd
        };
        assert_cmd_snapshot!(
            "scan_inventory_only",
            with_scanners("").arg("--list-packages")
        );
        // A secrets-only scan still reports the credential in the image config's Env
        // (KS-IMG-005, under the secret scanner) and no config-rule finding.
        assert_cmd_snapshot!("scan_secret_only", with_scanners("secret"));
        assert_cmd_snapshot!(
            "scan_table_high_only_failing",
            scan("table").args(["--severity", "high,critical", "--fail-on", "high"])
        );
    });
}

/// The `malware` scanner as a user meets it: EICAR deleted by a later layer and inside a
/// jar, a signature of a database the test writes, and a malformed database.
// See: issues/12 (point 5)
#[test]
fn malware_scan_of_an_image_and_a_bad_database() {
    use kensa_testkit::{Entry, Image, Layer};
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let eicar = kensa_malware::eicar::EICAR;
    let mut jar = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    jar.start_file("test/eicar.com", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut jar, eicar).unwrap();
    let jar = jar.finish().unwrap().into_inner();
    Image::new(vec![
        Layer::new(vec![
            Entry::file("tmp/eicar.com", eicar),
            Entry::file("opt/app/lib.jar", jar),
            Entry::exec(
                "usr/local/bin/tool",
                "#!/bin/sh\necho kensa-malware-cli-test\n",
            ),
        ])
        .created_by("COPY . /"),
        Layer::new(vec![Entry::Whiteout("tmp/eicar.com".into())])
            .created_by("RUN rm /tmp/eicar.com"),
    ])
    .write_docker_archive(&cwd.join("app.tar"))
    .unwrap();
    fs_err::create_dir_all(cwd.join("sigs")).unwrap();
    fs_err::write(
        cwd.join("sigs/local.ndb"),
        "Kensa.Cli.Test-1:0:*:6b656e73612d6d616c776172652d636c692d74657374\n",
    )
    .unwrap();
    fs_err::create_dir_all(cwd.join("bad")).unwrap();
    fs_err::write(cwd.join("bad/x.ldb"), "Sig;Target:0;0&1;41424344\n").unwrap();
    let scan = |db: &str| {
        let mut cmd = kensa(cwd);
        cmd.args([
            "image",
            "-i",
            "app.tar",
            "--no-cache",
            "--scanners",
            "malware",
        ])
        .args(["--malware-db", db]);
        cmd
    };
    with_filters(cwd, || {
        assert_cmd_snapshot!("malware_table", scan("sigs"));
        assert_cmd_snapshot!("malware_bad_database", scan("bad"));
    });
}

/// YARA rules as a user meets them: `--yara FILE` on `kensa rootfs` and `kensa image`,
/// a rule with tags and metadata matching a file and a zip member, and a rule file that
/// does not compile.
// See: issues/12 (point 2)
#[test]
fn yara_rules_on_a_rootfs_and_an_image() {
    use kensa_testkit::{Entry, Image, Layer};
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    fs_err::write(
        cwd.join("webshells.yar"),
        r#"rule Kensa_Webshell : webshell php {
    meta:
        author = "ops"
        score = 80
    strings:
        $a = "kensa-yara-cli-test"
    condition:
        $a
}
rule Kensa_Absent { strings: $a = "not in any file" condition: $a }
"#,
    )
    .unwrap();
    fs_err::write(
        cwd.join("broken.yar"),
        "rule Broken {\n    strings: $a = \"x\"\n    condition: $a and\n}\n",
    )
    .unwrap();
    let shell = "<?php /* kensa-yara-cli-test */ ?>\n";
    let mut site = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    site.start_file("uploads/up.php", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut site, shell.as_bytes()).unwrap();
    let site = site.finish().unwrap().into_inner();
    fs_err::create_dir_all(cwd.join("root/var/www")).unwrap();
    fs_err::write(cwd.join("root/var/www/shell.php"), shell).unwrap();
    fs_err::write(cwd.join("root/var/www/site.zip"), &site).unwrap();
    Image::new(vec![
        Layer::new(vec![
            Entry::file("var/www/shell.php", shell),
            Entry::file("var/www/site.zip", site),
        ])
        .created_by("COPY www /var/www"),
    ])
    .write_docker_archive(&cwd.join("app.tar"))
    .unwrap();
    let scan = |args: &[&str], rules: &str| {
        let mut cmd = kensa(cwd);
        cmd.args(args)
            .args(["--no-cache", "--scanners", "malware", "--yara", rules]);
        cmd
    };
    with_filters(cwd, || {
        assert_cmd_snapshot!("yara_rootfs", scan(&["rootfs", "root"], "webshells.yar"));
        assert_cmd_snapshot!(
            "yara_image_json",
            scan(
                &["image", "-i", "app.tar", "--format", "json"],
                "webshells.yar"
            )
        );
        assert_cmd_snapshot!("yara_broken_rules", scan(&["rootfs", "root"], "broken.yar"));
    });
}
