//! DL3015: apt-get install pulls in recommended packages.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3015;

static META: RuleMeta = RuleMeta {
    id: "DL3015",
    title: "apt-get install pulls in recommended packages",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Recommended packages are installed by default, adding size and attack surface the image does not need."#,
    fix: r#"Avoid additional packages by specifying `--no-install-recommends`."#,
    links: wiki!("DL3015"),
};

impl DockerfileRule for Dl3015 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let off = c.has_flag("no-install-recommends")
                || c.args().any(|a| {
                    a.contains("APT::Install-Recommends=false")
                        || a.contains("APT::Install-Recommends=0")
                });
            (c.is("apt-get", &["install"]) && !off)
                .then(|| "missing `--no-install-recommends`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_flag() {
        assert_eq!(
            lines(&Dl3015, "FROM debian:12\nRUN apt-get install -y curl\n"),
            vec![2]
        );
    }

    #[test]
    fn flag_is_clean() {
        assert!(
            lines(
                &Dl3015,
                "FROM debian:12\nRUN apt-get install -y --no-install-recommends curl\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn apt_option_is_clean_and_update_alone_is_ignored() {
        let src = "FROM debian:12\nRUN apt-get update && apt-get -o APT::Install-Recommends=false install -y curl\n";
        assert!(lines(&Dl3015, src).is_empty());
    }
}
