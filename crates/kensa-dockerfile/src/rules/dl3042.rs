//! DL3042: pip install keeps its cache.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3042;

static META: RuleMeta = RuleMeta {
    id: "DL3042",
    title: "pip install keeps its cache",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"pip caches downloaded wheels in ~/.cache/pip; in an image layer that is dead weight."#,
    fix: r#"Use `pip install --no-cache-dir <package>`, set `PIP_NO_CACHE_DIR=1`, or use a cache mount for `/root/.cache/pip`."#,
    links: wiki!("DL3042"),
};

impl DockerfileRule for Dl3042 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // An ENV of the RUN's stage, or of a stage it builds on, reaches pip.
        let env_off = |stage: Option<usize>, line: u32| {
            let lineage = stage.map(|s| ctx.lineage(s)).unwrap_or_default();
            ctx.file.instructions.iter().any(|i| {
                i.stage.is_some_and(|s| lineage.contains(&s))
                    && i.line < line
                    && i.keyword == Keyword::Env
                    && i.pairs()
                        .iter()
                        .any(|(k, v)| k == "PIP_NO_CACHE_DIR" && v.as_deref().is_some_and(is_true))
            })
        };
        for run in ctx.runs() {
            if env_off(run.stage, run.line)
                || run
                    .inst
                    .flag_values("mount")
                    .any(|m| m.contains(".cache/pip"))
            {
                continue;
            }
            let text = run.inst.shell_text().unwrap_or_default();
            if sets_no_cache_dir(text) {
                continue;
            }
            let bad = run
                .tools
                .iter()
                .any(|c| crate::rules::dl3013::is_pip_install(c) && !c.has_flag("no-cache-dir"));
            if bad {
                out.push(run.hit(None));
            }
        }
    }
}

/// pip reads the variable as a boolean: only a true value turns the cache off, so
/// `PIP_NO_CACHE_DIR=0` (or `off`, `no`, `false`) leaves it on, as hadolint also judges.
fn is_true(v: &str) -> bool {
    matches!(
        v.trim_matches(['"', '\'']).to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// The RUN sets the variable to a true value itself (`PIP_NO_CACHE_DIR=1 pip …` or
/// `export PIP_NO_CACHE_DIR=1 && pip …`).
fn sets_no_cache_dir(text: &str) -> bool {
    text.match_indices("PIP_NO_CACHE_DIR=").any(|(at, name)| {
        let value = &text[at + name.len()..];
        let end = value
            .find(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
            .unwrap_or(value.len());
        is_true(&value[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_no_cache_dir() {
        assert_eq!(
            lines(&Dl3042, "FROM python:3.12\nRUN pip install flask==3.0.0\n"),
            vec![2]
        );
    }

    #[test]
    fn flag_env_and_mount_are_clean() {
        let src = "FROM python:3.12\nRUN pip install --no-cache-dir a==1\nRUN --mount=type=cache,target=/root/.cache/pip pip install b==1\nENV PIP_NO_CACHE_DIR=1\nRUN pip install c==1\n";
        assert!(lines(&Dl3042, src).is_empty());
    }

    #[test]
    fn env_in_another_stage_does_not_count() {
        let src = "FROM python:3.12\nENV PIP_NO_CACHE_DIR=true\nFROM python:3.12\nRUN pip3 install a==1\n";
        assert_eq!(lines(&Dl3042, src), vec![4]);
    }

    #[test]
    fn issue_15_only_a_true_value_turns_the_cache_off() {
        for value in ["1", "on", "yes", "TRUE"] {
            for src in [
                format!("FROM python:3.12\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install a==1\n"),
                format!("FROM python:3.12\nRUN PIP_NO_CACHE_DIR={value} pip install a==1\n"),
                format!(
                    "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR={value} && pip install a==1\n"
                ),
            ] {
                assert!(lines(&Dl3042, &src).is_empty(), "{src}");
            }
        }
        for value in ["0", "off", "no", "false", ""] {
            for src in [
                format!("FROM python:3.12\nENV PIP_NO_CACHE_DIR={value}\nRUN pip install a==1\n"),
                format!("FROM python:3.12\nRUN PIP_NO_CACHE_DIR={value} pip install a==1\n"),
                format!(
                    "FROM python:3.12\nRUN export PIP_NO_CACHE_DIR={value}; pip install a==1\n"
                ),
            ] {
                assert_eq!(
                    lines(&Dl3042, &src),
                    vec![src.lines().count() as u32],
                    "{src}"
                );
            }
        }
    }

    #[test]
    fn issue_15_env_of_a_base_stage_counts() {
        let src = "FROM python:3.12 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base AS deps\nFROM deps\nRUN pip install a==1\n";
        assert!(lines(&Dl3042, src).is_empty());
    }
}
