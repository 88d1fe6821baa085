//! The project's own manifests (`Cargo.toml`, `package.json`, `pyproject.toml`) and
//! their join to the lockfiles beside them, after the walk.
//!
//! A lockfile alone does not always say what the project is: `poetry.lock`, `pdm.lock`,
//! `pnpm-lock.yaml` and classic `yarn.lock` never name the root, `Cargo.lock` does not
//! tell the root crate from the other workspace members, and `Cargo.lock` and
//! `yarn.lock` record no dev flag. The manifest beside the lockfile does, but the two
//! are separate files (possibly in separate layers), so the [`ProjectManifests`]
//! analyzer records each manifest as a [`ProjectManifest`], the lockfile analyzers
//! record their dependency graph as a [`LockGraph`], and [`join`] puts them together
//! once every layer is stacked.
//!
//! A manifest belongs to the nearest lockfile of its ecosystem in its own directory or
//! above (a workspace member's `Cargo.toml` sits below the workspace's `Cargo.lock`). A
//! manifest with no lockfile is not an inventory and adds nothing.

use std::collections::BTreeMap;

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, LockGraph, Package, PathSpec,
    ProjectManifest, Purl, Relationship, Scanner,
};
use serde::Deserialize;

use super::{json, own_package, toml};

/// Records what `Cargo.toml`, `package.json` and `pyproject.toml` declare, for [`join`].
pub struct ProjectManifests;

/// The lockfile analyzers whose packages [`join`] completes, and the ecosystem of the
/// manifests that describe their projects.
const LOCKFILES: &[(&str, Ecosystem)] = &[
    ("cargo-lock", Ecosystem::Cargo),
    ("npm-lock", Ecosystem::Npm),
    ("pdm-lock", Ecosystem::Pypi),
    ("pnpm-lock", Ecosystem::Npm),
    ("poetry-lock", Ecosystem::Pypi),
    ("uv-lock", Ecosystem::Pypi),
    ("yarn-lock", Ecosystem::Npm),
];

impl Analyzer for ProjectManifests {
    fn id(&self) -> &'static str {
        "project-manifest"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::FileName("Cargo.toml"),
            PathSpec::FileName("package.json"),
            PathSpec::FileName("pyproject.toml"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        // Installed packages' manifests are node-installed's; they describe no project.
        if file.path.split('/').any(|c| c == "node_modules") {
            return Ok(());
        }
        let manifest = match manifest_ecosystem(file.path) {
            Some(Ecosystem::Cargo) => cargo(file)?,
            Some(Ecosystem::Npm) => npm(file)?,
            Some(Ecosystem::Pypi) => pyproject(file)?,
            _ => return Ok(()),
        };
        out.manifests.push(manifest);
        Ok(())
    }
}

