//! PHP packages locked by Composer (`composer.lock`).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{json, package};

/// Reads `packages` and `packages-dev` of `composer.lock`.
pub struct ComposerLock;

#[derive(Deserialize)]
struct Lock {
    packages: Vec<Entry>,
    #[serde(default, rename = "packages-dev")]
    packages_dev: Vec<Entry>,
}

/// One package record; `installed.json` uses the same shape.
#[derive(Deserialize)]
pub(crate) struct Entry {
    pub(crate) name: String,
    pub(crate) version: String,
    #[serde(default)]
    pub(crate) license: Licenses,
}

/// Composer writes `"license": ["MIT"]`; hand-written records sometimes hold a string.
#[derive(Deserialize, Default)]
#[serde(untagged)]
pub(crate) enum Licenses {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl Entry {
    pub(crate) fn to_package(&self, found_by: &'static str, path: &str) -> kensa_core::Package {
        let mut p = package(
            Ecosystem::Composer,
            &self.name,
            &self.version,
            found_by,
            path,
        );
        p.licenses = match &self.license {
            Licenses::None => Vec::new(),
            Licenses::One(l) => vec![l.clone()],
            Licenses::Many(l) => l.clone(),
        };
        p
    }
}

impl Analyzer for ComposerLock {
    fn id(&self) -> &'static str {
        "composer-lock"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("composer.lock")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let lock: Lock = json(file, "composer.lock")?;
        // The lock does not say which packages composer.json requires.
        for (e, dev) in lock
            .packages
            .iter()
            .map(|e| (e, false))
            .chain(lock.packages_dev.iter().map(|e| (e, true)))
        {
            let mut p = e.to_package(self.id(), file.path);
            p.dev = dev;
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, dev_names, nv, run};

    #[test]
    fn wants_composer_lock() {
        assert_wants(
            &ComposerLock,
            &["composer.lock", "var/www/composer.lock"],
            &["var/www/composer.json"],
        );
    }

    #[test]
    fn reads_packages_and_dev_packages() {
        let lock = r#"{
    "_readme": ["This file locks the dependencies of your project to a known state"],
    "content-hash": "0",
    "packages": [
        {"name": "symfony/console", "version": "v6.3.4", "source": {"type": "git"},
         "type": "library", "license": ["MIT"]},
        {"name": "monolog/monolog", "version": "3.4.0", "license": "MIT"}
    ],
    "packages-dev": [
        {"name": "phpunit/phpunit", "version": "10.4.1", "license": ["BSD-3-Clause"]}
    ],
    "aliases": [], "minimum-stability": "stable", "platform": {"php": ">=8.1"}
}"#;
        let out = run(&ComposerLock, "var/www/composer.lock", lock.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("symfony/console".into(), "v6.3.4".into()),
                ("monolog/monolog".into(), "3.4.0".into()),
                ("phpunit/phpunit".into(), "10.4.1".into()),
            ]
        );
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:composer/symfony/console@v6.3.4")
        );
        assert_eq!(out.packages[1].licenses, ["MIT"]);
        assert_eq!(dev_names(&out), ["phpunit/phpunit"]);
    }

    #[test]
    fn broken_locks_are_errors() {
        for bad in [
            &br#"{"packages": {"a": 1}}"#[..],
            br#"{"packages": [{"name": "a/b"}]}"#,
            br#"{"packages-dev": []}"#,
            br#"{"packages": [{"name": "a/b", "version": "1", "license": 3}]}"#,
        ] {
            assert!(
                run(&ComposerLock, "composer.lock", bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
