use kensa_core::{Finding, Scanner, Section, Severity};

use crate::history::{commands, parse, program, subcommand};
use crate::{ConfigRule, ImageContext, RuleMeta};

/// A build step that upgrades every installed distribution package.
pub struct PackageUpgrade;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-007",
    title: "Build upgrades all distribution packages",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"`apt-get upgrade`/`dist-upgrade` (and `apk upgrade`, `dnf upgrade` without a
package) pull whatever the mirror has that day: two builds of the same Dockerfile differ,
a distribution upgrade can replace the base image's release, and the fixes hide that the
base image itself is stale. Dockle DKL-DI-0003; hadolint DL3005."#,
    fix: r#"Rebuild on a current base image (pinned by digest, updated by a bot) instead
of upgrading inside the build. Upgrade a single package only when a fix is needed now,
by name and pinned version (`apt-get install --only-upgrade pkg=1.2-3`)."#,
    links: &[],
};

impl ConfigRule for PackageUpgrade {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for (i, h) in image.config.history.iter().enumerate() {
            let Some(created_by) = h.created_by.as_deref() else {
                continue;
            };
            let step = parse(created_by);
            if step.keyword != "RUN" {
                continue;
            }
            if let Some(cmd) = commands(step.args).into_iter().find(|c| upgrades_all(c)) {
                let message = format!("runs `{}`", cmd.join(" "));
                out.push(META.finding(Scanner::Config, image.history_location(i), Some(message)));
            }
        }
    }
}

/// True for a command that upgrades every installed package.
fn upgrades_all(cmd: &[String]) -> bool {
    let Some((tool, args)) = program(cmd) else {
        return false;
    };
    match tool {
        "apt-get" | "apt" | "aptitude" => matches!(
            subcommand(args, &["-o", "-c", "-t", "--target-release"]),
            Some("upgrade" | "dist-upgrade" | "full-upgrade" | "safe-upgrade")
        ),
        "apk" => subcommand(args, &["-X", "--repository", "-p", "--root"]) == Some("upgrade"),
        "yum" | "dnf" | "microdnf" | "tdnf" => {
            let sub = subcommand(args, &["--setopt", "--enablerepo", "--disablerepo", "-c"]);
            let Some(sub) = sub else {
                return false;
            };
            let operands = args
                .iter()
                .skip_while(|a| a.as_str() != sub)
                .skip(1)
                .filter(|a| !a.starts_with('-'))
                .count();
            matches!(sub, "upgrade" | "update" | "distro-sync") && operands == 0
        }
        "zypper" => matches!(
            subcommand(args, &[]),
            Some("update" | "up" | "dist-upgrade" | "dup")
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_history;

    #[test]
    fn fires_on_whole_system_upgrades() {
        let f = check_history(
            &PackageUpgrade,
            &[
                "/bin/sh -c apt-get update && apt-get -y dist-upgrade",
                "RUN /bin/sh -c apt-get -o Dpkg::Options::=--force-confnew upgrade -y # buildkit",
                "/bin/sh -c apk upgrade --no-cache",
                "/bin/sh -c dnf -y upgrade && dnf clean all",
            ],
        );
        assert_eq!(f.len(), 4, "{f:?}");
        assert_eq!(
            f[0].message.as_deref(),
            Some("runs `apt-get -y dist-upgrade`")
        );
    }

    #[test]
    fn clean_for_installs_and_single_package_updates() {
        let f = check_history(
            &PackageUpgrade,
            &[
                "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl",
                "/bin/sh -c apt-get install -y --only-upgrade openssl",
                "/bin/sh -c dnf -y update openssl",
                "/bin/sh -c pip install --upgrade pip",
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn upgrade_as_an_argument_is_not_a_subcommand() {
        let f = check_history(
            &PackageUpgrade,
            &["/bin/sh -c apt-get install -y upgrade-helper && echo upgrade"],
        );
        assert!(f.is_empty(), "{f:?}");
    }
}
