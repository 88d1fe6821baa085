//! Yarn lockfiles (`yarn.lock`), both the classic v1 format and Berry's YAML.

use std::collections::{BTreeMap, BTreeSet};

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{package, text, yaml};

/// Reads `yarn.lock`: classic (Yarn 1, its own indented format) or Berry (Yarn 2+, YAML
/// with a `__metadata` entry).
pub struct YarnLock;

impl Analyzer for YarnLock {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("yarn.lock")]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = text(file)?;
        let berry = text
            .lines()
            .any(|l| l.trim_end_matches('\r') == "__metadata:");
        let found = if berry {
            parse_berry(text)?
        } else {
            parse_classic(text)?
        };
        // Yarn does not record which entries the manifest declares.
        for (name, version) in found {
            out.packages.push(package(
                Ecosystem::Npm,
                &name,
                &version,
                self.id(),
                file.path,
            ));
        }
        Ok(())
    }
}

/// The package name of a descriptor (`@babel/core@^7.0.0`, `lodash@npm:^4.17.0`): all
/// before the first `@` that is not the scope's.
fn descriptor_name(d: &str) -> Option<&str> {
    let d = d.trim().trim_matches('"');
    let at = d.get(1..)?.find('@')? + 1;
    d.get(..at).filter(|n| !n.is_empty())
}

/// The real package of an alias descriptor (`string-width-cjs@npm:string-width@^4.2.0`
/// installs `string-width`; `foo@npm:@scope/bar`, with no range, the latest `@scope/bar`).
fn alias_target(d: &str) -> Option<&str> {
    let d = d.trim().trim_matches('"');
    let name = descriptor_name(d)?;
    let target = d.get(name.len() + 1..)?.strip_prefix("npm:")?;
    // `npm:^4.0.0` is a range of the same package, not an alias.
    let names_a_package =
        target.starts_with('@') || target.starts_with(|c: char| c.is_ascii_lowercase());
    if !names_a_package {
        return None;
    }
    descriptor_name(target).or(Some(target))
}

