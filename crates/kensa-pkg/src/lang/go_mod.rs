//! Go module requirements (`go.mod`).

use std::collections::BTreeMap;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{package, text};

/// Reads `require` directives of `go.mod`, applying `replace` directives and the
/// `// indirect` markers.
pub struct GoMod;

struct Require<'a> {
    path: &'a str,
    version: &'a str,
    indirect: bool,
    line: usize,
}

/// A `replace` target: another module version, or a local directory.
enum Target<'a> {
    Module(&'a str, &'a str),
    Local,
}

impl Analyzer for GoMod {
    fn id(&self) -> &'static str {
        "go-mod"
    }

    fn version(&self) -> u32 {
        3
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::FileName("go.mod")]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let (requires, replaces, toolchain, module) = parse(text(file)?)?;
        if let Some((path, line)) = module {
            // A module's version is its VCS tag, which go.mod does not record.
            let mut p = super::own_package(
                Ecosystem::Go,
                path,
                "",
                self.id(),
                file.path,
                kensa_core::Relationship::Root,
            );
            p.location.line = u32::try_from(line).ok();
            out.packages.push(p);
        }
        if let Some((version, line)) = toolchain {
            let mut p = package(Ecosystem::Go, "stdlib", &version, self.id(), file.path);
            p.location.line = u32::try_from(line).ok();
            out.packages.push(p);
        }
        for r in requires {
            // A replacement of one version wins over one of every version.
            let target = replaces
                .get(&(r.path, Some(r.version)))
                .or_else(|| replaces.get(&(r.path, None)));
            let (path, version) = match target {
                None => (r.path, r.version),
                Some(Target::Module(p, v)) => (*p, *v),
                // Replaced by a directory of the project: source, not a dependency.
                Some(Target::Local) => continue,
            };
            let mut p = package(Ecosystem::Go, path, version, self.id(), file.path);
            p.direct = Some(!r.indirect);
            p.location.line = u32::try_from(r.line).ok();
            out.packages.push(p);
        }
        Ok(())
    }
}

type Replaces<'a> = BTreeMap<(&'a str, Option<&'a str>), Target<'a>>;

/// The requirements, the replacements, the standard library's version with its line,
/// and the module's own path with its line.
type Parsed<'a> = (
    Vec<Require<'a>>,
    Replaces<'a>,
    Option<(String, usize)>,
    Option<(&'a str, usize)>,
);

fn parse(text: &str) -> Result<Parsed<'_>, AnalyzeError> {
    let mut requires = Vec::new();
    let mut replaces = BTreeMap::new();
    let mut toolchain = None;
    let mut go = None;
    let mut module = None;
    let mut block: Option<&str> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let (code, comment) = match raw.split_once("//") {
            Some((c, k)) => (c, Some(k)),
            None => (raw, None),
        };
        let words: Vec<&str> = code.split_whitespace().collect();
        let (verb, body): (&str, &[&str]) = match (block, words.as_slice()) {
            (Some(_), [")"]) => {
                block = None;
                continue;
            }
            (Some(verb), w) => (verb, w),
            (None, [verb, "("]) => {
                block = Some(verb);
                continue;
            }
            (None, [verb, rest @ ..]) => (*verb, rest),
            (None, []) => continue,
        };
        if body.is_empty() {
            continue;
        }
        let bad = || {
            AnalyzeError::new(format!(
                "go.mod line {line_no}: malformed `{verb}` directive `{}`",
                raw.trim().chars().take(200).collect::<String>()
            ))
        };
        match verb {
            "require" => {
                let [path, version] = body else {
                    return Err(bad());
                };
                requires.push(Require {
                    path: unquote(path),
                    version: unquote(version),
                    indirect: comment.is_some_and(|c| c.split(';').any(|w| w.trim() == "indirect")),
                    line: line_no,
                });
            }
            "replace" => {
                let (old, new) = match body {
                    [old, "=>", new @ ..] => ((unquote(old), None), new),
                    [old, v, "=>", new @ ..] => ((unquote(old), Some(unquote(v))), new),
                    _ => return Err(bad()),
                };
                let target = match new {
                    [_dir] => Target::Local,
                    [p, v] => Target::Module(unquote(p), unquote(v)),
                    _ => return Err(bad()),
                };
                replaces.insert(old, target);
            }
            "toolchain" => {
                toolchain = stdlib_version(body.first().copied(), true).map(|v| (v, line_no))
            }
            "go" => go = stdlib_version(body.first().copied(), false).map(|v| (v, line_no)),
            "module" => module = body.first().map(|m| (unquote(m), line_no)),
            // exclude, retract, godebug: not dependencies.
            _ => {}
        }
    }
    if let Some(verb) = block {
        return Err(AnalyzeError::new(format!(
            "go.mod ends inside a `{verb} (` block"
        )));
    }
    Ok((requires, replaces, toolchain.or(go), module))
}

