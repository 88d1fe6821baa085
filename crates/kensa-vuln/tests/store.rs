//! Build, open and match over small OSV fixtures written in code.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::Path;

use kensa_core::package::SourcePackage;
use kensa_core::{Ecosystem, Location, NoteLevel, OsInfo, Package, Severity};
use kensa_vuln::{DB_FILE, DbBuilder, VulnDb, VulnError};

const RECORDS: &[(&str, &str)] = &[
    (
        "PYSEC-2099-1.json",
        r#"{"id": "PYSEC-2099-1", "aliases": ["CVE-2099-0001"],
            "details": "Foo.Bar lets a crafted header through.",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "Foo.Bar"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.5"}]}]}],
            "references": [{"type": "ADVISORY", "url": "https://example.invalid/pysec"}]}"#,
    ),
    (
        "GHSA-aaaa-bbbb-cccc.json",
        r#"{"id": "GHSA-aaaa-bbbb-cccc", "aliases": ["CVE-2099-0001"], "summary": "Header injection in foo-bar",
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected": [{"package": {"ecosystem": "PyPI", "name": "foo_bar"},
              "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"last_affected": "1.4.9"}]}]}],
            "references": [{"type": "WEB", "url": "https://example.invalid/ghsa"}]}"#,
    ),
    (
        "PYSEC-2099-2.json",
        r#"{"id": "PYSEC-2099-2", "withdrawn": "2099-02-01T00:00:00Z",
            "affected": [{"package": {"ecosystem": "PyPI", "name": "foo-bar"}, "versions": ["1.0"]}]}"#,
    ),
    (
        "PYSEC-2099-3.json",
        r#"{"id": "PYSEC-2099-3", "summary": "Listed versions only",
            "database_specific": {"severity": "MODERATE"},
            "affected": [{"package": {"ecosystem": "PyPI", "name": "listed"}, "versions": ["0.9", "1.0"]}]}"#,
    ),
    (
        "PYSEC-2099-4.json",
        r#"{"id": "PYSEC-2099-4", "affected": [{"package": {"ecosystem": "PyPI", "name": "gitonly"},
            "ranges": [{"type": "GIT", "repo": "https://example.invalid/r", "events": [{"introduced": "0"}, {"fixed": "abcdef"}]}]}]}"#,
    ),
    (
        "DSA-9999-1.json",
        r#"{"id": "DSA-9999-1", "summary": "curl - security update", "related": ["CVE-2099-1000", "CVE-2099-1001"],
            "affected": [
              {"package": {"ecosystem": "Debian:12", "name": "curl"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "7.88.1-10+deb12u5"}]}]},
              {"package": {"ecosystem": "Debian:11", "name": "curl"},
               "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "7.74.0-1.3+deb11u10"}]}]}]}"#,
    ),
    (
        "RUSTSEC-2099-0001.json",
        r#"{"id": "RUSTSEC-2099-0001", "summary": "Limited range",
            "affected": [{"package": {"ecosystem": "crates.io", "name": "limited"},
              "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"limit": "2.0.0"}]}]}]}"#,
    ),
    (
        "RUSTSEC-2099-0002.json",
        r#"{"id": "RUSTSEC-2099-0002", "affected": [{"package": {"ecosystem": "crates.io", "name": "x"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0.0.0-0"}, {"fixed": "one.two"}]}]}]}"#,
    ),
    ("broken.json", r#"{"id": "BROKEN-1", "affected": "#),
];

fn write_fixtures(dir: &Path) {
    for (name, body) in RECORDS {
        fs_err::write(dir.join(name), body).unwrap();
    }
}

fn build(records: &Path, db_dir: &Path) -> kensa_vuln::BuildSummary {
    let mut b = DbBuilder::new();
    b.add_path(records).unwrap();
    b.build(db_dir).unwrap()
}

fn pkg(ecosystem: Ecosystem, name: &str, version: &str) -> Package {
    Package {
        dev: false,
        relationship: None,
        ecosystem,
        name: name.into(),
        version: version.into(),
        purl: None,
        arch: None,
        source: None,
        licenses: vec![],
        direct: None,
        found_by: "test".into(),
        location: Location::path("app/requirements.txt"),
        files: vec![],
    }
}

fn debian(version: &str) -> OsInfo {
    OsInfo {
        family: "debian".into(),
        version: version.into(),
        codename: None,
        pretty_name: None,
    }
}

fn fixture_db() -> (tempfile::TempDir, VulnDb, kensa_vuln::BuildSummary) {
    let tmp = tempfile::tempdir().unwrap();
    let records = tmp.path().join("records");
    fs_err::create_dir_all(&records).unwrap();
    write_fixtures(&records);
    let summary = build(&records, &tmp.path().join("db"));
    let db = VulnDb::open(&tmp.path().join("db")).unwrap();
    (tmp, db, summary)
}

#[test]
fn import_counts_every_kind_of_skip() {
    let (_tmp, db, summary) = fixture_db();
    let s = &summary.info.stats;
    assert_eq!(s.read, 9);
    assert_eq!(s.imported, 6);
    assert_eq!(s.withdrawn, 1);
    assert_eq!(s.malformed_records, 1);
    assert_eq!(s.git_ranges, 1);
    // `one.two` is no SemVer version: its range is kept (and reported), so that `x` is
    // unverifiable for RUSTSEC-2099-0002 rather than never checked.
    assert_eq!(s.malformed_entries, 0);
    assert_eq!(s.unreadable_versions, 1);
    // The GIT-only record.
    assert_eq!(s.nothing_to_match, 1);
    let issues: Vec<String> = summary
        .issues
        .iter()
        .map(|i| {
            let s = i.to_string();
            s.rsplit_once('/').map_or(s.clone(), |(_, f)| f.to_owned())
        })
        .collect();
    assert_eq!(issues.len(), 2);
    assert!(issues[0].starts_with("RUSTSEC-2099-0002.json: record `RUSTSEC-2099-0002`: field `affected[0].ranges[0].events[1].fixed`: `one.two` is not a valid SemVer version"), "{}", issues[0]);
    assert!(
        issues[0].ends_with("kept: packages this range may cover are reported as unverifiable"),
        "{}",
        issues[0]
    );
    assert!(
        issues[1].starts_with("broken.json: EOF while parsing"),
        "{}",
        issues[1]
    );
    let records: Vec<(&str, u64)> = db
        .info()
        .records
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(records, [("Debian", 1), ("PyPI", 3), ("crates.io", 2)]);
    let r = db.match_packages(&[pkg(Ecosystem::Cargo, "x", "0.1.0")], None);
    assert!(r.findings.is_empty());
    assert!(
        r.notes.iter().any(|n| n.message.contains(
            "cannot compare with advisory `RUSTSEC-2099-0002`: `one.two` is not a valid SemVer version: the advisory's `fixed` version is unreadable"
        )),
        "{:?}",
        r.notes
    );
    assert_eq!(
        db.ecosystems(),
        ["Debian:11", "Debian:12", "PyPI", "crates.io"]
    );
    assert_eq!(db.info().schema_version, kensa_vuln::SCHEMA_VERSION);
}

#[test]
fn aliases_merge_into_one_finding_with_the_strongest_rating() {
    let (_tmp, db, _) = fixture_db();
    let r = db.match_packages(&[pkg(Ecosystem::Pypi, "FOO_bar", "1.2")], None);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.findings.len(), 1);
    let f = &r.findings[0];
    assert_eq!(f.id, "GHSA-aaaa-bbbb-cccc");
    assert_eq!(f.aliases, ["CVE-2099-0001", "PYSEC-2099-1"]);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.cvss.as_ref().unwrap().score, 9.8);
    assert_eq!(f.fixed_versions, ["1.5"]);
    assert_eq!(f.title, "Header injection in foo-bar");
    assert_eq!(
        f.references,
        [
            "https://example.invalid/ghsa",
            "https://example.invalid/pysec"
        ]
    );
    // 1.4.9 < 1.4.10 < 1.5: only the PYSEC range (fixed 1.5) still covers it.
    let r = db.match_packages(&[pkg(Ecosystem::Pypi, "foo-bar", "1.4.10")], None);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].id, "PYSEC-2099-1");
    assert_eq!(r.findings[0].aliases, ["CVE-2099-0001"]);
    assert_eq!(r.findings[0].severity, Severity::Unknown);
    assert_eq!(
        r.findings[0].title,
        "Foo.Bar lets a crafted header through."
    );
    assert!(
        db.match_packages(&[pkg(Ecosystem::Pypi, "foo-bar", "1.5")], None)
            .findings
            .is_empty()
    );
}

