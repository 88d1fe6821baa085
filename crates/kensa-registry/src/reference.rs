//! Image references as docker reads them: `host[:port]/repo:tag`, `repo@sha256:…`, and
//! Docker Hub's short names (`alpine` is `docker.io/library/alpine:latest`).

use std::fmt;

use kensa_core::Digest;

use crate::RegistryError;

/// The name docker gives Docker Hub in references.
pub use kensa_core::pinning::DOCKER_HUB;
/// The host Docker Hub's distribution API answers on.
const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// Longest repository path docker accepts.
const MAX_NAME_LEN: usize = 255;
/// Longest tag the distribution spec allows.
const MAX_TAG_LEN: usize = 128;

/// A parsed, normalised image reference.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reference {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<Digest>,
}

impl Reference {
    /// Parses a reference, expanding Docker Hub short names as docker does. Neither a tag
    /// nor a digest means `:latest`.
    pub fn parse(input: &str) -> Result<Reference, RegistryError> {
        let bad = |reason: &str| RegistryError::Reference {
            reference: input.chars().take(300).collect(),
            reason: reason.to_owned(),
        };
        if input.is_empty() {
            return Err(bad("is empty"));
        }
        let (name, digest) = match input.split_once('@') {
            Some((name, digest)) => {
                let digest: Digest = digest
                    .parse()
                    .map_err(|e| bad(&format!("the digest is not valid: {e}")))?;
                (name, Some(digest))
            }
            None => (input, None),
        };
        // A colon after the last slash starts the tag; one before it is a port.
        let (name, tag) = match name.rsplit_once(':') {
            Some((head, tail)) if !tail.contains('/') => (head, Some(tail)),
            _ => (name, None),
        };
        let (registry, repository) = kensa_core::pinning::docker_registry_and_path(name);
        if !valid_host(registry) {
            return Err(bad("the registry host is not a valid `host[:port]`"));
        }
        let repository = repository.into_owned();
        if repository.len() > MAX_NAME_LEN {
            return Err(bad("the repository name is longer than 255 characters"));
        }
        if repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(bad("repository names must be lowercase"));
        }
        if !repository.split('/').all(valid_path_component) {
            return Err(bad(
                "the repository name must be `/`-separated lowercase components of letters, \
                 digits and single `.`, `_`, `__` or `-` separators",
            ));
        }
        if let Some(tag) = tag
            && !valid_tag(tag)
        {
            return Err(bad(
                "the tag must be 1 to 128 letters, digits, `_`, `.` or `-`, not starting with \
                 `.` or `-`",
            ));
        }
        let tag = match (tag, &digest) {
            (Some(tag), _) => Some(tag.to_owned()),
            (None, Some(_)) => None,
            (None, None) => Some("latest".to_owned()),
        };
        Ok(Reference {
            registry: registry.to_owned(),
            repository,
            tag,
            digest,
        })
    }

    /// The registry as the reference names it (`docker.io`, `ghcr.io`, `localhost:5000`).
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The host (and port) the distribution API is reached on.
    pub fn api_host(&self) -> &str {
        if self.registry == DOCKER_HUB {
            DOCKER_HUB_API
        } else {
            &self.registry
        }
    }

    /// The repository path (`library/alpine`).
    pub fn repository(&self) -> &str {
        &self.repository
    }

    /// The tag, if the reference has one.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest, if the reference pins one.
    pub fn digest(&self) -> Option<&Digest> {
        self.digest.as_ref()
    }

    /// What goes after `/manifests/`: the digest when pinned (it wins over a tag, as in
    /// docker), else the tag.
    pub fn manifest_reference(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => d.to_string(),
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".to_owned(),
        }
    }

    /// The same repository pinned to `digest` (for a manifest an index points at).
    pub fn with_digest(&self, digest: Digest) -> Reference {
        Reference {
            registry: self.registry.clone(),
            repository: self.repository.clone(),
            tag: None,
            digest: Some(digest),
        }
    }

    /// `registry/repository`, for messages.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

fn valid_host(host: &str) -> bool {
    let (name, port) = match host.rsplit_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (host, None),
    };
    let name_ok = !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    let port_ok = port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.parse::<u16>().is_ok());
    name_ok && port_ok
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, from the distribution spec.
fn valid_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        return false;
    }
    let mut separator = String::new();
    for &b in bytes {
        if alnum(&b) {
            if !(separator.is_empty()
                || separator == "."
                || separator == "_"
                || separator == "__"
                || separator.bytes().all(|s| s == b'-'))
            {
                return false;
            }
            separator.clear();
        } else if matches!(b, b'.' | b'_' | b'-') {
            separator.push(char::from(b));
        } else {
            return false;
        }
    }
    true
}

/// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
fn valid_tag(tag: &str) -> bool {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    tag.len() <= MAX_TAG_LEN
        && tag.as_bytes().first().is_some_and(|&b| word(b))
        && tag.bytes().all(|b| word(b) || b == b'.' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, registry, api host, repository, tag, has digest, display)
    type Case<'a> = (
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        Option<&'a str>,
        bool,
        String,
    );

    const HEX: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn expands_and_splits_like_docker() {
        let pinned = format!("sha256:{HEX}");
        let cases: &[Case<'_>] = &[
            (
                "alpine",
                "docker.io",
                "registry-1.docker.io",
                "library/alpine",
                Some("latest"),
                false,
                "docker.io/library/alpine:latest".into(),
            ),
            (
                "library/alpine:3.20",
                "docker.io",
                "registry-1.docker.io",
                "library/alpine",
                Some("3.20"),
                false,
                "docker.io/library/alpine:3.20".into(),
            ),
            (
                "grafana/grafana:11.0.0",
                "docker.io",
                "registry-1.docker.io",
                "grafana/grafana",
                Some("11.0.0"),
                false,
                "docker.io/grafana/grafana:11.0.0".into(),
            ),
            (
                "index.docker.io/library/busybox",
                "docker.io",
                "registry-1.docker.io",
                "library/busybox",
                Some("latest"),
                false,
                "docker.io/library/busybox:latest".into(),
            ),
            (
                "localhost:5000/team/app:1.4",
                "localhost:5000",
                "localhost:5000",
                "team/app",
                Some("1.4"),
                false,
                "localhost:5000/team/app:1.4".into(),
            ),
            (
                "localhost/app",
                "localhost",
                "localhost",
                "app",
                Some("latest"),
                false,
                "localhost/app:latest".into(),
            ),
            (
                "127.0.0.1:5000/app",
                "127.0.0.1:5000",
                "127.0.0.1:5000",
                "app",
                Some("latest"),
                false,
                "127.0.0.1:5000/app:latest".into(),
            ),
            (
                "ghcr.io/org/sub/app_x-y.z:v1.2_3",
                "ghcr.io",
                "ghcr.io",
                "org/sub/app_x-y.z",
                Some("v1.2_3"),
                false,
                "ghcr.io/org/sub/app_x-y.z:v1.2_3".into(),
            ),
            (
                &format!("ghcr.io/org/app@{pinned}"),
                "ghcr.io",
                "ghcr.io",
                "org/app",
                None,
                true,
                format!("ghcr.io/org/app@{pinned}"),
            ),
            (
                &format!("alpine:3.20@{pinned}"),
                "docker.io",
                "registry-1.docker.io",
                "library/alpine",
                Some("3.20"),
                true,
                format!("docker.io/library/alpine:3.20@{pinned}"),
            ),
        ];
        for (input, registry, api, repo, tag, has_digest, display) in cases {
            let r = Reference::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(r.registry(), *registry, "{input}");
            assert_eq!(r.api_host(), *api, "{input}");
            assert_eq!(r.repository(), *repo, "{input}");
            assert_eq!(r.tag(), *tag, "{input}");
            assert_eq!(r.digest().is_some(), *has_digest, "{input}");
            assert_eq!(&r.to_string(), display, "{input}");
        }
    }

    #[test]
    fn a_digest_wins_over_a_tag_for_the_manifest_request() {
        let r = Reference::parse(&format!("alpine:3.20@sha256:{HEX}")).unwrap();
        assert_eq!(r.manifest_reference(), format!("sha256:{HEX}"));
        assert_eq!(
            Reference::parse("alpine").unwrap().manifest_reference(),
            "latest"
        );
    }

    #[test]
    fn refuses_malformed_references_saying_why() {
        let cases = [
            ("", "is empty"),
            ("Alpine", "lowercase"),
            ("alpine:", "tag"),
            ("alpine:-x", "tag"),
            ("alpine:a/b", "host"),
            ("alpine@sha256:abc", "digest"),
            ("alpine@md5:abc", "digest"),
            ("my..repo", "repository name"),
            ("a/-b", "repository name"),
            ("host:99999/app", "host"),
            ("-bad.example/app", "host"),
            ("docker.io/", "repository name"),
        ];
        for (input, why) in cases {
            let err = Reference::parse(input).expect_err(input).to_string();
            assert!(err.contains(why), "{input}: {err}");
            assert!(err.contains(&format!("`{input}`")), "{input}: {err}");
        }
        let long = "a".repeat(300);
        assert!(Reference::parse(&long).is_err());
        let long_tag = format!("alpine:{}", "t".repeat(129));
        assert!(Reference::parse(&long_tag).is_err());
    }

    #[test]
    fn path_components_follow_the_spec_grammar() {
        for good in ["a", "a.b", "a_b", "a__b", "a-b", "a---b", "0x"] {
            assert!(valid_path_component(good), "{good}");
        }
        for bad in ["", ".a", "a.", "a..b", "a___b", "a._b", "a%b", "-a"] {
            assert!(!valid_path_component(bad), "{bad}");
        }
    }
}
