//! Image sources (docker-archive, OCI layout and archive, root filesystems, directories), the one-pass layer walker, whiteouts, digests and the layer cache.
