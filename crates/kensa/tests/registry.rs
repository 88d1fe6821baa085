//! `kensa image REF` against a real registry (Debian's `docker-registry` on 127.0.0.1,
//! images pushed with skopeo). Each test skips, saying so, when the binary is absent.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

mod support;

use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer, MultiPlatform};

const USER: &str = "scanner";
const PASSWORD: &str = "pw-Xk42-must-not-appear";

/// Runs `cmd` with `input` on its stdin.
fn with_stdin(mut cmd: Command, input: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// `kensa image` with the config and secret scanners (no advisory database needed) and
/// no docker config of the tester's own.
fn kensa(cache: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.env("NO_COLOR", "1")
        .env("DOCKER_CONFIG", cache.join("no-docker-config"))
        .env_remove("KENSA_USERNAME")
        .env_remove("KENSA_PASSWORD")
        .args([
            "image",
            "--scanners",
            "config,secret",
            "-f",
            "json",
            "--cache-dir",
        ])
        .arg(cache);
    cmd
}

#[test]
fn scans_an_image_from_the_registry_and_never_refetches_a_cached_layer() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let built = registry.push(&support::image(), "team/app:1.4").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/team/app:1.4", registry.host);

    let out = kensa(cache.path())
        .args([&reference, "--insecure"])
        .output()
        .unwrap();
    let first = support::json_report(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("warning: `--insecure`"), "{stderr}");
    assert_eq!(first["artifact"]["kind"], "registry");
    assert_eq!(first["artifact"]["name"], reference.as_str());
    assert_eq!(
        first["artifact"]["manifest_digest"].as_str(),
        built.manifest_digest.as_deref()
    );
    let ids: Vec<&str> = first["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert!(ids.iter().any(|id| id.contains("aws")), "{ids:?}");

    // Every layer blob in the registry is now corrupt: a rescan that asked for one would
    // fail its digest check, so success proves the cache answered for all of them.
    for digest in &built.layer_digests {
        fs_err::write(registry.blob_file(digest), b"corrupt").unwrap();
    }
    let before = registry.requests().len();
    let second = support::json_report(
        &kensa(cache.path())
            .args([&reference, "--insecure"])
            .output()
            .unwrap(),
    );
    assert_eq!(second["results"], first["results"]);
    // The warm rescan asked for the tag's manifest and nothing else: the config came from
    // the kept documents, every layer from the layer cache.
    assert_eq!(
        registry.requests()[before..],
        ["GET /v2/team/app/manifests/1.4"]
    );

    // Without the cache the corrupt blob is refused: exit 2, both digests named.
    let out = kensa(cache.path())
        .args([&reference, "--insecure", "--no-cache"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("digest mismatch"), "{stderr}");
    assert!(
        built
            .layer_digests
            .iter()
            .any(|d| stderr.contains(d.as_str())),
        "{stderr}"
    );
}

#[test]
fn plain_http_needs_insecure() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    registry.push(&support::image(), "app:1").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let out = kensa(cache.path())
        .arg(format!("{}/app:1", registry.host))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&registry.host), "{stderr}");

    // The settings file can make one registry plain HTTP, with a warning.
    let settings = cache.path().join("kensa.yaml");
    fs_err::write(
        &settings,
        format!(
            "registries:\n  \"{}\":\n    insecure: true\n",
            registry.host
        ),
    )
    .unwrap();
    let out = kensa(cache.path())
        .arg(format!("{}/app:1", registry.host))
        .arg("--config")
        .arg(&settings)
        .output()
        .unwrap();
    support::json_report(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("registries.{}.insecure", registry.host)),
        "{stderr}"
    );
}

