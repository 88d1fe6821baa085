//! Why a file could not be pinned.

/// Why a file could not be pinned; each names the file (and line, when there is one).
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    /// The file could not be read.
    #[error("`{file}`: {source}")]
    Read {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The file is larger than kensa reads.
    #[error("`{file}`: {size} bytes is more than the {limit} bytes `kensa pin` reads")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: u64,
        /// The limit.
        limit: usize,
    },
    /// The file is not UTF-8 text.
    #[error("`{file}`: not UTF-8 text")]
    NotText {
        /// The file.
        file: String,
    },
    /// The file is neither a Dockerfile nor YAML/JSON, or does not parse as one.
    #[error("`{file}`{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Parse {
        /// The file.
        file: String,
        /// The line, when known.
        line: Option<u32>,
        /// What is wrong.
        message: String,
    },
    /// A tag could not be resolved to a digest (registry unreachable, unknown tag, denied).
    #[error("`{file}:{line}`: cannot resolve `{reference}`: {message}")]
    Resolve {
        /// The file.
        file: String,
        /// The line of the reference.
        line: u32,
        /// The reference as written.
        reference: String,
        /// Why, from the registry client.
        message: String,
    },
    /// The file could not be written back.
    #[error("`{file}`: writing: {source}")]
    Write {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
}
