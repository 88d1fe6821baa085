//! Go modules compiled into ELF, Mach-O and PE binaries, from the build info the Go
//! linker embeds.

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{BinaryKind, binary_section, package};

/// The analyzer's id.
pub(crate) const ID: &str = "go-binary";

/// Reads the `.go.buildinfo` section: the toolchain version (reported as the `stdlib`
/// package), the main module and every dependency module with its version.
pub struct GoBinary;

const MAGIC: &[u8] = b"\xff Go buildinf:";
/// The build info header; the inline strings (Go 1.18+) follow it.
const HEADER_SIZE: usize = 32;
/// `cmd/go` frames the module info with 16-byte sentinels on each side.
const SENTINEL: usize = 16;
/// Go's own reader refuses strings longer than this (`debug/buildinfo`).
const MAX_STRING: u64 = 1 << 20;

impl Analyzer for GoBinary {
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
        // Go binaries live anywhere (`/app`, `/ko-app/x`, `/usr/local/bin`) and have no
        // telling name; `analyze` rejects everything that is not ELF by its first bytes.
        &[PathSpec::AnyFile]
    }

    fn accepts(&self, meta: &kensa_core::FileMeta, head: &[u8]) -> bool {
        super::is_executable_binary(meta, head)
    }

    fn max_file_size(&self) -> u64 {
        256 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        // ELF and Mach-O name the section; in PE files the Go linker puts the build info
        // in `.data`, which every other PE file has too, so there only the magic tells.
        let pe = BinaryKind::sniff(file.content) == Some(BinaryKind::Pe);
        let names: &[&str] = if pe {
            &[".data"]
        } else {
            &[".go.buildinfo", "__go_buildinfo"]
        };
        let Some((elf, section)) = binary_section(file.content, names) else {
            return Ok(());
        };
        if pe && memchr::memmem::find(section, MAGIC).is_none() {
            return Ok(());
        }
        let (toolchain, modinfo) = read_buildinfo(&elf, section)?;
        let info = parse_modinfo(&modinfo);
        let id = self.id();
        let mk = |name: &str, version: &str| package(Ecosystem::Go, name, version, id, file.path);
        // `go1.22.1 X:boringcrypto` and `devel go1.23-abc`: only a release names a
        // standard library whose advisories can be matched.
        if let Some(v) = toolchain
            .split_whitespace()
            .next()
            .and_then(|t| t.strip_prefix("go"))
            .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
        {
            out.packages.push(mk("stdlib", &format!("v{v}")));
        }
        // A main module built from a checkout without VCS stamping is `(devel)`, which
        // names no release; release builds usually stamp one with `-X main.version=…`,
        // which the build settings record. Without either the main module is reported
        // with no version rather than a fake one.
        if let Some((path, version)) = info.main {
            let version = if version == "(devel)" || version.is_empty() {
                info.ldflags
                    .as_deref()
                    .and_then(ldflags_version)
                    .unwrap_or_default()
            } else {
                version.to_owned()
            };
            let mut main = mk(path, &version);
            main.relationship = Some(kensa_core::Relationship::Root);
            out.packages.push(main);
        }
        for (path, version) in info.deps {
            // Go does not record which modules the main module requires directly.
            out.packages.push(mk(path, version));
        }
        Ok(())
    }
}

