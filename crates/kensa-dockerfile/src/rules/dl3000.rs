//! DL3000: WORKDIR is a relative path.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3000;

static META: RuleMeta = RuleMeta {
    id: "DL3000",
    title: "WORKDIR is a relative path",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"A relative WORKDIR is resolved against whatever the previous WORKDIR was, which may change with the base image; the effective directory is then hard to predict."#,
    fix: r#"Use an absolute path in `WORKDIR`."#,
    links: wiki!("DL3000"),
};

impl DockerfileRule for Dl3000 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Workdir) {
            let path = inst.words.first().map_or("", String::as_str);
            let raw = inst
                .shell_text()
                .unwrap_or_default()
                .trim_matches(|c| c == '"' || c == '\'');
            let windows = path.as_bytes().get(1) == Some(&b':')
                && path.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            if !(path.starts_with('/') || raw.starts_with('$') || windows) {
                out.push(Hit::msg(inst, format!("`WORKDIR {path}` is relative")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_relative_path() {
        assert_eq!(lines(&Dl3000, "FROM debian:12\nWORKDIR app\n"), vec![2]);
    }

    #[test]
    fn absolute_quoted_and_windows_paths_are_clean() {
        assert!(
            lines(
                &Dl3000,
                "FROM debian:12\nWORKDIR \"/app\"\nWORKDIR C:\\app\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn variable_is_resolved_or_trusted() {
        let src = "FROM debian:12\nARG DIR=/srv\nWORKDIR $DIR\nWORKDIR ${UNSET}\nENV REL=x\nWORKDIR ${REL}\n";
        assert_eq!(lines(&Dl3000, src), Vec::<u32>::new());
    }
}
