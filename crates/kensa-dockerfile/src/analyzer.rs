//! The layer walker's entry point: lints every Dockerfile found in a source tree, a root
//! filesystem or an image layer.

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Digest, FileInput, FindingPolicy, KeyBuilder, PathSpec,
    Scanner,
};

use crate::{LabelType, LintConfig, lint};

/// Lints files named like Dockerfiles, with the default configuration or a user's.
pub struct DockerfileAnalyzer {
    config: Option<LintConfig>,
}

/// The analyzer with the default configuration, for registry slices.
pub static DOCKERFILE_ANALYZER: DockerfileAnalyzer = DockerfileAnalyzer { config: None };

/// Bumped when the rules' output changes for the same input.
const VERSION: u32 = 1;

impl DockerfileAnalyzer {
    /// The analyzer with the user's configuration; the default configuration gives
    /// the default analyzer (same cache version as [`DOCKERFILE_ANALYZER`]).
    pub fn with_config(config: LintConfig) -> DockerfileAnalyzer {
        DockerfileAnalyzer {
            config: (config != LintConfig::default()).then_some(config),
        }
    }

    fn config(&self) -> &LintConfig {
        static DEFAULT: std::sync::LazyLock<LintConfig> =
            std::sync::LazyLock::new(LintConfig::default);
        self.config.as_ref().unwrap_or(&DEFAULT)
    }
}

/// A canonical digest of `config`. The struct is taken apart with an exhaustive pattern,
/// so a new setting does not compile until it is part of the digest.
fn settings_digest(config: &LintConfig) -> Digest {
    let LintConfig {
        ignored,
        severity_overrides,
        trusted_registries,
        label_schema,
        strict_labels,
    } = config;
    let mut key = KeyBuilder::new("kensa-dockerfile/settings");
    key.list(ignored, |k, id| {
        k.str(id);
    })
    .list(severity_overrides, |k, (id, severity)| {
        k.str(id).str(severity.as_str());
    })
    .list(trusted_registries, |k, r| {
        k.str(r);
    })
    .list(label_schema, |k, (label, kind)| {
        k.str(label).str(match kind {
            LabelType::Text => "text",
            LabelType::Url => "url",
            LabelType::Spdx => "spdx",
            LabelType::Rfc3339 => "rfc3339",
            LabelType::Hash => "hash",
            LabelType::Semver => "semver",
            LabelType::Email => "email",
        });
    })
    .bool(*strict_labels);
    key.finish_digest()
}

impl Analyzer for DockerfileAnalyzer {
    fn id(&self) -> &'static str {
        "dockerfile"
    }

    fn version(&self) -> u32 {
        VERSION
    }

    /// The user's lint settings; none for the default ones, which the code decides.
    fn settings_digest(&self) -> Option<Digest> {
        self.config.as_ref().map(settings_digest)
    }

    fn scanner(&self) -> Option<Scanner> {
        Some(Scanner::Config)
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::FileName("Containerfile"),
            PathSpec::FileName("Dockerfile"),
            PathSpec::Glob("**/Dockerfile.*"),
            PathSpec::Suffix(".Dockerfile"),
            PathSpec::Suffix(".dockerfile"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = std::str::from_utf8(file.content)
            .map_err(|_| AnalyzeError::new("not UTF-8 text, so not linted as a Dockerfile"))?;
        let findings = lint(file.path, text, self.config())
            .map_err(|e| AnalyzeError::new(format!("not linted: {e}")))?;
        out.findings.extend(findings);
        Ok(())
    }

    /// Dockerfiles that packages ship as test data or documentation (the Go
    /// distribution's, under `/usr/share/go-*/src`) are covered by the same allowlist
    /// as the secrets in them.
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

    #[test]
    fn only_a_real_configuration_changes_the_cache_key() {
        let key = |a: &DockerfileAnalyzer| {
            kensa_core::CacheKey::analyzer_output(
                &format!("sha256:{}", "d".repeat(64)).parse().unwrap(),
                a,
            )
        };
        let default = DockerfileAnalyzer::with_config(LintConfig::default());
        assert_eq!(default.settings_digest(), None);
        assert_eq!(key(&default), key(&DOCKERFILE_ANALYZER));
        let ignoring = |id: &str| {
            DockerfileAnalyzer::with_config(LintConfig {
                ignored: vec![id.to_owned()],
                ..LintConfig::default()
            })
        };
        assert_eq!(key(&ignoring("DL3008")), key(&ignoring("DL3008")));
        assert_ne!(key(&ignoring("DL3008")), key(&DOCKERFILE_ANALYZER));
        assert_ne!(key(&ignoring("DL3008")), key(&ignoring("DL3009")));
        let strict = DockerfileAnalyzer::with_config(LintConfig {
            strict_labels: true,
            ..LintConfig::default()
        });
        assert_ne!(key(&strict), key(&DOCKERFILE_ANALYZER));
        let labelled = |kind| {
            DockerfileAnalyzer::with_config(LintConfig {
                label_schema: [("org.opencontainers.image.url".to_owned(), kind)].into(),
                ..LintConfig::default()
            })
        };
        assert_ne!(
            key(&labelled(LabelType::Url)),
            key(&labelled(LabelType::Text))
        );
    }
    use kensa_core::{FileKind, FileMeta};

    fn run(path: &str, content: &str) -> Result<AnalysisOutput, AnalyzeError> {
        let meta = FileMeta {
            kind: FileKind::Regular,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            link_target: None,
        };
        let mut out = AnalysisOutput::default();
        DOCKERFILE_ANALYZER.analyze(
            &FileInput {
                path,
                meta: &meta,
                content: content.as_bytes(),
            },
            &mut out,
        )?;
        Ok(out)
    }

    #[test]
    fn lints_and_locates_findings() {
        let out = run(
            "svc/Dockerfile",
            "FROM debian:latest\nRUN apt-get install -y curl\n",
        )
        .unwrap();
        let ids: Vec<_> = out.findings.iter().map(|f| f.id.as_str()).collect();
        assert!(ids.contains(&"DL3007"), "{ids:?}");
        let latest = out.findings.iter().find(|f| f.id == "DL3007").unwrap();
        assert_eq!(latest.location.path.as_deref(), Some("svc/Dockerfile"));
        assert_eq!(latest.location.line, Some(1));
    }

    #[test]
    fn syntax_errors_become_analyzer_errors_with_the_position() {
        let err = run("Dockerfile", "FROM alpine\nFROBNICATE x\n").unwrap_err();
        assert!(err.to_string().contains('2'), "{err}");
    }

    #[test]
    fn wants_dockerfile_names_only() {
        let specs = DOCKERFILE_ANALYZER.wants();
        assert!(specs.contains(&PathSpec::FileName("Dockerfile")));
        assert!(specs.contains(&PathSpec::Glob("**/Dockerfile.*")));
        assert!(!specs.contains(&PathSpec::AnyFile));
    }
}