#[test]
fn versions_lists_match_by_value_and_limit_cuts_ranges() {
    let (_tmp, db, _) = fixture_db();
    let found = |eco, name, v| {
        db.match_packages(&[pkg(eco, name, v)], None)
            .findings
            .into_iter()
            .map(|f| (f.id, f.severity, f.fixed_versions))
            .collect::<Vec<_>>()
    };
    let listed = vec![("PYSEC-2099-3".to_owned(), Severity::Medium, vec![])];
    assert_eq!(found(Ecosystem::Pypi, "listed", "1.0"), listed);
    assert_eq!(found(Ecosystem::Pypi, "listed", "1.0.0"), listed);
    assert!(found(Ecosystem::Pypi, "listed", "1.1").is_empty());
    assert_eq!(found(Ecosystem::Cargo, "limited", "1.9.9").len(), 1);
    assert!(found(Ecosystem::Cargo, "limited", "2.0.0").is_empty());
    assert!(found(Ecosystem::Cargo, "limited", "0.9.0").is_empty());
}

#[test]
fn debian_matches_by_source_and_release() {
    let (_tmp, db, _) = fixture_db();
    let mut libcurl = pkg(Ecosystem::Deb, "libcurl4", "7.88.1-10+deb12u4");
    libcurl.source = Some(SourcePackage {
        name: "curl".into(),
        version: None,
    });
    libcurl.location = Location::path("var/lib/dpkg/status");
    let r = db.match_packages(std::slice::from_ref(&libcurl), Some(&debian("12.5")));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    assert_eq!(r.findings.len(), 1);
    insta::assert_json_snapshot!("debian_finding", r.findings[0].clone().into_finding());
    // On Debian 11 the same version is past that release's fix.
    assert!(
        db.match_packages(std::slice::from_ref(&libcurl), Some(&debian("11")))
            .findings
            .is_empty()
    );
}

