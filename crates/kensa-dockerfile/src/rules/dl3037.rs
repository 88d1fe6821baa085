//! DL3037: zypper install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3037;

static META: RuleMeta = RuleMeta {
    id: "DL3037",
    title: "zypper install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned packages install whatever the repository has at build time, so rebuilds differ silently."#,
    fix: r#"Specify versions: `zypper install -y <package>=<version>`."#,
    links: wiki!("DL3037"),
};

impl DockerfileRule for Dl3037 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if !c.is("zypper", &["install", "in"]) {
                return None;
            }
            let unpinned: Vec<&str> = c
                .args_no_flags()
                .filter(|p| !matches!(*p, "install" | "in"))
                .filter(|p| {
                    !(p.contains('=') || p.contains('>') || p.contains('<') || p.ends_with(".rpm"))
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
    fn fires_on_unpinned() {
        assert_eq!(
            lines(
                &Dl3037,
                "FROM opensuse/leap:15.5\nRUN zypper install -y curl\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn pinned_is_clean() {
        assert!(
            lines(
                &Dl3037,
                "FROM opensuse/leap:15.5\nRUN zypper in -y 'curl>=8' git=2.43 ./x.rpm\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn other_subcommands_are_ignored() {
        assert!(lines(&Dl3037, "FROM opensuse/leap:15.5\nRUN zypper refresh\n").is_empty());
    }
}
