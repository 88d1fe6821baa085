//! Writes the seed corpora, built in code: `cargo run --manifest-path fuzz/Cargo.toml --bin
//! seeds [OUT_DIR]` (default `fuzz/corpus`) makes `OUT_DIR/<target>/seed-NNN` files. Each
//! seed is a valid input of its kind, so the fuzzers start past the first parse error.

// Built by `cargo fuzz build` with coverage instrumentation like the targets, so it links
// libFuzzer for the instrumentation's symbols (its `main` is this file's).
extern crate libfuzzer_sys;

use std::io::Write;
use std::path::{Path, PathBuf};

use kensa_fuzz::{analyzer_input, layer_input, source_input};
use kensa_pkg::os::rpm_header::encode::{Value, header, package};
use kensa_pkg::os::{rpm_bdb, rpm_header::tag, rpm_ndb};
use kensa_testkit::{Compression, Entry, Image, Layer, contents};
use serde_json::json;

struct Out {
    root: PathBuf,
    count: usize,
}

impl Out {
    fn put(&mut self, target: &str, bytes: &[u8]) {
        let dir = self.root.join(target);
        fs_err::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let n = fs_err::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
        kensa_fuzz::write(&dir.join(format!("seed-{n:03}")), bytes);
        self.count += 1;
    }
}

fn main() {
    let root = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"));
    let mut out = Out { root, count: 0 };
    layers(&mut out);
    sources(&mut out);
    configs(&mut out);
    analyzer_files(&mut out);
    rpm(&mut out);
    binaries(&mut out);
    jars(&mut out);
    dockerfiles(&mut out);
    osv(&mut out);
    suppress(&mut out);
    settings(&mut out);
    manifests(&mut out);
    malware(&mut out);
    #[expect(clippy::print_stdout, reason = "the seed count is this tool's output")]
    {
        println!("wrote {} seeds under {}", out.count, out.root.display());
    }
}

fn tar_bytes(layer: &Layer) -> Vec<u8> {
    let mut v = Vec::new();
    layer.write_tar(&mut v).unwrap_or_else(|e| panic!("{e}"));
    v
}

fn base_layer() -> Layer {
    Layer::new(vec![
        Entry::dir("etc/"),
        Entry::file(
            "etc/os-release",
            contents::os_release_debian("12", "bookworm"),
        ),
        Entry::file(
            "etc/passwd",
            contents::passwd(&[("root", 0, 0), ("app", 1000, 1000)]),
        ),
        Entry::file("etc/group", contents::group(&[("root", 0)])),
        Entry::file("etc/shadow", "root::19000:0:99999:7:::\n"),
        Entry::dir("var/lib/dpkg/"),
        Entry::file(
            "var/lib/dpkg/status",
            contents::dpkg_status(&[
                contents::DebPackage::new("libc6", "2.36-9+deb12u4"),
                contents::DebPackage::new("openssl", "3.0.11-1~deb12u2").source("openssl"),
            ]),
        ),
        Entry::file("var/lib/dpkg/info/openssl.list", "/usr/bin/openssl\n"),
        Entry::exec("usr/bin/su", "\x7fELF").with_mode(0o4755),
        Entry::symlink("usr/bin/sh", "dash"),
        Entry::hardlink("usr/bin/su2", "usr/bin/su"),
        Entry::symlink("etc/evil", "../../../etc/shadow"),
        Entry::file(
            "srv/app/.env",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        ),
        Entry::file("srv/app/package-lock.json", NPM_LOCK),
    ])
}

fn upper_layer() -> Layer {
    Layer::new(vec![
        Entry::Whiteout("etc/shadow".into()),
        Entry::OpaqueWhiteout("var/lib/dpkg".into()),
        Entry::file(
            "lib/apk/db/installed",
            contents::apk_installed(&[
                contents::ApkPackage::new("musl", "1.2.4-r2"),
                contents::ApkPackage::new("busybox", "1.36.1-r5").origin("busybox"),
            ]),
        ),
        Entry::file("../escape", "x"),
        Entry::file("/abs/path", "x"),
        Entry::file(&format!("long/{}", "n".repeat(150)), "long name"),
        Entry::file(
            "root/.docker/config.json",
            r#"{"auths":{"r.example":{"auth":"dXNlcjpwYXNz"}}}"#,
        ),
    ])
}

fn layers(out: &mut Out) {
    let base = tar_bytes(&base_layer());
    let upper = tar_bytes(&upper_layer());
    out.put("layer_walk", &layer_input::encode(0, &[&base]));
    out.put("layer_walk", &layer_input::encode(1, &[&upper]));
    out.put("layer_walk", &layer_input::encode(0, &[&base, &upper]));
    out.put("layer_walk", &layer_input::encode(1, &[&base, &upper]));
    out.put(
        "layer_walk",
        &layer_input::encode(2, &[&kensa_fuzz::gzip(&upper)]),
    );
    let zst = zstd::encode_all(upper.as_slice(), 3).unwrap_or_else(|e| panic!("{e}"));
    out.put("layer_walk", &layer_input::encode(2, &[&zst]));
    let long = format!("deep/{}/file", "d".repeat(200));
    let pax = Layer::new(vec![
        Entry::Pax(vec![("path".into(), long.clone().into_bytes())]),
        Entry::file(&long, "pax"),
    ]);
    out.put("layer_walk", &layer_input::encode(0, &[&tar_bytes(&pax)]));
}

