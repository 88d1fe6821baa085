//! DL3040: dnf cache left in the image.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3040;

static META: RuleMeta = RuleMeta {
    id: "DL3040",
    title: "dnf cache left in the image",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"dnf keeps downloaded packages and metadata in its cache; without a clean the layer keeps them forever."#,
    fix: r#"Run `dnf clean all` after `dnf install` in the same `RUN`, or use a cache mount."#,
    links: wiki!("DL3040"),
};

impl DockerfileRule for Dl3040 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in ctx.runs() {
            if run.has_cache_mount("/var/cache/libdnf5") || run.has_cache_mount("/var/cache/dnf") {
                continue;
            }
            let install = run.tools.iter().position(|c| {
                matches!(c.name(), "dnf" | "microdnf")
                    && c.is(
                        c.name(),
                        &[
                            "install",
                            "in",
                            "upgrade",
                            "up",
                            "upgrade-minimal",
                            "up-min",
                            "reinstall",
                            "rei",
                        ],
                    )
            });
            let clean = run.tools.iter().position(|c| {
                (matches!(c.name(), "dnf" | "microdnf")
                    && c.is(c.name(), &["clean"])
                    && c.has_arg("all"))
                    || (c.name() == "rm"
                        && c.args().any(|a| {
                            a.starts_with("/var/cache/libdnf5") || a.starts_with("/var/cache/dnf")
                        }))
            });
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
            lines(&Dl3040, "FROM x:1\nRUN dnf install -y nginx-1.24.0\n"),
            vec![2]
        );
    }

    #[test]
    fn clean_after_install_is_clean() {
        assert!(
            lines(
                &Dl3040,
                "FROM x:1\nRUN microdnf install -y nginx-1.24.0 && microdnf clean all\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn clean_before_install_still_fires() {
        assert_eq!(
            lines(
                &Dl3040,
                "FROM x:1\nRUN dnf clean all && dnf install -y nginx-1.24.0\n"
            ),
            vec![2]
        );
    }
}
