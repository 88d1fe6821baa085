//! RPM packages from all three rpm database formats: SQLite `rpmdb.sqlite` (RHEL 9,
//! Fedora 33+), ndb `Packages.db` (openSUSE, SLES 15) and Berkeley DB `Packages`
//! (RHEL 7/8, Amazon Linux 2, SLES 12).

use std::io::Read;

use kensa_core::package::SourcePackage;
use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, Package,
    PathSpec, ScanNote, Scanner,
};

use super::rpm_header::{self, RpmHeader};

/// Reads rpm's package database in whichever format the image has.
pub struct Rpm;

const ID: &str = "rpm";

impl Analyzer for Rpm {
    fn id(&self) -> &'static str {
        ID
    }

    fn version(&self) -> u32 {
        2
    }

    /// The inventory runs in every scan: `--list-packages` and SBOMs need it too.
    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Fedora 36+ and openSUSE keep the database in usr/lib/sysimage/rpm and make
        // var/lib/rpm a symlink, which the walker does not follow.
        &[
            PathSpec::Exact("usr/lib/sysimage/rpm/Packages"),
            PathSpec::Exact("usr/lib/sysimage/rpm/Packages.db"),
            PathSpec::Exact("usr/lib/sysimage/rpm/rpmdb.sqlite"),
            PathSpec::Exact("usr/lib/sysimage/rpm/rpmdb.sqlite-wal"),
            PathSpec::Exact("var/lib/rpm/Packages"),
            PathSpec::Exact("var/lib/rpm/Packages.db"),
            PathSpec::Exact("var/lib/rpm/rpmdb.sqlite"),
            PathSpec::Exact("var/lib/rpm/rpmdb.sqlite-wal"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        // Berkeley DB files of full RHEL installs reach a few hundred MiB.
        512 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        if file.path.ends_with("-wal") {
            // The database is read without its write-ahead log; say so when the log
            // holds changes rpm has not yet copied into it.
            if !file.content.is_empty() {
                out.notes.push(ScanNote {
                    level: NoteLevel::Warning,
                    found_by: ID.into(),
                    location: Location::path(file.path),
                    message: format!(
                        "write-ahead log holds {} bytes of changes not yet in rpmdb.sqlite; packages they install or remove are not seen",
                        file.content.len()
                    ),
                });
            }
            return Ok(());
        }
        let (blobs, problems): (Vec<Vec<u8>>, Vec<String>) = if file.path.ends_with(".sqlite") {
            (sqlite_blobs(file.content)?, Vec::new())
        } else if file.path.ends_with(".db") {
            let (b, e) = super::rpm_ndb::blobs(file.content)
                .map_err(|e| AnalyzeError::new(e.to_string()))?;
            (b, e.iter().map(ToString::to_string).collect())
        } else {
            let (b, e) = super::rpm_bdb::values(file.content)
                .map_err(|e| AnalyzeError::new(e.to_string()))?;
            (b, e.iter().map(ToString::to_string).collect())
        };
        let mut problems = problems;
        for blob in blobs {
            // rpm's Berkeley DB keeps a 4-byte record counter beside the headers.
            if file.path.ends_with("/Packages") && blob.len() < 8 {
                continue;
            }
            match rpm_header::decode(&blob) {
                Ok(h) => {
                    if let Some(p) = package(file.path, h, &mut problems) {
                        out.packages.push(p);
                    }
                }
                Err(e) => problems.push(e.to_string()),
            }
        }
        if let Some(first) = problems.first() {
            out.notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: ID.into(),
                location: Location::path(file.path),
                message: if problems.len() == 1 {
                    format!("one package record could not be read: {first}")
                } else {
                    format!(
                        "{} package records could not be read; the first: {first}",
                        problems.len()
                    )
                },
            });
        }
        Ok(())
    }
}