#[test]
fn what_cannot_be_checked_is_a_note() {
    let (_tmp, db, _) = fixture_db();
    let mut bad = pkg(Ecosystem::Deb, "curl", "not a version");
    bad.location = Location::path("var/lib/dpkg/status");
    let packages = [
        pkg(Ecosystem::Deb, "curl", "7.0-1"),
        pkg(Ecosystem::Deb, "zlib1g", "1.0-1"),
        pkg(Ecosystem::Npm, "left-pad", "1.0.0"),
    ];
    let r = db.match_packages(&packages, None);
    assert!(r.findings.is_empty());
    let messages: Vec<_> = r
        .notes
        .iter()
        .map(|n| (n.level, n.message.clone()))
        .collect();
    assert_eq!(
        messages,
        [
            (
                NoteLevel::Warning,
                "2 package(s) not checked for vulnerabilities (e.g. `curl@7.0-1`): the OS release of these deb packages is unknown".to_owned()
            ),
            (
                NoteLevel::Warning,
                "1 package(s) not checked for vulnerabilities (e.g. `left-pad@1.0.0`): the vulnerability database has no npm advisories".to_owned()
            ),
        ]
    );
    let r = db.match_packages(&packages[..1], Some(&debian("13")));
    assert_eq!(
        r.notes[0].message,
        "1 package(s) not checked for vulnerabilities (e.g. `curl@7.0-1`): the vulnerability database has no advisories for Debian:13"
    );
    let r = db.match_packages(&[bad], Some(&debian("12")));
    assert!(r.findings.is_empty());
    assert_eq!(r.notes.len(), 1);
    assert_eq!(
        r.notes[0].location.path.as_deref(),
        Some("var/lib/dpkg/status")
    );
    assert!(
        r.notes[0].message.starts_with(
            "unverifiable: `curl` version `not a version` could not be checked as a Debian version"
        ),
        "{}",
        r.notes[0].message
    );
}

