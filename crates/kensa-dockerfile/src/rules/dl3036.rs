//! DL3036: zypper cache left in the image.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3036;

static META: RuleMeta = RuleMeta {
    id: "DL3036",
    title: "zypper cache left in the image",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"zypper keeps downloaded packages and metadata in /var/cache/zypp; without a clean the layer keeps them forever."#,
    fix: r#"Run `zypper clean` after `zypper install` in the same `RUN`, or use a cache mount for `/var/cache/zypp`."#,
    links: wiki!("DL3036"),
};

impl DockerfileRule for Dl3036 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in ctx.runs() {
            if run.has_cache_mount("/var/cache/zypp") {
                continue;
            }
            let install = run
                .tools
                .iter()
                .position(|c| c.name() == "zypper" && c.is(c.name(), &["install", "in"]));
            let clean = run
                .tools
                .iter()
                .position(|c| c.is("zypper", &["clean", "cc"]));
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
    fn fires_without_clean() {
        assert_eq!(
            lines(&Dl3036, "FROM x:1\nRUN zypper install -y curl=8\n"),
            vec![2]
        );
    }

    #[test]
    fn clean_after_install_is_clean() {
        assert!(
            lines(
                &Dl3036,
                "FROM x:1\nRUN zypper -n in curl=8 && zypper clean -a\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn clean_before_install_still_fires() {
        assert_eq!(
            lines(
                &Dl3036,
                "FROM x:1\nRUN zypper cc && zypper -n install curl=8\n"
            ),
            vec![2]
        );
    }
}
