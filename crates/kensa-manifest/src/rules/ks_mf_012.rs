//! KS-MF-012: Seccomp is not confining the container.

use crate::Manifests;
use crate::model::{Dialect, Key};
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-012",
    title: "Seccomp is not confining the container",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"Seccomp removes the system calls containers do not need, which is where most kernel escapes start. Kubernetes runs containers unconfined unless a profile is set (or the kubelet's `SeccompDefault` is on); Docker and ECS apply their default profile unless told `unconfined`."#,
    fix: r#"Kubernetes: set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a profile). ECS and Compose: remove `seccomp:unconfined` from the security options."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.seccompProfile.type` (container, else pod; or the seccomp annotations)",
    ecs: "`dockerSecurityOptions` (`seccomp:unconfined`)",
    compose: "`security_opt` (`seccomp:unconfined`)",
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
            match &c.seccomp {
                Some(f) if out.known(w, f).is_some_and(|p| p.eq_ignore_ascii_case("Unconfined")) => {
                    out.container(w, c, &f.at, "the seccomp profile is `Unconfined`");
                }
                Some(_) => {}
                None if w.dialect == Dialect::Kubernetes => out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::Seccomp),
                    "no seccomp profile is set, so the container runs unconfined unless the kubelet defaults to one",
                ),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_absent_on_kubernetes_or_unconfined_anywhere() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].securityContext.seccompProfile"]
        );
        assert_eq!(
            fires(
                &Rule,
                "services:\n  a:\n    security_opt: [\"seccomp=unconfined\"]\n"
            ),
            ["services.a.security_opt[0]"]
        );
    }

    #[test]
    fn runtime_default_on_the_pod_is_clean() {
        let text = deployment(
            "securityContext:\n  seccompProfile: {type: RuntimeDefault}\n",
            "",
        );
        assert!(fires(&Rule, &text).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    image: x:1\n").is_empty());
    }

    #[test]
    fn the_legacy_annotation_counts() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\nspec:\n  containers:\n  - name: a\n";
        assert_eq!(
            fires(&Rule, text),
            ["metadata.annotations.seccomp.security.alpha.kubernetes.io/pod"]
        );
    }
}
