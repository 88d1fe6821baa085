//! DL3065: `FROM --platform=$TARGETPLATFORM`, which is the default.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3065;

static META: RuleMeta = RuleMeta {
    id: "DL3065",
    title: "FROM --platform=$TARGETPLATFORM is redundant",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"A stage is built for the target platform unless told otherwise, so `--platform=$TARGETPLATFORM` changes nothing; it is usually a slip for `$BUILDPLATFORM`, which runs a cross-compiling stage natively."#,
    fix: r#"Drop the flag, or use `--platform=$BUILDPLATFORM` on a stage that cross-compiles."#,
    links: wiki!("DL3065"),
};

impl DockerfileRule for Dl3065 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::From) {
            if let Some(Some(p)) = inst.flag("platform")
                && matches!(p, "$TARGETPLATFORM" | "${TARGETPLATFORM}")
            {
                out.push(Hit::msg(inst, format!("`--platform={p}`")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_the_target_platform() {
        let src = "FROM --platform=$TARGETPLATFORM debian:12\nFROM --platform=${TARGETPLATFORM} debian:12\n";
        assert_eq!(lines(&Dl3065, src), vec![1, 2]);
    }

    #[test]
    fn build_platform_and_no_flag_are_clean() {
        let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nFROM debian:12\n";
        assert!(lines(&Dl3065, src).is_empty());
    }
}
