use kensa_core::{Finding, Scanner, Section, Severity};

use crate::history::{commands, parse, program, subcommand};
use crate::{ConfigRule, ImageContext, RuleMeta};

/// A build step that refreshes the package index without installing in the same step.
pub struct UpdateAlone;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-008",
    title: "Package index updated in a step that installs nothing",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"The layer of a lone `apt-get update` is cached: later builds reuse the old
index, and the `apt-get install` of a later step then installs outdated versions, or
fails when the mirror has dropped them. The index also adds megabytes to the image for
nothing. CIS Docker Benchmark 4.7; Dockle CIS-DI-0007."#,
    fix: r#"Update and install in one `RUN`, and clean up in the same step:
`RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`
(`apk add --no-cache pkg` on Alpine needs no update at all)."#,
    links: &[],
};

impl ConfigRule for UpdateAlone {
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
            let cmds = commands(step.args);
            let ops: Vec<(&str, &str)> = cmds.iter().filter_map(|c| package_op(c)).collect();
            for (tool, op) in &ops {
                if *op != "update" {
                    continue;
                }
                let installs = ops
                    .iter()
                    .any(|(t, o)| same_family(t, tool) && *o != "update");
                if !installs {
                    let message =
                        format!("`{tool} update` runs without an install in the same step");
                    out.push(META.finding(
                        Scanner::Config,
                        image.history_location(i),
                        Some(message),
                    ));
                    break;
                }
            }
        }
    }
}

/// The package tool and what it does (`update` or `install`) for apt and apk commands.
fn package_op(cmd: &[String]) -> Option<(&str, &'static str)> {
    let (tool, args) = program(cmd)?;
    let sub = match tool {
        "apt-get" | "apt" | "aptitude" => subcommand(args, &["-o", "-c", "-t"])?,
        "apk" => subcommand(args, &["-X", "--repository", "-p", "--root"])?,
        _ => return None,
    };
    let op = match sub {
        "update" => "update",
        "install" | "add" | "upgrade" | "dist-upgrade" | "full-upgrade" | "build-dep"
        | "source" | "download" => "install",
        _ => return None,
    };
    Some((tool, op))
}

fn same_family(a: &str, b: &str) -> bool {
    (a == "apk") == (b == "apk")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_history;

    #[test]
    fn fires_on_a_lone_update() {
        let f = check_history(
            &UpdateAlone,
            &[
                "/bin/sh -c apt-get update",
                "/bin/sh -c apt-get install -y curl",
                "RUN /bin/sh -c apk update # buildkit",
            ],
        );
        let messages: Vec<_> = f.iter().map(|f| f.message.as_deref().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "`apt-get update` runs without an install in the same step",
                "`apk update` runs without an install in the same step"
            ]
        );
    }

    #[test]
    fn clean_when_update_and_install_share_a_step() {
        let f = check_history(
            &UpdateAlone,
            &[
                "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*",
                "/bin/sh -c apk update && apk add curl",
                "/bin/sh -c apt update; apt -y install git",
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn installs_of_another_family_do_not_count() {
        let f = check_history(&UpdateAlone, &["/bin/sh -c apt-get update && apk add curl"]);
        assert_eq!(f.len(), 1);
    }
}