#[test]
fn rebuild_replaces_atomically_and_leftovers_do_not_matter() {
    let tmp = tempfile::tempdir().unwrap();
    let db_dir = tmp.path().join("db");
    let records = tmp.path().join("records");
    fs_err::create_dir_all(&records).unwrap();
    fs_err::write(records.join("a.json"), RECORDS[5].1).unwrap();
    build(&records, &db_dir);
    // An interrupted build leaves a temp file behind; the database still opens and serves.
    fs_err::write(db_dir.join(".advisories-XXXX.redb.tmp"), b"half written").unwrap();
    let old = VulnDb::open(&db_dir).unwrap();
    assert_eq!(old.info().stats.imported, 1);
    write_fixtures(&records);
    build(&records, &db_dir);
    let new = VulnDb::open(&db_dir).unwrap();
    assert_eq!(new.info().stats.imported, 6);
    let files: Vec<String> = fs_err::read_dir(&db_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".advisories-XXXX.redb.tmp")
        .collect();
    assert_eq!(files, [DB_FILE]);
}

#[test]
fn missing_and_foreign_databases_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let e = VulnDb::open(tmp.path()).unwrap_err();
    assert!(matches!(e, VulnError::NoDatabase { .. }));
    assert!(e.to_string().contains("kensa db import"), "{e}");
    // A database from a future kensa, one from before CVE enrichment (schema 2) and one from
    // before unreadable range versions were kept (schema 3): the schema message with the
    // rebuild hint, not a decoding error.
    for found in [99, 2, 3] {
        {
            let db = redb::Database::create(tmp.path().join(DB_FILE)).unwrap();
            let txn = db.begin_write().unwrap();
            {
                let def: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
                let mut t = txn.open_table(def).unwrap();
                let info = format!(r#"{{"schema_version": {found}}}"#);
                t.insert("info", info.as_bytes()).unwrap();
            }
            txn.commit().unwrap();
        }
        let e = VulnDb::open(tmp.path()).unwrap_err();
        assert!(
            matches!(e, VulnError::SchemaMismatch { found: f, expected: 4, .. } if f == found),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("rebuild it with `kensa db update` or `kensa db import PATH`"),
            "{e}"
        );
    }
    fs_err::write(tmp.path().join(DB_FILE), b"not a database").unwrap();
    assert!(matches!(
        VulnDb::open(tmp.path()).unwrap_err(),
        VulnError::Store { .. }
    ));
}

#[test]
fn zip_archives_import_like_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let zip_path = tmp.path().join("all.zip");
    {
        let mut w = zip::ZipWriter::new(fs_err::File::create(&zip_path).unwrap());
        for (name, body) in RECORDS {
            w.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut w, body.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    let summary = build(&zip_path, &tmp.path().join("db"));
    assert_eq!(summary.info.stats.imported, 6);
    assert_eq!(summary.info.stats.read, 9);
    assert!(
        summary
            .issues
            .iter()
            .any(|i| i.source.ends_with("all.zip!broken.json"))
    );
}
