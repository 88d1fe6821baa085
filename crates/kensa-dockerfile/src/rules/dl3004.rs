//! DL3004: sudo used in RUN.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3004;

static META: RuleMeta = RuleMeta {
    id: "DL3004",
    title: "sudo used in RUN",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Builds already run as the image's current user; sudo adds a setuid binary and a TTY dependency and behaves unpredictably in containers."#,
    fix: r#"Drop `sudo`; switch users with `USER`, or use a tool like gosu in the entrypoint to step down from root."#,
    links: wiki!("DL3004"),
};

impl DockerfileRule for Dl3004 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in ctx.runs() {
            if run.script.commands.iter().any(|c| c.name() == "sudo") {
                out.push(run.hit(Some("`sudo` in `RUN`".to_owned())));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_sudo() {
        assert_eq!(
            lines(&Dl3004, "FROM debian:12\nRUN sudo apt-get update\n"),
            vec![2]
        );
    }

    #[test]
    fn package_named_sudo_is_clean() {
        assert!(lines(&Dl3004, "FROM debian:12\nRUN apt-get install -y sudo\n").is_empty());
    }

    #[test]
    fn sudo_after_pipe_fires() {
        assert_eq!(
            lines(&Dl3004, "FROM debian:12\nRUN echo x | sudo tee /etc/x\n"),
            vec![2]
        );
    }
}
