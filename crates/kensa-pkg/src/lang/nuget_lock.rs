//! .NET packages locked by NuGet (`packages.lock.json`).

use std::collections::BTreeMap;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{json, package};

/// Reads every target framework of `packages.lock.json`; `Direct` entries are direct.
pub struct NugetLock;

#[derive(Deserialize)]
struct Lock {
    dependencies: BTreeMap<String, BTreeMap<String, Entry>>,
}

#[derive(Deserialize)]
struct Entry {
    r#type: String,
    resolved: Option<String>,
}

impl Analyzer for NugetLock {
    fn id(&self) -> &'static str {
        "nuget-lock"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("packages.lock.json")]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let lock: Lock = json(file, "packages.lock.json")?;
        // The same package appears once per target framework; it is direct if any
        // framework says so.
        let mut found: BTreeMap<(&str, &str), bool> = BTreeMap::new();
        for (name, e) in lock.dependencies.values().flatten() {
            // `Project` entries are other projects of the same solution.
            if e.r#type == "Project" {
                continue;
            }
            let Some(version) = e.resolved.as_deref() else {
                return Err(AnalyzeError::new(format!(
                    "packages.lock.json entry `{name}` has no `resolved` version"
                )));
            };
            *found.entry((name, version)).or_default() |= e.r#type == "Direct";
        }
        for ((name, version), direct) in found {
            let mut p = package(Ecosystem::Nuget, name, version, self.id(), file.path);
            p.direct = Some(direct);
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, run};

    #[test]
    fn wants_packages_lock() {
        assert_wants(
            &NugetLock,
            &["packages.lock.json", "src/App/packages.lock.json"],
            &["src/App/packages.config"],
        );
    }

    #[test]
    fn reads_all_frameworks() {
        let lock = "\u{feff}{\r\n  \"version\": 1,\r\n  \"dependencies\": {\r\n    \"net6.0\": {\r\n\
            \"Serilog\": {\"type\": \"Direct\", \"requested\": \"[3.0.1, )\", \"resolved\": \"3.0.1\", \"contentHash\": \"x\"},\r\n\
            \"System.Memory\": {\"type\": \"Transitive\", \"resolved\": \"4.5.5\"},\r\n\
            \"MyLib\": {\"type\": \"Project\", \"dependencies\": {\"Serilog\": \"[3.0.1, )\"}}\r\n    },\r\n\
            \"net8.0\": {\r\n\
            \"Serilog\": {\"type\": \"Direct\", \"resolved\": \"3.0.1\"},\r\n\
            \"System.Memory\": {\"type\": \"CentralTransitive\", \"resolved\": \"4.5.5\"}\r\n    }\r\n  }\r\n}\r\n";
        let out = run(&NugetLock, "src/App/packages.lock.json", lock.as_bytes()).unwrap();
        let got: Vec<_> = out
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("Serilog", "3.0.1", Some(true)),
                ("System.Memory", "4.5.5", Some(false))
            ]
        );
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:nuget/Serilog@3.0.1")
        );
    }

    #[test]
    fn broken_locks_are_errors() {
        for bad in [
            &br#"{"version": 1}"#[..],
            br#"{"dependencies": {"net6.0": {"A": {"type": "Direct"}}}}"#,
            br#"{"dependencies": {"net6.0": []}}"#,
            br#"{"dependencies": {"net6.0": {"A": {"type": "Direct", "resolved": 1}}}}"#,
        ] {
            assert!(
                run(&NugetLock, "packages.lock.json", bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
