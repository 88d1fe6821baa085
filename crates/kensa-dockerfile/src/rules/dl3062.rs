//! DL3062: go install without a pinned version.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3062;

static META: RuleMeta = RuleMeta {
    id: "DL3062",
    title: "go install without a pinned version",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`go install pkg` without `@version` builds whatever the module proxy resolves that day; rebuilds differ and a hijacked release is built in silently."#,
    fix: r#"Pin versions in go: `go install <package>@<version>` (not `@latest`)."#,
    links: wiki!("DL3062"),
};

impl DockerfileRule for Dl3062 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if c.name() != "go" {
                return None;
            }
            let ops = c.operands(&[]);
            let pkgs: Vec<&str> = match ops.split_first() {
                Some((&("install" | "get"), rest)) => {
                    rest.iter().copied().filter(|a| *a != "tool").collect()
                }
                // Only the package is checked; what follows it belongs to the program.
                Some((&"run", rest)) => rest.iter().copied().take(1).collect(),
                _ => return None,
            };
            let unpinned: Vec<&str> = pkgs
                .into_iter()
                .filter(|p| {
                    let local = *p == "." || p.starts_with('/') || p.starts_with('.');
                    let pinned =
                        p.contains('@') && !p.ends_with("@latest") && !p.ends_with("@none");
                    !(local || pinned)
                })
                .collect();
            (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned_and_latest() {
        let src = "FROM golang:1.22\nRUN go install golang.org/x/tools/gopls@latest\nRUN go install github.com/x/y\n";
        assert_eq!(lines(&Dl3062, src), vec![2, 3]);
    }

    #[test]
    fn pinned_and_local_are_clean() {
        assert!(lines(&Dl3062, "FROM golang:1.22\nRUN go install github.com/x/y@v1.2.3 && go install ./cmd/app && go build ./...\n").is_empty());
    }

    #[test]
    fn go_run_checks_only_the_package() {
        assert!(
            lines(
                &Dl3062,
                "FROM golang:1.22\nRUN go run github.com/x/gen@v0.3.0 --out gen\n"
            )
            .is_empty()
        );
    }
}
