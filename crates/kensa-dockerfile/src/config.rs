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
    /// Labels every image must carry, with the form of their value (DL3049–DL3058).
    pub label_schema: BTreeMap<String, LabelType>,
    /// Report labels that the schema does not list (DL3050).
    pub strict_labels: bool,
}

/// The form a label's value must have, as in hadolint's `label-schema`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LabelType {
    /// Any text (only presence and non-emptiness are checked).
    Text,
    /// A URL with a scheme.
    Url,
    /// An SPDX license identifier or expression.
    Spdx,
    /// An RFC 3339 timestamp.
    Rfc3339,
    /// A short (7) or full (40) lowercase git commit hash.
    Hash,
    /// A semantic version.
    Semver,
    /// An e-mail address.
    Email,
}

impl LabelType {
    /// Whether `value` has this form.
    pub fn accepts(self, value: &str) -> bool {
        match self {
            LabelType::Text => true,
            LabelType::Url => is_url(value),
            LabelType::Spdx => spdx::Expression::parse(value).is_ok(),
            LabelType::Rfc3339 => is_rfc3339(value),
            LabelType::Hash => {
                (value.len() == 7 || value.len() == 40)
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            }
            LabelType::Semver => semver::Version::parse(value).is_ok(),
            LabelType::Email => is_email(value),
        }
    }
}

fn is_url(v: &str) -> bool {
    let Some((scheme, rest)) = v.split_once(':') else {
        return false;
    };
    scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        && !rest.is_empty()
        && !v.chars().any(char::is_whitespace)
}

fn is_email(v: &str) -> bool {
    match v.rsplit_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !v.chars().any(|c| c.is_whitespace() || c.is_control())
                && domain
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'))
        }
        None => false,
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, with `t`/space for `T` as RFC 3339 allows.
fn is_rfc3339(v: &str) -> bool {
    let b = v.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    let num = |r: std::ops::Range<usize>| {
        v.get(r)
            .and_then(|s| s.parse::<u32>().ok())
            .unwrap_or(u32::MAX)
    };
    let shape = digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10)
        && matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !shape
        || !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut rest = v.get(19..).unwrap_or_default();
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = frac.get(n..).unwrap_or_default();
    }
    match rest {
        "Z" | "z" => true,
        _ => {
            let o = rest.as_bytes();
            rest.len() == 6
                && matches!(o.first(), Some(b'+' | b'-'))
                && o.get(1..3)
                    .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
                && o.get(3) == Some(&b':')
                && o.get(4..6)
                    .is_some_and(|s| s.iter().all(u8::is_ascii_digit))
        }
    }
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
    #[serde(rename = "label-schema")]
    label_schema: BTreeMap<String, LabelType>,
    #[serde(rename = "strict-labels")]
    strict_labels: bool,
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
    /// `trustedRegistries`, `override`, `label-schema` and `strict-labels`. Other keys
    /// (`failure-threshold`, `format`, …) are accepted and not used.
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
            label_schema: raw.label_schema,
            strict_labels: raw.strict_labels,
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
            "failure-threshold: warning\nignored:\n  - DL3008\n  - DL3013\ntrustedRegistries:\n  - docker.io\n  - \"*.gcr.io\"\noverride:\n  error:\n    - DL3001\n  info: [DL3007]\nlabel-schema:\n  author: text\n  org.opencontainers.image.created: rfc3339\nstrict-labels: true\n",
        )
        .unwrap();
        assert_eq!(cfg.ignored, vec!["DL3008", "DL3013"]);
        assert_eq!(cfg.trusted_registries, vec!["docker.io", "*.gcr.io"]);
        assert_eq!(cfg.severity_overrides.get("DL3001"), Some(&Severity::High));
        assert_eq!(cfg.severity_overrides.get("DL3007"), Some(&Severity::Low));
        assert!(cfg.registry_trusted("eu.gcr.io"));
        assert!(!cfg.registry_trusted("quay.io"));
        assert_eq!(cfg.label_schema.get("author"), Some(&LabelType::Text));
        assert!(cfg.strict_labels);
    }

    #[test]
    fn label_types() {
        let cases: &[(LabelType, &str, bool)] = &[
            (LabelType::Url, "https://example.com/x", true),
            (LabelType::Url, "example.com", false),
            (LabelType::Url, "https://a b", false),
            (LabelType::Spdx, "Apache-2.0", true),
            (LabelType::Spdx, "MIT OR Apache-2.0", true),
            (LabelType::Spdx, "Apache 2", false),
            (LabelType::Rfc3339, "2024-03-01T12:30:00Z", true),
            (LabelType::Rfc3339, "2024-03-01T12:30:00.123+02:00", true),
            (LabelType::Rfc3339, "2024-13-01T12:30:00Z", false),
            (LabelType::Rfc3339, "2024-03-01", false),
            (LabelType::Hash, "0a1b2c3", true),
            (LabelType::Hash, "0A1B2C3", false),
            (LabelType::Hash, "0a1b2c3d", false),
            (LabelType::Semver, "1.2.3-rc.1+b5", true),
            (LabelType::Semver, "v1.2", false),
            (LabelType::Email, "dev@example.com", true),
            (LabelType::Email, "dev@", false),
            (LabelType::Email, "no at sign", false),
            (LabelType::Text, "", true),
        ];
        for (t, v, want) in cases {
            assert_eq!(t.accepts(v), *want, "{t:?} {v:?}");
        }
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
