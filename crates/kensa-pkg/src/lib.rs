//! Package analyzers for OS and language ecosystems, purls and the SBOM model.
//!
//! Each analyzer is a unit struct in its own module that declares the paths it wants;
//! [`ANALYZERS`] is the registry the scan hands to the layer walker.

use kensa_core::Analyzer;

pub mod os_release;

/// Every package and OS analyzer, sorted by id.
pub const ANALYZERS: &[&dyn Analyzer] = &[&os_release::OsRelease];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_ids_are_unique_and_sorted() {
        let ids: Vec<_> = ANALYZERS.iter().map(|a| a.id()).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
    }
}
