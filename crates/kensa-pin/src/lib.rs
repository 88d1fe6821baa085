//! Digest pinning (SP 800-190 4.1.5): a tag is a pointer that can be moved, a digest names
//! fixed content. This crate does two things with that, both reading pins through
//! [`kensa_core::pinning`] so they agree with KS-DF-001 and the manifest rules:
//!
//! - [`rules`]: the finding for a scan target named by `latest` or by no tag
//!   (`KS-PIN-001`), which `kensa image` adds to its report.
//! - `kensa pin`: [`find`] lists the image references of a Dockerfile ([`dockerfile`]) or
//!   a Kubernetes, ECS, Compose or CloudFormation file in YAML or JSON ([`manifest`]),
//!   each with its byte span; [`plan`] resolves the tag ones through a [`Resolver`]
//!   (the registry, [`RegistryResolver`]) and splices `@sha256:…` into those spans only,
//!   so everything else in the file stays byte for byte as it was; [`FilePlan::diff`]
//!   is the unified diff `--dry-run` prints.

pub mod dockerfile;
mod error;
pub mod manifest;
mod plan;
pub mod rules;

pub use error::PinError;
pub use plan::{
    Edit, FilePlan, Kind, RegistryResolver, Resolver, Site, Skipped, find, plan, read_file,
};
pub use rules::{PIN_RULES, target_finding};
