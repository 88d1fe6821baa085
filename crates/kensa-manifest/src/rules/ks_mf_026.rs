//! KS-MF-026: ECS container has no log configuration.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-026",
    title: "ECS container has no log configuration",
    severity: Severity::Medium,
    section: Section::RogueContainers,
    why: r#"Without a log driver the container's output stays on the instance (or is lost on Fargate): an incident leaves no trail, and SP 800-190's monitoring countermeasures have nothing to read."#,
    fix: r#"Set `logConfiguration` (for example `awslogs` to CloudWatch Logs, or `awsfirelens`)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "-",
    ecs: "`logConfiguration`",
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
            if w.dialect.is_ecs() && c.ecs.log_configuration.is_none() {
                out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::LogConfiguration),
                    "no `logConfiguration` is set",
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
    fn fires_without_logs() {
        assert_eq!(
            fires(
                &Rule,
                "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\"}]}"
            ),
            ["containerDefinitions[0].logConfiguration"]
        );
    }

    #[test]
    fn a_log_driver_is_clean() {
        assert!(fires(&Rule, "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"logConfiguration\": {\"logDriver\": \"awslogs\"}}]}").is_empty());
    }

    #[test]
    fn cloudformation_spelling_is_pascal_case() {
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n";
        assert_eq!(
            fires(&Rule, cfn),
            ["Resources.T.Properties.ContainerDefinitions[0].LogConfiguration"]
        );
    }
}
