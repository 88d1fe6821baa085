//! Keeps `docs/report-format.md` true: its example is exactly what the JSON renderer
//! writes, and every field the fixture report has is documented.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use std::collections::BTreeSet;

use kensa_core::{Report, SCHEMA_VERSION};
use kensa_report::{Format, RenderOptions, render};

const DOC: &str = include_str!("../../../docs/report-format.md");

fn example() -> &'static str {
    let start = DOC.find("```json\n").unwrap() + "```json\n".len();
    let len = DOC[start..].find("```").unwrap();
    &DOC[start..start + len]
}

#[test]
fn example_is_exactly_what_kensa_writes() {
    let report: Report = serde_json::from_str(example()).unwrap();
    let mut out = Vec::new();
    render(&report, Format::Json, &mut out, &RenderOptions::default()).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), example());
}

#[test]
fn example_is_in_canonical_order_with_a_consistent_summary() {
    let report: Report = serde_json::from_str(example()).unwrap();
    let mut rebuilt = Report::new(
        report.artifact.clone(),
        report.scanners.clone(),
        report.findings().cloned().collect(),
        report.packages.clone(),
        report.notes.clone(),
    );
    rebuilt.kensa_version.clone_from(&report.kensa_version);
    assert_eq!(rebuilt, report);
}

#[test]
fn doc_describes_the_current_schema_version() {
    assert!(DOC.contains(&format!("**schema version {SCHEMA_VERSION}**")));
    assert!(example().contains(&format!("\"schema_version\": {SCHEMA_VERSION},")));
}

#[test]
fn every_field_of_the_fixture_is_documented() {
    fn keys(value: &serde_json::Value, parent: &str, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    // Map keys of the summary are values (severity and scanner names).
                    if !matches!(parent, "by_severity" | "by_scanner") {
                        out.insert(k.clone());
                    }
                    keys(v, k, out);
                }
            }
            serde_json::Value::Array(items) => {
                for v in items {
                    keys(v, parent, out);
                }
            }
            _ => {}
        }
    }
    let value = serde_json::to_value(common::report()).unwrap();
    let mut found = BTreeSet::new();
    keys(&value, "", &mut found);
    let missing: Vec<_> = found
        .iter()
        .filter(|k| !DOC.contains(&format!("`{k}`")))
        .collect();
    assert!(missing.is_empty(), "undocumented fields: {missing:?}");
    // The fixture must keep exercising the optional fields, or this test checks less.
    for k in [
        "created_by",
        "source",
        "direct",
        "files",
        "purl",
        "line",
        "package",
    ] {
        assert!(found.contains(k), "fixture lost `{k}`");
    }
}
