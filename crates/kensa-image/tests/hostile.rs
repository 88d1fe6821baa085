//! Images are hostile input: every defect gives a clear error naming the blob, or a note;
//! nothing panics, nothing escapes the root, nothing is trusted unverified.
#![allow(clippy::unwrap_used, reason = "test code")]

mod common;

use common::{Recorder, open, seen, walk, walk_with};
use kensa_core::PathSpec;
use kensa_image::{ImageError, ImageInput, WalkOptions};
use kensa_testkit::{Compression, Entry, Image, Layer, Tamper};

static ALL: Recorder = Recorder::new(&[PathSpec::AnyFile]);

fn two_layers() -> Image {
    Image::new(vec![
        Layer::new(vec![Entry::file("etc/a", "a")]),
        Layer::new(vec![Entry::file("etc/b", "b")]).compression(Compression::Zstd),
    ])
}

fn layout(image: &Image) -> (tempfile::TempDir, ImageInput) {
    let dir = tempfile::tempdir().unwrap();
    image.write_oci_layout(&dir.path().join("oci")).unwrap();
    let input = ImageInput::OciLayout(dir.path().join("oci"));
    (dir, input)
}

fn docker(image: &Image) -> (tempfile::TempDir, ImageInput) {
    let dir = tempfile::tempdir().unwrap();
    image
        .write_docker_archive(&dir.path().join("i.tar"))
        .unwrap();
    let input = ImageInput::Archive(dir.path().join("i.tar"));
    (dir, input)
}

