//! DL3009: apt lists left in the image.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3009;

static META: RuleMeta = RuleMeta {
    id: "DL3009",
    title: "apt lists left in the image",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"`apt-get update` downloads package lists into /var/lib/apt/lists; left in the layer they add tens of megabytes and stale metadata to every image built from this stage."#,
    fix: r#"Delete the apt lists in the same `RUN`: `rm -rf /var/lib/apt/lists/*`, or use a `--mount=type=cache` for `/var/lib/apt/lists`."#,
    links: wiki!("DL3009"),
};

impl DockerfileRule for Dl3009 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // Only stages that can end up in an image matter: the last one, any stage without a
        // name (a later `COPY --from=N` or `FROM` may use it, and hadolint counts it), and a
        // named stage that a later FROM builds on. An `ONBUILD` trigger runs in every image
        // built on this one, whatever its stage.
        let stages = &ctx.file.stages;
        let used = |stage: usize| {
            ctx.last_stage() == Some(stage)
                || stages.get(stage).is_some_and(|s| match s.alias.as_deref() {
                    None => true,
                    Some(alias) => stages
                        .iter()
                        .skip(stage + 1)
                        .any(|s| s.image.registry.is_none() && s.image.name == alias),
                })
        };
        for run in ctx.runs() {
            let tools: Vec<_> = run.tools.iter().collect();
            let updates = tools
                .iter()
                .any(|c| c.is("apt-get", &["update"]) || c.is("apt", &["update"]));
            let cleans = tools
                .iter()
                .any(|c| c.name() == "rm" && c.args().any(|a| a.starts_with("/var/lib/apt/lists")));
            let cached = run.has_cache_mount("/var/lib/apt/lists")
                || (run.has_cache_mount("/var/lib/apt") && run.has_cache_mount("/var/cache/apt"));
            if updates && !cleans && !cached && (run.onbuild || run.stage.is_some_and(used)) {
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
    fn fires_when_lists_are_kept() {
        assert_eq!(
            lines(
                &Dl3009,
                "FROM debian:12\nRUN apt-get update && apt-get install -y curl=1\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn cleanup_or_cache_mount_is_clean() {
        let src = "FROM debian:12\nRUN apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n";
        assert!(lines(&Dl3009, src).is_empty());
    }

    #[test]
    fn unused_builder_stage_is_ignored() {
        let src = "FROM debian:12 AS build\nRUN apt-get update\nFROM debian:12 AS base\nRUN apt-get update\nFROM base\nRUN true\n";
        assert_eq!(lines(&Dl3009, src), vec![4]);
    }

    #[test]
    fn issue_15_unnamed_stages_and_onbuild_triggers_count() {
        let src = "FROM debian:12\nRUN apt-get update\nFROM debian:12 AS unused\nONBUILD RUN apt-get update\nFROM debian:12\nRUN true\n";
        assert_eq!(lines(&Dl3009, src), vec![2, 4]);
    }
}
