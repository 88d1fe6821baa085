//! The real advisories and enrichment in `../shared/data` (OSV archives, 1,252 CVE JSON 5
//! records from CISA's Vulnrichment, the whole KEV catalog) imported with `kensa db
//! import`, then a kitchen-sink root filesystem of that era scanned: a Debian 11 package
//! database, Python requirements, a Go module and a Cargo lockfile. EPSS comes from a CSV
//! this test writes in FIRST's format. Skipped, with a message, when the data is absent.
#![allow(clippy::unwrap_used, reason = "test code")]
#![allow(clippy::print_stderr, reason = "the skip message must be visible")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// `../shared/data` beside the checkout; a worktree under `wt/` sits one level deeper.
fn data_dir() -> Option<PathBuf> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("KENSA_SHARED_DATA")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            here.join("../../../shared/data"),
            here.join("../../../../shared/data"),
        ])
        .find(|d| d.join("enrichment/cve/cves.zip").is_file())
}

const DPKG: &[(&str, &str, Option<&str>)] = &[
    ("apache2", "2.4.48-3.1", None),
    ("bash", "5.1-2", None),
    ("curl", "7.74.0-1.3", None),
    ("dpkg", "1.20.9", None),
    ("git", "1:2.30.2-1", None),
    ("gzip", "1.10-4", None),
    ("libapache2-mod-php7.4", "7.4.21-1+deb11u1", Some("php7.4")),
    ("libc6", "2.31-13", Some("glibc")),
    ("libcurl4", "7.74.0-1.3", Some("curl")),
    ("libexpat1", "2.2.10-2", Some("expat")),
    ("libfreetype6", "2.10.4+dfsg-1", Some("freetype")),
    ("libgcrypt20", "1.8.7-6", None),
    ("libgnutls30", "3.7.1-5", Some("gnutls28")),
    ("libjpeg62-turbo", "1:2.0.6-4", Some("libjpeg-turbo")),
    ("libkrb5-3", "1.18.3-6", Some("krb5")),
    ("libldap-2.4-2", "2.4.57+dfsg-3", Some("openldap")),
    ("liblog4j2-java", "2.13.3-1", Some("apache-log4j2")),
    ("liblzma5", "5.2.5-2", Some("xz-utils")),
    ("libncursesw6", "6.2+20201114-2", Some("ncurses")),
    ("libnghttp2-14", "1.43.0-1", Some("nghttp2")),
    ("libnss3", "2:3.61-1", Some("nss")),
    ("libpcre2-8-0", "10.36-2", Some("pcre2")),
    ("libpng16-16", "1.6.37-3", Some("libpng1.6")),
    ("libpolkit-gobject-1-0", "0.105-31", Some("policykit-1")),
    ("libsasl2-2", "2.1.27+dfsg-2.1", Some("cyrus-sasl2")),
    ("libsqlite3-0", "3.34.1-3", Some("sqlite3")),
    ("libssl1.1", "1.1.1k-1", Some("openssl")),
    ("libsystemd0", "247.3-6", Some("systemd")),
    ("libtasn1-6", "4.16.0-2", None),
    ("libtiff5", "4.2.0-1", Some("tiff")),
    ("libwebp6", "0.6.1-2.1", Some("libwebp")),
    ("libxml2", "2.9.10+dfsg-6.7", None),
    ("openssh-client", "1:8.4p1-5", Some("openssh")),
    ("openssl", "1.1.1k-1", None),
    ("perl", "5.32.1-4", None),
    ("python3.9", "3.9.2-1", None),
    ("redis-server", "5:6.0.16-1", Some("redis")),
    ("sudo", "1.9.5p2-3", None),
    ("tar", "1.34+dfsg-1", None),
    ("zlib1g", "1:1.2.11.dfsg-2", Some("zlib")),
];

