//! Builds test images (docker-archive, OCI layout and archive) and hostile inputs from in-memory descriptions, so no binary fixture is committed.
