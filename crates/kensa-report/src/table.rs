//! The terminal table, in the spirit of Trivy's: the artifact, then per target a title,
//! its severity counts and a table of findings, then the notes (what could not be
//! checked) and a summary.
//!
//! Severity is always written out, so colour only repeats what the text says. The table
//! is laid out for 100 columns: long cells wrap or end in `…`.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use kensa_core::report::IMAGE_CONFIG_TARGET;
use kensa_core::{
    ArtifactKind, Finding, Location, NoteLevel, Package, Report, ScanNote, Scanner, Severity,
    SourceKind, TargetResult, VerifiedSignature,
};

use crate::grid::{Cell, Column, Fit, Grid, display_width, truncate};
use crate::sanitize::sanitize_for_terminal;
use crate::{RenderOptions, SortBy};

/// The width the output fits, borders included. A fixed width keeps output identical
/// between a terminal, a pipe and CI logs, and 100 columns fit a laptop terminal.
const WIDTH: usize = 100;

pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    options: &RenderOptions,
) -> io::Result<()> {
    // Built in memory so the writer sees one write: stdout is often unbuffered, and a
    // report is at most a few megabytes.
    let mut out = String::new();
    write_report(&mut out, report, options)
        .map_err(|_| io::Error::other("formatting the table report failed"))?;
    w.write_all(out.as_bytes())
}

fn write_report(out: &mut String, report: &Report, options: &RenderOptions) -> fmt::Result {
    write_header(out, report)?;
    let mut any_findings = false;
    for target in report.results.iter().filter(|t| !t.findings.is_empty()) {
        any_findings = true;
        write_target(out, target, options, sort_of(report, options.sort_by))?;
    }
    if !any_findings {
        writeln!(out)?;
        if report.scanners.is_empty() {
            writeln!(out, "No findings: no scanner ran.")?;
        } else {
            writeln!(
                out,
                "No findings from the scanners that ran ({}).",
                scanner_list(&report.scanners)
            )?;
        }
    }
    if options.list_packages {
        write_packages(out, &report.packages)?;
    }
    write_signatures(out, &report.signatures)?;
    write_notes(out, &report.notes, options.color)?;
    write_summary(out, report)
}

fn write_header(out: &mut String, report: &Report) -> fmt::Result {
    let a = &report.artifact;
    let mut fields: Vec<(&str, String)> = vec![
        ("Artifact", a.name.clone()),
        ("Kind", kind_name(a.kind).to_owned()),
    ];
    if let Some(d) = &a.digest {
        fields.push(("Digest", d.short().to_owned()));
    }
    if let Some(d) = &a.manifest_digest {
        fields.push(("Manifest", d.short().to_owned()));
    }
    if !a.repo_tags.is_empty() {
        fields.push(("Tags", a.repo_tags.join(", ")));
    }
    if let Some(os) = &a.os {
        let mut s = format!("{} {}", os.family, os.version);
        if let Some(codename) = &os.codename {
            s.push_str(&format!(" ({codename})"));
        }
        fields.push(("OS", s));
    }
    if let Some(platform) = &a.platform {
        fields.push(("Platform", platform.clone()));
    }
    if !a.layers.is_empty() {
        fields.push(("Layers", a.layers.len().to_string()));
    }
    fields.push(("Scanners", scanner_list(&report.scanners)));
    for (label, value) in fields {
        let value = sanitize_for_terminal(&value);
        let value = truncate(&value, WIDTH.saturating_sub(10));
        writeln!(out, "{label:<9} {value}")?;
    }
    Ok(())
}

/// What `SortBy::Auto` means for this report.
fn sort_of(report: &Report, sort: SortBy) -> SortBy {
    if sort != SortBy::Auto {
        return sort;
    }
    let enriched = report
        .findings()
        .filter_map(|f| f.vulnerability.as_ref())
        .any(|v| {
            v.kev.is_some()
                || v.epss.is_some()
                || v.exploitation.is_some()
                || v.severity_source
                    .as_ref()
                    .is_some_and(|s| s.kind != SourceKind::Advisory)
        });
    if enriched {
        SortBy::Priority
    } else {
        SortBy::Severity
    }
}

