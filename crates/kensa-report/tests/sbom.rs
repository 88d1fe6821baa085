//! The CycloneDX and SPDX documents of the shared fixture, snapshotted, plus what a
//! snapshot cannot show: identical bytes on every render, a serial number that follows
//! the inventory, and the location of every package (K4).
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use kensa_core::Report;
use kensa_report::{Format, RenderOptions, render};
use serde_json::Value;

fn rendered(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    render(report, format, &mut out, &RenderOptions::default()).unwrap();
    String::from_utf8(out).unwrap()
}

fn parsed(report: &Report, format: Format) -> Value {
    serde_json::from_str(&rendered(report, format)).unwrap()
}

#[test]
fn cyclonedx_snapshot() {
    let out = rendered(&common::report(), Format::CycloneDx);
    insta::with_settings!({filters => vec![
        (r#"("name": "kensa",\s*"version": )"[^"]*""#, r#"$1"[VERSION]""#),
    ]}, {
        insta::assert_snapshot!("cyclonedx", out);
    });
}

#[test]
fn spdx_snapshot() {
    let out = rendered(&common::report(), Format::SpdxJson);
    insta::with_settings!({filters => vec![
        (r#""Tool: kensa-[^"]*""#, r#""Tool: kensa-[VERSION]""#),
    ]}, {
        insta::assert_snapshot!("spdx", out);
    });
}

#[test]
fn both_documents_are_byte_identical_across_renders_and_input_order() {
    let report = common::report();
    let mut shuffled_packages = report.packages.clone();
    shuffled_packages.reverse();
    let shuffled = Report::new(
        report.artifact.clone(),
        report.scanners.clone(),
        report.findings().cloned().collect(),
        shuffled_packages,
        report.notes.clone(),
    );
    for format in [Format::CycloneDx, Format::SpdxJson] {
        let first = rendered(&report, format);
        assert_eq!(first, rendered(&report, format), "{format}");
        assert_eq!(first, rendered(&shuffled, format), "{format}");
        assert!(first.ends_with("}\n"), "{format}");
    }
}

#[test]
fn serial_and_namespace_follow_the_inventory_not_the_findings_or_version() {
    let report = common::report();
    let serial = |r: &Report| parsed(r, Format::CycloneDx)["serialNumber"].clone();
    let namespace = |r: &Report| parsed(r, Format::SpdxJson)["documentNamespace"].clone();

    let mut other_version = report.clone();
    other_version.kensa_version = "9.9.9".to_owned();
    let mut no_findings = report.clone();
    no_findings.results.clear();
    for same in [&other_version, &no_findings] {
        assert_eq!(serial(same), serial(&report));
        assert_eq!(namespace(same), namespace(&report));
    }

    let mut bumped = report.clone();
    bumped.packages[0].version.push_str("+b1");
    assert_ne!(serial(&bumped), serial(&report));
    assert_ne!(namespace(&bumped), namespace(&report));

    // The two formats are different documents and get different ids.
    let cdx = serial(&report);
    let uuid = cdx.as_str().unwrap().strip_prefix("urn:uuid:").unwrap();
    assert!(!namespace(&report).as_str().unwrap().ends_with(uuid));
}

fn property<'a>(component: &'a Value, name: &str) -> Vec<&'a str> {
    component["properties"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["name"] == name)
        .map(|p| p["value"].as_str().unwrap())
        .collect()
}

#[test]
fn cyclonedx_records_where_each_package_was_found() {
    let report = common::report();
    let bom = parsed(&report, Format::CycloneDx);
    let libraries: Vec<&Value> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["type"] == "library" || c["type"] == "application")
        .collect();
    assert_eq!(libraries.len(), report.packages.len());
    for (c, p) in libraries.iter().zip(&report.packages) {
        assert_eq!(c["name"], p.name.as_str());
        assert_eq!(c["version"], p.version.as_str());
        assert_eq!(property(c, "kensa:found_by"), [p.found_by.as_str()]);
        assert_eq!(
            property(c, "kensa:layer:diff_id"),
            [p.location.layer.as_ref().unwrap().as_str()]
        );
        assert_eq!(
            property(c, "kensa:location:path"),
            [p.location.path.as_deref().unwrap()]
        );
        let files: Vec<&str> = c["components"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(files, p.files);
    }
}

