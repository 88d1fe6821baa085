//! Image config JSON straight into `ImageConfig`, then every image rule over it.
#![no_main]

use kensa_core::ImageConfig;
use kensa_image::FileSystemView;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(config) = serde_json::from_slice::<ImageConfig>(data) else {
        return;
    };
    let _ = config.summary();
    let _ = config.platform();
    assert_eq!(config.layer_history().len(), config.rootfs.diff_ids.len());
    let view = FileSystemView::build(std::iter::empty());
    let tags = vec!["fuzz:latest".to_owned()];
    let ctx = kensa_rules::ImageContext {
        config: &config,
        files: &view,
        repo_tags: &tags,
        secrets: None,
        allowlist: None,
    };
    let _ = kensa_rules::check_image(&ctx, &kensa_core::Scanner::ALL);
});
