//! `docs/rules.md`, generated from the rule registries (STYLE.md K15).
//!
//! The document is a list of sections, one per registry, so another crate's rules
//! (the Dockerfile linter's) join it as one more [`DocSection`].

use std::fmt::Write as _;

use crate::{CONFIG_RULES, CONTENT_RULES, RuleMeta};

/// One registry's rules in the document.
pub struct DocSection<'a> {
    /// The section heading.
    pub title: &'a str,
    /// A paragraph on what these rules look at.
    pub intro: &'a str,
    /// The rules, in registry order.
    pub rules: Vec<&'a RuleMeta>,
}

/// This crate's sections: image config rules, then content rules.
pub fn sections() -> Vec<DocSection<'static>> {
    vec![
        DocSection {
            title: "Image configuration",
            intro: "Checked on the image config (user, env, labels, volumes, ports, history) \
                    and the final filesystem's paths and modes, by `kensa image` with the \
                    `config` scanner.",
            rules: CONFIG_RULES.iter().map(|r| r.meta()).collect(),
        },
        DocSection {
            title: "Image content",
            intro: "Checked on the content of a few files during the layer walk, by \
                    `kensa image` with the `config` scanner; a finding is kept only when \
                    its file survives in the final image.",
            rules: CONTENT_RULES.iter().map(|r| r.meta()).collect(),
        },
    ]
}

/// Renders the whole document.
pub fn render(sections: &[DocSection<'_>]) -> String {
    let mut out = String::new();
    out.push_str(&kensa_core::docs::header(
        "the rule registries",
        "kensa-rules",
    ));
    out.push_str("\n# Rules\n\n");
    out.push_str(
        "Every rule has a stable id (ignore files name it), a default severity and the \
         NIST SP 800-190 section it answers. `kensa rule ID` prints the same text.\n",
    );
    for section in sections {
        let _ = writeln!(out, "\n## {}\n\n{}\n", section.title, section.intro);
        out.push_str("| id | title | severity | SP 800-190 |\n|---|---|---|---|\n");
        for r in &section.rules {
            let _ = writeln!(
                out,
                "| [{id}](#{anchor}) | {title} | {sev} | {code} |",
                id = r.id,
                anchor = r.id.to_ascii_lowercase(),
                title = r.title,
                sev = r.severity,
                code = r.section.code(),
            );
        }
        for r in &section.rules {
            let _ = writeln!(
                out,
                "\n### {id}\n\n**{title}** · {sev} · {code} {name}\n\n**Why.** {why}\n\n**Fix.** {fix}",
                id = r.id,
                title = r.title,
                sev = r.severity,
                code = r.section.code(),
                name = r.section.title(),
                why = r.why.trim(),
                fix = r.fix.trim(),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
        let fresh = kensa_core::docs::check_fresh(&path, &render(&sections()), "kensa-rules");
        assert!(fresh.is_ok(), "{fresh:?}");
    }

    #[test]
    fn every_rule_is_documented_once() {
        let doc = render(&sections());
        for meta in crate::all_rules() {
            let heading = format!("\n### {}\n", meta.id);
            assert_eq!(doc.matches(&heading).count(), 1, "{}", meta.id);
            assert!(doc.contains(meta.fix.trim()), "{} fix missing", meta.id);
        }
    }
}
