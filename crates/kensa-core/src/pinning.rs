//! Image references and whether they are pinned by digest (SP 800-190 4.1.5): one
//! reading of `registry/repo:tag@sha256:…` that the Dockerfile, manifest and trust
//! checks share, so they agree on what a pin is.

/// An image reference taken apart, without the defaults docker fills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Everything before the tag and digest (`registry.example:5000/team/app`).
    pub name: &'a str,
    /// The tag, when written (`1.4`).
    pub tag: Option<&'a str>,
    /// The digest, when written and well formed (`sha256:` and 64 hex digits, or
    /// `sha512:` and 128).
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Parses `reference` leniently: a port in the registry (`host:5000/app`) is not a
    /// tag, and a malformed digest is no digest.
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let reference = reference.trim();
        let (rest, digest) = match reference.split_once('@') {
            Some((rest, digest)) => (rest, Some(digest).filter(|d| is_digest(d))),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                (&rest[..at], Some(&rest[at + 1..]).filter(|t| !t.is_empty()))
            }
            None => (rest, None),
        };
        ImageRef { name, tag, digest }
    }
}

/// Docker Hub's registry name, as references spell it once expanded.
pub const DOCKER_HUB: &str = "docker.io";

/// The registry and repository path of an image name as docker expands it: `nginx` →
/// (`docker.io`, `library/nginx`), `team/app` → (`docker.io`, `team/app`),
/// `index.docker.io/x` → (`docker.io`, `library/x`). A first component with a `.` or `:`,
/// or `localhost`, is a registry and kept as written. The registry client and the
/// manifest rules both use it, so "is this the image I scanned?" and "where do I fetch
/// it?" never disagree.
pub fn docker_registry_and_path(name: &str) -> (&str, std::borrow::Cow<'_, str>) {
    let (registry, path) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => (DOCKER_HUB, name),
    };
    let registry = match registry {
        "index.docker.io" | "registry-1.docker.io" => DOCKER_HUB,
        other => other,
    };
    if registry == DOCKER_HUB && !path.contains('/') {
        (registry, format!("library/{path}").into())
    } else {
        (registry, path.into())
    }
}

/// Whether `digest` is `sha256:` with 64 lowercase hex digits or `sha512:` with 128.
fn is_digest(digest: &str) -> bool {
    let hex = |s: &str, n: usize| {
        s.len() == n
            && s.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    match digest.split_once(':') {
        Some(("sha256", h)) => hex(h, 64),
        Some(("sha512", h)) => hex(h, 128),
        _ => false,
    }
}

/// Whether `reference` names its image by a well-formed digest.
pub fn is_pinned_by_digest(reference: &str) -> bool {
    ImageRef::parse(reference).digest.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_names_expand_as_docker_expands_them() {
        let cases = [
            ("nginx", "docker.io", "library/nginx"),
            ("team/app", "docker.io", "team/app"),
            ("index.docker.io/busybox", "docker.io", "library/busybox"),
            ("registry-1.docker.io/team/app", "docker.io", "team/app"),
            ("docker.io/library/alpine", "docker.io", "library/alpine"),
            ("localhost/app", "localhost", "app"),
            ("127.0.0.1:5000/app", "127.0.0.1:5000", "app"),
            ("ghcr.io/org/tool", "ghcr.io", "org/tool"),
        ];
        for (name, registry, path) in cases {
            let (r, p) = docker_registry_and_path(name);
            assert_eq!((r, p.as_ref()), (registry, path), "{name}");
        }
    }

    #[test]
    fn references_are_taken_apart() {
        let d = format!("sha256:{}", "a".repeat(64));
        let with_all = format!("registry.example:5000/team/app:1.4@{d}");
        assert_eq!(
            ImageRef::parse(&with_all),
            ImageRef {
                name: "registry.example:5000/team/app",
                tag: Some("1.4"),
                digest: Some(&d)
            }
        );
        let port_only = ImageRef::parse("registry.example:5000/app");
        assert_eq!(
            (port_only.name, port_only.tag),
            ("registry.example:5000/app", None)
        );
        assert_eq!(ImageRef::parse("nginx").tag, None);
        assert_eq!(ImageRef::parse("nginx:latest").tag, Some("latest"));
        assert!(is_pinned_by_digest(&format!("nginx@{d}")));
        assert!(!is_pinned_by_digest("nginx@sha256:abc"));
        assert!(!is_pinned_by_digest(&format!(
            "nginx@sha256:{}",
            "A".repeat(64)
        )));
        assert!(!is_pinned_by_digest("nginx:1.27"));
    }
}
