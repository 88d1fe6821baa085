//! Several kensa processes sharing one cache directory (issue 9, "Concurrent scans"):
//! none runs uncached, a layer the images share is walked once between them, and every
//! report is the one a single uncached process writes.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use kensa_testkit::{Entry, Image, Layer, contents};
use serde_json::{Value, json};

/// A layer of `n` text files, so that walking it takes a moment and the processes
/// really overlap.
fn filler(dir: &str, n: usize) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            Entry::file(
                &format!("{dir}/file-{i:04}.txt"),
                format!("line {i} of some ordinary text\n").repeat(40),
            )
        })
        .collect()
}

/// Four images over the same two base layers; images 1 and 2 also share a middle one.
fn images() -> Vec<Image> {
    let base = Layer::new(
        [
            vec![Entry::file(
                "etc/os-release",
                contents::os_release_debian("12", "bookworm"),
            )],
            filler("usr/share/doc/base", 1500),
        ]
        .concat(),
    )
    .created_by("ADD rootfs /");
    let key = format!("AKIA{}", "Z7Q2M4X6P3R5T6W3");
    let runtime = Layer::new(
        [
            vec![Entry::file(
                "opt/runtime/.env",
                format!("AWS_ACCESS_KEY_ID={key}\n"),
            )],
            filler("opt/runtime/lib", 1500),
        ]
        .concat(),
    )
    .created_by("COPY runtime /opt/runtime");
    let middle = Layer::new(filler("srv/shared", 800)).created_by("COPY shared /srv");
    (0..4)
        .map(|i| {
            let mut layers = vec![base.clone(), runtime.clone()];
            if i == 1 || i == 2 {
                layers.push(middle.clone());
            }
            layers.push(
                Layer::new(vec![Entry::file(
                    &format!("app/requirements-{i}.txt"),
                    format!("requests==2.{i}.0\n"),
                )])
                .created_by("COPY requirements.txt /app/"),
            );
            Image::new(layers).config(json!({"Cmd": ["/bin/sh"], "User": format!("app{i}")}))
        })
        .collect()
}

fn kensa(reference: &str, cache: Option<&Path>, scanners: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kensa"));
    cmd.env_remove("KENSA_CACHE_DIR")
        .env("NO_COLOR", "1")
        .env("KENSA_DEBUG", "1")
        .args([
            "image",
            reference,
            "--format",
            "json",
            "-q",
            "--scanners",
            scanners,
        ]);
    match cache {
        Some(dir) => cmd.arg("--cache-dir").arg(dir),
        None => cmd.arg("--no-cache"),
    };
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd
}

/// The report, and the debug counters and walked layers from stderr.
fn finish(out: Output) -> (Value, BTreeMap<String, u64>, Vec<String>) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "exit {:?}: {stderr}",
        out.status.code()
    );
    let mut counters = BTreeMap::new();
    let mut walked = Vec::new();
    for line in stderr.lines() {
        if let Some(layer) = line.strip_prefix("debug: walked layer ") {
            walked.push(layer.to_owned());
        } else if let Some(stats) = line.strip_prefix("debug: ") {
            for pair in stats.split(' ') {
                let (name, value) = pair.split_once('=').unwrap();
                counters.insert(name.to_owned(), value.parse().unwrap());
            }
        }
    }
    assert!(counters.contains_key("layers_walked"), "no stats: {stderr}");
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        counters,
        walked,
    )
}

/// Reports are compared line by line, so a failure shows what differs.
fn same(got: &Value, want: &Value, what: &str) {
    let got = serde_json::to_string_pretty(got).unwrap();
    let want = serde_json::to_string_pretty(want).unwrap();
    let differing: Vec<_> = got
        .lines()
        .zip(want.lines())
        .filter(|(g, w)| g != w)
        .take(10)
        .collect();
    assert!(got == want, "{what}: {differing:#?}");
}

const SCANNERS: &str = "config,secret";

#[test]
fn four_processes_walk_each_shared_layer_once_and_agree_with_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut references = Vec::new();
    let mut distinct = BTreeSet::new();
    for (i, image) in images().iter().enumerate() {
        let path = dir.path().join(format!("oci-{i}"));
        let built = image.write_oci_layout(&path).unwrap();
        distinct.extend(built.diff_ids);
        references.push(format!("oci-layout:{}", path.display()));
    }
    assert_eq!(distinct.len(), 7, "2 base + 1 middle + 4 top layers");

    let alone: Vec<Value> = references
        .iter()
        .map(|r| finish(kensa(r, None, SCANNERS).output().unwrap()).0)
        .collect();

    // Started together, on one empty cache directory.
    let cache = dir.path().join("cache");
    let children: Vec<_> = references
        .iter()
        .map(|r| kensa(r, Some(&cache), SCANNERS).spawn().unwrap())
        .collect();
    let mut walked_by_all = Vec::new();
    let mut waited = 0;
    for (i, child) in children.into_iter().enumerate() {
        let (report, counters, walked) = finish(child.wait_with_output().unwrap());
        same(
            &report,
            &alone[i],
            &format!("image {i}: the shared cache changed the report"),
        );
        assert_eq!(counters["layers_walked"], walked.len() as u64);
        waited += counters["layers_waited"];
        walked_by_all.extend(walked);
    }
    let mut once = walked_by_all.clone();
    once.sort();
    once.dedup();
    assert_eq!(
        walked_by_all.len(),
        distinct.len(),
        "each distinct layer is walked once in total: {walked_by_all:#?}"
    );
    assert_eq!(once, distinct.iter().cloned().collect::<Vec<_>>());
    // How many were answered after a wait depends on timing; each one that was is a
    // walk saved, and the count above shows none was walked twice.
    assert!(waited <= distinct.len() as u64 * 4);

    // Every entry the four wrote is intact: a warm scan of each is answered from the
    // cache, by its whole-image result, and, with fewer scanners (another image key),
    // by each layer's stored index and outputs.
    for (i, reference) in references.iter().enumerate() {
        let (report, counters, walked) =
            finish(kensa(reference, Some(&cache), SCANNERS).output().unwrap());
        same(&report, &alone[i], &format!("image {i}, warm"));
        assert_eq!(
            (counters["layers_walked"], walked.len()),
            (0, 0),
            "image {i}"
        );
        let (_, counters, _) = finish(kensa(reference, Some(&cache), "secret").output().unwrap());
        assert_eq!(
            counters["layers_walked"], 0,
            "image {i}: a layer entry was unusable"
        );
        assert!(counters["layers_cached"] >= 3);
    }

    let info = Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(["cache", "info", "--cache-dir"])
        .arg(&cache)
        .output()
        .unwrap();
    assert!(info.status.success());
    assert!(String::from_utf8_lossy(&info.stdout).contains("entries: "));
}
