//! KS-MF-008: Host PID namespace is shared.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-008",
    title: "Host PID namespace is shared",
    severity: Severity::High,
    section: Section::InsecureRuntimeConfig,
    why: r#"In the host's PID namespace a container sees every process on the node, can read their environment and, with ptrace, their memory; signals reach host processes."#,
    fix: r#"Remove `hostPID: true` / `pid: host` / `pidMode: host`. Share a PID namespace between a task's own containers (`shareProcessNamespace`, `pidMode: task`) if they need it."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`hostPID`",
    ecs: "`pidMode`",
    compose: "`pid`",
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
            if let Some(f) = &w.host_pid
                && out.known(w, f) == Some(&true)
            {
                out.workload(w, &f.at, "the pod uses the host's PID namespace");
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
            fires(&Rule, &deployment("hostPID: true\n", "")),
            ["spec.template.spec.hostPID"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    pid: host\n"),
            ["services.a.pid"]
        );
    }

    #[test]
    fn not_shared_is_clean() {
        assert!(fires(&Rule, &deployment("hostPID: false\n", "")).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    pid: \"service:b\"\n").is_empty());
    }

    #[test]
    fn ecs_host_mode_counts() {
        let ecs = "{\"family\": \"t\", \"pidMode\": \"host\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert_eq!(fires(&Rule, ecs), ["pidMode"]);
    }
}
