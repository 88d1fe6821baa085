//! Routes each path to the analyzers that asked for it, in one lookup per entry.

use std::collections::HashMap;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use kensa_core::{Analyzer, PathSpec};

use crate::path::file_name;

/// Every analyzer's [`PathSpec`]s compiled together: exact paths and file names in hash
/// maps, globs in one `GlobSet`, so matching an entry costs the same however many
/// analyzers there are.
pub(crate) struct Router {
    exact: HashMap<&'static str, Vec<usize>>,
    names: HashMap<&'static str, Vec<usize>>,
    suffixes: Vec<(&'static str, usize)>,
    globs: GlobSet,
    glob_owner: Vec<usize>,
    any_file: Vec<usize>,
}

impl Router {
    pub(crate) fn new(analyzers: &[&dyn Analyzer]) -> Result<Router, globset::Error> {
        let mut router = Router {
            exact: HashMap::new(),
            names: HashMap::new(),
            suffixes: Vec::new(),
            globs: GlobSet::empty(),
            glob_owner: Vec::new(),
            any_file: Vec::new(),
        };
        let mut globs = GlobSetBuilder::new();
        for (i, analyzer) in analyzers.iter().enumerate() {
            for spec in analyzer.wants() {
                match *spec {
                    PathSpec::Exact(p) => router.exact.entry(p).or_default().push(i),
                    PathSpec::FileName(n) => router.names.entry(n).or_default().push(i),
                    PathSpec::Suffix(s) => router.suffixes.push((s, i)),
                    PathSpec::Glob(g) => {
                        globs.add(GlobBuilder::new(g).literal_separator(true).build()?);
                        router.glob_owner.push(i);
                    }
                    PathSpec::AnyFile => router.any_file.push(i),
                }
            }
        }
        router.globs = globs.build()?;
        Ok(router)
    }

    /// Fills `out` with the indices of the analyzers that want `path`, sorted, without
    /// duplicates.
    pub(crate) fn route(&self, path: &str, out: &mut Vec<usize>) {
        out.clear();
        out.extend_from_slice(&self.any_file);
        if let Some(v) = self.exact.get(path) {
            out.extend_from_slice(v);
        }
        if let Some(v) = self.names.get(file_name(path)) {
            out.extend_from_slice(v);
        }
        for (suffix, i) in &self.suffixes {
            if path.ends_with(suffix) {
                out.push(*i);
            }
        }
        if !self.glob_owner.is_empty() {
            for g in self.globs.matches(path) {
                if let Some(owner) = self.glob_owner.get(g) {
                    out.push(*owner);
                }
            }
        }
        out.sort_unstable();
        out.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_core::{AnalysisOutput, AnalyzeError, FileInput, Scanner};

    struct Wants(&'static [PathSpec]);
    impl Analyzer for Wants {
        fn id(&self) -> &'static str {
            "wants"
        }
        fn version(&self) -> u32 {
            1
        }
        fn scanner(&self) -> Option<Scanner> {
            None
        }
        fn wants(&self) -> &'static [PathSpec] {
            self.0
        }
        fn analyze(&self, _: &FileInput<'_>, _: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
            Ok(())
        }
    }

    #[test]
    fn routes_each_spec_kind() {
        let a = Wants(&[PathSpec::Exact("var/lib/dpkg/status")]);
        let b = Wants(&[
            PathSpec::FileName("package.json"),
            PathSpec::Suffix(".dist-info/METADATA"),
        ]);
        let c = Wants(&[PathSpec::Glob("**/node_modules/*/package.json")]);
        let d = Wants(&[PathSpec::AnyFile]);
        let analyzers: Vec<&dyn Analyzer> = vec![&a, &b, &c, &d];
        let router = Router::new(&analyzers).unwrap();
        let mut out = Vec::new();
        for (path, want) in [
            ("var/lib/dpkg/status", vec![0, 3]),
            ("var/lib/dpkg/status.old", vec![3]),
            ("app/node_modules/left-pad/package.json", vec![1, 2, 3]),
            ("app/node_modules/@s/x/package.json", vec![1, 3]),
            (
                "usr/lib/python3/site-packages/six-1.16.0.dist-info/METADATA",
                vec![1, 3],
            ),
            ("etc/hostname", vec![3]),
        ] {
            router.route(path, &mut out);
            assert_eq!(out, want, "{path}");
        }
    }
}
