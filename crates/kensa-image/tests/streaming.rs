//! Files that analyzers read in pieces: a file of any size passes through the walker one
//! chunk at a time, so peak memory does not grow with it. This file is its own test binary
//! (its own process), so the peak RSS it reads is the walker's and nothing else's.
// See: issues/9 (point 4)
#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::Mutex;

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FileMeta, FileSink, PathSpec, ScanNote,
    Scanner,
};
use kensa_image::{ImageInput, OpenOptions, WalkOptions, Walker};
use kensa_testkit::{Entry, Image, Layer};

const GIB: u64 = 1024 * 1024 * 1024;

/// Streams every file (`max_file_size` 0) and records what it was handed.
struct Counter {
    seen: Mutex<Vec<Seen>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
struct Seen {
    path: String,
    bytes: u64,
    largest_piece: usize,
    nonzero_before_tail: bool,
    tail: Vec<u8>,
}

struct CountingSink<'c> {
    counter: &'c Counter,
    seen: Seen,
    tail_at: u64,
}

impl FileSink for CountingSink<'_> {
    fn write(&mut self, piece: &[u8]) -> Result<(), AnalyzeError> {
        let start = self.seen.bytes;
        self.seen.bytes += piece.len() as u64;
        self.seen.largest_piece = self.seen.largest_piece.max(piece.len());
        // Compared with memcmp, not byte by byte: unoptimised test code reads 2 GiB here.
        let before_tail = usize::try_from(self.tail_at.saturating_sub(start))
            .unwrap_or(usize::MAX)
            .min(piece.len());
        let (hole, tail) = piece.split_at(before_tail);
        if hole.chunks(ZEROS.len()).any(|c| c != &ZEROS[..c.len()]) {
            self.seen.nonzero_before_tail = true;
        }
        self.seen.tail.extend_from_slice(tail);
        Ok(())
    }

    fn finish(self: Box<Self>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        out.notes.push(ScanNote {
            level: kensa_core::NoteLevel::Info,
            found_by: "counter".into(),
            location: kensa_core::Location::path(self.seen.path.clone()),
            message: format!("{} bytes", self.seen.bytes),
        });
        self.counter.seen.lock().unwrap().push(self.seen);
        Ok(())
    }
}

static ZEROS: [u8; 64 * 1024] = [0; 64 * 1024];

const TAIL: &[u8] = b"the last line of a very large file\n";

impl Analyzer for Counter {
    fn id(&self) -> &'static str {
        "counter"
    }
    fn version(&self) -> u32 {
        1
    }
    fn scanner(&self) -> Option<Scanner> {
        None
    }
    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::AnyFile]
    }
    fn max_file_size(&self) -> u64 {
        0
    }
    fn analyze(&self, _: &FileInput<'_>, _: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        Err(AnalyzeError::new("every file is streamed"))
    }
    fn stream<'s>(&'s self, path: &str, meta: &FileMeta) -> Option<Box<dyn FileSink + 's>> {
        Some(Box::new(CountingSink {
            counter: self,
            seen: Seen {
                path: path.to_owned(),
                ..Seen::default()
            },
            tail_at: meta.size.saturating_sub(TAIL.len() as u64),
        }))
    }
}

fn peak_rss_bytes() -> u64 {
    let status = fs_err::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap();
    kib * 1024
}

#[test]
fn a_2_gib_sparse_file_is_streamed_whole_in_bounded_memory() {
    let size = 2 * GIB;
    let image = Image::new(vec![Layer::new(vec![
        Entry::file("etc/small", "small file\n"),
        Entry::Sparse {
            path: "var/log/huge.log".into(),
            size,
            tail: TAIL.to_vec(),
        },
    ])]);
    let dir = tempfile::tempdir().unwrap();
    image.write_oci_layout(&dir.path().join("oci")).unwrap();
    let opened = kensa_image::open(
        &ImageInput::OciLayout(dir.path().join("oci")),
        &OpenOptions::default(),
    )
    .unwrap();
    let counter = Counter {
        seen: Mutex::new(Vec::new()),
    };
    let analyzers: [&dyn Analyzer; 1] = [&counter];
    let walker = Walker::new(&analyzers, WalkOptions::default()).unwrap();
    let layers: Vec<_> = opened.layers.iter().collect();
    let scans = walker.walk_layers(&opened, &layers).unwrap();

    let mut seen = counter.seen.into_inner().unwrap();
    seen.sort_by(|a, b| a.path.cmp(&b.path));
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert_eq!(seen[0].path, "etc/small");
    assert_eq!(seen[0].bytes, 11);
    let huge = &seen[1];
    assert_eq!(huge.path, "var/log/huge.log");
    assert_eq!(huge.bytes, size, "every byte of the file reached the sink");
    assert_eq!(
        huge.tail, TAIL,
        "the data after the hole arrived last, intact"
    );
    assert!(!huge.nonzero_before_tail, "the hole reads as zeros");
    assert!(
        huge.largest_piece <= 256 * 1024,
        "pieces are chunk-sized: {}",
        huge.largest_piece
    );
    let notes = &scans[0].outputs["counter"].notes;
    assert!(notes.iter().any(|n| n.message == format!("{size} bytes")));

    let peak = peak_rss_bytes();
    assert!(
        peak < 256 * 1024 * 1024,
        "peak RSS {peak} bytes: the file was held, not streamed"
    );
}

#[test]
fn streaming_stops_at_the_per_file_limit_with_a_note() {
    let image = Image::new(vec![Layer::new(vec![Entry::Sparse {
        path: "big".into(),
        size: 8 * 1024 * 1024,
        tail: TAIL.to_vec(),
    }])]);
    let dir = tempfile::tempdir().unwrap();
    image.write_oci_layout(&dir.path().join("oci")).unwrap();
    let opened = kensa_image::open(
        &ImageInput::OciLayout(dir.path().join("oci")),
        &OpenOptions::default(),
    )
    .unwrap();
    let counter = Counter {
        seen: Mutex::new(Vec::new()),
    };
    let analyzers: [&dyn Analyzer; 1] = [&counter];
    let options = WalkOptions {
        max_streamed_file_bytes: 1024 * 1024,
        ..WalkOptions::default()
    };
    let walker = Walker::new(&analyzers, options).unwrap();
    let layers: Vec<_> = opened.layers.iter().collect();
    let scans = walker.walk_layers(&opened, &layers).unwrap();
    let seen = counter.seen.into_inner().unwrap();
    assert_eq!(seen[0].bytes, 1024 * 1024);
    let notes = &scans[0].outputs["counter"].notes;
    assert!(
        notes.iter().any(|n| n
            .message
            .contains("only its first 1048576 bytes were analyzed")),
        "{notes:?}"
    );
}
