//! Yarn lockfiles (`yarn.lock`), both the classic v1 format and Berry's YAML.

use std::collections::{BTreeMap, BTreeSet};

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, LockGraph, LockNode, PathSpec,
    Relationship, Scanner,
};
use serde::Deserialize;

use super::{own_package, package, text, yaml};

/// Reads `yarn.lock`: classic (Yarn 1, its own indented format) or Berry (Yarn 2+, YAML
/// with a `__metadata` entry).
pub struct YarnLock;

impl Analyzer for YarnLock {
    fn id(&self) -> &'static str {
        "yarn-lock"
    }

    fn version(&self) -> u32 {
        3
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
        let entries = if berry {
            parse_berry(text)?
        } else {
            parse_classic(text)?
        };
        // Yarn does not record which entries the manifest declares, nor which only
        // development needs: `projects` joins the lock's graph to package.json for that.
        let distinct: BTreeSet<(Option<Relationship>, &str, &str)> = entries
            .iter()
            .map(|e| (e.workspace, e.name.as_str(), e.version.as_str()))
            .collect();
        for (workspace, name, version) in distinct {
            let p = match workspace {
                Some(relationship) => {
                    own_package(Ecosystem::Npm, name, "", self.id(), file.path, relationship)
                }
                None => package(Ecosystem::Npm, name, version, self.id(), file.path),
            };
            out.packages.push(p);
        }
        out.lock_graphs.push(graph(&entries, file.path));
        Ok(())
    }
}

/// One lock entry: the descriptors that resolve to it and what it depends on.
struct Entry {
    descriptors: Vec<String>,
    name: String,
    version: String,
    /// `(name, range)` of each dependency, as written.
    dependencies: Vec<(String, String)>,
    /// A Berry `workspace:` entry: the project's root (`.`) or another member.
    workspace: Option<Relationship>,
}

/// The entries' edges, each dependency resolved through the descriptor `name@range`
/// (Berry also writes the default `npm:` protocol in keys but not always in ranges).
fn graph(entries: &[Entry], path: &str) -> LockGraph {
    let mut by_descriptor = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        for d in &e.descriptors {
            by_descriptor.insert(d.as_str(), i);
        }
    }
    let resolve = |(name, range): &(String, String)| {
        by_descriptor
            .get(format!("{name}@{range}").as_str())
            .or_else(|| by_descriptor.get(format!("{name}@npm:{range}").as_str()))
            .copied()
    };
    LockGraph {
        path: path.to_owned(),
        nodes: entries
            .iter()
            .map(|e| LockNode {
                name: e.name.clone(),
                version: e.version.clone(),
                member: e.workspace.is_some(),
                dependencies: e.dependencies.iter().filter_map(resolve).collect(),
            })
            .collect(),
        workspace_dirs: Vec::new(),
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

/// Classic: unindented descriptor lines ending in `:`, then `  version "1.2.3"` and
/// `  dependencies:` blocks of `    name "range"` lines.
fn parse_classic(text: &str) -> Result<Vec<Entry>, AnalyzeError> {
    let mut out = Vec::new();
    let mut current: Option<(usize, Entry)> = None;
    let mut in_deps = false;
    let finish = |current: Option<(usize, Entry)>, out: &mut Vec<Entry>| match current {
        Some((line, e)) if e.version.is_empty() => Err(AnalyzeError::new(format!(
            "yarn.lock line {line}: entry `{}` has no version",
            e.name
        ))),
        Some((_, e)) => {
            out.push(e);
            Ok(())
        }
        None => Ok(()),
    };
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with(' ') {
            finish(current.take(), &mut out)?;
            in_deps = false;
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
            let entry = Entry {
                descriptors: head
                    .split(", ")
                    .map(|d| d.trim().trim_matches('"').to_owned())
                    .collect(),
                name: name.to_owned(),
                version: String::new(),
                dependencies: Vec::new(),
                workspace: None,
            };
            current = Some((i + 1, entry));
        } else if let Some(rest) = line
            .strip_prefix("  version ")
            // npm writes yarn.lock files too, with every field name quoted.
            .or_else(|| line.strip_prefix("  \"version\" "))
        {
            in_deps = false;
            let Some((_, e)) = current.as_mut() else {
                return Err(AnalyzeError::new(format!(
                    "yarn.lock line {}: `version` outside an entry",
                    i + 1
                )));
            };
            e.version = rest.trim().trim_matches('"').to_owned();
        } else if let Some(field) = line.strip_prefix("  ").filter(|f| !f.starts_with(' ')) {
            let field = field.trim_end_matches(':').trim_matches('"');
            in_deps =
                line.ends_with(':') && matches!(field, "dependencies" | "optionalDependencies");
        } else if in_deps && let Some(dep) = line.strip_prefix("    ") {
            let (name, range) = match dep.strip_prefix('"') {
                Some(quoted) => quoted.split_once("\" ").unwrap_or((quoted, "")),
                None => dep.split_once(' ').unwrap_or((dep, "")),
            };
            if let Some((_, e)) = current.as_mut() {
                e.dependencies
                    .push((name.to_owned(), range.trim().trim_matches('"').to_owned()));
            }
        }
    }
    finish(current, &mut out)?;
    Ok(out)
}

#[derive(Deserialize)]
struct BerryEntry {
    version: Option<serde_json::Value>,
    resolution: Option<String>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
}

/// Berry: a YAML map from descriptor lists to entries with `version` and `resolution`.
fn parse_berry(text: &str) -> Result<Vec<Entry>, AnalyzeError> {
    let map: BTreeMap<String, BerryEntry> = yaml(text, "yarn.lock (Berry YAML)")?;
    let mut out = Vec::new();
    for (key, entry) in map {
        if key == "__metadata" {
            continue;
        }
        let Some(resolution) = entry.resolution.as_deref() else {
            return Err(AnalyzeError::new(format!(
                "yarn.lock entry `{key}` has no `resolution`"
            )));
        };
        // `link:`, `portal:` and `file:` resolve to the project's own files; `patch:`
        // entries repeat the npm package they patch. `workspace:` entries are the
        // project's own packages.
        let Some(name) = descriptor_name(resolution) else {
            continue;
        };
        let (protocol, target) = resolution
            .get(name.len() + 1..)
            .and_then(|r| r.split_once(':'))
            .unzip();
        let workspace = match (protocol, target) {
            (Some("npm"), _) => None,
            (Some("workspace"), Some(".")) => Some(Relationship::Root),
            (Some("workspace"), _) => Some(Relationship::Workspace),
            _ => continue,
        };
        let version = match &entry.version {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => {
                return Err(AnalyzeError::new(format!(
                    "yarn.lock entry `{key}` has no string `version`"
                )));
            }
        };
        out.push(Entry {
            descriptors: key.split(", ").map(|d| d.trim().to_owned()).collect(),
            name: name.to_owned(),
            version,
            dependencies: entry
                .dependencies
                .into_iter()
                .chain(entry.optional_dependencies)
                .collect(),
            workspace,
        });
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
