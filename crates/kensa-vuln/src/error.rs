//! Errors of the advisory store, the importer and the suppression files.

use std::path::PathBuf;

/// Boxed source error, for the many error types of redb.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What went wrong while building, opening or reading the vulnerability database, or while
/// reading an ignore or VEX file.
#[derive(Debug, thiserror::Error)]
pub enum VulnError {
    /// The database directory holds no database.
    #[error(
        "no vulnerability database in `{}`; build one with `kensa db update` (downloads osv.dev's archives) or `kensa db import PATH` (OSV JSON files, directories of them, or `all.zip` archives)",
        dir.display()
    )]
    NoDatabase {
        /// The directory that was looked in.
        dir: PathBuf,
    },
    /// The database was built by a kensa with another schema.
    #[error(
        "vulnerability database `{}` has schema version {found}, this kensa reads version {expected}; rebuild it with `kensa db update` or `kensa db import PATH`",
        path.display()
    )]
    SchemaMismatch {
        /// The database file.
        path: PathBuf,
        /// The schema version recorded in the file.
        found: u32,
        /// The schema version this build reads.
        expected: u32,
    },
    /// redb failed on the database file.
    #[error("vulnerability database `{}`: {what}", path.display())]
    Store {
        /// The database file.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// redb's error.
        #[source]
        source: BoxError,
    },
    /// A stored value could not be decoded (a damaged or foreign file).
    #[error("vulnerability database `{}`: entry `{key}` is damaged", path.display())]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// The table key of the damaged entry.
        key: String,
        /// The decoder's error.
        #[source]
        source: BoxError,
    },
    /// Downloading an advisory archive failed after every retry and mirror.
    #[error("cannot download `{url}`: {reason}")]
    Download {
        /// The last URL tried.
        url: String,
        /// What went wrong.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {what} `{}`", path.display())]
    Io {
        /// What was being done (`read`, `create`, `rename into`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A zip archive could not be read.
    #[error("cannot read zip archive `{}`", path.display())]
    Zip {
        /// The archive.
        path: PathBuf,
        /// The zip reader's error.
        #[source]
        source: zip::result::ZipError,
    },
    /// A KEV catalog or EPSS file cannot be used.
    #[error("`{}`: {reason}", path.display())]
    Feed {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the line or field.
        reason: String,
    },
    /// An import path is neither a JSON file, a zip archive nor a directory.
    #[error(
        "`{}` is not a JSON file (OSV record, CVE JSON 5 record, KEV catalog), a zip archive, an EPSS `.csv`/`.csv.gz` or a directory",
        path.display()
    )]
    UnsupportedInput {
        /// The path given.
        path: PathBuf,
    },
    /// An ignore file is not valid.
    #[error("ignore file `{}`: {message}", path.display())]
    IgnoreFile {
        /// The ignore file.
        path: PathBuf,
        /// What is wrong, naming the entry and field.
        message: String,
    },
    /// A VEX document is not valid.
    #[error("VEX document `{}`: {message}", path.display())]
    Vex {
        /// The VEX document.
        path: PathBuf,
        /// What is wrong, naming the statement and field.
        message: String,
    },
}

impl VulnError {
    pub(crate) fn store(
        path: impl Into<PathBuf>,
        what: &'static str,
        source: impl Into<BoxError>,
    ) -> Self {
        VulnError::Store {
            path: path.into(),
            what,
            source: source.into(),
        }
    }

    pub(crate) fn io(what: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        VulnError::Io {
            what,
            path: path.into(),
            source,
        }
    }
}
