//! Images: layers plus config, written as docker-archive, OCI layout or OCI archive.

use std::io;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::fileset::{FileSet, Source};
use crate::layer::{BlobInfo, Layer, sha256_digest};

/// The config's `created` and every history entry's `created`; fixed so output is reproducible.
pub(crate) const CREATED: &str = "2024-01-01T00:00:00Z";

pub(crate) const OCI_LAYOUT: &str = r#"{"imageLayoutVersion":"1.0.0"}"#;
pub(crate) const MEDIA_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const MEDIA_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const MEDIA_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const REF_NAME: &str = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME: &str = "io.containerd.image.name";

/// A deliberate defect, for testing that kensa notices it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// The layer's descriptor carries a wrong digest (OCI manifest and the Docker 25+
    /// `manifest.json` path); the blob is stored under that wrong name, so a reader finds the
    /// file and then a digest mismatch. The classic docker-archive has no layer descriptor, so
    /// writing it with this tamper is an error.
    LayerBlobDigest(usize),
    /// The config's `rootfs.diff_ids[i]` is wrong (the config digest matches the tampered config).
    DiffId(usize),
    /// The config's descriptor carries a wrong digest (OCI manifest; in docker archives the
    /// `Config` file name); the config is stored under that wrong name.
    ConfigDigest,
    /// The layer blob is cut to half its length; its descriptor still claims the real digest and
    /// size.
    TruncateLayer(usize),
    /// These bytes replace the manifest: `manifest.json` in docker archives (both layouts), the
    /// image manifest blob in OCI layouts (the index points at them with their real digest).
    ManifestJson(String),
    /// These bytes replace the config; every digest naming it is recomputed, so only the content
    /// is bad.
    ConfigJson(String),
}

/// What was written. All values are the true ones, also when tampered: `layer_digests` and
/// `layer_sizes` describe the complete compressed blob (what a sound descriptor would say),
/// `config_digest` is the sha256 of the config bytes written, `manifest_digest` that of the OCI
/// image manifest (`None` for the classic docker-archive, which has none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuiltImage {
    /// `sha256:<hex>` of the config bytes.
    pub config_digest: String,
    /// `sha256:<hex>` of the OCI image manifest blob.
    pub manifest_digest: Option<String>,
    /// `sha256:<hex>` of each uncompressed layer tar.
    pub diff_ids: Vec<String>,
    /// `sha256:<hex>` of each layer blob as compressed.
    pub layer_digests: Vec<String>,
    /// Byte length of each layer blob as compressed.
    pub layer_sizes: Vec<u64>,
}

/// A single-platform image.
#[derive(Clone, Debug, PartialEq)]
pub struct Image {
    /// Bottom layer first.
    pub layers: Vec<Layer>,
    /// The config's `config` object: `User`, `Env`, `Cmd`, `Entrypoint`, `Healthcheck`,
    /// `ExposedPorts`, `Labels`, `Volumes`, …
    pub config: Value,
    /// e.g. `amd64`, `arm64`.
    pub architecture: String,
    /// e.g. `linux`.
    pub os: String,
    /// e.g. `v8` for `arm64`.
    pub variant: Option<String>,
    /// `name:tag`; `None` writes an untagged image.
    pub repo_tag: Option<String>,
    /// `empty_layer` history entries, each inserted before the layer at that index
    /// (`layers.len()` appends after the last layer).
    pub extra_history: Vec<(usize, String)>,
    /// Defects to build in.
    pub tamper: Vec<Tamper>,
    /// The config's `created` time (RFC 3339); [`CREATED`] when unset.
    pub created: Option<String>,
}

impl Image {
    /// A linux/amd64 image tagged `kensa-test:latest` with an empty config.
    pub fn new(layers: Vec<Layer>) -> Image {
        Image {
            layers,
            config: json!({}),
            architecture: "amd64".to_owned(),
            os: "linux".to_owned(),
            variant: None,
            repo_tag: Some("kensa-test:latest".to_owned()),
            extra_history: Vec::new(),
            tamper: Vec::new(),
            created: None,
        }
    }

    /// Sets the config's `created` time (RFC 3339).
    pub fn created(mut self, at: &str) -> Image {
        self.created = Some(at.to_owned());
        self
    }

    /// Sets the config's `config` object.
    pub fn config(mut self, v: Value) -> Image {
        self.config = v;
        self
    }

