//! Helpers shared by the kensa-image integration tests.
#![allow(dead_code, reason = "each test file uses a different subset")]
#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::Mutex;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, PathSpec, Scanner};
use kensa_image::{
    FileSystemView, Image, ImageError, ImageInput, LayerScan, OpenOptions, WalkOptions, Walker,
};

/// Records every file it is handed, with its content, as "layer-local" output: one
/// finding per file whose message is the content (lossy UTF-8).
pub(crate) struct Recorder {
    pub(crate) wants: &'static [PathSpec],
    pub(crate) max: u64,
    pub(crate) seen: Mutex<Vec<String>>,
    /// When set, only files whose first bytes are this are accepted.
    pub(crate) magic: Option<&'static [u8]>,
}

impl Recorder {
    pub(crate) const fn new(wants: &'static [PathSpec]) -> Recorder {
        Recorder {
            wants,
            max: 1024 * 1024,
            seen: Mutex::new(Vec::new()),
            magic: None,
        }
    }
}

impl Analyzer for Recorder {
    fn id(&self) -> &'static str {
        "recorder"
    }
    fn version(&self) -> u32 {
        1
    }
    fn scanner(&self) -> Option<Scanner> {
        None
    }
    fn wants(&self) -> &'static [PathSpec] {
        self.wants
    }
    fn max_file_size(&self) -> u64 {
        self.max
    }
    fn accepts(&self, _meta: &kensa_core::FileMeta, head: &[u8]) -> bool {
        self.magic.is_none_or(|m| head.starts_with(m))
    }
    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        self.seen.lock().unwrap().push(file.path.to_owned());
        if file.content == b"fail" {
            return Err(AnalyzeError::new("recorder refuses this file"));
        }
        out.findings.push(kensa_core::Finding {
            id: "REC".into(),
            scanner: Scanner::Config,
            severity: kensa_core::Severity::Low,
            section: kensa_core::Section::ImageConfigurationDefects,
            title: file.path.to_owned(),
            message: Some(String::from_utf8_lossy(file.content).into_owned()),
            location: kensa_core::Location::path(file.path),
            remediation: "none".into(),
            references: vec![],
            vulnerability: None,
        });
        Ok(())
    }
}

pub(crate) fn open(input: ImageInput) -> Result<Image, ImageError> {
    kensa_image::open(&input, &OpenOptions::default())
}

/// Opens and walks every layer; returns the scans and the final view.
pub(crate) fn walk(
    input: ImageInput,
    analyzer: &Recorder,
) -> Result<(Image, Vec<LayerScan>, FileSystemView), ImageError> {
    walk_with(input, analyzer, WalkOptions::default())
}

pub(crate) fn walk_with(
    input: ImageInput,
    analyzer: &Recorder,
    options: WalkOptions,
) -> Result<(Image, Vec<LayerScan>, FileSystemView), ImageError> {
    let image = open(input)?;
    let analyzers: Vec<&dyn Analyzer> = vec![analyzer];
    let walker = Walker::new(&analyzers, options).unwrap();
    let layers: Vec<_> = image.layers.iter().collect();
    let scans = walker.walk_layers(&image, &layers)?;
    let view = FileSystemView::build(scans.iter().map(|s| &s.index));
    Ok((image, scans, view))
}

/// The (path, content) pairs the recorder produced for one layer.
pub(crate) fn seen(scan: &LayerScan) -> Vec<(String, String)> {
    let mut v: Vec<_> = scan
        .outputs
        .get("recorder")
        .map(|o| {
            o.findings
                .iter()
                .map(|f| (f.title.clone(), f.message.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
