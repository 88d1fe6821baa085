//! DL3014: apt-get install without -y.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3014;

static META: RuleMeta = RuleMeta {
    id: "DL3014",
    title: "apt-get install without -y",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Without `-y`, apt-get asks for confirmation; in a non-interactive build that aborts the install or hangs."#,
    fix: r#"Use the `-y` switch: `apt-get install -y <package>`."#,
    links: wiki!("DL3014"),
};

impl DockerfileRule for Dl3014 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let yes = c.has_any_flag(&["y", "yes", "assume-yes", "qq"])
                || c.count_flag("q") >= 2
                || c.count_flag("quiet") >= 2
                || c.has_arg("-q=2");
            (c.is("apt-get", &["install"]) && !yes)
                .then(|| "`apt-get install` without `-y`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_without_yes() {
        assert_eq!(
            lines(&Dl3014, "FROM debian:12\nRUN apt-get install curl\n"),
            vec![2]
        );
    }

    #[test]
    fn yes_variants_are_clean() {
        let src = "FROM debian:12\nRUN apt-get install -y a && apt-get --yes install b && apt-get -qq install c && apt-get -q -q install d && apt-get install --assume-yes e\n";
        assert!(lines(&Dl3014, src).is_empty());
    }

    #[test]
    fn clustered_flag_counts() {
        assert!(lines(&Dl3014, "FROM debian:12\nRUN apt-get -qy install curl\n").is_empty());
    }
}
