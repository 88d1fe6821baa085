use std::io;

use kensa_core::Digest;

/// Why an image could not be read. Every variant names the file, blob or field at fault,
/// because the user's next step is to look at exactly that thing.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// Reading a file or directory failed.
    #[error("cannot read {what}")]
    Io {
        /// What was being read (a path, a blob).
        what: String,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The input is not a format kensa reads.
    #[error("`{path}` is not a docker-archive, OCI archive or OCI layout: {reason}")]
    UnrecognisedInput {
        /// The input path.
        path: String,
        /// What was expected and not found.
        reason: String,
    },
    /// A JSON document of the image is malformed.
    #[error("{what} is not valid: {source}")]
    Json {
        /// The document (`manifest.json`, a manifest blob, the config blob).
        what: String,
        /// The parse error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// A document is well-formed JSON but says something impossible.
    #[error("{what}: {reason}")]
    Invalid {
        /// The document or field.
        what: String,
        /// What is wrong.
        reason: String,
    },
    /// A file the image refers to is not in it.
    #[error("{what} refers to `{entry}`, which is not in the image")]
    Missing {
        /// The referring document.
        what: String,
        /// The missing path or digest.
        entry: String,
    },
    /// A blob's content does not hash to the digest that names it. When its length is
    /// wrong too, both are named: the digest says which blob this is not.
    #[error("blob {blob}: digest mismatch (expected {expected}, got {actual}){}", size_note(.sizes))]
    BlobDigest {
        /// The blob's path or name.
        blob: String,
        /// The digest its descriptor claims.
        expected: Digest,
        /// The digest of its content.
        actual: Digest,
        /// The descriptor's size and the bytes read, when they differ as well.
        sizes: Option<(u64, u64)>,
    },
    /// A blob's length differs from its descriptor's size.
    #[error("blob {blob}: size mismatch (descriptor says {expected} bytes, blob has {actual})")]
    BlobSize {
        /// The blob.
        blob: String,
        /// The size in the descriptor.
        expected: u64,
        /// The bytes read.
        actual: u64,
    },
    /// A blob is longer than its descriptor's size.
    #[error("blob {blob}: longer than the {expected} bytes its descriptor says")]
    BlobTooLong {
        /// The blob.
        blob: String,
        /// The size in the descriptor.
        expected: u64,
    },
    /// A layer's uncompressed content does not match `rootfs.diff_ids`.
    #[error(
        "layer {index} ({blob}): uncompressed digest mismatch (config rootfs.diff_ids says {expected}, content is {actual})"
    )]
    DiffId {
        /// The layer's position.
        index: usize,
        /// The layer blob.
        blob: String,
        /// The diff_id in the config.
        expected: Digest,
        /// The digest of the uncompressed content.
        actual: Digest,
    },
    /// No image in the input matches the requested platform.
    #[error("no image for platform `{requested}` (available: {})", available.join(", "))]
    UnknownPlatform {
        /// The requested `os/arch[/variant]`.
        requested: String,
        /// The platforms the input has.
        available: Vec<String>,
    },
    /// The input holds several images and nothing says which one to scan.
    #[error("{what} holds {} images; name one ({})", choices.len(), choices.join(", "))]
    Ambiguous {
        /// The input.
        what: String,
        /// The names that would select one.
        choices: Vec<String>,
    },
    /// A layer's media type or compression is not supported.
    #[error("layer {blob}: unsupported media type `{media_type}`")]
    UnsupportedMediaType {
        /// The blob.
        blob: String,
        /// Its media type.
        media_type: String,
    },
    /// A layer decompresses to far more than its compressed size allows.
    #[error(
        "layer {blob}: decompressed to more than {limit} bytes from {compressed} compressed bytes; refusing a likely decompression bomb (raise --max-layer-ratio if this image is genuine)"
    )]
    DecompressionBomb {
        /// The blob.
        blob: String,
        /// Compressed bytes read so far.
        compressed: u64,
        /// The limit that was hit.
        limit: u64,
    },
    /// A layer is not a valid tar stream, or its compression is corrupt.
    #[error("layer {blob}: malformed {what}")]
    Layer {
        /// The blob.
        blob: String,
        /// `tar stream`, `gzip stream`, …
        what: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Pulling from a registry failed; the cause names the registry and what was asked.
    #[error("pulling `{reference}`")]
    Registry {
        /// The image reference.
        reference: String,
        /// The registry client's error.
        #[source]
        source: Box<kensa_registry::RegistryError>,
    },
    /// A limit on the whole image was exceeded.
    #[error("{what}: more than {limit} {unit}; refusing to continue")]
    Limit {
        /// The input.
        what: String,
        /// The limit.
        limit: u64,
        /// What is counted.
        unit: &'static str,
    },
}

impl ImageError {
    pub(crate) fn io(what: impl Into<String>, source: io::Error) -> Self {
        ImageError::Io {
            what: what.into(),
            source,
        }
    }

    pub(crate) fn invalid(what: impl Into<String>, reason: impl Into<String>) -> Self {
        ImageError::Invalid {
            what: what.into(),
            reason: reason.into(),
        }
    }
}

fn size_note(sizes: &Option<(u64, u64)>) -> String {
    match sizes {
        Some((expected, actual)) => {
            format!(
                ", and its size is wrong too (descriptor says {expected} bytes, blob has {actual})"
            )
        }
        None => String::new(),
    }
}
