//! DL3021: COPY of several sources to a destination without a trailing slash.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3021;

static META: RuleMeta = RuleMeta {
    id: "DL3021",
    title: "COPY of several sources to a destination without a trailing slash",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"With more than one source, Docker requires the destination to be a directory ending in `/`; otherwise the build fails."#,
    fix: r#"End the destination with `/` when copying more than one source."#,
    links: wiki!("DL3021"),
};

impl DockerfileRule for Dl3021 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Copy) {
            let Some((dest, srcs)) = inst.words.split_last() else {
                continue;
            };
            let sources = srcs.len().max(inst.heredocs.len());
            if sources > 1 && !dest.ends_with('/') {
                out.push(Hit::msg(
                    inst,
                    format!("destination `{dest}` does not end with `/`"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_slash() {
        assert_eq!(
            lines(&Dl3021, "FROM debian:12\nCOPY a.txt b.txt /dest\n"),
            vec![2]
        );
    }

    #[test]
    fn slash_or_single_source_is_clean() {
        assert!(lines(&Dl3021, "FROM debian:12\nCOPY a b /dest/\nCOPY a /dest\n").is_empty());
    }

    #[test]
    fn exec_form_counts_sources() {
        assert_eq!(
            lines(&Dl3021, "FROM debian:12\nCOPY [\"a\", \"b\", \"/d\"]\n"),
            vec![2]
        );
    }
}
