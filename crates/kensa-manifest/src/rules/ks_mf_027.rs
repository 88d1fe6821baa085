//! KS-MF-027: Essential ECS container has no health check.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-027",
    title: "Essential ECS container has no health check",
    severity: Severity::Low,
    section: Section::InsecureRuntimeConfig,
    why: r#"ECS restarts an essential container only when it exits; a hung or compromised process that keeps running is never replaced without a health check."#,
    fix: r#"Add a `healthCheck` (`command`, `interval`, `retries`) to every essential container."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "-",
    ecs: "`essential`, `healthCheck`",
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
        for (w, c) in crate::rules::containers(m) {
            if !w.dialect.is_ecs() || c.ecs.health_check.is_some() {
                continue;
            }
            let essential = match &c.ecs.essential {
                Some(f) => out.known(w, f).copied(),
                None => Some(true),
            };
            if essential == Some(true) {
                out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::HealthCheck),
                    "an essential container without a `healthCheck`",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_essential_containers() {
        assert_eq!(
            fires(
                &Rule,
                "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\"}]}"
            ),
            ["containerDefinitions[0].healthCheck"]
        );
    }

    #[test]
    fn a_health_check_is_clean() {
        assert!(fires(&Rule, "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"healthCheck\": {\"command\": [\"CMD\", \"true\"]}}]}").is_empty());
    }

    #[test]
    fn non_essential_sidecars_are_clean() {
        assert!(fires(&Rule, "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"essential\": false}]}").is_empty());
    }
}
