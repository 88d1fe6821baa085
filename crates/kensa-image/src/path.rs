//! Path normalisation for entries of hostile archives.

/// Why an archive path cannot be placed in the image.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PathProblem {
    /// `..` would climb above the root.
    Escapes,
    /// Not UTF-8, or holds a NUL byte.
    NotText,
}

/// Normalises an archive path to the relative, `/`-separated form analyzers see
/// (`etc/os-release`): leading `/` and `./` dropped, `.` and empty components removed,
/// `..` resolved lexically. A path that climbs above the root is refused rather than
/// clamped, because clamping would let a layer overwrite a file it does not name.
/// Returns `Ok("")` for the root itself.
pub(crate) fn normalize(raw: &[u8]) -> Result<String, PathProblem> {
    let text = std::str::from_utf8(raw).map_err(|_| PathProblem::NotText)?;
    if text.contains('\0') {
        return Err(PathProblem::NotText);
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in text.split('/') {
        match component {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err(PathProblem::Escapes);
                }
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// The parent directory of a normalised path (`""` for top-level entries).
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// The final component of a normalised path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit_once('/').map_or(path, |(_, name)| name)
}

/// Resolves a hardlink or archive-internal symlink target relative to `from`'s directory,
/// refusing targets outside the root.
pub(crate) fn resolve_relative(from: &str, target: &str) -> Result<String, PathProblem> {
    if target.starts_with('/') {
        return normalize(target.as_bytes());
    }
    let joined = format!("{}/{}", parent(from), target);
    normalize(joined.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_benign_forms() {
        for (raw, want) in [
            ("etc/passwd", "etc/passwd"),
            ("./etc/passwd", "etc/passwd"),
            ("/etc/passwd", "etc/passwd"),
            ("etc//./passwd", "etc/passwd"),
            ("usr/lib/../bin/sh", "usr/bin/sh"),
            ("./", ""),
            ("etc/", "etc"),
        ] {
            assert_eq!(normalize(raw.as_bytes()), Ok(want.to_owned()), "{raw}");
        }
    }

    #[test]
    fn refuses_escapes_and_non_text() {
        for raw in ["../etc/passwd", "a/../../b", "/../x", "./.."] {
            assert_eq!(
                normalize(raw.as_bytes()),
                Err(PathProblem::Escapes),
                "{raw}"
            );
        }
        assert_eq!(normalize(b"a\xffb"), Err(PathProblem::NotText));
        assert_eq!(normalize(b"a\0b"), Err(PathProblem::NotText));
    }

    #[test]
    fn resolves_relative_targets_inside_root_only() {
        assert_eq!(resolve_relative("a/b/c", "../d"), Ok("a/d".to_owned()));
        assert_eq!(resolve_relative("a/b", "/etc/x"), Ok("etc/x".to_owned()));
        assert_eq!(
            resolve_relative("a/b", "../../x"),
            Err(PathProblem::Escapes)
        );
    }
}
