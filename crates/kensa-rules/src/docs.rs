//! `docs/rules.md`, generated from the image rule family (STYLE.md K15).

use kensa_core::docs::{RuleLayout, render_rules};

use crate::IMAGE_RULES;

/// Renders the whole document.
pub fn render() -> String {
    render_rules(
        &IMAGE_RULES,
        "Image rules",
        "Every rule has a stable id (ignore files name it), a default severity and the \
         NIST SP 800-190 section it answers. `kensa rule ID` prints the same text. The \
         Dockerfile linter's rules are in `dockerfile-rules.md`, the secret patterns in \
         `secret-rules.md`.",
        RuleLayout::Sections,
        "kensa-rules",
    )
}

#[cfg(test)]
mod tests {
    use kensa_core::RuleSet as _;

    use super::*;

    #[test]
    fn docs_are_fresh() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
        let fresh = kensa_core::docs::check_fresh(&path, &render(), "kensa-rules");
        assert!(fresh.is_ok(), "{fresh:?}");
    }

    #[test]
    fn every_rule_is_documented_once() {
        let doc = render();
        for meta in IMAGE_RULES.rules() {
            let heading = format!("\n### {}\n", meta.id);
            assert_eq!(doc.matches(&heading).count(), 1, "{}", meta.id);
            assert!(doc.contains(meta.fix.trim()), "{} fix missing", meta.id);
        }
    }
}
