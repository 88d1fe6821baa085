//! KS-MF-001: Container may run as root.

use crate::Manifests;
use crate::model::{Container, Dialect, Ignore, Key};
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

    fn check(&self, m: &Manifests, ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            let before = out.hits.len();
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
            if out.hits.len() > before
                && let Some(reason) = cleared_by_image(c, ctx)
                && let Some(hit) = out.hits.last_mut()
            {
                hit.ignores.push(Ignore {
                    id: META.id.to_owned(),
                    reason,
                });
            }
        }
    }
}

/// Why the image a container runs clears the finding: it was scanned with the manifests
/// and its config's USER is not root. The finding is then listed as suppressed with this
/// reason, so the report still shows that the manifest leaves it to the image.
fn cleared_by_image(c: &Container, ctx: &Context<'_>) -> Option<String> {
    let reference = c.image.as_ref()?.get()?;
    let image = ctx.images.iter().find(|i| i.matches(reference))?;
    let user = image.non_root_user()?;
    let numeric = user
        .split(':')
        .next()
        .is_some_and(|u| u.bytes().all(|b| b.is_ascii_digit()));
    let caveat = if numeric {
        ""
    } else {
        " (a user name: its UID is whatever the image's /etc/passwd says)"
    };
    Some(format!(
        "image `{reference}` is `{}`, scanned with the manifests, whose config sets USER `{user}`{caveat}",
        image.source
    ))
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

    fn with_images(text: &str, images: &[crate::KnownImage]) -> Vec<crate::rules::Hit> {
        let m = crate::read_manifests(&[crate::Input::new("m.yaml", text)]).unwrap();
        let ctx = Context {
            images,
            ..Context::default()
        };
        let mut out = Out::default();
        Rule.check(&m, &ctx, &mut out);
        out.hits
    }

    #[test]
    fn an_image_scanned_with_a_non_root_user_clears_it_with_the_reason() {
        let image = |user: &str| crate::KnownImage {
            source: "oci-layout:build/oci".into(),
            names: vec!["registry.example/app:1.4".into()],
            digests: Vec::new(),
            user: Some(user.into()),
        };
        let text = deployment("", "");
        let hits = with_images(&text, &[image("10001")]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].ignores[0].id, "KS-MF-001");
        assert_eq!(
            hits[0].ignores[0].reason,
            "image `registry.example/app:1.4` is `oci-layout:build/oci`, scanned with the manifests, whose config sets USER `10001`"
        );
        for root in ["root", "0", "", "0:0"] {
            assert!(
                with_images(&text, &[image(root)])[0].ignores.is_empty(),
                "{root}"
            );
        }
        let other = text.replace("app:1.4", "app:1.5");
        assert!(with_images(&other, &[image("10001")])[0].ignores.is_empty());
        let compose = "services:\n  web:\n    image: registry.example/app:1.4\n";
        assert_eq!(with_images(compose, &[image("app")])[0].ignores.len(), 1);
    }
}
