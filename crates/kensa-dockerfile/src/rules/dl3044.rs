//! DL3044: ENV refers to a variable defined in the same instruction.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3044;

static META: RuleMeta = RuleMeta {
    id: "DL3044",
    title: "ENV refers to a variable defined in the same instruction",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Within one ENV instruction, references are resolved before any of its assignments take effect, so `ENV A=1 B=$A` sets B from the old A (usually empty)."#,
    fix: r#"Split the `ENV` so that a variable is defined in an earlier instruction than the one that uses it."#,
    links: wiki!("DL3044"),
};

impl DockerfileRule for Dl3044 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        let mut defined: Vec<(Option<usize>, String)> = Vec::new();
        for inst in &ctx.file.instructions {
            match inst.keyword {
                Keyword::Env => {
                    let pairs = inst.raw_pairs();
                    let refs = pairs.iter().enumerate().find_map(|(idx, (name, _))| {
                        let already = defined.iter().any(|(s, n)| *s == inst.stage && n == name);
                        let used = pairs
                            .iter()
                            .enumerate()
                            .filter(|(j, _)| *j != idx)
                            .filter_map(|(_, (_, v))| v.as_deref())
                            .any(|v| references(v, name));
                        (!already && used).then(|| name.clone())
                    });
                    if let Some(name) = refs {
                        out.push(Hit::msg(
                            inst,
                            format!("`{name}` is used in the `ENV` that defines it"),
                        ));
                    }
                    defined.extend(pairs.into_iter().map(|(k, _)| (inst.stage, k)));
                }
                Keyword::Arg => {
                    defined.extend(inst.pairs().into_iter().map(|(k, _)| (inst.stage, k)));
                }
                _ => {}
            }
        }
    }
}

fn references(value: &str, name: &str) -> bool {
    if value.contains(&format!("${{{name}}}")) || value.contains(&format!("${{{name}:")) {
        return true;
    }
    let needle = format!("${name}");
    value.match_indices(&needle).any(|(at, _)| {
        value
            .get(at + needle.len()..)
            .and_then(|rest| rest.chars().next())
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_self_reference() {
        assert_eq!(
            lines(&Dl3044, "FROM debian:12\nENV A=/opt B=${A}/bin\n"),
            vec![2]
        );
    }

    #[test]
    fn earlier_definition_is_clean() {
        assert!(
            lines(
                &Dl3044,
                "FROM debian:12\nENV A=/opt\nENV B=$A/bin PATH=$PATH:/x\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn prefix_names_do_not_match() {
        assert!(lines(&Dl3044, "FROM debian:12\nENV A=1 B=$AB\n").is_empty());
    }
}
