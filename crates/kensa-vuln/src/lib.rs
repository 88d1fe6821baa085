//! Advisory store, OSV import, version schemes and vulnerability matching.
//!
//! Matching (SP 800-190 4.1.1) compares an installed package's version with an advisory's
//! ranges in the package ecosystem's own ordering; [`version`] holds one parser and ordering
//! per scheme, so that "is `1.0~rc1` before `1.0`" is answered the way dpkg, rpm or pip would.

pub mod version;
