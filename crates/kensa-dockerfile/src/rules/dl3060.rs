//! DL3060: yarn cache left in the image.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3060;

static META: RuleMeta = RuleMeta {
    id: "DL3060",
    title: "yarn cache left in the image",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"`yarn install` fills the yarn cache; left in the layer it adds its full size to the image."#,
    fix: r#"Run `yarn cache clean` after `yarn install` in the same `RUN`, or use a cache mount for the yarn cache."#,
    links: wiki!("DL3060"),
};

impl DockerfileRule for Dl3060 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // Unlike DL3009, every stage counts (as in hadolint 2.15): the cache is the first
        // thing a later `COPY --from` of the whole stage would carry along.
        for run in ctx.runs() {
            if run
                .inst
                .flag_values("mount")
                .any(|m| m.contains(".cache/yarn"))
            {
                continue;
            }
            let install = run.tools.iter().position(|c| c.is("yarn", &["install"]));
            let clean = run
                .tools
                .iter()
                .position(|c| c.is("yarn", &["cache"]) && c.has_arg("clean"));
            if let Some(i) = install
                && clean.is_none_or(|c| c < i)
            {
                out.push(run.hit(None));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_cache_clean() {
        assert_eq!(
            lines(
                &Dl3060,
                "FROM node:20\nRUN yarn install --frozen-lockfile\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn clean_or_mount_is_clean() {
        let src = "FROM node:20\nRUN yarn install && yarn cache clean\nRUN --mount=type=cache,target=/usr/local/share/.cache/yarn yarn install\n";
        assert!(lines(&Dl3060, src).is_empty());
    }

    #[test]
    fn issue_15_every_stage_and_onbuild_triggers_count() {
        let src =
            "FROM node:20 AS build\nRUN yarn install\nONBUILD RUN yarn install\nFROM nginx:1.25\n";
        assert_eq!(lines(&Dl3060, src), vec![2, 3]);
    }
}
