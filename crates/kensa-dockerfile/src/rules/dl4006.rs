//! DL4006: RUN with a pipe and no pipefail.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4006;

static META: RuleMeta = RuleMeta {
    id: "DL4006",
    title: "RUN with a pipe and no pipefail",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"In `a | b` the shell only reports b's status, so a failing download or command on the left of a pipe does not fail the build."#,
    fix: r#"Set `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before a `RUN` with a pipe in it (on Alpine/busybox use `/bin/ash`)."#,
    links: wiki!("DL4006"),
};

impl DockerfileRule for Dl4006 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut pipefail: Option<(Option<usize>, bool)> = None;
        let runs = ctx.runs();
        for inst in &ctx.file.instructions {
            match inst.keyword {
                Keyword::Shell => {
                    let words = &inst.words;
                    let first = words.first().map_or("", |w| crate::shell::basename(w));
                    let non_posix =
                        ["pwsh", "powershell", "powershell.exe", "cmd", "cmd.exe"].contains(&first);
                    let sets = ["bash", "zsh", "ash"].contains(&first)
                        && words.windows(2).any(|w| {
                            // `-o pipefail`, or a cluster ending in `o` (`-eo pipefail`)
                            w.first().is_some_and(|f| {
                                f.starts_with('-') && !f.starts_with("--") && f.ends_with('o')
                            }) && w.get(1).is_some_and(|v| v == "pipefail")
                        });
                    pipefail = Some((inst.stage, non_posix || sets));
                }
                Keyword::Run => {
                    let on = pipefail.is_some_and(|(s, on)| s == inst.stage && on);
                    let piped = runs
                        .iter()
                        .find(|r| std::ptr::eq(r.inst, inst))
                        .is_some_and(|r| r.script.has_pipe());
                    if piped && !on {
                        out.push(Hit::at(inst));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_pipe_without_pipefail() {
        assert_eq!(
            lines(
                &Dl4006,
                "FROM debian:12\nRUN wget -O - https://x | tar xz\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn pipefail_shell_is_clean() {
        let src = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O - https://x | tar xz\n";
        assert!(lines(&Dl4006, src).is_empty());
    }

    #[test]
    fn shell_resets_per_stage_and_or_is_not_a_pipe() {
        let src = "FROM debian:12\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nFROM debian:12\nRUN a || b\nRUN a | b\n";
        assert_eq!(lines(&Dl4006, src), vec![5]);
    }

    #[test]
    fn issue_15_option_cluster_sets_pipefail() {
        let src = "FROM debian:12\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nRUN wget -O - https://x | tar xz\n";
        assert!(lines(&Dl4006, src).is_empty());
        let other = "FROM debian:12\nSHELL [\"/bin/bash\", \"-ex\", \"-c\"]\nRUN wget -O - https://x | tar xz\n";
        assert_eq!(lines(&Dl4006, other), vec![3]);
    }
}
