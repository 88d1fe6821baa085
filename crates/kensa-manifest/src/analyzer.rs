//! The layer walker's entry point: checks every manifest found in a source tree (`kensa
//! fs`), told apart from other YAML and JSON by its content. Each file is checked on its
//! own, so the checks that need the other files of a deployment (egress policies) are
//! left to `kensa manifest`, which sees them all. A Compose `extends.file` is read from
//! the tree being scanned (never outside it); in an image, whose layers are read once
//! front to back, it is noted and the service checked with its own settings.

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Digest, FileInput, FileMeta, FindingPolicy, KeyBuilder,
    PathSpec, Scanner,
};

use std::sync::Arc;

use crate::{Context, Disk, ImagesInScan, Input, check, read_manifests, read_manifests_with};

/// Checks YAML and JSON files that hold Kubernetes objects, ECS task definitions or
/// Compose services.
#[derive(Default)]
pub struct ManifestAnalyzer {
    /// The directory being scanned, whose files a Compose `extends` may name; `None` in
    /// image scans.
    root: Option<std::path::PathBuf>,
    /// The settings file's ignores.
    config: crate::ManifestConfig,
    /// Images given with the scan (`kensa fs --image`), whose USER clears "may run as
    /// root". Shared with the scan, which asks afterwards which of them ran nowhere.
    images: Option<Arc<ImagesInScan>>,
}

/// The analyzer of image scans, which reads no file but the one it is handed.
pub static MANIFEST_ANALYZER: ManifestAnalyzer = ManifestAnalyzer {
    root: None,
    config: crate::ManifestConfig {
        ignore: std::collections::BTreeMap::new(),
    },
    images: None,
};

impl ManifestAnalyzer {
    /// The analyzer of image scans. An image's layers are cached by digest and shared
    /// between images, so what they yield cannot depend on one image's config: images
    /// are not matched against the manifests an image holds.
    pub fn new(config: crate::ManifestConfig) -> ManifestAnalyzer {
        ManifestAnalyzer {
            config,
            ..ManifestAnalyzer::default()
        }
    }

    /// The analyzer of a scan of the directory `root`: a Compose `extends.file` is read
    /// from it, and must stay inside it; a container running one of `images` whose USER
    /// is not root does not "may run as root".
    pub fn for_tree(
        root: &std::path::Path,
        config: crate::ManifestConfig,
        images: Arc<ImagesInScan>,
    ) -> ManifestAnalyzer {
        ManifestAnalyzer {
            root: Some(root.to_path_buf()),
            config,
            images: Some(images),
        }
    }
}

/// Bumped when the rules' output changes for the same input.
const VERSION: u32 = 2;

/// Byte strings of which a manifest's first 8 KiB hold at least one.
const MARKERS: &[&[u8]] = &[
    b"apiVersion",
    b"containerDefinitions",
    b"ContainerDefinitions",
    b"AWS::ECS::TaskDefinition",
    b"services:",
];

impl Analyzer for ManifestAnalyzer {
    fn id(&self) -> &'static str {
        "manifest"
    }

    fn version(&self) -> u32 {
        VERSION
    }

    /// The settings file's ignores and the images matched, which decide what is reported
    /// and what suppressed.
    fn settings_digest(&self) -> Option<Digest> {
        let images = self.images.as_deref().map_or(&[][..], ImagesInScan::images);
        if self.config.ignore.is_empty() && images.is_empty() {
            return None;
        }
        let mut key = KeyBuilder::new("kensa-manifest/settings");
        key.list(&self.config.ignore, |k, (id, why)| {
            k.str(id).str(why);
        })
        .list(images, |k, image| {
            k.str(&image.source)
                .list(&image.names, |k, n| {
                    k.str(n);
                })
                .list(&image.digests, |k, d| {
                    k.str(d);
                })
                .opt_str(image.user.as_deref());
        });
        Some(key.finish_digest())
    }

    fn scanner(&self) -> Option<Scanner> {
        Some(Scanner::Config)
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::Suffix(".json"),
            PathSpec::Suffix(".yaml"),
            PathSpec::Suffix(".yml"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    /// Decided by content, not name: most YAML and JSON in a tree is not a manifest. A
    /// Helm template (`{{ … }}`) is not YAML until rendered: `helm template | kensa
    /// manifest -` checks it.
    fn accepts(&self, _meta: &FileMeta, head: &[u8]) -> bool {
        // Every `.json` and `.yaml` of an image comes through here (tens of thousands of
        // `package.json` in a Node image): memmem is ~25x faster than comparing windows.
        let has = |m: &[u8]| memchr::memmem::find(head, m).is_some();
        !has(b"{{") && MARKERS.iter().any(|m| has(m))
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = std::str::from_utf8(file.content)
            .map_err(|_| AnalyzeError::new("not UTF-8 text, so not checked as a manifest"))?;
        let mut input = Input::new(file.path, text);
        input.explicit = false;
        let m = match &self.root {
            Some(root) => read_manifests_with(
                &[input],
                &Disk {
                    root: Some(root.clone()),
                },
            ),
            None => read_manifests(&[input]),
        }
        .map_err(|e| AnalyzeError::new(format!("not checked as a manifest: {e}")))?;
        // Secrets in the file are the secret analyzer's, which reads every file.
        let ctx = Context {
            secrets: None,
            partial: true,
            images: self.images.as_deref().map_or(&[], ImagesInScan::images),
        };
        let mut outcome = check(&m, &ctx);
        if let Some(images) = &self.images {
            images.mark_used(&m);
        }
        self.config.apply(&mut outcome);
        out.findings.extend(outcome.findings);
        out.suppressed.extend(outcome.suppressed);
        out.notes.extend(outcome.notes);
        Ok(())
    }

    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy {
            allowlisted: true,
            ..FindingPolicy::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> FileMeta {
        FileMeta {
            kind: kensa_core::FileKind::Regular,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: 0,
            link_target: None,
        }
    }

    #[test]
    fn manifests_are_told_apart_by_content() {
        let a = &MANIFEST_ANALYZER;
        assert!(a.accepts(&meta(), b"apiVersion: v1\nkind: Pod\n"));
        assert!(a.accepts(
            &meta(),
            b"{\"family\": \"x\", \"containerDefinitions\": []}"
        ));
        assert!(!a.accepts(&meta(), b"on: push\njobs:\n  build: {}\n"));
        assert!(!a.accepts(
            &meta(),
            b"apiVersion: v1\nkind: Pod\nmetadata: {name: {{ .Release.Name }}}\n"
        ));
    }

    #[test]
    fn a_pod_in_a_tree_is_checked_without_the_cross_file_rules() {
        let content = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  containers:\n  - name: a\n    image: x:1\n    securityContext: {privileged: true}\n";
        let m = meta();
        let file = FileInput {
            path: "k8s/pod.yaml",
            meta: &m,
            content,
        };
        let mut out = AnalysisOutput::default();
        MANIFEST_ANALYZER.analyze(&file, &mut out).unwrap();
        let ids: Vec<&str> = out.findings.iter().map(|f| f.id.as_str()).collect();
        assert!(ids.contains(&"KS-MF-003"), "{ids:?}");
        assert!(!ids.contains(&"KS-MF-028"), "{ids:?}");
        assert_eq!(
            out.findings[0].location.path.as_deref(),
            Some("k8s/pod.yaml")
        );
    }
}
