//! pnpm lockfiles (`pnpm-lock.yaml`, key formats of lockfile v5, v6 and v9).

use std::collections::{BTreeMap, BTreeSet};

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{package, text, yaml_documents};

/// Reads the `packages` map of `pnpm-lock.yaml`, marking what the importers (the root
/// project and workspace members) declare as direct.
pub struct PnpmLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(rename = "lockfileVersion")]
    lockfile_version: Option<serde_json::Value>,
    #[serde(default)]
    packages: BTreeMap<String, PackageEntry>,
    #[serde(default)]
    importers: BTreeMap<String, Importer>,
    /// v9: each installed instance (key with peer suffix) and what it depends on.
    #[serde(default)]
    snapshots: BTreeMap<String, Snapshot>,
    /// Single-project lockfiles before v9 keep the root's dependencies at top level.
    #[serde(flatten)]
    root: Importer,
}

/// A `packages` entry: tarball, git and local packages name themselves here, since their
/// keys hold a URL or path instead of a registry version.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PackageEntry {
    name: Option<String>,
    version: Option<String>,
    /// Before v9: only the importers' devDependencies need it.
    dev: Option<bool>,
    /// v5/v6 keep the dependency edges here, v9 in `snapshots`.
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Snapshot {
    dependencies: BTreeMap<String, serde_json::Value>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize, Default)]
struct Importer {
    /// pnpm 10 writes the package manager's own install as a first YAML document whose
    /// importer declares only these; they are not the project's packages.
    #[serde(default, rename = "packageManagerDependencies")]
    package_manager_dependencies: Option<serde::de::IgnoredAny>,
    #[serde(default, rename = "configDependencies")]
    config_dependencies: Option<serde::de::IgnoredAny>,
    #[serde(default)]
    dependencies: BTreeMap<String, Dep>,
    #[serde(default, rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, Dep>,
    #[serde(default, rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, Dep>,
}

/// v5 writes `name: version`; v6+ write `name: {specifier, version}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Dep {
    Version(String),
    Spec { version: String },
}

impl Dep {
    /// The installed `(name, version)` of the dependency declared as `name`; an alias
    /// (`foo: npm:bar@^1`) records the real package in its version: `bar@1.0.0` (v9),
    /// `/bar@1.0.0` (v6) or `/bar/1.0.0` (v5).
    fn resolve<'a>(&'a self, name: &'a str, major: u32) -> (&'a str, &'a str) {
        let (Dep::Version(v) | Dep::Spec { version: v }) = self;
        let v = strip_peers(v);
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            return (name, v);
        }
        parse_key(v, major).unwrap_or((name, v))
    }
}

/// Drops the peer-dependency suffix: `(react@18.2.0)` in v6+, `_react@18.2.0` in v5.
fn strip_peers(v: &str) -> &str {
    let v = v.split('(').next().unwrap_or(v);
    v.split('_').next().unwrap_or(v)
}

impl Analyzer for PnpmLock {
    fn id(&self) -> &'static str {
        "pnpm-lock"
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("pnpm-lock.yaml")]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let documents: Vec<Lock> = yaml_documents(text(file)?, "pnpm-lock.yaml")?;
        let mut seen = BTreeSet::new();
        for lock in documents.iter().filter(|l| !l.is_package_manager_env()) {
            self.read(lock, file.path, &mut seen, out)?;
        }
        Ok(())
    }
}

impl Lock {
    fn is_package_manager_env(&self) -> bool {
        self.importers
            .values()
            .chain([&self.root])
            .any(|i| i.package_manager_dependencies.is_some() || i.config_dependencies.is_some())
            && self.importers.values().chain([&self.root]).all(|i| {
                i.dependencies.is_empty()
                    && i.dev_dependencies.is_empty()
                    && i.optional_dependencies.is_empty()
            })
    }
}

