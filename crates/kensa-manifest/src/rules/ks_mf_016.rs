//! KS-MF-016: No memory limit.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-016",
    title: "No memory limit",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"Without a memory limit one container can take the node's memory: its neighbours are killed by the kernel's OOM killer, and a leak or a memory-amplification attack becomes an outage of everything on the host."#,
    fix: r#"Set a memory limit: `resources.limits.memory` (Kubernetes), the container's `memory` or the task's `memory` (ECS), `deploy.resources.limits.memory` or `mem_limit` (Compose)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`resources.limits.memory`",
    ecs: "`memory` (container, or the task's `memory`)",
    compose: "`deploy.resources.limits.memory`, `mem_limit`",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Limits
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if c.memory_limit.is_some() || (w.dialect.is_ecs() && w.task_memory.is_some()) {
                continue;
            }
            out.container(
                w,
                c,
                &c.want(w.dialect, Key::MemoryLimit),
                "no memory limit is set",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_without_a_limit() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].resources.limits.memory"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    image: x:1\n"),
            ["services.a.deploy.resources.limits.memory"]
        );
    }

    #[test]
    fn a_limit_is_clean() {
        let text = deployment("", "resources:\n  limits: {memory: \"1\"}\n");
        assert!(fires(&Rule, &text).is_empty());
        let compose =
            "services:\n  a:\n    deploy:\n      resources:\n        limits: {memory: \"1\"}\n";
        assert!(fires(&Rule, compose).is_empty());
    }

    #[test]
    fn an_ecs_task_level_limit_covers_its_containers() {
        let ecs = "{\"family\": \"t\", \"memory\": \"512\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert!(fires(&Rule, ecs).is_empty());
    }
}
