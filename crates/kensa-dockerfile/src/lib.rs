//! Dockerfile parser and linter: hadolint's DL rules and kensa's own, with pragmas and per-rule configuration.
