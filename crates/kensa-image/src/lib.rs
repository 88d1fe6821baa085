//! Image sources, the one-pass layer walker, whiteouts, digests and the layer cache.
//!
//! [`source::open`] reads an input's manifest and config and verifies them;
//! [`Walker`] then reads each layer blob exactly once, verifying its digest, size and
//! uncompressed digest while routing files to analyzers; [`FileSystemView`] stacks the
//! layer indexes with whiteouts applied; [`LayerCache`] stores per-layer results so an
//! unchanged image is rescanned without reading a layer.
//!
//! Images are hostile input: nothing is extracted to disk, paths that climb out of the
//! root are refused, links are recorded and never followed, and every limit (document
//! size, entries, decompression ratio, file content) is enforced before memory is spent.

mod blob;
pub mod cache;
mod error;
mod path;
mod route;
pub mod source;
mod view;
mod walk;

pub use cache::{CacheError, CacheInfo, CachedLayer, Claim, LayerCache, LayerStore, RedbStore};
pub use error::ImageError;
pub use source::{Image, ImageInput, Layer, OpenOptions, Platform, open};
pub use view::FileSystemView;
pub use walk::{IndexEntry, LayerIndex, LayerScan, WALKER_VERSION, WalkOptions, Walker};
