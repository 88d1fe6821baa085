//! Hostile layers: names that archivers refuse are written byte-for-byte, bombs are streamed,
//! raw bytes pass untouched.

#![allow(clippy::unwrap_used, reason = "test code")]

mod support;

use std::io::Read;

use kensa_testkit::{Compression, Entry, Image, Layer};
use sha2::{Digest, Sha256};
use support::{Problem, audit_oci, dir_files, sha256, tar_listing};
use tar::EntryType;

fn layer_tar(layer: &Layer) -> Vec<u8> {
    let mut out = Vec::new();
    layer.write_tar(&mut out).unwrap();
    out
}

#[test]
fn escaping_and_long_names_survive_byte_for_byte() {
    let long_dir = "d".repeat(120);
    let long_path = format!("{long_dir}/{}", "f".repeat(150));
    let long_target = format!("{}/target", "../".repeat(60));
    let layer = Layer::new(vec![
        Entry::file("../../etc/evil", "pwned"),
        Entry::file("/etc/abs", "abs"),
        Entry::file("a/../../b", "b"),
        Entry::file("./etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
        Entry::file(&long_path, "long"),
        Entry::symlink("etc/shadow-link", "/etc/shadow"),
        Entry::symlink("up", "../../../.."),
        Entry::symlink("long-link", &long_target),
        Entry::hardlink("hl", "../outside"),
        Entry::Dir {
            path: long_dir.clone() + "/",
            mode: 0o700,
        },
    ]);
    let listing = tar_listing(&layer_tar(&layer));
    let s = |x: &str| x.to_owned();
    assert_eq!(
        listing,
        [
            (s("../../etc/evil"), EntryType::Regular, None),
            (s("/etc/abs"), EntryType::Regular, None),
            (s("a/../../b"), EntryType::Regular, None),
            (s("./etc/passwd"), EntryType::Regular, None),
            (long_path, EntryType::Regular, None),
            (
                s("etc/shadow-link"),
                EntryType::Symlink,
                Some(s("/etc/shadow"))
            ),
            (s("up"), EntryType::Symlink, Some(s("../../../.."))),
            (s("long-link"), EntryType::Symlink, Some(long_target)),
            (s("hl"), EntryType::Link, Some(s("../outside"))),
            (long_dir + "/", EntryType::Directory, None),
        ]
    );
}

#[test]
fn pax_records_override_the_next_header() {
    let long = format!("usr/share/doc/{}/ünïcode", "p".repeat(200));
    let tar = layer_tar(&Layer::new(vec![
        Entry::Pax(vec![("path".into(), long.clone().into_bytes())]),
        Entry::file("fallback-name", "x"),
        Entry::Pax(vec![(
            "linkpath".into(),
            b"../../../../etc/shadow".to_vec(),
        )]),
        Entry::symlink("link", "harmless"),
    ]));
    assert_eq!(
        tar_listing(&tar),
        [
            (long, EntryType::Regular, None),
            (
                "link".to_owned(),
                EntryType::Symlink,
                Some("../../../../etc/shadow".to_owned())
            ),
        ]
    );
}

#[test]
fn modes_owners_and_contents_are_as_described() {
    let tar = layer_tar(&Layer::new(vec![
        Entry::exec("usr/bin/passwd", "ELF")
            .with_mode(0o4755)
            .with_owner(0, 0),
        Entry::file("home/app/.ssh/id_rsa", "-----BEGIN")
            .with_mode(0o600)
            .with_owner(1000, 1001),
        Entry::file("big-uid", "").with_owner(4_000_000_000, 3),
        Entry::dir("tmp/").with_mode(0o1777),
    ]));
    let mut ar = tar::Archive::new(&tar[..]);
    let got: Vec<(u32, u64, u64, u64, Vec<u8>)> = ar
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mut body = Vec::new();
            e.read_to_end(&mut body).unwrap();
            (
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.gid().unwrap(),
                h.mtime().unwrap(),
                body,
            )
        })
        .collect();
    const T: u64 = 1_704_067_200;
    assert_eq!(
        got,
        [
            (0o4755, 0, 0, T, b"ELF".to_vec()),
            (0o600, 1000, 1001, T, b"-----BEGIN".to_vec()),
            (0o644, 4_000_000_000, 3, T, vec![]),
            (0o1777, 0, 0, T, vec![]),
        ]
    );
}

