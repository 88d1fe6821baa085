//! KS-MF-015: Root filesystem is writable.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-015",
    title: "Root filesystem is writable",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"A writable root filesystem lets an intruder change the application's code and configuration, drop tools and persist until the container is replaced; the image no longer says what runs."#,
    fix: r#"Set `readOnlyRootFilesystem: true` (Kubernetes), `readonlyRootFilesystem: true` (ECS) or `read_only: true` (Compose), and mount an `emptyDir`/tmpfs volume for the paths the application writes (`/tmp`, caches)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.readOnlyRootFilesystem`",
    ecs: "`readonlyRootFilesystem`",
    compose: "`read_only`",
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
            match &c.read_only_root {
                Some(f) => {
                    if out.known(w, f) == Some(&false) {
                        out.container(w, c, &f.at, "the root filesystem is explicitly writable");
                    }
                }
                None => out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::ReadOnlyRoot),
                    "the root filesystem is writable",
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_not_read_only() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem"]
        );
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          ReadonlyRootFilesystem: false\n";
        assert_eq!(
            fires(&Rule, cfn),
            ["Resources.T.Properties.ContainerDefinitions[0].ReadonlyRootFilesystem"]
        );
    }

    #[test]
    fn read_only_is_clean() {
        assert!(
            fires(
                &Rule,
                &deployment("", "securityContext:\n  readOnlyRootFilesystem: true\n")
            )
            .is_empty()
        );
        assert!(fires(&Rule, "services:\n  a:\n    read_only: true\n").is_empty());
    }

    #[test]
    fn an_unresolved_value_is_not_judged() {
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          ReadonlyRootFilesystem: !Ref ReadOnly\n";
        assert!(fires(&Rule, cfn).is_empty());
    }
}
