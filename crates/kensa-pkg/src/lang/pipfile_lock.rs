//! Python packages locked by Pipenv (`Pipfile.lock`).

use std::collections::BTreeMap;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{json, package};

/// Reads the `default` and `develop` sections of `Pipfile.lock`.
pub struct PipfileLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    default: BTreeMap<String, Entry>,
    #[serde(default)]
    develop: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    /// `==2.31.0`; absent for VCS and path entries.
    version: Option<String>,
}

impl Analyzer for PipfileLock {
    fn id(&self) -> &'static str {
        "pipfile-lock"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("Pipfile.lock")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let lock: Lock = json(file, "Pipfile.lock")?;
        let mut seen = std::collections::BTreeSet::new();
        // Pipenv lists transitive packages beside the ones the Pipfile names, without
        // saying which is which, so `direct` stays unknown.
        for (name, entry) in lock.default.iter().chain(&lock.develop) {
            let Some(version) = entry.version.as_deref() else {
                continue;
            };
            let version = version.strip_prefix("==").unwrap_or(version);
            if seen.insert((name.as_str(), version)) {
                out.packages.push(package(
                    Ecosystem::Pypi,
                    name,
                    version,
                    self.id(),
                    file.path,
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_pipfile_lock() {
        assert_wants(
            &PipfileLock,
            &["Pipfile.lock", "srv/app/Pipfile.lock"],
            &["srv/app/Pipfile", "srv/app/Pipfile.lock.bak"],
        );
    }

    #[test]
    fn reads_default_and_develop() {
        let lock = r#"{
            "_meta": {"hash": {"sha256": "ab"}, "pipfile-spec": 6, "requires": {"python_version": "3.11"},
                      "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},
            "default": {
                "certifi": {"hashes": ["sha256:0"], "markers": "python_version >= '3.6'", "version": "==2023.7.22"},
                "requests": {"hashes": ["sha256:1"], "index": "pypi", "version": "==2.31.0"},
                "mylib": {"editable": true, "path": "."}
            },
            "develop": {
                "pytest": {"hashes": [], "version": "==7.4.3"},
                "certifi": {"version": "==2023.7.22"}
            }
        }"#;
        let out = run(&PipfileLock, "app/Pipfile.lock", lock.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("certifi".into(), "2023.7.22".into()),
                ("requests".into(), "2.31.0".into()),
                ("pytest".into(), "7.4.3".into()),
            ]
        );
        assert_eq!(
            out.packages[1].purl.as_deref(),
            Some("pkg:pypi/requests@2.31.0")
        );
    }

    #[test]
    fn wrong_types_and_truncation_are_errors() {
        let err = run(
            &PipfileLock,
            "Pipfile.lock",
            br#"{"default": {"a": {"version": 2}}}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid Pipfile.lock: invalid type"),
            "{err}"
        );
        assert!(run(&PipfileLock, "Pipfile.lock", br#"{"default": {"a": {"vers"#).is_err());
        assert!(run(&PipfileLock, "Pipfile.lock", br#"{"default": []}"#).is_err());
    }
}
