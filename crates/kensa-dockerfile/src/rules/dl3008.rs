//! DL3008: apt-get install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3008;

static META: RuleMeta = RuleMeta {
    id: "DL3008",
    title: "apt-get install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned packages install whatever the mirror has that day, so rebuilds differ silently and a vulnerable or broken version can slip in unnoticed."#,
    fix: r#"Pin versions in `apt-get install`: use `apt-get install <package>=<version>`."#,
    links: wiki!("DL3008"),
};

impl DockerfileRule for Dl3008 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if !c.is("apt-get", &["install"]) {
                return None;
            }
            let unpinned: Vec<&str> = c
                .operands(&["t", "target-release", "o", "c"])
                .into_iter()
                .filter(|p| *p != "install")
                .filter(|p| !(p.contains('=') || p.contains('/') || p.ends_with(".deb")))
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
            lines(
                &Dl3008,
                "FROM debian:12\nRUN apt-get update && apt-get install -y curl=7.88.1-10 git\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn pinned_local_and_release_packages_are_clean() {
        let src =
            "FROM debian:12\nRUN apt-get install -y curl=7.88 ./pkg.deb nginx/bookworm-backports\n";
        assert!(lines(&Dl3008, src).is_empty());
    }

    #[test]
    fn option_values_are_not_packages() {
        let src = "FROM debian:12\nRUN apt-get install -y -t bookworm -o Dpkg::Options::=--force-confnew curl=1\n";
        assert!(lines(&Dl3008, src).is_empty());
    }
}
