//! DL3025: CMD or ENTRYPOINT in shell form.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3025;

static META: RuleMeta = RuleMeta {
    id: "DL3025",
    title: "CMD or ENTRYPOINT in shell form",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"In shell form the process runs under `/bin/sh -c`, so it is not PID 1 and does not receive SIGTERM; containers then stop only after the kill timeout, without a clean shutdown."#,
    fix: r#"Use arguments JSON notation for CMD and ENTRYPOINT: `CMD ["executable", "arg"]`."#,
    links: wiki!("DL3025"),
};

impl DockerfileRule for Dl3025 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in &ctx.file.instructions {
            let shell_form = match inst.keyword {
                Keyword::Cmd | Keyword::Entrypoint => inst.shell_text().is_some(),
                Keyword::Healthcheck => inst
                    .shell_text()
                    .and_then(|t| t.strip_prefix("CMD").or_else(|| t.strip_prefix("cmd")))
                    .is_some_and(|rest| !rest.trim_start().starts_with('[')),
                _ => false,
            };
            if shell_form {
                out.push(Hit::msg(inst, format!("`{}` in shell form", inst.keyword)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_shell_form() {
        assert_eq!(
            lines(&Dl3025, "FROM debian:12\nCMD nginx -g 'daemon off;'\n"),
            vec![2]
        );
    }

    #[test]
    fn exec_form_is_clean() {
        let src = "FROM debian:12\nENTRYPOINT [\"/entry.sh\"]\nCMD [\"serve\"]\nHEALTHCHECK --interval=30s CMD [\"curl\", \"-f\", \"http://localhost/\"]\n";
        assert!(lines(&Dl3025, src).is_empty());
    }

    #[test]
    fn healthcheck_shell_form_fires_and_none_does_not() {
        let src = "FROM debian:12\nHEALTHCHECK CMD curl -f http://localhost/\nFROM debian:12\nHEALTHCHECK NONE\n";
        assert_eq!(lines(&Dl3025, src), vec![2]);
    }
}
