use kensa_core::{Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// The image's default user is root, explicitly or by omission.
pub struct RootUser;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-001",
    title: "Image runs as root",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"A container whose process runs as uid 0 is root inside its namespace: a
breakout through a kernel or runtime flaw then starts with full privileges, and every
file in the image is writable. CIS Docker Benchmark 4.1; Dockle CIS-DI-0001."#,
    fix: r#"Create an unprivileged user and switch to it at the end of the Dockerfile,
e.g. `RUN useradd --uid 10001 --no-create-home app` then `USER 10001`."#,
    links: &[],
};

impl ConfigRule for RootUser {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        let user = image.config.config.user.as_deref().unwrap_or("").trim();
        let name = user.split(':').next().unwrap_or("");
        let message = match name {
            "" => "no USER is set, so the container runs as root".to_owned(),
            "root" | "0" => format!("USER is `{user}`"),
            _ => return,
        };
        out.push(META.finding(Scanner::Config, Location::default(), Some(message)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_config;
    use serde_json::json;

    #[test]
    fn fires_without_user_and_for_uid_zero() {
        assert_eq!(check_config(&RootUser, json!({})).len(), 1);
        assert_eq!(check_config(&RootUser, json!({"User": "0:0"})).len(), 1);
        let f = check_config(&RootUser, json!({"User": "root"}));
        assert_eq!(f[0].message.as_deref(), Some("USER is `root`"));
    }

    #[test]
    fn clean_for_unprivileged_users() {
        assert!(check_config(&RootUser, json!({"User": "10001"})).is_empty());
        assert!(check_config(&RootUser, json!({"User": "app:app"})).is_empty());
    }

    #[test]
    fn a_group_of_root_alone_is_not_root_user() {
        assert!(check_config(&RootUser, json!({"User": "app:0"})).is_empty());
    }
}