    /// Sets the platform.
    pub fn platform(mut self, os: &str, arch: &str, variant: Option<&str>) -> Image {
        os.clone_into(&mut self.os);
        arch.clone_into(&mut self.architecture);
        self.variant = variant.map(str::to_owned);
        self
    }

    /// Adds a defect.
    pub fn tamper(mut self, t: Tamper) -> Image {
        self.tamper.push(t);
        self
    }

    /// Sets or clears the `name:tag`.
    pub fn repo_tag(mut self, tag: Option<&str>) -> Image {
        self.repo_tag = tag.map(str::to_owned);
        self
    }

    /// Adds an `empty_layer` history entry (`ENV`, `USER`, `CMD`, …) before layer `before`.
    pub fn history(mut self, before: usize, created_by: &str) -> Image {
        self.extra_history.push((before, created_by.to_owned()));
        self
    }

    /// Writes what `docker save` wrote before Docker 25: `manifest.json`, `repositories`,
    /// `<config hex>.json` and `<id>/{VERSION,json,layer.tar}` per layer.
    pub fn write_docker_archive(&self, path: &Path) -> io::Result<BuiltImage> {
        let mut fs = FileSet::default();
        let built = self.render_docker_classic(&mut fs)?;
        fs.write_tar(path)?;
        Ok(built)
    }

    /// Writes what `docker save` writes since Docker 25: an OCI layout (`oci-layout`,
    /// `index.json`, `blobs/sha256/…`) plus `manifest.json` and `repositories` pointing into it.
    pub fn write_docker_archive_oci(&self, path: &Path) -> io::Result<BuiltImage> {
        let mut fs = FileSet::default();
        let built = self.render_docker_oci(&mut fs)?;
        fs.write_tar(path)?;
        Ok(built)
    }

    /// Writes an OCI image layout directory (created if missing).
    pub fn write_oci_layout(&self, dir: &Path) -> io::Result<BuiltImage> {
        let mut fs = FileSet::default();
        let built = self.render_oci(&mut fs)?;
        fs.write_dir(dir)?;
        Ok(built)
    }

    /// Writes an OCI image layout as a tar archive (`oci-archive:` in skopeo's terms).
    pub fn write_oci_archive(&self, path: &Path) -> io::Result<BuiltImage> {
        let mut fs = FileSet::default();
        let built = self.render_oci(&mut fs)?;
        fs.write_tar(path)?;
        Ok(built)
    }

    fn render_docker_classic(&self, fs: &mut FileSet) -> io::Result<BuiltImage> {
        if let Some(i) = self.tamper.iter().find_map(|t| match t {
            Tamper::LayerBlobDigest(i) => Some(i),
            _ => None,
        }) {
            return Err(invalid(format!(
                "tamper `LayerBlobDigest({i})`: the classic docker-archive has no layer digest to falsify; use `DiffId` or the Docker 25+ layout"
            )));
        }
        let p = self.prepare(fs)?;
        let config_name = format!("{}.json", hex_of(&p.config_claimed));
        fs.insert(config_name.clone(), Source::Bytes(p.config_bytes.clone()));

        let mut parent: Option<String> = None;
        let mut layer_paths = Vec::with_capacity(p.layers.len());
        for (i, l) in p.layers.iter().enumerate() {
            // Docker derives v1 ids from the layer chain; any deterministic chain-dependent value
            // gives the same uniqueness.
            let seed = format!("kensa-testkit v1 {i} {parent:?} {}", l.info.diff_id);
            let id = hex_of(&sha256_digest(seed.as_bytes())).to_owned();
            let mut v1 = Map::new();
            v1.insert("id".into(), json!(id));
            if let Some(parent) = &parent {
                v1.insert("parent".into(), json!(parent));
            }
            v1.insert("created".into(), json!(CREATED));
            v1.insert("os".into(), json!(self.os));
            if i.saturating_add(1) == p.layers.len() {
                v1.insert("architecture".into(), json!(self.architecture));
                v1.insert("config".into(), self.config.clone());
            }
            fs.insert(format!("{id}/VERSION"), Source::Bytes(b"1.0".to_vec()));
            fs.insert(
                format!("{id}/json"),
                Source::Bytes(to_json(&Value::Object(v1))?),
            );
            let path = format!("{id}/layer.tar");
            fs.insert(
                path.clone(),
                Source::Blob {
                    index: l.index,
                    len: l.written_len,
                },
            );
            layer_paths.push(path);
            parent = Some(id);
        }

        let manifest = json!([{
            "Config": config_name,
            "RepoTags": self.repo_tag.as_ref().map(|t| vec![t]),
            "Layers": layer_paths,
        }]);
        fs.insert(
            "manifest.json".into(),
            Source::Bytes(self.docker_manifest(&manifest)?),
        );
        if let (Some(tag), Some(top)) = (&self.repo_tag, &parent) {
            fs.insert(
                "repositories".into(),
                Source::Bytes(repositories(tag, top)?),
            );
        }
        Ok(p.built(None))
    }

