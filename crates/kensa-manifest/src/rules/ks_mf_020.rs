//! KS-MF-020: Image pull policy keeps stale images.

use crate::Manifests;
use crate::model::{Dialect, Key};
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-020",
    title: "Image pull policy keeps stale images",
    severity: Severity::Low,
    section: Section::UntrustedImages,
    why: r#"With `IfNotPresent` (the default for a versioned tag) or `Never`, a node keeps running the copy it pulled first: a tag moved to a fixed image does not reach it, and nodes disagree about what the tag is."#,
    fix: r#"Pin the image by digest (then any pull policy is safe), or set `imagePullPolicy: Always`."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`imagePullPolicy`",
    ecs: "-",
    compose: "-",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Images
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if w.dialect != Dialect::Kubernetes {
                continue;
            }
            let Some(f) = &c.image else { continue };
            let Some(image) = out.known(w, f) else {
                continue;
            };
            let r = kensa_core::pinning::ImageRef::parse(image);
            if r.digest.is_some() {
                continue;
            }
            match &c.pull_policy {
                Some(p) => {
                    if let Some(policy) = out.known(w, p)
                        && policy != "Always"
                    {
                        out.container(w, c, &p.at, format!("`{policy}` with the tag `{image}`"));
                    }
                }
                None if !matches!(r.tag, None | Some("latest")) => out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::PullPolicy),
                    format!("no pull policy, so `IfNotPresent` applies to `{image}`"),
                ),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_if_not_present_with_a_tag() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].imagePullPolicy"]
        );
        assert_eq!(
            fires(&Rule, &deployment("", "imagePullPolicy: Never\n")),
            ["spec.template.spec.containers[0].imagePullPolicy"]
        );
    }

    #[test]
    fn always_is_clean() {
        assert!(fires(&Rule, &deployment("", "imagePullPolicy: Always\n")).is_empty());
    }

    #[test]
    fn latest_defaults_to_always_and_compose_does_not_apply() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx\n";
        assert!(fires(&Rule, text).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    image: nginx:1\n").is_empty());
    }
}
