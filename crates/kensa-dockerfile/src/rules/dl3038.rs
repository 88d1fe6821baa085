//! DL3038: dnf install without -y.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3038;

static META: RuleMeta = RuleMeta {
    id: "DL3038",
    title: "dnf install without -y",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a non-interactive switch, dnf waits for confirmation; in a build that aborts or hangs."#,
    fix: r#"Use the `-y` switch: `dnf install -y <package>`."#,
    links: wiki!("DL3038"),
};

impl DockerfileRule for Dl3038 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let is_install = ["dnf", "microdnf"]
                .iter()
                .any(|t| c.is(t, &["install", "groupinstall", "localinstall"]));
            (is_install && !c.has_any_flag(&["y", "assumeyes"]))
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
            lines(&Dl3038, "FROM x:1\nRUN microdnf install httpd\n"),
            vec![2]
        );
    }

    #[test]
    fn yes_is_clean() {
        assert!(
            lines(
                &Dl3038,
                "FROM x:1\nRUN dnf -y install httpd && dnf --assumeyes groupinstall b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_subcommands_are_ignored() {
        assert!(lines(&Dl3038, "FROM x:1\nRUN dnf clean all && echo dnf install\n").is_empty());
    }
}
