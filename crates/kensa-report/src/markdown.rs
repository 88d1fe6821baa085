//! GitHub-flavoured Markdown (`--format markdown`), for a pull-request comment: what was
//! scanned, the counts, one table of findings per target (most severe first, with the
//! fix), then the notes and the suppressed findings folded away.
//!
//! Everything from the image or an advisory is escaped, so it renders as the text it is
//! (no links, images, HTML or broken tables), and the whole comment stays under
//! GitHub's 65,536-character limit: rows past the budget are counted, not shown.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use kensa_core::{Finding, Report};

use crate::RenderOptions;
use crate::sanitize::sanitize_for_terminal;
use crate::table::{location_lines, plural, scanner_list, severity_counts};

/// Room left for the rows once the header and the closing parts are written.
const BUDGET: usize = 60_000;

pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    _options: &RenderOptions,
) -> io::Result<()> {
    let mut out = String::new();
    write_comment(&mut out, report).map_err(io::Error::other)?;
    w.write_all(out.as_bytes())
}

fn write_comment(out: &mut String, report: &Report) -> fmt::Result {
    let a = &report.artifact;
    writeln!(out, "### kensa: `{}`\n", code_span(&a.name))?;
    let mut facts = Vec::new();
    if let Some(os) = &a.os {
        facts.push(escape(&format!("{} {}", os.family, os.version)));
    }
    if let Some(digest) = &a.digest {
        facts.push(format!("`{}`", digest.short()));
    }
    facts.push(format!("scanners: {}", scanner_list(&report.scanners)));
    writeln!(out, "{}\n", facts.join(" · "))?;

    let s = &report.summary;
    let findings: usize = s.by_severity.values().sum();
    write!(
        out,
        "**{findings} {}** ({})",
        plural(findings, "finding", "findings"),
        severity_counts(
            s.by_severity
                .iter()
                .flat_map(|(&sev, &n)| std::iter::repeat_n(sev, n))
        )
    )?;
    if s.fixable + s.unfixed > 0 {
        write!(
            out,
            "; vulnerabilities: {} fixable by an upgrade, {} without a fix yet",
            s.fixable, s.unfixed
        )?;
    }
    writeln!(out, ".")?;

    let mut left_out = 0usize;
    for target in report.results.iter().filter(|t| !t.findings.is_empty()) {
        if out.len() >= BUDGET {
            left_out += target.findings.len();
            continue;
        }
        writeln!(
            out,
            "\n#### {} ({})\n",
            escape(&target.target),
            target.findings.len()
        )?;
        writeln!(out, "| severity | id | finding | where | fix |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for finding in &target.findings {
            if out.len() >= BUDGET {
                left_out += 1;
                continue;
            }
            writeln!(out, "{}", row(finding))?;
        }
    }
    if left_out > 0 {
        writeln!(
            out,
            "\n… and {left_out} more {} not shown here (the comment has a size limit); \
             `--format json` or `--format sarif` has them all.",
            plural(left_out, "finding", "findings")
        )?;
    }

    let notes: Vec<String> = report
        .notes
        .iter()
        .map(|note| format!("{}: {}", escape(&note.found_by), escape(&note.message)))
        .collect();
    let noun = plural(notes.len(), "note", "notes");
    write_folded(
        out,
        &format!("{} {noun} (what could not be checked)", notes.len()),
        &notes,
    )?;
    let suppressed: Vec<String> = report
        .suppressed
        .iter()
        .map(|s| {
            format!(
                "`{}` {}: {}",
                code_span(&s.finding.id),
                escape(&s.finding.title),
                escape(&s.reason)
            )
        })
        .collect();
    write_folded(
        out,
        &format!("{} suppressed", suppressed.len()),
        &suppressed,
    )?;
    Ok(())
}

/// A folded list under `summary`, at most 50 items long; nothing when `items` is empty.
fn write_folded(out: &mut String, summary: &str, items: &[String]) -> fmt::Result {
    const SHOWN: usize = 50;
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n<details><summary>{summary}</summary>\n")?;
    for item in items.iter().take(SHOWN) {
        writeln!(out, "- {item}")?;
    }
    if items.len() > SHOWN {
        writeln!(out, "- … {} more in the JSON report", items.len() - SHOWN)?;
    }
    writeln!(out, "\n</details>")
}

fn row(f: &Finding) -> String {
    let mut what = inline(&f.title);
    if let Some(v) = &f.vulnerability {
        let fixed = if v.fixed_versions.is_empty() {
            "no fix yet".to_owned()
        } else {
            v.fixed_versions.join(", ")
        };
        what.push_str(&format!(
            "<br>`{}` {} → {}",
            code_span(&v.package),
            escape(&v.installed_version),
            escape(&fixed)
        ));
    } else if let Some(message) = &f.message {
        what.push_str(&format!("<br>{}", inline(message)));
    }
    let place = location_lines(&f.location, "", f.vulnerability.is_some())
        .iter()
        .map(|l| escape(l))
        .collect::<Vec<_>>()
        .join("<br>");
    let mut severity = f.severity.to_string();
    if let Some(v) = &f.vulnerability {
        if let Some(src) = v
            .severity_source
            .as_ref()
            .filter(|s| s.kind != kensa_core::SourceKind::Advisory)
        {
            severity.push_str(&format!(
                "<br>via {}",
                src.kind.as_str().to_ascii_uppercase()
            ));
        }
        if v.kev.is_some() {
            severity.push_str("<br>**known exploited**");
        }
    }
    format!(
        "| {severity} | `{}` | {what} | {place} | {} |",
        code_span(&f.id),
        inline(&f.remediation)
    )
}

/// Outside text as literal Markdown inside a table cell: the characters that would
/// start a link, an image, HTML, emphasis, a heading or a new cell are escaped, line
/// breaks become spaces, and control characters become visible escapes.
pub(crate) fn escape(text: &str) -> String {
    let text = sanitize_for_terminal(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '!' | '#' | '|' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Outside text that may quote code in backticks (kensa's fix texts, secret messages):
/// [`escape`] outside the code spans; inside them, only what would end the cell or the
/// span. Unbalanced backticks are escaped like any other character.
pub(crate) fn inline(text: &str) -> String {
    let text = sanitize_for_terminal(text);
    if !text.matches('`').count().is_multiple_of(2) {
        return escape(&text).replace('`', "\\`");
    }
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                escape(part)
            } else {
                part.replace('|', "\\|")
            }
        })
        .collect::<Vec<_>>()
        .join("`")
}

/// Text for inside a code span: it cannot hold a backtick or break the table.
fn code_span(text: &str) -> String {
    sanitize_for_terminal(text)
        .chars()
        .map(|c| if matches!(c, '`' | '|') { '\'' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_text_stays_text() {
        assert_eq!(
            escape("see [x](javascript:1) <img src=x> *a_b* | c"),
            "see \\[x\\](javascript:1) \\<img src=x\\> \\*a\\_b\\* \\| c"
        );
        // Controls become visible escapes, whose backslash Markdown must show too.
        assert_eq!(escape("two\nlines\x1b[31m"), "two\\\\nlines\\\\x1b\\[31m");
        assert_eq!(code_span("a`b|c"), "a'b'c");
        assert_eq!(
            inline("Add `USER <uid>` after <this>"),
            "Add `USER <uid>` after \\<this\\>"
        );
        assert_eq!(inline("`a|b` | c"), "`a\\|b` \\| c");
        assert_eq!(inline("odd ` tick <x>"), "odd \\` tick \\<x\\>");
    }
}
