//! Every format rendered from the shared fixture report, snapshotted, plus the
//! properties the snapshots cannot show: no raw escapes from the image, colour that only
//! repeats the text, the width budget, and JSON that reads back into the same report.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use kensa_core::{Report, SCHEMA_VERSION};
use kensa_report::{Format, RenderOptions, render};

fn rendered(report: &Report, format: Format, options: RenderOptions) -> String {
    let mut out = Vec::new();
    render(report, format, &mut out, &options).unwrap();
    String::from_utf8(out).unwrap()
}

fn plain() -> RenderOptions {
    RenderOptions::default()
}

/// Removes the SGR sequences (`ESC [ … m`) the table uses for colour, and nothing else.
fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("\x1b[") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[end..].starts_with('m') {
            rest = &after[end + 1..];
        } else {
            // Not ours: keep it so the caller's assertion sees it.
            out.push_str("\x1b[");
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn display_width(s: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(s)
}

#[test]
fn json_snapshot() {
    let out = rendered(&common::report(), Format::Json, plain());
    insta::with_settings!({filters => vec![
        (r#""kensa_version": "[^"]*""#, r#""kensa_version": "[VERSION]""#),
    ]}, {
        insta::assert_snapshot!("json", out);
    });
}

#[test]
fn table_snapshot() {
    let out = rendered(&common::report(), Format::Table, plain());
    insta::assert_snapshot!("table", out);
}

#[test]
fn table_with_packages_snapshot() {
    let options = RenderOptions {
        list_packages: true,
        ..plain()
    };
    let out = rendered(&common::report(), Format::Table, options);
    insta::assert_snapshot!("table_with_packages", out);
}

#[test]
fn table_of_a_clean_scan_says_what_ran() {
    let mut report = common::report();
    let artifact = report.artifact.clone();
    let scanners = report.scanners.clone();
    report = Report::new(artifact, scanners, Vec::new(), Vec::new(), Vec::new());
    let out = rendered(&report, Format::Table, plain());
    insta::assert_snapshot!("table_clean", out);
}

#[test]
fn json_is_pretty_with_a_trailing_newline_and_the_schema_version() {
    let out = rendered(&common::report(), Format::Json, plain());
    assert!(out.ends_with("}\n"));
    assert!(out.starts_with("{\n  \"schema_version\": "));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(value["schema_version"], SCHEMA_VERSION);
}

#[test]
fn json_round_trips_into_the_same_report() {
    for report in [common::report(), common::hostile_report()] {
        let out = rendered(&report, Format::Json, plain());
        let back: Report = serde_json::from_str(&out).unwrap();
        assert_eq!(back, report);
    }
}

#[test]
fn json_ignores_display_options() {
    let report = common::report();
    let all = RenderOptions {
        color: true,
        list_packages: true,
        ..plain()
    };
    assert_eq!(
        rendered(&report, Format::Json, plain()),
        rendered(&report, Format::Json, all)
    );
}

#[test]
fn table_shows_no_raw_escape_from_the_image() {
    let report = common::hostile_report();
    for list_packages in [false, true] {
        let options = RenderOptions {
            color: false,
            list_packages,
            ..plain()
        };
        let out = rendered(&report, Format::Table, options);
        for bad in [
            '\x1b', '\x07', '\r', '\x7f', '\u{9b}', '\u{202E}', '\u{2066}',
        ] {
            assert!(!out.contains(bad), "raw {bad:?} in:\n{out}");
        }
        // The planted text is shown, escaped, rather than silently dropped.
        assert!(out.contains("\\x1b[31mred\\x1b[0m"), "{out}");
        assert!(out.contains("\\u{202e}"), "{out}");
        // A carriage return (overwrite-the-line trick) is shown, not turned into a space.
        assert!(out.contains("one\\r\\x1b[1Aline"), "{out}");
    }
}

#[test]
fn colored_table_adds_only_our_sgr_sequences() {
    let report = common::hostile_report();
    let options = RenderOptions {
        color: true,
        list_packages: true,
        ..plain()
    };
    let colored = rendered(&report, Format::Table, options);
    let stripped = strip_sgr(&colored);
    assert!(!stripped.contains('\x1b'), "stray escape in:\n{stripped}");
}

#[test]
fn color_repeats_the_text_and_never_changes_the_layout() {
    let report = common::report();
    for list_packages in [false, true] {
        let plain_out = rendered(
            &report,
            Format::Table,
            RenderOptions {
                color: false,
                list_packages,
                ..plain()
            },
        );
        let colored = rendered(
            &report,
            Format::Table,
            RenderOptions {
                color: true,
                list_packages,
                ..plain()
            },
        );
        assert!(colored.contains("\x1b["), "no colour at all");
        assert_eq!(strip_sgr(&colored), plain_out);
    }
}

#[test]
fn every_table_line_fits_100_columns() {
    for report in [common::report(), common::hostile_report()] {
        let out = rendered(
            &report,
            Format::Table,
            RenderOptions {
                color: false,
                list_packages: true,
                ..plain()
            },
        );
        for line in out.lines() {
            assert!(
                display_width(line) <= 100,
                "{} columns: {line}",
                display_width(line)
            );
        }
    }
}

#[test]
fn table_shows_every_finding_note_and_location() {
    let report = common::report();
    let out = rendered(&report, Format::Table, plain());
    for f in report.findings() {
        assert!(out.contains(&f.id), "{} missing", f.id);
        if let Some(layer) = &f.location.layer {
            assert!(out.contains(layer.short()), "layer of {} missing", f.id);
        }
    }
    for n in &report.notes {
        assert!(out.contains(&n.found_by), "note by {} missing", n.found_by);
    }
    assert!(out.contains("app/config/settings.py:12"));
    assert!(out.contains("requests") && out.contains("2.31.0") && out.contains("2.32.0"));
    assert!(
        out.contains("no fix yet"),
        "a vulnerability without a fix says so"
    );
    assert!(
        !out.contains("Packages ("),
        "packages listed without list_packages"
    );
}

#[test]
fn table_of_hostile_strings_snapshot() {
    let options = RenderOptions {
        color: false,
        list_packages: true,
        ..plain()
    };
    let out = rendered(&common::hostile_report(), Format::Table, options);
    insta::assert_snapshot!("table_hostile", out);
}

#[test]
fn sarif_snapshot() {
    let out = rendered(&common::report(), Format::Sarif, plain());
    insta::assert_snapshot!(out);
}

#[test]
fn sarif_has_a_rule_per_id_a_result_per_finding_and_the_notes() {
    let mut report = common::report();
    let first = report.results[0].findings[0].clone();
    report.suppressed.push(kensa_core::SuppressedFinding {
        finding: first.clone(),
        reason: "accepted until the base image moves to trixie".to_owned(),
    });
    let log: serde_json::Value =
        serde_json::from_str(&rendered(&report, Format::Sarif, plain())).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let findings: Vec<_> = report.results.iter().flat_map(|r| &r.findings).collect();
    assert_eq!(results.len(), findings.len() + 1);
    let mut ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(rules.len(), ids.len());
    for (result, finding) in results.iter().zip(&findings) {
        assert_eq!(result["ruleId"], finding.id.as_str());
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], finding.id.as_str());
        assert!(result["message"]["text"].as_str().unwrap().ends_with('.'));
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(!uri.starts_with('/') && !uri.contains(' '), "{uri}");
        assert!(result.get("suppressions").is_none());
    }
    let dismissed = results.last().unwrap();
    assert_eq!(dismissed["ruleId"], first.id.as_str());
    assert_eq!(dismissed["suppressions"][0]["kind"], "external");
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), report.notes.len());
    // Levels follow severity; GitHub's security-severity is a number in a string.
    for rule in rules {
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
}

