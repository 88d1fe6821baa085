//! npm lockfiles (`package-lock.json` v1–v3 and `npm-shrinkwrap.json`).

use std::collections::{BTreeMap, BTreeSet};

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Relationship, Scanner,
};
use serde::Deserialize;
use serde_json::Value;

use super::{json, own_package, package};

/// Reads the `packages` map (lockfile v2/v3) or the `dependencies` tree (v1).
pub struct NpmLock;

#[derive(Deserialize)]
struct Lock {
    /// The root's, in v1 lockfiles (later ones repeat them in `packages[""]`).
    name: Option<String>,
    version: Option<String>,
    packages: Option<BTreeMap<String, Entry>>,
    dependencies: Option<BTreeMap<String, V1Dep>>,
}

#[derive(Deserialize)]
struct Entry {
    name: Option<String>,
    version: Option<String>,
    #[serde(default)]
    link: bool,
    /// Only in the tree of the root's `devDependencies`.
    #[serde(default)]
    dev: bool,
    license: Option<Value>,
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, String>,
    #[serde(default, rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct V1Dep {
    version: String,
    #[serde(default)]
    dev: bool,
    #[serde(default)]
    dependencies: BTreeMap<String, V1Dep>,
}

const NM: &str = "node_modules/";

impl Analyzer for NpmLock {
    fn id(&self) -> &'static str {
        "npm-lock"
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::FileName("npm-shrinkwrap.json"),
            PathSpec::FileName("package-lock.json"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let lock: Lock = json(file, "npm lockfile")?;
        let mut seen = BTreeSet::new();
        if let Some(packages) = &lock.packages {
            for (key, entry) in packages {
                let Some((parent, tail)) = key
                    .rsplit_once(NM)
                    .or_else(|| key.strip_prefix(NM).map(|t| ("", t)))
                else {
                    // The root ("") and workspace sources are the project itself.
                    let relationship = if key.is_empty() {
                        Relationship::Root
                    } else {
                        Relationship::Workspace
                    };
                    let name = entry
                        .name
                        .as_deref()
                        .or_else(|| key.rsplit('/').next().filter(|n| !n.is_empty()));
                    if let Some(name) = name {
                        let version = entry.version.as_deref().unwrap_or_default();
                        out.packages.push(own_package(
                            Ecosystem::Npm,
                            name,
                            version,
                            self.id(),
                            file.path,
                            relationship,
                        ));
                    }
                    continue;
                };
                if entry.link {
                    continue;
                }
                // An alias (`"foo": "npm:bar@1"`) is installed at `node_modules/foo`
                // but records the real name.
                let name = entry.name.as_deref().unwrap_or(tail);
                let Some(version) = entry.version.as_deref().filter(|v| usable(v)) else {
                    continue;
                };
                if !seen.insert((name.to_owned(), version.to_owned())) {
                    // Installed twice: needed in production if either copy is.
                    if !entry.dev {
                        keep_for_production(&mut out.packages, name, version);
                    }
                    continue;
                }
                let mut p = package(Ecosystem::Npm, name, version, self.id(), file.path);
                p.dev = entry.dev;
                p.licenses = super::node_installed::licenses(entry.license.as_ref(), None);
                // Direct means declared by the root or by a workspace member and
                // installed right under its node_modules.
                let parent = parent.strip_suffix('/').unwrap_or(parent);
                let declared_by = packages
                    .get(parent)
                    .filter(|_| parent.is_empty() || !parent.contains(NM.trim_end_matches('/')));
                p.direct = Some(declared_by.is_some_and(|m| {
                    [
                        &m.dependencies,
                        &m.dev_dependencies,
                        &m.optional_dependencies,
                        &m.peer_dependencies,
                    ]
                    .iter()
                    .any(|d| d.contains_key(tail))
                }));
                out.packages.push(p);
            }
        } else if let Some(deps) = &lock.dependencies {
            if let Some(name) = &lock.name {
                let version = lock.version.as_deref().unwrap_or_default();
                out.packages.push(own_package(
                    Ecosystem::Npm,
                    name,
                    version,
                    self.id(),
                    file.path,
                    Relationship::Root,
                ));
            }
            // v1 lockfiles do not record what the root declares.
            walk_v1(deps, &mut seen, &mut |name, version, dev, first| {
                if !first {
                    if !dev {
                        keep_for_production(&mut out.packages, name, version);
                    }
                    return;
                }
                let mut p = package(Ecosystem::Npm, name, version, self.id(), file.path);
                p.dev = dev;
                out.packages.push(p);
            });
        } else {
            return Err(AnalyzeError::new(
                "npm lockfile has neither `packages` nor `dependencies`",
            ));
        }
        Ok(())
    }
}

/// A registry version; `file:`, `git+…` and tarball URLs name no published release.
fn usable(v: &str) -> bool {
    !v.is_empty() && !v.contains(':')
}

/// A package seen again outside the dev tree is a production package after all.
fn keep_for_production(packages: &mut [kensa_core::Package], name: &str, version: &str) {
    if let Some(p) = packages
        .iter_mut()
        .find(|p| p.name == name && p.version == version)
    {
        p.dev = false;
    }
}

