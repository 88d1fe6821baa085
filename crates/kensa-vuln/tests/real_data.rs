//! Imports the real OSV archives in `../shared/data/advisories` and checks counts and known
//! findings. Skipped (with a message) when the data is absent.
#![allow(clippy::unwrap_used, reason = "test code")]
#![allow(clippy::print_stderr, reason = "the skip message must be visible")]

use std::path::PathBuf;
use std::sync::OnceLock;

use kensa_core::{Ecosystem, Location, OsInfo, Package, Severity, package::SourcePackage};
use kensa_vuln::{BuildSummary, DbBuilder, VulnDb};

/// `../shared/data` beside the checkout; a worktree under `wt/` sits one level deeper.
fn data_dir() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let beside = here.join("../../../shared/data/advisories/osv");
    let deeper = here.join("../../../../shared/data/advisories/osv");
    if !beside.is_dir() && deeper.is_dir() {
        deeper
    } else {
        beside
    }
}

struct Built {
    _dir: tempfile::TempDir,
    summary: BuildSummary,
    db: VulnDb,
}

fn built() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let osv = data_dir();
            if !osv.is_dir() {
                eprintln!("skipped: {} is absent", osv.display());
                return None;
            }
            let mut b = DbBuilder::new();
            for eco in ["Alpine", "Debian", "Go", "PyPI", "crates.io"] {
                b.add_path(&osv.join(eco).join("all.zip")).unwrap();
            }
            let dir = tempfile::tempdir().unwrap();
            let summary = b.build(dir.path()).unwrap();
            let db = VulnDb::open(dir.path()).unwrap();
            Some(Built {
                _dir: dir,
                summary,
                db,
            })
        })
        .as_ref()
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
        location: Location::path("some/db"),
        files: vec![],
    }
}

fn with_source(mut p: Package, name: &str, version: Option<&str>) -> Package {
    p.source = Some(SourcePackage {
        name: name.into(),
        version: version.map(Into::into),
    });
    p
}

fn os(family: &str, version: &str) -> OsInfo {
    OsInfo {
        family: family.into(),
        version: version.into(),
        codename: None,
        pretty_name: None,
    }
}

fn ids(db: &VulnDb, p: Package, os: Option<&OsInfo>) -> Vec<String> {
    let r = db.match_packages(&[p], os);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    r.findings.into_iter().map(|f| f.id).collect()
}

#[test]
fn record_counts_per_ecosystem_match_the_readme() {
    let Some(b) = built() else { return };
    let info = &b.summary.info;
    let s = &info.stats;
    // README: PyPI 2,661, Go 4,291, crates.io 1,206, Debian 8,441, Alpine 2,473.
    assert_eq!(s.read, 2661 + 4291 + 1206 + 8441 + 2473);
    // Withdrawn: PyPI 10, Go 17, crates.io 13 (counted from the records' `withdrawn`).
    assert_eq!(s.withdrawn, 10 + 17 + 13);
    assert_eq!(s.malformed_records, 0);
    assert_eq!(s.duplicates, 0);
    assert_eq!(s.unsupported_ecosystem, 0);
    // PyPI's GIT ranges (the README's PyPI records carry 1,391 of them).
    assert_eq!(s.git_ranges, 1391);
    // Alpine secdb typos such as `1.7.5.-r1` and `10.2.22.r0` (44 of them) are kept and
    // ordered as apk-tools orders them. PyPI's `2019-09-12` and `0.2.0-n653` have no fallback:
    // their ranges are kept and reported with record id and field, and the packages they may
    // cover become unverifiable. No record is left with nothing to match.
    assert_eq!(s.malformed_entries, 0);
    assert_eq!(s.unreadable_versions, 2);
    assert_eq!(b.summary.issues.len(), 2);
    assert!(b.summary.issues.iter().any(|i| i.to_string().contains(
        "PYSEC-2019-125.json: record `PYSEC-2019-125`: field `affected[0].ranges[0].events[1].fixed`: \
         `2019-09-12` is not a valid PEP 440 version: after parsing `2019-09`, found `-12`, which is not part of a valid version; \
         kept: packages this range may cover are reported as unverifiable"
    )));
    assert_eq!(s.nothing_to_match, 0);
    let counts: Vec<(&str, u64)> = info.records.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    assert_eq!(
        counts,
        [
            ("Alpine", 2473),
            ("Debian", 8441),
            ("Go", 4291 - 17),
            ("PyPI", 2661 - 10),
            ("crates.io", 1206 - 13),
        ]
    );
    assert_eq!(s.imported, counts.iter().map(|(_, n)| n).sum::<u64>());
}

