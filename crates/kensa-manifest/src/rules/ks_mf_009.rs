//! KS-MF-009: Host IPC namespace is shared.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-009",
    title: "Host IPC namespace is shared",
    severity: Severity::High,
    section: Section::InsecureRuntimeConfig,
    why: r#"In the host's IPC namespace a container can read and write the shared memory and message queues of every process on the node."#,
    fix: r#"Remove `hostIPC: true` / `ipc: host` / `ipcMode: host`."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`hostIPC`",
    ecs: "`ipcMode`",
    compose: "`ipc`",
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
            if let Some(f) = &w.host_ipc
                && out.known(w, f) == Some(&true)
            {
                out.workload(w, &f.at, "the pod uses the host's IPC namespace");
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
            fires(&Rule, &deployment("hostIPC: true\n", "")),
            ["spec.template.spec.hostIPC"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    ipc: host\n"),
            ["services.a.ipc"]
        );
    }

    #[test]
    fn not_shared_is_clean() {
        assert!(fires(&Rule, &deployment("hostIPC: false\n", "")).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    ipc: \"service:b\"\n").is_empty());
    }

    #[test]
    fn ecs_host_mode_counts() {
        let ecs = "{\"family\": \"t\", \"ipcMode\": \"host\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert_eq!(fires(&Rule, ecs), ["ipcMode"]);
    }
}
