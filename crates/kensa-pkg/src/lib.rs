//! Package analyzers for OS and language ecosystems, purls and the SBOM model.