#[test]
fn debian_11_source_package_before_dsa_fix_matches() {
    let Some(b) = built() else { return };
    let bullseye = os("debian", "11");
    // libssl1.1 is built from openssl; DSA-5103-1 fixed it in 1.1.1k-1+deb11u2.
    let p = with_source(
        pkg(Ecosystem::Deb, "libssl1.1", "1.1.1k-1+deb11u1"),
        "openssl",
        None,
    );
    let r = b.db.match_packages(&[p], Some(&bullseye));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let dsa = r.findings.iter().find(|f| f.id == "DSA-5103-1").unwrap();
    assert_eq!(dsa.source_package.as_deref(), Some("openssl"));
    assert_eq!(dsa.ecosystem, "Debian:11");
    assert_eq!(dsa.fixed_versions, ["1.1.1k-1+deb11u2"]);
    assert_eq!(dsa.related, ["CVE-2021-4160", "CVE-2022-0778"]);
    assert_eq!(dsa.severity, Severity::Unknown);
    let f = dsa.clone().into_finding();
    assert_eq!(
        f.remediation,
        "Upgrade libssl1.1 (source package openssl) to 1.1.1k-1+deb11u2 or later"
    );
    // The fixed version itself, and the Debian 10 fix applied to Debian 11, do not match.
    let fixed = with_source(
        pkg(Ecosystem::Deb, "libssl1.1", "1.1.1k-1+deb11u2"),
        "openssl",
        None,
    );
    assert!(!ids(&b.db, fixed, Some(&bullseye)).contains(&"DSA-5103-1".to_owned()));
}

#[test]
fn pypi_requests_2_19_0_matches_pysec_2018_28() {
    let Some(b) = built() else { return };
    let found =
        b.db.match_packages(&[pkg(Ecosystem::Pypi, "Requests", "2.19.0")], None);
    let ids: Vec<&str> = found.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["PYSEC-2018-28", "PYSEC-2023-74"]);
    let f = &found.findings[0];
    assert_eq!(f.aliases, ["CVE-2018-18074", "GHSA-x84v-xcm2-53pg"]);
    assert_eq!(f.fixed_versions, ["2.20.0"]);
    assert!(
        ids_of(b, Ecosystem::Pypi, "requests", "2.20.0")
            .iter()
            .all(|i| i != "PYSEC-2018-28")
    );
}

fn ids_of(b: &Built, eco: Ecosystem, name: &str, version: &str) -> Vec<String> {
    ids(&b.db, pkg(eco, name, version), None)
}

#[test]
fn alpine_v3_10_origin_package_matches() {
    let Some(b) = built() else { return };
    let alpine = os("alpine", "3.10.2");
    // musl-utils comes from the musl origin; CVE-2019-14697 was fixed in 1.1.22-r3.
    let p = with_source(pkg(Ecosystem::Apk, "musl-utils", "1.1.22-r2"), "musl", None);
    assert_eq!(ids(&b.db, p, Some(&alpine)), ["ALPINE-CVE-2019-14697"]);
    let p = with_source(pkg(Ecosystem::Apk, "musl-utils", "1.1.22-r3"), "musl", None);
    assert!(ids(&b.db, p, Some(&alpine)).is_empty());
}

