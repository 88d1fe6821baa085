//! DL3047: wget without a progress option.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3047;

static META: RuleMeta = RuleMeta {
    id: "DL3047",
    title: "wget without a progress option",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"wget's default progress bar writes thousands of lines into build logs for large downloads."#,
    fix: r#"Use `wget --progress=dot:giga <url>`, or `-q`/`-nv`."#,
    links: wiki!("DL3047"),
};

impl DockerfileRule for Dl3047 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let quiet = c.has_any_flag(&[
                "progress",
                "q",
                "quiet",
                "o",
                "output-file",
                "a",
                "append-output",
                "no-verbose",
            ]) || c.has_arg("-nv");
            (c.name() == "wget" && !quiet).then(|| "`wget` without `--progress`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_plain_wget() {
        assert_eq!(
            lines(
                &Dl3047,
                "FROM debian:12\nRUN wget https://example.com/a.tgz\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn quiet_or_progress_is_clean() {
        assert!(lines(&Dl3047, "FROM debian:12\nRUN wget -q https://a && wget --progress=dot:giga https://b && wget -nv https://c\n").is_empty());
    }

    #[test]
    fn output_file_is_clean() {
        assert!(
            lines(
                &Dl3047,
                "FROM debian:12\nRUN wget -O /tmp/x https://a -o /tmp/log\n"
            )
            .is_empty()
        );
    }
}
