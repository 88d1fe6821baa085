//! DL3048: Invalid LABEL key.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3048;

static META: RuleMeta = RuleMeta {
    id: "DL3048",
    title: "Invalid LABEL key",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Label keys should be lower-case reverse-DNS names without reserved Docker namespaces, so tools can read them reliably."#,
    fix: r#"Use keys made of `a-z`, `0-9`, `.`, `-`, `_`, `/`, starting with a letter and ending with a letter or digit, outside `com.docker.`, `io.docker.` and `org.dockerproject.`."#,
    links: wiki!("DL3048"),
};

impl DockerfileRule for Dl3048 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Label) {
            // The key as written: `invalid$char` is not a valid key even though the
            // build would substitute `$char`.
            if let Some((key, _)) = inst.raw_pairs().into_iter().find(|(k, _)| !valid(k)) {
                out.push(Hit::msg(inst, format!("label key `{key}`")));
            }
        }
    }
}

fn valid(key: &str) -> bool {
    key.starts_with(|c: char| c.is_ascii_lowercase())
        && key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && key.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_' | '/')
        })
        && !["com.docker.", "io.docker.", "org.dockerproject."]
            .iter()
            .any(|p| key.starts_with(p))
        && !key.contains("..")
        && !key.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_upper_case_key() {
        assert_eq!(
            lines(&Dl3048, "FROM debian:12\nLABEL Maintainer=me\n"),
            vec![2]
        );
    }

    #[test]
    fn reverse_dns_keys_are_clean() {
        assert!(lines(&Dl3048, "FROM debian:12\nLABEL org.opencontainers.image.source=\"https://x\" maintainer=me\n").is_empty());
    }

    #[test]
    fn reserved_namespace_and_double_dots_fire() {
        assert_eq!(
            lines(
                &Dl3048,
                "FROM debian:12\nLABEL com.docker.x=1\nLABEL a..b=1\n"
            ),
            vec![2, 3]
        );
    }

    #[test]
    fn issue_15_a_variable_in_the_key_is_not_a_valid_key() {
        assert_eq!(
            lines(&Dl3048, "FROM debian:12\nLABEL app$suffix=1\n"),
            vec![2]
        );
    }
}
