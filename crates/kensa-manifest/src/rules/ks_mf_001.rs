//! KS-MF-001: Container may run as root.

use crate::Manifests;
use crate::model::{Dialect, Key};
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-001",
    title: "Container may run as root",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"Nothing in the manifest stops the container's process from running as root: the image's USER decides, and most images leave it at root. A process that runs as root inside a container is root on the host's kernel; one escape or one writable host mount away from the node."#,
    fix: r#"Kubernetes: set `securityContext.runAsNonRoot: true` (and a non-zero `runAsUser`) on the pod or container. ECS and Compose: set `user` to an unprivileged UID such as `"10001"` (or `10001:10001`)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.runAsNonRoot` / `runAsUser` (container, else pod)",
    ecs: "`user`",
    compose: "`user`",
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
            if w.dialect == Dialect::Kubernetes {
                let non_root = c.run_as_non_root.as_ref().map(|f| out.known(w, f).copied());
                let uid = c.run_as_user.as_ref().map(|f| out.known(w, f).copied());
                // An unresolved value is noted, not guessed; UID 0 is KS-MF-002's.
                if matches!(non_root, Some(None) | Some(Some(true))) || uid.is_some() {
                    continue;
                }
                let (at, message) = match &c.run_as_non_root {
                    Some(f) => (
                        f.at.clone(),
                        "`runAsNonRoot` is false and no `runAsUser` is set, so the image's USER decides",
                    ),
                    None => (
                        c.want(w.dialect, Key::NonRoot),
                        "neither `runAsNonRoot: true` nor a `runAsUser` is set, so the image's USER decides",
                    ),
                };
                out.container(w, c, &at, message);
            } else if c.user.is_none() {
                out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::NonRoot),
                    "no `user` is set, so the image's USER decides",
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
    fn fires_when_nothing_requires_non_root() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].securityContext.runAsNonRoot"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  web:\n    image: app:1\n"),
            ["services.web.user"]
        );
    }

    #[test]
    fn pod_level_run_as_non_root_is_clean() {
        let text = deployment("securityContext:\n  runAsNonRoot: true\n", "");
        assert!(fires(&Rule, &text).is_empty());
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"user\": \"10001\"}]}";
        assert!(fires(&Rule, ecs).is_empty());
    }

    #[test]
    fn explicit_false_points_at_the_field_and_unresolved_is_not_guessed() {
        let text = deployment("", "securityContext:\n  runAsNonRoot: false\n");
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.containers[0].securityContext.runAsNonRoot"]
        );
        assert_eq!(hits(&Rule, &text)[0].at.line, 15);
        let cfn = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: a\n          User: !Ref AppUser\n";
        assert!(fires(&Rule, cfn).is_empty());
    }
}