/// Orders vulnerability findings; the report's canonical order (severity, id, location)
/// breaks ties, as the sort is stable.
fn sort_findings(findings: &mut [&Finding], sort: SortBy) {
    let details = |f: &Finding| f.vulnerability.clone().unwrap_or_default();
    match sort {
        SortBy::Auto | SortBy::Severity => {}
        SortBy::Priority => findings
            .sort_by_cached_key(|f| kensa_enrich::priority_sort_key(f.severity, &details(f))),
        SortBy::Epss => findings.sort_by_cached_key(|f| {
            let e = details(f).epss.map_or(0.0, |e| e.score);
            std::cmp::Reverse((e * 1_000_000.0).round() as u64)
        }),
        SortBy::Kev => {
            findings.sort_by_cached_key(|f| std::cmp::Reverse(details(f).kev.map(|k| k.date_added)))
        }
    }
}

fn write_target(
    out: &mut String,
    target: &TargetResult,
    options: &RenderOptions,
    sort: SortBy,
) -> fmt::Result {
    let color = options.color;
    writeln!(out)?;
    let title = sanitize_for_terminal(&target.target);
    let title = truncate(&title, WIDTH);
    writeln!(out, "{title}")?;
    writeln!(out, "{}", "=".repeat(display_width(&title)))?;
    writeln!(
        out,
        "Total: {} ({})",
        target.findings.len(),
        severity_counts(target.findings.iter().map(|f| f.severity))
    )?;
    for scanner in Scanner::ALL {
        let mut findings: Vec<&Finding> = target
            .findings
            .iter()
            .filter(|f| f.scanner == scanner)
            .collect();
        if findings.is_empty() {
            continue;
        }
        let grouped = scanner == Scanner::Vuln && options.group_by_fix;
        if scanner == Scanner::Vuln {
            sort_findings(&mut findings, sort);
            if grouped {
                // Groups in the order of their first (most urgent) finding; unfixable last.
                let mut order: Vec<(String, Option<String>)> = Vec::new();
                for f in &findings {
                    let key = fix_key(f);
                    if !order.contains(&key) {
                        order.push(key);
                    }
                }
                order.sort_by_key(|k| k.1.is_none());
                findings.sort_by_key(|f| {
                    let key = fix_key(f);
                    order.iter().position(|k| *k == key)
                });
            }
        }
        let view = FindingView::for_scanner(scanner);
        let columns: Vec<Column> = view.columns.iter().map(|c| c.column()).collect();
        let mut grid = Grid::new(&columns);
        let mut current: Option<(String, Option<String>)> = None;
        for finding in &findings {
            if grouped {
                let key = fix_key(finding);
                if current.as_ref() != Some(&key) {
                    let n = findings.iter().filter(|f| fix_key(f) == key).count();
                    grid.span(vec![match &key.1 {
                        Some(v) => format!(
                            "Upgrade {} to {v}: fixes {n} {}",
                            key.0,
                            plural(n, "vulnerability", "vulnerabilities")
                        ),
                        None => format!(
                            "{}: {n} {} without a fix yet",
                            key.0,
                            plural(n, "vulnerability", "vulnerabilities")
                        ),
                    }]);
                    current = Some(key);
                }
            }
            let mut cells: Vec<Cell> = view.columns.iter().map(|c| c.cell(finding)).collect();
            if scanner == Scanner::Vuln
                && let Some(i) = view
                    .columns
                    .iter()
                    .position(|c| matches!(c, FindingColumn::Severity))
                && let Some(cell) = cells.get_mut(i)
            {
                *cell = severity_cell(finding, sort == SortBy::Priority);
            }
            grid.row(cells);
            if view.fix_row {
                let fix = fix_paragraphs(finding);
                if !fix.is_empty() {
                    grid.span(fix);
                }
            }
        }
        writeln!(out)?;
        writeln!(out, "{} ({})", scanner_heading(scanner), findings.len())?;
        grid.write(out, WIDTH, color)?;
    }
    Ok(())
}

