//! DL3011: EXPOSE port out of range.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3011;

static META: RuleMeta = RuleMeta {
    id: "DL3011",
    title: "EXPOSE port out of range",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"Valid UNIX ports range from 0 to 65535; anything else is a typo that fails at run time."#,
    fix: r#"Expose a port between 0 and 65535."#,
    links: wiki!("DL3011"),
};

impl DockerfileRule for Dl3011 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Expose) {
            for word in &inst.words {
                let ports = word.split('/').next().unwrap_or_default();
                for p in ports.split('-') {
                    if p.chars().all(|c| c.is_ascii_digit())
                        && !p.is_empty()
                        && p.parse::<u16>().is_err()
                    {
                        out.push(Hit::msg(inst, format!("port `{p}` is out of range")));
                    }
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
    fn fires_on_large_port() {
        assert_eq!(
            lines(&Dl3011, "FROM debian:12\nEXPOSE 80 70000/tcp\n"),
            vec![2]
        );
    }

    #[test]
    fn valid_ports_and_ranges_are_clean() {
        assert!(lines(&Dl3011, "FROM debian:12\nEXPOSE 0 65535 8000-8100/udp\n").is_empty());
    }

    #[test]
    fn variables_are_expanded_first() {
        assert_eq!(
            lines(&Dl3011, "FROM debian:12\nARG P=99999\nEXPOSE $P ${Q:-80}\n"),
            vec![3]
        );
    }
}
