//! The layer walker's entry point: lints every Dockerfile found in a source tree, a root
//! filesystem or an image layer.

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FindingPolicy, PathSpec, Scanner,
};

use crate::{LintConfig, lint};

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

impl Analyzer for DockerfileAnalyzer {
    fn id(&self) -> &'static str {
        "dockerfile"
    }

    /// The rules' version, changed by a non-default configuration, so a layer cache
    /// never serves findings linted under other settings.
    fn version(&self) -> u32 {
        match &self.config {
            None => VERSION,
            Some(config) => {
                // FNV-1a over the configuration's debug form: stable across runs (the
                // maps in it are ordered).
                let mut hash: u32 = 0x811c_9dc5;
                for byte in format!("{VERSION}{config:?}").bytes() {
                    hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
                }
                hash
            }
        }
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
    fn only_a_real_configuration_changes_the_cache_version() {
        let default = DockerfileAnalyzer::with_config(LintConfig::default());
        assert_eq!(default.version(), DOCKERFILE_ANALYZER.version());
        let custom = DockerfileAnalyzer::with_config(LintConfig {
            ignored: vec!["DL3008".to_owned()],
            ..LintConfig::default()
        });
        assert_ne!(custom.version(), DOCKERFILE_ANALYZER.version());
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
