//! KS-MF-007: Host network namespace is shared.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-007",
    title: "Host network namespace is shared",
    severity: Severity::High,
    section: Section::InsecureRuntimeConfig,
    why: r#"A container in the host's network namespace sees every interface of the node, can bind any port, reach services listening on localhost (the kubelet, cloud metadata proxies) and sniff traffic; network policies do not apply to it."#,
    fix: r#"Remove `hostNetwork: true` / `network_mode: host` / `networkMode: host`; expose ports through a Service, `ports` or `awsvpc` mode instead."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`hostNetwork`",
    ecs: "`networkMode`",
    compose: "`network_mode`",
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
        for w in &m.workloads {
            if let Some(f) = &w.host_network
                && out.known(w, f) == Some(&true)
            {
                out.workload(w, &f.at, "the pod uses the host's network namespace");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_shared() {
        assert_eq!(
            fires(&Rule, &deployment("hostNetwork: true\n", "")),
            ["spec.template.spec.hostNetwork"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    network_mode: host\n"),
            ["services.a.network_mode"]
        );
    }

    #[test]
    fn not_shared_is_clean() {
        assert!(fires(&Rule, &deployment("hostNetwork: false\n", "")).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    network_mode: \"service:b\"\n").is_empty());
    }

    #[test]
    fn ecs_host_mode_counts() {
        let ecs = "{\"family\": \"t\", \"networkMode\": \"host\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert_eq!(fires(&Rule, ecs), ["networkMode"]);
    }
}
