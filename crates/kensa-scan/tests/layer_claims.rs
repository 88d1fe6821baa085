//! A scan that finds a layer claimed by another process: it waits, takes the other's
//! result when there is one, and walks the layer itself when the claim is released
//! without one (the other process failed or died).
#![allow(clippy::unwrap_used, reason = "test code")]

use std::time::Duration;

use kensa_core::{Digest, Scanner};
use kensa_image::{ImageInput, LayerCache, OpenOptions, Walker};
use kensa_scan::{Analyzers, ScanOptions, Target, scan};
use kensa_testkit::{Entry, Image, Layer, contents};

fn setup() -> (tempfile::TempDir, Target, Digest, ScanOptions) {
    let dir = tempfile::tempdir().unwrap();
    let image = Image::new(vec![Layer::new(vec![Entry::file(
        "etc/os-release",
        contents::os_release_alpine("3.20.1"),
    )])]);
    let built = image.write_oci_layout(&dir.path().join("oci")).unwrap();
    let target = Target::Image(ImageInput::OciLayout(dir.path().join("oci")));
    let options = ScanOptions {
        scanners: vec![Scanner::Config],
        cache_dir: Some(dir.path().join("cache")),
        ..ScanOptions::default()
    };
    (dir, target, built.diff_ids[0].parse().unwrap(), options)
}

#[test]
fn a_claim_released_without_a_result_is_walked_here() {
    let (_dir, target, diff_id, options) = setup();
    let other = LayerCache::open(options.cache_dir.as_ref().unwrap()).unwrap();
    let claim = other.try_claim_layer(&diff_id).unwrap().unwrap();
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(claim);
    });
    let (report, stats) = scan(&target, &options).unwrap();
    release.join().unwrap();
    assert_eq!(stats.walked, vec![diff_id]);
    assert_eq!(stats.layers_waited, 0);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

#[test]
fn a_layer_another_process_stores_is_waited_for_and_not_walked() {
    let (_dir, target, diff_id, options) = setup();
    let Target::Image(input) = &target else {
        unreachable!()
    };
    // The other process: it holds the claim while it walks the layer, stores the
    // result, then lets go.
    let other = LayerCache::open(options.cache_dir.as_ref().unwrap()).unwrap();
    let claim = other.try_claim_layer(&diff_id).unwrap().unwrap();
    let image = kensa_image::open(input, &OpenOptions::default()).unwrap();
    let analyzers = Analyzers::new(&options).unwrap();
    let selected = analyzers.selected(&options.scanners);
    let walker = Walker::new(&selected, options.walk.clone()).unwrap();
    let layer = walker.walk_layer(&image, &image.layers[0]).unwrap();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            let outputs = selected.iter().map(|a| (*a, &layer.outputs[a.id()]));
            other.store(&diff_id, &layer.index, outputs).unwrap();
            drop(claim);
        });
        let (report, stats) = scan(&target, &options).unwrap();
        assert_eq!(
            (
                stats.layers_walked,
                stats.layers_cached,
                stats.layers_waited
            ),
            (0, 0, 1)
        );
        assert!(report.notes.is_empty(), "{:?}", report.notes);
    });
}
