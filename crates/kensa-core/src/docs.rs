//! Generated reference documents (STYLE.md K15): the header they start with and the check
//! every crate's `docs_are_fresh` test makes, so all of them regenerate the same way.

use std::path::Path;

/// The environment variable that makes the freshness tests rewrite their documents.
pub const UPDATE_ENV: &str = "KENSA_UPDATE_DOCS";

/// The command that regenerates the documents of `package`.
pub fn regenerate_command(package: &str) -> String {
    format!("{UPDATE_ENV}=1 cargo test -p {package} docs_are_fresh")
}

/// The first line of a document generated from `source` by `package`'s test.
pub fn header(source: &str, package: &str) -> String {
    format!(
        "<!-- Generated from {source} by `{}`; do not edit. -->\n",
        regenerate_command(package)
    )
}

/// `Ok` when the committed file at `path` holds `generated`. With `KENSA_UPDATE_DOCS`
/// set, the file is rewritten first; the error says how to do that.
pub fn check_fresh(path: &Path, generated: &str, package: &str) -> Result<(), String> {
    if std::env::var_os(UPDATE_ENV).is_some() {
        fs_err::write(path, generated).map_err(|e| e.to_string())?;
    }
    let committed = fs_err::read_to_string(path).unwrap_or_default();
    if committed == generated {
        Ok(())
    } else {
        Err(format!(
            "`{}` is stale; regenerate it with `{}`",
            path.display(),
            regenerate_command(package)
        ))
    }
}
