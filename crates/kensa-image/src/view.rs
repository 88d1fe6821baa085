//! The final filesystem of an image: layers stacked with whiteouts applied.

use std::collections::BTreeMap;

use kensa_core::{FileKind, FileMeta};

use crate::walk::LayerIndex;

/// Which entries survive in the final image and which layer last wrote each.
#[derive(Debug, Default)]
pub struct FileSystemView {
    files: BTreeMap<String, (usize, FileMeta)>,
}

impl FileSystemView {
    /// Stacks layer indexes, base first. Whiteouts and opaque directories of a layer hide
    /// entries of the layers below it only (OCI image spec, "Whiteouts"), and a
    /// non-directory that replaces a directory hides everything under it.
    pub fn build<'a>(layers: impl IntoIterator<Item = &'a LayerIndex>) -> FileSystemView {
        let mut files: BTreeMap<String, (usize, FileMeta)> = BTreeMap::new();
        for (index, layer) in layers.into_iter().enumerate() {
            for dir in &layer.opaque_dirs {
                remove_below(&mut files, dir);
            }
            for path in &layer.whiteouts {
                files.remove(path);
                remove_below(&mut files, path);
            }
            for entry in &layer.entries {
                if entry.meta.kind != FileKind::Dir {
                    remove_below(&mut files, &entry.path);
                }
                files.insert(entry.path.clone(), (index, entry.meta.clone()));
            }
        }
        FileSystemView { files }
    }

    /// The surviving entry at `path` and the layer that wrote it.
    pub fn get(&self, path: &str) -> Option<(usize, &FileMeta)> {
        self.files.get(path).map(|(layer, meta)| (*layer, meta))
    }

    /// True when the file `path` written by `layer` is the one in the final image.
    pub fn survives(&self, layer: usize, path: &str) -> bool {
        self.files.get(path).is_some_and(|(l, _)| *l == layer)
    }

    /// Every surviving entry, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize, &FileMeta)> {
        self.files
            .iter()
            .map(|(path, (layer, meta))| (path.as_str(), *layer, meta))
    }

    /// Number of surviving entries.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when the image has no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Removes every entry strictly below directory `dir` (`""` is the root).
fn remove_below(files: &mut BTreeMap<String, (usize, FileMeta)>, dir: &str) {
    use std::ops::Bound::{Excluded, Unbounded};

    if dir.is_empty() {
        files.clear();
        return;
    }
    // Most paths have nothing below them: look at the next key before allocating anything.
    let is_below = |key: &str| {
        key.strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
    };
    let has_children = files
        .range::<str, _>((Excluded(dir), Unbounded))
        .next()
        .is_some_and(|(k, _)| k.starts_with(dir));
    if !has_children {
        return;
    }
    let doomed: Vec<String> = files
        .range::<str, _>((Excluded(dir), Unbounded))
        .take_while(|(k, _)| k.starts_with(dir))
        .filter(|(k, _)| is_below(k))
        .map(|(k, _)| k.clone())
        .collect();
    for k in doomed {
        files.remove(&k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::walk::IndexEntry;

    fn file(path: &str) -> IndexEntry {
        IndexEntry {
            path: path.into(),
            meta: FileMeta {
                kind: FileKind::Regular,
                mode: 0o644,
                uid: 0,
                gid: 0,
                size: 1,
                link_target: None,
            },
        }
    }

    fn dir(path: &str) -> IndexEntry {
        IndexEntry {
            meta: FileMeta {
                kind: FileKind::Dir,
                ..file(path).meta
            },
            ..file(path)
        }
    }

    #[test]
    fn whiteouts_hide_lower_layers_only() {
        let base = LayerIndex {
            entries: vec![
                dir("etc"),
                file("etc/a"),
                file("etc/b"),
                dir("opt"),
                file("opt/x/y"),
                file("opt0"),
            ],
            ..LayerIndex::default()
        };
        let top = LayerIndex {
            entries: vec![file("etc/c"), file("opt/new")],
            whiteouts: vec!["etc/a".into(), "etc/c".into()],
            opaque_dirs: vec!["opt".into()],
            ..LayerIndex::default()
        };
        let view = FileSystemView::build([&base, &top]);
        assert!(view.get("etc/a").is_none());
        assert!(view.survives(0, "etc/b"));
        assert!(
            view.survives(1, "etc/c"),
            "a whiteout does not hide its own layer's file"
        );
        assert!(view.get("opt/x/y").is_none());
        assert!(view.survives(1, "opt/new"));
        assert!(view.survives(0, "opt"));
        assert!(
            view.survives(0, "opt0"),
            "siblings sharing a prefix survive"
        );
    }

    #[test]
    fn later_writes_win_and_files_replace_directories() {
        let base = LayerIndex {
            entries: vec![dir("d"), file("d/inner"), file("f")],
            ..LayerIndex::default()
        };
        let top = LayerIndex {
            entries: vec![file("d"), file("f")],
            ..LayerIndex::default()
        };
        let view = FileSystemView::build([&base, &top]);
        assert!(view.survives(1, "f"));
        assert!(!view.survives(0, "f"));
        assert!(view.get("d/inner").is_none());
        assert_eq!(view.len(), 2);
    }
}