/// Real images written by the testkit, turned into documents with placeholders.
fn sources(out: &mut Out) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let image = Image::new(vec![
        base_layer(),
        upper_layer().compression(Compression::Zstd),
    ])
    .config(json!({"User": "root", "Cmd": ["/bin/sh"], "Env": ["PASSWORD=hunter2"]}))
    .history(1, "USER root");
    let layout = dir.path().join("oci");
    image
        .write_oci_layout(&layout)
        .unwrap_or_else(|e| panic!("{e}"));
    let docs = oci_docs(&layout);
    out.put(
        "image_source",
        &source_input::encode(source_input::Layout::OciLayout, &docs),
    );
    out.put(
        "image_source",
        &source_input::encode(source_input::Layout::OciArchive, &docs),
    );
    let archive = dir.path().join("docker.tar");
    image
        .write_docker_archive_oci(&archive)
        .unwrap_or_else(|e| panic!("{e}"));
    out.put(
        "image_source",
        &source_input::encode(source_input::Layout::DockerArchive, &docker_docs(&archive)),
    );
    let multi = kensa_testkit::MultiPlatform {
        images: vec![
            Image::new(vec![base_layer()]).platform("linux", "amd64", None),
            Image::new(vec![upper_layer()]).platform("linux", "arm64", Some("v8")),
        ],
    };
    let mlayout = dir.path().join("multi");
    multi
        .write_oci_layout(&mlayout)
        .unwrap_or_else(|e| panic!("{e}"));
    out.put(
        "image_source",
        &source_input::encode(source_input::Layout::OciLayout, &oci_docs(&mlayout)),
    );
}

/// `index.json` first, then every blob reachable from it, in the order they are named.
fn oci_docs(layout: &Path) -> Vec<Vec<u8>> {
    let read = |p: PathBuf| fs_err::read(p).unwrap_or_else(|e| panic!("{e}"));
    let mut docs = vec![read(layout.join("index.json"))];
    let mut i = 0;
    while i < docs.len() {
        let names: Vec<String> = digests_in(&docs[i]);
        for d in names {
            let Some(hex) = d.strip_prefix("sha256:") else {
                continue;
            };
            // diff_ids name no blob.
            let Ok(blob) = fs_err::read(layout.join("blobs/sha256").join(hex)) else {
                continue;
            };
            if !docs.contains(&blob) {
                docs.push(blob);
            }
        }
        i += 1;
    }
    docs.truncate(10);
    source_input::placeholders(&mut docs);
    docs
}

fn digests_in(doc: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(doc);
    let mut found = Vec::new();
    let mut rest = text.as_ref();
    while let Some(at) = rest.find("sha256:") {
        let cand = rest[at..].chars().take(71).collect::<String>();
        if cand.len() == 71 && cand[7..].chars().all(|c| c.is_ascii_hexdigit()) {
            found.push(cand);
        }
        rest = &rest[at + 7..];
    }
    found
}

/// `manifest.json` first, then the config and layer blobs it names.
fn docker_docs(archive: &Path) -> Vec<Vec<u8>> {
    let file = fs_err::File::open(archive).unwrap_or_else(|e| panic!("{e}"));
    let mut members = std::collections::BTreeMap::new();
    let mut tar = tar::Archive::new(file);
    for e in tar.entries().unwrap_or_else(|e| panic!("{e}")) {
        let mut e = e.unwrap_or_else(|e| panic!("{e}"));
        let name = e
            .path()
            .unwrap_or_else(|e| panic!("{e}"))
            .display()
            .to_string();
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut bytes).unwrap_or_else(|e| panic!("{e}"));
        members.insert(name, bytes);
    }
    let manifest = members.get("manifest.json").cloned().unwrap_or_default();
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap_or_default();
    let mut docs = vec![manifest];
    let entry = &m[0];
    let names =
        std::iter::once(&entry["Config"]).chain(entry["Layers"].as_array().into_iter().flatten());
    for n in names.filter_map(|v| v.as_str()) {
        if let Some(b) = members.get(n) {
            docs.push(b.clone());
        }
    }
    source_input::placeholders(&mut docs);
    docs
}

