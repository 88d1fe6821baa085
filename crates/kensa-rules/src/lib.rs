//! Image-config, Dockerfile, manifest and secret rules.