/// ALPINE-CVE-2016-7945 fixes libxi in `1.7.5.-r1`, a version apk would never install: the
/// record used to be dropped, losing the finding Trivy reports.
#[test]
fn alpine_fix_in_a_version_apk_rejects_still_matches() {
    let Some(b) = built() else { return };
    let alpine = os("alpine", "3.3.3");
    let found = ids(
        &b.db,
        pkg(Ecosystem::Apk, "libxi", "1.7.5-r0"),
        Some(&alpine),
    );
    assert!(
        found.contains(&"ALPINE-CVE-2016-7945".to_owned()),
        "{found:?}"
    );
    let found = ids(
        &b.db,
        pkg(Ecosystem::Apk, "libxi", "1.7.6-r0"),
        Some(&alpine),
    );
    assert!(
        !found.contains(&"ALPINE-CVE-2016-7945".to_owned()),
        "{found:?}"
    );
}

/// A range whose fixed version PEP 440 rejects makes the package unverifiable for that
/// advisory: a note naming it, never a silent pass.
#[test]
fn pypi_range_with_an_unreadable_fix_is_unverifiable_not_clean() {
    let Some(b) = built() else { return };
    let adv = load_record("PyPI", "PYSEC-2019-125.json");
    let name = adv["affected"][0]["package"]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    let r =
        b.db.match_packages(&[pkg(Ecosystem::Pypi, &name, "0.0.1")], None);
    assert!(
        r.notes.iter().any(|n| n
            .message
            .contains("cannot compare with advisory `PYSEC-2019-125`")
            && n.message.contains("`fixed` version is unreadable")),
        "{:?}",
        r.notes
    );
}

fn load_record(eco: &str, file: &str) -> serde_json::Value {
    let zip = fs_err::File::open(data_dir().join(eco).join("all.zip")).unwrap();
    let mut zip = zip::ZipArchive::new(zip).unwrap();
    let entry = zip.by_name(file).unwrap();
    serde_json::from_reader(entry).unwrap()
}

#[test]
fn rustsec_crate_matches_with_cvss() {
    let Some(b) = built() else { return };
    let r =
        b.db.match_packages(&[pkg(Ecosystem::Cargo, "smallvec", "0.6.9")], None);
    let f = r
        .findings
        .iter()
        .find(|f| f.id == "RUSTSEC-2019-0009")
        .unwrap();
    assert_eq!(f.fixed_versions, ["0.6.10"]);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.cvss.as_ref().unwrap().score, 9.8);
    assert_eq!(
        f.title,
        "Double-free and use-after-free in SmallVec::grow()"
    );
    assert!(
        ids_of(b, Ecosystem::Cargo, "smallvec", "0.6.4")
            .iter()
            .all(|i| i != "RUSTSEC-2019-0009")
    );
}

#[test]
fn go_module_and_stdlib_match() {
    let Some(b) = built() else { return };
    assert!(
        ids_of(b, Ecosystem::Go, "github.com/gin-gonic/gin", "v1.5.0")
            .contains(&"GO-2020-0001".to_owned())
    );
    assert!(
        !ids_of(b, Ecosystem::Go, "github.com/gin-gonic/gin", "v1.6.0")
            .contains(&"GO-2020-0001".to_owned())
    );
    let stdlib = ids_of(b, Ecosystem::Go, "stdlib", "go1.20.1");
    assert!(stdlib.contains(&"GO-2023-1621".to_owned()), "{stdlib:?}");
    assert!(!ids_of(b, Ecosystem::Go, "stdlib", "go1.20.2").contains(&"GO-2023-1621".to_owned()));
}

#[test]
fn unparseable_installed_version_is_a_note_not_clean() {
    let Some(b) = built() else { return };
    let r =
        b.db.match_packages(&[pkg(Ecosystem::Pypi, "requests", "not-a-version!")], None);
    assert!(r.findings.is_empty());
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].message.starts_with(
        "unverifiable: `requests` version `not-a-version!` could not be checked as a PEP 440 version"
    ), "{}", r.notes[0].message);
}