fn configs(out: &mut Out) {
    let full = json!({
        "architecture": "amd64", "os": "linux", "variant": null, "created": "2024-01-01T00:00:00Z",
        "config": {
            "User": "root", "Env": ["PATH=/usr/bin", "API_TOKEN=ghp_0123456789abcdefghijABCDEFGHIJ012345"],
            "Cmd": ["/bin/sh", "-c", "sshd"], "Entrypoint": null, "ExposedPorts": {"22/tcp": {}},
            "Volumes": {"/var/run/docker.sock": {}}, "Labels": {"a": "b"},
            "Healthcheck": {"Test": ["NONE"]}, "WorkingDir": "/srv", "OnBuild": ["RUN x"]
        },
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{}", "a".repeat(64))]},
        "history": [
            {"created_by": "/bin/sh -c apt-get update", "empty_layer": true},
            {"created_by": "/bin/sh -c sudo apt-get upgrade -y && curl https://x | sh"},
            {"created_by": "ADD https://example.com/x.tar.gz /"}
        ]
    });
    out.put("image_config", full.to_string().as_bytes());
    out.put(
        "image_config",
        br#"{"config":null,"history":null,"rootfs":{"diff_ids":[]}}"#,
    );
}

const NPM_LOCK: &str = r#"{"name":"app","lockfileVersion":3,"packages":{"":{"name":"app","version":"1.0.0"},"node_modules/left-pad":{"version":"1.3.0","license":"MIT"},"node_modules/@scope/pkg":{"version":"2.0.0","dev":true}}}"#;

/// `(analyzer id, path suffix, content)` for the text formats.
const FILES: &[(&str, &str, &str)] = &[
    (
        "cargo-lock",
        "Cargo.lock",
        "version = 3\n\n[[package]]\nname = \"serde\"\nversion = \"1.0.200\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"abc\"\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"serde\"]\n",
    ),
    (
        "composer-installed",
        "installed.json",
        r#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"]}]}"#,
    ),
    (
        "composer-lock",
        "composer.lock",
        r#"{"packages":[{"name":"monolog/monolog","version":"3.5.0","license":["MIT"]}],"packages-dev":[{"name":"phpunit/phpunit","version":"10.0.0"}]}"#,
    ),
    (
        "dotnet-deps",
        "deps.json",
        r#"{"targets":{".NETCoreApp,Version=v8.0":{"Newtonsoft.Json/13.0.3":{}}},"libraries":{"Newtonsoft.Json/13.0.3":{"type":"package"},"app/1.0.0":{"type":"project"}}}"#,
    ),
    (
        "gemfile-lock",
        "Gemfile.lock",
        "GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0.8)\n    rails (7.1.2)\n      rack (>= 2.2)\n\nPLATFORMS\n  ruby\n\nDEPENDENCIES\n  rails\n\nBUNDLED WITH\n   2.5.3\n",
    ),
    (
        "gemspec",
        ".gemspec",
        "# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"3.0.8\"\n  s.licenses = [\"MIT\".freeze]\nend\n",
    ),
    (
        "go-mod",
        "go.mod",
        "module example.com/app\n\ngo 1.21\n\nrequire (\n\tgithub.com/gorilla/mux v1.8.0\n\tgolang.org/x/sys v0.14.0 // indirect\n)\n\nreplace github.com/gorilla/mux => ../mux\n",
    ),
    (
        "node-installed",
        "package.json",
        r#"{"name":"left-pad","version":"1.3.0","license":{"type":"MIT"},"licenses":[{"type":"WTFPL"}]}"#,
    ),
    ("npm-lock", "package-lock.json", NPM_LOCK),
    (
        "npm-lock",
        "package-lock.json",
        r#"{"lockfileVersion":1,"dependencies":{"left-pad":{"version":"1.3.0","dependencies":{"inner":{"version":"0.1.0"}}}}}"#,
    ),
    (
        "nuget-lock",
        "packages.lock.json",
        r#"{"version":1,"dependencies":{"net8.0":{"Newtonsoft.Json":{"type":"Direct","resolved":"13.0.3"}}}}"#,
    ),
    (
        "nuget-packages-config",
        "packages.config",
        "<?xml version=\"1.0\"?>\n<packages>\n  <package id=\"Newtonsoft.Json\" version=\"13.0.1\" developmentDependency=\"true\" />\n</packages>\n",
    ),
    (
        "project-manifest",
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dependencies]\nr = { package = \"rand\", version = \"0.8\" }\n[dev-dependencies]\nproptest = \"1\"\n",
    ),
    (
        "project-manifest",
        "package.json",
        r#"{"name":"shop","version":"1.0.0","workspaces":{"packages":["packages/*"]},"devDependencies":{"jest":"^29"}}"#,
    ),
    (
        "pdm-lock",
        "pdm.lock",
        "[metadata]\nlock_version = \"4.4\"\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\n",
    ),
    (
        "pipfile-lock",
        "Pipfile.lock",
        r#"{"_meta":{},"default":{"requests":{"version":"==2.31.0"}},"develop":{"pytest":{"version":"==8.0.0"}}}"#,
    ),
    (
        "pnpm-lock",
        "pnpm-lock.yaml",
        "lockfileVersion: '9.0'\npackages:\n  left-pad@1.3.0:\n    resolution: {integrity: sha512-x}\n  '@scope/pkg@2.0.0(react@18.0.0)':\n    resolution: {integrity: sha512-y}\n",
    ),
    (
        "pnpm-lock",
        "pnpm-lock.yaml",
        "lockfileVersion: 5.4\npackages:\n  /left-pad/1.3.0:\n    dev: false\n",
    ),
    (
        "poetry-lock",
        "poetry.lock",
        "[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\noptional = false\n\n[metadata]\nlock-version = \"2.0\"\n",
    ),
    (
        "python-dist",
        "METADATA",
        "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\nClassifier: License :: OSI Approved :: MIT License\n\nbody\n",
    ),
    (
        "python-requirements",
        ".txt",
        "requests==2.31.0\nflask>=2.0 ; python_version > \"3.8\"\n-r other.txt\nDjango==4.2.7 \\\n  --hash=sha256:abc\n# comment\n",
    ),
    (
        "uv-lock",
        "uv.lock",
        "version = 1\n\n[[package]]\nname = \"requests\"\nversion = \"2.31.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
    ),
    (
        "yarn-lock",
        "yarn.lock",
        "# yarn lockfile v1\n\n\"left-pad@^1.3.0\", left-pad@~1.3:\n  version \"1.3.0\"\n  resolved \"https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz\"\n",
    ),
    (
        "yarn-lock",
        "yarn.lock",
        "__metadata:\n  version: 6\n\n\"left-pad@npm:^1.3.0\":\n  version: 1.3.0\n  resolution: \"left-pad@npm:1.3.0\"\n",
    ),
    (
        "os-release",
        "os-release",
        "ID=alpine\nVERSION_ID=3.19.0\nPRETTY_NAME=\"Alpine Linux v3.19\"\n",
    ),
    (
        "distro-release",
        "redhat-release",
        "Red Hat Enterprise Linux release 9.3 (Plow)\n",
    ),
    (
        "dpkg",
        "var/lib/dpkg/info/x.list",
        "/.\n/usr\n/usr/bin/openssl\n",
    ),
    (
        "dockerfile",
        "Dockerfile",
        "FROM ubuntu:latest\nRUN apt-get update && apt-get install curl\nADD . /app\nUSER root\n",
    ),
    (
        "secret",
        "file.txt",
        "password = \"hunter2hunter2\"\nghp_0123456789abcdefghijABCDEFGHIJ012345\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n",
    ),
];

