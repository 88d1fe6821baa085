//! OS detection from `os-release` (freedesktop.org), which every current distribution ships.

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, OsInfo, PathSpec, Scanner};

/// Reads `/etc/os-release` or `/usr/lib/os-release`.
pub struct OsRelease;

impl Analyzer for OsRelease {
    fn id(&self) -> &'static str {
        "os-release"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Debian makes etc/os-release a symlink to usr/lib/os-release; links are never
        // followed, so both paths are read.
        &[
            PathSpec::Exact("etc/os-release"),
            PathSpec::Exact("usr/lib/os-release"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        64 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = std::str::from_utf8(file.content)
            .map_err(|_| AnalyzeError::new("os-release is not UTF-8 text"))?;
        let os = parse(text).ok_or_else(|| AnalyzeError::new("os-release has no `ID` field"))?;
        // etc/os-release, when it is a real file, is the one the system reads first.
        if out.os.is_none() || file.path == "etc/os-release" {
            out.os = Some(os);
        }
        Ok(())
    }
}

/// Parses os-release's shell-like `KEY=value` lines.
pub fn parse(text: &str) -> Option<OsInfo> {
    let mut id = None;
    let mut version = None;
    let mut codename = None;
    let mut pretty = None;
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = unquote(value.trim());
        match key.trim() {
            "ID" => id = Some(value.to_ascii_lowercase()),
            "VERSION_ID" => version = Some(value),
            "VERSION_CODENAME" => codename = Some(value).filter(|v| !v.is_empty()),
            "PRETTY_NAME" => pretty = Some(value),
            _ => {}
        }
    }
    Some(OsInfo {
        family: id.filter(|i| !i.is_empty())?,
        version: version.unwrap_or_default(),
        codename,
        pretty_name: pretty,
    })
}

fn unquote(v: &str) -> String {
    let inner = v
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')))
        .unwrap_or(v);
    inner
        .replace("\\\"", "\"")
        .replace("\\$", "$")
        .replace("\\\\", "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debian_and_alpine() {
        let debian = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
                      VERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
        let os = parse(debian).unwrap();
        assert_eq!(os.family, "debian");
        assert_eq!(os.version, "12");
        assert_eq!(os.codename.as_deref(), Some("bookworm"));
        let alpine = "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n";
        let os = parse(alpine).unwrap();
        assert_eq!(
            (os.family.as_str(), os.version.as_str()),
            ("alpine", "3.19.1")
        );
        assert_eq!(os.codename, None);
    }

    #[test]
    fn rejects_files_without_id() {
        assert!(parse("NAME=x\n# ID=commented\n").is_none());
        assert!(parse("").is_none());
    }
}
