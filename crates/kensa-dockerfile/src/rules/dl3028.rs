//! DL3028: gem install without pinned versions.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3028;

static META: RuleMeta = RuleMeta {
    id: "DL3028",
    title: "gem install without pinned versions",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Unpinned gems resolve at build time; rebuilds differ and a hijacked release is installed silently."#,
    fix: r#"Pin versions in gem install: `gem install <gem>:<version>` or `-v <version>`."#,
    links: wiki!("DL3028"),
};

impl DockerfileRule for Dl3028 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            if !c.is("gem", &["install", "i"]) || c.has_any_flag(&["v", "version"]) {
                return None;
            }
            let mut gems = Vec::new();
            let mut args = c.args().take_while(|a| *a != "--");
            while let Some(a) = args.next() {
                if a.starts_with('-') {
                    if !a.contains('=') {
                        args.next();
                    }
                } else if a != "install" && a != "i" && !a.contains(':') {
                    gems.push(a);
                }
            }
            (!gems.is_empty()).then(|| format!("unpinned: `{}`", gems.join("`, `")))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unpinned_gem() {
        assert_eq!(
            lines(&Dl3028, "FROM ruby:3.3\nRUN gem install bundler\n"),
            vec![2]
        );
    }

    #[test]
    fn pinned_gems_are_clean() {
        assert!(
            lines(
                &Dl3028,
                "FROM ruby:3.3\nRUN gem install bundler:2.5.6 && gem install rails -v 7.1.3\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn option_values_are_skipped() {
        assert!(
            lines(
                &Dl3028,
                "FROM ruby:3.3\nRUN gem install --install-dir /gems rake:13.1\n"
            )
            .is_empty()
        );
    }
}
