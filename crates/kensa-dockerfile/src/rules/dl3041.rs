//! DL3041: dnf install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, rpm_unpinned, wiki};

pub(crate) struct Dl3041;

static META: RuleMeta = RuleMeta {
    id: "DL3041",
    title: "dnf install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned packages install whatever the repository has at build time, so rebuilds differ silently."#,
    fix: r#"Specify versions: `dnf install -y <package>-<version>`."#,
    links: wiki!("DL3041"),
};

impl DockerfileRule for Dl3041 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| rpm_unpinned(c, &["dnf", "microdnf"]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned() {
        assert_eq!(
            lines(&Dl3041, "FROM x:1\nRUN dnf install -y httpd\n"),
            vec![2]
        );
    }

    #[test]
    fn versions_rpms_and_variables_are_clean() {
        let src = "FROM x:1\nRUN dnf install -y httpd-2.4.6 ./local.rpm openssl-$VER && dnf module install -y nodejs:20\n";
        assert!(lines(&Dl3041, src).is_empty());
    }

    #[test]
    fn issue_15_package_groups_have_no_version() {
        let src = "FROM x:1\nRUN dnf group install -y \"Development Tools\" && dnf groupinstall -y Base\n";
        assert!(lines(&Dl3041, src).is_empty());
    }

    #[test]
    fn dashed_name_without_version_fires() {
        assert_eq!(
            lines(&Dl3041, "FROM x:1\nRUN dnf install -y python3-devel\n"),
            vec![2]
        );
    }
}