/// Calls `emit(name, version, dev, first_time)` for every installed package.
fn walk_v1(
    deps: &BTreeMap<String, V1Dep>,
    seen: &mut BTreeSet<(String, String)>,
    emit: &mut dyn FnMut(&str, &str, bool, bool),
) {
    for (key, dep) in deps {
        // v1 writes an alias's version as `npm:real-name@1.2.3`.
        let (name, version) = match dep.version.strip_prefix("npm:") {
            Some(spec) => match spec.get(1..).and_then(|s| s.rfind('@')) {
                Some(at) => (
                    spec.get(..=at).unwrap_or(spec),
                    spec.get(at + 2..).unwrap_or(""),
                ),
                None => (key.as_str(), ""),
            },
            None => (key.as_str(), dep.version.as_str()),
        };
        if usable(version) {
            let first = seen.insert((name.to_owned(), version.to_owned()));
            emit(name, version, dep.dev, first);
        }
        walk_v1(&dep.dependencies, seen, emit);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_lockfiles() {
        assert_wants(
            &NpmLock,
            &[
                "package-lock.json",
                "app/package-lock.json",
                "app/npm-shrinkwrap.json",
            ],
            &[
                "app/package.json",
                "app/node_modules/.package-lock.json.bak",
            ],
        );
    }

    #[test]
    fn reads_v3_with_workspaces_aliases_and_links() {
        let lock = r#"{
  "name": "shop",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": {
      "name": "shop",
      "version": "1.0.0",
      "workspaces": ["packages/*"],
      "dependencies": {"express": "^4.18.2", "string-width-cjs": "npm:string-width@^4.2.0"},
      "devDependencies": {"@types/node": "^20.0.0"}
    },
    "node_modules/@types/node": {"version": "20.8.10", "dev": true, "license": "MIT"},
    "node_modules/express": {"version": "4.18.2", "license": "MIT"},
    "node_modules/debug": {"version": "2.6.9"},
    "node_modules/string-width-cjs": {"name": "string-width", "version": "4.2.3"},
    "node_modules/ui": {"resolved": "packages/ui", "link": true},
    "packages/ui": {"name": "ui", "version": "0.1.0", "dependencies": {"react": "^18.2.0"}},
    "packages/ui/node_modules/react": {"version": "18.2.0", "optional": true},
    "node_modules/express/node_modules/debug": {"version": "2.6.9"},
    "node_modules/localdep": {"version": "file:../localdep"}
  }
}"#;
        let out = run(
            &NpmLock,
            "app/package-lock.json",
            lock.replace('\n', "\r\n").as_bytes(),
        )
        .unwrap();
        assert_eq!(
            crate::lang::testing::own(&out),
            [("root", "shop", "1.0.0"), ("workspace", "ui", "0.1.0")]
        );
        assert!(!crate::lang::is_vulnerability_matched(&out.packages[0]));
        let got: Vec<_> = out
            .packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("@types/node", "20.8.10", Some(true)),
                ("debug", "2.6.9", Some(false)),
                ("express", "4.18.2", Some(true)),
                ("string-width", "4.2.3", Some(true)),
                ("react", "18.2.0", Some(true)),
            ]
        );
        assert_eq!(
            out.packages[1].purl.as_deref(),
            Some("pkg:npm/%40types/node@20.8.10")
        );
        assert_eq!(out.packages[1].licenses, ["MIT"]);
        assert_eq!(crate::lang::testing::dev_names(&out), ["@types/node"]);
    }

    #[test]
    fn issue_15_a_package_in_both_trees_is_a_production_package() {
        let v3 = r#"{"lockfileVersion": 3, "packages": {
            "": {"dependencies": {"a": "1"}, "devDependencies": {"jest": "29"}},
            "node_modules/jest": {"version": "29.0.0", "dev": true},
            "node_modules/jest/node_modules/ms": {"version": "2.1.3", "dev": true},
            "node_modules/a": {"version": "1.0.0"},
            "node_modules/a/node_modules/ms": {"version": "2.1.3"}
        }}"#;
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
            "jest": {"version": "29.0.0", "dev": true, "dependencies": {"ms": {"version": "2.1.3", "dev": true}}},
            "a": {"version": "1.0.0", "dependencies": {"ms": {"version": "2.1.3"}}}
        }}"#;
        for lock in [v3, v1] {
            let out = run(&NpmLock, "package-lock.json", lock.as_bytes()).unwrap();
            let mut dev: Vec<(&str, bool)> = out
                .packages
                .iter()
                .map(|p| (p.name.as_str(), p.dev))
                .collect();
            dev.sort_unstable();
            assert_eq!(dev, [("a", false), ("jest", true), ("ms", false)], "{lock}");
        }
    }

    #[test]
    fn reads_v1_tree() {
        let lock = r#"{
  "name": "old", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "accepts": {"version": "1.3.8", "resolved": "https://registry.npmjs.org/accepts/-/accepts-1.3.8.tgz",
                "requires": {"mime-types": "~2.1.34"},
                "dependencies": {"mime-types": {"version": "2.1.35"}}},
    "@scope/pkg": {"version": "2.0.0", "dev": true},
    "cjs": {"version": "npm:@isaacs/string-locale-compare@1.1.0"},
    "gitdep": {"version": "git+https://github.com/x/y.git#abc"}
  }
}"#;
        let out = run(&NpmLock, "npm-shrinkwrap.json", lock.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("@scope/pkg".into(), "2.0.0".into()),
                ("accepts".into(), "1.3.8".into()),
                ("mime-types".into(), "2.1.35".into()),
                ("@isaacs/string-locale-compare".into(), "1.1.0".into()),
            ]
        );
        assert!(out.packages.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn broken_lockfiles_are_errors() {
        for bad in [
            &br#"{"lockfileVersion": 3}"#[..],
            br#"{"packages": {"node_modules/a": {"version": 1}}}"#,
            br#"{"packages": []}"#,
            br#"{"dependencies": {"a": {"version": "1", "dependencies": {"b": "x"}}}}"#,
            br#"{"packages": {"node_modules/a": {"vers"#,
        ] {
            assert!(
                run(&NpmLock, "package-lock.json", bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