/// Classic: unindented descriptor lines ending in `:`, then `  version "1.2.3"`.
fn parse_classic(text: &str) -> Result<BTreeSet<(String, String)>, AnalyzeError> {
    let mut out = BTreeSet::new();
    let mut current: Option<(usize, &str)> = None;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            let head = line.strip_suffix(':').ok_or_else(|| {
                AnalyzeError::new(format!("yarn.lock line {}: expected `descriptor:`", i + 1))
            })?;
            let first = head.split(", ").next().unwrap_or(head);
            let name = alias_target(first)
                .or_else(|| descriptor_name(first))
                .ok_or_else(|| {
                    AnalyzeError::new(format!(
                        "yarn.lock line {}: no package name in `{}`",
                        i + 1,
                        first.chars().take(100).collect::<String>()
                    ))
                })?;
            current = Some((i + 1, name));
        } else if let Some(rest) = line
            .strip_prefix("  version ")
            // npm writes yarn.lock files too, with every field name quoted.
            .or_else(|| line.strip_prefix("  \"version\" "))
        {
            let Some((_, name)) = current.take() else {
                return Err(AnalyzeError::new(format!(
                    "yarn.lock line {}: `version` outside an entry",
                    i + 1
                )));
            };
            let version = rest.trim().trim_matches('"');
            if !version.is_empty() {
                out.insert((name.to_owned(), version.to_owned()));
            }
        }
    }
    if let Some((line, name)) = current {
        return Err(AnalyzeError::new(format!(
            "yarn.lock line {line}: entry `{name}` has no version"
        )));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct BerryEntry {
    version: Option<serde_json::Value>,
    resolution: Option<String>,
}

/// Berry: a YAML map from descriptor lists to entries with `version` and `resolution`.
fn parse_berry(text: &str) -> Result<BTreeSet<(String, String)>, AnalyzeError> {
    let map: BTreeMap<String, BerryEntry> = yaml(text, "yarn.lock (Berry YAML)")?;
    let mut out = BTreeSet::new();
    for (key, entry) in map {
        if key == "__metadata" {
            continue;
        }
        let Some(resolution) = entry.resolution.as_deref() else {
            return Err(AnalyzeError::new(format!(
                "yarn.lock entry `{key}` has no `resolution`"
            )));
        };
        // `workspace:`, `link:`, `portal:` and `file:` resolve to the project's own
        // files; `patch:` entries repeat the npm package they patch.
        let Some(name) = descriptor_name(resolution) else {
            continue;
        };
        let protocol = resolution
            .get(name.len() + 1..)
            .and_then(|r| r.split_once(':'))
            .map(|(p, _)| p);
        if protocol != Some("npm") {
            continue;
        }
        let version = match &entry.version {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                return Err(AnalyzeError::new(format!(
                    "yarn.lock entry `{key}` has no string `version`"
                )));
            }
        };
        out.insert((name.to_owned(), version));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_yarn_lock() {
        assert_wants(
            &YarnLock,
            &["yarn.lock", "web/yarn.lock"],
            &["web/.yarnrc.yml", "web/yarn.lock.x"],
        );
    }

    #[test]
    fn reads_classic() {
        let lock = r#"# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.
# yarn lockfile v1


"@babel/code-frame@^7.0.0", "@babel/code-frame@^7.10.4":
  version "7.12.13"
  resolved "https://registry.yarnpkg.com/@babel/code-frame/-/code-frame-7.12.13.tgz#dcfc826beef65e75c50e21d3837d7d95798dd658"
  integrity sha512-HV1Cm0Q3ZrpCR93tkWOYiuYIgLxZXZFVG2VgK+MBWjUqZTundupbfx2aXarXuw5Ko5aMcjtJgbSs4vUGBS5v6g==
  dependencies:
    "@babel/highlight" "^7.12.13"

lodash@^4.17.20, lodash@^4.17.21:
  version "4.17.21"
  resolved "https://registry.yarnpkg.com/lodash/-/lodash-4.17.21.tgz"

lodash@^3.0.0:
  version "3.10.1"

string-width-cjs@npm:string-width@^4.2.0:
  version "4.2.3"
"#;
        let out = run(
            &YarnLock,
            "web/yarn.lock",
            lock.replace('\n', "\r\n").as_bytes(),
        )
        .unwrap();
        assert_eq!(
            nv(&out),
            [
                ("@babel/code-frame".into(), "7.12.13".into()),
                ("lodash".into(), "3.10.1".into()),
                ("lodash".into(), "4.17.21".into()),
                ("string-width".into(), "4.2.3".into()),
            ]
        );
    }

    #[test]
    fn issue_15_aliases_without_a_range_and_npm_written_lockfiles() {
        let lock = "# yarn lockfile v1\n\n\
            cjs@npm:string-width:\n  version \"4.2.3\"\n\n\
            \"tools@npm:@scope/tools\":\n  version \"1.0.0\"\n\n\
            \"lodash@^4.17.21\":\n  \"version\" \"4.17.21\"\n  \"resolved\" \"https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz\"\n\n\
            \"@babel/core@^7.0.0\", \"@babel/core@^7.1.0\":\n  \"version\" \"7.23.2\"\n";
        let out = run(&YarnLock, "yarn.lock", lock.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("@babel/core".into(), "7.23.2".into()),
                ("@scope/tools".into(), "1.0.0".into()),
                ("lodash".into(), "4.17.21".into()),
                ("string-width".into(), "4.2.3".into()),
            ]
        );
    }

    #[test]
    fn reads_berry() {
        let lock = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 8
  cacheKey: 10c0

"@babel/code-frame@npm:^7.0.0, @babel/code-frame@npm:^7.22.13":
  version: 7.22.13
  resolution: "@babel/code-frame@npm:7.22.13"
  dependencies:
    "@babel/highlight": "npm:^7.22.13"
  checksum: 10c0/f4cc8ae1000265677daf4845083b72f9c9e5d1f67f8b1f8d5d2f29a3e9f6f8b3
  languageName: node
  linkType: hard

"resolve@npm:^1.22.1":
  version: 1.22.8
  resolution: "resolve@npm:1.22.8"
  languageName: node
  linkType: hard

"resolve@patch:resolve@npm%3A^1.22.1#optional!builtin<compat/resolve>":
  version: 1.22.8
  resolution: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>::version=1.22.8&hash=c3c19d"
  languageName: node
  linkType: hard

"shop@workspace:.":
  version: 0.0.0-use.local
  resolution: "shop@workspace:."
  languageName: unknown
  linkType: soft
"#;
        let out = run(&YarnLock, "yarn.lock", lock.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("@babel/code-frame".into(), "7.22.13".into()),
                ("resolve".into(), "1.22.8".into()),
            ]
        );
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:npm/%40babel/code-frame@7.22.13")
        );
    }

    #[test]
    fn broken_lockfiles_are_errors() {
        for bad in [
            "lodash@^4:\n",
            "lodash@^4\n  version \"1\"\n",
            "  version \"1\"\n",
            "@:\n  version \"1\"\n",
            "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: 1.0.0\n",
            "__metadata:\n  version: 8\n\"a@npm:1\": [unterminated\n",
            "__metadata:\n  version: 8\n\"a@npm:1\":\n  version: [1]\n  resolution: \"a@npm:1.0.0\"\n",
        ] {
            assert!(
                run(&YarnLock, "yarn.lock", bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
