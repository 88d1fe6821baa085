//! Layer tar streams (plain, gzip, zstd or garbage) through the one-pass walker with every
//! analyzer, then the filesystem view with whiteouts and the image rules over it.
#![no_main]

use std::sync::OnceLock;

use kensa_fuzz::{analyzers, docker_archive, layer_input};
use kensa_image::{FileSystemView, ImageInput, OpenOptions, WalkOptions, Walker};
use libfuzzer_sys::fuzz_target;

fn walker() -> &'static Walker<'static> {
    static W: OnceLock<Walker<'static>> = OnceLock::new();
    W.get_or_init(|| {
        // Smaller limits than a scan's, so a bomb ends in milliseconds; the limits are
        // what is under test, not their size.
        let options = WalkOptions {
            max_layer_ratio: 100,
            ratio_floor: 32 * 1024 * 1024,
            max_entries_per_layer: 50_000,
            max_streamed_file_bytes: 16 * 1024 * 1024,
            ..WalkOptions::default()
        };
        Walker::new(analyzers(), options).unwrap_or_else(|e| panic!("{e}"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(blobs) = layer_input::decode(data) else {
        return;
    };
    let path = docker_archive(&blobs);
    let Ok(image) = kensa_image::open(&ImageInput::Archive(path), &OpenOptions::default()) else {
        return;
    };
    let layers: Vec<_> = image.layers.iter().collect();
    let scans: Vec<_> = layers
        .iter()
        .filter_map(|l| walker().walk_layer(&image, l).ok())
        .collect();
    let view = FileSystemView::build(scans.iter().map(|s| &s.index));
    for (path, layer, meta) in view.iter() {
        assert!(layer < scans.len(), "{path} from layer {layer}");
        assert!(
            !path.starts_with('/') && !path.split('/').any(|c| c == ".."),
            "{path} {meta:?}"
        );
    }
    let ctx = kensa_rules::ImageContext {
        config: &image.config,
        files: &view,
        repo_tags: &image.repo_tags,
        secrets: None,
        allowlist: None,
    };
    let _ = kensa_rules::check_image(&ctx, &kensa_core::Scanner::ALL);
});
