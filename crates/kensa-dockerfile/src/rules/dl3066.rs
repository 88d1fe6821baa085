//! DL3066: Non-numeric user-id may not be resolvable by host system.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3066;

static META: RuleMeta = RuleMeta {
    id: "DL3066",
    title: "USER names a user instead of a numeric UID",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"A user name is resolved through the image's `/etc/passwd` when the container starts; the host and the orchestrator cannot see which UID it is. Kubernetes' `runAsNonRoot` can only verify a numeric UID, so with a name the kubelet refuses to start the pod (or, without that check, nothing proves the process is not root)."#,
    fix: r#"Create the user with a fixed UID and name it by number: `RUN useradd -u 10001 app` then `USER 10001:10001`."#,
    links: wiki!("DL3066"),
};

impl DockerfileRule for Dl3066 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx
            .file
            .instructions
            .iter()
            .filter(|i| i.keyword == Keyword::User)
        {
            // ARG values known at this point are substituted, so `USER ${UID}` with
            // `ARG UID=10001` is numeric; a variable without a value cannot be checked.
            let spec = inst.words.first().map_or("", String::as_str);
            let user = spec.split(':').next().unwrap_or_default();
            // A user taken from a variable that has a value (`ARG USER_ID=app`) is the
            // build's to set: `--build-arg` may pass a UID, so only its absence is judged
            // (as hadolint does).
            let written = match &inst.args {
                crate::parse::Args::Shell(text) => text.split(':').next().unwrap_or_default(),
                crate::parse::Args::Exec(_) => "",
            };
            if written.contains('$') && !inst.unresolved {
                continue;
            }
            if inst.unresolved || user.is_empty() || !user.bytes().all(|b| b.is_ascii_digit()) {
                out.push(Hit::msg(inst, format!("`USER {spec}`")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_names_and_unknown_variables() {
        let src = "FROM debian:12\nUSER app\nUSER root:root\nUSER $UID\nUSER nobody:1000\n";
        assert_eq!(lines(&Dl3066, src), vec![2, 3, 4, 5]);
    }

    #[test]
    fn numeric_uids_are_clean() {
        let src = "FROM debian:12\nARG UID=10001\nUSER 10001\nUSER 1000:app\nUSER ${UID}:${UID}\n";
        assert!(lines(&Dl3066, src).is_empty());
    }

    #[test]
    fn issue_15_user_from_a_build_argument_is_the_builds_to_set() {
        let src = "FROM debian:12\nARG USERNAME=app\nUSER $USERNAME\nUSER ${USERNAME}:1000\nUSER $UNSET\n";
        assert_eq!(lines(&Dl3066, src), vec![5]);
    }
}
