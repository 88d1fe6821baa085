//! DL3012: Multiple HEALTHCHECK instructions in a stage.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3012;

static META: RuleMeta = RuleMeta {
    id: "DL3012",
    title: "Multiple HEALTHCHECK instructions in a stage",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Only the last HEALTHCHECK of a stage takes effect; earlier ones are dead code that misleads readers."#,
    fix: r#"Keep one `HEALTHCHECK` per stage."#,
    links: wiki!("DL3012"),
};

impl DockerfileRule for Dl3012 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in 0..ctx.file.stages.len() {
            let checks = ctx
                .file
                .stage_instructions(stage)
                .filter(|i| i.keyword == Keyword::Healthcheck);
            out.extend(checks.skip(1).map(Hit::at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_second_healthcheck() {
        let src = "FROM debian:12\nHEALTHCHECK CMD curl -f http://localhost/\nHEALTHCHECK --interval=5s CMD true\n";
        assert_eq!(lines(&Dl3012, src), vec![3]);
    }

    #[test]
    fn one_healthcheck_is_clean() {
        assert!(lines(&Dl3012, "FROM debian:12\nHEALTHCHECK NONE\n").is_empty());
    }

    #[test]
    fn one_per_stage_is_clean() {
        assert!(
            lines(
                &Dl3012,
                "FROM a:1\nHEALTHCHECK NONE\nFROM b:1\nHEALTHCHECK CMD true\n"
            )
            .is_empty()
        );
    }
}
