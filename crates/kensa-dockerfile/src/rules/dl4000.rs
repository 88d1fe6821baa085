//! DL4000: MAINTAINER is deprecated.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4000;

static META: RuleMeta = RuleMeta {
    id: "DL4000",
    title: "MAINTAINER is deprecated",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"MAINTAINER has been deprecated since Docker 1.13 and is not part of the OCI image config."#,
    fix: r#"Use `LABEL org.opencontainers.image.authors="…"` instead of `MAINTAINER`."#,
    links: wiki!("DL4000"),
};

impl DockerfileRule for Dl4000 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        out.extend(ctx.all(Keyword::Maintainer).map(Hit::at));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_maintainer() {
        assert_eq!(
            lines(&Dl4000, "FROM debian:12\nMAINTAINER me@example.com\n"),
            vec![2]
        );
    }

    #[test]
    fn label_is_clean() {
        assert!(lines(&Dl4000, "FROM debian:12\nLABEL maintainer=me\n").is_empty());
    }

    #[test]
    fn lower_case_keyword_fires() {
        assert_eq!(lines(&Dl4000, "FROM debian:12\nmaintainer me\n"), vec![2]);
    }

    #[test]
    fn issue_15_maintainer_before_the_first_from_fires() {
        // Before any stage it belongs to no image, and is still the deprecated form.
        assert_eq!(
            lines(&Dl4000, "MAINTAINER ops@example.com\nFROM debian:12\n"),
            vec![1]
        );
    }
}
