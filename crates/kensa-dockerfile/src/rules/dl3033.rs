//! DL3033: yum install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, rpm_unpinned, wiki};

pub(crate) struct Dl3033;

static META: RuleMeta = RuleMeta {
    id: "DL3033",
    title: "yum install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned packages install whatever the repository has at build time, so rebuilds differ silently."#,
    fix: r#"Specify versions: `yum install -y <package>-<version>`."#,
    links: wiki!("DL3033"),
};

impl DockerfileRule for Dl3033 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| rpm_unpinned(c, &["yum"]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned() {
        assert_eq!(
            lines(&Dl3033, "FROM x:1\nRUN yum install -y httpd\n"),
            vec![2]
        );
    }

    #[test]
    fn versions_rpms_and_variables_are_clean() {
        let src = "FROM x:1\nRUN yum install -y httpd-2.4.6 ./local.rpm openssl-$VER && yum module install -y nodejs:20\n";
        assert!(lines(&Dl3033, src).is_empty());
    }

    #[test]
    fn dashed_name_without_version_fires() {
        assert_eq!(
            lines(&Dl3033, "FROM x:1\nRUN yum install -y python3-devel\n"),
            vec![2]
        );
    }
}
