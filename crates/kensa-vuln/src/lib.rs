//! Advisory store, OSV import, version schemes and vulnerability matching.