    fn render_docker_oci(&self, fs: &mut FileSet) -> io::Result<BuiltImage> {
        let p = self.prepare(fs)?;
        let manifest_blob = self.oci_blobs(fs, &p)?;
        let manifest_digest = sha256_digest(&manifest_blob);
        let mut annotations = Map::new();
        if let Some(tag) = &self.repo_tag {
            annotations.insert(CONTAINERD_NAME.into(), json!(tag));
            annotations.insert(REF_NAME.into(), json!(tag_of(tag)));
        }
        let index = index_json(MEDIA_MANIFEST, &manifest_blob, annotations, None);
        fs.insert("index.json".into(), Source::Bytes(to_json(&index)?));
        fs.insert("oci-layout".into(), Source::Bytes(OCI_LAYOUT.into()));

        let layer_paths: Vec<String> = p.layers.iter().map(|l| blob_path(&l.claimed)).collect();
        let manifest = json!([{
            "Config": blob_path(&p.config_claimed),
            "RepoTags": self.repo_tag.as_ref().map(|t| vec![t]),
            "Layers": layer_paths,
        }]);
        fs.insert(
            "manifest.json".into(),
            Source::Bytes(self.docker_manifest(&manifest)?),
        );
        if let (Some(tag), Some(top)) = (&self.repo_tag, p.layers.last()) {
            fs.insert(
                "repositories".into(),
                Source::Bytes(repositories(tag, hex_of(&top.claimed))?),
            );
        }
        Ok(p.built(Some(manifest_digest)))
    }

    fn render_oci(&self, fs: &mut FileSet) -> io::Result<BuiltImage> {
        let p = self.prepare(fs)?;
        let manifest_blob = self.oci_blobs(fs, &p)?;
        let mut annotations = Map::new();
        if let Some(tag) = &self.repo_tag {
            annotations.insert(REF_NAME.into(), json!(tag_of(tag)));
        }
        let index = index_json(MEDIA_MANIFEST, &manifest_blob, annotations, None);
        fs.insert("index.json".into(), Source::Bytes(to_json(&index)?));
        fs.insert("oci-layout".into(), Source::Bytes(OCI_LAYOUT.into()));
        Ok(p.built(Some(sha256_digest(&manifest_blob))))
    }

    /// Adds layer, config and image-manifest blobs under `blobs/sha256/` and returns the
    /// manifest bytes.
    pub(crate) fn oci_blobs_for_multi(
        &self,
        fs: &mut FileSet,
    ) -> io::Result<(Vec<u8>, BuiltImage)> {
        let p = self.prepare(fs)?;
        let manifest_blob = self.oci_blobs(fs, &p)?;
        let built = p.built(Some(sha256_digest(&manifest_blob)));
        Ok((manifest_blob, built))
    }

