//! KS-MF-028: Outbound traffic is not restricted.

use kensa_core::{RuleMeta, Section, Severity};
use std::collections::BTreeMap;

use crate::model::Dialect;
use crate::yaml::Node;

/// Whether a NetworkPolicy restricts egress: `Egress` among its types (or an `egress`
/// list with no types given) and no rule that allows everything (`- {}`, or `0.0.0.0/0`
/// on every port).
fn restricts_egress(policy: &Node) -> bool {
    let Some(spec) = policy.get("spec") else {
        return false;
    };
    let types: Vec<String> = spec
        .get("policyTypes")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(Node::scalar_text)
        .collect();
    let egress = spec.get("egress");
    let has_egress = types.iter().any(|t| t == "Egress") || (types.is_empty() && egress.is_some());
    if !has_egress {
        return false;
    }
    let allows_all = |rule: &Node| {
        if rule.get("ports").is_some() {
            return false;
        }
        match rule.get("to").and_then(Node::as_seq) {
            None => true,
            Some(peers) => peers.iter().any(|p| {
                p.get("ipBlock").is_some_and(|b| {
                    matches!(
                        b.get("cidr").and_then(Node::as_str),
                        Some("0.0.0.0/0" | "::/0")
                    ) && b.get("except").is_none()
                })
            }),
        }
    };
    !egress
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .any(allows_all)
}

/// Whether a label selector selects pods with `labels` (an absent or empty selector
/// selects every pod of the namespace).
fn selects(selector: Option<&Node>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return true;
    };
    let match_labels = selector
        .get("matchLabels")
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .all(|(k, v)| {
            k.as_str()
                .and_then(|k| labels.get(k))
                .is_some_and(|have| Some(have.as_str()) == v.scalar_text().as_deref())
        });
    let expressions = selector
        .get("matchExpressions")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .all(|e| {
            let key = e.get("key").and_then(Node::as_str).unwrap_or_default();
            let values: Vec<String> = e
                .get("values")
                .and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .filter_map(Node::scalar_text)
                .collect();
            let have = labels.get(key);
            match e.get("operator").and_then(Node::as_str) {
                Some("In") => have.is_some_and(|h| values.contains(h)),
                Some("NotIn") => have.is_none_or(|h| !values.contains(h)),
                Some("Exists") => have.is_some(),
                Some("DoesNotExist") => have.is_none(),
                _ => false,
            }
        });
    match_labels && expressions
}
use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-028",
    title: "Outbound traffic is not restricted",
    severity: Severity::Medium,
    section: Section::UnboundedNetworkAccess,
    why: r#"A container that can open connections anywhere can exfiltrate data, fetch tools and reach the cloud's metadata service and the node's neighbours; SP 800-190 asks for egress to be limited to what the application needs."#,
    fix: r#"Kubernetes: add a NetworkPolicy in the namespace that selects the pods and lists `Egress` in `policyTypes` with the destinations they need (a default-deny egress policy plus allow rules). Compose: put back-end services on a network with `internal: true`. ECS in `awsvpc` mode: restrict the security group's outbound rules (kensa notes them, it cannot see them)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`NetworkPolicy` with `policyTypes: [Egress]` selecting the pod",
    ecs: "-",
    compose: "top-level `networks` with `internal: true`",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Network
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, ctx: &Context<'_>, out: &mut Out) {
        if ctx.partial {
            return;
        }
        let policies: Vec<&crate::model::KubeObject> = m
            .kube_objects
            .iter()
            .filter(|o| o.origin.kind == "NetworkPolicy" && restricts_egress(&o.node))
            .collect();
        for w in &m.workloads {
            if w.dialect != Dialect::Kubernetes {
                continue;
            }
            let covered = policies.iter().any(|p| {
                p.namespace.as_deref().unwrap_or("default") == w.effective_namespace()
                    && selects(
                        p.node.get("spec").and_then(|s| s.get("podSelector")),
                        &w.labels,
                    )
            });
            if !covered {
                out.workload(
                    w,
                    &w.at,
                    format!(
                        "no NetworkPolicy in namespace `{}` restricts this pod's egress",
                        w.effective_namespace()
                    ),
                );
            }
        }
        for project in &m.compose {
            if !project.internal_networks.is_empty() {
                continue;
            }
            let services: Vec<&str> = m
                .workloads
                .iter()
                .filter(|w| {
                    w.dialect == Dialect::Compose
                        && w.origin.file == project.origin.file
                        && w.origin.document == project.origin.document
                        && w.network_mode.is_none()
                })
                .map(|w| w.origin.name.as_str())
                .collect();
            if services.is_empty() {
                continue;
            }
            out.object(
                &project.origin,
                &project.at,
                format!(
                    "no network is `internal: true`, so every service (`{}`) can reach any address",
                    services.join("`, `")
                ),
                &project.ignores,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    const POLICY: &str = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: egress, namespace: shop}\nspec:\n";

    #[test]
    fn fires_without_an_egress_policy() {
        assert_eq!(fires(&Rule, &deployment("", "")), ["spec.template.spec"]);
        let ingress_only = format!(
            "{POLICY}  podSelector: {{}}\n  policyTypes: [Ingress]\n---\n{}",
            deployment("", "")
        );
        assert_eq!(fires(&Rule, &ingress_only), ["spec.template.spec"]);
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    image: x:1\n"),
            ["services"]
        );
    }

    #[test]
    fn a_selecting_egress_policy_and_internal_networks_are_clean() {
        let text = format!(
            "{POLICY}  podSelector: {{matchLabels: {{app: web}}}}\n  policyTypes: [Egress]\n  egress:\n  - to: [{{namespaceSelector: {{}}}}]\n---\n{}",
            deployment("", "")
        );
        assert!(fires(&Rule, &text).is_empty());
        assert!(
            fires(
                &Rule,
                "services:\n  a:\n    networks: [back]\nnetworks:\n  back: {internal: true}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn allow_all_rules_other_namespaces_and_other_pods_do_not_count() {
        let allow_all = format!(
            "{POLICY}  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n  - {{}}\n---\n{}",
            deployment("", "")
        );
        assert_eq!(fires(&Rule, &allow_all).len(), 1);
        let other_pods = format!(
            "{POLICY}  podSelector: {{matchExpressions: [{{key: app, operator: NotIn, values: [web]}}]}}\n  policyTypes: [Egress]\n---\n{}",
            deployment("", "")
        );
        assert_eq!(fires(&Rule, &other_pods).len(), 1);
    }
}