#[test]
fn cyclonedx_refs_are_unique_and_every_dependency_names_one() {
    for report in [common::report(), common::hostile_report()] {
        let bom = parsed(&report, Format::CycloneDx);
        let mut refs: Vec<&str> = bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["bom-ref"].as_str().unwrap())
            .collect();
        refs.push(bom["metadata"]["component"]["bom-ref"].as_str().unwrap());
        let unique: std::collections::BTreeSet<_> = refs.iter().collect();
        assert_eq!(unique.len(), refs.len(), "{refs:?}");

        let deps = bom["dependencies"].as_array().unwrap();
        let artifact = &deps[0];
        assert_eq!(artifact["ref"], bom["metadata"]["component"]["bom-ref"]);
        // The artifact holds everything: the OS and every package.
        assert_eq!(
            artifact["dependsOn"].as_array().unwrap().len(),
            refs.len() - 1
        );
        for d in deps {
            assert!(unique.contains(&d["ref"].as_str().unwrap()));
            for on in d["dependsOn"].as_array().unwrap() {
                assert!(unique.contains(&on.as_str().unwrap()), "{on}");
            }
        }
        // The OS holds exactly the OS packages.
        let os = &deps[1];
        assert_eq!(os["ref"], "os:debian@12");
        let os_packages = report.packages.iter().filter(|p| p.ecosystem.is_os());
        assert_eq!(
            os["dependsOn"].as_array().unwrap().len(),
            os_packages.count()
        );
    }
}

#[test]
fn a_purl_installed_twice_is_two_components_with_distinct_refs() {
    let base = common::report();
    let mut packages = base.packages.clone();
    let mut copy = packages
        .iter()
        .find(|p| p.name == "requests")
        .unwrap()
        .clone();
    copy.location.path =
        Some("opt/venv/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA".to_owned());
    packages.push(copy);
    let report = Report::new(
        base.artifact.clone(),
        base.scanners.clone(),
        Vec::new(),
        packages,
        Vec::new(),
    );
    let bom = parsed(&report, Format::CycloneDx);
    let refs: Vec<&str> = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "requests")
        .map(|c| c["bom-ref"].as_str().unwrap())
        .collect();
    // The first in canonical order (by location) keeps the plain purl.
    assert_eq!(
        refs,
        ["pkg:pypi/requests@2.31.0", "pkg:pypi/requests@2.31.0~2"]
    );

    let spdx = parsed(&report, Format::SpdxJson);
    let ids: Vec<&str> = spdx["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "requests")
        .map(|p| p["SPDXID"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "SPDXRef-Package-pypi-requests-2.31.0",
            "SPDXRef-Package-pypi-requests-2.31.0-2"
        ]
    );
}

#[test]
fn spdx_relationships_name_existing_ids_and_ids_use_only_allowed_characters() {
    for report in [common::report(), common::hostile_report()] {
        let doc = parsed(&report, Format::SpdxJson);
        let ids: Vec<&str> = doc["packages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["SPDXID"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), report.packages.len() + 2);
        for id in &ids {
            let rest = id.strip_prefix("SPDXRef-").unwrap();
            assert!(
                rest.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-'),
                "{id}"
            );
        }
        let rels = doc["relationships"].as_array().unwrap();
        assert_eq!(rels[0]["spdxElementId"], "SPDXRef-DOCUMENT");
        assert_eq!(rels[0]["relationshipType"], "DESCRIBES");
        for r in rels {
            for side in ["spdxElementId", "relatedSpdxElement"] {
                let id = r[side].as_str().unwrap();
                assert!(id == "SPDXRef-DOCUMENT" || ids.contains(&id), "{id}");
            }
        }
        // Artifact CONTAINS the OS and every package; the OS CONTAINS its packages.
        let contains = |from: &str| {
            rels.iter()
                .filter(|r| r["spdxElementId"] == from && r["relationshipType"] == "CONTAINS")
                .count()
        };
        assert_eq!(contains("SPDXRef-Artifact"), report.packages.len() + 1);
        assert_eq!(
            contains("SPDXRef-OperatingSystem-debian-12"),
            report
                .packages
                .iter()
                .filter(|p| p.ecosystem.is_os())
                .count()
        );
    }
}

#[test]
fn spdx_free_text_licenses_are_extracted_refs() {
    let base = common::report();
    let mut packages = base.packages.clone();
    packages[0].licenses = vec!["GPL-2+".to_owned(), "MIT".to_owned()];
    packages[1].licenses = vec!["GPL-2+".to_owned()];
    let report = Report::new(
        base.artifact.clone(),
        base.scanners.clone(),
        Vec::new(),
        packages,
        Vec::new(),
    );
    let doc = parsed(&report, Format::SpdxJson);
    let declared: Vec<&str> = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["licenseDeclared"].as_str().unwrap())
        .collect();
    assert!(
        declared.contains(&"LicenseRef-GPL-2- AND MIT"),
        "{declared:?}"
    );
    assert!(declared.contains(&"LicenseRef-GPL-2-"), "{declared:?}");
    assert_eq!(
        doc["hasExtractedLicensingInfos"],
        serde_json::json!([{
            "licenseId": "LicenseRef-GPL-2-",
            "extractedText": "GPL-2+",
            "name": "GPL-2+",
        }])
    );
}

