//! Rust crates compiled into ELF, Mach-O and PE binaries built with `cargo auditable`.

use std::io::Read;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};
use serde::Deserialize;

use super::{binary_section, package};

/// The analyzer's id.
pub(crate) const ID: &str = "cargo-auditable";

/// Reads the zlib-compressed JSON dependency list in the `.dep-v0` section.
pub struct CargoAuditable;

/// cargo-auditable's own reader stops at 8 MiB; a dependency list is a few KiB, so more
/// is a decompression bomb, not a binary.
const MAX_JSON: u64 = 8 * 1024 * 1024;

#[derive(Deserialize)]
struct VersionInfo {
    packages: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    version: String,
    #[serde(default)]
    dependencies: Vec<usize>,
    #[serde(default)]
    root: bool,
}

impl Analyzer for CargoAuditable {
    fn id(&self) -> &'static str {
        ID
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Rust binaries have no telling name or place; non-ELF files are rejected by
        // their first bytes.
        &[PathSpec::AnyFile]
    }

    fn accepts(&self, meta: &kensa_core::FileMeta, head: &[u8]) -> bool {
        super::is_executable_binary(meta, head)
    }

    fn max_file_size(&self) -> u64 {
        256 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        // The same section name in ELF, PE and Mach-O (`__DATA,.dep-v0`).
        let Some((_, section)) = binary_section(file.content, &[".dep-v0"]) else {
            return Ok(());
        };
        let mut json = Vec::new();
        flate2::read::ZlibDecoder::new(section)
            .take(MAX_JSON + 1)
            .read_to_end(&mut json)
            .map_err(|e| {
                AnalyzeError::new(format!("`.dep-v0` section is not valid zlib data: {e}"))
            })?;
        if json.len() as u64 > MAX_JSON {
            return Err(AnalyzeError::new(format!(
                "`.dep-v0` dependency list inflates to more than `{MAX_JSON}` bytes"
            )));
        }
        let info: VersionInfo = serde_json::from_slice(&json)
            .map_err(|e| AnalyzeError::new(format!("invalid `.dep-v0` dependency list: {e}")))?;
        let direct: Vec<usize> = info
            .packages
            .iter()
            .filter(|e| e.root)
            .flat_map(|e| e.dependencies.iter().copied())
            .collect();
        for (i, e) in info.packages.iter().enumerate() {
            let mut p = package(Ecosystem::Cargo, &e.name, &e.version, self.id(), file.path);
            // The binary's own crate, published or built from a checkout: it is the
            // release a binary's advisories name either way.
            p.relationship = e.root.then_some(kensa_core::Relationship::Root);
            // The root is the binary's own crate; the rest are its dependencies.
            p.direct = (!e.root).then(|| direct.contains(&i));
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::lang::testing::{assert_wants, elf, run};

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn wants_every_file() {
        assert_wants(&CargoAuditable, &["usr/local/bin/rg", "app"], &[]);
    }

    #[test]
    fn reads_dependency_list() {
        let json = r#"{"packages":[
            {"name":"rg","version":"14.1.0","source":"local","dependencies":[1,2],"root":true},
            {"name":"regex","version":"1.10.2","source":"crates.io","dependencies":[3]},
            {"name":"cc","version":"1.0.83","source":"crates.io","kind":"build"},
            {"name":"memchr","version":"2.6.4","source":"crates.io"}
        ]}"#;
        let bin = elf(
            &[
                (".text", 0x1000, &[0xc3; 8]),
                (".dep-v0", 0x2000, &zlib(json.as_bytes())),
            ],
            true,
            false,
        );
        let out = run(&CargoAuditable, "usr/local/bin/rg", &bin).unwrap();
        let got: Vec<_> = out
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.direct))
            .collect();
        assert_eq!(
            got,
            [
                ("rg", "14.1.0", None),
                ("regex", "1.10.2", Some(true)),
                ("cc", "1.0.83", Some(true)),
                ("memchr", "2.6.4", Some(false)),
            ]
        );
        assert_eq!(
            out.packages[0].relationship,
            Some(kensa_core::Relationship::Root)
        );
        assert!(out.packages[1..].iter().all(|p| p.relationship.is_none()));
        assert_eq!(
            out.packages[1].purl.as_deref(),
            Some("pkg:cargo/regex@1.10.2")
        );
        // A published root (`cargo install ripgrep`) is reported.
        let json = r#"{"packages":[{"name":"ripgrep","version":"14.1.0","source":"crates.io","root":true}]}"#;
        let bin = elf(&[(".dep-v0", 0x2000, &zlib(json.as_bytes()))], true, false);
        let out = run(&CargoAuditable, "usr/local/bin/rg", &bin).unwrap();
        assert_eq!(out.packages.len(), 1);
        assert_eq!(out.packages[0].direct, None);
    }

    #[test]
    fn issue_15_reads_mach_o_and_pe_binaries() {
        let json = r#"{"packages":[{"name":"rg","version":"14.1.0","source":"local","root":true},{"name":"memchr","version":"2.6.4","source":"crates.io"}]}"#;
        let section = zlib(json.as_bytes());
        for bin in [
            crate::lang::testing::macho(".dep-v0", &section),
            crate::lang::testing::pe(".dep-v0", &section),
        ] {
            let out = run(&CargoAuditable, "rg", &bin).unwrap();
            let names: Vec<&str> = out.packages.iter().map(|p| p.name.as_str()).collect();
            assert!(names.contains(&"memchr"), "{names:?}");
        }
    }

    #[test]
    fn bombs_and_garbage_are_errors() {
        let bomb = zlib(&vec![b' '; (MAX_JSON + 10) as usize]);
        let err = run(
            &CargoAuditable,
            "x",
            &elf(&[(".dep-v0", 0x2000, &bomb)], true, false),
        )
        .unwrap_err();
        assert!(err.to_string().contains("inflates to more than"), "{err}");
        for section in [
            b"not zlib".to_vec(),
            zlib(b"{\"packages\": [{\"name\": 1}]}"),
            zlib(b"{\"packages\": "),
            zlib(b"{\"packages\": [{\"name\": \"a\", \"version\": \"1\", \"source\": \"crates.io\", \"dependencies\": [-1]}]}"),
        ] {
            assert!(run(&CargoAuditable, "x", &elf(&[(".dep-v0", 0x2000, &section)], true, false)).is_err());
        }
        assert!(run(&CargoAuditable, "x", b"plain text").unwrap().is_empty());
    }
}
