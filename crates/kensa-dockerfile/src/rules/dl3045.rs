//! DL3045: COPY to a relative destination without WORKDIR.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3045;

static META: RuleMeta = RuleMeta {
    id: "DL3045",
    title: "COPY to a relative destination without WORKDIR",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a WORKDIR, a relative destination depends on the base image's working directory, which can change between base image versions."#,
    fix: r#"Set `WORKDIR` before copying to a relative destination, or use an absolute destination."#,
    links: wiki!("DL3045"),
};

impl DockerfileRule for Dl3045 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // A stage built on an earlier stage inherits that stage's WORKDIR.
        let mut has_workdir: Vec<bool> = Vec::new();
        for (idx, stage) in ctx.file.stages.iter().enumerate() {
            let inherited = stage.image.registry.is_none()
                && ctx
                    .file
                    .stages
                    .get(..idx)
                    .unwrap_or_default()
                    .iter()
                    .zip(&has_workdir)
                    .any(|(s, w)| *w && s.alias.as_deref() == Some(stage.image.name.as_str()));
            let mut set = inherited;
            for inst in ctx.file.stage_instructions(idx) {
                match inst.keyword {
                    Keyword::Workdir => set = true,
                    Keyword::Copy if !set => {
                        let raw_dest = match &inst.args {
                            crate::parse::Args::Shell(t) => t
                                .split_whitespace()
                                .last()
                                .unwrap_or_default()
                                .trim_matches(|c| c == '"' || c == '\''),
                            crate::parse::Args::Exec(v) => v.last().map_or("", String::as_str),
                        };
                        let dest = inst.words.last().map_or("", String::as_str);
                        let windows = dest.as_bytes().get(1) == Some(&b':');
                        if !(dest.starts_with('/') || raw_dest.starts_with('$') || windows) {
                            out.push(Hit::msg(inst, format!("destination `{dest}` is relative")));
                        }
                    }
                    _ => {}
                }
            }
            has_workdir.push(set);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_relative_copy() {
        assert_eq!(
            lines(&Dl3045, "FROM debian:12\nCOPY app.py app/\n"),
            vec![2]
        );
    }

    #[test]
    fn workdir_or_absolute_is_clean() {
        assert!(
            lines(
                &Dl3045,
                "FROM debian:12\nCOPY a /srv/a\nWORKDIR /srv\nCOPY b .\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn workdir_is_inherited_from_parent_stage() {
        let src =
            "FROM debian:12 AS base\nWORKDIR /app\nFROM base\nCOPY a .\nFROM debian:12\nCOPY b .\n";
        assert_eq!(lines(&Dl3045, src), vec![6]);
    }
}
