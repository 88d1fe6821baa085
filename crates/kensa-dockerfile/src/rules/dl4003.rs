//! DL4003: Multiple CMD instructions in a stage.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4003;

static META: RuleMeta = RuleMeta {
    id: "DL4003",
    title: "Multiple CMD instructions in a stage",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Only the last CMD of a stage takes effect; the others are dead code that misleads readers."#,
    fix: r#"Keep one `CMD` per stage."#,
    links: wiki!("DL4003"),
};

impl DockerfileRule for Dl4003 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in 0..ctx.file.stages.len() {
            let all = ctx
                .file
                .stage_instructions(stage)
                .filter(|i| i.keyword == Keyword::Cmd);
            out.extend(all.skip(1).map(Hit::at));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_second() {
        assert_eq!(
            lines(&Dl4003, "FROM debian:12\nCMD [\"a\"]\nCMD [\"b\"]\n"),
            vec![3]
        );
    }

    #[test]
    fn one_is_clean() {
        assert!(lines(&Dl4003, "FROM debian:12\nCMD [\"a\"]\n").is_empty());
    }

    #[test]
    fn one_per_stage_is_clean() {
        assert!(lines(&Dl4003, "FROM a:1\nCMD x\nFROM b:1\nCMD y\n").is_empty());
    }
}
