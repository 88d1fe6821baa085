//! KS-MF-013: AppArmor is turned off.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-013",
    title: "AppArmor is turned off",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"AppArmor's runtime profile stops a container from writing to `/proc` and `/sys` and from mounting filesystems; `unconfined` removes that layer on hosts that have it."#,
    fix: r#"Remove the `unconfined` AppArmor setting so the runtime's default profile applies, or set a `Localhost` profile written for the workload."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.appArmorProfile.type`, `container.apparmor.security.beta.kubernetes.io/NAME`",
    ecs: "`dockerSecurityOptions` (`apparmor:unconfined`)",
    compose: "`security_opt` (`apparmor:unconfined`)",
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
            if let Some(f) = &c.apparmor
                && out
                    .known(w, f)
                    .is_some_and(|p| p.eq_ignore_ascii_case("Unconfined"))
            {
                out.container(w, c, &f.at, "AppArmor is `unconfined`");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_unconfined() {
        let text = deployment(
            "",
            "securityContext:\n  appArmorProfile: {type: Unconfined}\n",
        );
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.containers[0].securityContext.appArmorProfile.type"]
        );
        assert_eq!(
            fires(
                &Rule,
                "services:\n  a:\n    security_opt: [\"apparmor:unconfined\"]\n"
            ),
            ["services.a.security_opt[0]"]
        );
    }

    #[test]
    fn default_is_clean() {
        assert!(fires(&Rule, &deployment("", "")).is_empty());
    }

    #[test]
    fn the_per_container_annotation_counts() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/a: unconfined\nspec:\n  containers:\n  - name: a\n  - name: b\n";
        let found = hits(&Rule, text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].container.as_deref(), Some("a"));
    }
}
