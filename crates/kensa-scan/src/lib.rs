//! Runs a scan: opens the source, walks the layers once with every analyzer, applies the rules and builds the report.
