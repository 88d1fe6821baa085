//! KS-PIN-001: the scan target is named by `latest` or by no tag.

use kensa_core::pinning::ImageRef;
use kensa_core::{Digest, Finding, Location, RuleMeta, Scanner, Section, Severity};

/// `KS-PIN-001`.
pub static MUTABLE_TARGET: RuleMeta = RuleMeta {
    id: "KS-PIN-001",
    title: "Image scanned by the `latest` tag",
    severity: Severity::Medium,
    section: Section::UntrustedImages,
    why: r"The image was named by `latest` (or by no tag, which means `latest`): the tag that moves on every push. What was scanned is the digest in the report, but anything that deploys the same name later can get another image, one nobody scanned; a release tag (`1.4.2`) moves less often, a digest never (SP 800-190 4.1.5).",
    fix: r"Scan and deploy the image by digest, keeping a tag for readers: `kensa image registry.example/app:1.4.2@sha256:<digest>`; `kensa pin FILE` rewrites the references of Dockerfiles and manifests that way.",
    links: &[
        "https://docs.docker.com/reference/cli/docker/image/pull/#pull-an-image-by-digest-immutable-identifier",
    ],
};

/// The finding for a registry reference `given` as the user wrote it, when it names
/// its image by `latest` or by nothing; `scanned` is the digest the tag resolved to.
/// A reference with a digest gets none, whatever its tag.
pub fn target_finding(given: &str, scanned: Option<&Digest>) -> Option<Finding> {
    let parsed = ImageRef::parse(given);
    if parsed.digest.is_some() || parsed.tag.is_some_and(|t| t != "latest") {
        return None;
    }
    let named = match parsed.tag {
        Some(_) => "the tag `latest`",
        None => "no tag (so `latest`)",
    };
    let scanned = match scanned {
        Some(d) => format!("; this scan is of `{d}`, which the tag named at the time"),
        None => String::new(),
    };
    Some(MUTABLE_TARGET.finding(
        Scanner::Config,
        Location::default(),
        Some(format!(
            "`{given}` names its image by {named}{scanned}; pin deployments to that digest"
        )),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest() -> Digest {
        format!("sha256:{}", "a".repeat(64)).parse().unwrap()
    }

    #[test]
    fn fires_on_latest_and_on_no_tag() {
        let d = digest();
        let latest = target_finding("registry.example:5000/app:latest", Some(&d)).unwrap();
        assert_eq!(latest.id, "KS-PIN-001");
        let message = latest.message.unwrap_or_default();
        assert!(message.contains("the tag `latest`") && message.contains(d.as_str()));
        let bare = target_finding("registry.example:5000/app", None).unwrap();
        assert!(bare.message.unwrap_or_default().contains("no tag"));
    }

    #[test]
    fn a_release_tag_or_a_digest_is_clean() {
        let d = digest();
        assert!(target_finding("registry.example:5000/app:1.4", Some(&d)).is_none());
        assert!(target_finding(&format!("app:latest@{d}"), Some(&d)).is_none());
        assert!(target_finding(&format!("app@{d}"), Some(&d)).is_none());
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        assert!(target_finding("localhost:5000/app", None).is_some());
    }
}
