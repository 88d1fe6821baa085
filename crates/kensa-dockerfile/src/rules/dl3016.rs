//! DL3016: npm install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3016;

static META: RuleMeta = RuleMeta {
    id: "DL3016",
    title: "npm install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned npm packages resolve at build time; rebuilds differ and a hijacked release is installed silently."#,
    fix: r#"Pin versions in npm: `npm install <package>@<version>`."#,
    links: wiki!("DL3016"),
};

impl DockerfileRule for Dl3016 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        const WITH_VALUE: &[&str] = &[
            "loglevel",
            "prefix",
            "registry",
            "cache",
            "userconfig",
            "w",
            "workspace",
        ];
        ctx.check_commands(out, |c| {
            if c.name() != "npm" {
                return None;
            }
            let ops = c.operands(WITH_VALUE);
            if !matches!(ops.first(), Some(&("install" | "i" | "add"))) {
                return None;
            }
            let unpinned: Vec<&str> = ops
                .iter()
                .skip(1)
                .copied()
                .filter(|p| !version_fixed(p))
                .collect();
            (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
        });
    }
}

fn version_fixed(p: &str) -> bool {
    if ["git://", "git+ssh://", "git+http://", "git+https://"]
        .iter()
        .any(|g| p.starts_with(g))
    {
        return p.contains('#');
    }
    if [".tar", ".tar.gz", ".tgz"].iter().any(|s| p.ends_with(s))
        || ["/", "./", "../", "~/"].iter().any(|s| p.starts_with(s))
    {
        return true;
    }
    // `@scope/name` starts with `@`; a version is an `@` after the first character.
    p.get(1..).is_some_and(|rest| rest.contains('@'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned_package() {
        assert_eq!(
            lines(
                &Dl3016,
                "FROM node:20\nRUN npm install -g typescript@5.4.2 eslint\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn bare_install_and_pinned_are_clean() {
        let src = "FROM node:20\nRUN npm install && npm i -g @angular/cli@17 ./local ../x.tgz git+https://h/r.git#v1\n";
        assert!(lines(&Dl3016, src).is_empty());
    }

    #[test]
    fn scoped_without_version_and_unversioned_git_fire() {
        assert_eq!(
            lines(
                &Dl3016,
                "FROM node:20\nRUN npm install @scope/pkg\nRUN npm install git+ssh://h:u/r.git\n"
            ),
            vec![2, 3]
        );
    }
}