impl PnpmLock {
    fn read<'a>(
        &self,
        lock: &'a Lock,
        path: &str,
        seen: &mut BTreeSet<(&'a str, &'a str)>,
        out: &mut AnalysisOutput,
    ) -> Result<(), AnalyzeError> {
        let major = match &lock.lockfile_version {
            Some(serde_json::Value::String(s)) => s.split('.').next().and_then(|m| m.parse().ok()),
            Some(serde_json::Value::Number(n)) => n.as_f64().map(|f| f as u32),
            _ => None,
        }
        .ok_or_else(|| AnalyzeError::new("pnpm-lock.yaml has no usable `lockfileVersion`"))?;
        let mut direct = BTreeSet::new();
        for imp in lock.importers.values().chain([&lock.root]) {
            for (name, dep) in imp
                .dependencies
                .iter()
                .chain(&imp.dev_dependencies)
                .chain(&imp.optional_dependencies)
            {
                direct.insert(dep.resolve(name, major));
            }
        }
        let production = (major >= 9).then(|| production_closure(lock));
        for (key, entry) in &lock.packages {
            let named = || Some((entry.name.as_deref()?, entry.version.as_deref()?));
            let Some((name, version)) = parse_key(key, major).or_else(named) else {
                continue;
            };
            if !seen.insert((name, version)) {
                continue;
            }
            let mut p = package(Ecosystem::Npm, name, version, self.id(), path);
            p.dev = match &production {
                Some(needed) => !needed.contains(key.as_str()),
                None => entry.dev == Some(true),
            };
            // A tarball or git dependency is declared by its URL, so its key is what the
            // importer's `version` holds.
            let declared_as_key = |(n, v): &(&str, &str)| {
                key == v || key.strip_prefix(n).and_then(|r| r.strip_prefix('@')) == Some(v)
            };
            p.direct =
                Some(direct.contains(&(name, version)) || direct.iter().any(declared_as_key));
            out.packages.push(p);
        }
        // The other importers are the workspace's members; only their package.json
        // names them (see `projects`).
        let workspace_dirs: Vec<String> = lock
            .importers
            .keys()
            .filter(|k| *k != ".")
            .cloned()
            .collect();
        if !workspace_dirs.is_empty() {
            out.lock_graphs.push(kensa_core::LockGraph {
                path: path.to_owned(),
                nodes: Vec::new(),
                workspace_dirs,
            });
        }
        Ok(())
    }
}

/// v9 records no dev flag: the `packages` keys of everything that the importers'
/// `dependencies` and `optionalDependencies` pull in, following the snapshots' edges.
fn production_closure(lock: &Lock) -> BTreeSet<&str> {
    // A dependency's `version` is `1.0.0(peer@1)`, an alias's `real@1.0.0`, and a tarball,
    // git or local one's the URL or path, keyed as `name@url`: every reading is tried.
    let keys_of = |name: &str, v: &str| -> Vec<String> {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            vec![format!("{name}@{v}")]
        } else {
            vec![v.to_owned(), format!("{name}@{v}")]
        }
    };
    let edges = |deps: &BTreeMap<String, serde_json::Value>| -> Vec<String> {
        deps.iter()
            .filter_map(|(name, v)| Some(keys_of(name, v.as_str()?)))
            .flatten()
            .collect()
    };
    let mut todo: Vec<String> = Vec::new();
    for imp in lock.importers.values().chain([&lock.root]) {
        for (name, dep) in imp.dependencies.iter().chain(&imp.optional_dependencies) {
            let (Dep::Version(v) | Dep::Spec { version: v }) = dep;
            todo.extend(keys_of(name, v));
        }
    }
    let mut seen_keys = BTreeSet::new();
    let mut needed = BTreeSet::new();
    while let Some(key) = todo.pop() {
        if !seen_keys.insert(key.clone()) {
            continue;
        }
        // Snapshot keys carry the peer suffix (`a@1.0.0(react@18.2.0)`), package keys not.
        if let Some((package_key, _)) = lock
            .packages
            .get_key_value(key.split('(').next().unwrap_or(&key))
        {
            needed.insert(package_key.as_str());
        }
        if let Some(snapshot) = lock.snapshots.get(&key) {
            todo.extend(edges(&snapshot.dependencies));
            todo.extend(edges(&snapshot.optional_dependencies));
        }
    }
    needed
}

