//! DL3061: an instruction other than `ARG` before the first `FROM`.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3061;

static META: RuleMeta = RuleMeta {
    id: "DL3061",
    title: "Instruction before the first FROM",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Only `ARG` (and parser directives and comments) may come before the first `FROM`; the builder rejects anything else, so the file does not build as written."#,
    fix: r#"Move the instruction after `FROM`, or turn a value it needs into a global `ARG`."#,
    links: wiki!("DL3061"),
};

impl DockerfileRule for Dl3061 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // Only the first one: once the file is invalid, every later line before `FROM`
        // says the same thing.
        let first = ctx
            .file
            .instructions
            .iter()
            .find(|i| i.stage.is_none() && !matches!(i.keyword, Keyword::Arg | Keyword::From));
        out.extend(first.map(|i| Hit::msg(i, format!("`{}` before `FROM`", i.keyword.as_str()))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_the_first_instruction_before_from() {
        let src = "ARG V=1\nMAINTAINER me\nLABEL a=b\nFROM debian:12\n";
        assert_eq!(lines(&Dl3061, src), vec![2]);
    }

    #[test]
    fn args_and_comments_before_from_are_clean() {
        let src = "# syntax=docker/dockerfile:1\nARG V=1\n# c\nFROM debian:12\nLABEL a=b\n";
        assert!(lines(&Dl3061, src).is_empty());
    }
}
