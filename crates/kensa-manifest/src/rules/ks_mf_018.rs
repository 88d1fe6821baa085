//! KS-MF-018: Image tag is latest or missing.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-018",
    title: "Image tag is latest or missing",
    severity: Severity::Medium,
    section: Section::UntrustedImages,
    why: r#"`latest` (or no tag, which means `latest`) names whatever was pushed last: two nodes can run different code under one manifest, a rollback cannot go back, and nobody can tell from the manifest what runs."#,
    fix: r#"Reference a versioned tag (`app:1.4.2`), better the digest it resolves to (`app:1.4.2@sha256:…`)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`image`",
    ecs: "`image`",
    compose: "`image`",
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
            let Some(f) = &c.image else { continue };
            let Some(image) = out.known(w, f) else {
                continue;
            };
            let r = kensa_core::pinning::ImageRef::parse(image);
            if r.digest.is_some() {
                continue;
            }
            match r.tag {
                Some("latest") => {
                    out.container(w, c, &f.at, format!("`{image}` uses the `latest` tag"))
                }
                None => out.container(
                    w,
                    c,
                    &f.at,
                    format!("`{image}` has no tag, which means `latest`"),
                ),
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_latest_and_missing_tags() {
        assert_eq!(
            fires(
                &Rule,
                "services:\n  a:\n    image: nginx\n  b:\n    image: nginx:latest\n"
            ),
            ["services.a.image", "services.b.image"]
        );
        assert_eq!(
            fires(
                &Rule,
                "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"registry.example:5000/app\"}]}"
            ),
            ["containerDefinitions[0].image"]
        );
    }

    #[test]
    fn versions_and_digests_are_clean() {
        assert!(fires(&Rule, &deployment("", "")).is_empty());
        assert!(fires(&Rule, "services:\n  a:\n    image: \"nginx@sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n").is_empty());
    }

    #[test]
    fn compose_defaults_are_read_and_unset_variables_are_not() {
        assert_eq!(
            fires(
                &Rule,
                "services:\n  a:\n    image: \"app:${TAG:-latest}\"\n"
            ),
            ["services.a.image"]
        );
        assert!(fires(&Rule, "services:\n  a:\n    image: \"app:${TAG}\"\n").is_empty());
    }
}
