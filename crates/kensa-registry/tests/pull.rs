//! The pull client against a real registry (Debian's `docker-registry`) on 127.0.0.1,
//! with images pushed by skopeo. Each test skips, saying so, when the binary is absent.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::Path;

use kensa_core::Digest;
use kensa_registry::{
    Client, ClientOptions, CredentialSources, Credentials, Reference, RegistryError, Secret,
};
use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer, MultiPlatform};

const USER: &str = "tester";
const PASSWORD: &str = "pw-Zq81-never-printed";

fn image(marker: &str) -> Image {
    Image::new(vec![Layer::new(vec![
        Entry::dir("etc/"),
        Entry::file("etc/marker", marker),
    ])])
}

fn reference(registry: &TestRegistry, rest: &str) -> Reference {
    Reference::parse(&format!("{}/{rest}", registry.host)).unwrap()
}

fn insecure() -> ClientOptions {
    ClientOptions {
        insecure: true,
        sources: no_docker_config(),
        ..ClientOptions::default()
    }
}

/// Points the docker config somewhere empty, so the tester's own logins never leak in.
fn no_docker_config() -> CredentialSources {
    CredentialSources {
        docker_config: Some("/nonexistent/kensa-test/config.json".into()),
        helper_path: Some("".into()),
    }
}

/// Plain HTTP, with the tester's credentials given explicitly.
fn insecure_as_tester() -> ClientOptions {
    ClientOptions {
        credentials: Some(Credentials {
            username: USER.into(),
            password: Secret::new(PASSWORD),
        }),
        ..insecure()
    }
}

fn tls_options(registry: &TestRegistry) -> ClientOptions {
    ClientOptions {
        ca_certs: vec![registry.ca_cert.clone().unwrap()],
        sources: no_docker_config(),
        ..ClientOptions::default()
    }
}

fn assert_no_secret(text: &str) {
    assert!(!text.contains(PASSWORD), "the password leaked: {text}");
    assert!(!text.contains("Basic "), "an auth header leaked: {text}");
    assert!(!text.contains("Bearer "), "a token leaked: {text}");
}

#[test]
fn pulls_manifest_config_and_layer_anonymously_over_plain_http() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let built = registry.push(&image("one"), "team/app:1.0").unwrap();
    let client = Client::new(insecure()).unwrap();
    let r = reference(&registry, "team/app:1.0");
    let manifest = client.manifest(&r).unwrap();
    assert!(!manifest.is_index());
    assert_eq!(Some(manifest.digest.to_string()), built.manifest_digest);
    let by_digest = client
        .manifest(&r.with_digest(manifest.digest.clone()))
        .unwrap();
    assert_eq!(by_digest.bytes, manifest.bytes);

    let config: Digest = built.config_digest.parse().unwrap();
    let bytes = client.blob_bytes(&r, &config, 1 << 20).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("rootfs"));
    let layer: Digest = built.layer_digests[0].parse().unwrap();
    let mut blob = client.blob(&r, &layer, 1 << 30).unwrap();
    assert_eq!(blob.size, Some(built.layer_sizes[0]));
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut blob.reader, &mut body).unwrap();
    assert_eq!(body.len() as u64, built.layer_sizes[0]);

    let missing = client
        .manifest(&reference(&registry, "team/app:nope"))
        .unwrap_err();
    let text = missing.to_string();
    assert!(
        text.contains(&registry.host) && text.contains("team/app") && text.contains("nope"),
        "{text}"
    );
}

#[test]
fn an_index_is_served_whole_and_its_manifests_by_digest() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let multi = MultiPlatform {
        images: vec![
            image("amd").platform("linux", "amd64", None),
            image("arm").platform("linux", "arm64", Some("v8")),
        ],
    };
    let built = multi.write_oci_layout(&dir.path().join("oci")).unwrap();
    registry
        .push_oci_layout(&dir.path().join("oci"), "multi:latest")
        .unwrap();
    let client = Client::new(insecure()).unwrap();
    let r = reference(&registry, "multi");
    let index = client.manifest(&r).unwrap();
    assert!(index.is_index(), "{}", index.media_type);
    let arm: Digest = built[1].manifest_digest.clone().unwrap().parse().unwrap();
    let manifest = client.manifest(&r.with_digest(arm.clone())).unwrap();
    assert_eq!(manifest.digest, arm);
}

