//! The simple-signing payload cosign signs (containers/image's "JSON data format", with
//! cosign's `type`): `critical.image.docker-manifest-digest` binds the signature to one
//! manifest digest, `critical.identity.docker-reference` names the repository, and
//! `optional` carries free-form claims.

use serde::Serialize;
use serde_json::{Map, Value};

/// The media type of the payload blob.
pub const MEDIA_SIMPLE_SIGNING: &str = "application/vnd.dev.cosign.simplesigning.v1+json";
/// `critical.type` of a cosign image signature.
pub const COSIGN_TYPE: &str = "cosign container image signature";
/// Cosign payloads are ~250 bytes; anything near this is not one.
pub const MAX_PAYLOAD_BYTES: u64 = 64 * 1024;

/// A parsed payload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payload {
    /// `critical.identity.docker-reference` (cosign itself ignores it when verifying).
    pub docker_reference: String,
    /// `critical.image.docker-manifest-digest`: the digest signed.
    pub manifest_digest: String,
}

/// Parses a payload, refusing anything that is not a cosign image signature. Keys are
/// matched without regard to ASCII case, as cosign's Go decoder does (its spec's own
/// example writes `Docker-manifest-digest`); two keys that differ only in case are
/// refused, since readers would disagree on which counts.
pub fn parse(bytes: &[u8]) -> Result<Payload, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let root = value
        .as_object()
        .ok_or("the payload is not a JSON object")?;
    let critical = object(root, "critical", "")?;
    let kind = string(critical, "type", "critical.")?;
    if kind != COSIGN_TYPE {
        return Err(format!("`critical.type` is `{kind}`, not `{COSIGN_TYPE}`"));
    }
    let image = object(critical, "image", "critical.")?;
    let manifest_digest = string(image, "docker-manifest-digest", "critical.image.")?;
    let identity = object(critical, "identity", "critical.")?;
    let docker_reference = string(identity, "docker-reference", "critical.identity.")?;
    Ok(Payload {
        docker_reference: docker_reference.to_owned(),
        manifest_digest: manifest_digest.to_owned(),
    })
}

fn field<'a>(map: &'a Map<String, Value>, name: &str, path: &str) -> Result<&'a Value, String> {
    let mut found = map.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name));
    let first = found
        .next()
        .ok_or_else(|| format!("`{path}{name}` is missing"))?;
    if found.next().is_some() {
        return Err(format!(
            "`{path}{name}` appears twice, spelt in different cases"
        ));
    }
    Ok(first.1)
}

fn object<'a>(
    map: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<&'a Map<String, Value>, String> {
    field(map, name, path)?
        .as_object()
        .ok_or_else(|| format!("`{path}{name}` is not an object"))
}

fn string<'a>(map: &'a Map<String, Value>, name: &str, path: &str) -> Result<&'a str, String> {
    field(map, name, path)?
        .as_str()
        .ok_or_else(|| format!("`{path}{name}` is not a string"))
}

#[derive(Serialize)]
struct Doc<'a> {
    critical: Critical<'a>,
    optional: Option<()>,
}

#[derive(Serialize)]
struct Critical<'a> {
    identity: Identity<'a>,
    image: Image<'a>,
    #[serde(rename = "type")]
    kind: &'a str,
}

#[derive(Serialize)]
struct Identity<'a> {
    #[serde(rename = "docker-reference")]
    docker_reference: &'a str,
}

#[derive(Serialize)]
struct Image<'a> {
    #[serde(rename = "docker-manifest-digest")]
    docker_manifest_digest: &'a str,
}

/// The payload cosign writes for `digest` in repository `docker_reference`: the same
/// key order and `"optional":null`, so the blob is byte-identical to cosign's.
pub fn build(docker_reference: &str, digest: &str) -> Vec<u8> {
    let doc = Doc {
        critical: Critical {
            identity: Identity { docker_reference },
            image: Image {
                docker_manifest_digest: digest,
            },
            kind: COSIGN_TYPE,
        },
        optional: None,
    };
    // Serialising these plain structs cannot fail.
    serde_json::to_vec(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";

    #[test]
    fn built_payloads_have_cosigns_layout_and_parse_back() {
        let bytes = build("registry.example/team/app", DIGEST);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            format!(
                r#"{{"critical":{{"identity":{{"docker-reference":"registry.example/team/app"}},"image":{{"docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}},"optional":null}}"#
            )
        );
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.manifest_digest, DIGEST);
        assert_eq!(parsed.docker_reference, "registry.example/team/app");
    }

    #[test]
    fn keys_match_in_any_case_as_in_the_spec_example() {
        let text = format!(
            r#"{{"critical":{{"identity":{{"docker-reference":"testing/manifest"}},"image":{{"Docker-manifest-digest":"{DIGEST}"}},"type":"cosign container image signature"}},"optional":{{"creator":"Bob the Builder","timestamp":1458239713}}}}"#
        );
        assert_eq!(parse(text.as_bytes()).unwrap().manifest_digest, DIGEST);
    }

    #[test]
    fn wrong_type_missing_fields_and_case_duplicates_are_refused() {
        let cases = [
            (
                r#"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"x"},"type":"atomic container signature"}}"#,
                "`critical.type` is `atomic container signature`",
            ),
            (
                r#"{"critical":{"identity":{"docker-reference":"a"},"type":"cosign container image signature"}}"#,
                "`critical.image` is missing",
            ),
            (
                r#"{"critical":{"identity":{"docker-reference":"a"},"image":{"docker-manifest-digest":"x","Docker-Manifest-Digest":"y"},"type":"cosign container image signature"}}"#,
                "appears twice",
            ),
            ("[1]", "not a JSON object"),
            ("{", "not JSON"),
        ];
        for (input, expected) in cases {
            let err = parse(input.as_bytes()).unwrap_err();
            assert!(err.contains(expected), "{input}: {err}");
        }
    }
}