fn manifest_ecosystem(path: &str) -> Option<Ecosystem> {
    match path.rsplit('/').next()? {
        "Cargo.toml" => Some(Ecosystem::Cargo),
        "package.json" => Some(Ecosystem::Npm),
        "pyproject.toml" => Some(Ecosystem::Pypi),
        _ => None,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoManifest {
    package: Option<CargoPackage>,
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(rename = "build-dependencies")]
    build_dependencies: BTreeMap<String, toml::Value>,
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, toml::Value>,
    target: BTreeMap<String, CargoTarget>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoTarget {
    dependencies: BTreeMap<String, toml::Value>,
    #[serde(rename = "build-dependencies")]
    build_dependencies: BTreeMap<String, toml::Value>,
    #[serde(rename = "dev-dependencies")]
    dev_dependencies: BTreeMap<String, toml::Value>,
}

#[derive(Deserialize)]
struct CargoPackage {
    name: String,
    /// A string, or `{ workspace = true }` inherited from the workspace.
    version: Option<toml::Value>,
}

/// The crate names of a dependency table: a renamed dependency
/// (`alias = { package = "real" }`) is locked under its real name.
fn crate_names<'a>(tables: impl Iterator<Item = &'a BTreeMap<String, toml::Value>>) -> Vec<String> {
    let mut names: Vec<String> = tables
        .flatten()
        .map(|(key, spec)| {
            spec.get("package")
                .and_then(toml::Value::as_str)
                .unwrap_or(key)
                .to_owned()
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

fn cargo(file: &FileInput<'_>) -> Result<ProjectManifest, AnalyzeError> {
    let m: CargoManifest = toml(file, "Cargo.toml")?;
    let targets = || m.target.values();
    Ok(ProjectManifest {
        path: file.path.to_owned(),
        name: m.package.as_ref().map(|p| p.name.clone()),
        version: m
            .package
            .as_ref()
            .and_then(|p| p.version.as_ref())
            .and_then(toml::Value::as_str)
            .map(str::to_owned),
        dependencies: crate_names(
            [&m.dependencies, &m.build_dependencies]
                .into_iter()
                .chain(targets().flat_map(|t| [&t.dependencies, &t.build_dependencies])),
        ),
        dev_dependencies: crate_names(
            [&m.dev_dependencies]
                .into_iter()
                .chain(targets().map(|t| &t.dev_dependencies)),
        ),
        // Cargo.lock lists the members itself.
        workspaces: Vec::new(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NpmManifest {
    name: Option<String>,
    version: Option<String>,
    dependencies: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(rename = "optionalDependencies")]
    optional_dependencies: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: BTreeMap<String, serde::de::IgnoredAny>,
    #[serde(rename = "devDependencies")]
    dev_dependencies: BTreeMap<String, serde::de::IgnoredAny>,
    workspaces: Option<Workspaces>,
}

/// `"workspaces": ["packages/*"]`, or Yarn's `{"packages": [...], "nohoist": [...]}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Workspaces {
    List(Vec<String>),
    Object {
        #[serde(default)]
        packages: Vec<String>,
    },
}

fn npm(file: &FileInput<'_>) -> Result<ProjectManifest, AnalyzeError> {
    let m: NpmManifest = json(file, "package.json")?;
    let names = |maps: &[&BTreeMap<String, serde::de::IgnoredAny>]| {
        let mut v: Vec<String> = maps.iter().flat_map(|m| m.keys().cloned()).collect();
        v.sort();
        v.dedup();
        v
    };
    Ok(ProjectManifest {
        path: file.path.to_owned(),
        name: m.name.filter(|n| !n.is_empty()),
        version: m.version.filter(|v| !v.is_empty()),
        dependencies: names(&[
            &m.dependencies,
            &m.optional_dependencies,
            &m.peer_dependencies,
        ]),
        dev_dependencies: names(&[&m.dev_dependencies]),
        workspaces: match m.workspaces {
            Some(Workspaces::List(globs) | Workspaces::Object { packages: globs }) => globs,
            None => Vec::new(),
        },
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Pyproject {
    project: Option<NameVersion>,
    tool: PyTools,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PyTools {
    poetry: Option<NameVersion>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NameVersion {
    name: Option<String>,
    version: Option<String>,
}

fn pyproject(file: &FileInput<'_>) -> Result<ProjectManifest, AnalyzeError> {
    let m: Pyproject = toml(file, "pyproject.toml")?;
    // PEP 621's `[project]` first; Poetry before 2.0 kept the same in `[tool.poetry]`.
    let project = m.project.unwrap_or_default();
    let poetry = m.tool.poetry.unwrap_or_default();
    Ok(ProjectManifest {
        path: file.path.to_owned(),
        name: project.name.or(poetry.name),
        version: project.version.or(poetry.version),
        // The lockfiles beside a pyproject.toml record dev groups and members themselves.
        dependencies: Vec::new(),
        dev_dependencies: Vec::new(),
        workspaces: Vec::new(),
    })
}

/// Whether a package is matched against advisories. The project's own packages from a
/// source tree are the code under scan: they name no published release, and an
/// advisory for a registry package of the same name would be about someone else's
/// code. A binary's root (a Go main module, a cargo-auditable root crate) is a
/// release that advisories do name (`github.com/anchore/syft` for a syft binary), so
/// it is matched, as Trivy matches Go main modules.
///
/// A package without a version is never matched: nothing can be compared, and the
/// analyzer that reported it says so (a note) or it is a project's own package.
pub fn is_vulnerability_matched(p: &Package) -> bool {
    !p.version.is_empty()
        && (p.relationship.is_none()
            || [super::go_binary::ID, super::cargo_auditable::ID].contains(&p.found_by.as_str()))
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether `dir` is `ancestor` or below it.
fn is_within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Completes the lockfiles' packages with what the manifests beside them say: the root
/// package where the lockfile does not name it, and the dev flag where the lockfile
/// records none (a package only the projects' dev-dependencies reach, transitively).
pub fn join(packages: &mut Vec<Package>, manifests: &[ProjectManifest], graphs: &[LockGraph]) {
    if manifests.is_empty() {
        return;
    }
    // Every lockfile of the stacked inventory, by path, with its ecosystem.
    let mut locks: BTreeMap<String, Ecosystem> = BTreeMap::new();
    for p in packages.iter() {
        if let (Some(path), Some((_, eco))) = (
            p.location.path.as_deref(),
            LOCKFILES.iter().find(|(id, _)| *id == p.found_by),
        ) {
            locks.entry(path.to_owned()).or_insert(*eco);
        }
    }
    // A lockfile that locks nothing (a workspace of local packages only) still has a
    // project; its graph says where it is.
    for g in graphs {
        let eco = match g.path.rsplit('/').next() {
            Some("Cargo.lock") => Ecosystem::Cargo,
            _ => Ecosystem::Npm,
        };
        locks.entry(g.path.clone()).or_insert(eco);
    }
    // Each manifest goes to the nearest lockfile of its ecosystem at or above it.
    let mut owned: BTreeMap<&str, Vec<&ProjectManifest>> = BTreeMap::new();
    for m in manifests {
        let (Some(eco), dir) = (manifest_ecosystem(&m.path), parent(&m.path)) else {
            continue;
        };
        let candidates = || {
            locks
                .iter()
                .filter(move |(path, e)| **e == eco && is_within(dir, parent(path)))
        };
        // Two lockfiles side by side (`package-lock.json` and `yarn.lock`) share it.
        let Some(nearest) = candidates().map(|(path, _)| parent(path).len()).max() else {
            continue;
        };
        for (path, _) in candidates().filter(|(path, _)| parent(path).len() == nearest) {
            owned.entry(path.as_str()).or_default().push(m);
        }
    }
    for (lock, eco) in &locks {
        let Some(ms) = owned.get(lock.as_str()) else {
            continue;
        };
        let root = ms.iter().find(|m| parent(&m.path) == parent(lock));
        if let Some(root) = root {
            add_root(packages, lock, *eco, root);
        }
        let lock_graphs = graphs.iter().filter(|g| &g.path == lock);
        let mut member_dirs: Vec<&str> = root.map_or(Vec::new(), |r| {
            r.workspaces.iter().map(String::as_str).collect()
        });
        for graph in lock_graphs.clone() {
            member_dirs.extend(graph.workspace_dirs.iter().map(String::as_str));
        }
        add_members(packages, lock, *eco, ms, &member_dirs);
        if let Some(graph) = lock_graphs.into_iter().find(|g| !g.nodes.is_empty()) {
            mark_dev(packages, graph, ms, root.copied());
        }
    }
}

fn add_root(packages: &mut Vec<Package>, lock: &str, eco: Ecosystem, root: &ProjectManifest) {
    let Some(name) = root.name.as_deref() else {
        return;
    };
    let of_lock = |p: &Package| p.location.path.as_deref() == Some(lock);
    if let Some(existing) = packages
        .iter_mut()
        .find(|p| of_lock(p) && p.relationship == Some(Relationship::Root))
    {
        // Berry writes `0.0.0-use.local` for its workspaces; the manifest has the version.
        if existing.version.is_empty()
            && let Some(version) = &root.version
        {
            existing.version = version.clone();
            existing.purl = Some(Purl::for_package(eco, &existing.name, version).to_string());
        }
        return;
    }
    let key = eco.normalise_name(name);
    // Cargo.lock lists every member alike; the manifest beside it says which is the root.
    if let Some(member) = packages.iter_mut().filter(|p| of_lock(p)).find(|p| {
        p.relationship == Some(Relationship::Workspace) && eco.normalise_name(&p.name) == key
    }) {
        member.relationship = Some(Relationship::Root);
        return;
    }
    packages.push(own_package(
        eco,
        name,
        root.version.as_deref().unwrap_or_default(),
        ProjectManifests.id(),
        &root.path,
        Relationship::Root,
    ));
}

/// Adds the workspace members the lockfile does not list itself (pnpm importers, classic
/// yarn workspaces): the manifests in the directories the root's `workspaces` globs or
/// the lock's importers name.
fn add_members(
    packages: &mut Vec<Package>,
    lock: &str,
    eco: Ecosystem,
    manifests: &[&ProjectManifest],
    member_dirs: &[&str],
) {
    if member_dirs.is_empty() {
        return;
    }
    let base = parent(lock);
    for m in manifests {
        let Some(name) = m.name.as_deref() else {
            continue;
        };
        let dir = parent(&m.path);
        let Some(rel) = (if base.is_empty() {
            Some(dir)
        } else {
            dir.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
        }) else {
            continue;
        };
        if rel.is_empty() || !member_dirs.iter().any(|g| glob_matches(g, rel)) {
            continue;
        }
        let key = eco.normalise_name(name);
        let known = packages.iter().any(|p| {
            p.location.path.as_deref() == Some(lock)
                && p.relationship.is_some()
                && eco.normalise_name(&p.name) == key
        });
        if !known {
            packages.push(own_package(
                eco,
                name,
                m.version.as_deref().unwrap_or_default(),
                ProjectManifests.id(),
                &m.path,
                Relationship::Workspace,
            ));
        }
    }
}

/// Whether the relative directory `dir` matches a workspace glob as npm, Yarn and pnpm
/// write them: `/`-separated segments where `*` matches within one segment and `**` any
/// number of segments (a leading `./` and a trailing `/` are ignored). Hand-written:
/// these globs are a handful per project, and globset would be a new dependency of the
/// library for this alone. Both levels run in time linear in the product of the sizes
/// (a table over segments, greedy star matching within one), so a hostile glob full of
/// stars cannot make it backtrack exponentially.
fn glob_matches(glob: &str, dir: &str) -> bool {
    let glob = glob.trim_start_matches("./").trim_end_matches('/');
    let g: Vec<&str> = glob.split('/').filter(|s| !s.is_empty()).collect();
    let d: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    // matches[j]: the glob's segments so far match the first `j` of the directory's.
    let mut matches = vec![false; d.len() + 1];
    matches[0] = true;
    for seg in &g {
        let mut next = vec![false; d.len() + 1];
        for j in 0..=d.len() {
            next[j] = if *seg == "**" {
                matches[j] || (j > 0 && next[j - 1])
            } else {
                j > 0 && matches[j - 1] && segment_matches(seg, d[j - 1])
            };
        }
        matches = next;
    }
    matches[d.len()]
}

/// `*` wildcards within one path segment, matched greedily with one backtrack point.
fn segment_matches(glob: &str, s: &str) -> bool {
    let (g, s): (Vec<char>, Vec<char>) = (glob.chars().collect(), s.chars().collect());
    let (mut gi, mut si) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        if gi < g.len() && g[gi] == '*' {
            star = Some((gi, si));
            gi += 1;
        } else if gi < g.len() && g[gi] == s[si] {
            gi += 1;
            si += 1;
        } else if let Some((sg, ss)) = star {
            gi = sg + 1;
            si = ss + 1;
            star = Some((sg, ss + 1));
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

/// Marks as dev the lockfile's packages that only development needs: those reached
/// from a member's dev-only dependencies and not from what any member needs to run. A
/// member's lock edges mix every kind of dependency, so its manifest splits them; a
/// member without a manifest counts wholly as needed. A lockfile without members
/// (classic yarn) takes the root manifest's declarations as the one member's.
fn mark_dev(
    packages: &mut [Package],
    graph: &LockGraph,
    manifests: &[&ProjectManifest],
    root: Option<&ProjectManifest>,
) {
    let nodes = &graph.nodes;
    let manifest_of = |i: usize| {
        manifests
            .iter()
            .find(|m| m.name.as_deref() == Some(nodes[i].name.as_str()))
            .copied()
    };
    let dev_only = |m: &ProjectManifest, name: &str| {
        m.dev_dependencies.iter().any(|d| d == name) && !m.dependencies.iter().any(|d| d == name)
    };
    // The edges a node's install follows: a member's dev-only ones are left out.
    let needed = |i: usize| -> Vec<usize> {
        match manifest_of(i).filter(|_| nodes[i].member) {
            Some(m) => nodes[i]
                .dependencies
                .iter()
                .copied()
                .filter(|&j| nodes.get(j).is_some_and(|n| !dev_only(m, &n.name)))
                .collect(),
            None => nodes[i].dependencies.clone(),
        }
    };
    let members: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].member).collect();
    let (normal_seeds, dev_seeds): (Vec<usize>, Vec<usize>) = if members.is_empty() {
        let Some(root) = root else {
            return;
        };
        let named = |names: &[String], skip: &dyn Fn(&str) -> bool| -> Vec<usize> {
            (0..nodes.len())
                .filter(|&i| names.contains(&nodes[i].name) && !skip(&nodes[i].name))
                .collect()
        };
        (
            named(&root.dependencies, &|_| false),
            named(&root.dev_dependencies, &|n| !dev_only(root, n)),
        )
    } else {
        let dev = members
            .iter()
            .filter_map(|&i| manifest_of(i).map(|m| (i, m)))
            .flat_map(|(i, m)| {
                nodes[i]
                    .dependencies
                    .iter()
                    .copied()
                    .filter(move |&j| nodes.get(j).is_some_and(|n| dev_only(m, &n.name)))
            })
            .collect();
        (members.clone(), dev)
    };
    if dev_seeds.is_empty() {
        return;
    }
    let reach = |seeds: Vec<usize>| {
        let mut seen = vec![false; nodes.len()];
        let mut stack = seeds;
        while let Some(i) = stack.pop() {
            if i < nodes.len() && !seen[i] {
                seen[i] = true;
                stack.extend(needed(i));
            }
        }
        seen
    };
    let normal = reach(normal_seeds);
    let dev = reach(dev_seeds);
    let dev_keys: Vec<(&str, &str)> = (0..nodes.len())
        .filter(|&i| dev[i] && !normal[i] && !nodes[i].member)
        .map(|i| (nodes[i].name.as_str(), nodes[i].version.as_str()))
        .collect();
    for p in packages
        .iter_mut()
        .filter(|p| p.location.path.as_deref() == Some(graph.path.as_str()))
    {
        if p.relationship.is_none() && dev_keys.contains(&(p.name.as_str(), p.version.as_str())) {
            p.dev = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, run};

    #[test]
    fn wants_project_manifests() {
        assert_wants(
            &ProjectManifests,
            &["Cargo.toml", "app/package.json", "svc/pyproject.toml"],
            &["Cargo.lock", "app/package-lock.json", "setup.py"],
        );
    }

    #[test]
    fn reads_cargo_manifest_kinds_and_renames() {
        let toml = r#"
[package]
name = "app"
version = "0.3.0"

[dependencies]
serde = "1"
rng = { package = "rand", version = "0.8" }

[build-dependencies]
cc = "1"

[dev-dependencies]
proptest = "1"
serde = "1"

[target.'cfg(unix)'.dev-dependencies]
tempfile = "3"
"#;
        let out = run(&ProjectManifests, "Cargo.toml", toml.as_bytes()).unwrap();
        let m = &out.manifests[0];
        assert_eq!(m.name.as_deref(), Some("app"));
        assert_eq!(m.version.as_deref(), Some("0.3.0"));
        assert_eq!(m.dependencies, ["cc", "rand", "serde"]);
        assert_eq!(m.dev_dependencies, ["proptest", "serde", "tempfile"]);
    }

    #[test]
    fn installed_package_json_is_not_a_project() {
        let out = run(
            &ProjectManifests,
            "app/node_modules/a/package.json",
            br#"{"name":"a","version":"1.0.0"}"#,
        )
        .unwrap();
        assert!(out.manifests.is_empty());
    }

    /// Runs the lockfile and manifest analyzers on `files` and joins them, as the scan
    /// does after the walk.
    fn scan(files: &[(&str, &str)]) -> Vec<Package> {
        let mut out = AnalysisOutput::default();
        for (path, content) in files {
            for a in crate::ANALYZERS {
                if crate::lang::testing::wants(*a, path) && !path.contains("node_modules") {
                    out.extend(run(*a, path, content.as_bytes()).unwrap());
                }
            }
        }
        join(&mut out.packages, &out.manifests, &out.lock_graphs);
        out.packages
    }

    fn summary(packages: &[Package]) -> Vec<String> {
        let mut v: Vec<String> = packages
            .iter()
            .map(|p| {
                format!(
                    "{} {} {}{}",
                    p.relationship.map_or("dep", Relationship::as_str),
                    p.name,
                    p.version,
                    if p.dev { " dev" } else { "" }
                )
            })
            .collect();
        v.sort();
        v
    }

    const CARGO_LOCK: &str = r#"version = 4

[[package]]
name = "app"
version = "0.2.0"
dependencies = ["serde", "util", "proptest", "cc"]

[[package]]
name = "util"
version = "0.1.0"
dependencies = ["serde", "tempfile"]

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "proptest"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
dependencies = ["rand"]

[[package]]
name = "rand"
version = "0.8.5"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "tempfile"
version = "3.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "cc"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn issue_15_cargo_root_workspace_and_dev_dependencies_from_the_manifests() {
        let packages = scan(&[
            ("Cargo.lock", CARGO_LOCK),
            (
                "Cargo.toml",
                "[workspace]\nmembers = [\"util\"]\n[package]\nname = \"app\"\nversion = \"0.2.0\"\n\
                 [dependencies]\nutil = { path = \"util\" }\n\
                 [dev-dependencies]\nproptest = \"1\"\nserde = \"1\"\n\
                 [build-dependencies]\ncc = \"1\"\n",
            ),
            (
                "util/Cargo.toml",
                "[package]\nname = \"util\"\nversion = \"0.1.0\"\n[dependencies]\nserde = \"1\"\n\
                 [dev-dependencies]\ntempfile = \"3\"\n",
            ),
        ]);
        // serde is both a dev- and a normal dependency (of util): not dev. rand only
        // proptest needs: dev, transitively.
        assert_eq!(
            summary(&packages),
            [
                "dep cc 1.0.0",
                "dep proptest 1.0.0 dev",
                "dep rand 0.8.5 dev",
                "dep serde 1.0.0",
                "dep tempfile 3.0.0 dev",
                "root app 0.2.0",
                "workspace util 0.1.0",
            ]
        );
    }

    #[test]
    fn cargo_lock_without_manifests_marks_nothing_dev() {
        let packages = scan(&[("Cargo.lock", CARGO_LOCK)]);
        assert!(packages.iter().all(|p| !p.dev));
        assert!(
            packages
                .iter()
                .all(|p| p.relationship != Some(Relationship::Root))
        );
    }

    const CLASSIC: &str = r#"# yarn lockfile v1

express@^4.18.0:
  version "4.18.2"
  dependencies:
    debug "2.6.9"

debug@2.6.9:
  version "2.6.9"
  dependencies:
    ms "2.0.0"

ms@2.0.0:
  version "2.0.0"

jest@^29.0.0:
  version "29.7.0"
  dependencies:
    "@jest/core" "^29.7.0"
    ms "2.0.0"

"@jest/core@^29.7.0":
  version "29.7.0"
"#;

    #[test]
    fn issue_15_yarn_classic_dev_dependencies_and_root_from_package_json() {
        let packages = scan(&[
            ("web/yarn.lock", CLASSIC),
            (
                "web/package.json",
                r#"{"name":"web","version":"2.0.0","dependencies":{"express":"^4.18.0"},"devDependencies":{"jest":"^29.0.0"}}"#,
            ),
        ]);
        // ms is needed by express (through debug) and by jest: production.
        assert_eq!(
            summary(&packages),
            [
                "dep @jest/core 29.7.0 dev",
                "dep debug 2.6.9",
                "dep express 4.18.2",
                "dep jest 29.7.0 dev",
                "dep ms 2.0.0",
                "root web 2.0.0",
            ]
        );
        let root = packages.iter().find(|p| p.relationship.is_some()).unwrap();
        assert_eq!(root.location.path.as_deref(), Some("web/package.json"));
        assert!(!is_vulnerability_matched(root));
    }

    #[test]
    fn issue_15_yarn_berry_workspaces_and_dev_dependencies() {
        let lock = r#"__metadata:
  version: 8

"shop@workspace:.":
  version: 0.0.0-use.local
  resolution: "shop@workspace:."
  dependencies:
    lodash: "npm:^4.17.21"
    typescript: "npm:^5.0.0"
    ui: "workspace:packages/ui"

"ui@workspace:packages/ui":
  version: 0.0.0-use.local
  resolution: "ui@workspace:packages/ui"
  dependencies:
    left-pad: ^1.3.0

"lodash@npm:^4.17.21":
  version: 4.17.21
  resolution: "lodash@npm:4.17.21"

"typescript@npm:^5.0.0":
  version: 5.4.5
  resolution: "typescript@npm:5.4.5"

"left-pad@npm:^1.3.0":
  version: 1.3.0
  resolution: "left-pad@npm:1.3.0"
"#;
        let packages = scan(&[
            ("yarn.lock", lock),
            (
                "package.json",
                r#"{"name":"shop","version":"3.1.0","workspaces":["packages/*"],"dependencies":{"lodash":"^4.17.21","ui":"workspace:*"},"devDependencies":{"typescript":"^5.0.0"}}"#,
            ),
            (
                "packages/ui/package.json",
                r#"{"name":"ui","dependencies":{"left-pad":"^1.3.0"}}"#,
            ),
        ]);
        assert_eq!(
            summary(&packages),
            [
                "dep left-pad 1.3.0",
                "dep lodash 4.17.21",
                "dep typescript 5.4.5 dev",
                "root shop 3.1.0",
                "workspace ui ",
            ]
        );
    }

    #[test]
    fn poetry_and_pnpm_roots_come_from_the_manifest_beside_the_lock() {
        let packages = scan(&[
            (
                "py/poetry.lock",
                "[[package]]\nname = \"requests\"\nversion = \"2.32.0\"\n",
            ),
            (
                "py/pyproject.toml",
                "[tool.poetry]\nname = \"svc\"\nversion = \"0.4.0\"\n",
            ),
            (
                "js/pnpm-lock.yaml",
                "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\nsnapshots:\n  a@1.0.0: {}\n",
            ),
            ("js/package.json", r#"{"name":"front"}"#),
            // A manifest with no lockfile is no inventory.
            ("lone/package.json", r#"{"name":"lone","version":"1.0.0"}"#),
            // A classic yarn.lock of a workspace of local packages only locks nothing.
            ("empty/yarn.lock", "# yarn lockfile v1\n\n\n"),
            (
                "empty/package.json",
                r#"{"name":"locals","version":"0.1.0"}"#,
            ),
        ]);
        assert_eq!(
            summary(&packages),
            [
                "dep a 1.0.0",
                "dep requests 2.32.0",
                "root front ",
                "root locals 0.1.0",
                "root svc 0.4.0",
            ]
        );
    }

    #[test]
    fn issue_15_pnpm_and_classic_yarn_workspace_members_from_their_manifests() {
        let pnpm = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      a:\n        specifier: ^1.0.0\n        version: 1.0.0\n  packages/ui: {}\npackages:\n  a@1.0.0:\n    resolution: {integrity: sha512-x}\nsnapshots:\n  a@1.0.0: {}\n";
        let packages = scan(&[
            ("pn/pnpm-lock.yaml", pnpm),
            ("pn/package.json", r#"{"name":"mono","version":"1.0.0"}"#),
            (
                "pn/packages/ui/package.json",
                r#"{"name":"@mono/ui","version":"0.2.0"}"#,
            ),
            // Not an importer: an example inside the tree is no member.
            ("pn/examples/demo/package.json", r#"{"name":"demo"}"#),
            ("y/yarn.lock", CLASSIC),
            (
                "y/package.json",
                r#"{"name":"web","private":true,"workspaces":{"packages":["apps/*"]}}"#,
            ),
            (
                "y/apps/site/package.json",
                r#"{"name":"site","version":"0.0.1"}"#,
            ),
            ("y/tools/package.json", r#"{"name":"tools"}"#),
            // npm's lockfile beside yarn's: each gets the root.
            (
                "y/package-lock.json",
                r#"{"lockfileVersion":3,"packages":{"":{"name":"web"}}}"#,
            ),
        ]);
        let own: Vec<String> = summary(&packages)
            .into_iter()
            .filter(|s| !s.starts_with("dep "))
            .collect();
        assert_eq!(
            own,
            [
                "root mono 1.0.0",
                "root web ",
                "root web ",
                "workspace @mono/ui 0.2.0",
                "workspace site 0.0.1",
                "workspace site 0.0.1",
            ]
        );
    }

    #[test]
    fn workspace_globs() {
        for (glob, dir, want) in [
            ("packages/*", "packages/ui", true),
            ("./packages/*/", "packages/ui", true),
            ("packages/*", "packages/ui/x", false),
            ("packages/**", "packages/ui/x", true),
            ("**", "a/b", true),
            ("apps/web-*", "apps/web-admin", true),
            ("apps/web-*", "apps/api", false),
            ("tools", "tools", true),
            ("**/x/**", "a/x/b/c", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXbY", false),
            ("*", "", false),
        ] {
            assert_eq!(glob_matches(glob, dir), want, "{glob} {dir}");
        }
        // Stars that would backtrack exponentially in a recursive matcher.
        let hostile = format!("{}b", "*a".repeat(40));
        assert!(!glob_matches(&hostile, &"a".repeat(200)));
        let deep = "**/".repeat(40) + "z";
        assert!(!glob_matches(&deep, &"d/".repeat(60)));
    }

    #[test]
    fn bad_manifest_is_an_error() {
        let err = run(&ProjectManifests, "package.json", b"{").unwrap_err();
        assert!(err.to_string().contains("invalid package.json"), "{err}");
    }
}