const REQUIREMENTS: &str = "requests==2.19.0\ndjango==2.2.0\npyyaml==5.1\njinja2==2.10\nurllib3==1.24.1\npillow==6.2.0\nflask==0.12.2\nsalt==2019.2.0\napache-airflow==1.10.0\n";

const GO_MOD: &str = "module example.com/app\n\ngo 1.20\n\nrequire (\n\tgithub.com/dgrijalva/jwt-go v3.2.0+incompatible\n\tgithub.com/gin-gonic/gin v1.5.0\n\tgithub.com/gorilla/sessions v1.2.0\n\tgolang.org/x/net v0.0.0-20200301022130-244492dfa37a\n\tgolang.org/x/text v0.3.2\n\tgoogle.golang.org/grpc v1.50.0\n)\n";

const CARGO_LOCK: &str = "version = 3\n\n[[package]]\nname = \"hyper\"\nversion = \"0.14.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"smallvec\"\nversion = \"0.6.9\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n[[package]]\nname = \"tokio\"\nversion = \"1.7.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";

/// EPSS in FIRST's published shape; the scores are this test's, not FIRST's.
const EPSS: &str = "#model_version:v2025.03.14,score_date:2025-08-25T12:55:00Z\ncve,epss,percentile\nCVE-2021-4160,0.00512,0.77000\nCVE-2022-23521,0.63000,0.98000\nCVE-2023-44487,0.94000,0.99900\n";

fn write_rootfs(root: &Path) {
    let write = |rel: &str, text: &str| {
        let p = root.join(rel);
        fs_err::create_dir_all(p.parent().unwrap()).unwrap();
        fs_err::write(p, text).unwrap();
    };
    write(
        "etc/os-release",
        &kensa_testkit::contents::os_release_debian("11", "bullseye"),
    );
    let pkgs: Vec<kensa_testkit::contents::DebPackage<'_>> = DPKG
        .iter()
        .map(|(name, version, source)| {
            let p = kensa_testkit::contents::DebPackage::new(name, version);
            match source {
                Some(s) => p.source(s),
                None => p,
            }
        })
        .collect();
    write(
        "var/lib/dpkg/status",
        &kensa_testkit::contents::dpkg_status(&pkgs),
    );
    write("app/requirements.txt", REQUIREMENTS);
    write("app/go.mod", GO_MOD);
    write("app/Cargo.lock", CARGO_LOCK);
}

struct Setup {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    /// OSV + CVE records + KEV.
    db: PathBuf,
    /// The same plus EPSS.
    db_epss: PathBuf,
    import_ms: BTreeMap<&'static str, u128>,
}

fn kensa(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kensa"))
        .args(args)
        .output()
        .unwrap()
}

fn import(db: &Path, paths: &[PathBuf]) -> u128 {
    let start = std::time::Instant::now();
    let mut args = vec!["db", "--db-dir", db.to_str().unwrap(), "import"];
    args.extend(paths.iter().map(|p| p.to_str().unwrap()));
    let out = kensa(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed().as_millis()
}

fn setup() -> Option<&'static Setup> {
    static SETUP: OnceLock<Option<Setup>> = OnceLock::new();
    SETUP
        .get_or_init(|| {
            let Some(data) = data_dir() else {
                eprintln!(
                    "skipped: ../shared/data/enrichment is absent (set KENSA_SHARED_DATA to the data directory)"
                );
                return None;
            };
            let tmp = tempfile::tempdir().unwrap();
            let root = tmp.path().join("root");
            write_rootfs(&root);
            let osv: Vec<PathBuf> = ["Alpine", "Debian", "Go", "PyPI", "crates.io"]
                .iter()
                .map(|e| data.join("advisories/osv").join(e).join("all.zip"))
                .collect();
            let enrichment = [
                data.join("enrichment/cve/cves.zip"),
                data.join("enrichment/kev/known_exploited_vulnerabilities.json"),
            ];
            let epss = tmp.path().join("epss_scores-2025-08-25.csv");
            fs_err::write(&epss, EPSS).unwrap();
            let mut import_ms = BTreeMap::new();
            import_ms.insert(
                "osv",
                import(&tmp.path().join("db-osv"), &osv),
            );
            let db = tmp.path().join("db");
            let all: Vec<PathBuf> = osv.iter().chain(&enrichment).cloned().collect();
            import_ms.insert("osv+cve+kev", import(&db, &all));
            let db_epss = tmp.path().join("db-epss");
            let mut with_epss = all;
            with_epss.push(epss);
            import(&db_epss, &with_epss);
            eprintln!("import times (ms, debug build): {import_ms:?}");
            Some(Setup {
                _tmp: tmp,
                root,
                db,
                db_epss,
                import_ms,
            })
        })
        .as_ref()
}

