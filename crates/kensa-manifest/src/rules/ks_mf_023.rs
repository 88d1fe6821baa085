//! KS-MF-023: Workload in the default namespace.

use crate::Manifests;
use crate::model::Dialect;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-023",
    title: "Workload in the default namespace",
    severity: Severity::Low,
    section: Section::MixedWorkloadSensitivity,
    why: r#"The `default` namespace is where everything without a home lands: workloads of different sensitivity end up sharing its service accounts, RBAC bindings, quotas and network policies."#,
    fix: r#"Give every workload a namespace of its own application (`metadata.namespace: shop`), with its own RBAC, quotas and NetworkPolicies."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`metadata.namespace`",
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
            match &w.namespace {
                Some(f) => {
                    if out.known(w, f).is_some_and(|n| n == "default") {
                        out.workload(w, &f.at, "the namespace is `default`");
                    }
                }
                None => {
                    let root = w.object.path.clone();
                    let at = crate::model::At::new(
                        crate::model::join(&root, "metadata.namespace"),
                        w.object.line,
                    );
                    out.workload(w, &at, "no namespace is set, so the object lands in `default` unless applied with `-n`");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_default_and_missing() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n  containers: [{name: a}]\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers: [{name: a}]\n";
        let found = hits(&Rule, text);
        assert_eq!(found.len(), 2);
        assert_eq!(
            (found[1].at.path.as_str(), found[1].at.line),
            ("metadata.namespace", 7)
        );
    }

    #[test]
    fn a_namespace_is_clean() {
        assert!(fires(&Rule, &deployment("", "")).is_empty());
    }

    #[test]
    fn list_items_point_inside_the_list() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: q}\n  spec:\n    containers: [{name: a}]\n";
        assert_eq!(fires(&Rule, text), ["items[0].metadata.namespace"]);
    }
}
