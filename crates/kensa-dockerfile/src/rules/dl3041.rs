//! DL3041: dnf install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3041;

static META: RuleMeta = RuleMeta {
    id: "DL3041",
    title: "dnf install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned packages install whatever the repository has at build time, so rebuilds differ silently."#,
    fix: r#"Specify versions: `dnf install -y <package>-<version>`."#,
    reference: wiki!("DL3041"),
    enabled_by_default: true,
};

impl DockerfileRule for Dl3041 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if !["dnf", "microdnf"].contains(&c.name()) {
                return None;
            }
            let ops = c.operands(&[]);
            let module = ops.iter().any(|o| *o == "module" || *o == "group");
            if !ops.contains(&"install") {
                return None;
            }
            let unpinned: Vec<&str> = ops
                .into_iter()
                .filter(|p| !matches!(*p, "install" | "module" | "group"))
                .filter(|p| {
                    if module {
                        !p.contains(':')
                    } else {
                        !rpm_version_fixed(p)
                    }
                })
                .collect();
            (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
        });
    }
}

/// Hadolint's test: a dash-separated tail made of version characters with at least
/// one part starting with a digit; `.rpm` files and variables count as pinned.
fn rpm_version_fixed(p: &str) -> bool {
    if p.ends_with(".rpm") || p.contains('$') {
        return true;
    }
    let mut parts = p.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|part| {
            part.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '^' | '_' | ':' | '+')
            })
        })
        && rest
            .iter()
            .any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned() {
        assert_eq!(
            lines(&Dl3041, "FROM x:1\nRUN dnf install -y httpd\n"),
            vec![2]
        );
    }

    #[test]
    fn versions_rpms_and_variables_are_clean() {
        let src = "FROM x:1\nRUN dnf install -y httpd-2.4.6 ./local.rpm openssl-$VER && dnf module install -y nodejs:20\n";
        assert!(lines(&Dl3041, src).is_empty());
    }

    #[test]
    fn dashed_name_without_version_fires() {
        assert_eq!(
            lines(&Dl3041, "FROM x:1\nRUN dnf install -y python3-devel\n"),
            vec![2]
        );
    }
}