#[test]
fn a_blob_whose_content_is_not_its_digest_is_refused_naming_both() {
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let built = registry.push(&image("cfg"), "bad:1").unwrap();
    let config = built.config_digest.clone();
    let file = registry.blob_file(&config);
    let mut bytes = fs_err::read(&file).unwrap();
    bytes[0] ^= 0x20;
    fs_err::write(&file, bytes).unwrap();
    let client = Client::new(insecure()).unwrap();
    let r = reference(&registry, "bad:1");
    let err = client
        .blob_bytes(&r, &config.parse().unwrap(), 1 << 20)
        .unwrap_err();
    assert!(matches!(err, RegistryError::Digest { .. }), "{err}");
    assert!(err.to_string().contains(&config), "{err}");
    let too_small = client
        .blob_bytes(&r, &config.parse().unwrap(), 4)
        .unwrap_err();
    assert!(
        matches!(too_small, RegistryError::TooLarge { .. }),
        "{too_small}"
    );
}

#[test]
fn tls_with_the_right_ca_works_and_a_wrong_or_missing_one_fails_closed() {
    let Some(registry) = TestRegistry::start(RegistryConfig {
        tls: true,
        htpasswd: None,
        token: None,
    })
    .unwrap() else {
        return;
    };
    registry.push(&image("tls"), "tls:1").unwrap();
    let r = reference(&registry, "tls:1");
    Client::new(tls_options(&registry))
        .unwrap()
        .manifest(&r)
        .unwrap();

    let no_ca = ClientOptions {
        sources: no_docker_config(),
        ..ClientOptions::default()
    };
    let err = Client::new(no_ca).unwrap().manifest(&r).unwrap_err();
    assert!(matches!(err, RegistryError::Tls { .. }), "{err}");
    assert!(err.to_string().contains(&registry.host), "{err}");
    assert!(err.to_string().contains("--ca-cert"), "{err}");

    let other = TestRegistry::start(RegistryConfig {
        tls: true,
        htpasswd: None,
        token: None,
    })
    .unwrap()
    .unwrap();
    let wrong = ClientOptions {
        ca_certs: vec![other.ca_cert.clone().unwrap()],
        ..tls_options(&registry)
    };
    let err = Client::new(wrong).unwrap().manifest(&r).unwrap_err();
    assert!(matches!(err, RegistryError::Tls { .. }), "{err}");

    // Plain HTTP to a TLS registry is not a silent downgrade either: it fails.
    assert!(Client::new(insecure()).unwrap().manifest(&r).is_err());
}

fn auth_registry() -> Option<TestRegistry> {
    let registry = TestRegistry::start(RegistryConfig {
        tls: true,
        htpasswd: Some((USER.into(), PASSWORD.into())),
        token: None,
    })
    .unwrap()?;
    registry.push(&image("private"), "private/app:1").unwrap();
    Some(registry)
}

#[test]
fn basic_auth_with_explicit_credentials_and_no_secret_in_errors() {
    let Some(registry) = auth_registry() else {
        return;
    };
    let r = reference(&registry, "private/app:1");

    let anonymous = Client::new(tls_options(&registry)).unwrap();
    let err = anonymous.manifest(&r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&registry.host) && text.contains("anonymous"),
        "{text}"
    );

    let good = ClientOptions {
        credentials: Some(Credentials {
            username: USER.into(),
            password: Secret::new(PASSWORD),
        }),
        ..tls_options(&registry)
    };
    let client = Client::new(good).unwrap();
    client.manifest(&r).unwrap();
    assert_no_secret(&format!("{client:?}"));

    let wrong = ClientOptions {
        credentials: Some(Credentials {
            username: USER.into(),
            password: Secret::new(format!("{PASSWORD}-wrong")),
        }),
        ..tls_options(&registry)
    };
    let client = Client::new(wrong).unwrap();
    let err = client.manifest(&r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("basic auth as `tester`") && text.contains(&registry.host),
        "{text}"
    );
    assert_no_secret(&text);
    assert_no_secret(&format!("{err:?} {client:?}"));
}

fn with_sources(registry: &TestRegistry, sources: CredentialSources) -> Client {
    Client::new(ClientOptions {
        sources,
        ..tls_options(registry)
    })
    .unwrap()
}

fn write_config(dir: &Path, json: &serde_json::Value) -> CredentialSources {
    let path = dir.join("config.json");
    fs_err::write(&path, json.to_string()).unwrap();
    CredentialSources {
        docker_config: Some(path),
        helper_path: Some(dir.as_os_str().to_owned()),
    }
}

