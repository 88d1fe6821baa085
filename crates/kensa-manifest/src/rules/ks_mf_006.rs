//! KS-MF-006: Dangerous capability added.

use kensa_core::{RuleMeta, Section, Severity};

/// Capabilities that amount to root on the node, sorted.
const DANGEROUS: &[&str] = &[
    "ALL",
    "BPF",
    "DAC_READ_SEARCH",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "NET_ADMIN",
    "NET_RAW",
    "PERFMON",
    "SYS_ADMIN",
    "SYS_BOOT",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_TIME",
];
use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-006",
    title: "Dangerous capability added",
    severity: Severity::High,
    section: Section::InsecureRuntimeConfig,
    why: r#"Some capabilities are root in all but name: `SYS_ADMIN` mounts filesystems and escapes through cgroups, `SYS_MODULE` loads kernel code, `SYS_PTRACE` reads other processes' memory, `NET_ADMIN` rewrites the node's network, `DAC_READ_SEARCH` reads any file by handle (the Shocker escape)."#,
    fix: r#"Remove the capability from `add`/`cap_add`. If the workload truly needs it, isolate it on dedicated nodes and document why with a `kensa.io/ignore` annotation and reason."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.capabilities.add`",
    ecs: "`linuxParameters.capabilities.add`",
    compose: "`cap_add`",
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
            for f in &c.cap_add {
                let Some(cap) = out.known(w, f) else { continue };
                let cap = crate::rules::capability(cap);
                if DANGEROUS.contains(&cap.as_str()) {
                    out.container(w, c, &f.at, format!("adds `{cap}`"));
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
    fn fires_on_each_dangerous_capability() {
        let text = deployment(
            "",
            "securityContext:\n  capabilities:\n    add: [NET_BIND_SERVICE, SYS_ADMIN, CAP_SYS_PTRACE]\n",
        );
        assert_eq!(
            fires(&Rule, &text),
            [
                "spec.template.spec.containers[0].securityContext.capabilities.add[1]",
                "spec.template.spec.containers[0].securityContext.capabilities.add[2]"
            ]
        );
    }

    #[test]
    fn harmless_additions_are_clean() {
        assert!(fires(&Rule, "services:\n  a:\n    cap_add: [NET_BIND_SERVICE]\n").is_empty());
    }

    #[test]
    fn ecs_and_compose_lists_count() {
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    cap_add: [\"ALL\"]\n"),
            ["services.a.cap_add[0]"]
        );
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"linuxParameters\": {\"capabilities\": {\"add\": [\"NET_ADMIN\"]}}}]}";
        assert_eq!(
            fires(&Rule, ecs),
            ["containerDefinitions[0].linuxParameters.capabilities.add[0]"]
        );
    }
}
