//! `update` against a real HTTP server on 127.0.0.1: retries, resumed downloads, archive
//! checks, and an old database that keeps serving when an update fails.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::io::{BufRead, BufReader, Cursor, Write};
use std::net::TcpListener;
use std::time::Duration;

use kensa_vuln::{UpdateOptions, VulnDb, update};

fn record(id: &str, name: &str, fixed: &str) -> String {
    format!(
        r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","affected":[{{"package":{{"ecosystem":"PyPI","name":"{name}"}},"ranges":[{{"type":"ECOSYSTEM","events":[{{"introduced":"0"}},{{"fixed":"{fixed}"}}]}}]}}]}}"#
    )
}

fn archive(records: &[(&str, String)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, body) in records {
        zip.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// One scripted response per request: (status, body bytes to send, Content-Length to claim).
type Script = Vec<(u16, Vec<u8>, usize)>;

/// Serves `script` in order on a fresh port; returns the base URL and the Range headers seen.
fn serve(script: Script) -> (String, std::thread::JoinHandle<Vec<Option<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut ranges = Vec::new();
        for (status, body, claimed) in script {
            let (mut stream, _) = listener.accept().unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut range = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("range:") {
                    range = Some(v.trim().to_owned());
                }
            }
            ranges.push(range);
            let reason = match status {
                200 => "OK",
                206 => "Partial Content",
                _ => "Service Unavailable",
            };
            let head = format!(
                "HTTP/1.1 {status} {reason}\r\nContent-Length: {claimed}\r\nConnection: close\r\n\r\n"
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
            drop(stream);
        }
        ranges
    });
    (base, handle)
}

fn options(base: String) -> UpdateOptions {
    UpdateOptions {
        base_urls: vec![base],
        ecosystems: vec!["PyPI".into()],
        attempts: 3,
        max_bytes: 10 * 1024 * 1024,
        backoff: Duration::from_millis(10),
        feeds: kensa_vuln::Feeds::default(),
    }
}

#[test]
fn retries_resumes_and_builds() {
    let zip = archive(&[
        ("PYSEC-1.json", record("PYSEC-1", "requests", "2.20.0")),
        ("PYSEC-2.json", record("PYSEC-2", "urllib3", "1.24.2")),
    ]);
    let half = zip.len() / 2;
    let (base, server) = serve(vec![
        (503, Vec::new(), 0),
        // Claims the whole body, sends half, hangs up: an interrupted download.
        (200, zip[..half].to_vec(), zip.len()),
        (206, zip[half..].to_vec(), zip.len() - half),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let summary = update(dir.path(), &options(base)).unwrap();
    assert_eq!(summary.info.records.get("PyPI"), Some(&2));
    let ranges = server.join().unwrap();
    assert_eq!(ranges[0], None);
    assert_eq!(
        ranges[2].as_deref(),
        Some(&*format!("bytes={half}-")),
        "the third request resumes"
    );
    let db = VulnDb::open(dir.path()).unwrap();
    assert_eq!(db.info().records.get("PyPI"), Some(&2));
}

#[test]
fn a_failed_update_leaves_the_old_database_serving() {
    let dir = tempfile::tempdir().unwrap();
    let good = archive(&[("PYSEC-1.json", record("PYSEC-1", "requests", "2.20.0"))]);
    let (base, server) = serve(vec![(200, good.clone(), good.len())]);
    update(dir.path(), &options(base)).unwrap();
    server.join().unwrap();

    let garbage = b"<html>not a zip</html>".to_vec();
    let script = (0..3)
        .map(|_| (200, garbage.clone(), garbage.len()))
        .collect();
    let (base, server) = serve(script);
    let err = update(dir.path(), &options(base)).unwrap_err();
    server.join().unwrap();
    assert!(err.to_string().contains("not a valid zip"), "{err}");
    let db = VulnDb::open(dir.path()).unwrap();
    assert_eq!(
        db.info().records.get("PyPI"),
        Some(&1),
        "the old database still serves"
    );
}

#[test]
fn every_attempt_failing_is_an_error_naming_the_url() {
    let script = (0..2).map(|_| (503, Vec::new(), 0)).collect();
    let (base, server) = serve(script);
    let mut opts = options(base.clone());
    opts.attempts = 2;
    let dir = tempfile::tempdir().unwrap();
    let err = update(dir.path(), &opts).unwrap_err();
    server.join().unwrap();
    let message = err.to_string();
    assert!(
        message.contains(&base) && message.contains("503"),
        "{message}"
    );
}

#[test]
fn enrichment_feeds_download_with_the_archives() {
    let zip = archive(&[("PYSEC-1.json", record("PYSEC-1", "requests", "2.20.0"))]);
    let cve = br#"{"cveMetadata": {"cveId": "CVE-2099-0001", "state": "PUBLISHED"}, "containers": {"cna": {"metrics": [
        {"cvssV3_1": {"vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "baseScore": 9.8}}]}}}"#;
    let cves = archive(&[(
        "cves/2099/0xxx/CVE-2099-0001.json",
        String::from_utf8(cve.to_vec()).unwrap(),
    )]);
    let kev = br#"{"catalogVersion": "2099.01.01", "vulnerabilities": [{"cveID": "CVE-2099-0001",
        "dateAdded": "2099-01-01", "dueDate": "2099-01-22", "knownRansomwareCampaignUse": "Unknown"}]}"#
        .to_vec();
    let epss = b"#model_version:v1,score_date:2099-01-02T00:00:00Z\ncve,epss,percentile\nCVE-2099-0001,0.5,0.9\n".to_vec();
    let (base, server) = serve(vec![
        (200, zip.clone(), zip.len()),
        // The first CVE list mirror is down; the second serves it.
        (503, Vec::new(), 0),
        (503, Vec::new(), 0),
        (200, cves.clone(), cves.len()),
        (200, kev.clone(), kev.len()),
        (200, epss.clone(), epss.len()),
    ]);
    let mut opts = options(base.clone());
    opts.attempts = 2;
    opts.feeds = kensa_vuln::Feeds {
        cve_list: vec![format!("{base}/down/cves.zip"), format!("{base}/cves.zip")],
        kev: vec![format!("{base}/kev.json")],
        epss: vec![format!("{base}/epss.csv")],
    };
    let dir = tempfile::tempdir().unwrap();
    let summary = update(dir.path(), &opts).unwrap();
    server.join().unwrap();
    let s = &summary.info.stats;
    assert_eq!((s.cve_records, s.kev_entries, s.epss_scores), (1, 1, 1));
    assert_eq!(summary.info.epss_date.as_deref(), Some("2099-01-02"));
}