    fn oci_blobs(&self, fs: &mut FileSet, p: &Prepared) -> io::Result<Vec<u8>> {
        let mut layers = Vec::with_capacity(p.layers.len());
        for l in &p.layers {
            fs.insert(
                blob_path(&l.claimed),
                Source::Blob {
                    index: l.index,
                    len: l.written_len,
                },
            );
            layers.push(json!({
                "mediaType": l.info.media_type,
                "digest": l.claimed,
                "size": l.info.size,
            }));
        }
        fs.insert(
            blob_path(&p.config_claimed),
            Source::Bytes(p.config_bytes.clone()),
        );
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MEDIA_MANIFEST,
            "config": {
                "mediaType": MEDIA_CONFIG,
                "digest": p.config_claimed,
                "size": p.config_bytes.len(),
            },
            "layers": layers,
        });
        let bytes = match self.manifest_override() {
            Some(s) => s.as_bytes().to_vec(),
            None => to_json(&manifest)?,
        };
        fs.insert(
            blob_path(&sha256_digest(&bytes)),
            Source::Bytes(bytes.clone()),
        );
        Ok(bytes)
    }

    fn docker_manifest(&self, manifest: &Value) -> io::Result<Vec<u8>> {
        match self.manifest_override() {
            Some(s) => Ok(s.as_bytes().to_vec()),
            None => to_json(manifest),
        }
    }

    fn manifest_override(&self) -> Option<&str> {
        self.tamper.iter().rev().find_map(|t| match t {
            Tamper::ManifestJson(s) => Some(s.as_str()),
            _ => None,
        })
    }

    fn has(&self, t: &Tamper) -> bool {
        self.tamper.contains(t)
    }

    /// Builds the layer blobs into `fs` and the config bytes, with every tamper applied.
    fn prepare(&self, fs: &mut FileSet) -> io::Result<Prepared> {
        let n = self.layers.len();
        for t in &self.tamper {
            if let Tamper::LayerBlobDigest(i) | Tamper::DiffId(i) | Tamper::TruncateLayer(i) = t
                && *i >= n
            {
                return Err(invalid(format!(
                    "tamper `{t:?}`: the image has `{n}` layers"
                )));
            }
        }
        if let Some((i, s)) = self.extra_history.iter().find(|(i, _)| *i > n) {
            return Err(invalid(format!(
                "extra history `{s}` before layer `{i}`: the image has `{n}` layers"
            )));
        }

        let mut layers = Vec::with_capacity(n);
        for (i, layer) in self.layers.iter().enumerate() {
            let blob = layer.build()?;
            let info = blob.info.clone();
            let claimed = if self.has(&Tamper::LayerBlobDigest(i)) {
                falsify(&info.digest)
            } else {
                info.digest.clone()
            };
            let written_len = if self.has(&Tamper::TruncateLayer(i)) {
                info.size / 2
            } else {
                info.size
            };
            layers.push(PreparedLayer {
                index: fs.add_blob(blob),
                info,
                claimed,
                written_len,
            });
        }

        let config_bytes = match self.tamper.iter().rev().find_map(|t| match t {
            Tamper::ConfigJson(s) => Some(s),
            _ => None,
        }) {
            Some(s) => s.as_bytes().to_vec(),
            None => to_json(&self.config_json(&layers))?,
        };
        let config_digest = sha256_digest(&config_bytes);
        let config_claimed = if self.has(&Tamper::ConfigDigest) {
            falsify(&config_digest)
        } else {
            config_digest.clone()
        };
        Ok(Prepared {
            layers,
            config_bytes,
            config_digest,
            config_claimed,
        })
    }

    fn config_json(&self, layers: &[PreparedLayer]) -> Value {
        let diff_ids: Vec<String> = layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                if self.has(&Tamper::DiffId(i)) {
                    falsify(&l.info.diff_id)
                } else {
                    l.info.diff_id.clone()
                }
            })
            .collect();
        let mut history = Vec::new();
        for i in 0..=self.layers.len() {
            for (_, created_by) in self.extra_history.iter().filter(|(at, _)| *at == i) {
                history.push(json!({
                    "created": CREATED,
                    "created_by": created_by,
                    "empty_layer": true,
                }));
            }
            if let Some(layer) = self.layers.get(i) {
                history.push(json!({ "created": CREATED, "created_by": layer.created_by }));
            }
        }
        let mut c = Map::new();
        c.insert("architecture".into(), json!(self.architecture));
        c.insert("os".into(), json!(self.os));
        if let Some(v) = &self.variant {
            c.insert("variant".into(), json!(v));
        }
        c.insert(
            "created".into(),
            json!(self.created.as_deref().unwrap_or(CREATED)),
        );
        c.insert("config".into(), self.config.clone());
        c.insert(
            "rootfs".into(),
            json!({ "type": "layers", "diff_ids": diff_ids }),
        );
        c.insert("history".into(), Value::Array(history));
        Value::Object(c)
    }

    pub(crate) fn platform_json(&self) -> Value {
        let mut p = Map::new();
        p.insert("architecture".into(), json!(self.architecture));
        p.insert("os".into(), json!(self.os));
        if let Some(v) = &self.variant {
            p.insert("variant".into(), json!(v));
        }
        Value::Object(p)
    }
}

struct PreparedLayer {
    /// Into `FileSet::blobs`.
    index: usize,
    info: BlobInfo,
    /// The digest descriptors carry (wrong under `LayerBlobDigest`).
    claimed: String,
    /// Bytes actually written (half under `TruncateLayer`).
    written_len: u64,
}

