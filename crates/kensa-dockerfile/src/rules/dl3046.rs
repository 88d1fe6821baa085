//! DL3046: useradd with a high UID and without -l.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3046;

static META: RuleMeta = RuleMeta {
    id: "DL3046",
    title: "useradd with a high UID and without -l",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"useradd writes the lastlog and faillog entries for the UID into sparse files; Docker layers are not sparse, so a large UID produces a file of gigabytes."#,
    fix: r#"Use `useradd -l` (`--no-log-init`) when creating a user with a high UID."#,
    links: wiki!("DL3046"),
};

impl DockerfileRule for Dl3046 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        ctx.check_commands(out, |c| {
            let uid = c.flag_value("u", "uid")?;
            (c.name() == "useradd" && !c.has_any_flag(&["l", "no-log-init"]) && uid.len() > 5)
                .then(|| format!("`useradd -u {uid}` without `-l`"))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_high_uid() {
        assert_eq!(
            lines(&Dl3046, "FROM debian:12\nRUN useradd -u 1000000 app\n"),
            vec![2]
        );
    }

    #[test]
    fn low_uid_or_l_flag_is_clean() {
        assert!(lines(&Dl3046, "FROM debian:12\nRUN useradd -u 10001 app && useradd -l -u 2000000 b && useradd --no-log-init --uid=3000000 c\n").is_empty());
    }

    #[test]
    fn no_uid_is_clean() {
        assert!(lines(&Dl3046, "FROM debian:12\nRUN useradd -m app\n").is_empty());
    }
}
