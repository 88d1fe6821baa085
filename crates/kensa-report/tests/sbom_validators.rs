//! The CycloneDX and SPDX documents checked by validators kensa does not write: the
//! CycloneDX project's `cyclonedx-python-lib` (strict 1.6 JSON schema, then its own
//! model, which checks that every dependency names a known `bom-ref`) and the SPDX
//! project's `spdx-tools` (full SPDX 2.3 validation: ids, relationships, license
//! expressions against the SPDX list and the extracted licenses).
//!
//! The validators are installed from PyPI into a venv under the target directory on the
//! first run and reused after that. Without python3 or the network the test says why
//! and passes, unless `KENSA_REQUIRE_VALIDATORS` is set; a document the validators
//! reject always fails it.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::external::{Unavailable, run, skip};

use kensa_core::package::SourcePackage;
use kensa_core::{Artifact, ArtifactKind, Ecosystem, Location, Package, Report, Scanner};
use kensa_report::{Format, RenderOptions, render};

/// Pinned so that a new validator release cannot turn a green build red overnight;
/// bumping them is a deliberate change (the venv is rebuilt when this list changes).
const REQUIREMENTS: &[&str] = &[
    "cyclonedx-python-lib[json-validation]==11.12.0",
    "spdx-tools==0.8.5",
];

const VALIDATE_PY: &str = r#"
import json, sys
from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

failures = 0
cdx = JsonStrictValidator(SchemaVersion.V1_6)
for path in sys.argv[1:]:
    problems = []
    if path.endswith(".cdx.json"):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        errors = cdx.validate_str(text, all_errors=True)
        problems += [str(e) for e in (errors or [])]
        if not problems:
            try:
                Bom.from_json(json.loads(text)).validate()
            except Exception as e:
                problems.append(f"{type(e).__name__}: {e}")
    elif path.endswith(".spdx.json"):
        try:
            problems += [m.validation_message for m in validate_full_spdx_document(parse_file(path))]
        except Exception as e:
            problems.append(f"{type(e).__name__}: {e}")
    else:
        problems.append("unknown document type")
    for p in problems:
        print(f"{path}: {p}")
    failures += len(problems)
    if not problems:
        print(f"{path}: valid")
sys.exit(1 if failures else 0)
"#;

