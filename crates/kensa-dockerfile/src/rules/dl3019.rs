//! DL3019: apk add keeps its cache.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3019;

static META: RuleMeta = RuleMeta {
    id: "DL3019",
    title: "apk add keeps its cache",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Without `--no-cache`, apk stores the index and downloaded packages in /var/cache/apk, growing the layer for nothing."#,
    fix: r#"Use `apk add --no-cache`, or a `--mount=type=cache` for `/var/cache/apk`."#,
    links: wiki!("DL3019"),
};

impl DockerfileRule for Dl3019 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in ctx.runs() {
            if run.has_cache_mount("/var/cache/apk") {
                continue;
            }
            if run
                .tools
                .iter()
                .any(|c| c.is("apk", &["add"]) && !c.has_flag("no-cache"))
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
    fn fires_without_no_cache() {
        assert_eq!(
            lines(
                &Dl3019,
                "FROM alpine:3.19\nRUN apk update && apk add curl=8\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn no_cache_is_clean() {
        assert!(lines(&Dl3019, "FROM alpine:3.19\nRUN apk add --no-cache curl=8\n").is_empty());
    }

    #[test]
    fn cache_mount_is_clean() {
        assert!(
            lines(
                &Dl3019,
                "FROM alpine:3.19\nRUN --mount=type=cache,target=/var/cache/apk apk add curl=8\n"
            )
            .is_empty()
        );
    }
}