#[test]
fn whiteouts_use_the_oci_names() {
    let tar = layer_tar(&Layer::new(vec![
        Entry::Whiteout("etc/passwd".into()),
        Entry::Whiteout("topfile".into()),
        Entry::OpaqueWhiteout("var/lib/apt/lists/".into()),
        Entry::OpaqueWhiteout("".into()),
    ]));
    let names: Vec<String> = tar_listing(&tar).into_iter().map(|e| e.0).collect();
    assert_eq!(
        names,
        [
            "etc/.wh.passwd",
            ".wh.topfile",
            "var/lib/apt/lists/.wh..wh..opq",
            ".wh..wh..opq"
        ]
    );
}

#[test]
fn hostile_names_reach_the_reader_through_an_image() {
    let tmp = tempfile::tempdir().unwrap();
    Image::new(vec![
        Layer::new(vec![Entry::symlink("etc/evil", "/etc/shadow")]).compression(Compression::Zstd),
    ])
    .write_oci_layout(tmp.path())
    .unwrap();
    let audit = audit_oci(&dir_files(tmp.path()));
    assert_eq!(audit.problems, []);
    let tar = audit.images[0].layer_tars[0].as_ref().unwrap();
    assert_eq!(
        tar_listing(tar),
        [(
            "etc/evil".to_owned(),
            EntryType::Symlink,
            Some("/etc/shadow".to_owned())
        )]
    );
}

#[test]
fn bomb_is_small_compressed_and_huge_uncompressed() {
    const SIZE: u64 = 64 << 20;
    let tmp = tempfile::tempdir().unwrap();
    let built = Image::new(vec![Layer::bomb(SIZE)])
        .write_oci_layout(tmp.path())
        .unwrap();
    assert!(
        built.layer_sizes[0] < SIZE / 500,
        "{}",
        built.layer_sizes[0]
    );

    let blob = fs_err::read(
        tmp.path()
            .join(format!("blobs/sha256/{}", &built.layer_digests[0][7..])),
    )
    .unwrap();
    assert_eq!(sha256(&blob), built.layer_digests[0]);
    // Stream the decompression: the point of a bomb is not to hold it.
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(&blob[..]));
    let mut entries = ar.entries().unwrap();
    let mut e = entries.next().unwrap().unwrap();
    assert_eq!(&*e.path_bytes(), b"zeros");
    assert_eq!(e.header().size().unwrap(), SIZE);
    let mut zeros = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = e.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == 0));
        zeros += n as u64;
    }
    assert_eq!(zeros, SIZE);
    drop(e);
    assert!(entries.next().is_none());

    // diff_id covers header + body + end marker, hashed the same way.
    let mut h = Sha256::new();
    std::io::copy(&mut flate2::read::GzDecoder::new(&blob[..]), &mut h).unwrap();
    assert_eq!(format!("sha256:{:x}", h.finalize()), built.diff_ids[0]);
    assert_eq!(built.diff_ids[0].len(), 71);
}

#[test]
fn bomb_over_8_gib_needs_a_base256_size_field() {
    // Not written to an image (that would take minutes); only the header of the tar matters.
    let layer = Layer::bomb(9 << 30).compression(Compression::None);
    let mut head = HeadOnly(Vec::new());
    let _ = layer.write_tar(&mut head);
    let mut ar = tar::Archive::new(&head.0[..]);
    let e = ar.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(e.header().size().unwrap(), 9 << 30);
}

/// Keeps the first block and then refuses more, so a huge layer stops after its header.
struct HeadOnly(Vec<u8>);

impl std::io::Write for HeadOnly {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.0.len() >= 1024 {
            return Err(std::io::Error::other("enough"));
        }
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn raw_bytes_are_the_layer_verbatim() {
    let garbage = b"this is not a tar header\0\0\0".repeat(40);
    let tmp = tempfile::tempdir().unwrap();
    let built = Image::new(vec![
        Layer::raw(garbage.clone()).compression(Compression::Zstd),
    ])
    .write_oci_layout(tmp.path())
    .unwrap();
    assert_eq!(built.diff_ids[0], sha256(&garbage));
    let audit = audit_oci(&dir_files(tmp.path()));
    assert_eq!(audit.problems, Vec::<Problem>::new());
    assert_eq!(audit.images[0].layer_tars[0].as_deref(), Some(&garbage[..]));
}

#[test]
fn raw_tail_after_good_entries_is_not_terminated() {
    let tar = layer_tar(&Layer::new(vec![
        Entry::file("ok", "fine"),
        Entry::Raw(vec![0xff; 100]),
    ]));
    // One header, one data block, then the raw bytes and no end-of-archive marker.
    assert_eq!(tar.len(), 1024 + 100);
    assert_eq!(&tar[1024..], &[0xff; 100][..]);
    let mut ar = tar::Archive::new(&tar[..]);
    let mut entries = ar.entries().unwrap();
    assert!(entries.next().unwrap().is_ok());
    assert!(entries.next().unwrap().is_err());
}
