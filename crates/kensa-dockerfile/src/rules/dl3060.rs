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
        // Only stages that end up in an image: the last one, and a stage a later FROM
        // builds on (hadolint 2.15 judges so, unlike DL3009 also leaving unnamed stages
        // alone). An `ONBUILD` trigger runs in every image built on this one.
        let stages = &ctx.file.stages;
        let used = |stage: usize| {
            ctx.last_stage() == Some(stage)
                || stages
                    .get(stage)
                    .and_then(|s| s.alias.as_deref())
                    .is_some_and(|alias| {
                        stages
                            .iter()
                            .skip(stage + 1)
                            .any(|s| s.image.registry.is_none() && s.image.name == alias)
                    })
        };
        for run in ctx
            .runs()
            .iter()
            .filter(|r| r.onbuild || r.stage.is_some_and(used))
        {
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
    fn issue_15_only_stages_that_reach_an_image() {
        let unused = "FROM node:20 AS deps\nRUN yarn install\nFROM node:20\nRUN true\n";
        assert!(lines(&Dl3060, unused).is_empty());
        let unnamed = "FROM node:20\nRUN yarn install\nFROM node:20\nRUN true\n";
        assert!(lines(&Dl3060, unnamed).is_empty());
        let built_on = "FROM node:20 AS deps\nRUN yarn install\nFROM deps\nRUN true\n";
        assert_eq!(lines(&Dl3060, built_on), vec![2]);
        let trigger = "FROM node:20 AS deps\nONBUILD RUN yarn install\nFROM node:20\nRUN true\n";
        assert_eq!(lines(&Dl3060, trigger), vec![2]);
    }
}
