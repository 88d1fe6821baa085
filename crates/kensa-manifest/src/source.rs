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
