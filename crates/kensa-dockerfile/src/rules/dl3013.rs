//! DL3013: pip install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3013;

static META: RuleMeta = RuleMeta {
    id: "DL3013",
    title: "pip install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned Python packages resolve to whatever PyPI serves at build time; rebuilds differ and a compromised or broken release is picked up silently."#,
    fix: r#"Pin versions in pip: `pip install <package>==<version>`, or install from a requirements or constraints file."#,
    links: wiki!("DL3013"),
};

impl DockerfileRule for Dl3013 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        const WITH_VALUE: &[&str] = &[
            "abi",
            "b",
            "build",
            "e",
            "editable",
            "extra-index-url",
            "f",
            "find-links",
            "i",
            "index-url",
            "implementation",
            "no-binary",
            "only-binary",
            "platform",
            "prefix",
            "progress-bar",
            "proxy",
            "python",
            "python-version",
            "root",
            "root-user-action",
            "src",
            "t",
            "target",
            "trusted-host",
            "upgrade-strategy",
        ];
        const SYMBOLS: &[&str] = &["==", ">=", "<=", ">", "<", "!=", "~=", "==="];
        ctx.check_commands(out, |c| {
            // pipx installs each application into its own venv from the same index, so
            // the same pin applies (pipx keeps no wheel cache worth DL3042's warning).
            let pipx = c.name() == "pipx" && c.args_no_flags().next() == Some("install");
            if !(is_pip_install(c) || pipx)
                || c.has_any_flag(&["r", "requirement", "c", "constraint"])
                || c.has_arg(".")
            {
                return None;
            }
            let mut ops = c.operands(WITH_VALUE).into_iter();
            ops.by_ref().find(|o| *o == "install");
            let unpinned: Vec<&str> = ops
                .filter(|p| {
                    let vcs = p.contains("+") && p.contains("://");
                    !(SYMBOLS.iter().any(|s| p.contains(s))
                        || (vcs && p.contains('@'))
                        || p.ends_with(".whl")
                        || p.ends_with(".tar.gz")
                        || (!vcs && p.contains('/')))
                })
                .collect();
            (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
        });
    }
}

pub(crate) fn is_pip_install(c: &crate::shell::Command) -> bool {
    c.name().starts_with("pip")
        && c.name()
            .trim_start_matches("pip")
            .chars()
            .all(|ch| ch.is_ascii_digit() || ch == '.')
        && c.args_no_flags().next() == Some("install")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn issue_15_pipx_install_is_pinned_like_pip() {
        let src = "FROM python:3.12\nRUN pipx install black\nRUN pipx install ruff==0.6.0\n";
        assert_eq!(lines(&Dl3013, src), vec![2]);
    }

    #[test]
    fn fires_on_unpinned_package() {
        assert_eq!(
            lines(
                &Dl3013,
                "FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.0 requests\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn pinned_requirements_and_local_are_clean() {
        let src = "FROM python:3.12\nRUN pip install -r requirements.txt && pip install . && pip3 install 'django>=4,<5' ./dist/app.whl\n";
        assert!(lines(&Dl3013, src).is_empty());
    }

    #[test]
    fn python_m_pip_and_index_url_value() {
        let src =
            "FROM python:3.12\nRUN python3 -m pip install -i https://pypi.example/simple black\n";
        assert_eq!(lines(&Dl3013, src), vec![2]);
    }
}
