//! Pinned Python requirements from pip requirements files (`requirements*.txt`).

use std::borrow::Cow;
use std::str::FromStr;

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, PathSpec,
    ScanNote, Scanner,
};

use super::{package, text};

/// Reads `name==version` lines of pip requirements files; ranges are not an inventory.
pub struct PythonRequirements;

impl Analyzer for PythonRequirements {
    fn id(&self) -> &'static str {
        "python-requirements"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::Glob("**/requirements*.txt"),
            PathSpec::Glob("**/requirements/*.txt"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let mut invalid = Vec::new();
        for (line_no, line) in logical_lines(&decode(file)?) {
            let Some((name, version)) = pinned(&line) else {
                continue;
            };
            // pip refuses a pin that is no PEP 440 version, so it installs nothing that
            // advisories could be matched against; say so instead of inventing a package.
            if pep440_rs::Version::from_str(version).is_err() {
                invalid.push((line_no, format!("{name}=={version}")));
                continue;
            }
            let mut p = package(Ecosystem::Pypi, name, version, self.id(), file.path);
            p.location.line = u32::try_from(line_no).ok();
            // A requirements file lists what the project asked for, whether or not
            // it is a full `pip freeze`; it cannot say which are transitive.
            out.packages.push(p);
        }
        if let Some((first, _)) = invalid.first() {
            let pins: Vec<&str> = invalid.iter().map(|(_, pin)| pin.as_str()).collect();
            out.notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: self.id().into(),
                location: Location::path(file.path)
                    .with_line(u32::try_from(*first).unwrap_or(u32::MAX)),
                message: format!(
                    "{} pin(s) are not PEP 440 versions, so pip would refuse them; not in the inventory: `{}`",
                    pins.len(),
                    pins.join("`, `")
                ),
            });
        }
        Ok(())
    }
}

/// The file as text: pip reads UTF-16 files that start with a byte-order mark (Windows
/// tools such as PowerShell's `>` write them), and UTF-8 otherwise.
fn decode<'a>(file: &FileInput<'a>) -> Result<Cow<'a, str>, AnalyzeError> {
    let content = file.content;
    let units = |be: bool| {
        content
            .get(2..)
            .unwrap_or_default()
            .chunks(2)
            .map(move |c| {
                let pair = [
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
    };
    let utf16 = match content {
        [0xff, 0xfe, ..] => Some(false),
        [0xfe, 0xff, ..] => Some(true),
        _ => None,
    };
    match utf16 {
        Some(be) => {
            if !content.len().is_multiple_of(2) {
                return Err(AnalyzeError::new("UTF-16 text with an odd number of bytes"));
            }
            char::decode_utf16(units(be))
                .collect::<Result<String, _>>()
                .map(Cow::Owned)
                .map_err(|e| AnalyzeError::new(format!("invalid UTF-16 text: {e}")))
        }
        None => text(file).map(Cow::Borrowed),
    }
}

/// Lines with `\`-continuations joined and comments removed, each with the 1-based
/// number of its first physical line.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start = 0;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if current.is_empty() {
            start = i + 1;
        }
        let line = strip_comment(raw);
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                out.push((start, std::mem::take(&mut current)));
            }
        }
    }
    if !current.trim().is_empty() {
        out.push((start, current));
    }
    out
}

/// pip treats `#` as a comment only at the start or after whitespace (URL fragments such
/// as `#egg=` are not comments).
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'#' && (i == 0 || bytes.get(i - 1).is_some_and(u8::is_ascii_whitespace)) {
            return line.get(..i).unwrap_or(line).trim_end();
        }
    }
    line.trim_end()
}

