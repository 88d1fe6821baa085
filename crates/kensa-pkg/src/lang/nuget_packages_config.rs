//! NuGet packages of .NET Framework projects (`packages.config`).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{package, text};

/// Reads the `<package id="…" version="…"/>` elements of `packages.config`, the
/// pre-PackageReference format: every package the project restores, so all are
/// direct, and `developmentDependency="true"` marks the build-time ones as dev.
pub struct NugetPackagesConfig;

impl Analyzer for NugetPackagesConfig {
    fn id(&self) -> &'static str {
        "nuget-packages-config"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("packages.config")]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        // roxmltree refuses DTDs by default, so no entity can expand.
        let doc = roxmltree::Document::parse(text(file)?)
            .map_err(|e| AnalyzeError::new(format!("invalid packages.config: {e}")))?;
        let root = doc.root_element();
        if root.tag_name().name() != "packages" {
            return Err(AnalyzeError::new(format!(
                "packages.config root element is `{}`, not `packages`",
                root.tag_name().name()
            )));
        }
        for node in root.children().filter(|n| n.has_tag_name("package")) {
            let line = doc.text_pos_at(node.range().start).row;
            let attr = |name: &str| {
                node.attribute(name)
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
            };
            let (Some(id), Some(version)) = (attr("id"), attr("version")) else {
                return Err(AnalyzeError::new(format!(
                    "packages.config line {line}: `<package>` without `id` and `version`"
                )));
            };
            let mut p = package(Ecosystem::Nuget, id, version, self.id(), file.path);
            p.direct = Some(true);
            p.dev = attr("developmentDependency").is_some_and(|v| v.eq_ignore_ascii_case("true"));
            p.location.line = Some(line);
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
    fn wants_packages_config() {
        assert_wants(
            &NugetPackagesConfig,
            &["packages.config", "src/App/packages.config"],
            &["src/App/packages.config.bak", "src/App/App.csproj"],
        );
    }

    /// See: issues/15.
    #[test]
    fn issue_15_reads_packages_config() {
        let config = "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\r\n<packages>\r\n  \
            <!-- restored by nuget.exe -->\r\n  \
            <package id=\"Newtonsoft.Json\" version=\"13.0.1\" targetFramework=\"net472\" />\r\n  \
            <package id=\"Microsoft.Net.Compilers\" version=\"4.2.0\" targetFramework=\"net472\" developmentDependency=\"true\" />\r\n\
            </packages>\r\n";
        let out = run(
            &NugetPackagesConfig,
            "src/App/packages.config",
            config.as_bytes(),
        )
        .unwrap();
        assert_eq!(
            nv(&out),
            [
                ("Newtonsoft.Json".into(), "13.0.1".into()),
                ("Microsoft.Net.Compilers".into(), "4.2.0".into()),
            ]
        );
        assert_eq!(dev_names(&out), ["Microsoft.Net.Compilers"]);
        assert_eq!(out.packages[0].location.line, Some(4));
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:nuget/Newtonsoft.Json@13.0.1")
        );
    }

    #[test]
    fn broken_configs_are_errors() {
        for bad in [
            "<packages><package id=\"a\"/></packages>",
            "<configuration/>",
            "<packages>",
            "<!DOCTYPE packages [<!ENTITY x \"y\">]><packages/>",
        ] {
            assert!(
                run(&NugetPackagesConfig, "packages.config", bad.as_bytes()).is_err(),
                "{bad}"
            );
        }
    }
}
