//! DL3024: Stage name used twice.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3024;

static META: RuleMeta = RuleMeta {
    id: "DL3024",
    title: "Stage name used twice",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Stage names must be unique; a duplicate makes `COPY --from` and `--target` ambiguous and BuildKit rejects it."#,
    fix: r#"Give every `FROM … AS name` a unique name."#,
    links: wiki!("DL3024"),
};

impl DockerfileRule for Dl3024 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut seen: Vec<&str> = Vec::new();
        for stage in &ctx.file.stages {
            if let Some(alias) = stage.alias.as_deref() {
                if seen.contains(&alias) {
                    out.push(Hit {
                        line: stage.line,
                        message: Some(format!("stage `{alias}` is defined again")),
                    });
                }
                seen.push(alias);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_duplicate() {
        assert_eq!(lines(&Dl3024, "FROM a:1 AS x\nFROM b:1 AS x\n"), vec![2]);
    }

    #[test]
    fn unique_names_are_clean() {
        assert!(lines(&Dl3024, "FROM a:1 AS x\nFROM b:1 AS y\nFROM c:1\n").is_empty());
    }

    #[test]
    fn names_compare_case_insensitively() {
        assert_eq!(
            lines(&Dl3024, "FROM a:1 AS Build\nFROM b:1 as build\n"),
            vec![2]
        );
    }
}
