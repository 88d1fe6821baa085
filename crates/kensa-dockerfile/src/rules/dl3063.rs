//! DL3063: a stage named with a word the builder reserves.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3063;

static META: RuleMeta = RuleMeta {
    id: "DL3063",
    title: "Stage name is a reserved word",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`scratch` is the builder's empty image and `context` names the build context (`COPY --from=context`, BuildKit's named contexts): a stage called either makes later `FROM` and `--from` references mean something other than they read."#,
    fix: r#"Give the stage another name (`AS build`, `AS runtime`)."#,
    links: wiki!("DL3063"),
};

/// The names `FROM` and `--from` already give a meaning to.
const RESERVED: &[&str] = &["scratch", "context"];

impl DockerfileRule for Dl3063 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in &ctx.file.stages {
            let Some(alias) = stage.alias.as_deref() else {
                continue;
            };
            if RESERVED.contains(&alias)
                && let Some(inst) = ctx.file.instructions.get(stage.instruction)
            {
                out.push(Hit::msg(inst, format!("`AS {alias}`")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_reserved_names() {
        let src = "FROM debian:12 AS scratch\nFROM debian:12 AS context\nFROM debian:12 AS build\n";
        assert_eq!(lines(&Dl3063, src), vec![1, 2]);
    }

    #[test]
    fn from_scratch_and_other_names_are_clean() {
        let src = "FROM scratch AS base\nFROM debian:12 AS scratchpad\n";
        assert!(lines(&Dl3063, src).is_empty());
    }
}
