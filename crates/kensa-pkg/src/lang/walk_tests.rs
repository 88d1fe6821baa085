//! The language analyzers reach their files through the real layer walker, and only
//! those files: one source tree with an example of every format goes through
//! `kensa_image::Walker` with the crate's whole registry.

use kensa_image::{WalkOptions, Walker};

use super::go_binary::encode::{framed, inline_buildinfo};
use super::java_archive::tests::{jar, pom};
use super::testing::elf;

#[test]
fn the_walker_routes_every_format_to_its_analyzer() {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, content: &[u8]| {
        let full = root.path().join(path);
        fs_err::create_dir_all(full.parent().unwrap()).unwrap();
        fs_err::write(full, content).unwrap();
    };
    let go_section = inline_buildinfo(
        "go1.22.5",
        &framed(
            "path\tsrv\nmod\texample.com/srv\t(devel)\t\ndep\tgithub.com/google/uuid\tv1.6.0\th1:x=\n",
        ),
    );
    write(
        "usr/local/bin/srv",
        &elf(&[(".go.buildinfo", 0x1000, &go_section)], true, false),
    );
    // The same binary without an execute bit is not a program the image runs.
    write(
        "usr/share/doc/srv.elf",
        &elf(&[(".go.buildinfo", 0x1000, &go_section)], true, false),
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let bin = root.path().join("usr/local/bin/srv");
        fs_err::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(
        "usr/bin/true",
        &elf(&[(".text", 0x1000, &[0xc3])], true, false),
    );
    write(
        "opt/app/lib/guava.jar",
        &jar(&[(
            "META-INF/maven/com.google.guava/guava/pom.properties",
            &pom("com.google.guava", "guava", "33.0.0-jre"),
        )]),
    );
    write(
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
        b"Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\nLicense: MIT\n",
    );
    write("app/requirements.txt", b"flask==3.0.0\nclick>=8\n");
    write(
        "app/poetry.lock",
        b"[[package]]\nname = \"idna\"\nversion = \"3.6\"\n",
    );
    write(
        "app/node_modules/@babel/core/package.json",
        br#"{"name": "@babel/core", "version": "7.24.0"}"#,
    );
    // Not a package root: a sub-path marker inside a package.
    write(
        "app/node_modules/@babel/core/lib/package.json",
        br#"{"name": "inner", "version": "9.9.9"}"#,
    );
    write(
        "app/package-lock.json",
        br#"{"lockfileVersion": 3, "packages": {"": {"dependencies": {"@babel/core": "^7"}}, "node_modules/@babel/core": {"version": "7.24.0"}}}"#,
    );
    write(
        "web/yarn.lock",
        b"# yarn lockfile v1\n\nms@^2.1.3:\n  version \"2.1.3\"\n",
    );
    write(
        "web/pnpm-lock.yaml",
        b"lockfileVersion: '9.0'\npackages:\n  ms@2.1.3:\n    resolution: {integrity: x}\n",
    );
    write(
        "srv/go.mod",
        b"module example.com/srv\n\nrequire github.com/google/uuid v1.6.0\n",
    );
    write(
        "rs/Cargo.lock",
        b"version = 4\n\n[[package]]\nname = \"rs\"\nversion = \"0.1.0\"\ndependencies = [\"libc\"]\n\n[[package]]\nname = \"libc\"\nversion = \"0.2.155\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    );
    write(
        "usr/local/bundle/specifications/rake-13.2.1.gemspec",
        b"# stub: rake 13.2.1 ruby lib\n",
    );
    write("rb/Gemfile.lock", b"GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.2.1)\n\nDEPENDENCIES\n  rake\n");
    write(
        "php/composer.lock",
        br#"{"packages": [{"name": "psr/log", "version": "3.0.0"}]}"#,
    );
    write(
        "php/vendor/composer/installed.json",
        br#"{"packages": [{"name": "psr/log", "version": "3.0.0"}]}"#,
    );
    write(
        "dotnet/App.deps.json",
        br#"{"libraries": {"App/1.0.0": {"type": "project"}, "Serilog/3.1.1": {"type": "package"}}}"#,
    );
    write(
        "dotnet/packages.lock.json",
        br#"{"version": 1, "dependencies": {"net8.0": {"Serilog": {"type": "Direct", "resolved": "3.1.1"}}}}"#,
    );
    write("etc/hostname", b"box\n");

    let walker = Walker::new(crate::ANALYZERS, WalkOptions::default()).unwrap();
    let scan = walker.walk_dir(root.path(), &[]).unwrap();
    let mut found: Vec<String> = scan
        .outputs
        .values()
        .flat_map(|o| &o.packages)
        .map(|p| {
            format!(
                "{} {} {} {} direct={:?} {}",
                p.found_by,
                p.location.path.as_deref().unwrap_or_default(),
                p.name,
                p.version,
                p.direct,
                p.purl.as_deref().unwrap_or_default(),
            )
        })
        .collect();
    found.sort();
    insta::assert_snapshot!("walker_routes_every_format", found.join("\n"));
    let notes: Vec<_> = scan.outputs.values().flat_map(|o| &o.notes).collect();
    assert!(notes.is_empty(), "{notes:?}");
}
