//! KS-MF-014: SELinux separation is turned off.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-014",
    title: "SELinux separation is turned off",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"On SELinux hosts, the container's label keeps it from the host's and other containers' files. `label:disable` or a type such as `spc_t` (super-privileged container) or `unconfined_t` removes that separation."#,
    fix: r#"Remove `label:disable` and the `spc_t`/`unconfined_t` type; let the runtime assign the container label (`container_t`)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.seLinuxOptions.type`",
    ecs: "`dockerSecurityOptions` (`label:disable`)",
    compose: "`security_opt` (`label:disable`)",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Isolation
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if let Some(f) = &c.selinux
                && let Some(t) = out.known(w, f)
                && matches!(t.as_str(), "disable" | "spc_t" | "unconfined_t")
            {
                let what = if t == "disable" {
                    "SELinux labelling is disabled".to_owned()
                } else {
                    format!("runs with SELinux type `{t}`")
                };
                out.container(w, c, &f.at, what);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_disable_and_super_privileged_types() {
        assert_eq!(
            fires(
                &Rule,
                "services:\n  a:\n    security_opt: [\"label:disable\"]\n"
            ),
            ["services.a.security_opt[0]"]
        );
        let text = deployment("securityContext:\n  seLinuxOptions: {type: spc_t}\n", "");
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.securityContext.seLinuxOptions.type"]
        );
    }

    #[test]
    fn container_type_is_clean() {
        let text = deployment(
            "",
            "securityContext:\n  seLinuxOptions: {type: container_t}\n",
        );
        assert!(fires(&Rule, &text).is_empty());
    }

    #[test]
    fn ecs_docker_security_options_count() {
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"dockerSecurityOptions\": [\"label=disable\"]}]}";
        assert_eq!(
            fires(&Rule, ecs),
            ["containerDefinitions[0].dockerSecurityOptions[0]"]
        );
    }
}
