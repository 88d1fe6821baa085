//! The content rules' `wants()` reach their files through the real layer walker, and
//! only those files.

use kensa_image::{WalkOptions, Walker};
use kensa_rules::CONTENT_ANALYZERS;

#[test]
fn the_walker_routes_account_and_credential_files_to_content_rules() {
    let root = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let full = root.path().join(path);
        fs_err::create_dir_all(full.parent().unwrap()).unwrap();
        fs_err::write(full, text).unwrap();
    };
    write(
        "etc/passwd",
        "root:x:0:0::/root:/bin/sh\ntoor:x:0:0::/root:/bin/sh\n",
    );
    write("etc/shadow", "root:*:19000::::::\ntoor::19000::::::\n");
    write("etc/group", "root:x:0:\n");
    write(
        "app/.npmrc",
        "//npm.example.com/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789\n",
    );
    write(
        "app/tls.key",
        "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n",
    );
    // Same names in the wrong places, and a certificate: nothing to report.
    write("usr/share/base-files/etc/shadow", "x::1::::::\n");
    write("app/tls.crt", "-----BEGIN EC PRIVATE KEY-----\n");

    let walker = Walker::new(CONTENT_ANALYZERS, WalkOptions::default()).unwrap();
    let scan = walker.walk_dir(root.path(), &[]).unwrap();
    let mut found: Vec<(String, String, Option<u32>)> = scan
        .outputs
        .values()
        .flat_map(|o| &o.findings)
        .map(|f| {
            (
                f.id.clone(),
                f.location.path.clone().unwrap(),
                f.location.line,
            )
        })
        .collect();
    found.sort();
    let expected = [
        ("KS-IMG-015", "etc/shadow", Some(2)),
        ("KS-IMG-016", "etc/passwd", Some(2)),
        ("KS-IMG-017", "app/.npmrc", Some(1)),
        ("KS-IMG-018", "app/tls.key", Some(1)),
    ]
    .map(|(id, path, line)| (id.to_owned(), path.to_owned(), line));
    assert_eq!(found, expected);
    let notes: Vec<_> = scan.outputs.values().flat_map(|o| &o.notes).collect();
    assert!(notes.is_empty(), "{notes:?}");
}