#[test]
fn chooses_the_platform_from_an_index_and_lists_them_when_unknown() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let image = |arch: &str, variant: Option<&str>| {
        Image::new(vec![Layer::new(vec![Entry::file("etc/arch", arch)])])
            .platform("linux", arch, variant)
    };
    let dir = tempfile::tempdir().unwrap();
    let built = MultiPlatform {
        images: vec![image("amd64", None), image("arm64", Some("v8"))],
    }
    .write_oci_layout(&dir.path().join("oci"))
    .unwrap();
    registry
        .push_oci_layout(&dir.path().join("oci"), "multi:1")
        .unwrap();
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/multi:1", registry.host);
    let arm = support::json_report(
        &kensa(cache.path())
            .args([&reference, "--insecure", "--platform", "linux/arm64"])
            .output()
            .unwrap(),
    );
    assert_eq!(arm["artifact"]["platform"], "linux/arm64/v8");
    let before = registry.requests().len();
    let again = support::json_report(
        &kensa(cache.path())
            .args([&reference, "--insecure", "--platform", "linux/arm64"])
            .output()
            .unwrap(),
    );
    assert_eq!(again["results"], arm["results"]);
    // The index by tag; the arm64 manifest (named by digest) and its config were kept.
    assert_eq!(registry.requests()[before..], ["GET /v2/multi/manifests/1"]);
    assert_eq!(
        arm["artifact"]["manifest_digest"].as_str(),
        built[1].manifest_digest.as_deref()
    );
    let out = kensa(cache.path())
        .args([&reference, "--insecure", "--platform", "linux/s390x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("linux/s390x")
            && stderr.contains("linux/amd64")
            && stderr.contains("linux/arm64/v8"),
        "{stderr}"
    );
}

#[test]
fn credentials_from_password_stdin_and_the_environment_never_print() {
    let Some(registry) = TestRegistry::start(RegistryConfig {
        tls: true,
        htpasswd: Some((USER.into(), PASSWORD.into())),
        token: None,
    })
    .unwrap() else {
        return;
    };
    registry.push(&support::image(), "private:1").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/private:1", registry.host);
    let ca = registry.ca_cert.clone().unwrap();
    let base = |cmd: &mut Command| {
        cmd.arg(&reference)
            .arg("--ca-cert")
            .arg(&ca)
            .arg("--no-cache");
    };
    let check_quiet = |out: &Output| {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains(PASSWORD), "the password leaked: {text}");
        }
    };

    let mut cmd = kensa(cache.path());
    base(&mut cmd);
    cmd.args(["--username", USER, "--password-stdin"]);
    let out = with_stdin(cmd, &format!("{PASSWORD}\n"));
    support::json_report(&out);
    check_quiet(&out);

    let with_env = |password: &str| {
        let mut cmd = kensa(cache.path());
        base(&mut cmd);
        cmd.env("KENSA_USERNAME", USER)
            .env("KENSA_PASSWORD", password)
            .output()
            .unwrap()
    };
    let out = with_env(PASSWORD);
    support::json_report(&out);
    check_quiet(&out);

    let out = with_env(&format!("{PASSWORD}x"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&registry.host) && stderr.contains("basic auth as `scanner`"),
        "{stderr}"
    );
    check_quiet(&out);

    // No credentials at all: the error names the registry and says anonymous was tried.
    let mut cmd = kensa(cache.path());
    base(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("anonymous access"), "{stderr}");

    // A missing CA fails closed, naming the registry.
    let out = kensa(cache.path())
        .arg(&reference)
        .env("KENSA_USERNAME", USER)
        .env("KENSA_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("TLS") && stderr.contains(&registry.host),
        "{stderr}"
    );
    check_quiet(&out);
}

