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
            // The installing tool's own `clean all` counts (a `microdnf clean all`
            // after `dnf install` does not, as hadolint 2.15 judges), and so does
            // removing a cache directory, yum's included.
            let cleans = |tool: &str, c: &crate::shell::Command| {
                (c.name() == tool && c.is(tool, &["clean"]) && c.has_arg("all"))
                    || (c.name() == "rm"
                        && c.args().any(|a| {
                            ["/var/cache/libdnf5", "/var/cache/dnf", "/var/cache/yum"]
                                .iter()
                                .any(|d| a.starts_with(d))
                        }))
            };
            if let Some(i) = install
                && !run.tools[i + 1..]
                    .iter()
                    .any(|c| cleans(run.tools[i].name(), c))
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

    #[test]
    fn issue_15_clean_by_the_installing_tool_or_removing_the_cache() {
        for clean in [
            "dnf clean all",
            "rm -rf /var/cache/yum/*",
            "rm -rf /var/cache/dnf",
        ] {
            let src = format!("FROM x:1\nRUN dnf install -y nginx-1.24.0 && {clean}\n");
            assert!(lines(&Dl3040, &src).is_empty(), "{src}");
        }
        let other_tool = "FROM x:1\nRUN dnf install -y a-1 && microdnf clean all\nRUN microdnf install -y a-1 && dnf clean all\n";
        assert_eq!(lines(&Dl3040, other_tool), vec![2, 3]);
        let before = "FROM x:1\nRUN dnf clean all && dnf install -y a-1\n";
        assert_eq!(lines(&Dl3040, before), vec![2]);
    }

    #[test]
    fn issue_15_onbuild_triggers_are_checked_as_runs() {
        // The trigger runs in every image built FROM this one, so its cache lands there.
        let src = "FROM x:1\nONBUILD RUN microdnf install -y httpd-2.4.57\nONBUILD RUN dnf install -y a-1 && dnf clean all\n";
        assert_eq!(lines(&Dl3040, src), vec![2]);
    }
}
