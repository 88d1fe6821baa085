//! Language-ecosystem package analyzers: installed metadata, lockfiles and binaries.
//!
//! Every analyzer here runs for every scan (inventory feeds the vulnerability matcher and
//! the SBOM alike), records the file it read as the package's location, and turns a file
//! it cannot make sense of into an [`AnalyzeError`] so the walker reports it as a note.
//!
//! The project's own packages are reported with a `relationship`: `root` for the
//! project or binary itself (npm, uv and Berry lockfile roots, the go.mod `module`, a Go
//! binary's main module, cargo-auditable root crates, the .NET app a `deps.json` is
//! named after, and, through [`projects`], the manifest beside a poetry, pdm, pnpm or
//! classic yarn lockfile and the root crate of a Cargo workspace), `workspace` for the
//! other members (Cargo.lock entries without a source, npm and Berry workspaces, uv,
//! Poetry and PDM editable entries, other .NET projects). Their version is empty when
//! the project declares none, and only binaries' roots are matched against advisories
//! ([`is_vulnerability_matched`]). A Go main module built without VCS stamping is
//! `(devel)`; its version is taken from a `-X …version=` linker flag when the build
//! settings record one.
//!
//! `direct` is `Some` only where the file records what the project declares (npm and
//! pnpm importers, uv and Cargo workspace members, go.mod `// indirect`, Gemfile.lock
//! `DEPENDENCIES`, .NET projects, cargo-auditable roots); installed metadata and
//! lockfiles that list a flat set (Pipfile.lock, poetry, pdm, yarn, composer) leave it
//! `None`. Development-only packages carry `dev` (from the lockfile, or for Cargo and
//! yarn from the manifests' dev-dependencies through [`projects`]).
//!
//! Maven packages are named `groupId:artifactId` (as OSV names them), and each carries
//! the SHA-1 of the archive it was found in as the purl `checksum` qualifier. Packages of
//! nested archives are located at the outer file, the only path in the image.

use kensa_core::{AnalyzeError, Ecosystem, FileInput, Location, Package, Purl, Relationship};

pub mod cargo_auditable;
pub mod cargo_lock;
pub mod composer_installed;
pub mod composer_lock;
pub mod dotnet_deps;
pub mod gemfile_lock;
pub mod gemspec;
pub mod go_binary;
pub mod go_mod;
pub mod java_archive;
pub mod node_installed;
pub mod npm_lock;
pub mod nuget_lock;
pub mod nuget_packages_config;
pub mod pdm_lock;
pub mod pipfile_lock;
pub mod pnpm_lock;
pub mod poetry_lock;
pub mod projects;
pub mod python_dist;
pub mod python_requirements;
pub mod uv_lock;
pub mod yarn_lock;

pub use projects::is_vulnerability_matched;

/// Only executables carry Go build info or cargo-auditable data; declining everything
/// else from its first bytes keeps the walker from buffering the image's other files for
/// the binary analyzers. ELF and Mach-O files must be executable; PE files have no mode
/// bit to say so (Windows layers and downloads in Linux images leave it unset).
pub(crate) fn is_executable_binary(meta: &kensa_core::FileMeta, head: &[u8]) -> bool {
    match BinaryKind::sniff(head) {
        Some(BinaryKind::Elf | BinaryKind::MachO) => meta.mode & 0o111 != 0,
        Some(BinaryKind::Pe) => true,
        None => false,
    }
}

/// The executable formats Go and Rust toolchains write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryKind {
    Elf,
    MachO,
    Pe,
}

impl BinaryKind {
    /// The format by its magic bytes. Universal (fat) Mach-O files are left out: their
    /// magic is also Java's class file magic.
    pub(crate) fn sniff(head: &[u8]) -> Option<BinaryKind> {
        match head.get(..4)? {
            b"\x7fELF" => Some(BinaryKind::Elf),
            [0xfe, 0xed, 0xfa, 0xce | 0xcf] | [0xce | 0xcf, 0xfa, 0xed, 0xfe] => {
                Some(BinaryKind::MachO)
            }
            [b'M', b'Z', ..] => Some(BinaryKind::Pe),
            _ => None,
        }
    }
}

