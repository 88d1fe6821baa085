//! DL3035: zypper dist-upgrade in a build.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3035;

static META: RuleMeta = RuleMeta {
    id: "DL3035",
    title: "zypper dist-upgrade in a build",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"A distribution upgrade inside an image build changes the whole base image in one opaque layer; update the base image tag instead."#,
    fix: r#"Do not use `zypper dist-upgrade`; move to a newer base image."#,
    links: wiki!("DL3035"),
};

impl DockerfileRule for Dl3035 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            c.is("zypper", &["dist-upgrade", "dup"])
                .then(|| "`zypper dist-upgrade`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_dup() {
        assert_eq!(
            lines(&Dl3035, "FROM opensuse/leap:15.5\nRUN zypper -n dup\n"),
            vec![2]
        );
    }

    #[test]
    fn install_is_clean() {
        assert!(
            lines(
                &Dl3035,
                "FROM opensuse/leap:15.5\nRUN zypper -n install curl=8\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn long_form_fires() {
        assert_eq!(
            lines(
                &Dl3035,
                "FROM opensuse/leap:15.5\nRUN zypper --non-interactive dist-upgrade\n"
            ),
            vec![2]
        );
    }
}
