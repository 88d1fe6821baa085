//! .NET packages of a built application (`*.deps.json`).

use std::collections::{BTreeMap, BTreeSet};

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Relationship, Scanner,
};
use serde::Deserialize;

use super::{json, own_package, package};

/// Reads the `libraries` of type `package`, marking what the application's projects
/// depend on as direct.
pub struct DotnetDeps;

#[derive(Deserialize)]
struct Deps {
    #[serde(default)]
    targets: BTreeMap<String, BTreeMap<String, Target>>,
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    dependencies: BTreeMap<String, String>,
}

#[derive(Deserialize)]
struct Library {
    r#type: String,
}

impl Analyzer for DotnetDeps {
    fn id(&self) -> &'static str {
        "dotnet-deps"
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::Suffix(".deps.json")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let deps: Deps = json(file, "deps.json")?;
        let projects: BTreeSet<&str> = deps
            .libraries
            .iter()
            .filter(|(_, l)| l.r#type == "project")
            .map(|(k, _)| k.as_str())
            .collect();
        let direct: BTreeSet<(&str, &str)> = deps
            .targets
            .values()
            .flat_map(|t| t.iter())
            .filter(|(k, _)| projects.contains(k.as_str()))
            .flat_map(|(_, t)| t.dependencies.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .collect();
        // The app is the project the file is named after (`MyApp.deps.json`); other
        // projects are the solution's libraries it references.
        let app = file
            .path
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".deps.json"));
        for key in &projects {
            let (name, version) = key.split_once('/').unwrap_or((key, ""));
            let relationship = if Some(name) == app {
                Relationship::Root
            } else {
                Relationship::Workspace
            };
            out.packages.push(own_package(
                Ecosystem::Nuget,
                name,
                version,
                self.id(),
                file.path,
                relationship,
            ));
        }
        for (key, lib) in &deps.libraries {
            // A self-contained app bundles the .NET runtime as a runtime pack
            // (`runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1`): runtime
            // advisories name that package, so it is inventory like any NuGet package.
            let runtime_pack = lib.r#type == "runtimepack";
            if lib.r#type != "package" && !runtime_pack {
                continue;
            }
            let (name, version) = key.split_once('/').ok_or_else(|| {
                AnalyzeError::new(format!("deps.json library `{key}` is not `name/version`"))
            })?;
            let name = if runtime_pack {
                name.strip_prefix("runtimepack.").unwrap_or(name)
            } else {
                name
            };
            let mut p = package(Ecosystem::Nuget, name, version, self.id(), file.path);
            p.direct = (!projects.is_empty()).then(|| direct.contains(&(name, version)));
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, own, run};

    #[test]
    fn wants_deps_json() {
        assert_wants(
            &DotnetDeps,
            &["app/MyApp.deps.json", "app/x.deps.json"],
            &["app/MyApp.runtimeconfig.json", "app/deps.json.bak"],
        );
    }

    #[test]
    fn issue_15_runtime_packs_of_self_contained_apps() {
        let deps = r#"{
  "targets": {
    ".NETCoreApp,Version=v8.0/linux-x64": {
      "MyApp/1.0.0": {"dependencies": {"Serilog": "3.1.1"}},
      "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1": {"runtime": {"System.Private.CoreLib.dll": {}}},
      "Serilog/3.1.1": {}
    }
  },
  "libraries": {
    "MyApp/1.0.0": {"type": "project"},
    "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.1": {"type": "runtimepack", "serviceable": false, "sha512": ""},
    "Serilog/3.1.1": {"type": "package", "serviceable": true}
  }
}"#;
        let out = run(&DotnetDeps, "app/MyApp.deps.json", deps.as_bytes()).unwrap();
        let got: Vec<(&str, &str, Option<bool>)> = out
            .packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("Serilog", "3.1.1", Some(true)),
                (
                    "Microsoft.NETCore.App.Runtime.linux-x64",
                    "8.0.1",
                    Some(false)
                ),
            ]
        );
        assert_eq!(
            out.packages.last().and_then(|p| p.purl.as_deref()),
            Some("pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.1")
        );
    }

    #[test]
    fn reads_package_libraries() {
        let deps = r#"{
  "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0", "signature": ""},
  "compilationOptions": {},
  "targets": {
    ".NETCoreApp,Version=v8.0": {
      "MyApp/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.3", "MyLib": "1.0.0"}, "runtime": {"MyApp.dll": {}}},
      "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {"assemblyVersion": "13.0.0.0"}}},
      "System.Text.Encodings.Web/4.7.2": {},
      "MyLib/1.0.0": {"dependencies": {"System.Text.Encodings.Web": "4.7.2"}}
    }
  },
  "libraries": {
    "MyApp/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
    "Newtonsoft.Json/13.0.3": {"type": "package", "serviceable": true, "sha512": "sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==", "path": "newtonsoft.json/13.0.3"},
    "System.Text.Encodings.Web/4.7.2": {"type": "package", "serviceable": true},
    "MyLib/1.0.0": {"type": "project"},
    "runtimepack.Microsoft.NETCore.App.Runtime.linux-x64/8.0.0": {"type": "runtimepack"}
  }
}"#;
        let out = run(&DotnetDeps, "app/MyApp.deps.json", deps.as_bytes()).unwrap();
        assert_eq!(
            own(&out),
            [("root", "MyApp", "1.0.0"), ("workspace", "MyLib", "1.0.0")]
        );
        let got: Vec<_> = out
            .packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        // MyLib is a project too, so what it references counts as declared by the app.
        assert_eq!(
            got,
            [
                ("Newtonsoft.Json", "13.0.3", Some(true)),
                ("System.Text.Encodings.Web", "4.7.2", Some(true)),
                (
                    "Microsoft.NETCore.App.Runtime.linux-x64",
                    "8.0.0",
                    Some(false)
                ),
            ]
        );
        assert_eq!(
            out.packages[2].purl.as_deref(),
            Some("pkg:nuget/Newtonsoft.Json@13.0.3")
        );
    }

    #[test]
    fn broken_files_are_errors() {
        for bad in [
            &br#"{"targets": {}}"#[..],
            br#"{"libraries": {"NoVersion": {"type": "package"}}}"#,
            br#"{"libraries": {"A/1": {"type": 1}}}"#,
            br#"{"libraries": "#,
        ] {
            assert!(
                run(&DotnetDeps, "a.deps.json", bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