#[test]
fn a_directory_is_a_file_component_without_an_os() {
    let mut report = common::report();
    report.artifact.kind = kensa_core::ArtifactKind::Filesystem;
    report.artifact.os = None;
    for p in &mut report.packages {
        p.relationship = None;
    }
    let bom = parsed(&report, Format::CycloneDx);
    assert_eq!(bom["metadata"]["component"]["type"], "file");
    assert_eq!(bom["dependencies"].as_array().unwrap().len(), 1);
    assert!(
        !bom["components"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["type"] == "operating-system")
    );
    let doc = parsed(&report, Format::SpdxJson);
    assert_eq!(doc["packages"][0]["primaryPackagePurpose"], "FILE");
    assert_eq!(
        doc["packages"].as_array().unwrap().len(),
        report.packages.len() + 1
    );
}

/// See: issues/15. A directory whose one project has a root describes that project.
#[test]
fn issue_15_the_root_of_a_scanned_project_is_the_documents_subject() {
    let mut report = common::report();
    let bom = parsed(&report, Format::CycloneDx);
    // An image stays the subject; its Go binary's main module is a component.
    assert_eq!(bom["metadata"]["component"]["type"], "container");
    let main = bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "application")
        .unwrap();
    assert_eq!(main["name"], "example.com/shop-api");
    assert_eq!(property(main, "kensa:package:relationship"), ["root"]);

    report.artifact.kind = kensa_core::ArtifactKind::Rootfs;
    let bom = parsed(&report, Format::CycloneDx);
    assert_eq!(bom["metadata"]["component"]["type"], "file");

    report.artifact.kind = kensa_core::ArtifactKind::Filesystem;
    let bom = parsed(&report, Format::CycloneDx);
    // Parsed into a `Value`, whose key order follows `serde_json/preserve_order`, which
    // a crate of the build (yara-x) may turn on: sorted, the snapshot holds either way.
    let mut subject = bom["metadata"]["component"].clone();
    subject.sort_all_objects();
    insta::assert_json_snapshot!("cyclonedx_project_root_subject", subject);
    assert_eq!(subject["type"], "application");
    assert_eq!(subject["name"], "example.com/shop-api");
    assert_eq!(property(&subject, "kensa:artifact:kind"), ["filesystem"]);
    let components = bom["components"].as_array().unwrap();
    assert!(
        components
            .iter()
            .all(|c| c["name"] != "example.com/shop-api")
    );
    // The subject depends on everything else the BOM lists.
    assert_eq!(bom["dependencies"][0]["ref"], subject["bom-ref"]);
    assert_eq!(
        bom["dependencies"][0]["dependsOn"]
            .as_array()
            .unwrap()
            .len(),
        components.len()
    );

    let doc = parsed(&report, Format::SpdxJson);
    let described = &doc["relationships"][0];
    assert_eq!(described["relationshipType"], "DESCRIBES");
    let root = doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["SPDXID"] == described["relatedSpdxElement"])
        .unwrap();
    assert_eq!(root["name"], "example.com/shop-api");
    assert_eq!(root["primaryPackagePurpose"], "APPLICATION");
    let describes = doc["relationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["relationshipType"] == "DESCRIBES")
        .count();
    assert_eq!(describes, 1);
}
