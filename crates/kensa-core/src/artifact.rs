//! The scanned artifact: what it is, its layers, and its image configuration.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Digest;

/// What kind of thing was scanned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// A `docker save` tarball.
    DockerArchive,
    /// An OCI image layout directory.
    OciLayout,
    /// A tarball of an OCI image layout.
    OciArchive,
    /// An image in a registry.
    Registry,
    /// An unpacked root filesystem.
    Rootfs,
    /// A source tree.
    Filesystem,
}

/// The scanned artifact.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Artifact {
    /// The name the user gave (path or reference).
    pub name: String,
    /// What kind of input it was.
    pub kind: ArtifactKind,
    /// The image's config digest (its image id), for images.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<Digest>,
    /// The manifest digest, when the source has one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub manifest_digest: Option<Digest>,
    /// Tags the source records (`repositories`, `org.opencontainers.image.ref.name`).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub repo_tags: Vec<String>,
    /// `os/arch[/variant]` of the image.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub platform: Option<String>,
    /// The operating system found inside, when one was detected.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub os: Option<OsInfo>,
    /// The layers, base first.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub layers: Vec<LayerInfo>,
    /// What the image config says about how the container runs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<ConfigSummary>,
}

/// The operating system of an image or root filesystem.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct OsInfo {
    /// The distribution family, lowercase (`debian`, `alpine`, `rhel`, …).
    pub family: String,
    /// The version as the distribution states it (`12`, `3.19.1`, `22.04`).
    pub version: String,
    /// The release codename, when there is one.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub codename: Option<String>,
    /// The human-readable name (`PRETTY_NAME`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pretty_name: Option<String>,
}

/// One layer of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    /// The digest of the uncompressed tar (the config's `rootfs.diff_ids` entry).
    pub diff_id: Digest,
    /// The digest of the blob as stored (compressed), when it differs or is known.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub blob_digest: Option<Digest>,
    /// The stored (compressed) size in bytes.
    pub size: u64,
    /// The build step that made it, from the config history.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created_by: Option<String>,
}

/// The run-time settings of an image, as a report shows them. Env values are left out
/// on purpose: they may hold secrets, and the secret scanner reports those masked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigSummary {
    /// `USER`, empty when unset (which means root).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user: Option<String>,
    /// `ENTRYPOINT`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub entrypoint: Vec<String>,
    /// `CMD`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub cmd: Vec<String>,
    /// Names of the `ENV` variables.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub env_names: Vec<String>,
    /// `EXPOSE`d ports, such as `80/tcp`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub exposed_ports: Vec<String>,
    /// The `HEALTHCHECK` test, when set.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub healthcheck: Option<Vec<String>>,
    /// `WORKDIR`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub working_dir: Option<String>,
}

/// An image configuration (Docker's and OCI's `application/vnd.*.config.*+json`).
///
/// Written by hand rather than taken from `oci-spec` because Docker's fields
/// (`Healthcheck`, `OnBuild`) matter to the config audit and OCI's type drops them, and
/// because real images carry `null` where the spec says array.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageConfig {
    /// CPU architecture.
    #[serde(default)]
    pub architecture: String,
    /// Operating system.
    #[serde(default)]
    pub os: String,
    /// CPU variant (`v8` for arm64).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub variant: Option<String>,
    /// Creation time as written.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created: Option<String>,
    /// The container run settings.
    #[serde(default, deserialize_with = "null_as_default")]
    pub config: RunConfig,
    /// The layer digests.
    #[serde(default)]
    pub rootfs: RootFs,
    /// The build history, one entry per step.
    #[serde(default, deserialize_with = "null_as_default")]
    pub history: Vec<History>,
}

impl ImageConfig {
    /// `os/arch[/variant]`.
    pub fn platform(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", self.os, self.architecture, v),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }

    /// The history entry of each layer, matched in order past the `empty_layer` entries.
    /// The result has one element per `rootfs.diff_ids` entry.
    pub fn layer_history(&self) -> Vec<Option<&History>> {
        let mut layered = self.history.iter().filter(|h| !h.empty_layer);
        self.rootfs
            .diff_ids
            .iter()
            .map(|_| layered.next())
            .collect()
    }

    /// What a report shows of the run settings.
    pub fn summary(&self) -> ConfigSummary {
        let c = &self.config;
        ConfigSummary {
            user: c.user.clone().filter(|u| !u.is_empty()),
            entrypoint: c.entrypoint.clone().unwrap_or_default(),
            cmd: c.cmd.clone().unwrap_or_default(),
            env_names: c
                .env
                .iter()
                .flatten()
                .map(|e| e.split_once('=').map_or(e.as_str(), |(k, _)| k).to_owned())
                .collect(),
            exposed_ports: c
                .exposed_ports
                .iter()
                .flatten()
                .map(|(p, _)| p.clone())
                .collect(),
            healthcheck: c.healthcheck.as_ref().and_then(|h| h.test.clone()),
            working_dir: c.working_dir.clone().filter(|w| !w.is_empty()),
        }
    }
}

/// The `config` object of an image configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RunConfig {
    /// `USER`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user: Option<String>,
    /// `EXPOSE`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// `ENV`, as `NAME=value`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub env: Option<Vec<String>>,
    /// `ENTRYPOINT`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cmd: Option<Vec<String>>,
    /// `VOLUME`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    /// `WORKDIR`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub working_dir: Option<String>,
    /// `LABEL`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub labels: Option<BTreeMap<String, String>>,
    /// `STOPSIGNAL`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK` (Docker only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub healthcheck: Option<Healthcheck>,
    /// `ONBUILD` triggers (Docker only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub on_build: Option<Vec<String>>,
}

/// Docker's `HEALTHCHECK`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["CMD", …]`, `["CMD-SHELL", …]` or `["NONE"]`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub test: Option<Vec<String>>,
}

/// `rootfs` of an image configuration.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// Uncompressed layer digests, base first.
    #[serde(default, deserialize_with = "null_as_default")]
    pub diff_ids: Vec<Digest>,
}

/// One build step in the image history.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// When it ran.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created: Option<String>,
    /// The instruction, e.g. `/bin/sh -c apt-get update`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub created_by: Option<String>,
    /// A comment.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub comment: Option<String>,
    /// True when the step made no layer.
    #[serde(default)]
    pub empty_layer: bool,
}

fn null_as_default<'de, D, T>(de: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(de)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_nulls_and_matches_history_to_layers() {
        let json = format!(
            r#"{{"architecture":"amd64","os":"linux","config":{{"User":"","Env":["PATH=/bin","TOKEN=x"],"Cmd":null,"Healthcheck":{{"Test":["CMD","true"]}}}},
            "rootfs":{{"type":"layers","diff_ids":["sha256:{a}","sha256:{b}"]}},
            "history":[{{"created_by":"ADD base"}},{{"created_by":"ENV X=1","empty_layer":true}},{{"created_by":"RUN make"}}]}}"#,
            a = "a".repeat(64),
            b = "b".repeat(64)
        );
        let cfg: ImageConfig = serde_json::from_str(&json).unwrap();
        let hist: Vec<_> = cfg
            .layer_history()
            .into_iter()
            .map(|h| h.and_then(|h| h.created_by.as_deref()))
            .collect();
        assert_eq!(hist, [Some("ADD base"), Some("RUN make")]);
        let s = cfg.summary();
        assert_eq!(s.user, None);
        assert_eq!(s.env_names, ["PATH", "TOKEN"]);
        assert_eq!(s.healthcheck.unwrap(), ["CMD", "true"]);
        assert_eq!(cfg.platform(), "linux/amd64");
    }
}
