//! DL3001: Command makes no sense in a container.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3001;

static META: RuleMeta = RuleMeta {
    id: "DL3001",
    title: "Command makes no sense in a container",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Interactive or system-management tools (ssh, vim, service, shutdown, ps, top, kill, mount, free) do nothing useful during an image build and usually mean the image is treated like a VM."#,
    fix: r#"Remove the command; run one process per container and manage it from the orchestrator."#,
    links: wiki!("DL3001"),
};

impl DockerfileRule for Dl3001 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        const INVALID: &[&str] = &[
            "free", "kill", "mount", "ps", "service", "shutdown", "ssh", "top", "vim",
        ];
        ctx.check_commands(out, |c| {
            INVALID
                .contains(&c.name())
                .then(|| format!("`{}` in `RUN`", c.name()))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_service() {
        assert_eq!(
            lines(&Dl3001, "FROM debian:12\nRUN service nginx start\n"),
            vec![2]
        );
    }

    #[test]
    fn ordinary_commands_are_clean() {
        assert!(
            lines(
                &Dl3001,
                "FROM debian:12\nRUN echo ps top && apt-get install -y vim-tiny\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn sudo_and_onbuild_are_seen_through() {
        assert_eq!(
            lines(&Dl3001, "FROM debian:12\nONBUILD RUN sudo kill 1\n"),
            vec![2]
        );
    }
}
