//! Package analyzers for OS and language ecosystems, purls and the SBOM model.
//!
//! Each analyzer is a unit struct in its own module that declares the paths it wants;
//! [`ANALYZERS`] is the registry the scan hands to the layer walker.

use kensa_core::Analyzer;

pub mod lang;
pub mod os;

/// Every package and OS analyzer, sorted by id.
pub const ANALYZERS: &[&dyn Analyzer] = &[
    &os::apk::Apk,
    &lang::cargo_auditable::CargoAuditable,
    &lang::cargo_lock::CargoLock,
    &lang::composer_installed::ComposerInstalled,
    &lang::composer_lock::ComposerLock,
    &os::distro_release::DistroRelease,
    &lang::dotnet_deps::DotnetDeps,
    &os::dpkg::Dpkg,
    &lang::gemfile_lock::GemfileLock,
    &lang::gemspec::Gemspec,
    &lang::go_binary::GoBinary,
    &lang::go_mod::GoMod,
    &lang::java_archive::JavaArchive,
    &lang::node_installed::NodeInstalled,
    &lang::npm_lock::NpmLock,
    &lang::nuget_lock::NugetLock,
    &lang::nuget_packages_config::NugetPackagesConfig,
    &os::os_release::OsRelease,
    &lang::pdm_lock::PdmLock,
    &lang::pipfile_lock::PipfileLock,
    &lang::pnpm_lock::PnpmLock,
    &lang::poetry_lock::PoetryLock,
    &lang::projects::ProjectManifests,
    &lang::python_dist::PythonDist,
    &lang::python_requirements::PythonRequirements,
    &os::rpm::Rpm,
    &lang::uv_lock::UvLock,
    &lang::yarn_lock::YarnLock,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_analyzer_wants_something_and_has_a_unique_id() {
        let mut seen = std::collections::BTreeSet::new();
        for a in ANALYZERS {
            assert!(!a.wants().is_empty(), "`{}` wants no paths", a.id());
            assert!(a.version() > 0, "`{}` has version 0", a.id());
            assert!(seen.insert(a.id()), "`{}` is registered twice", a.id());
        }
    }

    #[test]
    fn registry_ids_are_unique_and_sorted() {
        let ids: Vec<_> = ANALYZERS.iter().map(|a| a.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }

    /// Analyzer ids appear in reports (`found_by`) and cache keys; renaming one shows here.
    #[test]
    fn analyzer_ids_are_frozen() {
        let ids: Vec<_> = ANALYZERS.iter().map(|a| (a.id(), a.version())).collect();
        insta::assert_debug_snapshot!("analyzer_ids", ids);
    }
}