/// The standard library the module builds with, in the module form the Go vulnerability
/// database uses: the `toolchain` directive (`go1.22.3`), else the `go` directive, which
/// since Go 1.21 is the minimum toolchain (`1.21` is the release `1.21.0`). Before 1.21 the
/// `go` line is only a language version and says nothing about the toolchain.
fn stdlib_version(word: Option<&str>, is_toolchain: bool) -> Option<String> {
    let word = word?;
    let version = if is_toolchain {
        // `go1.22.3`, or `go1.22.3-custom` / `default`.
        word.strip_prefix("go")?.split('-').next()?
    } else {
        word
    };
    let parts: Vec<u64> = version
        .split('.')
        .map(|p| p.parse().ok())
        .collect::<Option<_>>()?;
    match parts.as_slice() {
        [1, minor] if *minor >= 21 => Some(format!("v1.{minor}.0")),
        [1, minor, patch] if *minor >= 21 || is_toolchain => Some(format!("v1.{minor}.{patch}")),
        _ => None,
    }
}

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, own, run};

    #[test]
    fn wants_go_mod() {
        assert_wants(
            &GoMod,
            &["go.mod", "src/app/go.mod"],
            &["src/app/go.sum", "src/app/go.mod.bak"],
        );
    }

    #[test]
    fn reads_requires_with_indirect_and_replacements() {
        let gomod = "module example.com/shop\r\n\r\ngo 1.21\r\n\r\ntoolchain go1.21.3\r\n\r\n\
            require github.com/gorilla/mux v1.8.0\r\n\r\n\
            require (\r\n\
            \tgithub.com/sirupsen/logrus v1.9.3\r\n\
            \tgolang.org/x/sys v0.13.0 // indirect\r\n\
            \tgithub.com/old/lib v1.0.0+incompatible // indirect; pinned\r\n\
            \texample.com/internal/util v0.0.0-00010101000000-000000000000\r\n\
            )\r\n\r\n\
            exclude golang.org/x/sys v0.1.0\r\n\
            replace golang.org/x/sys => golang.org/x/sys v0.14.0\r\n\
            replace (\r\n\
            \texample.com/internal/util => ./util\r\n\
            \tgithub.com/old/lib v1.0.0+incompatible => github.com/new/lib v1.2.0\r\n\
            )\r\n";
        let out = run(&GoMod, "src/app/go.mod", gomod.as_bytes()).unwrap();
        assert_eq!(own(&out), [("root", "example.com/shop", "")]);
        assert_eq!(out.packages[0].location.line, Some(1));
        assert!(!crate::lang::is_vulnerability_matched(&out.packages[0]));
        let got: Vec<_> = out
            .packages
            .iter()
            .filter(|p| p.relationship.is_none())
            .map(|p| {
                (
                    p.name.as_str(),
                    p.version.as_str(),
                    p.direct,
                    p.location.line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("stdlib", "v1.21.3", None, Some(5)),
                ("github.com/gorilla/mux", "v1.8.0", Some(true), Some(7)),
                ("github.com/sirupsen/logrus", "v1.9.3", Some(true), Some(10)),
                ("golang.org/x/sys", "v0.14.0", Some(false), Some(11)),
                ("github.com/new/lib", "v1.2.0", Some(false), Some(12)),
            ]
        );
        assert_eq!(
            out.packages[2].purl.as_deref(),
            Some("pkg:golang/github.com/gorilla/mux@v1.8.0")
        );
    }

    #[test]
    fn issue_15_stdlib_from_the_toolchain_else_the_go_directive() {
        let stdlib = |gomod: &str| -> Vec<String> {
            run(&GoMod, "go.mod", gomod.as_bytes())
                .unwrap()
                .packages
                .into_iter()
                .filter(|p| p.name == "stdlib")
                .map(|p| p.version)
                .collect()
        };
        assert_eq!(
            stdlib("module m\ngo 1.22.1\ntoolchain go1.23.4\n"),
            ["v1.23.4"]
        );
        assert_eq!(stdlib("module m\ngo 1.22.1\n"), ["v1.22.1"]);
        assert_eq!(stdlib("module m\ngo 1.21\n"), ["v1.21.0"]);
        // Before 1.21 the go line is a language version, not a toolchain.
        assert!(stdlib("module m\ngo 1.19\n").is_empty());
        assert!(stdlib("module m\ngo 1.21\ntoolchain default\n") == ["v1.21.0"]);
    }

    #[test]
    fn malformed_directives_are_errors() {
        for bad in [
            "require github.com/a/b\n",
            "require (\n\tgithub.com/a/b v1 extra\n)\n",
            "replace a => \n",
            "require (\n\tgithub.com/a/b v1.0.0\n",
        ] {
            assert!(run(&GoMod, "go.mod", bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
