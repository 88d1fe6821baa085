//! Builds test images (docker-archive, OCI layout and archive) and hostile inputs from in-memory descriptions, so no binary fixture is committed.
//!
//! Describe layers as [`Entry`] values, stack them into an [`Image`] with a config, and write
//! the image in the format under test. The returned [`BuiltImage`] carries the true digests, so a
//! test can assert on them without hard-coding any.
//!
//! ```
//! use kensa_testkit::{Compression, Entry, Image, Layer, Tamper, contents};
//! use serde_json::json;
//!
//! # fn main() -> std::io::Result<()> {
//! let dir = tempfile::tempdir()?;
//! let base = Layer::new(vec![
//!     Entry::dir("etc/"),
//!     Entry::file("etc/os-release", contents::os_release_debian("12", "bookworm")),
//!     Entry::file("etc/passwd", contents::passwd(&[("root", 0, 0)])),
//!     Entry::exec("usr/bin/su", "ELF").with_mode(0o4755),
//!     Entry::symlink("etc/evil", "../../../etc/shadow"),
//! ]);
//! let app = Layer::new(vec![Entry::Whiteout("etc/passwd".into())])
//!     .compression(Compression::Zstd)
//!     .created_by("RUN rm /etc/passwd");
//! let image = Image::new(vec![base, app])
//!     .config(json!({ "User": "root", "Cmd": ["/bin/sh"] }))
//!     .history(1, "USER root");
//! let built = image.write_oci_layout(&dir.path().join("oci"))?;
//! assert_eq!(built.diff_ids.len(), 2);
//!
//! // The same image with a falsified diff_id, as a Docker 25+ `docker save` archive:
//! image
//!     .tamper(Tamper::DiffId(0))
//!     .write_docker_archive_oci(&dir.path().join("image.tar"))?;
//! # Ok(())
//! # }
//! ```
//!
//! Paths, link targets and whiteouts are written byte-for-byte, so `../escape`, `/abs` and
//! over-long names reach the reader unchanged (GNU long-name entries, or PAX records with
//! [`Entry::Pax`]); [`Layer::bomb`] and [`Layer::raw`] make decompression bombs and malformed
//! tars, and [`Tamper`] builds in digest, diff_id, truncation and bad-JSON defects. [`contents`]
//! renders `os-release`, `passwd`, `group`, dpkg `status` and apk `installed` files.
//!
//! Everything written is reproducible: fixed mtimes and `created`, gzip without timestamp,
//! archive members in sorted order.

pub mod contents;
mod fileset;
pub mod front;
mod image;
mod layer;
mod multi;
pub mod registry;
pub mod rng;
mod tarball;
mod token;

pub use image::{BuiltImage, Image, Tamper};
pub use layer::{Compression, Entry, Layer};
pub use multi::MultiPlatform;
pub use rng::Rng;
