//! The inventory of a scanned image: file lists joined, distro purls, and files of OS
//! packages reported once.
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_core::{Ecosystem, Scanner};
use kensa_image::ImageInput;
use kensa_scan::{ScanOptions, Target, scan};
use kensa_testkit::contents::{self, DebPackage};
use kensa_testkit::{Entry, Image, Layer};

const SIX_METADATA: &str = "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA";
const REQUESTS_METADATA: &str =
    "usr/local/lib/python3.11/site-packages/requests-2.19.0.dist-info/METADATA";

#[test]
fn os_owned_language_files_are_one_os_package() {
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(vec![
        Layer::new(vec![
            Entry::file(
                "etc/os-release",
                contents::os_release_debian("12", "bookworm"),
            ),
            Entry::file(
                "var/lib/dpkg/status",
                contents::dpkg_status(&[DebPackage::new("python3-six", "1.16.0-4").source("six")]),
            ),
            Entry::file(
                "var/lib/dpkg/info/python3-six.list",
                format!("/.\n/usr\n/{SIX_METADATA}\n"),
            ),
            Entry::file(
                SIX_METADATA,
                "Metadata-Version: 2.1\nName: six\nVersion: 1.16.0\n",
            ),
        ]),
        Layer::new(vec![Entry::file(
            REQUESTS_METADATA,
            "Metadata-Version: 2.1\nName: requests\nVersion: 2.19.0\nLicense: Apache 2.0\n",
        )]),
    ]);
    let path = dir.path().join("i.tar");
    image.write_oci_archive(&path).unwrap();
    let options = ScanOptions {
        scanners: vec![Scanner::Config],
        ..ScanOptions::default()
    };
    let (report, _) = scan(&Target::Image(ImageInput::Archive(path)), &options).unwrap();
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let names: Vec<_> = report
        .packages
        .iter()
        .map(|p| (p.ecosystem, p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (Ecosystem::Deb, "python3-six", "1.16.0-4"),
            (Ecosystem::Pypi, "requests", "2.19.0"),
        ]
    );
    let six = &report.packages[0];
    assert!(
        six.files.iter().any(|f| f == SIX_METADATA),
        "{:?}",
        six.files
    );
    let purl = six.purl.as_deref().unwrap();
    assert!(
        purl.starts_with("pkg:deb/debian/python3-six@1.16.0-4"),
        "{purl}"
    );
    assert!(
        purl.contains("distro=debian-12") || purl.contains("distro=bookworm"),
        "{purl}"
    );
    let requests = &report.packages[1];
    assert_eq!(requests.location.layer_index, Some(1));
    assert_eq!(requests.location.path.as_deref(), Some(REQUESTS_METADATA));
}