fn digest(fill: &str) -> kensa_core::Digest {
    common::digest(fill)
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str, purl: Option<&str>, path: &str) -> Package {
    Package {
        dev: false,
        relationship: None,
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: purl.map(str::to_owned),
        arch: None,
        source: None,
        licenses: Vec::new(),
        direct: None,
        found_by: format!("{ecosystem}-analyzer"),
        location: Location {
            layer: Some(digest("ab12")),
            layer_index: Some(1),
            path: Some(path.to_owned()),
            ..Location::default()
        },
        files: Vec::new(),
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Packages of every ecosystem the brief names, with the awkward cases: scoped npm
/// names, epochs and `~` in versions, a purl installed twice, licenses that are ids,
/// expressions, deprecated ids and free text, a package without a purl, and hostile
/// strings.
fn packages() -> Vec<Package> {
    let mut libssl = pkg(
        Ecosystem::Deb,
        "libssl3",
        "3.0.11-1~deb12u2",
        Some("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&distro=debian-12"),
        "var/lib/dpkg/status",
    );
    libssl.arch = Some("amd64".to_owned());
    libssl.source = Some(SourcePackage {
        name: "openssl".to_owned(),
        version: Some("3.0.11-1~deb12u2".to_owned()),
    });
    libssl.licenses = strings(&["Apache-2.0", "Artistic", "GPL-1+"]);
    libssl.files = strings(&[
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
        "usr/lib/x86_64-linux-gnu/libcrypto.so.3",
        "usr/lib/x86_64-linux-gnu/libssl.so.3",
    ]);

    let mut zlib = pkg(
        Ecosystem::Deb,
        "zlib1g",
        "1:1.2.13.dfsg-1",
        Some("pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&epoch=1"),
        "var/lib/dpkg/status",
    );
    zlib.arch = Some("amd64".to_owned());
    zlib.source = Some(SourcePackage {
        name: "zlib".to_owned(),
        version: None,
    });
    zlib.licenses = strings(&["Zlib", "LGPL-2.1", "MIT OR Apache-2.0"]);

    let mut busybox = pkg(
        Ecosystem::Apk,
        "busybox",
        "1.36.1-r15",
        Some("pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64"),
        "lib/apk/db/installed",
    );
    busybox.arch = Some("x86_64".to_owned());
    busybox.source = Some(SourcePackage {
        name: "busybox".to_owned(),
        version: None,
    });
    busybox.licenses = strings(&["GPL-2.0-only"]);
    busybox.files = strings(&["bin/busybox", "etc/securetty"]);

    let mut requests = pkg(
        Ecosystem::Pypi,
        "requests",
        "2.31.0",
        Some("pkg:pypi/requests@2.31.0"),
        "usr/lib/python3/dist-packages/requests-2.31.0.dist-info/METADATA",
    );
    requests.licenses = strings(&["Apache 2.0"]);
    requests.direct = Some(true);

    let babel_purl = "pkg:npm/%40babel/core@7.24.0";
    let mut babel = pkg(
        Ecosystem::Npm,
        "@babel/core",
        "7.24.0",
        Some(babel_purl),
        "app/node_modules/@babel/core/package.json",
    );
    babel.licenses = strings(&["MIT"]);
    let mut babel_again = babel.clone();
    babel_again.location.path = Some("tools/node_modules/@babel/core/package.json".to_owned());

    let mut lang3 = pkg(
        Ecosystem::Maven,
        "org.apache.commons:commons-lang3",
        "3.14.0",
        Some("pkg:maven/org.apache.commons/commons-lang3@3.14.0"),
        "app/lib/commons-lang3-3.14.0.jar",
    );
    lang3.licenses = strings(&["Apache-2.0 WITH LLVM-exception"]);

    let logrus = pkg(
        Ecosystem::Go,
        "github.com/sirupsen/logrus",
        "v1.9.3",
        Some("pkg:golang/github.com/sirupsen/logrus@v1.9.3"),
        "usr/local/bin/app",
    );
    let stdlib = pkg(
        Ecosystem::Go,
        "stdlib",
        "go1.22.1",
        Some("pkg:golang/stdlib@go1.22.1"),
        "usr/local/bin/app",
    );

    let mut serde = pkg(
        Ecosystem::Cargo,
        "serde",
        "1.0.200",
        Some("pkg:cargo/serde@1.0.200"),
        "usr/local/bin/tool",
    );
    serde.licenses = strings(&["MIT or Apache-2.0"]);

    let mut no_purl = pkg(
        Ecosystem::Deb,
        "local-tool",
        "0.1",
        None,
        "var/lib/dpkg/status",
    );
    no_purl.licenses = strings(&["MIT+", "public domain", ""]);

    let mut hostile = pkg(
        Ecosystem::Npm,
        "evil\u{1b}[31m\u{202e}name",
        "1.0.0\u{7f}",
        Some("pkg:npm/evil@1.0.0"),
        "app/\u{1b}]0;x\u{7}/package.json",
    );
    hostile.licenses = strings(&["see \u{1b}[8mLICENSE", "(MIT"]);
    hostile.files = strings(&["a\nb", "\u{202e}txt.exe"]);
    // The project's own packages: a root without a version (a source tree's) and a
    // workspace member. In the directory's documents the root is the subject.
    let mut root = pkg(
        Ecosystem::Npm,
        "shop-api",
        "",
        Some("pkg:npm/shop-api"),
        "app/package-lock.json",
    );
    root.relationship = Some(kensa_core::Relationship::Root);
    let mut member = pkg(
        Ecosystem::Npm,
        "@shop/ui",
        "0.1.0",
        Some("pkg:npm/%40shop/ui@0.1.0"),
        "app/package-lock.json",
    );
    member.relationship = Some(kensa_core::Relationship::Workspace);

    vec![
        root,
        member,
        libssl,
        zlib,
        busybox,
        requests,
        babel,
        babel_again,
        lang3,
        logrus,
        stdlib,
        serde,
        no_purl,
        hostile,
    ]
}

fn image_report() -> Report {
    let mut artifact = common::report().artifact;
    artifact.kind = ArtifactKind::DockerArchive;
    artifact.name = "shop-api.tar".to_owned();
    Report::new(
        artifact,
        Scanner::ALL.to_vec(),
        Vec::new(),
        packages(),
        Vec::new(),
    )
}

fn directory_report() -> Report {
    let artifact = Artifact {
        name: ".".to_owned(),
        kind: ArtifactKind::Filesystem,
        digest: None,
        manifest_digest: None,
        repo_tags: Vec::new(),
        platform: None,
        os: None,
        layers: Vec::new(),
        config: None,
    };
    let packages = packages()
        .into_iter()
        .filter(|p| !p.ecosystem.is_os())
        .map(|mut p| {
            p.location.layer = None;
            p.location.layer_index = None;
            p
        })
        .collect();
    Report::new(
        artifact,
        vec![Scanner::Vuln],
        Vec::new(),
        packages,
        Vec::new(),
    )
}

fn empty_report() -> Report {
    let artifact = common::report().artifact;
    Report::new(artifact, Vec::new(), Vec::new(), Vec::new(), Vec::new())
}

fn write_documents(dir: &Path) -> Vec<PathBuf> {
    let reports = [
        ("image", image_report()),
        ("directory", directory_report()),
        ("empty", empty_report()),
        ("fixture", common::report()),
        ("hostile", common::hostile_report()),
    ];
    let mut paths = Vec::new();
    for (name, report) in &reports {
        for (format, ext) in [
            (Format::CycloneDx, "cdx.json"),
            (Format::SpdxJson, "spdx.json"),
        ] {
            let mut out = Vec::new();
            render(report, format, &mut out, &RenderOptions::default()).unwrap();
            let path = dir.join(format!("{name}.{ext}"));
            fs_err::write(&path, out).unwrap();
            paths.push(path);
        }
    }
    paths
}

/// The venv's python, creating the venv and installing the validators if needed.
fn validators() -> Result<PathBuf, Unavailable> {
    // `CARGO_TARGET_TMPDIR` is `<target dir>/tmp`, so this honours `CARGO_TARGET_DIR`.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let venv = target.join("sbom-validators");
    let python = venv.join("bin").join("python");
    let marker = venv.join("kensa-requirements.txt");
    let wanted = REQUIREMENTS.join("\n");
    // A venv left behind by an older python (or a half-deleted one) is rebuilt, not
    // reported as a validation failure.
    let usable = || {
        Command::new(&python)
            .args(["-c", "import cyclonedx, spdx_tools"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if fs_err::read_to_string(&marker).is_ok_and(|have| have == wanted) && usable() {
        return Ok(python);
    }
    // Built beside the final place and renamed into it, so that a run interrupted
    // during pip never leaves a half-installed venv that looks ready.
    let building = target.join(format!("sbom-validators.building-{}", std::process::id()));
    let _ = fs_err::remove_dir_all(&building);
    let mut pip = Command::new(building.join("bin").join("python"));
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ])
    .args(REQUIREMENTS);
    let installed = run(Command::new("python3").arg("-m").arg("venv").arg(&building))
        .and_then(|_| run(&mut pip));
    if let Err(why) = installed {
        let _ = fs_err::remove_dir_all(&building);
        return Err(why);
    }
    fs_err::write(building.join("kensa-requirements.txt"), &wanted).unwrap();
    let _ = fs_err::remove_dir_all(&venv);
    if fs_err::rename(&building, &venv).is_err() {
        // Another test run finished first; theirs is as good as ours.
        let _ = fs_err::remove_dir_all(&building);
    }
    Ok(python)
}

#[test]
fn independent_validators_accept_both_documents() {
    let python = match validators() {
        Ok(python) => python,
        Err(why) => return skip("sbom validators", &why),
    };
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("validate.py");
    fs_err::write(&script, VALIDATE_PY).unwrap();
    let documents = write_documents(dir.path());
    let out = Command::new(&python)
        .arg(&script)
        .args(&documents)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "validators rejected kensa's SBOMs ({}):\n{stdout}{stderr}",
        out.status
    );
    // Every document was looked at, not just the first.
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": valid")).count(),
        documents.len(),
        "{stdout}"
    );
}