fn analyzer_files(out: &mut Out) {
    // Every analyzer and path at least once, with empty content.
    let all = kensa_fuzz::analyzers();
    for (a, analyzer) in all.iter().enumerate() {
        for w in 0..analyzer.wants().len() {
            let (Ok(a), Ok(w)) = (u8::try_from(a), u8::try_from(w)) else {
                continue;
            };
            out.put("analyzer", &[a, w, 0]);
        }
    }
    for (id, suffix, content) in FILES {
        put_analyzer(out, id, suffix, false, content.as_bytes());
    }
    let deb = contents::dpkg_status(&[
        contents::DebPackage::new("libc6", "2.36-9+deb12u4"),
        contents::DebPackage::new("openssl", "3.0.11-1~deb12u2").source("openssl (3.0.11-1)"),
    ]);
    put_analyzer(out, "dpkg", "var/lib/dpkg/status", false, deb.as_bytes());
    put_analyzer(out, "dpkg", "status.d/x", false, deb.as_bytes());
    let apk =
        contents::apk_installed(&[contents::ApkPackage::new("musl", "1.2.4-r2").origin("musl")]);
    put_analyzer(out, "apk", "installed", false, apk.as_bytes());
    let os = contents::os_release_debian("12", "bookworm");
    put_analyzer(out, "os-release", "os-release", false, os.as_bytes());
    let passwd = contents::passwd(&[("root", 0, 0), ("toor", 0, 0)]);
    for a in kensa_rules::CONTENT_ANALYZERS {
        for w in a.wants() {
            let path = kensa_fuzz::spec_path(w);
            put_analyzer(out, a.id(), &path, false, passwd.as_bytes());
        }
    }
    let headers = rpm_headers();
    put_analyzer(
        out,
        "rpm",
        "Packages",
        false,
        &rpm_bdb::encode::database(&headers, false),
    );
    put_analyzer(
        out,
        "rpm",
        "Packages.db",
        false,
        &rpm_ndb::encode::database(&headers),
    );
    put_analyzer(out, "rpm", "rpmdb.sqlite", false, &sqlite_rpmdb(&headers));
    put_analyzer(out, "go-binary", "", true, &go_elf());
    put_analyzer(out, "cargo-auditable", "", true, &auditable_elf());
    put_analyzer(out, "java-archive", ".jar", false, &jar());
}