#[test]
fn wrong_layer_blob_digest_is_an_error_naming_both_digests() {
    let image = two_layers().tamper(Tamper::LayerBlobDigest(1));
    let (_d, input) = layout(&image);
    let err = walk(input, &ALL).unwrap_err();
    let ImageError::BlobDigest {
        expected, actual, ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_ne!(expected, actual);
    let msg = err.to_string();
    assert!(
        msg.contains(expected.as_str()) && msg.contains(actual.as_str()),
        "{msg}"
    );
}

#[test]
fn wrong_diff_id_is_an_error_in_every_format() {
    for write in [layout, docker] {
        let image = two_layers().tamper(Tamper::DiffId(0));
        let (_d, input) = write(&image);
        let err = walk(input, &ALL).unwrap_err();
        assert!(matches!(err, ImageError::DiffId { index: 0, .. }), "{err}");
        assert!(err.to_string().contains("rootfs.diff_ids"), "{err}");
    }
}

#[test]
fn wrong_config_digest_is_refused_before_any_layer() {
    let image = two_layers().tamper(Tamper::ConfigDigest);
    let (_d, input) = layout(&image);
    let err = open(input).unwrap_err();
    assert!(matches!(err, ImageError::BlobDigest { .. }), "{err}");
    // The classic docker layout names the config by its digest too.
    let (_d, input) = docker(&two_layers().tamper(Tamper::ConfigDigest));
    assert!(matches!(
        open(input).unwrap_err(),
        ImageError::BlobDigest { .. }
    ));
}

#[test]
fn truncated_layers_are_errors() {
    // The classic docker-archive names layers by diff_id only: the cut shows as a broken
    // stream or a wrong diff_id.
    let (_d, input) = docker(&two_layers().tamper(Tamper::TruncateLayer(0)));
    let err = walk(input, &ALL).unwrap_err();
    assert!(
        matches!(err, ImageError::Layer { .. } | ImageError::DiffId { .. }),
        "{err}"
    );
}

// See: issues/9 (point 9)
#[test]
fn issue_9_wrong_size_and_digest_names_both_digests_and_sizes() {
    // The blob is cut in half under its true name: its size and its digest are both wrong,
    // and its gzip stream ends early. The digest is the root cause and is named, not the
    // broken stream it leads to.
    for layer in [0, 1] {
        let image = two_layers().tamper(Tamper::TruncateLayer(layer));
        let (_d, input) = layout(&image);
        let built = image.write_oci_layout(&tempfile::tempdir().unwrap().path().join("o"));
        let built = built.unwrap();
        let err = walk(input, &ALL).unwrap_err();
        let ImageError::BlobDigest {
            expected,
            actual,
            sizes,
            ..
        } = &err
        else {
            panic!("layer {layer}: {err}")
        };
        assert_eq!(expected.as_str(), built.layer_digests[layer]);
        assert_ne!(expected, actual);
        let full = built.layer_sizes[layer];
        assert_eq!(*sizes, Some((full, full / 2)), "layer {layer}");
        let msg = err.to_string();
        for part in [
            expected.as_str().to_owned(),
            actual.as_str().to_owned(),
            format!("{full} bytes"),
            format!("blob has {}", full / 2),
        ] {
            assert!(msg.contains(&part), "`{part}` missing from: {msg}");
        }
    }
}

#[test]
fn malformed_json_documents_name_the_document() {
    let (_d, input) =
        docker(&two_layers().tamper(Tamper::ManifestJson("[{\"Config\": 7}]".into())));
    let err = open(input).unwrap_err();
    assert!(err.to_string().contains("manifest.json"), "{err}");
    let (_d, input) = layout(&two_layers().tamper(Tamper::ConfigJson("{\"rootfs\": [".into())));
    let err = open(input).unwrap_err();
    assert!(matches!(err, ImageError::Json { .. }), "{err}");
    assert!(err.to_string().contains("config blob"), "{err}");
}

#[test]
fn path_escapes_are_refused_with_a_note() {
    let image = Image::new(vec![Layer::new(vec![
        Entry::file("../../etc/evil", "x"),
        Entry::file("a/../../b", "x"),
        Entry::file("/etc/abs", "rooted"),
        Entry::hardlink("etc/hard", "../../outside"),
        Entry::symlink("etc/link", "../../../../etc/shadow"),
    ])]);
    let (_d, input) = layout(&image);
    let (_, scans, view) = walk(input, &ALL).unwrap();
    assert_eq!(
        seen(&scans[0]),
        [("etc/abs".to_owned(), "rooted".to_owned())],
        "absolute paths are rooted at the image"
    );
    let notes: Vec<_> = scans[0]
        .index
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect();
    assert_eq!(
        notes.iter().filter(|m| m.contains("climbs out")).count(),
        3,
        "{notes:?}"
    );
    assert!(view.iter().all(|(p, _, _)| !p.contains("..")));
    let (_, link) = view.get("etc/link").unwrap();
    assert_eq!(
        link.link_target.as_deref(),
        Some("../../../../etc/shadow"),
        "symlink targets are kept, never resolved"
    );
}

#[test]
fn decompression_bombs_are_stopped() {
    // 64 MiB of zeros compresses to ~64 KiB: a ratio far above the limit set here.
    let image = Image::new(vec![Layer::bomb(64 * 1024 * 1024)]);
    let (_d, input) = layout(&image);
    let options = WalkOptions {
        max_layer_ratio: 10,
        ratio_floor: 1024 * 1024,
        ..WalkOptions::default()
    };
    let err = walk_with(input, &ALL, options).unwrap_err();
    assert!(matches!(err, ImageError::DecompressionBomb { .. }), "{err}");
    assert!(
        err.to_string().contains("--max-layer-ratio"),
        "the error says how to proceed: {err}"
    );
}

#[test]
fn malformed_tar_is_an_error_not_a_panic() {
    let mut garbage = vec![0x41u8; 512];
    garbage[100..108].copy_from_slice(b"zzzzzzz\0"); // an unparseable mode field
    let image = Image::new(vec![Layer::raw(garbage)]);
    let (_d, input) = layout(&image);
    let err = walk(input, &ALL).unwrap_err();
    assert!(matches!(err, ImageError::Layer { .. }), "{err}");
}

#[test]
fn corrupt_gzip_is_an_error() {
    let mut bytes = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    bytes.extend_from_slice(&[0xff; 64]);
    let image = Image::new(vec![Layer::raw(bytes).compression(Compression::None)]);
    let (_d, input) = layout(&image);
    let err = walk(input, &ALL).unwrap_err();
    assert!(matches!(err, ImageError::Layer { .. }), "{err}");
}

#[test]
fn oversized_files_are_noted_not_read() {
    let image = Image::new(vec![Layer::new(vec![
        Entry::file("big", vec![b'x'; 4096]),
        Entry::file("small", "ok"),
    ])]);
    let (_d, input) = layout(&image);
    let mut rec = Recorder::new(&[PathSpec::AnyFile]);
    rec.max = 1000;
    let (_, scans, _) = walk(input, &rec).unwrap();
    assert_eq!(seen(&scans[0]), [("small".to_owned(), "ok".to_owned())]);
    let notes = &scans[0].outputs["recorder"].notes;
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].message.contains("larger than"),
        "{}",
        notes[0].message
    );
    assert_eq!(notes[0].location.path.as_deref(), Some("big"));
}

