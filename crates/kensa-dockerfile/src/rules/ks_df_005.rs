//! KS-DF-005: Remote script piped into a shell.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};
use crate::shell::Sep;

pub(crate) struct KsDf005;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-005",
    title: "Remote script piped into a shell",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`curl … | sh` runs whatever the server returns at build time, unverified: a compromised or spoofed host, or a partial download, executes arbitrary code in the build with no record of what ran."#,
    fix: r#"Download to a file, verify its checksum or signature (`ADD --checksum=sha256:…` or `sha256sum -c`), then run it; or install from a package manager."#,
    links: &[],
};

impl DockerfileRule for KsDf005 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        const SHELLS: &[&str] = &["sh", "bash", "zsh", "ash", "dash", "ksh"];
        const FETCHERS: &[&str] = &["curl", "wget"];
        for run in ctx.runs() {
            let tools: Vec<_> = run.tools.iter().collect();
            let piped = tools.windows(2).any(|w| match w {
                [a, b] => {
                    FETCHERS.contains(&a.name()) && a.sep == Sep::Pipe && SHELLS.contains(&b.name())
                }
                _ => false,
            });
            let substituted = tools.iter().any(|c| {
                SHELLS.contains(&c.name())
                    && c.args().any(|a| {
                        FETCHERS.iter().any(|f| {
                            a.contains(&format!("$({f} ")) || a.contains(&format!("<({f} "))
                        })
                    })
            });
            if piped || substituted {
                out.push(run.hit(Some(
                    "a downloaded script is run without verification".to_owned(),
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_curl_pipe_sh() {
        assert_eq!(
            lines(
                &KsDf005,
                "FROM debian:12\nRUN curl -fsSL https://get.example.com | sudo bash -s -- --yes\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn download_then_verify_is_clean() {
        let src = "FROM debian:12\nRUN curl -fsSLo /tmp/i.sh https://x && echo 'abc  /tmp/i.sh' | sha256sum -c && sh /tmp/i.sh\n";
        assert!(lines(&KsDf005, src).is_empty());
    }

    #[test]
    fn command_substitution_fires() {
        assert_eq!(
            lines(
                &KsDf005,
                "FROM debian:12\nRUN sh -c \"$(wget -qO- https://x/install.sh)\"\n"
            ),
            vec![2]
        );
    }
}
