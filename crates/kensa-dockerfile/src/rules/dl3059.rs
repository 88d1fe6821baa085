//! DL3059: Consecutive RUN instructions.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3059;

static META: RuleMeta = RuleMeta {
    id: "DL3059",
    title: "Consecutive RUN instructions",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Each RUN makes a layer; several short consecutive RUNs make the image larger and the cache less useful than one combined step."#,
    fix: r#"Consider consolidating consecutive `RUN` instructions with `&&`."#,
    links: wiki!("DL3059"),
};

impl DockerfileRule for Dl3059 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let insts = &ctx.file.instructions;
        let runs = ctx.runs();
        for pair in insts.windows(2) {
            let [a, b] = pair else { continue };
            if a.keyword != Keyword::Run || b.keyword != Keyword::Run || a.flags != b.flags {
                continue;
            }
            let count = |i: &crate::parse::Instruction| {
                runs.iter()
                    .find(|r| std::ptr::eq(r.inst, i))
                    .map_or(0, |r| r.script.commands.len())
            };
            // hadolint 2.15 suggests merging only two single-command RUNs: a RUN that already
            // chains commands is taken as deliberately split.
            if count(a) <= 1 && count(b) <= 1 {
                out.push(Hit::at(b));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_consecutive_short_runs() {
        assert_eq!(
            lines(
                &Dl3059,
                "FROM debian:12\nRUN mkdir /a\n# comment\nRUN mkdir /b\n"
            ),
            vec![4]
        );
    }

    #[test]
    fn separated_or_long_runs_are_clean() {
        let src = "FROM debian:12\nRUN a && b && c\nRUN d\nENV X=1\nRUN e\n";
        assert!(lines(&Dl3059, src).is_empty());
    }

    #[test]
    fn different_flags_are_clean() {
        assert!(lines(&Dl3059, "FROM debian:12\nRUN a\nRUN --network=none b\n").is_empty());
    }
}
