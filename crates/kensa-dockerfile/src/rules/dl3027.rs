//! DL3027: apt used in RUN.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3027;

static META: RuleMeta = RuleMeta {
    id: "DL3027",
    title: "apt used in RUN",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`apt` is meant for interactive use; its output and behaviour are not stable for scripts and it warns so on every call."#,
    fix: r#"Use `apt-get` or `apt-cache` instead of `apt`."#,
    links: wiki!("DL3027"),
};

impl DockerfileRule for Dl3027 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            (c.name() == "apt").then(|| "`apt` in `RUN`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_apt() {
        assert_eq!(
            lines(&Dl3027, "FROM debian:12\nRUN apt install -y curl\n"),
            vec![2]
        );
    }

    #[test]
    fn apt_get_is_clean() {
        assert!(
            lines(
                &Dl3027,
                "FROM debian:12\nRUN apt-get install -y apt && apt-cache policy\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn full_path_counts() {
        assert_eq!(
            lines(&Dl3027, "FROM debian:12\nRUN /usr/bin/apt update\n"),
            vec![2]
        );
    }
}
