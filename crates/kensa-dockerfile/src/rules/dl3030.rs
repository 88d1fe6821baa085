//! DL3030: yum install without -y.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3030;

static META: RuleMeta = RuleMeta {
    id: "DL3030",
    title: "yum install without -y",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a non-interactive switch, yum waits for confirmation; in a build that aborts or hangs."#,
    fix: r#"Use the `-y` switch: `yum install -y <package>`."#,
    links: wiki!("DL3030"),
};

impl DockerfileRule for Dl3030 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let is_install = ["yum"]
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
        assert_eq!(lines(&Dl3030, "FROM x:1\nRUN yum install httpd\n"), vec![2]);
    }

    #[test]
    fn yes_is_clean() {
        assert!(
            lines(
                &Dl3030,
                "FROM x:1\nRUN yum -y install httpd && yum --assumeyes groupinstall b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_subcommands_are_ignored() {
        assert!(lines(&Dl3030, "FROM x:1\nRUN yum clean all && echo yum install\n").is_empty());
    }
}
