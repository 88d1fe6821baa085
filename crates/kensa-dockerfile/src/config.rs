//! Lint configuration, and reading hadolint's `.hadolint.yaml`.

use std::collections::BTreeMap;

use kensa_core::Severity;
use serde::Deserialize;

/// How to lint: rules to skip, severities to change, registries to trust.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintConfig {
    /// Rule ids never reported.
    pub ignored: Vec<String>,
    /// A different severity per rule id. Naming a rule that is off by default (DL3057)
    /// turns it on, as hadolint's `override` does.
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Registries allowed in `FROM` (DL3026); empty allows every registry. `*.example.com`
    /// matches subdomains, `*` matches all.
    pub trusted_registries: Vec<String>,
}

/// A `.hadolint.yaml` that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Not valid YAML, or not the expected shape.
    #[error("invalid hadolint configuration: {0}")]
    Yaml(String),
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct HadolintYaml {
    ignored: Vec<String>,
    trusted_registries: Vec<String>,
    #[serde(rename = "override")]
    overrides: Overrides,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Overrides {
    error: Vec<String>,
    warning: Vec<String>,
    info: Vec<String>,
    style: Vec<String>,
}

impl LintConfig {
    /// Reads the parts of a `.hadolint.yaml` that kensa uses: `ignored`,
    /// `trustedRegistries` and `override`. Other keys (`failure-threshold`,
    /// `label-schema`, …) are accepted and not used.
    pub fn from_hadolint_yaml(text: &str) -> Result<LintConfig, ConfigError> {
        if text.trim().is_empty() {
            return Ok(LintConfig::default());
        }
        let raw: HadolintYaml =
            serde_saphyr::from_str(text).map_err(|e| ConfigError::Yaml(e.to_string()))?;
        let mut severity_overrides = BTreeMap::new();
        for (ids, sev) in [
            (&raw.overrides.style, Severity::Low),
            (&raw.overrides.info, Severity::Low),
            (&raw.overrides.warning, Severity::Medium),
            (&raw.overrides.error, Severity::High),
        ] {
            for id in ids {
                severity_overrides.insert(id.clone(), sev);
            }
        }
        Ok(LintConfig {
            ignored: raw.ignored,
            severity_overrides,
            trusted_registries: raw.trusted_registries,
        })
    }

    /// Whether `registry` is allowed by `trusted_registries`.
    pub fn registry_trusted(&self, registry: &str) -> bool {
        self.trusted_registries.is_empty()
            || self.trusted_registries.iter().any(|allow| {
                allow == "*"
                    || allow == registry
                    || allow
                        .strip_prefix('*')
                        .is_some_and(|suffix| registry.ends_with(suffix))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_hadolint_yaml() {
        let cfg = LintConfig::from_hadolint_yaml(
            "failure-threshold: warning\nignored:\n  - DL3008\n  - DL3013\ntrustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\noverride:\n  error:\n    - DL3001\n  info: [DL3007]\nlabel-schema:\n  author: text\n",
        )
        .unwrap();
        assert_eq!(cfg.ignored, vec!["DL3008", "DL3013"]);
        assert_eq!(cfg.trusted_registries, vec!["docker.io", "*.gcr.io"]);
        assert_eq!(cfg.severity_overrides.get("DL3001"), Some(&Severity::High));
        assert_eq!(cfg.severity_overrides.get("DL3007"), Some(&Severity::Low));
        assert!(cfg.registry_trusted("eu.gcr.io"));
        assert!(!cfg.registry_trusted("quay.io"));
    }

    #[test]
    fn empty_and_bad_yaml() {
        assert_eq!(
            LintConfig::from_hadolint_yaml("").unwrap(),
            LintConfig::default()
        );
        let err = LintConfig::from_hadolint_yaml("ignored: {a: [").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid hadolint configuration")
        );
        assert!(LintConfig::from_hadolint_yaml("ignored: 3").is_err());
    }

    #[test]
    fn deserializes_kensa_shape() {
        let cfg: LintConfig = serde_json::from_str(
            r#"{"ignored":["DL3006"],"severity_overrides":{"DL3057":"LOW"},"trusted_registries":["ghcr.io"]}"#,
        )
        .unwrap();
        assert_eq!(cfg.severity_overrides.get("DL3057"), Some(&Severity::Low));
        assert!(LintConfig::default().registry_trusted("anything"));
    }
}