fn package(path: &str, h: RpmHeader, problems: &mut Vec<String>) -> Option<Package> {
    // Imported signing keys are headers too, not software.
    if h.name == "gpg-pubkey" {
        return None;
    }
    if h.name.is_empty() || h.version.is_empty() {
        problems.push(format!(
            "header without a name or version (name `{}`, version `{}`)",
            h.name, h.version
        ));
        return None;
    }
    let epoch = h.epoch.map(|e| format!("{e}:")).unwrap_or_default();
    let version = if h.release.is_empty() {
        format!("{epoch}{}", h.version)
    } else {
        format!("{epoch}{}-{}", h.version, h.release)
    };
    // The source rpm's name has no epoch; it shares the binary's, as rpmbuild makes both.
    let source = h
        .source_rpm
        .as_deref()
        .map(|s| match rpm_header::split_source_rpm(s) {
            Some((name, v, r)) => SourcePackage {
                name: name.to_owned(),
                version: Some(format!("{epoch}{v}-{r}")),
            },
            // A source rpm name that does not split (`foo.src.rpm`, no `.src.rpm` at all)
            // names no source version that advisories could be matched against; the
            // binary package stands in for its source, as rpm-based scanners do.
            None => SourcePackage {
                name: h.name.clone(),
                version: Some(version.clone()),
            },
        });
    let mut pkg = Package {
        dev: false,
        relationship: None,
        ecosystem: Ecosystem::Rpm,
        name: h.name,
        version,
        // The module label is not a field of `Package`; the purl carries it until
        // `purl()` below rebuilds the rest around it.
        purl: h.modularity_label.as_deref().map(|l| {
            kensa_core::Purl::new("rpm", "-")
                .with_qualifier("modularitylabel", l)
                .to_string()
        }),
        arch: h.arch,
        source,
        licenses: h.license.into_iter().collect(),
        direct: None,
        found_by: ID.into(),
        location: Location::path(path),
        files: h
            .files
            .iter()
            .filter_map(|f| super::normalize_path(f))
            .collect(),
    };
    pkg.purl = Some(super::purl::purl(&pkg, None));
    Some(pkg)
}