/// `name[extras]==version ; marker --hash=…` → `(name, version)`, for exact pins only.
fn pinned(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('-') {
        return None;
    }
    // Options after the requirement (`--hash=sha256:…`) start with ` -`.
    let line = line.split(" -").next().unwrap_or(line);
    let line = line.split(';').next().unwrap_or(line).trim();
    let (name_part, version) = line.split_once("===").or_else(|| line.split_once("=="))?;
    let version = version.trim();
    let name = name_part.split('[').next().unwrap_or(name_part).trim();
    let valid_name = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    // `==1.*` is a range, `==1.0,<2` a compound specifier, ` @ url` a direct reference;
    // `1!2.0` is an epoch, not a `!=`.
    let valid_version = !version.is_empty()
        && !version.contains(['*', ',', ' ', '<', '>', '='])
        && !version.contains('@');
    (valid_name && valid_version).then_some((name, version))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_requirements_files() {
        assert_wants(
            &PythonRequirements,
            &[
                "requirements.txt",
                "app/requirements-dev.txt",
                "srv/app/requirements_prod.txt",
                "app/requirements/base.txt",
            ],
            &[
                "app/requirements.in",
                "app/dev-requirements.txt",
                "app/requirements/sub/base.txt",
                "app/constraints.txt",
            ],
        );
    }

    #[test]
    fn reads_only_exact_pins() {
        let txt = "\u{feff}# generated by pip-compile\r\n\
            -r base.txt\r\n\
            --index-url https://pypi.org/simple\r\n\
            requests==2.31.0 \\\r\n    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f \\\r\n    --hash=sha256:942c5a758f98d790eaed1a29cb6eefc7ffb0d1cf7af05c3d2791656dbd6ad1e1\r\n\
            Django[argon2] == 4.2.7 ; python_version >= \"3.8\"  # web\r\n\
            urllib3>=1.21.1,<3\r\n\
            numpy==1.*\r\n\
            idna===3.4\r\n\
            -e git+https://github.com/x/y.git#egg=y\r\n\
            pkg @ https://example.com/pkg-1.0.tar.gz\r\n\
            \r\n\
            zope.interface==6.1 # trailing comment\r\n";
        let out = run(&PythonRequirements, "app/requirements.txt", txt.as_bytes()).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("requests".into(), "2.31.0".into()),
                ("Django".into(), "4.2.7".into()),
                ("idna".into(), "3.4".into()),
                ("zope.interface".into(), "6.1".into()),
            ]
        );
        let lines: Vec<_> = out.packages.iter().map(|p| p.location.line).collect();
        assert_eq!(lines, [Some(4), Some(7), Some(10), Some(14)]);
        assert_eq!(
            out.packages[3].purl.as_deref(),
            Some("pkg:pypi/zope-interface@6.1")
        );
    }

    #[test]
    fn issue_15_utf16_epochs_and_invalid_pins() {
        let txt = "flask==3.0.0  # web\r\nfoo==1!2.0\r\nbar==latest\r\nbaz==1.0-custom-build\r\n";
        let mut le = vec![0xff, 0xfe];
        le.extend(txt.encode_utf16().flat_map(u16::to_le_bytes));
        let mut be = vec![0xfe, 0xff];
        be.extend(txt.encode_utf16().flat_map(u16::to_be_bytes));
        for bytes in [txt.as_bytes().to_vec(), le, be] {
            let out = run(&PythonRequirements, "requirements.txt", &bytes).unwrap();
            assert_eq!(
                nv(&out),
                [
                    ("flask".into(), "3.0.0".into()),
                    ("foo".into(), "1!2.0".into())
                ]
            );
            assert_eq!(out.notes.len(), 1);
            let note = &out.notes[0];
            assert_eq!(note.location.line, Some(3));
            assert!(
                note.message
                    .contains("`bar==latest`, `baz==1.0-custom-build`"),
                "{}",
                note.message
            );
        }
        assert!(run(&PythonRequirements, "requirements.txt", &[0xff, 0xfe, b'a']).is_err());
        // An unpaired surrogate is no text.
        assert!(
            run(
                &PythonRequirements,
                "requirements.txt",
                &[0xff, 0xfe, 0x00, 0xd8]
            )
            .is_err()
        );
    }

    #[test]
    fn broken_input_is_an_error_or_nothing() {
        assert!(run(&PythonRequirements, "requirements.txt", b"a==1\n\xff==2\n").is_err());
        // A dangling continuation at the end of the file still yields its line.
        let out = run(&PythonRequirements, "requirements.txt", b"a==1 \\").unwrap();
        assert_eq!(nv(&out), [("a".into(), "1".into())]);
        let out = run(
            &PythonRequirements,
            "requirements.txt",
            b"==1\n[x]==2\na b==3\n",
        )
        .unwrap();
        assert!(out.packages.is_empty());
    }
}