struct Prepared {
    layers: Vec<PreparedLayer>,
    config_bytes: Vec<u8>,
    config_digest: String,
    config_claimed: String,
}

impl Prepared {
    fn built(&self, manifest_digest: Option<String>) -> BuiltImage {
        BuiltImage {
            config_digest: self.config_digest.clone(),
            manifest_digest,
            diff_ids: self.layers.iter().map(|l| l.info.diff_id.clone()).collect(),
            layer_digests: self.layers.iter().map(|l| l.info.digest.clone()).collect(),
            layer_sizes: self.layers.iter().map(|l| l.info.size).collect(),
        }
    }
}

/// `index.json` (or a nested index) with one descriptor.
pub(crate) fn index_json(
    media_type: &str,
    blob: &[u8],
    annotations: Map<String, Value>,
    platform: Option<Value>,
) -> Value {
    let mut d = Map::new();
    d.insert("mediaType".into(), json!(media_type));
    d.insert("digest".into(), json!(sha256_digest(blob)));
    d.insert("size".into(), json!(blob.len()));
    if !annotations.is_empty() {
        d.insert("annotations".into(), Value::Object(annotations));
    }
    if let Some(p) = platform {
        d.insert("platform".into(), p);
    }
    json!({
        "schemaVersion": 2,
        "mediaType": MEDIA_INDEX,
        "manifests": [Value::Object(d)],
    })
}

/// A well-formed digest that is not the real one, so readers fail on the mismatch and not on
/// parsing.
fn falsify(digest: &str) -> String {
    sha256_digest(format!("kensa-testkit tamper {digest}").as_bytes())
}

pub(crate) fn blob_path(digest: &str) -> String {
    format!("blobs/sha256/{}", hex_of(digest))
}

fn hex_of(digest: &str) -> &str {
    digest.strip_prefix("sha256:").unwrap_or(digest)
}

/// The tag of `name:tag`; a `:` before the last `/` is a registry port, not a tag.
pub(crate) fn tag_of(repo_tag: &str) -> &str {
    split_repo_tag(repo_tag).1
}

fn split_repo_tag(repo_tag: &str) -> (&str, &str) {
    match repo_tag.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (repo_tag, "latest"),
    }
}

fn repositories(repo_tag: &str, top: &str) -> io::Result<Vec<u8>> {
    let (repo, tag) = split_repo_tag(repo_tag);
    let mut tags = Map::new();
    tags.insert(tag.to_owned(), json!(top));
    let mut repos = Map::new();
    repos.insert(repo.to_owned(), Value::Object(tags));
    to_json(&Value::Object(repos))
}

/// The document with its keys sorted at every level: the bytes (and so the digests that
/// snapshots show) must not depend on whether some crate in the build turns on
/// `serde_json/preserve_order`, which keeps insertion order instead.
pub(crate) fn to_json(v: &Value) -> io::Result<Vec<u8>> {
    let mut sorted = v.clone();
    sorted.sort_all_objects();
    serde_json::to_vec(&sorted).map_err(io::Error::other)
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_are_sorted_whatever_the_insertion_order() {
        let mut inner = serde_json::Map::new();
        inner.insert("z".into(), json!(1));
        inner.insert("a".into(), json!(2));
        let mut outer = serde_json::Map::new();
        outer.insert("y".into(), Value::Object(inner));
        outer.insert("b".into(), json!([{ "d": 1, "c": 2 }]));
        let bytes = to_json(&Value::Object(outer)).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            r#"{"b":[{"c":2,"d":1}],"y":{"a":2,"z":1}}"#
        );
    }

    #[test]
    fn tag_is_split_after_the_last_slash() {
        assert_eq!(split_repo_tag("alpine:3.19"), ("alpine", "3.19"));
        assert_eq!(
            split_repo_tag("localhost:5000/app"),
            ("localhost:5000/app", "latest")
        );
        assert_eq!(
            split_repo_tag("localhost:5000/app:v1"),
            ("localhost:5000/app", "v1")
        );
    }

    #[test]
    fn falsified_digest_is_well_formed_and_different() {
        let real = sha256_digest(b"x");
        let fake = falsify(&real);
        assert_ne!(real, fake);
        assert_eq!(fake.len(), real.len());
        assert!(fake.starts_with("sha256:"));
    }
}