#[test]
fn docker_config_auths_entry_is_used() {
    let Some(registry) = auth_registry() else {
        return;
    };
    let r = reference(&registry, "private/app:1");
    let dir = tempfile::tempdir().unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    let sources = write_config(
        dir.path(),
        &serde_json::json!({ "auths": { format!("https://{}", registry.host): { "auth": auth } } }),
    );
    let client = with_sources(&registry, sources);
    client.manifest(&r).unwrap();
    assert_no_secret(&format!("{client:?}"));

    let bad = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:nope"));
    let sources = write_config(
        dir.path(),
        &serde_json::json!({ "auths": { registry.host.clone(): { "auth": bad } } }),
    );
    let err = with_sources(&registry, sources).manifest(&r).unwrap_err();
    assert!(err.to_string().contains("basic auth as `tester`"), "{err}");
    assert_no_secret(&format!("{err} {err:?}"));
}

#[test]
fn credential_helpers_are_asked_with_the_server_on_stdin() {
    let Some(registry) = auth_registry() else {
        return;
    };
    let r = reference(&registry, "private/app:1");
    let dir = tempfile::tempdir().unwrap();
    let helper = dir.path().join("docker-credential-kensatest");
    let script = format!(
        "#!/bin/sh\nread server\nif [ \"$server\" = \"{}\" ]; then\n  printf '{{\"ServerURL\":\"%s\",\"Username\":\"{USER}\",\"Secret\":\"{PASSWORD}\"}}' \"$server\"\nelse\n  echo 'credentials not found in native keychain'; exit 1\nfi\n",
        registry.host
    );
    fs_err::write(&helper, script).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    fs_err::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    for config in [
        serde_json::json!({ "credHelpers": { registry.host.clone(): "kensatest" } }),
        serde_json::json!({ "credsStore": "kensatest" }),
    ] {
        let sources = write_config(dir.path(), &config);
        let client = with_sources(&registry, sources);
        client.manifest(&r).unwrap();
        assert_no_secret(&format!("{client:?}"));
    }
    let sources = write_config(dir.path(), &serde_json::json!({ "credsStore": "absent" }));
    let err = with_sources(&registry, sources).manifest(&r).unwrap_err();
    assert!(
        err.to_string().contains("docker-credential-absent"),
        "{err}"
    );
}

#[test]
fn survives_503_and_429_then_gives_up_with_the_status() {
    use kensa_testkit::registry::{Fault, FaultyProxy};
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    registry.push(&image("flaky"), "flaky:1").unwrap();
    let proxy = FaultyProxy::start(
        &registry.host,
        vec![Fault::Status(503, None), Fault::Status(429, Some(1))],
    )
    .unwrap();
    let r = Reference::parse(&format!("{}/flaky:1", proxy.host)).unwrap();
    let started = std::time::Instant::now();
    Client::new(insecure()).unwrap().manifest(&r).unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(1),
        "Retry-After was not honoured"
    );

    let proxy = FaultyProxy::start(&registry.host, vec![Fault::Status(503, None); 3]).unwrap();
    let r = Reference::parse(&format!("{}/flaky:1", proxy.host)).unwrap();
    let options = ClientOptions {
        retries: 2,
        backoff: std::time::Duration::from_millis(10),
        ..insecure()
    };
    let err = Client::new(options).unwrap().manifest(&r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("HTTP 503") && text.contains(&proxy.host),
        "{text}"
    );
}

#[test]
fn a_stalled_registry_is_a_clear_error_not_a_hang() {
    use kensa_testkit::registry::{Fault, FaultyProxy};
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let proxy = FaultyProxy::start(&registry.host, vec![Fault::Stall; 2]).unwrap();
    let r = Reference::parse(&format!("{}/any:1", proxy.host)).unwrap();
    let options = ClientOptions {
        read_timeout: std::time::Duration::from_secs(1),
        retries: 1,
        backoff: std::time::Duration::from_millis(10),
        ..insecure()
    };
    let started = std::time::Instant::now();
    let err = Client::new(options).unwrap().manifest(&r).unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let text = err.to_string();
    assert!(
        text.contains("timed out") && text.contains(&proxy.host),
        "{text}"
    );
}

