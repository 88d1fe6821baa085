//! DL3018: apk add without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3018;

static META: RuleMeta = RuleMeta {
    id: "DL3018",
    title: "apk add without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned Alpine packages install whatever the repository has at build time, so rebuilds differ silently."#,
    fix: r#"Pin versions in apk add: `apk add <package>=<version>`."#,
    links: wiki!("DL3018"),
};

impl DockerfileRule for Dl3018 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if !c.is("apk", &["add"]) {
                return None;
            }
            let unpinned: Vec<&str> = c
                .operands(&["t", "virtual", "repository", "X", "p", "root"])
                .into_iter()
                .filter(|p| *p != "add")
                .filter(|p| {
                    !(["=", "~", ">", "<"].iter().any(|s| p.contains(s)) || p.ends_with(".apk"))
                })
                .collect();
            (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned_package() {
        assert_eq!(
            lines(&Dl3018, "FROM alpine:3.19\nRUN apk add --no-cache curl\n"),
            vec![2]
        );
    }

    #[test]
    fn pinned_and_files_are_clean() {
        assert!(
            lines(
                &Dl3018,
                "FROM alpine:3.19\nRUN apk add --no-cache curl=8.5.0-r0 'git>2' ./x.apk\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn virtual_name_is_not_a_package() {
        assert!(
            lines(
                &Dl3018,
                "FROM alpine:3.19\nRUN apk add --virtual .build-deps gcc~13\n"
            )
            .is_empty()
        );
    }
}
