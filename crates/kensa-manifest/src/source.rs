//! Where manifests come from: files, directories (walked for `*.yaml`, `*.yml` and
//! `*.json`, hidden directories skipped) and stdin (`-`, so `helm template … | kensa
//! manifest -` works), each read within [`MAX_FILE_BYTES`](crate::yaml::MAX_FILE_BYTES).

use std::io::Read as _;
use std::path::Path;

use crate::ManifestError;
use crate::yaml::MAX_FILE_BYTES;

/// One manifest file's text.
#[derive(Clone, Debug)]
pub struct Input {
    /// How findings name it: the path as given or found, `-` for stdin.
    pub name: String,
    /// Its content.
    pub text: String,
    /// Named by the user (not found in a directory): a document of no known format in it
    /// is a note rather than nothing.
    pub explicit: bool,
}

impl Input {
    /// A named input, as if given on the command line.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Input {
        Input {
            name: name.into(),
            text: text.into(),
            explicit: true,
        }
    }
}

const EXTENSIONS: &[&str] = &["json", "yaml", "yml"];

/// Reads `paths`: `-` is stdin, a directory is walked (sorted, so reports are stable).
pub fn load(paths: &[&Path]) -> Result<Vec<Input>, ManifestError> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .take(MAX_FILE_BYTES as u64 + 1)
                .read_to_string(&mut text)
                .map_err(|e| read_error(path, &e.to_string()))?;
            if text.len() > MAX_FILE_BYTES {
                return Err(read_error(
                    path,
                    &format!("stdin holds more than {MAX_FILE_BYTES} bytes"),
                ));
            }
            inputs.push(Input::new("-", text));
        } else if path.is_dir() {
            let walk = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walk {
                let entry = entry.map_err(|e| read_error(path, &e.to_string()))?;
                let p = entry.path();
                let wanted = entry.file_type().is_file()
                    && p.extension()
                        .and_then(|e| e.to_str())
                        .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
                if wanted {
                    let mut input = read_file(p)?;
                    input.explicit = false;
                    inputs.push(input);
                }
            }
        } else {
            inputs.push(read_file(path)?);
        }
    }
    Ok(inputs)
}

fn read_error(path: &Path, message: &str) -> ManifestError {
    ManifestError::Read {
        path: path.display().to_string(),
        message: message.to_owned(),
    }
}

fn read_file(path: &Path) -> Result<Input, ManifestError> {
    let size = fs_err::metadata(path)
        .map_err(|e| read_error(path, &e.to_string()))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(read_error(
            path,
            &format!("{size} bytes, more than the {MAX_FILE_BYTES} a manifest may have"),
        ));
    }
    let bytes = fs_err::read(path).map_err(|e| read_error(path, &e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(
            path,
            &format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        )
    })?;
    Ok(Input::new(path.display().to_string(), text))
}

/// Reads the other files a manifest names (Compose `extends.file`).
pub trait Loader: Sync {
    /// The text of `path`, a file name as findings show it, already joined to the
    /// referring file's directory and normalised ([`resolve`]). `Ok(None)`: other files
    /// are not at hand in this scan (a layer of an image is read once, front to back).
    fn load(&self, path: &str) -> Result<Option<String>, String>;
}

/// Reads no other file: image scans, where the walker hands each file over once.
pub struct NoFiles;

impl Loader for NoFiles {
    fn load(&self, _path: &str) -> Result<Option<String>, String> {
        Ok(None)
    }
}

/// Reads other files from the disk. With no `root` (files named on the command line)
/// any readable path is allowed, as Compose allows it; with a `root` (a source tree,
/// `kensa fs`) paths are relative to it and must stay inside it, symlinks resolved
/// before the check, so a link cannot lead out.
pub struct Disk {
    /// The scanned tree, when references must stay in it.
    pub root: Option<std::path::PathBuf>,
}

impl Loader for Disk {
    fn load(&self, path: &str) -> Result<Option<String>, String> {
        let full = match &self.root {
            None => std::path::PathBuf::from(path),
            Some(root) => {
                if path.starts_with('/') || path == ".." || path.starts_with("../") {
                    return Err("outside the scanned directory; not read".to_owned());
                }
                let full = root.join(path);
                let real = fs_err::canonicalize(&full).map_err(|e| io_message(&e))?;
                let real_root = fs_err::canonicalize(root).map_err(|e| io_message(&e))?;
                if !real.starts_with(&real_root) {
                    return Err(
                        "a symlink leads outside the scanned directory; not read".to_owned()
                    );
                }
                real
            }
        };
        fs_err::metadata(&full).map_err(|e| io_message(&e))?;
        read_file(&full)
            .map(|input| Some(input.text))
            .map_err(|e| match e {
                ManifestError::Read { message, .. } => message,
                other => other.to_string(),
            })
    }
}

/// An I/O error's own message, without the path fs-err adds (the caller names it).
fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        _ => e.to_string(),
    }
}

/// `reference` (as written in `referrer`) joined to `referrer`'s directory and
/// normalised lexically: `deploy/compose.yaml` + `../common.yml` is `common.yml`. A `..`
/// that climbs above the start is kept (`../x.yml`), so a loader can refuse it.
pub fn resolve(referrer: &str, reference: &str) -> String {
    let dir = if referrer == "-" {
        ""
    } else {
        referrer.rsplit_once('/').map_or("", |(d, _)| d)
    };
    let joined = if reference.starts_with('/') || dir.is_empty() {
        reference.to_owned()
    } else {
        format!("{dir}/{reference}")
    };
    let absolute = joined.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            ".." if absolute => {}
            p => parts.push(p),
        }
    }
    let body = parts.join("/");
    if absolute { format!("/{body}") } else { body }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_resolve_from_the_referring_directory() {
        assert_eq!(
            resolve("deploy/compose.yaml", "common.yml"),
            "deploy/common.yml"
        );
        assert_eq!(
            resolve("deploy/compose.yaml", "../common.yml"),
            "common.yml"
        );
        assert_eq!(resolve("compose.yaml", "../up/c.yml"), "../up/c.yml");
        assert_eq!(resolve("-", "./base/c.yml"), "base/c.yml");
        assert_eq!(resolve("/srv/app/c.yaml", "../../../x.yml"), "/x.yml");
        assert_eq!(resolve("a/b.yaml", "/etc/c.yml"), "/etc/c.yml");
    }

    #[test]
    fn a_tree_loader_stays_in_its_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("tree");
        fs_err::create_dir_all(root.join("sub")).unwrap();
        fs_err::write(root.join("sub/common.yml"), "services: {}\n").unwrap();
        fs_err::write(dir.path().join("outside.yml"), "services: {}\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.yml"), root.join("link.yml")).unwrap();
        let tree = Disk {
            root: Some(root.clone()),
        };
        assert_eq!(
            tree.load("sub/common.yml").unwrap().as_deref(),
            Some("services: {}\n")
        );
        assert!(tree.load("../outside.yml").unwrap_err().contains("outside"));
        assert!(tree.load("link.yml").unwrap_err().contains("symlink"));
        assert_eq!(tree.load("sub/none.yml").unwrap_err(), "no such file");
        let any = Disk { root: None };
        let outside = dir.path().join("outside.yml");
        assert!(any.load(&outside.display().to_string()).unwrap().is_some());
    }
}