/// The toolchain version and the module info text.
fn read_buildinfo(
    elf: &object::File<'_>,
    section: &[u8],
) -> Result<(String, String), AnalyzeError> {
    use object::Object;
    let at = memchr::memmem::find(section, MAGIC)
        .ok_or_else(|| AnalyzeError::new("`.go.buildinfo` section has no build info magic"))?;
    let data = section.get(at..).unwrap_or_default();
    let truncated = || AnalyzeError::new("`.go.buildinfo` section is truncated");
    let ptr_size = usize::from(*data.get(14).ok_or_else(truncated)?);
    let flags = *data.get(15).ok_or_else(truncated)?;
    let (version, modinfo) = if flags & 2 != 0 {
        let rest = data.get(HEADER_SIZE..).ok_or_else(truncated)?;
        let (version, rest) = uvarint_string(rest).ok_or_else(truncated)?;
        let (modinfo, _) = uvarint_string(rest).ok_or_else(truncated)?;
        (version.to_vec(), modinfo.to_vec())
    } else {
        // Before Go 1.18 the header holds pointers to Go string headers elsewhere in
        // the binary.
        if ptr_size != 4 && ptr_size != 8 {
            return Err(AnalyzeError::new(format!(
                "`.go.buildinfo` has pointer size `{ptr_size}`, expected 4 or 8"
            )));
        }
        let big = flags & 1 != 0;
        let read_ptr = |b: &[u8]| -> Option<u64> {
            let b = b.get(..ptr_size)?;
            let mut v = 0u64;
            if big {
                for &x in b {
                    v = (v << 8) | u64::from(x);
                }
            } else {
                for &x in b.iter().rev() {
                    v = (v << 8) | u64::from(x);
                }
            }
            Some(v)
        };
        let read_at = |addr: u64, len: u64| -> Option<&[u8]> {
            elf.sections().find_map(|s| {
                use object::ObjectSection;
                s.data_range(addr, len).ok().flatten()
            })
        };
        let read_string = |ptr_at: usize| -> Result<Vec<u8>, AnalyzeError> {
            let addr = data
                .get(ptr_at..)
                .and_then(read_ptr)
                .ok_or_else(truncated)?;
            let width = ptr_size as u64;
            let header = read_at(addr, 2 * width).ok_or_else(|| {
                AnalyzeError::new(format!(
                    "Go build info points outside the binary (`{addr:#x}`)"
                ))
            })?;
            let str_addr = read_ptr(header).ok_or_else(truncated)?;
            let len = header
                .get(ptr_size..)
                .and_then(read_ptr)
                .ok_or_else(truncated)?;
            if len > MAX_STRING {
                return Err(AnalyzeError::new(format!(
                    "Go build info string of `{len}` bytes is larger than the `{MAX_STRING}` Go allows"
                )));
            }
            read_at(str_addr, len).map(<[u8]>::to_vec).ok_or_else(|| {
                AnalyzeError::new(format!(
                    "Go build info string at `{str_addr:#x}` is outside the binary"
                ))
            })
        };
        (read_string(16)?, read_string(16 + ptr_size)?)
    };
    let version = String::from_utf8(version)
        .map_err(|_| AnalyzeError::new("Go toolchain version is not UTF-8"))?;
    if version.is_empty() {
        return Err(AnalyzeError::new(
            "Go build info has an empty toolchain version",
        ));
    }
    // Without its framing the module info is absent (a binary built outside module
    // mode); Go's reader treats it the same way.
    let modinfo = match modinfo.len().checked_sub(SENTINEL + 1) {
        Some(nl) if modinfo.len() > 2 * SENTINEL && modinfo.get(nl) == Some(&b'\n') => modinfo
            .get(SENTINEL..modinfo.len() - SENTINEL)
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok((version, modinfo))
}

/// A uvarint length, then that many bytes; `None` when either runs past the end.
fn uvarint_string(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut len = 0u64;
    let mut shift = 0u32;
    let mut used = 0usize;
    loop {
        let b = *data.get(used)?;
        used += 1;
        if shift > 63 {
            return None;
        }
        len |= u64::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    let len = usize::try_from(len).ok()?;
    let end = used.checked_add(len)?;
    Some((data.get(used..end)?, data.get(end..)?))
}

struct ModInfo<'a> {
    main: Option<(&'a str, &'a str)>,
    deps: Vec<(&'a str, &'a str)>,
    /// The `-ldflags` build setting (Go 1.18+), unquoted.
    ldflags: Option<String>,
}

/// A build setting's value as `runtime/debug` writes it: Go-quoted (`strconv.Quote`)
/// when it holds a space, tab, newline, quote or backquote.
fn unquote_setting(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The version a release build stamped into a variable with `-X pkg.name=value`, as
/// goreleaser and most Makefiles do (`main.version`, `main.Version`, `cmd.version`,
/// `…/version.Version`): the value of an `-X` whose variable is named `version`
/// (any case), `main`'s first. Values that are not versions (`$(VERSION)` left
/// unexpanded, `dev`) are passed over. Returned with Go's `v` prefix.
fn ldflags_version(ldflags: &str) -> Option<String> {
    let mut words = ldflags
        .split_whitespace()
        .map(|w| w.trim_matches(|c| c == '\'' || c == '"'));
    let mut assignments = Vec::new();
    while let Some(w) = words.next() {
        let w = w.strip_prefix('-').unwrap_or(w);
        let w = w.strip_prefix('-').unwrap_or(w);
        let value = match w.strip_prefix("X") {
            Some("") => words.next(),
            Some(rest) => rest.strip_prefix('='),
            None => None,
        };
        if let Some((var, val)) = value.and_then(|v| v.split_once('=')) {
            assignments.push((var, val));
        }
    }
    let is_version_var = |var: &str| {
        var.rsplit_once('.')
            .is_some_and(|(_, name)| name.eq_ignore_ascii_case("version"))
    };
    let as_version = |val: &str| {
        let bare = val.strip_prefix('v').unwrap_or(val);
        bare.starts_with(|c: char| c.is_ascii_digit())
            .then(|| format!("v{bare}"))
    };
    let mut candidates: Vec<&(&str, &str)> = assignments
        .iter()
        .filter(|(var, _)| is_version_var(var))
        .collect();
    candidates.sort_by_key(|(var, _)| !var.starts_with("main."));
    candidates.iter().find_map(|(_, val)| as_version(val))
}

/// The `mod`, `dep` and `=>` lines of the module info (`runtime/debug.BuildInfo`'s text
/// form); a `=>` line replaces the module on the line before it.
fn parse_modinfo(text: &str) -> ModInfo<'_> {
    let mut info = ModInfo {
        main: None,
        deps: Vec::new(),
        ldflags: None,
    };
    for line in text.lines() {
        let mut f = line.split('\t');
        match (f.next(), f.next(), f.next()) {
            (Some("mod"), Some(path), version) => {
                info.main = Some((path, version.unwrap_or_default()));
            }
            (Some("dep"), Some(path), Some(version)) => info.deps.push((path, version)),
            (Some("build"), Some(setting), _) => {
                if let Some(v) = setting.strip_prefix("-ldflags=") {
                    info.ldflags = Some(unquote_setting(v));
                }
            }
            (Some("=>"), Some(path), version) => match version.filter(|v| !v.is_empty()) {
                Some(v) => {
                    if let Some(last) = info.deps.last_mut() {
                        *last = (path, v);
                    }
                }
                // Replaced by a local directory: the project's own code, not a module.
                None => {
                    info.deps.pop();
                }
            },
            _ => {}
        }
    }
    info
}

/// Builds Go build info for tests and fuzz seeds (feature `encoders`).
#[cfg(any(test, feature = "encoders"))]
pub mod encode {
    use super::{HEADER_SIZE, MAGIC};

    const START: &[u8] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
    const END: &[u8] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

    /// `modinfo` between the sentinels the Go linker writes around it.
    pub fn framed(modinfo: &str) -> Vec<u8> {
        [START, modinfo.as_bytes(), END].concat()
    }

    /// The Go 1.18+ layout: header, then the two strings inline with uvarint lengths.
    pub fn inline_buildinfo(version: &str, modinfo: &[u8]) -> Vec<u8> {
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.resize(HEADER_SIZE, 0);
        for s in [version.as_bytes(), modinfo] {
            let mut n = s.len();
            while n >= 0x80 {
                b.push((n as u8) | 0x80);
                n >>= 7;
            }
            b.push(n as u8);
            b.extend_from_slice(s);
        }
        b
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::encode::*;
    use super::*;
    use crate::lang::testing::{assert_wants, elf, macho, nv, own, pe, run};

    const MODINFO: &str = "path\texample.com/shop/cmd/shop\n\
        mod\texample.com/shop\tv1.4.0\th1:abc=\n\
        dep\tgithub.com/gorilla/mux\tv1.8.0\th1:i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI=\n\
        dep\tgolang.org/x/sys\tv0.13.0\n\
        =>\tgolang.org/x/sys\tv0.14.0\th1:x=\n\
        dep\texample.com/shop/internal\tv0.0.0\n\
        =>\t../internal\t\t\n\
        build\t-compiler=gc\n\
        build\tvcs.revision=0123456789abcdef\n";

    fn expected() -> Vec<(String, String)> {
        [
            ("stdlib", "v1.21.3"),
            ("github.com/gorilla/mux", "v1.8.0"),
            ("golang.org/x/sys", "v0.14.0"),
        ]
        .map(|(a, b)| (a.to_owned(), b.to_owned()))
        .to_vec()
    }

    #[test]
    fn wants_every_file() {
        assert_wants(
            &GoBinary,
            &["app/server", "usr/local/bin/kubectl", "ko-app/x"],
            &[],
        );
    }

    #[test]
    fn reads_inline_build_info() {
        let section = inline_buildinfo("go1.21.3", &framed(MODINFO));
        let bin = elf(
            &[
                (".text", 0x401000, &[0xc3; 64]),
                (".go.buildinfo", 0x5a0000, &section),
            ],
            true,
            false,
        );
        let out = run(&GoBinary, "app/server", &bin).unwrap();
        assert_eq!(nv(&out), expected());
        assert_eq!(own(&out), [("root", "example.com/shop", "v1.4.0")]);
        assert!(crate::lang::is_vulnerability_matched(&out.packages[1]));
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:golang/stdlib@v1.21.3")
        );
        assert_eq!(
            out.packages[3].purl.as_deref(),
            Some("pkg:golang/golang.org/x/sys@v0.14.0")
        );
        assert!(out.packages.iter().all(|p| p.direct.is_none()));
    }

    #[test]
    fn issue_15_reads_mach_o_and_pe_binaries() {
        let info = inline_buildinfo("go1.21.3", &framed(MODINFO));
        let out = run(&GoBinary, "bin/shop", &macho("__go_buildinfo", &info)).unwrap();
        assert_eq!(nv(&out), expected());
        // The PE linker puts the build info in `.data`, after other data.
        let data = [vec![0u8; 32], info.clone()].concat();
        let out = run(&GoBinary, "bin/shop.exe", &pe(".data", &data)).unwrap();
        assert_eq!(nv(&out), expected());
        // A PE without Go build info in `.data` is no Go binary, and no error.
        let out = run(&GoBinary, "bin/other.exe", &pe(".data", &[1; 64])).unwrap();
        assert!(out.packages.is_empty());
        let meta = |mode| kensa_core::FileMeta {
            kind: kensa_core::FileKind::Regular,
            mode,
            uid: 0,
            gid: 0,
            size: 0,
            link_target: None,
        };
        assert!(GoBinary.accepts(&meta(0o644), &pe(".data", &data)));
        assert!(GoBinary.accepts(&meta(0o755), &macho("__go_buildinfo", &info)));
        assert!(!GoBinary.accepts(&meta(0o644), &macho("__go_buildinfo", &info)));
        // A Java class file shares the universal Mach-O magic.
        assert!(!GoBinary.accepts(&meta(0o755), b"\xca\xfe\xba\xbe\x00\x00\x00\x34"));
    }

    #[test]
    fn reads_pointer_build_info_of_old_toolchains() {
        for (is_64, big) in [(true, false), (false, true)] {
            let w = if is_64 { 8 } else { 4 };
            let ptr = |v: u64| {
                let b = v.to_le_bytes();
                let mut b = b[..w].to_vec();
                if big {
                    b.reverse();
                }
                b
            };
            let modinfo = framed(MODINFO);
            let rodata_addr = 0x3000u64;
            let mut rodata = b"go1.21.3".to_vec();
            rodata.extend_from_slice(&modinfo);
            // Two Go string headers: (data pointer, length).
            let data_addr = 0x2000u64;
            let data = [
                ptr(rodata_addr),
                ptr(8),
                ptr(rodata_addr + 8),
                ptr(modinfo.len() as u64),
            ]
            .concat();
            let mut section = MAGIC.to_vec();
            section.push(w as u8);
            section.push(u8::from(big));
            section.extend(ptr(data_addr));
            section.extend(ptr(data_addr + 2 * w as u64));
            section.resize(HEADER_SIZE, 0);
            let bin = elf(
                &[
                    (".go.buildinfo", 0x1000, &section),
                    (".data", data_addr, &data),
                    (".rodata", rodata_addr, &rodata),
                ],
                is_64,
                big,
            );
            let out = run(&GoBinary, "bin/old", &bin).unwrap();
            assert_eq!(nv(&out), expected(), "64-bit {is_64}, big-endian {big}");
        }
    }

    #[test]
    fn devel_main_module_and_toolchains_without_release() {
        let modinfo =
            "path\tcmd\nmod\texample.com/cmd\t(devel)\t\ndep\tgithub.com/a/b\tv1.0.0\th1:x=\n";
        let section = inline_buildinfo("devel go1.23-4d5a5b6 Mon Jan 1", &framed(modinfo));
        let bin = elf(&[(".go.buildinfo", 0x1000, &section)], true, false);
        let out = run(&GoBinary, "cmd", &bin).unwrap();
        assert_eq!(nv(&out), [("github.com/a/b".into(), "v1.0.0".into())]);
        // No release and no stamped version: the main module, without a version.
        assert_eq!(own(&out), [("root", "example.com/cmd", "")]);
        // Outside module mode there is no framed module info: only the toolchain.
        let section = inline_buildinfo("go1.17.13 X:boringcrypto", b"");
        let bin = elf(&[(".go.buildinfo", 0x1000, &section)], true, false);
        let out = run(&GoBinary, "cmd", &bin).unwrap();
        assert_eq!(nv(&out), [("stdlib".into(), "v1.17.13".into())]);
    }

    #[test]
    fn issue_15_devel_main_module_takes_its_version_from_ldflags() {
        let modinfo = "path\texample.com/cmd/tool\nmod\texample.com/tool\t(devel)\t\n\
            build\t-ldflags=\"-s -w -X main.commit=abc -X 'main.version=1.2.3'\"\n\
            build\tCGO_ENABLED=0\n";
        let section = inline_buildinfo("go1.22.5", &framed(modinfo));
        let bin = elf(&[(".go.buildinfo", 0x1000, &section)], true, false);
        let out = run(&GoBinary, "tool", &bin).unwrap();
        assert_eq!(own(&out), [("root", "example.com/tool", "v1.2.3")]);
        assert_eq!(
            out.packages[1].purl.as_deref(),
            Some("pkg:golang/example.com/tool@v1.2.3")
        );
    }

    #[test]
    fn ldflags_version_names() {
        for (ldflags, want) in [
            ("-X main.version=1.2.3", Some("v1.2.3")),
            ("-X=main.Version=v2.0.0-rc.1", Some("v2.0.0-rc.1")),
            (
                "-X github.com/x/y/internal/version.Version=0.9.1 -X main.version=0.9.0",
                Some("v0.9.0"),
            ),
            ("--X github.com/x/y/cmd.version=3.1.4", Some("v3.1.4")),
            ("-X main.version=$(VERSION)", None),
            ("-X main.version=dev -s -w", None),
            ("-X main.commit=1.2.3", None),
            ("-X", None),
        ] {
            assert_eq!(ldflags_version(ldflags).as_deref(), want, "{ldflags}");
        }
        assert_eq!(unquote_setting("\"-X \\\"a\\\"\""), "-X \"a\"");
    }

    #[test]
    fn non_go_files_are_skipped_quietly() {
        for content in [
            &b""[..],
            b"#!/bin/sh\necho hi\n",
            b"\x7fELF",
            b"\x7fELF\x02\x01\x01\x00garbage",
            &elf(&[(".text", 0x1000, &[0x90; 16])], true, false),
        ] {
            assert!(run(&GoBinary, "bin/x", content).unwrap().is_empty());
        }
    }

    #[test]
    fn broken_build_info_is_an_error() {
        let mut huge_len = MAGIC.to_vec();
        huge_len.extend_from_slice(&[8, 2]);
        huge_len.resize(HEADER_SIZE, 0);
        huge_len.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
        let mut dangling = MAGIC.to_vec();
        dangling.extend_from_slice(&[8, 0]);
        dangling.extend_from_slice(&0xdead_0000u64.to_le_bytes());
        dangling.extend_from_slice(&0xdead_0010u64.to_le_bytes());
        let mut odd_ptr = MAGIC.to_vec();
        odd_ptr.extend_from_slice(&[3, 0]);
        odd_ptr.resize(HEADER_SIZE, 0);
        let full = inline_buildinfo("go1.21.3", &framed(MODINFO));
        for section in [
            b"no magic here".to_vec(),
            MAGIC.to_vec(),
            huge_len,
            dangling,
            odd_ptr,
            full[..full.len() - 10].to_vec(),
            inline_buildinfo("", b""),
        ] {
            let bin = elf(&[(".go.buildinfo", 0x1000, &section)], true, false);
            assert!(run(&GoBinary, "bin/x", &bin).is_err(), "{section:?}");
        }
    }
}
