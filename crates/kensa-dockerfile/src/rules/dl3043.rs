//! DL3043: ONBUILD triggers ONBUILD, FROM or MAINTAINER.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3043;

static META: RuleMeta = RuleMeta {
    id: "DL3043",
    title: "ONBUILD triggers ONBUILD, FROM or MAINTAINER",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Docker forbids chaining ONBUILD and triggering FROM or MAINTAINER; the downstream build fails."#,
    fix: r#"Remove the `ONBUILD ONBUILD`, `ONBUILD FROM` or `ONBUILD MAINTAINER` instruction."#,
    links: wiki!("DL3043"),
};

impl DockerfileRule for Dl3043 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Onbuild) {
            if let Some(t) = inst.trigger.as_deref()
                && matches!(
                    t.keyword,
                    Keyword::Onbuild | Keyword::From | Keyword::Maintainer
                )
            {
                out.push(Hit::msg(inst, format!("`ONBUILD {}`", t.keyword)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_onbuild_from() {
        assert_eq!(
            lines(&Dl3043, "FROM debian:12\nONBUILD FROM alpine:3\n"),
            vec![2]
        );
    }

    #[test]
    fn onbuild_run_is_clean() {
        assert!(
            lines(
                &Dl3043,
                "FROM debian:12\nONBUILD RUN make\nONBUILD COPY . /src\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn nested_onbuild_fires() {
        assert_eq!(
            lines(&Dl3043, "FROM debian:12\nonbuild onbuild run x\n"),
            vec![2]
        );
    }
}
