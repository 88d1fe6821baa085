//! DL3010: Archive copied and extracted in a separate step.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

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
            // Without an `# escape` directive Docker reads a backslash in COPY as an escape,
            // so `COPY out\app.tar "C:\Apps"` reaches the builder as `outapp.tar`. Such a
            // line is meant as Windows paths all the same (hadolint reads it so): the names
            // as written count too.
            let written =
                crate::parse::split_words(copy.shell_text().unwrap_or_default(), '\0', None).0;
            let forms: Vec<&[String]> =
                if written.len() == copy.words.len() && written != copy.words {
                    vec![&copy.words, &written]
                } else {
                    vec![&copy.words]
                };
            let Some(srcs) = copy.words.split_last().map(|(_, s)| s) else {
                continue;
            };
            // The archive may be copied under another name (`COPY app.tar /app.tar`).
            let dest_names: Vec<&str> = forms
                .iter()
                .filter_map(|f| f.last())
                .filter(|d| !d.ends_with(['/', '\\']))
                .map(|d| file_name(d))
                .collect();
            for (i, src) in srcs.iter().enumerate() {
                let names: Vec<&str> = forms
                    .iter()
                    .filter_map(|f| f.get(i))
                    .filter(|s| ARCHIVES.iter().any(|a| s.trim_matches('"').ends_with(a)))
                    .map(|s| file_name(s))
                    .collect();
                if names.is_empty() {
                    continue;
                }
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
                        extracts
                            && c.args_no_flags().any(|a| {
                                let name = file_name(a);
                                names.contains(&name) || dest_names.contains(&name)
                            })
                    });
                if extracted {
                    out.push(Hit::msg(copy, format!("`{src}` is copied, then extracted")));
                }
            }
        }
    }
}

/// The last component of a path, Windows (`C:\\dir\\app.tar`) or POSIX, without quotes.
fn file_name(path: &str) -> &str {
    let path = path.trim_matches('"');
    path.rsplit(['/', '\\']).next().unwrap_or(path)
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

    #[test]
    fn issue_15_archive_renamed_or_on_windows_paths() {
        let renamed = "FROM debian:12\nCOPY dist/app.tar /app.tar\nRUN tar -xf /app.tar\n";
        assert_eq!(lines(&Dl3010, renamed), vec![2]);
        let windows = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY out\\app.tar.gz \"C:\\Apps\"\nRUN tar -xf \"C:\\Apps\\app.tar.gz\"\n";
        assert_eq!(lines(&Dl3010, windows), vec![3]);
        let windows_renamed = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY out\\app.tar.gz \"C:\\Apps\\pkg.tar.gz\"\nRUN tar -xf pkg.tar.gz\n";
        assert_eq!(lines(&Dl3010, windows_renamed), vec![3]);
    }

    #[test]
    fn issue_15_windows_paths_without_an_escape_directive() {
        // Without an `# escape` directive Docker would read the backslashes as escapes; the intent
        // is Windows paths all the same, and the name as written is what is matched.
        let src = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY dist\\web\\site.tgz \"D:\\Sites\"\nRUN tar -xf \"D:\\Sites\\site.tgz\"\n";
        assert_eq!(lines(&Dl3010, src), vec![2]);
        let renamed = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY dist\\web\\site.tgz \"D:\\Sites\\web.tgz\"\nRUN tar -xzf web.tgz\n";
        assert_eq!(lines(&Dl3010, renamed), vec![2]);
        let other = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nCOPY dist\\web\\site.tgz \"D:\\Sites\"\nRUN tar -xf other.tgz\n";
        assert!(lines(&Dl3010, other).is_empty());
    }
}
