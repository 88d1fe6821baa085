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
            },
        );
        let colored = rendered(
            &report,
            Format::Table,
            RenderOptions {
                color: true,
                list_packages,
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
    };
    let out = rendered(&common::hostile_report(), Format::Table, options);
    insta::assert_snapshot!("table_hostile", out);
}
