use kensa_core::{Finding, Scanner, Section, Severity};

use crate::history::{commands, parse, runs_sudo};
use crate::{ConfigRule, ImageContext, RuleMeta};

/// A build step that runs a command through `sudo`.
pub struct SudoInHistory;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-006",
    title: "Build runs commands with sudo",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`sudo` in a build means the image carries `sudo` and a sudoers entry for an
unprivileged user, so that user can become root in the running container. It also has
unpredictable TTY and signal behaviour, which is why the Dockerfile's own `USER`
switching exists. Dockle DKL-DI-0001; hadolint DL3004."#,
    fix: r#"Drop `sudo`: run the privileged steps before `USER` switches to the
unprivileged account (or switch back with `USER root` for them), and remove the `sudo`
package and sudoers entries from the image. Use `gosu` or `setpriv` only where an
entrypoint must drop privileges."#,
    links: &[],
};

impl ConfigRule for SudoInHistory {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for (i, h) in image.config.history.iter().enumerate() {
            let Some(created_by) = h.created_by.as_deref() else {
                continue;
            };
            let step = parse(created_by);
            if step.keyword != "RUN" {
                continue;
            }
            if let Some(cmd) = commands(step.args).into_iter().find(|c| runs_sudo(c)) {
                let message = format!("runs `{}`", cmd.join(" "));
                out.push(META.finding(Scanner::Config, image.history_location(i), Some(message)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_history;

    #[test]
    fn fires_when_a_command_runs_sudo() {
        let f = check_history(
            &SudoInHistory,
            &[
                "/bin/sh -c apt-get update && sudo -u app make install",
                "RUN /bin/sh -c env A=1 /usr/bin/sudo chown app /data # buildkit",
            ],
        );
        let messages: Vec<_> = f.iter().map(|f| f.message.as_deref().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "runs `sudo -u app make install`",
                "runs `env A=1 /usr/bin/sudo chown app /data`"
            ]
        );
    }

    #[test]
    fn clean_when_sudo_is_only_a_word() {
        let f = check_history(
            &SudoInHistory,
            &[
                "/bin/sh -c apt-get install -y sudo",
                "/bin/sh -c echo 'app ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/app",
                "/bin/sh -c #(nop)  LABEL note=sudo",
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn sudo_after_a_pipe_or_semicolon() {
        let f = check_history(
            &SudoInHistory,
            &["/bin/sh -c echo x | sudo tee /etc/motd; true"],
        );
        assert_eq!(f.len(), 1);
    }
}
