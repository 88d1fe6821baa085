//! Python packages locked by uv (`uv.lock`).

use std::collections::BTreeSet;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{package, toml};

/// Reads the `[[package]]` tables of `uv.lock`, marking what the workspace members
/// depend on as direct.
pub struct UvLock;

#[derive(Deserialize)]
struct Lock {
    #[serde(default)]
    package: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    /// Absent for dynamic-version workspace members.
    version: Option<String>,
    #[serde(default)]
    source: Source,
    #[serde(default)]
    dependencies: Vec<Dep>,
    #[serde(default, rename = "optional-dependencies")]
    optional: std::collections::BTreeMap<String, Vec<Dep>>,
    #[serde(default, rename = "dev-dependencies")]
    dev: std::collections::BTreeMap<String, Vec<Dep>>,
}

#[derive(Deserialize, Default)]
struct Source {
    editable: Option<String>,
    r#virtual: Option<String>,
}

#[derive(Deserialize)]
struct Dep {
    name: String,
}

impl Analyzer for UvLock {
    fn id(&self) -> &'static str {
        "uv-lock"
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("uv.lock")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let lock: Lock = toml(file, "uv.lock")?;
        // Workspace members are the packages uv installs from the project itself
        // (editable or virtual sources).
        let is_member = |e: &Entry| e.source.editable.is_some() || e.source.r#virtual.is_some();
        let direct: BTreeSet<String> = lock
            .package
            .iter()
            .filter(|e| is_member(e))
            .flat_map(|e| {
                e.dependencies
                    .iter()
                    .chain(e.optional.values().flatten())
                    .chain(e.dev.values().flatten())
            })
            .map(|d| kensa_core::pep503(&d.name))
            .collect();
        let has_members = lock.package.iter().any(is_member);
        let production = production_closure(&lock.package, is_member);
        for e in lock.package.iter().filter(|e| is_member(e)) {
            let at_root = [&e.source.editable, &e.source.r#virtual]
                .into_iter()
                .flatten()
                .any(|dir| dir == ".");
            out.packages.push(super::own_package(
                Ecosystem::Pypi,
                &e.name,
                e.version.as_deref().unwrap_or_default(),
                self.id(),
                file.path,
                if at_root {
                    kensa_core::Relationship::Root
                } else {
                    kensa_core::Relationship::Workspace
                },
            ));
        }
        for e in lock.package.iter().filter(|e| !is_member(e)) {
            let Some(version) = e.version.as_deref() else {
                continue;
            };
            let mut p = package(Ecosystem::Pypi, &e.name, version, self.id(), file.path);
            let key = kensa_core::pep503(&e.name);
            p.direct = has_members.then(|| direct.contains(&key));
            p.dev = has_members && !production.contains(&key);
            out.packages.push(p);
        }
        Ok(())
    }
}

/// The normalised names of every package the members need outside their dev groups:
/// their dependencies and extras, and everything those depend on (a package's own
/// dev-dependencies are never installed for it).
fn production_closure(packages: &[Entry], is_member: impl Fn(&Entry) -> bool) -> BTreeSet<String> {
    let by_name: std::collections::BTreeMap<String, &Entry> = packages
        .iter()
        .map(|e| (kensa_core::pep503(&e.name), e))
        .collect();
    let mut todo: Vec<String> = packages
        .iter()
        .filter(|e| is_member(e))
        .flat_map(|e| e.dependencies.iter().chain(e.optional.values().flatten()))
        .map(|d| kensa_core::pep503(&d.name))
        .collect();
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(e) = by_name.get(&name) {
            todo.extend(
                e.dependencies
                    .iter()
                    .chain(e.optional.values().flatten())
                    .map(|d| kensa_core::pep503(&d.name)),
            );
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, run};

    #[test]
    fn wants_uv_lock() {
        assert_wants(
            &UvLock,
            &["uv.lock", "app/uv.lock"],
            &["app/uv.toml", "app/uv.lock.orig"],
        );
    }

    #[test]
    fn marks_members_dependencies_direct() {
        let lock = r#"version = 1
requires-python = ">=3.12"

[[package]]
name = "anyio"
version = "4.4.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "idna" },
    { name = "sniffio" },
]
sdist = { url = "https://files.pythonhosted.org/anyio-4.4.0.tar.gz", hash = "sha256:0", size = 1 }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "myapp"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "anyio" },
]

[package.optional-dependencies]
fast = [{ name = "Sniffio" }]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[[package]]
name = "pytest"
version = "8.2.2"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "sniffio"
version = "1.3.1"
source = { registry = "https://pypi.org/simple" }
"#;
        let out = run(&UvLock, "app/uv.lock", lock.as_bytes()).unwrap();
        assert_eq!(
            crate::lang::testing::own(&out),
            [("root", "myapp", "0.1.0")]
        );
        let got: Vec<_> = out
            .packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("anyio", "4.4.0", Some(true)),
                ("idna", "3.7", Some(false)),
                ("pytest", "8.2.2", Some(true)),
                ("sniffio", "1.3.1", Some(true)),
            ]
        );
        assert_eq!(crate::lang::testing::dev_names(&out), ["pytest"]);
    }

    #[test]
    fn broken_lock_is_an_error() {
        assert!(run(&UvLock, "uv.lock", b"[[package]]\nversion = \"1\"\n").is_err());
        assert!(
            run(
                &UvLock,
                "uv.lock",
                b"[[package]]\nname = \"a\"\nsource = 1\n"
            )
            .is_err()
        );
        assert!(run(&UvLock, "uv.lock", b"\"unterminated").is_err());
    }
}
