//! Images scanned together with the manifests (`kensa manifest --image`): what their
//! configs say about the user they run as, and which manifest containers run them.
//! A container whose image is one of them, with a non-root USER, does not "may run as
//! root" (KS-MF-001): the image decides, and it was read.

use std::sync::atomic::{AtomicBool, Ordering};

use kensa_core::pinning::ImageRef;
use kensa_core::{Location, NoteLevel, ScanNote};

use crate::Manifests;

/// An image whose config was read, and the names a manifest may use for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownImage {
    /// How the user named it (`oci-layout:build/oci`, `registry.example/app:1.4`).
    pub source: String,
    /// References it answers to (`registry.example/app:1.4`), compared as docker
    /// expands them (`nginx` is `docker.io/library/nginx:latest`).
    pub names: Vec<String>,
    /// Digests it answers to (its manifest digest).
    pub digests: Vec<String>,
    /// The config's `User`, as written (`None` or empty: not set, so root).
    pub user: Option<String>,
}

impl KnownImage {
    /// Whether a manifest's `image: reference` runs this image: by digest when the
    /// reference has one (that is what the runtime pulls), else by repository and tag.
    pub fn matches(&self, reference: &str) -> bool {
        let wanted = ImageRef::parse(reference);
        if let Some(digest) = wanted.digest {
            return self.digests.iter().any(|d| d == digest)
                || self.names.iter().any(|n| {
                    let n = ImageRef::parse(n);
                    n.digest == Some(digest) && repository(n.name) == repository(wanted.name)
                });
        }
        let key = (repository(wanted.name), wanted.tag.unwrap_or("latest"));
        self.names.iter().any(|n| {
            let n = ImageRef::parse(n);
            n.digest.is_none() && (repository(n.name), n.tag.unwrap_or("latest")) == key
        })
    }

    /// The USER, when it names someone other than root: not empty, not `root`, not
    /// UID 0 (`1000`, `1000:0`, `app`).
    pub fn non_root_user(&self) -> Option<&str> {
        let user = self.user.as_deref()?.trim();
        (!user.is_empty() && !crate::rules::is_root_user(user)).then_some(user)
    }
}

/// The images of one scan (`--image` of `kensa manifest` and `kensa fs`), and which of
/// them some container runs, so the scan can say which ran in none. `kensa fs` checks
/// its manifests file by file, on several threads, hence the atomics.
#[derive(Debug, Default)]
pub struct ImagesInScan {
    images: Vec<KnownImage>,
    used: Vec<AtomicBool>,
}

impl ImagesInScan {
    /// The images given with a scan.
    pub fn new(images: Vec<KnownImage>) -> ImagesInScan {
        let used = images.iter().map(|_| AtomicBool::new(false)).collect();
        ImagesInScan { images, used }
    }

    /// The images, for [`crate::Context::images`].
    pub fn images(&self) -> &[KnownImage] {
        &self.images
    }

    /// Records the images that a container of `m` runs.
    pub fn mark_used(&self, m: &Manifests) {
        if self.images.is_empty() {
            return;
        }
        let references = m
            .workloads
            .iter()
            .flat_map(|w| &w.containers)
            .filter_map(|c| c.image.as_ref()?.get());
        for reference in references {
            for (image, used) in self.images.iter().zip(&self.used) {
                if image.matches(reference) {
                    used.store(true, Ordering::Relaxed);
                }
            }
        }
    }

    /// A warning for each image no container ran, so that a mistyped reference does not
    /// pass silently.
    pub fn unused_notes(&self) -> Vec<ScanNote> {
        self.images
            .iter()
            .zip(&self.used)
            .filter(|(_, used)| !used.load(Ordering::Relaxed))
            .map(|(image, _)| ScanNote {
                level: NoteLevel::Warning,
                found_by: crate::FOUND_BY.to_owned(),
                location: Location::default(),
                message: format!(
                    "image `{}` ({}) is run by no container of the manifests; name the reference they use with `--image REF={}`",
                    image.source,
                    if image.names.is_empty() {
                        "no name".to_owned()
                    } else {
                        image.names.join(", ")
                    },
                    image.source
                ),
            })
            .collect()
    }
}

/// A repository name as docker expands it (`nginx` → `docker.io/library/nginx`), so
/// that `nginx` in a manifest is the `docker.io/library/nginx` that was scanned.
fn repository(name: &str) -> String {
    let (registry, path) = kensa_core::pinning::docker_registry_and_path(name);
    format!("{registry}/{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(names: &[&str], user: Option<&str>) -> KnownImage {
        KnownImage {
            source: "oci-layout:x".into(),
            names: names.iter().map(|s| (*s).to_owned()).collect(),
            digests: vec![format!("sha256:{}", "b".repeat(64))],
            user: user.map(str::to_owned),
        }
    }

    #[test]
    fn references_match_as_docker_expands_them() {
        let nginx = image(&["docker.io/library/nginx:1.27"], None);
        assert!(nginx.matches("nginx:1.27"));
        assert!(nginx.matches("index.docker.io/library/nginx:1.27"));
        assert!(!nginx.matches("nginx"));
        assert!(!nginx.matches("nginx:1.26"));
        let app = image(&["registry.example:5000/team/app"], None);
        assert!(app.matches("registry.example:5000/team/app:latest"));
        assert!(!app.matches("team/app:latest"));
        let pinned = format!("registry.example/other@sha256:{}", "b".repeat(64));
        assert!(app.matches(&pinned), "the digest decides");
        assert!(!app.matches(&format!(
            "registry.example:5000/team/app:latest@sha256:{}",
            "c".repeat(64)
        )));
    }

    #[test]
    fn only_a_named_non_root_user_counts() {
        for (user, non_root) in [
            (None, None),
            (Some(""), None),
            (Some("root"), None),
            (Some("0"), None),
            (Some("0:1000"), None),
            (Some("10001"), Some("10001")),
            (Some("1000:0"), Some("1000:0")),
            (Some("app"), Some("app")),
        ] {
            assert_eq!(image(&[], user).non_root_user(), non_root, "{user:?}");
        }
    }
}