#[test]
fn bearer_tokens_from_the_challenge_are_scoped_renewed_and_never_printed() {
    let Some(registry) = TestRegistry::start(RegistryConfig {
        tls: false,
        htpasswd: None,
        token: Some((USER.into(), PASSWORD.into(), 6)),
    })
    .unwrap() else {
        return;
    };
    registry.push(&image("tok"), "tok/app:1").unwrap();
    registry.push(&image("other"), "tok/other:1").unwrap();
    let pushed = registry.tokens_issued();
    let r = reference(&registry, "tok/app:1");

    // Anonymous: the token server refuses, and the error says so naming the registry.
    let err = Client::new(insecure()).unwrap().manifest(&r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&registry.host) && text.contains("anonymous"),
        "{text}"
    );

    let client = Client::new(insecure_as_tester()).unwrap();
    client.manifest(&r).unwrap();
    client.manifest(&r).unwrap();
    assert_eq!(
        registry.tokens_issued() - pushed,
        1,
        "one token serves a repository"
    );
    client
        .manifest(&reference(&registry, "tok/other:1"))
        .unwrap();
    assert_eq!(
        registry.tokens_issued() - pushed,
        2,
        "tokens are per repository"
    );
    // The token lives 6 s and is renewed 5 s early: after 1.5 s it is replaced.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    client.manifest(&r).unwrap();
    assert_eq!(
        registry.tokens_issued() - pushed,
        3,
        "an expired token is renewed"
    );
    assert_no_secret(&format!("{client:?}"));

    let wrong = Client::new(ClientOptions {
        credentials: Some(Credentials {
            username: USER.into(),
            password: Secret::new(format!("{PASSWORD}-no")),
        }),
        ..insecure()
    })
    .unwrap();
    let err = wrong.manifest(&r).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("basic auth as `tester`") && text.contains("token server"),
        "{text}"
    );
    assert_no_secret(&format!("{text} {err:?} {wrong:?}"));
}

/// A layer big enough to be cut midway, and incompressible so its blob stays big.
fn big_image() -> Image {
    let mut noise = Vec::with_capacity(256 * 1024);
    let mut x: u32 = 0x9e37_79b9;
    for _ in 0..256 * 1024 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        noise.push((x & 0xff) as u8);
    }
    Image::new(vec![Layer::new(vec![Entry::file("data/noise.bin", noise)])])
}

#[test]
fn a_blob_cut_midway_is_resumed_with_a_range_and_still_verified() {
    use kensa_testkit::front::Front;
    use sha2::Digest as _;
    let Some(registry) = TestRegistry::start(RegistryConfig::default()).unwrap() else {
        return;
    };
    let built = registry.push(&big_image(), "big:1").unwrap();
    let front = Front::breaking(&registry.host, 2, 64 * 1024).unwrap();
    let r = Reference::parse(&format!("{}/big:1", front.host)).unwrap();
    let layer: Digest = built.layer_digests[0].parse().unwrap();
    let client = Client::new(insecure()).unwrap();
    let mut blob = client.blob(&r, &layer, 1 << 30).unwrap();
    let mut body = Vec::new();
    std::io::Read::read_to_end(&mut blob.reader, &mut body).unwrap();
    assert_eq!(body.len() as u64, built.layer_sizes[0]);
    let hash: [u8; 32] = sha2::Sha256::digest(&body).into();
    assert_eq!(Digest::sha256_from_bytes(&hash), layer);
    let ranges: Vec<String> = front
        .seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|req| req.header("range").map(str::to_owned))
        .collect();
    assert_eq!(
        ranges,
        ["bytes=65536-", "bytes=131072-"],
        "two breaks, two resumes"
    );
}

#[test]
fn a_redirect_to_a_blob_store_on_another_host_gets_no_credentials() {
    use base64::Engine as _;
    use kensa_testkit::front::Front;
    let Some(registry) = TestRegistry::start(RegistryConfig {
        tls: false,
        htpasswd: Some((USER.into(), PASSWORD.into())),
        token: None,
    })
    .unwrap() else {
        return;
    };
    let built = registry.push(&image("redirected"), "store/app:1").unwrap();
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    );
    // The store's own access stands in for a presigned URL's.
    let store = Front::blob_store(&registry.host, Some(basic)).unwrap();
    let front = Front::redirecting(&registry.host, &store.host).unwrap();
    let r = Reference::parse(&format!("{}/store/app:1", front.host)).unwrap();
    let client = Client::new(insecure_as_tester()).unwrap();
    client.manifest(&r).unwrap();
    let config: Digest = built.config_digest.parse().unwrap();
    let bytes = client.blob_bytes(&r, &config, 1 << 20).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("rootfs"));

    let registry_saw = front.seen.lock().unwrap().clone();
    assert!(
        registry_saw
            .iter()
            .any(|req| req.target.contains("/blobs/") && req.header("authorization").is_some()),
        "the registry itself was sent the credentials"
    );
    let store_saw = store.seen.lock().unwrap().clone();
    assert!(!store_saw.is_empty(), "the blob came from the store");
    for req in &store_saw {
        assert_eq!(req.header("authorization"), None, "{req:?}");
    }
}
