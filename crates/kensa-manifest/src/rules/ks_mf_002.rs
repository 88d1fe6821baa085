//! KS-MF-002: Container runs as root.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-002",
    title: "Container runs as root",
    severity: Severity::High,
    section: Section::InsecureRuntimeConfig,
    why: r#"The manifest asks for UID 0. Root in a container is root on the host kernel: any escape, writable host mount or kernel bug gives the node."#,
    fix: r#"Set `runAsUser` (Kubernetes) or `user` (ECS, Compose) to a non-zero UID the image's files allow, e.g. `10001`, and give the files that UID in the image instead of running as root."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.runAsUser` (container, else pod)",
    ecs: "`user`",
    compose: "`user`",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Identity
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if let Some(f) = &c.run_as_user
                && out.known(w, f) == Some(&0)
            {
                out.container(w, c, &f.at, "`runAsUser` is 0");
            }
            if let Some(f) = &c.user
                && let Some(user) = out.known(w, f)
                && crate::rules::is_root_user(user)
            {
                out.container(w, c, &f.at, format!("`user` is `{user}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_uid_zero_and_root() {
        let text = deployment("securityContext:\n  runAsUser: 0\n", "");
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.securityContext.runAsUser"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  web:\n    user: \"root:root\"\n"),
            ["services.web.user"]
        );
    }

    #[test]
    fn non_root_is_clean() {
        let text = deployment("", "securityContext:\n  runAsUser: 10001\n");
        assert!(fires(&Rule, &text).is_empty());
        assert!(fires(&Rule, "services:\n  web:\n    user: \"1000:0\"\n").is_empty());
    }

    #[test]
    fn container_overrides_pod_and_ecs_zero_counts() {
        let text = deployment(
            "securityContext:\n  runAsUser: 0\n",
            "securityContext:\n  runAsUser: 1000\n",
        );
        assert!(fires(&Rule, &text).is_empty());
        let ecs =
            "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"user\": \"0\"}]}";
        assert_eq!(fires(&Rule, ecs), ["containerDefinitions[0].user"]);
    }
}