#[test]
fn markdown_snapshot() {
    let out = rendered(&common::report(), Format::Markdown, plain());
    insta::assert_snapshot!(out);
}

#[test]
fn markdown_of_hostile_strings_keeps_them_text() {
    let out = rendered(&common::hostile_report(), Format::Markdown, plain());
    assert!(!out.contains('\x1b') && !out.contains('\u{202E}'), "{out}");
    // Every table row has exactly its five cells: no `|` from the image splits one.
    for line in out.lines().filter(|l| l.starts_with("| ")) {
        let cells = line.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "{line}");
    }
    // No HTML but ours outside code spans (which render as text).
    for line in out.lines() {
        let line: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, part)| part)
            .collect();
        let line = line.as_str();
        let unescaped_lt = line
            .match_indices('<')
            .filter(|(i, _)| !line[..*i].ends_with('\\'))
            .filter(|(i, _)| {
                !["<br>", "<details>", "<summary>", "</summary>", "</details>"]
                    .iter()
                    .any(|tag| line[*i..].starts_with(tag))
            })
            .count();
        assert_eq!(unescaped_lt, 0, "{line}");
    }
}

#[test]
fn markdown_stays_under_githubs_comment_limit() {
    let mut report = common::report();
    let template = report.results[0].findings[0].clone();
    let findings: Vec<_> = (0..5_000)
        .map(|i| {
            let mut f = template.clone();
            f.message = Some(format!("occurrence {i} of a finding with a long message"));
            f
        })
        .collect();
    report.results[0].findings = findings;
    let out = rendered(&report, Format::Markdown, plain());
    assert!(out.chars().count() < 65_536, "{}", out.len());
    assert!(out.contains("more findings not shown here"), "{out}");
}