fn scan(s: &Setup, db: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "rootfs",
        s.root.to_str().unwrap(),
        "--db-dir",
        db.to_str().unwrap(),
        "--scanners",
        "vuln",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    kensa(&args)
}

fn json(s: &Setup, db: &Path) -> Value {
    let out = scan(s, db, &["--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn findings(report: &Value) -> Vec<&Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["findings"].as_array().unwrap())
        .collect()
}

fn find<'a>(all: &[&'a Value], id: &str, package: &str) -> &'a Value {
    all.iter()
        .find(|f| f["id"] == id && f["vulnerability"]["package"] == package)
        .unwrap_or_else(|| panic!("no {id} on {package}"))
}

#[test]
fn severities_come_from_cve_records_and_unknown_is_only_what_has_no_cvss() {
    let Some(s) = setup() else { return };
    let report = json(s, &s.db);
    assert!(report["notes"].as_array().is_none_or(Vec::is_empty));
    let all = findings(&report);
    assert_eq!(all.len(), 263);
    let mut by_source: BTreeMap<String, usize> = BTreeMap::new();
    for f in &all {
        let kind = f["vulnerability"]["severity_source"]["kind"]
            .as_str()
            .unwrap_or("none");
        *by_source.entry(kind.to_owned()).or_default() += 1;
    }
    // 29 findings take their severity from a CVE record (22 from the CNA, 7 from CISA's
    // ADP); 14 carry their advisory's own; 220 have no rating anywhere.
    assert_eq!(
        by_source,
        BTreeMap::from([
            ("adp".to_owned(), 7),
            ("advisory".to_owned(), 14),
            ("cna".to_owned(), 22),
            ("none".to_owned(), 220),
        ])
    );
    let unknown: Vec<&&Value> = all.iter().filter(|f| f["severity"] == "UNKNOWN").collect();
    assert_eq!(unknown.len(), 220);
    assert!(
        unknown.iter().all(|f| f["vulnerability"]["cvss"]
            .as_array()
            .is_none_or(Vec::is_empty)),
        "an UNKNOWN finding has a CVSS score somewhere"
    );
    assert_eq!(report["summary"]["by_severity"]["CRITICAL"], 7);
    assert_eq!(report["summary"]["by_severity"]["HIGH"], 11);

    // git's DSA names CVE-2022-23521, whose CNA (GitHub) gave CVSS 3.1 9.8.
    let git = &find(&all, "DSA-5332-1", "git")["vulnerability"];
    assert_eq!(git["severity_source"]["kind"], "cna");
    assert_eq!(git["severity_source"]["provider"], "GitHub_M");
    assert_eq!(git["severity_source"]["cve"], "CVE-2022-23521");
    assert_eq!(git["cvss_score"], 9.8);
    assert_eq!(
        git["cvss_vector"],
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"
    );
    // HTTP/2 rapid reset in golang.org/x/net: no CNA score, CISA's ADP gave 7.5; in KEV.
    let net = find(&all, "GO-2023-2102", "golang.org/x/net");
    assert_eq!(net["severity"], "HIGH");
    let v = &net["vulnerability"];
    assert_eq!(v["severity_source"]["kind"], "adp");
    assert_eq!(v["severity_source"]["provider"], "CISA-ADP");
    assert_eq!(v["kev"]["cve"], "CVE-2023-44487");
    assert_eq!(v["kev"]["date_added"], "2023-10-10");
    assert_eq!(v["exploitation"], "active");
    assert_eq!(v["priority"]["rank"], 1);
    // OpenSSL's CNA rates in words (`Moderate`), no CVSS: MEDIUM, no vector.
    let ssl = &find(&all, "DSA-5103-1", "libssl1.1")["vulnerability"];
    assert_eq!(ssl["severity_source"]["kind"], "cna");
    assert_eq!(ssl["severity_source"]["provider"], "openssl");
    assert!(ssl["severity_source"]["vector"].is_null());
    // RustSec's own CVSS stays the source.
    let smallvec = &find(&all, "RUSTSEC-2019-0009", "smallvec")["vulnerability"];
    assert_eq!(smallvec["severity_source"]["kind"], "advisory");
}