#[test]
fn a_tag_that_moved_since_the_last_scan_is_noted() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let first_built = registry.push(&support::image(), "moving:1").unwrap();
    let cache = tempfile::tempdir().unwrap();
    let reference = format!("{}/moving:1", registry.host);
    let scan = || {
        support::json_report(
            &kensa(cache.path())
                .args([&reference, "--insecure"])
                .output()
                .unwrap(),
        )
    };
    let notes = |report: &serde_json::Value| -> Vec<String> {
        report["notes"]
            .as_array()
            .map(|n| {
                n.iter()
                    .filter_map(|n| n["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let first = scan();
    assert!(
        !notes(&first).iter().any(|n| n.contains("moved")),
        "{first:#}"
    );
    assert!(!notes(&scan()).iter().any(|n| n.contains("moved")));

    let moved = Image::new(vec![Layer::new(vec![Entry::file("etc/new", "2")])]);
    let second_built = registry.push(&moved, "moving:1").unwrap();
    let second = scan();
    let old = first_built.manifest_digest.unwrap();
    let new = second_built.manifest_digest.unwrap();
    assert_eq!(second["artifact"]["manifest_digest"], new.as_str());
    assert!(
        notes(&second)
            .iter()
            .any(|n| n.contains("moved since the last scan")
                && n.contains(&old)
                && n.contains(&new)),
        "{second:#}"
    );
}

/// Every way credentials reach kensa, each with `KENSA_DEBUG=1`, succeeding and failing:
/// neither the password, nor an `Authorization` value, nor a token shows on stdout
/// (the report) or stderr (errors, warnings, debug lines).
#[test]
fn no_auth_path_prints_a_credential_even_with_debug_output() {
    use base64::Engine as _;
    let Some(basic) = TestRegistry::start(RegistryConfig {
        tls: true,
        htpasswd: Some((USER.into(), PASSWORD.into())),
        token: None,
    })
    .unwrap() else {
        return;
    };
    let bearer = TestRegistry::start(RegistryConfig {
        tls: false,
        htpasswd: None,
        token: Some((USER.into(), PASSWORD.into(), 60)),
    })
    .unwrap()
    .unwrap();
    basic.push(&support::image(), "private:1").unwrap();
    bearer.push(&support::image(), "private:1").unwrap();
    let work = tempfile::tempdir().unwrap();
    let ca = basic.ca_cert.clone().unwrap();
    let wrong = format!("{PASSWORD}-wrong");
    let encoded = |password: &str| {
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{password}"))
    };
    // A credential helper answering for both registries.
    let helper = work.path().join("docker-credential-kensatest");
    fs_err::write(
        &helper,
        format!(
            "#!/bin/sh\nread server\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"%s\"}}' \"$server\" \"$KENSATEST_SECRET\"\n"
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        work.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let check = |what: &str, out: &Output, ok: bool| {
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            for secret in [
                PASSWORD,
                "Basic ",
                "Bearer ",
                &encoded(PASSWORD),
                &encoded(&wrong),
            ] {
                assert!(!text.contains(secret), "{what}: `{secret}` leaked: {text}");
            }
        }
        assert_eq!(
            out.status.success(),
            ok,
            "{what}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if ok {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(stderr.contains("debug: layers_walked="), "{what}: {stderr}");
        }
    };
    for (registry, tls) in [(&basic, true), (&bearer, false)] {
        let cache = tempfile::tempdir().unwrap();
        let run = |configure: &dyn Fn(&mut Command)| {
            let mut cmd = kensa(cache.path());
            cmd.arg(format!("{}/private:1", registry.host))
                .arg("--no-cache")
                .env("KENSA_DEBUG", "1")
                .env("PATH", &path);
            if tls {
                cmd.arg("--ca-cert").arg(&ca);
            } else {
                cmd.arg("--insecure");
            }
            configure(&mut cmd);
            cmd.output().unwrap()
        };
        for password in [PASSWORD, wrong.as_str()] {
            let ok = password == PASSWORD;
            let out = run(&|cmd| {
                cmd.env("KENSA_USERNAME", USER)
                    .env("KENSA_PASSWORD", password);
            });
            check("environment", &out, ok);

            let mut cmd = kensa(cache.path());
            cmd.arg(format!("{}/private:1", registry.host))
                .args(["--no-cache", "--username", USER, "--password-stdin"])
                .env("KENSA_DEBUG", "1");
            if tls {
                cmd.arg("--ca-cert").arg(&ca);
            } else {
                cmd.arg("--insecure");
            }
            let out = with_stdin(cmd, &format!("{password}\n"));
            check("--password-stdin", &out, ok);

            for (what, config) in [
                (
                    "auths",
                    serde_json::json!({ "auths": { registry.host.clone(): { "auth": encoded(password) } } }),
                ),
                (
                    "credHelpers",
                    serde_json::json!({ "credHelpers": { registry.host.clone(): "kensatest" } }),
                ),
                (
                    "credsStore",
                    serde_json::json!({ "credsStore": "kensatest" }),
                ),
            ] {
                let dir = work.path().join(format!("docker-{what}"));
                fs_err::create_dir_all(&dir).unwrap();
                fs_err::write(dir.join("config.json"), config.to_string()).unwrap();
                let out = run(&|cmd| {
                    cmd.env("DOCKER_CONFIG", &dir)
                        .env("KENSATEST_SECRET", password);
                });
                check(what, &out, ok);
            }
        }
    }
}

/// Deployments of three references to images in `host`: `team/app:1.4` by tag and by
/// digest, and `team/tool:1`.
fn deployments_in(host: &str, app_digest: &str) -> String {
    let deployment = |name: &str, image: &str| {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {name}, namespace: shop}}\nspec:\n  template:\n    spec:\n      containers:\n      - name: {name}\n        image: {image}\n"
        )
    };
    [
        deployment("web", &format!("{host}/team/app:1.4")),
        deployment("pinned", &format!("{host}/team/app@{app_digest}")),
        deployment("tool", &format!("{host}/team/tool:1")),
    ]
    .join("---\n")
}

#[test]
fn manifests_scanned_with_images_from_the_registry_clear_may_run_as_root() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let image = |user: &str| {
        Image::new(vec![Layer::new(vec![Entry::file(
            "app/run",
            "#!/bin/sh\n",
        )])])
        .config(serde_json::json!({"User": user}))
    };
    let app = registry.push(&image("10001"), "team/app:1.4").unwrap();
    let tool = registry.push(&image("root"), "team/tool:1").unwrap();
    let app_digest = app.manifest_digest.clone().unwrap();
    let dir = tempfile::tempdir().unwrap();
    fs_err::create_dir_all(dir.path().join("repo/deploy")).unwrap();
    fs_err::write(
        dir.path().join("repo/deploy/app.yaml"),
        deployments_in(&registry.host, &app_digest),
    )
    .unwrap();
    let app_ref = format!("{}/team/app:1.4", registry.host);
    let tool_ref = format!("{}/team/tool:1", registry.host);

    let run = |command: &str, path: &str| {
        let before = registry.requests().len();
        let out = Command::new(env!("CARGO_BIN_EXE_kensa"))
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("DOCKER_CONFIG", dir.path().join("no-docker-config"))
            .env("XDG_CACHE_HOME", dir.path().join("cache"))
            .env_remove("KENSA_CONFIG")
            .args([command, path, "--scanners", "config", "--format", "json"])
            .args(["--image", &app_ref, "--image", &tool_ref, "--insecure"])
            .output()
            .unwrap();
        let report = support::json_report(&out);
        // Only manifests and configs are read for `--image`, never a layer.
        let requests = registry.requests()[before..].to_vec();
        for layer in app.layer_digests.iter().chain(&tool.layer_digests) {
            assert!(
                !requests.iter().any(|r| r.contains(layer.as_str())),
                "{requests:?}"
            );
        }
        let verdicts = |key: &str, f: fn(&serde_json::Value) -> &serde_json::Value| {
            let mut v: Vec<String> = report[key]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|r| match key {
                    "results" => r["findings"].as_array().unwrap().clone(),
                    _ => vec![r.clone()],
                })
                .filter(|x| f(x)["id"] == "KS-MF-001")
                .map(|x| {
                    let doc = f(&x)["location"]["document"].as_str().unwrap().to_owned();
                    match x["reason"].as_str() {
                        Some(reason) => format!("{doc}: {reason}"),
                        None => doc,
                    }
                })
                .collect();
            v.sort();
            v
        };
        (
            verdicts("results", |f| f),
            verdicts("suppressed", |s| &s["finding"]),
            report["notes"].to_string(),
        )
    };
    for (command, path) in [("manifest", "repo/deploy/app.yaml"), ("fs", "repo")] {
        let (findings, suppressed, notes) = run(command, path);
        // The root image clears nothing; the non-root one clears both references to it,
        // the tag and the digest, as the registry answered for them.
        assert_eq!(findings, ["3: Deployment/tool"], "{command}");
        assert_eq!(
            suppressed,
            [
                format!(
                    "1: Deployment/web: image `{app_ref}` is `{app_ref}`, scanned with the manifests, whose config sets USER `10001`"
                ),
                format!(
                    "2: Deployment/pinned: image `{}/team/app@{app_digest}` is `{app_ref}`, scanned with the manifests, whose config sets USER `10001`",
                    registry.host
                ),
            ],
            "{command}"
        );
        assert!(
            !notes.contains("is run by no container"),
            "{command}: {notes}"
        );
    }
}
