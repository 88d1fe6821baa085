//! DL3002: Last USER is root.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3002;

static META: RuleMeta = RuleMeta {
    id: "DL3002",
    title: "Last USER is root",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"A container whose final USER is root runs its process as root; a compromise of that process is root inside the container and one kernel bug away from the host."#,
    fix: r#"End the stage with `USER` set to an unprivileged user (by name or UID)."#,
    links: wiki!("DL3002"),
};

impl DockerfileRule for Dl3002 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for stage in 0..ctx.file.stages.len() {
            let last_user = ctx
                .file
                .stage_instructions(stage)
                .filter(|i| i.keyword == Keyword::User)
                .last();
            if let Some(inst) = last_user {
                let user = inst.words.first().map_or("", String::as_str);
                if user == "root"
                    || user == "0"
                    || user.starts_with("root:")
                    || user.starts_with("0:")
                {
                    out.push(Hit::msg(inst, format!("stage ends as `USER {user}`")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_when_last_user_is_root() {
        assert_eq!(
            lines(&Dl3002, "FROM debian:12\nUSER app\nUSER root\n"),
            vec![3]
        );
    }

    #[test]
    fn switching_back_is_clean() {
        assert!(
            lines(
                &Dl3002,
                "FROM debian:12\nUSER root\nRUN id\nUSER 1000:1000\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn each_stage_is_judged_and_uid_zero_counts() {
        let src = "FROM a:1 AS b\nUSER 0:0\nFROM c:1\nUSER app\n";
        assert_eq!(lines(&Dl3002, src), vec![2]);
    }
}
