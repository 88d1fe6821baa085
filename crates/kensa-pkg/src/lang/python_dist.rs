//! Installed Python distributions from their core metadata (`*.dist-info/METADATA`,
//! `*.egg-info/PKG-INFO`, single-file `*.egg-info`, and eggs: `EGG-INFO/PKG-INFO` in a
//! `*.egg` zip file or directory).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{package, text};

/// Reads core metadata (RFC 822-style headers) of installed distributions.
pub struct PythonDist;

impl Analyzer for PythonDist {
    fn id(&self) -> &'static str {
        "python-dist"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // setuptools' `develop` and old distutils write `*.egg-info` as one file holding
        // what PKG-INFO would.
        &[
            PathSpec::Suffix(".dist-info/METADATA"),
            PathSpec::Suffix(".egg"),
            PathSpec::Suffix(".egg-info"),
            PathSpec::Suffix(".egg-info/PKG-INFO"),
            PathSpec::Suffix(".egg/EGG-INFO/PKG-INFO"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        // METADATA embeds the long description (the whole README); an egg zip holds the
        // distribution's code too.
        64 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let egg_info;
        let metadata = if file.path.ends_with(".egg") {
            egg_info = egg_pkg_info(file.content)?;
            egg_info.as_str()
        } else {
            text(file)?
        };
        let headers = parse_headers(metadata);
        let get = |key: &str| {
            headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        let name = get("Name").ok_or_else(|| AnalyzeError::new("metadata has no `Name` header"))?;
        let version =
            get("Version").ok_or_else(|| AnalyzeError::new("metadata has no `Version` header"))?;
        let mut p = package(Ecosystem::Pypi, name, version, self.id(), file.path);
        p.licenses = licenses(&headers);
        out.packages.push(p);
        Ok(())
    }
}

/// The largest `EGG-INFO/PKG-INFO` read from an egg; core metadata is a few KiB plus
/// the README.
const MAX_PKG_INFO: u64 = 8 * 1024 * 1024;

/// `EGG-INFO/PKG-INFO` of a zipped egg (setuptools' `bdist_egg`, installed by
/// `easy_install`).
fn egg_pkg_info(content: &[u8]) -> Result<String, AnalyzeError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(content))
        .map_err(|e| AnalyzeError::new(format!("egg is not a zip archive: {e}")))?;
    let entry = zip
        .by_name("EGG-INFO/PKG-INFO")
        .map_err(|e| AnalyzeError::new(format!("egg has no `EGG-INFO/PKG-INFO`: {e}")))?;
    let mut bytes = Vec::new();
    entry
        .take(MAX_PKG_INFO + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| AnalyzeError::new(format!("egg `EGG-INFO/PKG-INFO` is unreadable: {e}")))?;
    if bytes.len() as u64 > MAX_PKG_INFO {
        return Err(AnalyzeError::new(format!(
            "egg `EGG-INFO/PKG-INFO` is larger than `{MAX_PKG_INFO}` bytes"
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        AnalyzeError::new(format!(
            "egg `EGG-INFO/PKG-INFO` is not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// The header block (everything before the first blank line), with continuation lines
/// joined to their header by `\n`.
fn parse_headers(text: &str) -> Vec<(&str, String)> {
    let mut headers: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim(), v.trim().to_owned()));
        }
    }
    headers
}

/// Core metadata 2.4's `License-Expression` is authoritative; else a short `License`
/// (many packages paste the whole license text there, which is not a license name);
/// else the names in `License ::` trove classifiers.
fn licenses(headers: &[(&str, String)]) -> Vec<String> {
    let field = |key: &str| {
        headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .find(|v| !v.is_empty())
    };
    if let Some(expr) = field("License-Expression") {
        return vec![expr.to_owned()];
    }
    if let Some(l) = field("License")
        && !l.contains('\n')
        && l.len() <= 100
        && !l.eq_ignore_ascii_case("UNKNOWN")
    {
        return vec![l.to_owned()];
    }
    let mut out = Vec::new();
    for (k, v) in headers {
        if !k.eq_ignore_ascii_case("Classifier") {
            continue;
        }
        if let Some(rest) = v.strip_prefix("License ::") {
            // `License :: OSI Approved :: MIT License` names MIT; `OSI Approved` alone
            // names nothing.
            if let Some(last) = rest.rsplit("::").next().map(str::trim)
                && !last.is_empty()
                && last != "OSI Approved"
                && !out.iter().any(|o: &String| o == last)
            {
                out.push(last.to_owned());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_metadata_files_only() {
        assert_wants(
            &PythonDist,
            &[
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
                "app/.venv/lib/python3.12/site-packages/requests-2.31.0.dist-info/METADATA",
                "usr/lib/python3.6/site-packages/foo-1.0-py3.6.egg-info",
                "usr/lib/python3.6/site-packages/foo.egg-info/PKG-INFO",
                "usr/lib/python3.6/site-packages/foo-1.0-py3.6.egg",
                "usr/lib/python3.6/site-packages/foo-1.0-py3.6.egg/EGG-INFO/PKG-INFO",
            ],
            &[
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD",
                "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA.bak",
                "usr/lib/python3.6/site-packages/foo.egg-info/SOURCES.txt",
                "src/PKG-INFO",
            ],
        );
    }

    /// See: issues/15.
    #[test]
    fn issue_15_reads_zipped_eggs() {
        use crate::lang::java_archive::tests::jar;
        let egg = jar(&[
            ("foo/__init__.py", b"".as_slice()),
            (
                "EGG-INFO/PKG-INFO",
                b"Metadata-Version: 2.1\nName: foo\nVersion: 1.0\nLicense: MIT\n",
            ),
        ]);
        let path = "usr/lib/python3.6/site-packages/foo-1.0-py3.6.egg";
        let out = run(&PythonDist, path, &egg).unwrap();
        assert_eq!(nv(&out), [("foo".into(), "1.0".into())]);
        assert_eq!(out.packages[0].licenses, ["MIT"]);
        let err = run(&PythonDist, path, &jar(&[("foo/x.py", b"")])).unwrap_err();
        assert!(err.to_string().contains("EGG-INFO/PKG-INFO"), "{err}");
        let err = run(&PythonDist, path, b"not a zip").unwrap_err();
        assert!(err.to_string().contains("not a zip"), "{err}");
    }

    #[test]
    fn reads_metadata_with_crlf_continuations_and_classifiers() {
        let metadata = "Metadata-Version: 2.1\r\nName: Flask_SQLAlchemy\r\nVersion: 3.1.1\r\n\
            Summary: Add SQLAlchemy support\r\nLicense: BSD-3-Clause license text\r\n        \
            that continues on a second line\r\n\
            Classifier: Development Status :: 5 - Production/Stable\r\n\
            Classifier: License :: OSI Approved :: BSD License\r\n\
            Classifier: License :: OSI Approved\r\n\
            Requires-Dist: flask>=2.2.5\r\n\r\nName: not-a-header\r\n";
        let out = run(
            &PythonDist,
            "site-packages/flask_sqlalchemy-3.1.1.dist-info/METADATA",
            metadata.as_bytes(),
        )
        .unwrap();
        assert_eq!(nv(&out), [("Flask_SQLAlchemy".into(), "3.1.1".into())]);
        let p = &out.packages[0];
        assert_eq!(p.purl.as_deref(), Some("pkg:pypi/flask-sqlalchemy@3.1.1"));
        // The License field spans two lines (pasted text), so the classifier wins.
        assert_eq!(p.licenses, ["BSD License"]);
        assert_eq!(p.direct, None);
    }

    #[test]
    fn license_expression_wins_and_bom_is_ignored() {
        let metadata = "\u{feff}Metadata-Version: 2.4\nName: attrs\nVersion: 24.2.0\n\
            License-Expression: MIT\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n";
        let out = run(&PythonDist, "x.dist-info/METADATA", metadata.as_bytes()).unwrap();
        assert_eq!(out.packages[0].licenses, ["MIT"]);
        let pkg_info = "Metadata-Version: 1.0\nName: oldpkg\nVersion: 0.9\nLicense: GPLv2+\n";
        let out = run(&PythonDist, "oldpkg-0.9.egg-info", pkg_info.as_bytes()).unwrap();
        assert_eq!(out.packages[0].licenses, ["GPLv2+"]);
        assert_eq!(out.packages[0].purl.as_deref(), Some("pkg:pypi/oldpkg@0.9"));
    }

    #[test]
    fn broken_metadata_is_an_error() {
        let err = run(&PythonDist, "x.dist-info/METADATA", b"Name: x\n").unwrap_err();
        assert_eq!(err.to_string(), "metadata has no `Version` header");
        // The name is after the blank line, so it is body text, not a header.
        let err = run(
            &PythonDist,
            "x.dist-info/METADATA",
            b"Version: 1\n\nName: x\n",
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "metadata has no `Name` header");
        let err = run(&PythonDist, "x.dist-info/METADATA", b"Name: \xff\xfe\n").unwrap_err();
        assert!(err.to_string().starts_with("not UTF-8 text"), "{err}");
        let huge = format!("Name: {}\nVersion: 1\n", "a".repeat(1 << 20));
        assert_eq!(
            run(&PythonDist, "x.dist-info/METADATA", huge.as_bytes())
                .unwrap()
                .packages
                .len(),
            1
        );
    }
}
