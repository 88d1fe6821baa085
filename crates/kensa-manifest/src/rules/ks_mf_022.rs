//! KS-MF-022: Service account token is mounted.

use crate::Manifests;
use crate::model::Dialect;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-022",
    title: "Service account token is mounted",
    severity: Severity::Medium,
    section: Section::OrchestratorUnauthorizedAccess,
    why: r#"Every pod gets a token for its service account unless told otherwise; a compromised container then talks to the Kubernetes API with whatever that account may do, and most workloads never need the API at all."#,
    fix: r#"Set `automountServiceAccountToken: false` on the pod spec (or on its ServiceAccount), and mount a projected token only in pods that call the API."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`automountServiceAccountToken` (pod, else its ServiceAccount)",
    ecs: "-",
    compose: "-",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Orchestrator
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for w in &m.workloads {
            if w.dialect != Dialect::Kubernetes {
                continue;
            }
            let at = match &w.automount_token {
                Some(f) => match out.known(w, f) {
                    Some(false) | None => continue,
                    Some(true) => f.at.clone(),
                },
                None => {
                    let sa = w.service_account.as_deref().unwrap_or("default");
                    let off = m.kube_objects.iter().any(|o| {
                        o.origin.kind == "ServiceAccount"
                            && o.origin.name == sa
                            && o.namespace.as_deref().unwrap_or("default")
                                == w.effective_namespace()
                            && o.node.get("automountServiceAccountToken").and_then(|v| {
                                match v.value {
                                    crate::yaml::Value::Bool(b) => Some(b),
                                    _ => None,
                                }
                            }) == Some(false)
                    });
                    if off {
                        continue;
                    }
                    w.at.child("automountServiceAccountToken", w.at.line)
                }
            };
            let sa = w.service_account.as_deref().unwrap_or("default");
            out.workload(
                w,
                &at,
                format!("the token of service account `{sa}` is mounted"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_by_default() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.automountServiceAccountToken"]
        );
    }

    #[test]
    fn off_on_the_pod_or_its_service_account_is_clean() {
        assert!(
            fires(
                &Rule,
                &deployment("automountServiceAccountToken: false\n", "")
            )
            .is_empty()
        );
        let text = format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: web, namespace: shop}}\nautomountServiceAccountToken: false\n---\n{}",
            deployment("serviceAccountName: web\n", "")
        );
        assert!(fires(&Rule, &text).is_empty());
    }

    #[test]
    fn the_pod_overrides_its_service_account() {
        let text = format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: web, namespace: shop}}\nautomountServiceAccountToken: false\n---\n{}",
            deployment(
                "serviceAccountName: web\nautomountServiceAccountToken: true\n",
                ""
            )
        );
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.automountServiceAccountToken"]
        );
    }
}
