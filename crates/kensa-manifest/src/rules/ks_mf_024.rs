//! KS-MF-024: Broad RBAC role bound to a workload's service account.

use crate::model::{At, join};
use crate::yaml::Node;
use kensa_core::{RuleMeta, Section, Severity};

/// The first rule of a role that grants `*` or reads Secrets: its index, line and what it
/// grants.
fn broad_rule(role: &Node) -> Option<(usize, u32, String)> {
    let strings = |n: Option<&Node>| -> Vec<String> {
        n.and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .filter_map(Node::scalar_text)
            .collect()
    };
    for (i, rule) in role.get("rules")?.as_seq()?.iter().enumerate() {
        let verbs = strings(rule.get("verbs"));
        let resources = strings(rule.get("resources"));
        let star = |list: &[String]| list.iter().any(|v| v == "*");
        if star(&verbs) || star(&resources) {
            return Some((
                i,
                rule.line,
                format!("grants `{}` on `{}`", verbs.join(","), resources.join(",")),
            ));
        }
        let reads = verbs
            .iter()
            .any(|v| matches!(v.as_str(), "get" | "list" | "watch"));
        if reads && resources.iter().any(|r| r == "secrets") {
            return Some((i, rule.line, format!("can `{}` Secrets", verbs.join(","))));
        }
    }
    None
}
use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-024",
    title: "Broad RBAC role bound to a workload's service account",
    severity: Severity::High,
    section: Section::UnboundedAdminAccess,
    why: r#"A role with `*` verbs or resources, or that reads Secrets, bound to the service account a workload runs as, gives anyone who compromises that container the same rights: `*` is cluster admin, and reading Secrets yields every other workload's credentials."#,
    fix: r#"Give the workload its own service account and a Role that lists the exact verbs and resources it uses (no `*`, no `secrets` unless it must, then with `resourceNames`); bind it with a RoleBinding in the workload's namespace instead of a ClusterRoleBinding."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`Role`/`ClusterRole` `rules[]` and the bindings' `subjects[]`",
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
        for role in m
            .kube_objects
            .iter()
            .filter(|o| o.origin.kind == "Role" || o.origin.kind == "ClusterRole")
        {
            let Some((index, line, what)) = broad_rule(&role.node) else {
                continue;
            };
            let at = At::new(format!("{}[{index}]", join(&role.at.path, "rules")), line);
            let ignores = role
                .node
                .get("metadata")
                .map(|meta| crate::kubernetes::ignores(meta, &role.origin))
                .unwrap_or_default();
            for binding in m
                .kube_objects
                .iter()
                .filter(|o| o.origin.kind == "RoleBinding" || o.origin.kind == "ClusterRoleBinding")
            {
                let role_ref = binding.node.get("roleRef");
                let ref_kind = role_ref.and_then(|r| r.get("kind")).and_then(Node::as_str);
                let ref_name = role_ref.and_then(|r| r.get("name")).and_then(Node::as_str);
                if ref_kind != Some(role.origin.kind.as_str())
                    || ref_name != Some(role.origin.name.as_str())
                {
                    continue;
                }
                let binding_ns = binding.namespace.as_deref().unwrap_or("default");
                if role.origin.kind == "Role"
                    && role.namespace.as_deref().unwrap_or("default") != binding_ns
                {
                    continue;
                }
                for subject in binding
                    .node
                    .get("subjects")
                    .and_then(Node::as_seq)
                    .into_iter()
                    .flatten()
                {
                    if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
                        continue;
                    }
                    let Some(sa) = subject.get("name").and_then(Node::as_str) else {
                        continue;
                    };
                    let sa_ns = subject
                        .get("namespace")
                        .and_then(Node::as_str)
                        .unwrap_or(binding_ns);
                    for w in m.workloads.iter().filter(|w| {
                        w.dialect == crate::model::Dialect::Kubernetes
                            && w.effective_namespace() == sa_ns
                            && w.service_account.as_deref().unwrap_or("default") == sa
                    }) {
                        out.object(
                            &role.origin,
                            &at,
                            format!(
                                "{} `{}` {what}; {} `{}` binds it to service account `{sa_ns}/{sa}`, which {}/{} runs as",
                                role.origin.kind, role.origin.name, binding.origin.kind, binding.origin.name, w.origin.kind, w.origin.name
                            ),
                            &ignores,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    const BINDING: &str = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata: {name: web-admin}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: admin-ish}\nsubjects:\n- {kind: ServiceAccount, name: web, namespace: shop}\n";

    fn role(rules: &str) -> String {
        format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: admin-ish}}\nrules:\n{rules}{BINDING}---\n{}",
            deployment("serviceAccountName: web\n", "")
        )
    }

    #[test]
    fn fires_on_wildcards_and_secrets_bound_to_a_workload() {
        let found = hits(
            &Rule,
            &role(
                "- {apiGroups: [\"\"], resources: [pods], verbs: [get]}\n- {apiGroups: [\"*\"], resources: [\"*\"], verbs: [\"*\"]}\n",
            ),
        );
        assert_eq!(
            (found[0].at.path.as_str(), found[0].at.line),
            ("rules[1]", 6)
        );
        assert!(
            found[0].message.contains("Deployment/web"),
            "{}",
            found[0].message
        );
        assert_eq!(
            fires(
                &Rule,
                &role("- {apiGroups: [\"\"], resources: [secrets], verbs: [list]}\n")
            ),
            ["rules[0]"]
        );
    }

    #[test]
    fn narrow_roles_are_clean() {
        assert!(
            fires(
                &Rule,
                &role("- {apiGroups: [\"\"], resources: [configmaps], verbs: [get, watch]}\n")
            )
            .is_empty()
        );
    }

    #[test]
    fn a_broad_role_no_workload_uses_is_not_this_rule_s() {
        let text = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {{name: admin-ish}}\nrules:\n- {{resources: [\"*\"], verbs: [\"*\"]}}\n{BINDING}"
        );
        assert!(fires(&Rule, &text).is_empty());
    }
}
