//! Installed npm packages (`node_modules/**/package.json`).

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, PathSpec,
    ScanNote, Scanner,
};
use serde::Deserialize;
use serde_json::Value;

use super::{json, package};

/// Reads the manifest of each package installed under a `node_modules` directory.
pub struct NodeInstalled;

#[derive(Deserialize)]
struct Manifest {
    name: Option<String>,
    version: Option<String>,
    license: Option<Value>,
    licenses: Option<Value>,
}

impl Analyzer for NodeInstalled {
    fn id(&self) -> &'static str {
        "node-installed"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Only a package's own root manifest: `node_modules/x/lib/package.json` (a
        // sub-path `type` marker) is not a package.
        &[
            PathSpec::Glob("**/node_modules/*/package.json"),
            PathSpec::Glob("**/node_modules/@*/*/package.json"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        // Old npm versions copied the README into the installed manifest.
        8 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let m: Manifest = json(file, "package.json")?;
        // A manifest without a name marks a directory's module type (`{"type":
        // "module"}`) rather than a package. One without a version (private and
        // git-installed packages, hand-made trees) is still an installed package: it is
        // reported without a version, and a note says it cannot be matched.
        let Some(name) = m.name.as_deref().filter(|n| !n.is_empty()) else {
            return Ok(());
        };
        let version = m.version.as_deref().unwrap_or_default().trim();
        if version.is_empty() {
            out.notes.push(ScanNote {
                level: NoteLevel::Info,
                found_by: self.id().into(),
                location: Location::path(file.path),
                message: format!(
                    "installed package `{name}` has no version in its package.json; listed without one and not matched against advisories"
                ),
            });
        }
        let mut p = package(Ecosystem::Npm, name, version, self.id(), file.path);
        p.licenses = licenses(m.license.as_ref(), m.licenses.as_ref());
        out.packages.push(p);
        Ok(())
    }
}

/// `"license": "MIT"`, the deprecated `{"type": "MIT"}` object, and the older
/// `"licenses": [{"type": …}]` array.
pub(crate) fn licenses(license: Option<&Value>, licenses: Option<&Value>) -> Vec<String> {
    fn one(v: &Value) -> Option<String> {
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Object(o) => o.get("type").and_then(one),
            _ => None,
        }
    }
    let mut out: Vec<String> = license.and_then(one).into_iter().collect();
    if out.is_empty() {
        match licenses {
            Some(Value::Array(items)) => out.extend(items.iter().filter_map(one)),
            Some(v) => out.extend(one(v)),
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_package_roots_under_node_modules() {
        assert_wants(
            &NodeInstalled,
            &[
                "app/node_modules/lodash/package.json",
                "app/node_modules/@babel/core/package.json",
                "app/node_modules/a/node_modules/b/package.json",
                "usr/lib/node_modules/npm/node_modules/@npmcli/arborist/package.json",
            ],
            &[
                "app/package.json",
                "app/node_modules/lodash/lib/package.json",
                "app/node_modules/@babel/core/lib/package.json",
                "app/node_modules/package.json",
            ],
        );
    }

    #[test]
    fn reads_name_version_and_license_shapes() {
        let cases: [(&str, &str, Vec<&str>); 4] = [
            (
                "node_modules/@babel/core/package.json",
                r#"{"name": "@babel/core", "version": "7.23.2", "license": "MIT"}"#,
                vec!["MIT"],
            ),
            (
                "node_modules/old/package.json",
                r#"{"name": "old", "version": "0.1.0", "license": {"type": "BSD", "url": "x"}}"#,
                vec!["BSD"],
            ),
            (
                "node_modules/older/package.json",
                r#"{"name": "older", "version": "1.0.0", "licenses": [{"type": "MIT"}, {"type": "Apache-2.0"}]}"#,
                vec!["MIT", "Apache-2.0"],
            ),
            (
                "node_modules/none/package.json",
                "\u{feff}{\r\n\"name\": \"none\",\r\n\"version\": \"2.0.0\"\r\n}",
                vec![],
            ),
        ];
        for (path, manifest, want) in cases {
            let out = run(&NodeInstalled, path, manifest.as_bytes()).unwrap();
            assert_eq!(out.packages.len(), 1, "{path}");
            assert_eq!(out.packages[0].licenses, want, "{path}");
        }
        let out = run(
            &NodeInstalled,
            "node_modules/@babel/core/package.json",
            br#"{"name": "@babel/core", "version": "7.23.2"}"#,
        )
        .unwrap();
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:npm/%40babel/core@7.23.2")
        );
    }

    /// See: issues/15.
    #[test]
    fn issue_15_a_package_without_a_version_is_listed_with_a_note() {
        let out = run(
            &NodeInstalled,
            "app/node_modules/internal-lib/package.json",
            br#"{"name": "internal-lib", "private": true}"#,
        )
        .unwrap();
        assert_eq!(nv(&out), [("internal-lib".into(), String::new())]);
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:npm/internal-lib")
        );
        assert!(!crate::lang::is_vulnerability_matched(&out.packages[0]));
        assert_eq!(out.notes.len(), 1);
        assert!(
            out.notes[0]
                .message
                .contains("`internal-lib` has no version")
        );
    }

    #[test]
    fn skips_non_packages_and_rejects_broken_json() {
        let out = run(
            &NodeInstalled,
            "node_modules/x/package.json",
            br#"{"type": "module"}"#,
        )
        .unwrap();
        assert!(nv(&out).is_empty());
        let err = run(
            &NodeInstalled,
            "node_modules/x/package.json",
            br#"{"name": ["x"]}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("invalid package.json: invalid type"),
            "{err}"
        );
        assert!(
            run(
                &NodeInstalled,
                "node_modules/x/package.json",
                br#"{"name": "x", "ver"#
            )
            .is_err()
        );
        let deep = "[".repeat(10_000);
        assert!(
            run(
                &NodeInstalled,
                "node_modules/x/package.json",
                deep.as_bytes()
            )
            .is_err()
        );
    }
}
