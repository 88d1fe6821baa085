//! DL3003: cd used to change directory in RUN.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3003;

static META: RuleMeta = RuleMeta {
    id: "DL3003",
    title: "cd used to change directory in RUN",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`cd` only lasts for one RUN; later instructions silently run somewhere else, which makes builds hard to read and easy to break."#,
    fix: r#"Use `WORKDIR` to switch to a directory."#,
    links: wiki!("DL3003"),
};

impl DockerfileRule for Dl3003 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            (c.name() == "cd").then(|| "`cd` in `RUN`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_cd() {
        assert_eq!(
            lines(&Dl3003, "FROM debian:12\nRUN cd /usr/src/app && make\n"),
            vec![2]
        );
    }

    #[test]
    fn workdir_is_clean() {
        assert!(
            lines(
                &Dl3003,
                "FROM debian:12\nWORKDIR /usr/src/app\nRUN make && echo cd\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn cd_inside_heredoc_script_fires() {
        let src = "FROM debian:12\nRUN <<EOF\nset -e\ncd /tmp\nEOF\n";
        assert_eq!(lines(&Dl3003, src), vec![2]);
    }
}
