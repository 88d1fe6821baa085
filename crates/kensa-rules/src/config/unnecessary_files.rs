use kensa_core::{Finding, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// Version-control directories, editor settings and desktop litter in the image.
pub struct UnnecessaryFiles;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-011",
    title: "Image contains files not needed at run time",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"A `.git` directory carries the whole source history (often with removed
secrets and internal URLs), editor directories and `.DS_Store` files reveal file names
and paths, and all of them grow the image. They usually arrive through `COPY . .`
without a `.dockerignore`. Dockle DKL-LI-0003."#,
    fix: r#"Add them to `.dockerignore` (`.git`, `.svn`, `.hg`, `.idea`, `.vscode`,
`**/.DS_Store`, `**/Thumbs.db`), or copy only what the application needs
(`COPY src/ /app/src/`), ideally from a build stage."#,
    links: &[],
};

/// Directories that are reported once, at their top.
const DIRS: &[&str] = &[".git", ".hg", ".idea", ".svn", ".vscode"];
/// File names reported wherever they are.
const FILES: &[&str] = &[".DS_Store", "Thumbs.db"];
/// Third-party trees the image's author does not control file by file.
const VENDORED: &[&str] = &["node_modules", "site-packages", "vendor"];

impl ConfigRule for UnnecessaryFiles {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        let mut reported_dir: Option<String> = None;
        for (path, layer, _) in image.files.iter() {
            if let Some(dir) = &reported_dir
                && path.starts_with(dir.as_str())
                && path.as_bytes().get(dir.len()) == Some(&b'/')
            {
                continue;
            }
            let parts: Vec<&str> = path.split('/').collect();
            if parts.iter().any(|p| VENDORED.contains(p)) {
                continue;
            }
            let dir_at = parts.iter().position(|p| DIRS.contains(p));
            if let Some(at) = dir_at {
                let dir = parts.get(..=at).unwrap_or(&parts).join("/");
                let layer = image.files.get(&dir).map_or(layer, |(l, _)| l);
                let message = format!("`/{dir}` directory");
                out.push(META.finding(
                    Scanner::Config,
                    image.file_location(&dir, layer),
                    Some(message),
                ));
                reported_dir = Some(dir);
                continue;
            }
            if parts.last().is_some_and(|name| FILES.contains(name)) {
                let message = format!("`/{path}`");
                out.push(META.finding(
                    Scanner::Config,
                    image.file_location(path, layer),
                    Some(message),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_image_json, layer};
    use kensa_image::LayerIndex;
    use serde_json::json;

    fn check(layers: &[LayerIndex]) -> Vec<String> {
        check_image_json(&UnnecessaryFiles, json!({}), layers, &[])
            .into_iter()
            .map(|f| f.location.path.unwrap())
            .collect()
    }

    #[test]
    fn fires_once_per_directory_and_per_file() {
        let found = check(&[
            layer(&[
                "app/",
                "app/.git/",
                "app/.git/HEAD",
                "app/.git/objects/ab/cdef",
            ]),
            layer(&["app/static/.DS_Store", "app/.vscode/settings.json"]),
        ]);
        assert_eq!(found, ["app/.git", "app/.vscode", "app/static/.DS_Store"]);
    }

    #[test]
    fn clean_for_ordinary_files() {
        let found = check(&[layer(&[
            "app/main.py",
            "app/.gitignore",
            "usr/share/doc/git/README",
        ])]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn vendored_trees_are_skipped() {
        let found = check(&[layer(&[
            "app/node_modules/left-pad/.git/HEAD",
            "usr/lib/python3/site-packages/x/.DS_Store",
        ])]);
        assert!(found.is_empty(), "{found:?}");
    }
}