#[test]
fn analyzer_failures_become_notes() {
    let image = Image::new(vec![Layer::new(vec![Entry::file("etc/x", "fail")])]);
    let (_d, input) = layout(&image);
    let (_, scans, _) = walk(input, &ALL).unwrap();
    let notes = &scans[0].outputs["recorder"].notes;
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].found_by, "recorder");
    assert!(notes[0].message.contains("refuses"));
}

#[test]
fn not_an_image_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.tar");
    fs_err::write(&path, b"definitely not a tar").unwrap();
    let err = open(ImageInput::Archive(path.clone())).unwrap_err();
    assert!(matches!(err, ImageError::UnrecognisedInput { .. }), "{err}");
    let err = open(ImageInput::OciLayout(dir.path().to_owned())).unwrap_err();
    assert!(err.to_string().contains("index.json"), "{err}");
    let gz = dir.path().join("x.tar.gz");
    fs_err::write(&gz, [0x1f, 0x8b, 8, 0]).unwrap();
    let err = open(ImageInput::Archive(gz)).unwrap_err();
    assert!(err.to_string().contains("decompress it first"), "{err}");
}

#[test]
fn symlinked_blob_in_a_layout_is_not_followed() {
    let image = two_layers();
    let (d, input) = layout(&image);
    let ImageInput::OciLayout(root) = &input else {
        unreachable!()
    };
    let blobs = root.join("blobs/sha256");
    let victim = fs_err::read_dir(&blobs)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| fs_err::metadata(p).unwrap().len() > 100)
        .unwrap();
    let outside = d.path().join("outside");
    fs_err::rename(&victim, &outside).unwrap();
    std::os::unix::fs::symlink(&outside, &victim).unwrap();
    let err = walk(input, &ALL).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
}

#[test]
fn files_declined_from_their_head_are_not_buffered_or_counted() {
    let mut elf = b"\x7fELF".to_vec();
    elf.extend(vec![0u8; 20_000]);
    let image = Image::new(vec![Layer::new(vec![
        Entry::exec("bin/tool", elf),
        Entry::file("big.txt", vec![b'x'; 50_000]),
        Entry::file("small.txt", "hello"),
    ])]);
    let (_d, input) = layout(&image);
    let mut rec = Recorder::new(&[PathSpec::AnyFile]);
    rec.max = 10_000;
    rec.magic = Some(b"\x7fELF");
    let (_, scans, _) = walk(input, &rec).unwrap();
    assert!(
        seen(&scans[0]).is_empty(),
        "text files are declined by the head check"
    );
    let notes = &scans[0].outputs["recorder"].notes;
    assert_eq!(
        notes.len(),
        1,
        "only the accepted, oversized ELF is noted: {notes:?}"
    );
    assert_eq!(notes[0].location.path.as_deref(), Some("bin/tool"));
}
