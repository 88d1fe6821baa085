use kensa_core::{Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// The image is tagged `latest`, or named without a tag (which means `latest`).
pub struct LatestTag;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-010",
    title: "Image is tagged latest",
    severity: Severity::Medium,
    section: Section::UntrustedImages,
    why: r#"`latest` moves with every push: what a deployment runs depends on when a
node pulled it, a rollback cannot name the previous image, and a scan result no longer
describes what runs. A name without a tag is `latest`. Dockle DKL-DI-0006."#,
    fix: r#"Tag images with an immutable version (`app:1.4.2`, `app:2024-06-01-3f2a1c`)
and deploy them by digest (`app@sha256:…`); treat `latest` as a convenience alias only."#,
    links: &[],
};

impl ConfigRule for LatestTag {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for reference in image.repo_tags {
            let message = match tag(reference) {
                Tag::Latest => format!("`{reference}` is tagged `latest`"),
                Tag::Missing => format!("`{reference}` has no tag, which means `latest`"),
                Tag::Other => continue,
            };
            out.push(META.finding(Scanner::Config, Location::default(), Some(message)));
        }
    }
}

enum Tag {
    Latest,
    Missing,
    Other,
}

/// Reads the tag of `name[:tag][@digest]`, or of a bare tag as OCI layouts record it
/// in `org.opencontainers.image.ref.name`.
fn tag(reference: &str) -> Tag {
    let reference = reference.trim();
    if reference.contains('@') {
        return Tag::Other;
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let tag = match last.rsplit_once(':') {
        Some((_, tag)) => tag,
        // A bare word with no repository path is an OCI ref name, which is a tag.
        None if !reference.contains('/') => last,
        None => return Tag::Missing,
    };
    if tag.is_empty() {
        Tag::Missing
    } else if tag == "latest" {
        Tag::Latest
    } else {
        Tag::Other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_image_json;
    use serde_json::json;

    fn check(tags: &[&str]) -> Vec<String> {
        check_image_json(&LatestTag, json!({}), &[], tags)
            .into_iter()
            .map(|f| f.message.unwrap())
            .collect()
    }

    #[test]
    fn fires_on_latest_and_missing_tags() {
        assert_eq!(
            check(&["nginx:latest", "localhost:5000/team/app", "latest"]),
            [
                "`nginx:latest` is tagged `latest`",
                "`localhost:5000/team/app` has no tag, which means `latest`",
                "`latest` is tagged `latest`",
            ]
        );
    }

    #[test]
    fn clean_for_versions_and_digests() {
        assert!(check(&["nginx:1.27.0", "registry.example:443/app:2024-06-01", "1.0"]).is_empty());
        assert!(check(&["app@sha256:0123456789abcdef"]).is_empty());
    }

    #[test]
    fn untagged_archives_have_nothing_to_check() {
        assert!(check(&[]).is_empty());
    }
}
