//! DL4004: Multiple ENTRYPOINT instructions in a stage.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4004;

static META: RuleMeta = RuleMeta {
    id: "DL4004",
    title: "Multiple ENTRYPOINT instructions in a stage",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Only the last ENTRYPOINT of a stage takes effect; the others are dead code that misleads readers."#,
    fix: r#"Keep one `ENTRYPOINT` per stage."#,
    links: wiki!("DL4004"),
};

impl DockerfileRule for Dl4004 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in 0..ctx.file.stages.len() {
            let all = ctx
                .file
                .stage_instructions(stage)
                .filter(|i| i.keyword == Keyword::Entrypoint);
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
            lines(
                &Dl4004,
                "FROM debian:12\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n"
            ),
            vec![3]
        );
    }

    #[test]
    fn one_is_clean() {
        assert!(lines(&Dl4004, "FROM debian:12\nENTRYPOINT [\"a\"]\n").is_empty());
    }

    #[test]
    fn one_per_stage_is_clean() {
        assert!(lines(&Dl4004, "FROM a:1\nENTRYPOINT x\nFROM b:1\nENTRYPOINT y\n").is_empty());
    }
}
