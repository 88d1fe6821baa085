//! KS-MF-019: Image is not pinned by digest.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-019",
    title: "Image is not pinned by digest",
    severity: Severity::Low,
    section: Section::UntrustedImages,
    why: r#"A tag is a pointer anyone with push rights can move; only a digest names the exact image that was scanned, signed and approved. Pinning makes every deployment of the manifest run the same bytes."#,
    fix: r#"Append the digest the tag resolves to (`crane digest app:1.4.2`, `docker buildx imagetools inspect`): `app:1.4.2@sha256:…`; let a bot (Renovate, Dependabot) update it."#,
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
            if !kensa_core::pinning::is_pinned_by_digest(image) {
                out.container(w, c, &f.at, format!("`{image}` is not pinned by digest"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_on_tags() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].image"]
        );
    }

    #[test]
    fn digests_are_clean() {
        assert!(fires(&Rule, "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"app:1@sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"}]}").is_empty());
    }

    #[test]
    fn a_malformed_digest_is_not_a_pin() {
        assert_eq!(
            fires(
                &Rule,
                "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"image\": \"app@sha256:abc\"}]}"
            ),
            ["containerDefinitions[0].image"]
        );
    }
}
