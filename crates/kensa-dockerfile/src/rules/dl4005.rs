//! DL4005: /bin/sh replaced with ln.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl4005;

static META: RuleMeta = RuleMeta {
    id: "DL4005",
    title: "/bin/sh replaced with ln",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"Replacing /bin/sh with a symlink changes the shell for every later RUN and for the base image's scripts, in a way nobody reading the Dockerfile expects."#,
    fix: r#"Use `SHELL` to change the default shell."#,
    links: wiki!("DL4005"),
};

impl DockerfileRule for Dl4005 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            (c.name() == "ln" && c.has_arg("/bin/sh")).then(|| "`ln … /bin/sh`".to_owned())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_ln_bin_sh() {
        assert_eq!(
            lines(&Dl4005, "FROM debian:12\nRUN ln -sf /bin/bash /bin/sh\n"),
            vec![2]
        );
    }

    #[test]
    fn shell_instruction_is_clean() {
        assert!(
            lines(
                &Dl4005,
                "FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\nRUN ln -s /a /b\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn bin_sh_as_link_source_fires_as_in_hadolint() {
        assert_eq!(
            lines(
                &Dl4005,
                "FROM debian:12\nRUN ln -s /bin/sh /usr/local/bin/sh2\n"
            ),
            vec![2]
        );
    }
}