/// `/name/1.0.0` (v5), `/name@1.0.0` (v6), `name@1.0.0` (v9), each possibly with a
/// scope and a peer suffix. Keys of tarball, git and local packages carry no registry
/// version and give `None`.
fn parse_key(key: &str, major: u32) -> Option<(&str, &str)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let (name, version) = if major < 6 {
        let k = strip_peers(k);
        let slash = k.rfind('/')?;
        (k.get(..slash)?, k.get(slash + 1..)?)
    } else {
        let k = k.split('(').next().unwrap_or(k);
        let at = k.get(1..)?.find('@')? + 1;
        (k.get(..at)?, k.get(at + 1..)?)
    };
    let plausible = !name.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
        && !version.contains(':')
        && !version.contains('/');
    plausible.then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, run};

    fn got(out: &kensa_core::AnalysisOutput) -> Vec<(&str, &str, Option<bool>)> {
        out.packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect()
    }

    #[test]
    fn wants_pnpm_lock() {
        assert_wants(
            &PnpmLock,
            &["pnpm-lock.yaml", "a/b/pnpm-lock.yaml"],
            &["a/pnpm-workspace.yaml"],
        );
    }

    #[test]
    fn issue_15_url_keyed_packages_and_a_package_manager_document() {
        let lock = r#"---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      '@pnpm/exe':
        specifier: 10.12.1
        version: 10.12.1

packages:

  '@pnpm/exe@10.12.1':
    resolution: {integrity: sha512-AAAA}

---
lockfileVersion: '9.0'

importers:

  .:
    dependencies:
      left-pad:
        specifier: https://example.com/left-pad-1.3.0.tgz
        version: https://example.com/left-pad-1.3.0.tgz
      local-lib:
        specifier: file:../local-lib
        version: file:../local-lib
      is-odd:
        specifier: ^3.0.1
        version: 3.0.1
    devDependencies:
      vitest:
        specifier: ^1.0.0
        version: 1.0.0

packages:

  is-odd@3.0.1:
    resolution: {integrity: sha512-BBBB}

  left-pad@https://example.com/left-pad-1.3.0.tgz:
    resolution: {tarball: https://example.com/left-pad-1.3.0.tgz}
    name: left-pad
    version: 1.3.0

  local-lib@file:../local-lib:
    resolution: {directory: ../local-lib, type: directory}
    name: local-lib
    version: 0.1.0

  sub-dep@git+https://github.com/o/sub-dep.git#0123456789abcdef0123456789abcdef01234567:
    resolution: {commit: 0123456789abcdef0123456789abcdef01234567, repo: https://github.com/o/sub-dep.git, type: git}
    name: sub-dep
    version: 2.0.0

  nameless@https://example.com/x.tgz:
    resolution: {tarball: https://example.com/x.tgz}

  is-number@6.0.0:
    resolution: {integrity: sha512-CCCC}

  vitest@1.0.0:
    resolution: {integrity: sha512-DDDD}

snapshots:

  is-odd@3.0.1:
    dependencies:
      is-number: 6.0.0

  vitest@1.0.0:
    dependencies:
      is-number: 6.0.0
      sub-dep: git+https://github.com/o/sub-dep.git#0123456789abcdef0123456789abcdef01234567
"#;
        let out = run(&PnpmLock, "pnpm-lock.yaml", lock.as_bytes()).unwrap();
        assert_eq!(
            got(&out),
            [
                ("is-number", "6.0.0", Some(false)),
                ("is-odd", "3.0.1", Some(true)),
                ("left-pad", "1.3.0", Some(true)),
                ("local-lib", "0.1.0", Some(true)),
                ("sub-dep", "2.0.0", Some(false)),
                ("vitest", "1.0.0", Some(true)),
            ]
        );
        // is-number is needed by a production package too; sub-dep only by vitest.
        assert_eq!(crate::lang::testing::dev_names(&out), ["sub-dep", "vitest"]);
    }

    #[test]
    fn reads_v9_with_importers() {
        let lock = r#"lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      react-dom:
        specifier: ^18.2.0
        version: 18.2.0(react@18.2.0)
      env-cjs:
        specifier: npm:loose-envify@^1.4.0
        version: loose-envify@1.4.0
    devDependencies:
      '@types/react':
        specifier: ^18.2.0
        version: 18.2.37

  packages/ui:
    dependencies:
      react:
        specifier: ^18.2.0
        version: 18.2.0

packages:

  '@types/react@18.2.37':
    resolution: {integrity: sha512-RGAYMi2bhRgEXT3f4B92WTohopH6bIXw05FuGlmJEnv/omEn190+QYEIYxIAuIBdKgboYYdVved2p1AxZVQnaw==}

  loose-envify@1.4.0:
    resolution: {integrity: sha512-lyuxPGr/Wfhrlem2CL/UcnUc1zcqKAImBDzukY7Y5F/yQiNdko6+fRLevlw1HgMySw7f611UIY408EtxRSoK3Q==}
    hasBin: true

  react-dom@18.2.0:
    resolution: {integrity: sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==}
    peerDependencies:
      react: ^18.2.0

  react@18.2.0:
    resolution: {integrity: sha512-0}

  local-thing@file:packages/local:
    resolution: {directory: packages/local, type: directory}

snapshots:

  react-dom@18.2.0(react@18.2.0):
    dependencies:
      loose-envify: 1.4.0
      react: 18.2.0
"#;
        let out = run(&PnpmLock, "pnpm-lock.yaml", lock.as_bytes()).unwrap();
        assert_eq!(
            got(&out),
            [
                ("@types/react", "18.2.37", Some(true)),
                ("loose-envify", "1.4.0", Some(true)),
                ("react-dom", "18.2.0", Some(true)),
                ("react", "18.2.0", Some(true)),
            ]
        );
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:npm/%40types/react@18.2.37")
        );
    }

    #[test]
    fn reads_v6_and_v5_keys() {
        let v6 = "lockfileVersion: '6.0'\r\n\r\ndependencies:\r\n  express:\r\n    specifier: ^4.18.2\r\n    version: 4.18.2\r\n\r\n\
            packages:\r\n\r\n  /express@4.18.2:\r\n    resolution: {integrity: sha512-0}\r\n    dev: false\r\n\r\n\
            \x20 /@babel/core@7.23.2(supports-color@8.1.1):\r\n    resolution: {integrity: sha512-1}\r\n    dev: true\r\n";
        let out = run(&PnpmLock, "pnpm-lock.yaml", v6.as_bytes()).unwrap();
        assert_eq!(
            got(&out),
            [
                ("@babel/core", "7.23.2", Some(false)),
                ("express", "4.18.2", Some(true))
            ]
        );
        let v5 = "lockfileVersion: 5.4\n\nspecifiers:\n  '@babel/core': ^7.0.0\n\ndependencies:\n  '@babel/core': 7.23.2_supports-color@8.1.1\n\n\
            packages:\n\n  /@babel/core/7.23.2_supports-color@8.1.1:\n    resolution: {integrity: sha512-1}\n\n  /ms/2.1.2:\n    resolution: {integrity: sha512-2}\n    dev: false\n";
        let out = run(&PnpmLock, "pnpm-lock.yaml", v5.as_bytes()).unwrap();
        assert_eq!(
            got(&out),
            [
                ("@babel/core", "7.23.2", Some(true)),
                ("ms", "2.1.2", Some(false))
            ]
        );
    }

    #[test]
    fn hostile_yaml_is_an_error_not_a_hang() {
        // Billion laughs: each alias level multiplies the expansion by ten.
        let mut bomb =
            String::from("lockfileVersion: '9.0'\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = format!("*a{}", i - 1);
            let row = [prev.as_str(); 10].join(", ");
            bomb.push_str(&format!("a{i}: &a{i} [{row}]\n"));
        }
        bomb.push_str("packages: *a11\n");
        let e = run(&PnpmLock, "pnpm-lock.yaml", bomb.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("budget breached"), "{e}");
        let deep = format!(
            "lockfileVersion: '9.0'\nx: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let e = run(&PnpmLock, "pnpm-lock.yaml", deep.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("recursion limit"), "{e}");
    }

    #[test]
    fn broken_lockfiles_are_errors() {
        for bad in [
            "packages:\n  /a@1.0.0: {}\n",
            "lockfileVersion: [6]\n",
            "lockfileVersion: '9.0'\npackages: [1, 2]\n",
            "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a: {specifier: 1}\n",
            "lockfileVersion: '9.0'\npackages:\n  a@1.0.0: {resolution: {",
        ] {
            assert!(
                run(&PnpmLock, "pnpm-lock.yaml", bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
