//! Inventory of what the ecosystems' own tools write, end to end through `kensa fs`:
//! a Cargo workspace locked by `cargo`, an npm workspace locked by `npm`, a Go binary
//! built by `go` with a version stamped by `-ldflags -X`, and an egg built by
//! setuptools. Each test builds its input with the real tool, offline, and skips with
//! a message when the tool is not installed or cannot work offline here.
//!
//! See: issues/15.
#![allow(clippy::unwrap_used, reason = "test code")]
#![allow(clippy::print_stderr, reason = "a skipped test says why")]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

mod support;

/// Runs a tool in `dir`; `None` (with the reason printed) when it is missing or fails.
fn tool(dir: &Path, program: &str, args: &[&str], env: &[(&str, &str)]) -> Option<()> {
    let out = match Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("skipped: `{program}` is not runnable here ({e})");
            return None;
        }
    };
    if !out.status.success() {
        eprintln!(
            "skipped: `{program} {}` failed here ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    Some(())
}

fn write(path: &Path, text: &str) {
    fs_err::create_dir_all(path.parent().unwrap()).unwrap();
    fs_err::write(path, text).unwrap();
}

/// `(relationship or "dep", name, version, dev)` of every package `kensa fs` lists.
fn inventory(dir: &Path, extra: &[&str]) -> Vec<(String, String, String, bool)> {
    let cache = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(["fs", dir.to_str().unwrap(), "-f", "json", "--scanners", ""])
        .args(extra)
        .env("KENSA_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    let report = support::json_report(&out);
    let mut got: Vec<_> = report["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p: &Value| {
            (
                p["relationship"].as_str().unwrap_or("dep").to_owned(),
                p["name"].as_str().unwrap().to_owned(),
                p["version"].as_str().unwrap().to_owned(),
                p["dev"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    got.sort();
    got
}

fn names<'a>(got: &'a [(String, String, String, bool)], kind: &str) -> Vec<&'a str> {
    got.iter()
        .filter(|(r, ..)| r == kind)
        .map(|(_, n, ..)| n.as_str())
        .collect()
}

#[test]
fn cargo_workspace_locked_by_cargo() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        &dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"util\"]\n\n[package]\nname = \"app\"\nversion = \"0.3.0\"\n\
         edition = \"2021\"\n\n[dependencies]\nutil = { path = \"util\" }\n\n\
         [dev-dependencies]\ntempfile = \"3\"\n",
    );
    write(
        &dir.join("util/Cargo.toml"),
        "[package]\nname = \"util\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [dependencies]\nmemchr = \"2\"\n",
    );
    write(&dir.join("src/lib.rs"), "");
    write(&dir.join("util/src/lib.rs"), "");
    // The crates kensa itself builds with are in the local registry cache.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    if tool(dir, &cargo, &["generate-lockfile", "--offline"], &[]).is_none() {
        return;
    }
    let got = inventory(dir, &[]);
    assert_eq!(names(&got, "root"), ["app"]);
    assert_eq!(names(&got, "workspace"), ["util"]);
    // tempfile and all it pulls in are dev-only and left out; memchr is util's.
    assert_eq!(names(&got, "dep"), ["memchr"], "{got:?}");

    let all = inventory(dir, &["--include-dev-deps"]);
    let dev: Vec<&str> = all.iter().filter(|p| p.3).map(|p| p.1.as_str()).collect();
    assert!(dev.contains(&"tempfile"), "{all:?}");
    assert!(dev.contains(&"fastrand"), "transitively dev: {all:?}");
    assert!(!dev.contains(&"memchr"), "{all:?}");
}

#[test]
fn npm_workspace_locked_by_npm() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        &dir.join("package.json"),
        r#"{"name":"shop","version":"1.2.0","private":true,"workspaces":["packages/*"]}"#,
    );
    write(
        &dir.join("packages/ui/package.json"),
        r#"{"name":"@shop/ui","version":"0.4.0"}"#,
    );
    // A hand-made installed package without a version: listed, not dropped.
    write(
        &dir.join("node_modules/internal/package.json"),
        r#"{"name":"internal"}"#,
    );
    let args = [
        "install",
        "--package-lock-only",
        "--offline",
        "--no-audit",
        "--no-fund",
    ];
    if tool(dir, "npm", &args, &[]).is_none() {
        return;
    }
    let got = inventory(dir, &[]);
    assert!(
        got.contains(&("root".into(), "shop".into(), "1.2.0".into(), false)),
        "{got:?}"
    );
    assert!(
        got.contains(&("workspace".into(), "@shop/ui".into(), "0.4.0".into(), false)),
        "{got:?}"
    );
    assert!(
        got.contains(&("dep".into(), "internal".into(), String::new(), false)),
        "{got:?}"
    );
}

#[test]
fn go_binary_with_a_version_stamped_by_ldflags() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(&dir.join("go.mod"), "module example.com/hello\n\ngo 1.19\n");
    write(
        &dir.join("main.go"),
        "package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n",
    );
    let cache = dir.join(".gocache");
    let env = [
        ("GOFLAGS", "-mod=mod"),
        ("GOCACHE", cache.to_str().unwrap()),
        ("GOPROXY", "off"),
        ("CGO_ENABLED", "0"),
    ];
    let args = [
        "build",
        "-ldflags",
        "-s -w -X main.version=1.2.3",
        "-o",
        "bin/hello",
        ".",
    ];
    if tool(dir, "go", &args, &env).is_none() {
        return;
    }
    fs_err::remove_dir_all(&cache).unwrap();
    let got = inventory(dir, &[]);
    // Built outside a VCS checkout, the main module is `(devel)`; the stamped version
    // names the release. The go.mod beside it is the same module, as a source tree.
    assert!(
        got.contains(&(
            "root".into(),
            "example.com/hello".into(),
            "v1.2.3".into(),
            false
        )),
        "{got:?}"
    );
    assert!(
        got.contains(&(
            "root".into(),
            "example.com/hello".into(),
            String::new(),
            false
        )),
        "{got:?}"
    );
    assert!(
        got.iter()
            .any(|p| p.1 == "stdlib" && p.2.starts_with("v1.")),
        "{got:?}"
    );
}

#[test]
fn egg_built_by_setuptools() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write(
        &dir.join("setup.py"),
        "from setuptools import setup\nsetup(name=\"eggpkg\", version=\"0.7.1\", packages=[\"eggpkg\"])\n",
    );
    write(&dir.join("eggpkg/__init__.py"), "");
    if tool(dir, "python3", &["setup.py", "-q", "bdist_egg"], &[]).is_none() {
        return;
    }
    // Only the egg: the build also leaves an `*.egg-info` directory behind.
    let eggs = tempfile::tempdir().unwrap();
    for entry in fs_err::read_dir(dir.join("dist")).unwrap() {
        let path = entry.unwrap().path();
        fs_err::copy(&path, eggs.path().join(path.file_name().unwrap())).unwrap();
    }
    let got = inventory(eggs.path(), &[]);
    assert_eq!(
        got,
        [("dep".into(), "eggpkg".into(), "0.7.1".into(), false)]
    );
}
