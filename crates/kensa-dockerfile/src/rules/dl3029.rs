//! DL3029: FROM with a fixed --platform.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3029;

static META: RuleMeta = RuleMeta {
    id: "DL3029",
    title: "FROM with a fixed --platform",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"A hard-coded platform makes the image build for one architecture even when another is requested, often running under emulation."#,
    fix: r#"Do not use `--platform` with `FROM`, or use `$BUILDPLATFORM`/`$TARGETPLATFORM`."#,
    links: wiki!("DL3029"),
};

impl DockerfileRule for Dl3029 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::From) {
            if let Some(Some(p)) = inst.flag("platform")
                && !(p.contains("BUILDPLATFORM") || p.contains("TARGETPLATFORM"))
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
    fn fires_on_fixed_platform() {
        assert_eq!(
            lines(&Dl3029, "FROM --platform=linux/amd64 debian:12\n"),
            vec![1]
        );
    }

    #[test]
    fn build_platform_is_clean() {
        assert!(lines(&Dl3029, "FROM --platform=$BUILDPLATFORM golang:1.22 AS b\nFROM --platform=${TARGETPLATFORM} debian:12\n").is_empty());
    }

    #[test]
    fn no_flag_is_clean() {
        assert!(lines(&Dl3029, "FROM debian:12\n").is_empty());
    }
}
