//! The reference documents generated from the registry (STYLE.md K15) by the freshness
//! test: `docs/analyzers.md` from the analyzers, and each rule family's document (its
//! [`RuleSet::doc`](kensa_core::RuleSet::doc)) from the family.

use std::fmt::Write as _;

use crate::{Analyzers, ScanOptions};

/// Renders the whole document from the analyzers a scan with every scanner runs.
pub(crate) fn render() -> String {
    let mut out = String::new();
    out.push_str(&kensa_core::docs::header(
        "the analyzer registries",
        "kensa-scan",
    ));
    out.push_str("\n# Analyzers\n\n");
    out.push_str(
        "What the layer walker hands to whom. Every analyzer declares the paths it reads; \
         the walker reads each layer once, in one pass, and gives each analyzer only its \
         files (up to its size limit). The same analyzers run on images (`kensa image`), \
         root filesystems (`kensa rootfs`) and source trees (`kensa fs`). Inventory \
         analyzers always run; the others run with their scanner (`--scanners`). \
         Analyzers that read every file look at its first 8 KiB before its content is \
         buffered and decline what is not theirs: the Go and Rust binary analyzers \
         anything but ELF, Mach-O and PE executables, the secret scanner binaries. What \
         happens to \
         an analyzer's findings once the layers are stacked is its own declaration: \
         findings about a file a later layer deleted are dropped unless they *outlive \
         deletion*, and *allowlisted* findings are dropped on the paths the scan's \
         allowlist allows (the union of what analyzers *serve* as one).\n\n",
    );
    out.push_str(
        "| analyzer | scanner | reads | size limit | findings | serves |\n\
         |---|---|---|---|---|---|\n",
    );
    let analyzers = Analyzers::new(&ScanOptions::default());
    let Ok(analyzers) = analyzers else {
        return out;
    };
    let mut all = analyzers.selected(&kensa_core::Scanner::ALL);
    all.sort_by_key(|a| (a.scanner().map(|s| s.as_str()), a.id()));
    for analyzer in all {
        let reads: Vec<String> = analyzer.wants().iter().map(ToString::to_string).collect();
        let limit = analyzer.max_file_size();
        let limit = if limit == 0 {
            "none (streamed)".to_owned()
        } else if limit >= 1 << 20 {
            format!("{} MiB", limit >> 20)
        } else {
            format!("{} KiB", limit >> 10)
        };
        let policy = analyzer.finding_policy();
        let findings: Vec<&str> = [
            (policy.survives_deletion, "outlive deletion"),
            (policy.allowlisted, "allowlisted"),
        ]
        .into_iter()
        .filter_map(|(on, what)| on.then_some(what))
        .collect();
        let serves: Vec<&str> = [
            (analyzer.path_allowlist().is_some(), "path allowlist"),
            (analyzer.text_scanner().is_some(), "config-string scanner"),
        ]
        .into_iter()
        .filter_map(|(on, what)| on.then_some(what))
        .collect();
        let _ = writeln!(
            out,
            "| `{id}` | {scanner} | {reads} | {limit} | {findings} | {serves} |",
            id = analyzer.id(),
            scanner = analyzer.scanner().map_or("inventory", |s| s.as_str()),
            reads = reads.join(", ").replace('|', "\\|"),
            findings = findings.join(", "),
            serves = serves.join(", "),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use kensa_core::docs::{RuleLayout, check_fresh, render_rules};

    use crate::registry::RULE_SETS;

    const PACKAGE: &str = "kensa-scan";

    #[test]
    fn docs_are_fresh() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut stale = Vec::new();
        stale.extend(check_fresh(&root.join("docs/analyzers.md"), &super::render(), PACKAGE).err());
        for set in RULE_SETS {
            let doc = render_rules(*set, PACKAGE);
            stale.extend(check_fresh(&root.join(set.doc().path), &doc, PACKAGE).err());
        }
        assert!(stale.is_empty(), "{stale:#?}");
    }

    #[test]
    fn every_family_has_its_own_document_listing_each_rule_once() {
        let mut paths: Vec<&str> = RULE_SETS.iter().map(|s| s.doc().path).collect();
        paths.push("docs/analyzers.md");
        let count = paths.len();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), count, "two documents share a path: {paths:?}");
        for set in RULE_SETS {
            let doc = render_rules(*set, PACKAGE);
            for rule in set.rules() {
                let entry = match set.doc().layout {
                    RuleLayout::Sections => format!("\n### {}\n", rule.id),
                    RuleLayout::Table => format!("| `{}` |", rule.id),
                };
                assert_eq!(doc.matches(&entry).count(), 1, "{}", rule.id);
                if set.doc().layout == RuleLayout::Sections {
                    assert!(doc.contains(rule.fix.trim()), "{} fix missing", rule.id);
                }
            }
        }
    }
}
