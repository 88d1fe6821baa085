//! Ruby gems locked by Bundler (`Gemfile.lock`).

use std::collections::BTreeSet;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{package, text};

/// Reads the `specs:` of the `GEM` and `GIT` sections, marking the gems listed under
/// `DEPENDENCIES` as direct.
pub struct GemfileLock;

impl Analyzer for GemfileLock {
    fn id(&self) -> &'static str {
        "gemfile-lock"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::FileName("Gemfile.lock"),
            PathSpec::FileName("gems.locked"),
        ]
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = text(file)?;
        let mut section = "";
        let mut specs = Vec::new();
        let mut direct = BTreeSet::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if !line.starts_with(' ') {
                section = line.trim();
                continue;
            }
            match section {
                // `PATH` specs are gems of the project itself.
                "GEM" | "GIT" => {
                    // Exactly four spaces: a locked gem; six: one of its requirements.
                    let Some(spec) = line.strip_prefix("    ").filter(|s| !s.starts_with(' '))
                    else {
                        continue;
                    };
                    let (name, rest) = spec.split_once(" (").ok_or_else(|| {
                        AnalyzeError::new(format!(
                            "Gemfile.lock line {}: expected `name (version)`, found `{}`",
                            i + 1,
                            spec.chars().take(100).collect::<String>()
                        ))
                    })?;
                    let version = rest.strip_suffix(')').unwrap_or(rest);
                    // `1.15.4-x86_64-linux`: the platform is not part of the version.
                    let version = version.split('-').next().unwrap_or(version);
                    specs.push((name, version, i + 1));
                }
                "DEPENDENCIES" => {
                    let dep = line.trim();
                    let name = dep.split([' ', '!']).next().unwrap_or(dep);
                    direct.insert(name);
                }
                _ => {}
            }
        }
        let has_deps = !direct.is_empty();
        for (name, version, line) in specs {
            let mut p = package(Ecosystem::Gem, name, version, self.id(), file.path);
            p.direct = has_deps.then(|| direct.contains(name));
            p.location.line = u32::try_from(line).ok();
            out.packages.push(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, run};

    #[test]
    fn wants_lockfiles() {
        assert_wants(
            &GemfileLock,
            &["Gemfile.lock", "app/Gemfile.lock", "app/gems.locked"],
            &["app/Gemfile"],
        );
    }

    #[test]
    fn reads_gem_and_git_specs() {
        let lock = "GIT\n  remote: https://github.com/rails/rails.git\n  revision: 0123abc\n  branch: main\n  specs:\n    rails (7.1.0.alpha)\n      actionpack (= 7.1.0.alpha)\n\n\
            PATH\n  remote: engines/billing\n  specs:\n    billing (0.1.0)\n\n\
            GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (7.1.0.alpha)\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\n\
            PLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  billing!\n  nokogiri (~> 1.15)\n  rails!\n\nBUNDLED WITH\n   2.4.19\n";
        let out = run(
            &GemfileLock,
            "app/Gemfile.lock",
            lock.replace('\n', "\r\n").as_bytes(),
        )
        .unwrap();
        let got: Vec<_> = out
            .packages
            .iter()
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
                ("rails", "7.1.0.alpha", Some(true), Some(6)),
                ("actionpack", "7.1.0.alpha", Some(false), Some(17)),
                ("nokogiri", "1.15.4", Some(true), Some(18)),
                ("racc", "1.7.1", Some(false), Some(20)),
            ]
        );
        assert_eq!(
            out.packages[2].purl.as_deref(),
            Some("pkg:gem/nokogiri@1.15.4")
        );
    }

    #[test]
    fn malformed_specs_are_errors() {
        let err = run(
            &GemfileLock,
            "Gemfile.lock",
            b"GEM\n  specs:\n    rails 7.0\n",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "Gemfile.lock line 3: expected `name (version)`, found `rails 7.0`"
        );
        assert!(
            run(
                &GemfileLock,
                "Gemfile.lock",
                b"GEM\n  specs:\n    \xff (1)\n"
            )
            .is_err()
        );
    }
}