/// The columns a finding table shows for one scanner.
///
/// Vulnerability findings show the package, installed and fixed versions as columns,
/// as Trivy's vulnerability table does; the fix row would only repeat the fixed version.
struct FindingView {
    columns: &'static [FindingColumn],
    /// Print the remediation and first reference under each finding.
    fix_row: bool,
}

impl FindingView {
    const VULN: FindingView = FindingView {
        columns: &[
            FindingColumn::Package,
            FindingColumn::Id,
            FindingColumn::Severity,
            FindingColumn::Installed,
            FindingColumn::Fixed,
            FindingColumn::Title,
        ],
        fix_row: false,
    };
    const OTHER: FindingView = FindingView {
        columns: &[
            FindingColumn::Id,
            FindingColumn::Severity,
            FindingColumn::Title,
            FindingColumn::Location,
            FindingColumn::Message,
        ],
        fix_row: true,
    };

    fn for_scanner(scanner: Scanner) -> &'static FindingView {
        match scanner {
            Scanner::Vuln => &Self::VULN,
            Scanner::Config | Scanner::Secret | Scanner::Malware => &Self::OTHER,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum FindingColumn {
    /// The id, with the SP 800-190 section under it.
    Id,
    Severity,
    Title,
    /// Path and line first, then package and layer.
    Location,
    /// The affected package, with its layer under it.
    Package,
    /// The installed version.
    Installed,
    /// The fixed versions, or that there is no fix.
    Fixed,
    Message,
}

impl FindingColumn {
    fn column(self) -> Column {
        let (header, min, max, fit) = match self {
            FindingColumn::Id => ("ID", 19, 22, Fit::Truncate),
            FindingColumn::Severity => ("Severity", 8, 8, Fit::Truncate),
            FindingColumn::Title => ("Title", 16, 40, Fit::Wrap(3)),
            FindingColumn::Location => ("Location", 16, 34, Fit::Wrap(6)),
            FindingColumn::Package => ("Package", 12, 30, Fit::Wrap(4)),
            FindingColumn::Installed => ("Installed", 9, 24, Fit::Wrap(3)),
            FindingColumn::Fixed => ("Fixed", 9, 24, Fit::Wrap(3)),
            FindingColumn::Message => ("Message", 16, 60, Fit::Wrap(4)),
        };
        Column {
            header,
            min,
            max,
            fit,
        }
    }

    fn cell(self, f: &Finding) -> Cell {
        match self {
            FindingColumn::Id => Cell::lines(vec![f.id.clone(), format!("§{}", f.section.code())]),
            FindingColumn::Severity => {
                Cell::new(f.severity.as_str()).styled(severity_style(f.severity))
            }
            FindingColumn::Title => Cell::new(f.title.clone()),
            FindingColumn::Location => {
                Cell::lines(location_lines(&f.location, IMAGE_CONFIG_TARGET, false))
            }
            FindingColumn::Package => {
                let name = f
                    .vulnerability
                    .as_ref()
                    .map(|v| v.package.clone())
                    .or_else(|| f.location.package.clone())
                    .unwrap_or_default();
                let mut lines = vec![name];
                match (f.location.layer_index, &f.location.layer) {
                    (Some(index), Some(layer)) => {
                        lines.push(format!("layer {index}: {}", layer.short()))
                    }
                    (None, Some(layer)) => lines.push(format!("layer {}", layer.short())),
                    _ => {}
                }
                Cell::lines(lines)
            }
            FindingColumn::Installed => Cell::new(
                f.vulnerability
                    .as_ref()
                    .map(|v| v.installed_version.clone())
                    .unwrap_or_default(),
            ),
            FindingColumn::Fixed => Cell::new(match &f.vulnerability {
                Some(v) if v.fixed_versions.is_empty() => "no fix yet".to_owned(),
                Some(v) => v.fixed_versions.join(", "),
                None => String::new(),
            }),
            FindingColumn::Message => Cell::new(f.message.clone().unwrap_or_default()),
        }
    }
}

/// The package and the version that fixes it, for `--group-by fix`.
fn fix_key(f: &Finding) -> (String, Option<String>) {
    match &f.vulnerability {
        Some(v) => (v.package.clone(), v.fix_group.clone()),
        None => (String::new(), None),
    }
}

/// The severity, then where it came from when that is a CVE record rather than the
/// advisory, then (when sorted by priority) the rank and a KEV mark.
fn severity_cell(f: &Finding, show_priority: bool) -> Cell {
    let mut lines = vec![f.severity.as_str().to_owned()];
    if let Some(v) = &f.vulnerability {
        if let Some(src) = &v.severity_source
            && src.kind != SourceKind::Advisory
        {
            lines.push(format!("via {}", src.kind.as_str().to_ascii_uppercase()));
        }
        if show_priority && let Some(p) = &v.priority {
            let mark = if v.kev.is_some() { " KEV" } else { "" };
            lines.push(format!("P{}{mark}", p.rank));
        }
    }
    Cell::lines(lines).styled(severity_style(f.severity))
}

fn fix_paragraphs(f: &Finding) -> Vec<String> {
    let mut paragraphs = Vec::new();
    if !f.remediation.trim().is_empty() {
        paragraphs.push(format!("Fix: {}", f.remediation));
    }
    if let Some(first) = f.references.first() {
        let more = f.references.len().saturating_sub(1);
        if more == 0 {
            paragraphs.push(format!("See: {first}"));
        } else {
            paragraphs.push(format!("See: {first} (+{more} more in the JSON report)"));
        }
    }
    paragraphs
}

/// The lines of a location cell. `no_path` names what a location without a path is
/// about; the layer line says which build step to change.
pub(crate) fn location_lines(loc: &Location, no_path: &str, package_first: bool) -> Vec<String> {
    let place = match (&loc.path, loc.line) {
        (Some(path), Some(line)) => format!("{path}:{line}"),
        (Some(path), None) => path.clone(),
        (None, _) => no_path.to_owned(),
    };
    let mut lines = Vec::with_capacity(3);
    if package_first && let Some(package) = &loc.package {
        lines.push(package.clone());
    }
    if !place.is_empty() {
        lines.push(place);
    }
    if let Some(member) = &loc.member {
        lines.push(format!("member {member}"));
    }
    if !package_first && let Some(package) = &loc.package {
        lines.push(package.clone());
    }
    // A manifest finding: which document of the file, and which field in it.
    lines.extend(loc.document.iter().map(|d| format!("doc {d}")));
    lines.extend(loc.field.iter().cloned());
    match (loc.layer_index, &loc.layer) {
        (Some(i), Some(d)) => lines.push(format!("layer {i}: {}", d.short())),
        (None, Some(d)) => lines.push(format!("layer {}", d.short())),
        (Some(i), None) => lines.push(format!("layer {i}")),
        (None, None) => {}
    }
    if loc.deleted {
        lines.push("deleted by a later layer".to_owned());
    }
    if lines.is_empty() {
        lines.push("-".to_owned());
    }
    lines
}

fn write_packages(out: &mut String, packages: &[Package]) -> fmt::Result {
    writeln!(out)?;
    writeln!(out, "Packages ({})", packages.len())?;
    if packages.is_empty() {
        return writeln!(out, "No packages found.");
    }
    let columns = [
        Column {
            header: "Ecosystem",
            min: 9,
            max: 9,
            fit: Fit::Truncate,
        },
        Column {
            header: "Name",
            min: 12,
            max: 40,
            fit: Fit::Wrap(3),
        },
        Column {
            header: "Version",
            min: 10,
            max: 32,
            fit: Fit::Wrap(3),
        },
        Column {
            header: "Location",
            min: 16,
            max: 60,
            fit: Fit::Wrap(4),
        },
    ];
    let mut grid = Grid::new(&columns);
    for p in packages {
        grid.row(vec![
            Cell::new(p.ecosystem.as_str()),
            Cell::new(p.name.clone()),
            Cell::new(p.version.clone()),
            Cell::lines(location_lines(&p.location, "-", false)),
        ]);
    }
    grid.write(out, WIDTH, false)
}

/// The image signatures that verified (`--verify-signature`), one line each; the key
/// of a Notary Project signature is a certificate subject, so it is sanitized.
fn write_signatures(out: &mut String, signatures: &[VerifiedSignature]) -> fmt::Result {
    if signatures.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Signatures verified ({})", signatures.len())?;
    for s in signatures {
        writeln!(
            out,
            "  {} signature of {} by `{}` ({}) at {}",
            s.method,
            s.digest,
            sanitize_for_terminal(&s.key),
            sanitize_for_terminal(&s.key_source),
            sanitize_for_terminal(&s.location)
        )?;
    }
    Ok(())
}

fn write_notes(out: &mut String, notes: &[ScanNote], color: bool) -> fmt::Result {
    if notes.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Notes: what kensa could not check ({})", notes.len())?;
    let columns = [
        Column {
            header: "Level",
            min: 7,
            max: 7,
            fit: Fit::Truncate,
        },
        Column {
            header: "Found by",
            min: 8,
            max: 20,
            fit: Fit::Truncate,
        },
        Column {
            header: "Location",
            min: 16,
            max: 34,
            fit: Fit::Wrap(6),
        },
        Column {
            header: "Message",
            min: 20,
            max: 60,
            fit: Fit::Wrap(6),
        },
    ];
    let mut grid = Grid::new(&columns);
    for note in notes {
        let (level, style) = note_level(note.level);
        grid.row(vec![
            Cell::new(level).styled(style),
            Cell::new(note.found_by.clone()),
            Cell::lines(location_lines(&note.location, "-", false)),
            Cell::new(note.message.clone()),
        ]);
    }
    grid.write(out, WIDTH, color)
}

fn write_summary(out: &mut String, report: &Report) -> fmt::Result {
    let s = &report.summary;
    let findings: usize = s.by_severity.values().sum();
    writeln!(out)?;
    let exploited = if s.known_exploited > 0 {
        format!("{} known exploited, ", s.known_exploited)
    } else {
        String::new()
    };
    writeln!(
        out,
        "Summary: {exploited}{findings} {} ({}), {} {}, {} {}",
        plural(findings, "finding", "findings"),
        severity_counts(
            s.by_severity
                .iter()
                .flat_map(|(&sev, &n)| std::iter::repeat_n(sev, n))
        ),
        s.packages,
        plural(s.packages, "package", "packages"),
        s.notes,
        plural(s.notes, "note", "notes"),
    )?;
    // Scanners that ran are listed even with no findings, so "0" reads as "checked,
    // clean" rather than "not run"; a count from a scanner not listed as run is still
    // shown rather than dropped.
    let mut scanners: Vec<Scanner> = report.scanners.clone();
    scanners.extend(s.by_scanner.keys().filter(|k| !report.scanners.contains(k)));
    let by_scanner: Vec<String> = scanners
        .iter()
        .map(|k| format!("{k} {}", s.by_scanner.get(k).copied().unwrap_or(0)))
        .collect();
    if !by_scanner.is_empty() {
        writeln!(out, "By scanner: {}", by_scanner.join(", "))?;
    }
    if s.fixable + s.unfixed > 0 {
        writeln!(
            out,
            "Vulnerabilities: {} fixable by an upgrade, {} without a fix yet",
            s.fixable, s.unfixed
        )?;
    }
    Ok(())
}

pub(crate) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `CRITICAL: 1, HIGH: 0, …`, most severe first, every level listed so that a zero is
/// visibly a zero.
pub(crate) fn severity_counts(severities: impl Iterator<Item = Severity>) -> String {
    let mut counts = [0usize; Severity::ALL.len()];
    for sev in severities {
        if let Some(i) = Severity::ALL.iter().position(|s| *s == sev)
            && let Some(n) = counts.get_mut(i)
        {
            *n = n.saturating_add(1);
        }
    }
    Severity::ALL
        .iter()
        .zip(counts)
        .rev()
        .map(|(sev, n)| format!("{sev}: {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn scanner_list(scanners: &[Scanner]) -> String {
    if scanners.is_empty() {
        return "none".to_owned();
    }
    scanners
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn scanner_heading(scanner: Scanner) -> &'static str {
    match scanner {
        Scanner::Vuln => "Vulnerabilities",
        Scanner::Config => "Misconfigurations",
        Scanner::Secret => "Secrets",
        Scanner::Malware => "Malware",
    }
}

fn kind_name(kind: ArtifactKind) -> &'static str {
    match kind {
        ArtifactKind::DockerArchive => "docker-archive",
        ArtifactKind::OciLayout => "oci-layout",
        ArtifactKind::OciArchive => "oci-archive",
        ArtifactKind::Registry => "registry",
        ArtifactKind::Rootfs => "rootfs",
        ArtifactKind::Filesystem => "filesystem",
    }
}

fn severity_style(severity: Severity) -> Style {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match severity {
        Severity::Critical => fg(AnsiColor::Red).bold(),
        Severity::High => fg(AnsiColor::Red),
        Severity::Medium => fg(AnsiColor::Yellow),
        Severity::Low => fg(AnsiColor::Blue),
        Severity::Unknown => Style::new(),
    }
}

fn note_level(level: NoteLevel) -> (&'static str, Style) {
    let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
    match level {
        NoteLevel::Error => ("ERROR", fg(AnsiColor::Red)),
        NoteLevel::Warning => ("WARNING", fg(AnsiColor::Yellow)),
        NoteLevel::Info => ("INFO", Style::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_counts_lists_every_level_most_severe_first() {
        let sevs = [Severity::Low, Severity::Critical, Severity::Low];
        assert_eq!(
            severity_counts(sevs.into_iter()),
            "CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 2, UNKNOWN: 0"
        );
    }

    #[test]
    fn location_lines_order_and_fallbacks() {
        let layer: kensa_core::Digest = format!("sha256:{}", "ab".repeat(32)).parse().unwrap();
        let loc = Location {
            layer: Some(layer),
            layer_index: Some(2),
            path: Some("var/lib/dpkg/status".into()),
            line: Some(40),
            package: Some("openssl@3.0.11".into()),
            ..Location::default()
        };
        assert_eq!(
            location_lines(&loc, "-", true),
            [
                "openssl@3.0.11",
                "var/lib/dpkg/status:40",
                "layer 2: abababababab"
            ]
        );
        assert_eq!(
            location_lines(&loc, "-", false),
            [
                "var/lib/dpkg/status:40",
                "openssl@3.0.11",
                "layer 2: abababababab"
            ]
        );
        assert_eq!(
            location_lines(&Location::default(), "image config", false),
            ["image config"]
        );
        let member = Location {
            path: Some("app/app.jar".into()),
            member: Some("lib/x.jar/eicar.com".into()),
            layer_index: Some(0),
            deleted: true,
            ..Location::default()
        };
        assert_eq!(
            location_lines(&member, "-", false),
            [
                "app/app.jar",
                "member lib/x.jar/eicar.com",
                "layer 0",
                "deleted by a later layer"
            ]
        );
    }
}