#[test]
fn known_exploited_findings_are_marked_counted_and_gate_the_run() {
    let Some(s) = setup() else { return };
    let report = json(s, &s.db);
    let all = findings(&report);
    let kev: Vec<String> = all
        .iter()
        .filter(|f| !f["vulnerability"]["kev"].is_null())
        .map(|f| {
            format!(
                "{} {}",
                f["id"].as_str().unwrap(),
                f["vulnerability"]["package"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(kev.len(), 13, "{kev:?}");
    assert!(kev.contains(&"DSA-5020-1 liblog4j2-java".to_owned()));
    assert_eq!(report["summary"]["known_exploited"], 13);
    let log4j = &find(&all, "DSA-5020-1", "liblog4j2-java")["vulnerability"]["kev"];
    assert_eq!(log4j["cve"], "CVE-2021-44228");
    assert_eq!(log4j["known_ransomware_campaign_use"], "Known");

    let table = scan(s, &s.db, &[]);
    assert!(table.status.success());
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(
        text.contains("Summary: 13 known exploited, 263 findings (CRITICAL: 7, HIGH: 11,"),
        "{text}"
    );
    // Sorted by priority by default: the first vulnerability row of the Go module is KEV.
    assert!(text.contains("P1 KEV"), "{text}");
    assert_eq!(scan(s, &s.db, &["--fail-on-kev"]).status.code(), Some(1));
    assert_eq!(
        scan(s, &s.db, &["--fail-on-kev", "--exit-code", "4"])
            .status
            .code(),
        Some(4)
    );
}

#[test]
fn epss_from_a_csv_sorts_and_gates() {
    let Some(s) = setup() else { return };
    let report = json(s, &s.db_epss);
    let all = findings(&report);
    let git = &find(&all, "DSA-5332-1", "git")["vulnerability"];
    assert_eq!(git["epss"]["score"], 0.63);
    assert_eq!(git["epss"]["percentile"], 0.98);
    assert_eq!(git["epss"]["date"], "2025-08-25");
    assert_eq!(git["priority"]["rank"], 2);
    let with_epss = all
        .iter()
        .filter(|f| !f["vulnerability"]["epss"].is_null())
        .count();
    // CVE-2021-4160 is named by DSA-5103-1 on openssl and libssl1.1; 44487 by two Go modules.
    assert_eq!(with_epss, 5);
    assert_eq!(
        scan(s, &s.db_epss, &["--fail-on-epss", "0.9"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        scan(s, &s.db_epss, &["--fail-on-epss", "0.95"])
            .status
            .code(),
        Some(0)
    );
    let bad = scan(s, &s.db_epss, &["--fail-on-epss", "5"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("`--fail-on-epss`: 5 is not a probability"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    let sorted = scan(s, &s.db_epss, &["--sort-by", "epss"]);
    let text = String::from_utf8(sorted.stdout).unwrap();
    let dpkg = text.find("var/lib/dpkg/status").unwrap();
    let git_row = text[dpkg..].find("DSA-5332-1").unwrap();
    let ssl_row = text[dpkg..].find("DSA-5103-1").unwrap();
    assert!(git_row < ssl_row, "EPSS 0.63 sorts before 0.005");
}

#[test]
fn sarif_security_severity_is_the_chosen_score() {
    let Some(s) = setup() else { return };
    let out = scan(s, &s.db, &["--format", "sarif"]);
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(rule("DSA-5332-1")["properties"]["security-severity"], "9.8");
    assert_eq!(
        rule("GO-2023-2102")["properties"]["security-severity"],
        "7.5"
    );
}

#[test]
fn group_by_fix_names_the_one_upgrade() {
    let Some(s) = setup() else { return };
    let out = scan(s, &s.db, &["--group-by", "fix"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Upgrade smallvec to 1.6.1: fixes 4 vulnerabilities"),
        "{text}"
    );
}

#[test]
fn enrichment_import_and_scan_cost() {
    let Some(s) = setup() else { return };
    // Measured, not asserted here (debug build on a shared machine); the numbers are
    // in the report of issue 14.
    let time = |db: &Path| {
        let start = std::time::Instant::now();
        for _ in 0..3 {
            assert!(scan(s, db, &["--format", "json"]).status.success());
        }
        start.elapsed().as_millis() / 3
    };
    let osv_db = s.db.parent().unwrap().join("db-osv");
    eprintln!(
        "scan ms (debug build): osv only {}, with CVE+KEV {}; import ms {:?}",
        time(&osv_db),
        time(&s.db),
        s.import_ms
    );
}

#[test]
fn alpine_records_take_their_severity_through_upstream() {
    let Some(s) = setup() else { return };
    let root = s.root.parent().unwrap().join("alpine");
    fs_err::create_dir_all(root.join("etc")).unwrap();
    fs_err::create_dir_all(root.join("lib/apk/db")).unwrap();
    fs_err::write(
        root.join("etc/os-release"),
        kensa_testkit::contents::os_release_alpine("3.10.2"),
    )
    .unwrap();
    let apk = |name, version, origin| {
        kensa_testkit::contents::ApkPackage::new(name, version).origin(origin)
    };
    fs_err::write(
        root.join("lib/apk/db/installed"),
        kensa_testkit::contents::apk_installed(&[
            apk("bash", "5.0.0-r0", "bash"),
            apk("curl", "7.65.1-r0", "curl"),
            apk("libcrypto1.1", "1.1.1c-r0", "openssl"),
            apk("libssl1.1", "1.1.1c-r0", "openssl"),
            apk("libxml2", "2.9.9-r2", "libxml2"),
            apk("musl", "1.1.22-r2", "musl"),
            apk("pcre", "8.43-r0", "pcre"),
            apk("tiff", "4.0.10-r0", "tiff"),
        ]),
    )
    .unwrap();
    let out = kensa(&[
        "rootfs",
        root.to_str().unwrap(),
        "--db-dir",
        s.db.to_str().unwrap(),
        "--scanners",
        "vuln",
        "--quiet",
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let all = findings(&report);
    assert_eq!(all.len(), 11);
    // ALPINE-CVE-2019-1547 names its CVE only as `upstream`; OpenSSL's CNA rated it Low.
    let rated: Vec<String> = all
        .iter()
        .filter(|f| !f["vulnerability"]["severity_source"].is_null())
        .map(|f| {
            let v = &f["vulnerability"];
            format!(
                "{} {} {} {}",
                f["id"].as_str().unwrap(),
                v["package"].as_str().unwrap(),
                f["severity"].as_str().unwrap(),
                v["severity_source"]["kind"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        rated,
        [
            "ALPINE-CVE-2019-1547 libcrypto1.1 LOW cna",
            "ALPINE-CVE-2019-1547 libssl1.1 LOW cna"
        ]
    );
}
