//! KS-MF-005: Capabilities are not dropped.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-005",
    title: "Capabilities are not dropped",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"Container runtimes grant a default set of Linux capabilities (`NET_RAW`, `CHOWN`, `SETUID`, `DAC_OVERRIDE`, …) that almost no application needs and that turn bugs into exploits (ARP and DNS spoofing with `NET_RAW`, file ownership games with `CHOWN`)."#,
    fix: r#"Drop every capability and add back only what the process needs: `capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}` (Kubernetes), `linuxParameters.capabilities.drop: ["ALL"]` (ECS), `cap_drop: [ALL]` (Compose)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.capabilities.drop`",
    ecs: "`linuxParameters.capabilities.drop`",
    compose: "`cap_drop`",
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
            let mut all = false;
            for f in &c.cap_drop {
                if out
                    .known(w, f)
                    .is_some_and(|cap| crate::rules::capability(cap) == "ALL")
                {
                    all = true;
                }
            }
            if all || c.cap_drop.iter().any(|f| f.get().is_none()) {
                continue;
            }
            let mut at = c.want(w.dialect, Key::CapDrop);
            let message = match c.cap_drop.first() {
                Some(first) => {
                    at.line = first.at.line;
                    "capabilities are dropped one by one, not `ALL`"
                }
                None => "no capabilities are dropped, so the runtime's default set stays",
            };
            out.container(w, c, &at, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_without_drop_all() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].securityContext.capabilities.drop"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    cap_drop: [NET_RAW]\n"),
            ["services.a.cap_drop"]
        );
    }

    #[test]
    fn drop_all_is_clean_in_any_case() {
        let text = deployment("", "securityContext:\n  capabilities:\n    drop: [all]\n");
        assert!(fires(&Rule, &text).is_empty());
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"linuxParameters\": {\"capabilities\": {\"drop\": [\"ALL\"]}}}]}";
        assert!(fires(&Rule, ecs).is_empty());
    }

    #[test]
    fn ecs_without_linux_parameters_points_where_it_belongs() {
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert_eq!(
            fires(&Rule, ecs),
            ["containerDefinitions[0].linuxParameters.capabilities.drop"]
        );
    }
}
