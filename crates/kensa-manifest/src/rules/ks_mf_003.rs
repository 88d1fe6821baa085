//! KS-MF-003: Privileged container.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-003",
    title: "Privileged container",
    severity: Severity::Critical,
    section: Section::InsecureRuntimeConfig,
    why: r#"A privileged container has every capability, sees every host device and runs without seccomp or AppArmor confinement: it is the host, with a different root directory."#,
    fix: r#"Remove `privileged: true`. Grant the one capability the workload needs (`capabilities.add`) or use a device plugin instead."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.privileged`",
    ecs: "`privileged`",
    compose: "`privileged`",
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
            if let Some(f) = &c.privileged
                && out.known(w, f) == Some(&true)
            {
                out.container(w, c, &f.at, "`privileged` is true");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_in_every_format() {
        let k8s = deployment("", "securityContext:\n  privileged: true\n");
        assert_eq!(
            fires(&Rule, &k8s),
            ["spec.template.spec.containers[0].securityContext.privileged"]
        );
        assert_eq!(hits(&Rule, &k8s)[0].at.line, 15);
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"privileged\": true}]}";
        assert_eq!(fires(&Rule, ecs), ["containerDefinitions[0].privileged"]);
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    privileged: true\n"),
            ["services.a.privileged"]
        );
    }

    #[test]
    fn false_or_absent_is_clean() {
        assert!(
            fires(
                &Rule,
                &deployment("", "securityContext:\n  privileged: false\n")
            )
            .is_empty()
        );
        assert!(fires(&Rule, &deployment("", "")).is_empty());
    }

    #[test]
    fn init_containers_and_quoted_booleans_count() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: setup\n    securityContext: {privileged: \"true\"}\n  containers:\n  - name: a\n";
        assert_eq!(
            fires(&Rule, text),
            ["spec.initContainers[0].securityContext.privileged"]
        );
    }
}
