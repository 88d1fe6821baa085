//! KS-MF-017: No CPU limit.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-017",
    title: "No CPU limit",
    severity: Severity::Low,
    section: Section::InsecureRuntimeConfig,
    why: r#"Without a CPU limit a busy or compromised container (a crypto miner) starves its neighbours on the node."#,
    fix: r#"Set a CPU limit: `resources.limits.cpu` (Kubernetes), the task's `cpu` (ECS), `deploy.resources.limits.cpus` or `cpus` (Compose)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`resources.limits.cpu`",
    ecs: "`cpu` (the task's `cpu`)",
    compose: "`deploy.resources.limits.cpus`, `cpus`",
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
            if c.cpu_limit.is_some() || (w.dialect.is_ecs() && w.task_cpu.is_some()) {
                continue;
            }
            out.container(
                w,
                c,
                &c.want(w.dialect, Key::CpuLimit),
                "no CPU limit is set",
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
            ["spec.template.spec.containers[0].resources.limits.cpu"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    image: x:1\n"),
            ["services.a.deploy.resources.limits.cpus"]
        );
    }

    #[test]
    fn a_limit_is_clean() {
        let text = deployment("", "resources:\n  limits: {cpu: \"1\"}\n");
        assert!(fires(&Rule, &text).is_empty());
        let compose =
            "services:\n  a:\n    deploy:\n      resources:\n        limits: {cpus: \"1\"}\n";
        assert!(fires(&Rule, compose).is_empty());
    }

    #[test]
    fn an_ecs_task_level_limit_covers_its_containers() {
        let ecs =
            "{\"family\": \"t\", \"cpu\": \"512\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert!(fires(&Rule, ecs).is_empty());
    }
}