#[cfg(test)]
mod walk_tests;

/// A package with the fields every language analyzer fills, and its purl.
pub(crate) fn package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    found_by: &'static str,
    path: &str,
) -> Package {
    Package {
        dev: false,
        relationship: None,
        ecosystem,
        name: name.to_owned(),
        version: version.to_owned(),
        purl: Some(Purl::for_package(ecosystem, name, version).to_string()),
        arch: None,
        source: None,
        licenses: Vec::new(),
        direct: None,
        found_by: found_by.to_owned(),
        location: Location::path(path),
        files: Vec::new(),
    }
}

/// One of the project's own packages (its root or a workspace member), whose version
/// may be empty when the project declares none.
pub(crate) fn own_package(
    ecosystem: Ecosystem,
    name: &str,
    version: &str,
    found_by: &'static str,
    path: &str,
    relationship: Relationship,
) -> Package {
    let mut p = package(ecosystem, name, version, found_by, path);
    p.relationship = Some(relationship);
    p
}

/// The file as UTF-8 text, without a byte-order mark (Windows tools write one into
/// `packages.lock.json` and `requirements.txt`).
pub(crate) fn text<'a>(file: &FileInput<'a>) -> Result<&'a str, AnalyzeError> {
    let s = std::str::from_utf8(file.content).map_err(|e| {
        AnalyzeError::new(format!(
            "not UTF-8 text (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })?;
    Ok(s.strip_prefix('\u{feff}').unwrap_or(s))
}

/// Parses JSON into `T`, naming the line and column of the first problem.
pub(crate) fn json<'a, T: serde::Deserialize<'a>>(
    file: &FileInput<'a>,
    what: &str,
) -> Result<T, AnalyzeError> {
    serde_json::from_str(text(file)?).map_err(|e| AnalyzeError::new(format!("invalid {what}: {e}")))
}

/// Parses TOML into `T`.
pub(crate) fn toml<T: serde::de::DeserializeOwned>(
    file: &FileInput<'_>,
    what: &str,
) -> Result<T, AnalyzeError> {
    toml::from_str(text(file)?).map_err(|e| {
        // toml's messages span several lines with a source excerpt; the first is the gist.
        let msg = e.message().lines().next().unwrap_or_default().to_owned();
        match e.span() {
            Some(span) => {
                AnalyzeError::new(format!("invalid {what} at byte {}: {msg}", span.start))
            }
            None => AnalyzeError::new(format!("invalid {what}: {msg}")),
        }
    })
}

/// Parses YAML into `T`. serde-saphyr's default budget (250,000 nodes) is sized for
/// configuration files; a monorepo lockfile of a few MiB has more, so the node and
/// event budgets grow with the input, while the alias limits that stop "billion
/// laughs" expansion stay at their defaults.
pub(crate) fn yaml<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<T, AnalyzeError> {
    serde_saphyr::from_str_with_options(text, yaml_options(text))
        .map_err(|e| AnalyzeError::new(format!("invalid {what}: {e}")))
}

/// Every document of a multi-document YAML stream (`---` separated), with [`yaml`]'s
/// limits over the whole stream.
pub(crate) fn yaml_documents<T: serde::de::DeserializeOwned>(
    text: &str,
    what: &str,
) -> Result<Vec<T>, AnalyzeError> {
    serde_saphyr::from_str_multiple_with_options(text, yaml_options(text))
        .map_err(|e| AnalyzeError::new(format!("invalid {what}: {e}")))
}

/// The parser's default budget, raised in proportion to the input so that a large but
/// honest lockfile parses while alias bombs still stop.
fn yaml_options(text: &str) -> serde_saphyr::Options {
    let mut budget = serde_saphyr::budget::Budget::default();
    budget.max_nodes = budget.max_nodes.max(text.len());
    budget.max_events = budget.max_events.max(text.len().saturating_mul(2));
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// The contents of the first of `names` that an ELF, Mach-O or PE executable has, with
/// the parsed file (for reading what the section points to), or `None` when `content` is
/// none of these or has no such section. The magic is checked first: binary analyzers
/// see every file of the image and must return fast for the rest.
pub(crate) fn binary_section<'a>(
    content: &'a [u8],
    names: &[&str],
) -> Option<(object::File<'a>, &'a [u8])> {
    use object::{Object, ObjectSection};
    BinaryKind::sniff(content)?;
    // A file with an executable's magic that object cannot parse is not one we can say
    // anything about; whether it is a broken binary is not an inventory question.
    let file = object::File::parse(content).ok()?;
    let data = names
        .iter()
        .find_map(|name| file.section_by_name(name))?
        .data()
        .ok()?;
    Some((file, data))
}

/// Test helpers shared by the analyzers' tests.
#[cfg(test)]
pub(crate) mod testing {
    use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, FileKind, FileMeta};

    pub(crate) fn run(
        analyzer: &dyn Analyzer,
        path: &str,
        content: &[u8],
    ) -> Result<AnalysisOutput, AnalyzeError> {
        let meta = FileMeta {
            kind: FileKind::Regular,
            mode: 0o644,
            uid: 0,
            gid: 0,
            size: content.len() as u64,
            link_target: None,
        };
        let mut out = AnalysisOutput::default();
        analyzer.analyze(
            &FileInput {
                path,
                meta: &meta,
                content,
            },
            &mut out,
        )?;
        for p in &out.packages {
            assert_eq!(p.found_by, analyzer.id());
            assert_eq!(p.location.path.as_deref(), Some(path));
        }
        Ok(out)
    }

    /// The names of the packages marked as development-only, in order.
    pub(crate) fn dev_names(out: &AnalysisOutput) -> Vec<&str> {
        out.packages
            .iter()
            .filter(|p| p.dev)
            .map(|p| p.name.as_str())
            .collect()
    }

    /// A Mach-O file (an object file: its sections are read as an executable's) with
    /// `contents` in the `__DATA` section `section`.
    pub(crate) fn macho(section: &str, contents: &[u8]) -> Vec<u8> {
        use object::write::{Object, StandardSection, StandardSegment};
        use object::{Architecture, BinaryFormat, Endianness, SectionKind};
        let mut obj = Object::new(
            BinaryFormat::MachO,
            Architecture::Aarch64,
            Endianness::Little,
        );
        let text = obj.section_id(StandardSection::Text);
        obj.append_section_data(text, &[0xc0, 0x03, 0x5f, 0xd6], 4);
        let data = obj.add_section(
            obj.segment_name(StandardSegment::Data).to_vec(),
            section.as_bytes().to_vec(),
            SectionKind::Data,
        );
        obj.append_section_data(data, contents, 8);
        obj.write().expect("a Mach-O object with two sections")
    }

    /// A PE executable (x86-64) with a `.text` section and `contents` in the section
    /// named `section` (at most 8 bytes, as PE section names are).
    pub(crate) fn pe(section: &str, contents: &[u8]) -> Vec<u8> {
        use object::pe;
        use object::write::pe::{NtHeaders, Writer};
        let mut name = [0u8; 8];
        name[..section.len()].copy_from_slice(section.as_bytes());
        let mut buf = Vec::new();
        let mut w = Writer::new(true, 0x1000, 0x200, &mut buf);
        w.reserve_dos_header_and_stub();
        w.reserve_nt_headers(16);
        w.reserve_section_headers(2);
        let code = [0xc3u8; 16];
        let text = w.reserve_text_section(code.len() as u32);
        let size = u32::try_from(contents.len()).expect("small test section");
        let data = w.reserve_section(
            name,
            pe::IMAGE_SCN_CNT_INITIALIZED_DATA | pe::IMAGE_SCN_MEM_READ | pe::IMAGE_SCN_MEM_WRITE,
            size,
            size,
        );
        w.write_dos_header_and_stub().expect("DOS header");
        w.write_nt_headers(NtHeaders {
            machine: pe::IMAGE_FILE_MACHINE_AMD64,
            time_date_stamp: 0,
            characteristics: pe::IMAGE_FILE_EXECUTABLE_IMAGE | pe::IMAGE_FILE_LARGE_ADDRESS_AWARE,
            major_linker_version: 3,
            minor_linker_version: 0,
            address_of_entry_point: text.virtual_address,
            image_base: 0x1_4000_0000,
            major_operating_system_version: 6,
            minor_operating_system_version: 0,
            major_image_version: 0,
            minor_image_version: 0,
            major_subsystem_version: 6,
            minor_subsystem_version: 0,
            subsystem: pe::IMAGE_SUBSYSTEM_WINDOWS_CUI,
            dll_characteristics: 0,
            size_of_stack_reserve: 0x20_0000,
            size_of_stack_commit: 0x1000,
            size_of_heap_reserve: 0x10_0000,
            size_of_heap_commit: 0x1000,
        });
        w.write_section_headers();
        w.write_section(text.file_offset, &code);
        w.write_section(data.file_offset, contents);
        buf
    }

    /// A minimal ELF executable holding the given `(name, address, contents)` sections,
    /// laid out as the Go and Rust linkers would (allocated PROGBITS sections).
    pub(crate) fn elf(sections: &[(&str, u64, &[u8])], is_64: bool, big_endian: bool) -> Vec<u8> {
        let put = |out: &mut Vec<u8>, v: u64, n: usize| {
            let bytes = v.to_le_bytes();
            let mut b = bytes[..n].to_vec();
            if big_endian {
                b.reverse();
            }
            out.extend_from_slice(&b);
        };
        let word = if is_64 { 8 } else { 4 };
        let ehsize = if is_64 { 64 } else { 52 };
        let shentsize = if is_64 { 64 } else { 40 };
        let mut shstrtab = vec![0u8];
        let mut names = Vec::new();
        for (name, _, _) in sections.iter().copied().chain([(".shstrtab", 0, &[][..])]) {
            names.push(shstrtab.len() as u64);
            shstrtab.extend_from_slice(name.as_bytes());
            shstrtab.push(0);
        }
        let mut body = Vec::new();
        let mut offsets = Vec::new();
        for (_, _, data) in sections {
            offsets.push(ehsize + body.len() as u64);
            body.extend_from_slice(data);
        }
        let strtab_off = ehsize + body.len() as u64;
        body.extend_from_slice(&shstrtab);
        while body.len() % 8 != 0 {
            body.push(0);
        }
        let shoff = ehsize + body.len() as u64;
        let mut out = vec![0x7f, b'E', b'L', b'F'];
        out.push(if is_64 { 2 } else { 1 });
        out.push(if big_endian { 2 } else { 1 });
        out.push(1);
        out.resize(16, 0);
        put(&mut out, 2, 2); // ET_EXEC
        put(&mut out, if big_endian { 21 } else { 62 }, 2); // PPC64 / x86-64
        put(&mut out, 1, 4);
        put(&mut out, 0x401000, word); // entry
        put(&mut out, 0, word); // no program headers
        put(&mut out, shoff, word);
        put(&mut out, 0, 4);
        put(&mut out, ehsize, 2);
        put(&mut out, if is_64 { 56 } else { 32 }, 2);
        put(&mut out, 0, 2);
        put(&mut out, shentsize, 2);
        put(&mut out, sections.len() as u64 + 2, 2);
        put(&mut out, sections.len() as u64 + 1, 2);
        out.extend_from_slice(&body);
        let header =
            |out: &mut Vec<u8>, name: u64, ty: u64, flags: u64, addr: u64, off: u64, size: u64| {
                put(out, name, 4);
                put(out, ty, 4);
                put(out, flags, word);
                put(out, addr, word);
                put(out, off, word);
                put(out, size, word);
                put(out, 0, 4);
                put(out, 0, 4);
                put(out, 1, word);
                put(out, 0, word);
            };
        header(&mut out, 0, 0, 0, 0, 0, 0);
        for (i, (_, addr, data)) in sections.iter().enumerate() {
            header(
                &mut out,
                names[i],
                1,
                2,
                *addr,
                offsets[i],
                data.len() as u64,
            );
        }
        header(
            &mut out,
            names[sections.len()],
            3,
            0,
            0,
            strtab_off,
            shstrtab.len() as u64,
        );
        out
    }

    /// `(name, version)` of every dependency found (the project's own packages left
    /// out; [`own`] lists those).
    pub(crate) fn nv(out: &AnalysisOutput) -> Vec<(String, String)> {
        out.packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| (p.name.clone(), p.version.clone()))
            .collect()
    }

    /// `(relationship, name, version)` of the project's own packages, in order.
    pub(crate) fn own(out: &AnalysisOutput) -> Vec<(&'static str, &str, &str)> {
        out.packages
            .iter()
            .filter_map(|p| {
                p.relationship
                    .map(|r| (r.as_str(), p.name.as_str(), p.version.as_str()))
            })
            .collect()
    }

    /// Whether the walker routes `path` to `analyzer`.
    pub(crate) fn wants(analyzer: &dyn Analyzer, path: &str) -> bool {
        wanted(analyzer, path)
    }

    /// Asserts that exactly the paths in `yes` are routed to `analyzer`, using the same
    /// glob semantics as the walker (`*` does not cross `/`).
    pub(crate) fn assert_wants(analyzer: &dyn Analyzer, yes: &[&str], no: &[&str]) {
        for (paths, expect) in [(yes, true), (no, false)] {
            for path in paths {
                assert_eq!(
                    wanted(analyzer, path),
                    expect,
                    "{} wants `{path}`",
                    analyzer.id()
                );
            }
        }
    }

    fn wanted(analyzer: &dyn Analyzer, path: &str) -> bool {
        use kensa_core::PathSpec;
        let name = path.rsplit('/').next().unwrap_or(path);
        analyzer.wants().iter().any(|spec| match *spec {
            PathSpec::Exact(p) => p == path,
            PathSpec::FileName(n) => n == name,
            PathSpec::Suffix(s) => path.ends_with(s),
            PathSpec::Glob(g) => globset::GlobBuilder::new(g)
                .literal_separator(true)
                .build()
                .unwrap()
                .compile_matcher()
                .is_match(path),
            PathSpec::AnyFile => true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both binary analyzers decline, from the first bytes, whatever is not an
    /// executable ELF file.
    #[test]
    fn binary_analyzers_accept_only_executable_elf_files() {
        use kensa_core::Analyzer;
        let meta = |mode| kensa_core::FileMeta {
            kind: kensa_core::FileKind::Regular,
            mode,
            uid: 0,
            gid: 0,
            size: 100,
            link_target: None,
        };
        let analyzers: [&dyn Analyzer; 2] =
            [&go_binary::GoBinary, &cargo_auditable::CargoAuditable];
        for analyzer in analyzers {
            let id = analyzer.id();
            assert!(analyzer.accepts(&meta(0o755), b"\x7fELF\x02\x01"), "{id}");
            assert!(analyzer.accepts(&meta(0o100), b"\x7fELF\x02\x01"), "{id}");
            assert!(!analyzer.accepts(&meta(0o644), b"\x7fELF\x02\x01"), "{id}");
            assert!(!analyzer.accepts(&meta(0o755), b"#!/bin/sh\n"), "{id}");
            assert!(!analyzer.accepts(&meta(0o755), b""), "{id}");
        }
    }

    #[test]
    fn yaml_budget_grows_with_the_input() {
        // 260,000 scalars: past serde-saphyr's default of 250,000 nodes.
        let big = "- 1\n".repeat(260_000);
        let v: Vec<u8> = yaml(&big, "test.yaml").unwrap();
        assert_eq!(v.len(), 260_000);
    }
}
