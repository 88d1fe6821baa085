//! DL3022: COPY --from names no earlier stage.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3022;

static META: RuleMeta = RuleMeta {
    id: "DL3022",
    title: "COPY --from names no earlier stage",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`COPY --from` with a name that is not a previous stage is pulled as an image from a registry, which is rarely what was meant and may fetch something untrusted."#,
    fix: r#"Reference a previously defined `FROM … AS name` alias, a stage index, or a full image reference."#,
    links: wiki!("DL3022"),
};

impl DockerfileRule for Dl3022 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Copy) {
            let Some(Some(from)) = inst.flag("from") else {
                continue;
            };
            let Some(current) = inst.stage else { continue };
            // The stage itself (by alias or index) counts as known: copying from it is
            // DL3023's finding, and one mistake gets one finding (as in hadolint).
            let earlier = ctx.file.stages.get(..=current).unwrap_or_default();
            let known = from.contains(':')
                || earlier
                    .iter()
                    .any(|s| s.alias.as_deref() == Some(&from.to_ascii_lowercase()))
                || from.parse::<usize>().is_ok_and(|n| n <= current);
            if !known {
                out.push(Hit::msg(
                    inst,
                    format!("`--from={from}` is not a previous stage"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unknown_alias() {
        assert_eq!(
            lines(
                &Dl3022,
                "FROM golang:1.22 AS build\nFROM debian:12\nCOPY --from=builder /out /out\n"
            ),
            vec![3]
        );
    }

    #[test]
    fn alias_index_and_image_are_clean() {
        let src = "FROM golang:1.22 AS Build\nFROM debian:12\nCOPY --from=build /a /a\nCOPY --from=0 /b /b\nCOPY --from=nginx:1.25 /etc/nginx /etc/nginx\n";
        assert!(lines(&Dl3022, src).is_empty());
    }

    #[test]
    fn later_stage_does_not_count() {
        assert_eq!(
            lines(
                &Dl3022,
                "FROM debian:12\nCOPY --from=1 /a /a\nFROM debian:12 AS later\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn issue_15_own_stage_is_left_to_dl3023() {
        let src = "FROM node:20 AS web\nCOPY --from=web /srv /srv\nCOPY --from=0 /x /x\nCOPY --from=1 /x /x\n";
        assert_eq!(lines(&Dl3022, src), vec![4]);
    }
}
