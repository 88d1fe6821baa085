//! PHP packages installed by Composer (`vendor/composer/installed.json`).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::composer_lock::Entry;
use super::json;

/// Reads Composer's record of installed packages: a bare array (Composer 1) or
/// `{"packages": […]}` (Composer 2).
pub struct ComposerInstalled;

#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 {
        packages: Vec<Entry>,
        /// The packages installed for `require-dev` only.
        #[serde(default, rename = "dev-package-names")]
        dev_package_names: Vec<String>,
    },
    V1(Vec<Entry>),
}

impl Analyzer for ComposerInstalled {
    fn id(&self) -> &'static str {
        "composer-installed"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::Suffix("vendor/composer/installed.json")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let installed: Installed = json(file, "installed.json").map_err(|_| {
            // serde's untagged errors say only "did not match any variant"; say what was expected.
            AnalyzeError::new(
                "invalid installed.json: expected an array of packages or `{\"packages\": [...]}`, each with string `name` and `version`",
            )
        })?;
        let (packages, dev_names) = match installed {
            Installed::V2 {
                packages,
                dev_package_names,
            } => (packages, dev_package_names),
            Installed::V1(packages) => (packages, Vec::new()),
        };
        for e in &packages {
            let mut p = e.to_package(self.id(), file.path);
            p.dev = dev_names.contains(&p.name);
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
    fn wants_installed_json() {
        assert_wants(
            &ComposerInstalled,
            &[
                "var/www/vendor/composer/installed.json",
                "vendor/composer/installed.json",
            ],
            &[
                "var/www/vendor/composer/installed.php",
                "var/www/installed.json",
            ],
        );
    }

    #[test]
    fn reads_v1_and_v2() {
        let v2 = r#"{"packages": [{"name": "psr/log", "version": "3.0.0", "version_normalized": "3.0.0.0",
            "license": ["MIT"], "install-path": "../psr/log"}], "dev": true, "dev-package-names": []}"#;
        let out = run(
            &ComposerInstalled,
            "vendor/composer/installed.json",
            v2.as_bytes(),
        )
        .unwrap();
        assert_eq!(nv(&out), [("psr/log".into(), "3.0.0".into())]);
        assert_eq!(out.packages[0].licenses, ["MIT"]);
        assert!(dev_names(&out).is_empty());
        let with_dev = r#"{"packages": [{"name": "psr/log", "version": "3.0.0"}, {"name": "phpunit/phpunit", "version": "10.4.1"}], "dev-package-names": ["phpunit/phpunit"]}"#;
        let out = run(
            &ComposerInstalled,
            "vendor/composer/installed.json",
            with_dev.as_bytes(),
        )
        .unwrap();
        assert_eq!(dev_names(&out), ["phpunit/phpunit"]);
        let v1 = r#"[{"name": "guzzlehttp/guzzle", "version": "6.5.8"}, {"name": "psr/http-message", "version": "1.0.1"}]"#;
        let out = run(
            &ComposerInstalled,
            "vendor/composer/installed.json",
            v1.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            nv(&out),
            [
                ("guzzlehttp/guzzle".into(), "6.5.8".into()),
                ("psr/http-message".into(), "1.0.1".into())
            ]
        );
    }

    #[test]
    fn broken_files_are_errors() {
        for bad in [
            &br#"{"packages": 1}"#[..],
            br#"[{"name": 1}]"#,
            b"[",
            br#""x""#,
        ] {
            assert!(run(&ComposerInstalled, "vendor/composer/installed.json", bad).is_err());
        }
    }
}
