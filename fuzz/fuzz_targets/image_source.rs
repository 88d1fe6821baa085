//! docker-archive `manifest.json`, OCI `index.json`, nested indexes, image manifests and
//! configs, read through `kensa_image::open` from a docker-archive, an OCI layout or an OCI
//! archive; then every layer is walked, so sizes and digests are checked too.
#![no_main]

use kensa_fuzz::source_input;
use kensa_image::{OpenOptions, WalkOptions, Walker};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((layout, docs)) = source_input::decode(data) else {
        return;
    };
    let Some(input) = source_input::materialise(layout, &docs) else {
        return;
    };
    for platform in [None, Some("linux/arm64/v8")] {
        let options = OpenOptions {
            platform: platform.and_then(|p| p.parse().ok()),
        };
        let image = match kensa_image::open(&input, &options) {
            Ok(image) => image,
            Err(e) => {
                kensa_fuzz::debug(&e);
                continue;
            }
        };
        let _ = image.config.summary();
        let _ = image.config.platform();
        let options = WalkOptions {
            max_layer_ratio: 100,
            ratio_floor: 16 * 1024 * 1024,
            max_entries_per_layer: 10_000,
            max_streamed_file_bytes: 16 * 1024 * 1024,
            ..WalkOptions::default()
        };
        let Ok(walker) = Walker::new(&[], options) else {
            return;
        };
        for layer in &image.layers {
            if let Err(e) = walker.walk_layer(&image, layer) {
                kensa_fuzz::debug(&e);
            }
        }
    }
});
