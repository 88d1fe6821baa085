//! DL3023: COPY --from names its own stage.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3023;

static META: RuleMeta = RuleMeta {
    id: "DL3023",
    title: "COPY --from names its own stage",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"A stage cannot copy from itself; the build fails or, with a same-named image, pulls something unexpected."#,
    fix: r#"Copy from a different, earlier stage."#,
    links: wiki!("DL3023"),
};

impl DockerfileRule for Dl3023 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Copy) {
            let Some(Some(from)) = inst.flag("from") else {
                continue;
            };
            let Some(current) = inst.stage else { continue };
            let own = ctx
                .file
                .stages
                .get(current)
                .and_then(|s| s.alias.as_deref());
            // A stage named by its index (`--from=0` in the first stage) is itself too.
            if own == Some(from.to_ascii_lowercase().as_str())
                || from.parse::<usize>() == Ok(current)
            {
                out.push(Hit::msg(inst, format!("`--from={from}` is this stage")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_self_reference() {
        assert_eq!(
            lines(&Dl3023, "FROM debian:12 AS app\nCOPY --from=app /a /b\n"),
            vec![2]
        );
    }

    #[test]
    fn other_stage_is_clean() {
        assert!(
            lines(
                &Dl3023,
                "FROM debian:12 AS a\nFROM debian:12 AS b\nCOPY --from=a /a /b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn stage_without_alias_is_clean() {
        assert!(lines(&Dl3023, "FROM debian:12\nCOPY --from=app /a /b\n").is_empty());
    }

    #[test]
    fn issue_15_own_index_is_a_self_reference() {
        let src = "FROM debian:12\nCOPY --from=0 /a /b\nFROM debian:12\nCOPY --from=0 /a /b\nCOPY --from=1 /c /d\n";
        assert_eq!(lines(&Dl3023, src), vec![2, 5]);
    }
}
