//! Installed Ruby gems, from the specification stubs RubyGems writes at install time
//! (`specifications/*.gemspec`).

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, PathSpec, Scanner};

use super::{package, text};

/// Reads `s.name`, `s.version` and `s.licenses` of an installed gem's specification.
pub struct Gemspec;

impl Analyzer for Gemspec {
    fn id(&self) -> &'static str {
        "gemspec"
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        // Only installed stubs: a `*.gemspec` in a source tree is Ruby code that computes
        // its values, not a record of what is installed.
        // `specifications/default/` holds the gems bundled with Ruby itself (json,
        // openssl, uri), which have advisories of their own.
        &[
            PathSpec::Glob("**/specifications/*.gemspec"),
            PathSpec::Glob("**/specifications/default/*.gemspec"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = text(file)?;
        let mut name = None;
        let mut version = None;
        let mut licenses = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            // `# stub: rails 7.0.8 ruby lib` names the gem even when the body is unusual.
            if let Some(stub) = line.strip_prefix("# stub: ") {
                let mut w = stub.split_whitespace();
                name = name.or(w.next().map(str::to_owned));
                version = version.or(w.next().map(str::to_owned));
                continue;
            }
            let Some((lhs, rhs)) = line.split_once(" = ") else {
                continue;
            };
            let attr = lhs.rsplit('.').next().unwrap_or(lhs);
            match attr {
                "name" => name = quoted(rhs).next().map(str::to_owned).or(name),
                "version" => version = quoted(rhs).next().map(str::to_owned).or(version),
                "licenses" | "license" => licenses = quoted(rhs).map(str::to_owned).collect(),
                _ => {}
            }
        }
        let name = name.ok_or_else(|| AnalyzeError::new("gemspec has no `name`"))?;
        let version = version.ok_or_else(|| AnalyzeError::new("gemspec has no `version`"))?;
        let mut p = package(Ecosystem::Gem, &name, &version, self.id(), file.path);
        p.licenses = licenses;
        out.packages.push(p);
        Ok(())
    }
}

/// The double-quoted strings of a Ruby expression (`["MIT".freeze, "Ruby".freeze]`).
fn quoted(s: &str) -> impl Iterator<Item = &str> {
    s.split('"').skip(1).step_by(2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    #[test]
    fn wants_installed_specifications() {
        assert_wants(
            &Gemspec,
            &[
                "usr/local/bundle/specifications/rails-7.0.8.gemspec",
                "var/lib/gems/3.1.0/specifications/rake-13.0.6.gemspec",
                "usr/local/lib/ruby/gems/3.2.0/specifications/default/uri-0.12.2.gemspec",
            ],
            &[
                "app/mygem.gemspec",
                "usr/local/bundle/specifications/default/json-2.6.3.gemspec.bak",
                "usr/local/bundle/gems/rails-7.0.8/rails.gemspec",
            ],
        );
    }

    #[test]
    fn reads_stub() {
        let spec = "# -*- encoding: utf-8 -*-\r\n# stub: nokogiri 1.15.4 x86_64-linux lib\r\n\r\n\
            Gem::Specification.new do |s|\r\n  s.name = \"nokogiri\".freeze\r\n  s.version = \"1.15.4\"\r\n\
            \x20 s.platform = \"x86_64-linux\".freeze\r\n  s.required_rubygems_version = Gem::Requirement.new(\">= 0\".freeze) if s.respond_to? :required_rubygems_version=\r\n\
            \x20 s.licenses = [\"MIT\".freeze, \"BSD-3-Clause\".freeze]\r\n  s.summary = \"Nokogiri (\\u92F8) makes it easy\".freeze\r\nend\r\n";
        let out = run(
            &Gemspec,
            "usr/local/bundle/specifications/nokogiri-1.15.4-x86_64-linux.gemspec",
            spec.as_bytes(),
        )
        .unwrap();
        assert_eq!(nv(&out), [("nokogiri".into(), "1.15.4".into())]);
        assert_eq!(out.packages[0].licenses, ["MIT", "BSD-3-Clause"]);
        assert_eq!(
            out.packages[0].purl.as_deref(),
            Some("pkg:gem/nokogiri@1.15.4")
        );
        // Without the body, the stub comment is enough.
        let out = run(
            &Gemspec,
            "specifications/rake-13.0.6.gemspec",
            b"# stub: rake 13.0.6 ruby lib\n",
        )
        .unwrap();
        assert_eq!(nv(&out), [("rake".into(), "13.0.6".into())]);
    }

    #[test]
    fn specs_without_name_or_version_are_errors() {
        assert!(
            run(
                &Gemspec,
                "specifications/x.gemspec",
                b"Gem::Specification.new do |s|\nend\n"
            )
            .is_err()
        );
        assert!(run(&Gemspec, "specifications/x.gemspec", b"s.name = \"x\"\n").is_err());
        assert!(run(&Gemspec, "specifications/x.gemspec", b"s.name = \"\xff\"\n").is_err());
    }
}
