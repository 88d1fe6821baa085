//! DL3034: zypper without a non-interactive switch.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3034;

static META: RuleMeta = RuleMeta {
    id: "DL3034",
    title: "zypper without a non-interactive switch",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a non-interactive switch, zypper waits for confirmation; in a build that aborts or hangs."#,
    fix: r#"Add the non-interactive switch: `zypper install -y` or `zypper --non-interactive install`."#,
    links: wiki!("DL3034"),
};

impl DockerfileRule for Dl3034 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let is_install = ["zypper"].iter().any(|t| {
                c.is(
                    t,
                    &[
                        "install",
                        "in",
                        "remove",
                        "rm",
                        "source-install",
                        "si",
                        "patch",
                    ],
                )
            });
            (is_install && !c.has_any_flag(&["non-interactive", "n", "no-confirm", "y"]))
                .then(|| format!("`{}` without a non-interactive switch", c.name()))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_yes() {
        assert_eq!(
            lines(&Dl3034, "FROM x:1\nRUN zypper install httpd\n"),
            vec![2]
        );
    }

    #[test]
    fn yes_is_clean() {
        assert!(
            lines(
                &Dl3034,
                "FROM x:1\nRUN zypper -y install httpd && zypper --non-interactive in b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_subcommands_are_ignored() {
        assert!(
            lines(
                &Dl3034,
                "FROM x:1\nRUN zypper clean all && echo zypper install\n"
            )
            .is_empty()
        );
    }
}