/// The header blobs of an SQLite rpmdb, read from memory: the analyzer has the bytes,
/// not a path, and a temporary file would cost a second copy on disk.
fn sqlite_blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, AnalyzeError> {
    let err = |e: rusqlite::Error| AnalyzeError::new(format!("rpmdb.sqlite: {e}"));
    let head = bytes
        .get(..100)
        .filter(|h| h.starts_with(b"SQLite format 3\0"))
        .ok_or_else(|| AnalyzeError::new("rpmdb.sqlite is not an SQLite 3 database"))?;
    // rpm writes in WAL mode (bytes 18 and 19 are 2); an in-memory database cannot open
    // a WAL file, so present it as a rollback-journal one. The bytes are the same.
    let mut head = head.to_vec();
    if let Some(v) = head.get_mut(18..20) {
        v.fill(1);
    }
    let rest = bytes.get(100..).unwrap_or_default();
    let mut conn = rusqlite::Connection::open_in_memory().map_err(err)?;
    conn.deserialize_read_exact(rusqlite::MAIN_DB, head.chain(rest), bytes.len(), true)
        .map_err(err)?;
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .map_err(err)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::os::rpm_header::encode::{Value, header, package as rpm_package};
    use crate::os::rpm_header::tag::*;
    use crate::os::test_support::{run, wants};

    fn headers() -> Vec<Vec<u8>> {
        vec![
            rpm_package("bash", None, "5.1.8", "6.el9"),
            rpm_package("openssl-libs", Some(1), "3.0.7", "25.el9_3"),
            header(&[
                (NAME, Value::Str("gpg-pubkey")),
                (VERSION, Value::Str("fd431d51")),
                (RELEASE, Value::Str("4ae0493b")),
            ]),
            header(&[
                (NAME, Value::Str("nodejs")),
                (EPOCH, Value::Int32(vec![1])),
                (VERSION, Value::Str("18.19.0")),
                (RELEASE, Value::Str("1.module+el9.3.0+21018+c9a0ad6c")),
                (ARCH, Value::Str("x86_64")),
                (
                    SOURCERPM,
                    Value::Str("nodejs-18.19.0-1.module+el9.3.0+21018+c9a0ad6c.src.rpm"),
                ),
                (
                    MODULARITYLABEL,
                    Value::Str("nodejs:18:9030020240123:a75119d5"),
                ),
            ]),
        ]
    }

    /// An rpmdb.sqlite as rpm lays it out, marked as WAL-mode as rpm leaves it.
    fn sqlite_db(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL); \
             CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL);",
        )
        .unwrap();
        for b in blobs {
            conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [b])
                .unwrap();
        }
        let mut bytes = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        bytes[18..20].fill(2);
        bytes
    }

    #[test]
    fn wants_table() {
        for (path, want) in [
            ("var/lib/rpm/Packages", true),
            ("var/lib/rpm/Packages.db", true),
            ("var/lib/rpm/rpmdb.sqlite", true),
            ("usr/lib/sysimage/rpm/rpmdb.sqlite", true),
            ("usr/lib/sysimage/rpm/Packages.db", true),
            ("var/lib/rpm/rpmdb.sqlite-wal", true),
            ("var/lib/rpm/rpmdb.sqlite-shm", false),
            ("var/lib/rpm/Name", false),
            ("opt/var/lib/rpm/Packages", false),
        ] {
            assert_eq!(wants(&Rpm, path), want, "{path}");
        }
    }

    #[test]
    fn all_three_formats_give_the_same_packages() {
        let sqlite = run(&Rpm, "var/lib/rpm/rpmdb.sqlite", &sqlite_db(&headers())).unwrap();
        let ndb = run(
            &Rpm,
            "var/lib/rpm/Packages.db",
            &crate::os::rpm_ndb::encode::database(&headers()),
        )
        .unwrap();
        let bdb = run(
            &Rpm,
            "var/lib/rpm/Packages",
            &crate::os::rpm_bdb::encode::database(&headers(), false),
        )
        .unwrap();
        for out in [&sqlite, &ndb, &bdb] {
            assert!(out.notes.is_empty(), "{:?}", out.notes);
        }
        let strip = |out: &AnalysisOutput| -> Vec<Package> {
            out.packages
                .iter()
                .cloned()
                .map(|mut p| {
                    p.location = Location::default();
                    p
                })
                .collect()
        };
        assert_eq!(strip(&sqlite), strip(&ndb));
        assert_eq!(strip(&sqlite), strip(&bdb));
        insta::assert_json_snapshot!("rpm_packages", sqlite.packages);
    }

    #[test]
    fn issue_15_a_source_rpm_that_does_not_split_falls_back_to_the_binary() {
        let blob = header(&[
            (NAME, Value::Str("libfoo")),
            (VERSION, Value::Str("1.2")),
            (RELEASE, Value::Str("3")),
            (SOURCERPM, Value::Str("libfoo.src.rpm")),
        ]);
        let out = run(&Rpm, "var/lib/rpm/rpmdb.sqlite", &sqlite_db(&[blob])).unwrap();
        let source = out.packages[0].source.as_ref().unwrap();
        assert_eq!(
            (source.name.as_str(), source.version.as_deref()),
            ("libfoo", Some("1.2-3"))
        );
    }

    #[test]
    fn broken_databases_are_errors_or_notes() {
        let err = run(&Rpm, "var/lib/rpm/rpmdb.sqlite", b"not sqlite").unwrap_err();
        assert_eq!(err.to_string(), "rpmdb.sqlite is not an SQLite 3 database");
        let good = sqlite_db(&headers());
        let truncated = run(&Rpm, "var/lib/rpm/rpmdb.sqlite", &good[..good.len() / 2]);
        assert!(truncated.is_err() || !truncated.unwrap().notes.is_empty());
        // A table with the wrong column type.
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER, blob INTEGER); INSERT INTO Packages VALUES (1, 5);",
        )
        .unwrap();
        let wrong = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        let err = run(&Rpm, "var/lib/rpm/rpmdb.sqlite", &wrong).unwrap_err();
        assert!(err.to_string().starts_with("rpmdb.sqlite: "), "{err}");

        // One bad header among good ones: the rest are kept, the bad one is a note.
        let mut blobs = headers();
        blobs.push(vec![0, 0, 0, 9, 0, 0, 0, 0]);
        let out = run(
            &Rpm,
            "var/lib/rpm/Packages.db",
            &crate::os::rpm_ndb::encode::database(&blobs),
        )
        .unwrap();
        assert_eq!(out.packages.len(), 3);
        assert_eq!(
            out.notes.first().unwrap().message,
            "one package record could not be read: header blob of 8 bytes is truncated (index of 9 entries and 0 data bytes)"
        );
        let wal = run(&Rpm, "var/lib/rpm/rpmdb.sqlite-wal", &[0; 4096]).unwrap();
        assert!(wal.packages.is_empty());
        assert!(
            wal.notes
                .first()
                .unwrap()
                .message
                .starts_with("write-ahead log holds 4096 bytes")
        );
        assert!(
            run(&Rpm, "var/lib/rpm/rpmdb.sqlite-wal", b"")
                .unwrap()
                .is_empty()
        );
        let err = run(&Rpm, "var/lib/rpm/Packages", b"\0\0\0\0").unwrap_err();
        assert!(err.to_string().contains("too short"), "{err}");
    }
}