fn put_analyzer(out: &mut Out, id: &str, suffix: &str, exec: bool, content: &[u8]) {
    match analyzer_input::encode(id, suffix, exec, content) {
        Some(bytes) => out.put("analyzer", &bytes),
        None => panic!("no analyzer `{id}` wanting `…{suffix}`"),
    }
}

fn rpm_headers() -> Vec<Vec<u8>> {
    vec![
        package("bash", None, "5.1.8", "6.el9"),
        package("openssl-libs", Some(1), "3.0.7", "24.el9"),
        header(&[
            (tag::NAME, Value::Str("legacy")),
            (tag::VERSION, Value::Str("1.0")),
            (tag::RELEASE, Value::Str("1")),
            (tag::LICENSE, Value::I18n("MIT")),
            (tag::OLDFILENAMES, Value::Strs(vec!["/usr/bin/legacy"])),
            (
                tag::MODULARITYLABEL,
                Value::Str("perl:5.30:8030020200124110226:a5e7aa52"),
            ),
        ]),
    ]
}

fn sqlite_rpmdb(headers: &[Vec<u8>]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("rpmdb.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap_or_else(|e| panic!("{e}"));
        conn.execute(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for h in headers {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [h])
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    fs_err::read(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn rpm(out: &mut Out) {
    let headers = rpm_headers();
    for h in &headers {
        out.put("rpm", &[[0].as_slice(), h].concat());
    }
    out.put(
        "rpm",
        &[[1].as_slice(), &rpm_bdb::encode::database(&headers, false)].concat(),
    );
    out.put(
        "rpm",
        &[[1].as_slice(), &rpm_bdb::encode::database(&headers, true)].concat(),
    );
    out.put(
        "rpm",
        &[[2].as_slice(), &rpm_ndb::encode::database(&headers)].concat(),
    );
}

/// An ELF file with these sections (an object file: the analyzers read sections by name).
fn elf(sections: &[(&str, &[u8])]) -> Vec<u8> {
    use object::write::Object;
    use object::{Architecture, BinaryFormat, Endianness, SectionKind};
    let mut obj = Object::new(BinaryFormat::Elf, Architecture::X86_64, Endianness::Little);
    for (name, data) in sections {
        let id = obj.add_section(
            Vec::new(),
            name.as_bytes().to_vec(),
            SectionKind::ReadOnlyData,
        );
        obj.append_section_data(id, data, 8);
    }
    obj.write().unwrap_or_else(|e| panic!("{e}"))
}

const GO_MODINFO: &str = "path\texample.com/shop\nmod\texample.com/shop\tv1.4.0\th1:abc=\ndep\tgithub.com/gorilla/mux\tv1.8.0\th1:def=\ndep\tgolang.org/x/sys\tv0.14.0\th1:ghi=\n=>\t../internal\t\t\nbuild\t-compiler=gc\nbuild\tvcs.revision=0123456789abcdef\n";

fn go_elf() -> Vec<u8> {
    use kensa_pkg::lang::go_binary::encode::{framed, inline_buildinfo};
    let info = inline_buildinfo("go1.21.3", &framed(GO_MODINFO));
    elf(&[(".text", &[0xc3; 16]), (".go.buildinfo", &info)])
}

fn auditable_elf() -> Vec<u8> {
    let json = br#"{"packages":[{"name":"rg","version":"14.1.0","source":"local","dependencies":[1],"root":true},{"name":"regex","version":"1.10.2","source":"crates.io","kind":"build"}]}"#;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(json).unwrap_or_else(|e| panic!("{e}"));
    let z = enc.finish().unwrap_or_else(|e| panic!("{e}"));
    elf(&[(".text", &[0xc3; 16]), (".dep-v0", &z)])
}

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in members {
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file(*name, opts).unwrap_or_else(|e| panic!("{e}"));
        w.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

fn jar() -> Vec<u8> {
    let inner = zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\nImplementation-Title: inner\r\nImplementation-Version: 2.0\r\n"),
        ("META-INF/maven/org.example/inner/pom.properties", b"groupId=org.example\nartifactId=inner\nversion=2.0\n"),
    ]);
    zip_of(&[
        ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\nBundle-SymbolicName: org.example.app\nImplementation-Version: 1.2.3\nSpecification-Vendor: Example\n"),
        ("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties", b"groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=2.14.1\n"),
        ("BOOT-INF/lib/inner-2.0.jar", &inner),
        ("WEB-INF/lib/inner.jar", &inner),
    ])
}

fn binaries(out: &mut Out) {
    out.put("binary", &[[0].as_slice(), &go_elf()].concat());
    out.put("binary", &[[1].as_slice(), &auditable_elf()].concat());
}

fn jars(out: &mut Out) {
    out.put("jar", &[[0].as_slice(), &jar()].concat());
    out.put(
        "jar",
        &[
            [1].as_slice(),
            &zip_of(&[("WEB-INF/web.xml", b"<web-app/>")]),
        ]
        .concat(),
    );
}

fn dockerfiles(out: &mut Out) {
    let files = [
        "# syntax=docker/dockerfile:1\n# hadolint global ignore=DL3059\nARG BASE=debian:12\nFROM ${BASE} AS build\nENV PASSWORD=hunter2 \\\n    PATH=/usr/local/bin:$PATH\nRUN apt-get update && apt-get install -y curl wget \\\n    && rm -rf /var/lib/apt/lists/*\n# hadolint ignore=DL3003\nRUN cd /tmp && curl -sSL https://example.com/x.sh | sh\nCOPY --from=build --chown=app:app /src /app\nWORKDIR app\nEXPOSE 22 80/tcp\nHEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1\nUSER root\nLABEL org.opencontainers.image.version=\"1.0\" maintainer=\"a@b.c\"\nONBUILD RUN echo hi\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nENTRYPOINT [\"/app/run\"]\nCMD run --flag\n",
        "FROM alpine:3.19\nRUN apk add --no-cache curl && pip install requests && npm install -g left-pad && gem install rails && yum install -y httpd && dnf install zypper\nRUN [ \"$x\" = y ] && sudo echo\nRUN <<EOF\nset -e\necho heredoc\nEOF\nCOPY <<-EOT /etc/x\n\thello\nEOT\nADD https://example.com/a.tar.gz /\nMAINTAINER me\nFROM scratch\nCOPY --from=0 / /\n",
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host hi\n",
    ];
    for f in files {
        out.put("dockerfile", f.as_bytes());
    }
}

fn osv(out: &mut Out) {
    let record = json!({
        "schema_version": "1.6.0",
        "id": "DSA-5678-1", "modified": "2024-01-01T00:00:00Z", "published": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2024-0001"], "related": ["CVE-2024-0002"],
        "summary": "openssl: buffer overflow", "details": "Long text.",
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
        "affected": [
            {"package": {"ecosystem": "Debian:12", "name": "openssl"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"}]}],
             "ecosystem_specific": {"urgency": "high"}},
            {"package": {"ecosystem": "PyPI", "name": "requests", "purl": "pkg:pypi/requests"},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"last_affected": "2.31.0"}]},
                        {"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc"}]}],
             "versions": ["2.0", "2.31.0"],
             "severity": [{"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}]},
            {"package": {"ecosystem": "npm", "name": "left-pad"},
             "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"limit": "2.0.0"}]}]},
            {"package": {"ecosystem": "Unknown", "name": "x"}}
        ],
        "references": [{"type": "ADVISORY", "url": "https://example.com/DSA-5678-1"}],
        "database_specific": {"severity": "HIGH"}
    });
    out.put(
        "osv",
        &[[0].as_slice(), record.to_string().as_bytes()].concat(),
    );
    out.put(
        "osv",
        &[
            [0].as_slice(),
            br#"{"id":"GHSA-x","withdrawn":"2024-01-01T00:00:00Z","affected":[]}"#,
        ]
        .concat(),
    );
    let cve = json!({
        "dataType": "CVE_RECORD", "dataVersion": "5.1",
        "cveMetadata": {"cveId": "CVE-2024-0001", "state": "PUBLISHED", "datePublished": "2024-01-02T03:04:05Z"},
        "containers": {
            "cna": {"providerMetadata": {"shortName": "acme"}, "metrics": [
                {"cvssV4_0": {"vectorString": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "baseScore": 9.3}},
                {"cvssV2_0": {"vectorString": "AV:N/AC:L/Au:N/C:P/I:P/A:P", "baseScore": 7.5}},
                {"other": {"type": "unknown", "content": {"value": "Moderate"}}}]},
            "adp": [{"providerMetadata": {"shortName": "CISA-ADP"}, "metrics": [
                {"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8}},
                {"other": {"type": "ssvc", "content": {"options": [{"Exploitation": "poc"}, {"Automatable": "yes"}]}}}]}]
        }
    });
    out.put("osv", &[[0].as_slice(), cve.to_string().as_bytes()].concat());
    let kev = json!({"catalogVersion": "2024.01.01", "vulnerabilities": [
        {"cveID": "CVE-2024-0001", "dateAdded": "2024-01-01", "dueDate": "2024-01-22", "knownRansomwareCampaignUse": "Known"}]});
    out.put("osv", &[[0].as_slice(), kev.to_string().as_bytes()].concat());
    out.put(
        "osv",
        b"\0#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\nCVE-2024-0001,0.00042,0.10000\n",
    );
    let pairs: &[(usize, &str)] = &[
        (0, "1:2.36-9+deb12u4\n2.36~rc1-1"),
        (1, "3.0.7-24.el9\n1:3.0.7-24.el9_3.1"),
        (2, "1.2.4-r2\n1.2.4_rc1-r0"),
        (3, "2.31.0\n2.31.0rc1.post2.dev3+local"),
        (4, "1.0.0-alpha.1+build\n1.0.0"),
        (5, "v1.21.3\nv0.0.0-20231010-abcdef123456"),
        (6, "1.0.0-SNAPSHOT\n1.0-final-2"),
        (7, "3.0.8.pre.1\n3.0.8"),
        (8, "13.0.3-beta.1\n13.0.3.0"),
        (9, "v2.0.0-RC1\n2.0.0-patch1"),
    ];
    for (s, text) in pairs {
        out.put("osv", &[[1, *s as u8].as_slice(), text.as_bytes()].concat());
    }
}

fn suppress(out: &mut Out) {
    let ignore = "- id: CVE-2024-0001\n  reason: not reachable\n  expires: 2030-01-01\n  package: openssl\n  path: var/lib/**\n- id: GHSA-aaaa-bbbb-cccc\n  reason: dev only\n";
    out.put("suppress", &[[0].as_slice(), ignore.as_bytes()].concat());
    let openvex = json!({
        "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex-1",
        "author": "me", "timestamp": "2024-01-01T00:00:00Z", "version": 1,
        "statements": [
            {"vulnerability": {"name": "CVE-2024-0001", "aliases": ["GHSA-xxxx-yyyy-zzzz"]},
             "products": [{"@id": "pkg:deb/debian/openssl@1.0-1?arch=amd64",
                           "subcomponents": [{"@id": "pkg:npm/left-pad@1.0.0"}]}],
             "status": "not_affected", "justification": "vulnerable_code_not_in_execute_path"},
            {"vulnerability": "CVE-2024-0002", "products": ["pkg:deb/debian/zlib"], "status": "fixed"}
        ]
    });
    out.put(
        "suppress",
        &[[1].as_slice(), openvex.to_string().as_bytes()].concat(),
    );
    let cdx = json!({
        "bomFormat": "CycloneDX", "specVersion": "1.5",
        "vulnerabilities": [
            {"id": "CVE-2024-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
             "affects": [{"ref": "pkg:deb/debian/openssl@1.0-1"}]},
            {"id": "GHSA-aaaa-bbbb-cccc", "analysis": {"state": "false_positive"}, "affects": [{"ref": "urn:cdx:x/1#pkg:npm/left-pad@1.0.0"}]}
        ]
    });
    out.put(
        "suppress",
        &[[3].as_slice(), cdx.to_string().as_bytes()].concat(),
    );
}

fn settings(out: &mut Out) {
    let kensa = "dockerfile:\n  ignored: [DL3008]\n  severity_overrides: {DL3007: HIGH, DL3057: LOW}\n  trusted_registries: [docker.io, \"*.corp.example\"]\n  label_schema: {maintainer: email, version: semver}\n  strict_labels: true\nsecret:\n  disable_rules: [generic-password]\n  allow_paths: [\"tests/**\"]\n  allow_regexes: [\"^dev-\"]\n  custom_rules:\n    - {id: acme-token, title: ACME token, severity: HIGH, keywords: [acme_], regex: 'acme_[a-z0-9]{32}', entropy: 3.5, multiline: false, revoke: Rotate it}\n";
    out.put("settings", &[[0].as_slice(), kensa.as_bytes()].concat());
    let hadolint = "ignored:\n  - DL3008\nfailure-threshold: warning\noverride:\n  error: [DL3001]\n  info: [DL3032]\ntrustedRegistries:\n  - docker.io\nlabel-schema:\n  maintainer: email\n  version: semver\nstrict-labels: true\n";
    out.put("settings", &[[1].as_slice(), hadolint.as_bytes()].concat());
}

fn manifests(out: &mut Out) {
    use kensa_fuzz::manifest_input::encode;
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n  annotations: {kensa.io/ignore: KS-MF-003}\nspec:\n  template:\n    metadata:\n      labels: {app: web}\n      annotations: {container.seccomp.security.alpha.kubernetes.io/app: runtime/default}\n    spec:\n      hostNetwork: true\n      securityContext: {runAsNonRoot: true, runAsUser: 0}\n      volumes: [{name: d, hostPath: {path: /var/run/docker.sock}}]\n      containers:\n      - name: app\n        image: registry.example/app:latest\n        env: [{name: AWS_SECRET_ACCESS_KEY, value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY}]\n        ports: [{containerPort: 80, hostPort: 80}]\n        securityContext: {privileged: true, capabilities: {add: [SYS_ADMIN], drop: [NET_RAW]}}\n        resources: {limits: {cpu: 500m}}\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: networking.k8s.io/v1\n  kind: NetworkPolicy\n  metadata: {name: deny, namespace: shop}\n  spec: {podSelector: {}, policyTypes: [Egress]}\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRole\n  metadata: {name: all}\n  rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n- apiVersion: rbac.authorization.k8s.io/v1\n  kind: ClusterRoleBinding\n  metadata: {name: all}\n  roleRef: {kind: ClusterRole, name: all}\n  subjects: [{kind: ServiceAccount, name: default, namespace: shop}]\n";
    out.put("manifest", &encode(1, deployment, &[]));
    let ecs = "{\"family\": \"web\", \"networkMode\": \"awsvpc\", \"pidMode\": \"host\", \"tags\": [{\"key\": \"kensa.io/ignore\", \"value\": \"KS-MF-025\"}], \"containerDefinitions\": [{\"name\": \"app\", \"image\": \"app\", \"user\": \"0\", \"privileged\": true, \"environment\": [{\"name\": \"PASSWORD\", \"value\": \"hunter2hunter2\"}], \"linuxParameters\": {\"capabilities\": {\"add\": [\"NET_ADMIN\"]}}, \"dockerSecurityOptions\": [\"seccomp:unconfined\"]}]}";
    out.put("manifest", &encode(0, ecs, &[]));
    let cfn = "AWSTemplateFormatVersion: '2010-09-09'\nParameters: {Tag: {Type: String}}\nResources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      Cpu: !If [Big, '1024', '256']\n      ContainerDefinitions:\n        - Name: app\n          Image: !Sub '${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com/app:${Tag}'\n          User: !Ref AppUser\n          ReadonlyRootFilesystem: true\n          Secrets: [{Name: DB, ValueFrom: !GetAtt Db.Arn}]\n";
    out.put("manifest", &encode(0, cfn, &[]));
    let compose = "x-base: &base\n  read_only: true\n  cap_drop: [ALL]\nx-kensa-ignore: {KS-MF-028: dev}\nservices:\n  web:\n    <<: *base\n    extends: {file: f1.yaml, service: base}\n    image: app:${TAG:-latest}\n    environment: [MODE=dev]\n    volumes: [\"/:/host:ro\"]\n    privileged: !reset null\n  worker:\n    extends: web\n    network_mode: host\n    profiles: [jobs]\nnetworks:\n  back: {internal: true}\n";
    let common = "services:\n  base:\n    extends: {file: ../deploy/f2.yaml, service: root}\n    user: \"10001\"\n    command: [serve]\n    environment: {MODE: prod, LOG: info}\n    security_opt: [\"no-new-privileges:true\", \"seccomp:unconfined\"]\n    deploy: {resources: {limits: {memory: 64M, cpus: '0.5'}}}\n";
    let root = "services:\n  root:\n    privileged: true\n    cap_add: [SYS_ADMIN]\n    pid: host\n";
    out.put("manifest", &encode(1, compose, &[common, root]));
    let cycle = "services:\n  a:\n    extends: {file: f1.yaml, service: b}\n";
    out.put("manifest", &encode(0, cycle, &["services:\n  b:\n    extends: {file: m.yaml, service: a}\n"]));
}

fn malware(out: &mut Out) {
    let ndb = "Pat.Wild:0:*:4142??43{2-4}44*45(46|47)!(48|49)4a\nPat.Eof:0:EOF-10,4:deadbeef\nPat.Ep:1:EP+0:4d5a\nPat.Text:7:*:6576696c\n";
    out.put("malware", &[[4].as_slice(), ndb.as_bytes()].concat());
    let ldb = "Log.Count;Engine:51-255,Target:0,FileSize:10-100000;((0|1)&2)=2,3;4142;4344::wi;45{-4}46\n";
    out.put("malware", &[[5].as_slice(), ldb.as_bytes()].concat());
    let hdb = "44d88612fea8a8f36de82e1278abb02f:68:Eicar.Md5\n275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f:*:Eicar.Sha256:73\n";
    out.put("malware", &[[0].as_slice(), hdb.as_bytes()].concat());
    out.put("malware", &[[8].as_slice(), b"fixed.ndb:Pat.Ep\nPat.Text\n".as_slice()].concat());
    // Files for the fixed database: a zip holding a gzip, and a bare tar.
    let mut zip = Vec::new();
    {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(&mut zip));
        let opts = zip::write::SimpleFileOptions::default();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, b"xxABzzCD--ABCD").unwrap_or_else(|e| panic!("{e}"));
        let gz = gz.finish().unwrap_or_else(|e| panic!("{e}"));
        w.start_file("inner.gz", opts).unwrap_or_else(|e| panic!("{e}"));
        std::io::Write::write_all(&mut w, &gz).unwrap_or_else(|e| panic!("{e}"));
        w.finish().unwrap_or_else(|e| panic!("{e}"));
    }
    out.put("malware", &[[0x80].as_slice(), &zip].concat());
    let tar = tar_bytes(&Layer::new(vec![Entry::file("a.txt", b"abc-xyz ABxxCD".to_vec())]));
    out.put("malware", &[[0x81].as_slice(), &tar].concat());
}
