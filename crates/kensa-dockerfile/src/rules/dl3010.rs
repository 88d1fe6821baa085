//! DL3010: Archive copied and extracted in a separate step.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};
use crate::shell::basename;

pub(crate) struct Dl3010;

static META: RuleMeta = RuleMeta {
    id: "DL3010",
    title: "Archive copied and extracted in a separate step",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Copying an archive and extracting it in a later RUN keeps the archive in a layer forever; ADD extracts local tar archives in one step."#,
    fix: r#"Use `ADD` for extracting archives into an image."#,
    links: wiki!("DL3010"),
};

impl DockerfileRule for Dl3010 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        const ARCHIVES: &[&str] = &[
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip",
            ".gz", ".bz2", ".xz",
        ];
        for copy in ctx.all(Keyword::Copy).filter(|c| c.flag("from").is_none()) {
            let srcs = copy.words.split_last().map_or(&[][..], |(_, s)| s);
            for src in srcs
                .iter()
                .filter(|s| ARCHIVES.iter().any(|a| s.ends_with(a)))
            {
                let base = basename(src);
                let extracted = ctx
                    .runs()
                    .iter()
                    .filter(|r| r.stage == copy.stage && r.line > copy.line)
                    .flat_map(|r| r.tools.iter())
                    .any(|c| {
                        let extracts = (c.name() == "tar"
                            && c.args().any(|a| {
                                a == "--extract"
                                    || a == "--get"
                                    || (a.starts_with('-')
                                        && !a.starts_with("--")
                                        && a.contains('x'))
                            }))
                            || matches!(
                                c.name(),
                                "unzip"
                                    | "gunzip"
                                    | "bunzip2"
                                    | "unlzma"
                                    | "unxz"
                                    | "zgz"
                                    | "uncompress"
                                    | "zcat"
                            );
                        extracts && c.args_no_flags().any(|a| basename(a) == base)
                    });
                if extracted {
                    out.push(Hit::msg(copy, format!("`{src}` is copied, then extracted")));
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
    fn fires_on_copy_then_tar_x() {
        let src = "FROM debian:12\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt\n";
        assert_eq!(lines(&Dl3010, src), vec![2]);
    }

    #[test]
    fn copy_without_extraction_is_clean() {
        assert!(
            lines(
                &Dl3010,
                "FROM debian:12\nCOPY app.tar.gz /srv/\nRUN tar -czf /x.tgz /etc\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn extraction_in_another_stage_does_not_count() {
        let src = "FROM debian:12\nCOPY a.zip /a.zip\nFROM debian:12\nRUN unzip /a.zip\n";
        assert!(lines(&Dl3010, src).is_empty());
    }
}
