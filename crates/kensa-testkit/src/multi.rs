//! Multi-platform images: an OCI index of per-platform manifests.

use std::io;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::fileset::{FileSet, Source};
use crate::image::{
    BuiltImage, Image, MEDIA_INDEX, MEDIA_MANIFEST, OCI_LAYOUT, blob_path, index_json, tag_of,
    to_json,
};
use crate::layer::sha256_digest;

/// Several images of one name, one per platform. `index.json` holds one descriptor of a nested
/// image index (tagged with the first image's tag), whose manifests carry each image's
/// `platform`, as `docker buildx --platform a,b --output type=oci` writes it.
#[derive(Clone, Debug, PartialEq)]
pub struct MultiPlatform {
    /// One per platform, in index order.
    pub images: Vec<Image>,
}

impl MultiPlatform {
    /// Writes an OCI image layout directory (created if missing).
    pub fn write_oci_layout(&self, dir: &Path) -> io::Result<Vec<BuiltImage>> {
        let mut fs = FileSet::default();
        let built = self.render(&mut fs)?;
        fs.write_dir(dir)?;
        Ok(built)
    }

    /// Writes an OCI image layout as a tar archive.
    pub fn write_oci_archive(&self, path: &Path) -> io::Result<Vec<BuiltImage>> {
        let mut fs = FileSet::default();
        let built = self.render(&mut fs)?;
        fs.write_tar(path)?;
        Ok(built)
    }

    fn render(&self, fs: &mut FileSet) -> io::Result<Vec<BuiltImage>> {
        let mut manifests = Vec::with_capacity(self.images.len());
        let mut built = Vec::with_capacity(self.images.len());
        for image in &self.images {
            let (manifest, b) = image.oci_blobs_for_multi(fs)?;
            manifests.push(json!({
                "mediaType": MEDIA_MANIFEST,
                "digest": sha256_digest(&manifest),
                "size": manifest.len(),
                "platform": image.platform_json(),
            }));
            built.push(b);
        }
        let nested = to_json(&json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_INDEX,
            "manifests": manifests,
        }))?;
        fs.insert(
            blob_path(&sha256_digest(&nested)),
            Source::Bytes(nested.clone()),
        );

        let mut annotations = Map::new();
        if let Some(tag) = self.images.iter().find_map(|i| i.repo_tag.as_deref()) {
            annotations.insert(
                "org.opencontainers.image.ref.name".into(),
                Value::from(tag_of(tag)),
            );
        }
        let index = index_json(MEDIA_INDEX, &nested, annotations, None);
        fs.insert("index.json".into(), Source::Bytes(to_json(&index)?));
        fs.insert("oci-layout".into(), Source::Bytes(OCI_LAYOUT.into()));
        Ok(built)
    }
}
