//! DL3032: yum cache left in the image.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3032;

static META: RuleMeta = RuleMeta {
    id: "DL3032",
    title: "yum cache left in the image",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"yum keeps downloaded packages and metadata in /var/cache/yum; without a clean the layer keeps them forever."#,
    fix: r#"Run `yum clean all` (or `rm -rf /var/cache/yum/*`) after `yum install` in the same `RUN`."#,
    links: wiki!("DL3032"),
};

impl DockerfileRule for Dl3032 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for run in ctx.runs() {
            if false {
                continue;
            }
            let install = run
                .tools
                .iter()
                .position(|c| c.name() == "yum" && c.is(c.name(), &["install"]));
            let clean = run.tools.iter().position(|c| {
                c.is("yum", &["clean"]) && c.has_arg("all")
                    || (c.name() == "rm" && c.args().any(|a| a.starts_with("/var/cache/yum")))
            });
            if let Some(i) = install
                && clean.is_none_or(|c| c < i)
            {
                out.push(run.hit(None));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_clean() {
        assert_eq!(
            lines(&Dl3032, "FROM x:1\nRUN yum install -y httpd-2.4.6\n"),
            vec![2]
        );
    }

    #[test]
    fn clean_after_install_is_clean() {
        assert!(
            lines(
                &Dl3032,
                "FROM x:1\nRUN yum install -y httpd-2.4.6 && yum clean all\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn clean_before_install_still_fires() {
        assert_eq!(
            lines(
                &Dl3032,
                "FROM x:1\nRUN yum clean all && yum install -y httpd-2.4.6\n"
            ),
            vec![2]
        );
    }
}
