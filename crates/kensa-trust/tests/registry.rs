//! Signatures against a real registry (Debian's `docker-registry`, which has no
//! referrers API, so the `sha256-<hex>` fallback tag is what referrers use), made and
//! checked by kensa and by an independent implementation (`cosign_ref.py`, Python's
//! `cryptography`). Each test skips, saying so, when a tool is missing.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use kensa_core::Digest;
use kensa_registry::{Client, ClientOptions, CredentialSources, Reference, ReferrersSource};
use kensa_testkit::registry::{RegistryConfig, TestRegistry};
use kensa_testkit::{Entry, Image, Layer};
use kensa_trust::cosign::{ANNOTATION_SIGNATURE, MEDIA_OCI_MANIFEST, SignatureManifest};
use kensa_trust::{
    Attach, PublicKey, RegistryStore, SigningKey, Store, Stored, TrustError, sign, verify,
};

fn options() -> ClientOptions {
    ClientOptions {
        insecure: true,
        sources: CredentialSources {
            docker_config: Some("/nonexistent/kensa-test/config.json".into()),
            helper_path: Some("".into()),
        },
        ..ClientOptions::default()
    }
}

struct Fixture {
    registry: TestRegistry,
    client: Client,
}

impl Fixture {
    fn start() -> Option<Fixture> {
        let registry = TestRegistry::start(RegistryConfig::default()).unwrap()?;
        Some(Fixture {
            registry,
            client: Client::new(options()).unwrap(),
        })
    }

    /// Pushes a one-file image as `repo:tag`; returns its reference and manifest.
    fn push(&self, repo_tag: &str, marker: &str) -> (Reference, Stored) {
        let image = Image::new(vec![Layer::new(vec![Entry::file("etc/marker", marker)])]);
        self.registry.push(&image, repo_tag).unwrap();
        let reference = Reference::parse(&format!("{}/{repo_tag}", self.registry.host)).unwrap();
        let m = self.client.manifest(&reference).unwrap();
        (
            reference,
            Stored {
                bytes: m.bytes,
                digest: m.digest,
                media_type: m.media_type,
            },
        )
    }

    fn store(&self, reference: &Reference) -> RegistryStore<'_> {
        RegistryStore::new(&self.client, reference)
    }
}

fn new_key() -> (SigningKey, PublicKey) {
    let key = SigningKey::generate().unwrap();
    let public = key.public_key().unwrap();
    (key, public)
}

fn error_text(result: Result<Vec<kensa_trust::Verified>, TrustError>) -> String {
    match result {
        Ok(v) => panic!("expected a failure, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

/// Replaces the tag-scheme manifest of `digest` with what `edit` makes of it.
fn rewrite_signature(
    fx: &Fixture,
    reference: &Reference,
    digest: &Digest,
    edit: impl FnOnce(&mut SignatureManifest),
) {
    let tag = kensa_trust::cosign::signature_tag(digest);
    let store = fx.store(reference);
    let mut manifest =
        SignatureManifest::parse(&store.tagged(&tag).unwrap().unwrap().bytes).unwrap();
    edit(&mut manifest);
    fx.client
        .push_manifest(
            reference,
            Some(&tag),
            MEDIA_OCI_MANIFEST,
            &manifest.to_bytes(),
        )
        .unwrap();
}

#[test]
fn kensa_signs_by_tag_scheme_and_verifies_with_any_given_key() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (key, public) = new_key();
    let (_, other) = new_key();
    let store = fx.store(&reference);
    let signed = sign(&store, &subject, &reference.name(), &key, Attach::Tag).unwrap();
    assert_eq!(
        signed.tag.as_deref(),
        Some(kensa_trust::cosign::signature_tag(&subject.digest).as_str())
    );
    let verified = verify(
        &store,
        "team/app:1.0",
        &subject.digest,
        &[other, public.clone()],
    )
    .unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].key, public.fingerprint);
    assert_eq!(verified[0].docker_reference, reference.name());
    assert!(
        verified[0].location.starts_with("tag `sha256-"),
        "{:?}",
        verified[0]
    );

    // Signing again with a second key keeps the first signature, as cosign does.
    let (second, second_public) = new_key();
    sign(&store, &subject, &reference.name(), &second, Attach::Tag).unwrap();
    assert_eq!(
        verify(&store, "x", &subject.digest, &[public])
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        verify(&store, "x", &subject.digest, &[second_public])
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn referrers_use_the_fallback_tag_on_a_registry_without_the_api() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (key, public) = new_key();
    let store = fx.store(&reference);
    let signed = sign(&store, &subject, &reference.name(), &key, Attach::Referrers).unwrap();
    assert!(signed.tag.is_none());
    let referrer = signed.referrer.unwrap();
    let listed = fx
        .client
        .referrers(
            &reference,
            &subject.digest,
            Some(kensa_trust::cosign::ARTIFACT_SIGNATURE),
        )
        .unwrap();
    assert_eq!(listed.source, ReferrersSource::TagSchema);
    assert_eq!(listed.referrers.len(), 1);
    assert_eq!(listed.referrers[0].digest, referrer);
    let verified = verify(&store, "team/app:1.0", &subject.digest, &[public]).unwrap();
    assert!(
        verified[0].location.starts_with("referrer `sha256:"),
        "{:?}",
        verified[0]
    );
}

#[test]
fn an_unsigned_image_says_so_and_where_kensa_looked() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (_, public) = new_key();
    let text = error_text(verify(
        &fx.store(&reference),
        "team/app:1.0",
        &subject.digest,
        &[public],
    ));
    assert!(
        text.contains("is not signed: no cosign signature at tag `sha256-"),
        "{text}"
    );
    assert!(text.contains("the registry has no referrers API"), "{text}");
}

#[test]
fn a_signature_copied_from_another_image_is_for_another_digest() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, signed_image) = fx.push("team/app:1.0", "one");
    let (_, other_image) = fx.push("team/app:2.0", "two");
    let (key, public) = new_key();
    let store = fx.store(&reference);
    sign(&store, &signed_image, &reference.name(), &key, Attach::Tag).unwrap();
    let tag = kensa_trust::cosign::signature_tag(&signed_image.digest);
    let copied = store.tagged(&tag).unwrap().unwrap();
    let other_tag = kensa_trust::cosign::signature_tag(&other_image.digest);
    fx.client
        .push_manifest(
            &reference,
            Some(&other_tag),
            MEDIA_OCI_MANIFEST,
            &copied.bytes,
        )
        .unwrap();
    let text = error_text(verify(
        &store,
        "team/app:2.0",
        &other_image.digest,
        &[public],
    ));
    assert!(
        text.contains(&format!(
            "signature for another image: its payload signs `{}`, not this digest",
            signed_image.digest
        )),
        "{text}"
    );
}

#[test]
fn a_signature_by_another_key_names_that_key() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (key, _) = new_key();
    let (_, trusted) = new_key();
    let store = fx.store(&reference);
    sign(&store, &subject, &reference.name(), &key, Attach::Tag).unwrap();
    let text = error_text(verify(&store, "team/app:1.0", &subject.digest, &[trusted]));
    assert!(
        text.contains(&format!(
            "signed by another key: `{}` is not one of the given keys",
            key.fingerprint
        )),
        "{text}"
    );
}

#[test]
fn a_tampered_payload_is_reported_as_such() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (_, other_image) = fx.push("team/app:2.0", "two");
    let (key, public) = new_key();
    let store = fx.store(&reference);
    sign(&store, &subject, &reference.name(), &key, Attach::Tag).unwrap();
    // The attacker rewrites the payload to name their image and pushes it, keeping
    // the signature.
    let forged = kensa_trust::simple_signing::build(&reference.name(), other_image.digest.as_str());
    let forged_digest = fx.client.push_blob(&reference, &forged).unwrap();
    let original_tag = kensa_trust::cosign::signature_tag(&subject.digest);
    let mut manifest =
        SignatureManifest::parse(&store.tagged(&original_tag).unwrap().unwrap().bytes).unwrap();
    manifest.layers[0].digest = forged_digest;
    manifest.layers[0].size = forged.len() as u64;
    let other_tag = kensa_trust::cosign::signature_tag(&other_image.digest);
    fx.client
        .push_manifest(
            &reference,
            Some(&other_tag),
            MEDIA_OCI_MANIFEST,
            &manifest.to_bytes(),
        )
        .unwrap();
    let text = error_text(verify(
        &store,
        "team/app:2.0",
        &other_image.digest,
        std::slice::from_ref(&public),
    ));
    assert!(
        text.contains("payload tampered: it hashes to `sha256:"),
        "{text}"
    );

    // The payload blob altered in the registry's storage: its bytes no longer hash to
    // the digest the signature manifest names.
    let payload = manifest_payload_digest(&store, &subject.digest);
    let file = fx.registry.blob_file(payload.as_str());
    let mut bytes = fs_err::read(&file).unwrap();
    bytes[10] ^= 0x01;
    fs_err::write(&file, bytes).unwrap();
    let text = error_text(verify(&store, "team/app:1.0", &subject.digest, &[public]));
    assert!(
        text.contains("payload tampered: it hashes to `sha256:")
            && text.contains(&format!("not the `{payload}` that was signed")),
        "{text}"
    );
}

fn manifest_payload_digest(store: &dyn Store, digest: &Digest) -> Digest {
    let tag = kensa_trust::cosign::signature_tag(digest);
    let manifest = SignatureManifest::parse(&store.tagged(&tag).unwrap().unwrap().bytes).unwrap();
    manifest.layers[0].digest.clone()
}

#[test]
fn a_tampered_or_malformed_signature_is_reported_as_such() {
    let Some(fx) = Fixture::start() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let (key, public) = new_key();
    let store = fx.store(&reference);
    sign(&store, &subject, &reference.name(), &key, Attach::Tag).unwrap();
    // A changed byte at the end of the DER signature keeps it well-formed.
    rewrite_signature(&fx, &reference, &subject.digest, |m| {
        let annotations = &mut m.layers[0].annotations;
        let mut sig = STANDARD.decode(&annotations[ANNOTATION_SIGNATURE]).unwrap();
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
        annotations.insert(ANNOTATION_SIGNATURE.into(), STANDARD.encode(sig));
    });
    let text = error_text(verify(
        &store,
        "team/app:1.0",
        &subject.digest,
        std::slice::from_ref(&public),
    ));
    assert!(
        text.contains(&format!(
            "signature tampered: it does not verify with the key that made it (`{}`)",
            key.fingerprint
        )),
        "{text}"
    );
    rewrite_signature(&fx, &reference, &subject.digest, |m| {
        m.layers[0]
            .annotations
            .insert(ANNOTATION_SIGNATURE.into(), "bm90IGEgc2lnbmF0dXJl".into());
    });
    let text = error_text(verify(
        &store,
        "team/app:1.0",
        &subject.digest,
        std::slice::from_ref(&public),
    ));
    assert!(
        text.contains("signature tampered or malformed: not a DER-encoded ECDSA P-256 signature"),
        "{text}"
    );
    rewrite_signature(&fx, &reference, &subject.digest, |m| {
        m.layers[0]
            .annotations
            .insert(ANNOTATION_SIGNATURE.into(), "%%%".into());
    });
    let text = error_text(verify(&store, "team/app:1.0", &subject.digest, &[public]));
    assert!(text.contains("annotation is not base64"), "{text}");
}

/// A Python with `cryptography`: the one on `PATH`, else Debian's, else a venv under
/// the target dir with it installed from PyPI; `None` (after saying why) when none
/// works.
fn python() -> Option<PathBuf> {
    python_with(&["cryptography"])
}

/// A Python that imports every module of `modules`, found as [`python`] says.
fn python_with(modules: &[&str]) -> Option<PathBuf> {
    let check = format!("import {}", modules.join(", "));
    let has = |python: &Path| {
        Command::new(python)
            .args(["-c", &check])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    // `python3` may be a pyenv or venv that does not see Debian's packages.
    for candidate in ["python3", "/usr/bin/python3"] {
        let candidate = PathBuf::from(candidate);
        if has(&candidate) {
            return Some(candidate);
        }
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("trust-pyenv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        let _ = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status();
    }
    if python.is_file() && !has(&python) {
        let _ = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet"])
            .args(modules)
            .status();
    }
    if has(&python) {
        return Some(python);
    }
    #[expect(clippy::print_stderr, reason = "a skipped test says why")]
    {
        eprintln!(
            "skipping: no Python with {} (Debian: python3-cryptography python3-cbor2)",
            modules.join(" and ")
        );
    }
    None
}

fn run_reference(python: &Path, args: &[&str]) -> (bool, String) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cosign_ref.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn signatures_made_by_the_independent_implementation_verify_in_kensa() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (i, key_type) in ["p256", "rsa", "rsa-pss", "ed25519"].iter().enumerate() {
        let (reference, subject) = fx.push(&format!("py/app:{key_type}"), &format!("m{i}"));
        let public_file = dir.path().join(format!("{key_type}.pub"));
        let (ok, text) = run_reference(
            &python,
            &[
                "sign",
                "--registry",
                &fx.registry.host,
                "--repo",
                "py/app",
                "--digest",
                subject.digest.as_str(),
                "--key-type",
                key_type,
                "--out-pub",
                public_file.to_str().unwrap(),
            ],
        );
        assert!(ok, "{key_type}: {text}");
        let public = PublicKey::from_file(&public_file).unwrap();
        let verified = verify(&fx.store(&reference), "py", &subject.digest, &[public])
            .unwrap_or_else(|e| panic!("{key_type}: {e}"));
        assert_eq!(verified.len(), 1, "{key_type}");
        // A key the reference signer did not use: it records no key, so kensa says
        // what cryptography can say.
        let (_, stranger) = new_key();
        let text = error_text(verify(
            &fx.store(&reference),
            "py",
            &subject.digest,
            &[stranger],
        ));
        let expected = if *key_type == "p256" {
            "signed by another key, or payload or signature altered"
        } else {
            "signature tampered or malformed"
        };
        assert!(text.contains(expected), "{key_type}: {text}");
    }
    // Through the referrers fallback tag.
    let (reference, subject) = fx.push("py/app:referrers", "r");
    let public_file = dir.path().join("r.pub");
    let (ok, text) = run_reference(
        &python,
        &[
            "sign",
            "--registry",
            &fx.registry.host,
            "--repo",
            "py/app",
            "--digest",
            subject.digest.as_str(),
            "--key-type",
            "p256",
            "--out-pub",
            public_file.to_str().unwrap(),
            "--referrers",
        ],
    );
    assert!(ok, "{text}");
    let public = PublicKey::from_file(&public_file).unwrap();
    let verified = verify(&fx.store(&reference), "py", &subject.digest, &[public]).unwrap();
    assert!(verified[0].location.starts_with("referrer"), "{verified:?}");
}

#[test]
fn signatures_made_by_kensa_verify_in_the_independent_implementation() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let dir = tempfile::tempdir().unwrap();
    // An encrypted key, as `kensa keygen` writes with a passphrase, read back.
    let pair = SigningKey::generate()
        .unwrap()
        .to_pem(Some("pass phrase"))
        .unwrap();
    assert!(
        pair.private_pem
            .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
    );
    let key = SigningKey::from_pem(&pair.private_pem, Some("pass phrase"), "test").unwrap();
    let wrong = SigningKey::from_pem(&pair.private_pem, Some("wrong"), "test").unwrap_err();
    assert!(
        wrong.to_string().contains("could not be decrypted"),
        "{wrong}"
    );
    let public_file = dir.path().join("kensa.pub");
    fs_err::write(&public_file, &pair.public_pem).unwrap();
    let args = |public: &Path| {
        vec![
            "verify".to_owned(),
            "--registry".to_owned(),
            fx.registry.host.clone(),
            "--repo".to_owned(),
            "team/app".to_owned(),
            "--digest".to_owned(),
            subject.digest.to_string(),
            "--pub".to_owned(),
            public.to_str().unwrap().to_owned(),
        ]
    };
    let before: Vec<String> = args(&public_file);
    let (ok, text) = run_reference(
        &python,
        &before.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(!ok && text.contains("no signature manifest"), "{text}");
    sign(
        &fx.store(&reference),
        &subject,
        &reference.name(),
        &key,
        Attach::Tag,
    )
    .unwrap();
    let (ok, text) = run_reference(
        &python,
        &before.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(ok && text.contains("verified"), "{text}");
    // The reference signer reads kensa's encrypted private key (PKCS#8, PBES2) and
    // signs another image with it; kensa verifies that with kensa's public key.
    let (other_reference, other_subject) = fx.push("team/app:2.0", "two");
    let private_file = dir.path().join("kensa.key");
    fs_err::write(&private_file, &pair.private_pem).unwrap();
    let (ok, text) = run_reference(
        &python,
        &[
            "sign",
            "--registry",
            &fx.registry.host,
            "--repo",
            "team/app",
            "--digest",
            other_subject.digest.as_str(),
            "--key-type",
            "p256",
            "--out-pub",
            dir.path().join("same.pub").to_str().unwrap(),
            "--private-key",
            private_file.to_str().unwrap(),
            "--password",
            "pass phrase",
        ],
    );
    assert!(ok, "{text}");
    assert_eq!(
        fs_err::read_to_string(dir.path().join("same.pub")).unwrap(),
        pair.public_pem
    );
    let kensa_public = PublicKey::from_pem(&pair.public_pem, "kensa.pub").unwrap();
    verify(
        &fx.store(&other_reference),
        "py",
        &other_subject.digest,
        &[kensa_public],
    )
    .unwrap();
    // And the reference verifier refuses it with another key.
    let other = dir.path().join("other.pub");
    fs_err::write(
        &other,
        SigningKey::generate()
            .unwrap()
            .to_pem(None)
            .unwrap()
            .public_pem,
    )
    .unwrap();
    let with_other = args(&other);
    let (ok, text) = run_reference(
        &python,
        &with_other.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert!(!ok && text.contains("does not verify"), "{text}");
}

/// Signing pushes, so a registry with auth must be answered with the push scope: a
/// bearer token for `pull,push` (the pull token cached by the verify before does not
/// serve), or basic credentials. Anonymous pushes are refused with the reason.
#[test]
fn signing_authenticates_for_push_with_tokens_and_basic_auth() {
    const USER: &str = "signer";
    const PASSWORD: &str = "pw-Tr9-never-printed";
    for config in [
        RegistryConfig {
            token: Some((USER.into(), PASSWORD.into(), 60)),
            ..RegistryConfig::default()
        },
        RegistryConfig {
            htpasswd: Some((USER.into(), PASSWORD.into())),
            ..RegistryConfig::default()
        },
    ] {
        let bearer = config.token.is_some();
        let Some(registry) = TestRegistry::start(config).unwrap() else {
            return;
        };
        let image = Image::new(vec![Layer::new(vec![Entry::file("etc/marker", "auth")])]);
        registry.push(&image, "team/app:1.0").unwrap();
        let reference = Reference::parse(&format!("{}/team/app:1.0", registry.host)).unwrap();
        let (key, public) = new_key();

        let anonymous = Client::new(options()).unwrap();
        let err = anonymous.manifest(&reference).unwrap_err().to_string();
        assert!(err.contains("anonymous access"), "{err}");

        let client = Client::new(ClientOptions {
            credentials: Some(kensa_registry::Credentials {
                username: USER.into(),
                password: kensa_registry::Secret::new(PASSWORD),
            }),
            ..options()
        })
        .unwrap();
        let store = RegistryStore::new(&client, &reference);
        let m = client.manifest(&reference).unwrap();
        let subject = Stored {
            bytes: m.bytes,
            digest: m.digest,
            media_type: m.media_type,
        };
        let text = error_text(verify(
            &store,
            "app",
            &subject.digest,
            std::slice::from_ref(&public),
        ));
        assert!(text.contains("is not signed"), "{text}");
        let before = registry.tokens_issued();
        sign(&store, &subject, &reference.name(), &key, Attach::Both).unwrap();
        if bearer {
            assert!(
                registry.tokens_issued() > before,
                "a push-scoped token was asked for"
            );
        }
        let verified = verify(&store, "app", &subject.digest, &[public]).unwrap();
        assert_eq!(verified.len(), 2, "{verified:?}");
    }
}

// Notary Project (Notation) signatures, made by `notation_ref.py`.

fn notation_sign(
    fx: &Fixture,
    python: &Path,
    repo: &str,
    digest: &Digest,
    root: &Path,
    extra: &[&str],
) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/notation_ref.py");
    let out = Command::new(python)
        .arg(script)
        .args([
            "sign",
            "--registry",
            &fx.registry.host,
            "--repo",
            repo,
            "--digest",
            digest.as_str(),
        ])
        .arg("--out-root")
        .arg(root)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A trust store with each `(name, root files)`.
fn trust_store(dir: &Path, stores: &[(&str, &[&Path])]) -> kensa_trust::notation::TrustStore {
    for (name, roots) in stores {
        let d = dir.join("x509/ca").join(name);
        fs_err::create_dir_all(&d).unwrap();
        for (i, root) in roots.iter().enumerate() {
            fs_err::copy(root, d.join(format!("root{i}.pem"))).unwrap();
        }
    }
    kensa_trust::notation::TrustStore::load(dir).unwrap()
}

fn policy(json: &str) -> kensa_trust::notation::TrustPolicy {
    kensa_trust::notation::TrustPolicy::from_json(json.as_bytes(), "policy.json").unwrap()
}

fn one_policy(
    scope: &str,
    level: &str,
    store: &str,
    identity: &str,
) -> kensa_trust::notation::TrustPolicy {
    policy(&format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["{scope}"],"signatureVerification":{{"level":"{level}"}},"trustStores":["{store}"],"trustedIdentities":["{identity}"]}}]}}"#
    ))
}

fn notation_text(
    result: Result<Vec<kensa_trust::notation::NotationVerified>, TrustError>,
) -> String {
    match result {
        Ok(v) => panic!("expected a failure, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn notation_signatures_verify_through_a_chain_to_the_trust_store() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now();
    let (reference, subject) = fx.push("team/app:1.0", "one");
    let scope = reference.name();
    let store = fx.store(&reference);
    let unsigned = notation_text(kensa_trust::notation::verify(
        &store,
        "app",
        &scope,
        &subject,
        &one_policy("*", "strict", "ca:prod", "*"),
        &kensa_trust::notation::TrustStore::default(),
        now,
    ));
    assert!(
        unsigned.contains("is not signed") && unsigned.contains("Notary Project"),
        "{unsigned}"
    );

    let root = dir.path().join("root.pem");
    notation_sign(&fx, &python, "team/app", &subject.digest, &root, &[]);
    let other_root = dir.path().join("other-root.pem");
    let (_, scratch) = fx.push("team/scratch:1", "scratch");
    notation_sign(
        &fx,
        &python,
        "team/scratch",
        &scratch.digest,
        &other_root,
        &["--alg", "PS256"],
    );
    let trust = trust_store(
        &dir.path().join("ts"),
        &[("prod", &[&root]), ("other", &[&other_root])],
    );

    let verified = kensa_trust::notation::verify(
        &store,
        "app",
        &scope,
        &subject,
        &one_policy(
            &scope,
            "strict",
            "ca:prod",
            "x509.subject: C=US, O=Kensa Test, CN=release signer",
        ),
        &trust,
        now,
    )
    .unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].signature.method, "notation");
    assert!(
        verified[0].signature.key.contains("CN=release signer"),
        "{verified:?}"
    );
    assert_eq!(verified[0].logged.len(), 1, "{verified:?}");
    assert!(verified[0].logged[0].starts_with("revocation (OCSP/CRL) was not checked"));

    // RSA-PSS leaf.
    let scratch_store =
        fx.store(&Reference::parse(&format!("{}/team/scratch:1", fx.registry.host)).unwrap());
    kensa_trust::notation::verify(
        &scratch_store,
        "scratch",
        "any",
        &scratch,
        &one_policy("*", "strict", "ca:other", "*"),
        &trust,
        now,
    )
    .unwrap();

    // Another root; another identity; audit logs both instead.
    let text = notation_text(kensa_trust::notation::verify(
        &store,
        "app",
        &scope,
        &subject,
        &one_policy("*", "strict", "ca:other", "*"),
        &trust,
        now,
    ));
    assert!(
        text.contains("authenticity: the certificate chain does not lead to a certificate of trust store `ca:other`"),
        "{text}"
    );
    let text = notation_text(kensa_trust::notation::verify(
        &store,
        "app",
        &scope,
        &subject,
        &one_policy(
            "*",
            "strict",
            "ca:prod",
            "x509.subject: C=US, O=Kensa Test, CN=someone else",
        ),
        &trust,
        now,
    ));
    assert!(
        text.contains("trusted identity: the signing certificate's subject"),
        "{text}"
    );
    let audited = kensa_trust::notation::verify(
        &store,
        "app",
        &scope,
        &subject,
        &one_policy("*", "audit", "ca:other", "x509.subject: CN=nobody"),
        &trust,
        now,
    )
    .unwrap();
    assert_eq!(audited[0].logged.len(), 3, "{audited:?}");

    // Several scopes: the exact one wins over `*`.
    let scoped = policy(&format!(
        r#"{{"version":"1.0","trustPolicies":[
        {{"name":"prod","registryScopes":["{scope}"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:prod"],"trustedIdentities":["*"]}},
        {{"name":"rest","registryScopes":["*"],"signatureVerification":{{"level":"strict"}},"trustStores":["ca:other"],"trustedIdentities":["*"]}}]}}"#
    ));
    kensa_trust::notation::verify(&store, "app", &scope, &subject, &scoped, &trust, now).unwrap();
    let text = notation_text(kensa_trust::notation::verify(
        &store,
        "app",
        "elsewhere/app",
        &subject,
        &scoped,
        &trust,
        now,
    ));
    assert!(text.contains("trust store `ca:other`"), "{text}");
}

#[test]
fn notation_expiry_validity_and_tampering_each_fail_with_their_own_message() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let now = std::time::SystemTime::now();
    let cases: [(&str, &[&str], &str); 3] = [
        (
            "expired",
            &["--expiry-seconds", "-60"],
            "expiry: the signature expired at ",
        ),
        (
            "leaf",
            &["--leaf-expired"],
            "authenticTimestamp: certificate `C=US, O=Kensa Test, CN=release signer` is outside its validity",
        ),
        (
            "tampered",
            &["--tamper-payload"],
            "integrity: the signature does not verify with the leaf certificate's key",
        ),
    ];
    for (tag, extra, expected) in cases {
        let (reference, subject) = fx.push(&format!("team/app:{tag}"), tag);
        let root = dir.path().join(format!("{tag}.pem"));
        notation_sign(&fx, &python, "team/app", &subject.digest, &root, extra);
        let trust = trust_store(&dir.path().join(format!("ts-{tag}")), &[("prod", &[&root])]);
        let text = notation_text(kensa_trust::notation::verify(
            &fx.store(&reference),
            "app",
            &reference.name(),
            &subject,
            &one_policy("*", "strict", "ca:prod", "*"),
            &trust,
            now,
        ));
        assert!(text.contains(expected), "{tag}: {text}");
        if tag == "expired" {
            // Permissive only logs expiry.
            let ok = kensa_trust::notation::verify(
                &fx.store(&reference),
                "app",
                &reference.name(),
                &subject,
                &one_policy("*", "permissive", "ca:prod", "*"),
                &trust,
                now,
            )
            .unwrap();
            assert!(ok[0].logged.iter().any(|l| l.contains("expired")), "{ok:?}");
        }
    }
}

/// A trust store with one named store of `kind` (`ca`, `signingAuthority`) per entry.
fn typed_store(dir: &Path, stores: &[(&str, &str, &Path)]) -> kensa_trust::notation::TrustStore {
    for (kind, name, root) in stores {
        let d = dir.join("x509").join(kind).join(name);
        fs_err::create_dir_all(&d).unwrap();
        fs_err::copy(root, d.join("root.pem")).unwrap();
    }
    kensa_trust::notation::TrustStore::load(dir).unwrap()
}

/// Verifies `subject` under the policy document `json`, the error as text.
fn verify_under(
    fx: &Fixture,
    reference: &Reference,
    subject: &Stored,
    json: &str,
    trust: &kensa_trust::notation::TrustStore,
) -> Result<Vec<kensa_trust::notation::NotationVerified>, String> {
    kensa_trust::notation::verify(
        &fx.store(reference),
        "app",
        &reference.name(),
        subject,
        &policy(json),
        trust,
        std::time::SystemTime::now(),
    )
    .map_err(|e| e.to_string())
}

fn policy_json(level: &str, overrides: &str, stores: &str) -> String {
    format!(
        r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["*"],"signatureVerification":{{"level":"{level}","override":{{{overrides}}}}},"trustStores":[{stores}],"trustedIdentities":["*"]}}]}}"#
    )
}

#[test]
fn cose_envelopes_made_independently_verify_and_fail_like_jws_ones() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python_with(&["cryptography", "cbor2"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let strict = policy_json("strict", "", r#""ca:prod""#);
    let cases: [(&str, &[&str], Option<&str>); 6] = [
        ("es256", &["--envelope", "cose"], None),
        ("ps256", &["--envelope", "cose", "--alg", "PS256"], None),
        (
            "tampered",
            &["--envelope", "cose", "--tamper-payload"],
            Some("integrity: the signature does not verify with the leaf certificate's key"),
        ),
        (
            "expired",
            &["--envelope", "cose", "--expiry-seconds", "-60"],
            Some("expiry: the signature expired at "),
        ),
        (
            "leaf",
            &["--envelope", "cose", "--leaf-expired"],
            Some(
                "authenticTimestamp: certificate `C=US, O=Kensa Test, CN=release signer` is outside its validity",
            ),
        ),
        (
            "crit",
            &["--envelope", "cose", "--extra-crit", "io.example.restrict"],
            Some(
                "integrity: the critical header parameter `io.example.restrict` is not one kensa understands",
            ),
        ),
    ];
    for (tag, extra, expected) in cases {
        let (reference, subject) = fx.push(&format!("team/cose:{tag}"), tag);
        let root = dir.path().join(format!("{tag}.pem"));
        notation_sign(&fx, &python, "team/cose", &subject.digest, &root, extra);
        let trust = typed_store(&dir.path().join(tag), &[("ca", "prod", &root)]);
        let outcome = verify_under(&fx, &reference, &subject, &strict, &trust);
        match expected {
            None => {
                let verified = outcome.unwrap();
                assert_eq!(verified[0].signature.method, "notation", "{tag}");
            }
            Some(text) => {
                let err = outcome.unwrap_err();
                assert!(err.contains(text), "{tag}: {err}");
            }
        }
        if tag == "expired" {
            // The override relaxes strict for expiry alone, and says so.
            let relaxed = policy_json("strict", r#""expiry":"log""#, r#""ca:prod""#);
            let ok = verify_under(&fx, &reference, &subject, &relaxed, &trust).unwrap();
            assert!(
                ok[0]
                    .logged
                    .iter()
                    .any(|l| l.starts_with("expiry (logged): the signature expired at ")),
                "{ok:?}"
            );
        }
    }
}

#[test]
fn signing_authority_signatures_need_their_store_and_a_valid_authentic_time() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python_with(&["cryptography", "cbor2"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    for envelope in ["jws", "cose"] {
        let sa = ["--envelope", envelope, "--scheme", "signingAuthority"];
        let (reference, subject) = fx.push(&format!("team/sa:{envelope}"), envelope);
        let root = dir.path().join(format!("{envelope}.pem"));
        notation_sign(&fx, &python, "team/sa", &subject.digest, &root, &sa);
        let trust = typed_store(
            &dir.path().join(envelope),
            &[("signingAuthority", "signer", &root), ("ca", "prod", &root)],
        );
        let good = policy_json("strict", "", r#""signingAuthority:signer""#);
        let verified = verify_under(&fx, &reference, &subject, &good, &trust).unwrap();
        assert_eq!(verified.len(), 1, "{envelope}");
        // The same root as a `ca:` store does not do: the scheme names the store type.
        let wrong_type = policy_json("strict", "", r#""ca:prod""#);
        let err = verify_under(&fx, &reference, &subject, &wrong_type, &trust).unwrap_err();
        assert!(
            err.contains("authenticity: policy `p` names no `signingAuthority:` trust store"),
            "{envelope}: {err}"
        );

        // Signed (by the authority's clock) five days ago, before the leaf's validity
        // began: the certificate was not valid at signing time.
        let (reference, subject) = fx.push(&format!("team/sa:{envelope}-early"), "early");
        let root = dir.path().join(format!("{envelope}-early.pem"));
        let mut early = sa.to_vec();
        early.extend(["--signing-time-offset", "-432000"]);
        notation_sign(&fx, &python, "team/sa", &subject.digest, &root, &early);
        let trust = typed_store(
            &dir.path().join(format!("{envelope}-early")),
            &[("signingAuthority", "signer", &root)],
        );
        let err = verify_under(&fx, &reference, &subject, &good, &trust).unwrap_err();
        assert!(
            err.contains("authenticTimestamp: certificate `C=US, O=Kensa Test, CN=release signer` is outside its validity")
                && err.contains("at the authentic signing time"),
            "{envelope}: {err}"
        );
        // Permissive logs the authentic timestamp check.
        let permissive = policy_json("permissive", "", r#""signingAuthority:signer""#);
        let ok = verify_under(&fx, &reference, &subject, &permissive, &trust).unwrap();
        assert!(
            ok[0]
                .logged
                .iter()
                .any(|l| l.starts_with("authenticTimestamp (logged)")),
            "{ok:?}"
        );
    }
}

#[test]
fn revocation_is_never_passed_and_fails_when_enforced_on_a_certificate_naming_a_crl() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (reference, subject) = fx.push("team/crl:1", "crl");
    let root = dir.path().join("root.pem");
    notation_sign(
        &fx,
        &python,
        "team/crl",
        &subject.digest,
        &root,
        &["--crl-url", "http://127.0.0.1:9/none.crl"],
    );
    let trust = typed_store(&dir.path().join("ts"), &[("ca", "prod", &root)]);
    let strict = policy_json("strict", "", r#""ca:prod""#);
    let err = verify_under(&fx, &reference, &subject, &strict, &trust).unwrap_err();
    assert!(
        err.contains("revocation: the policy enforces revocation and certificate"),
        "{err}"
    );
    for (overrides, said) in [
        (
            r#""revocation":"log""#,
            "revocation (OCSP/CRL) was not checked",
        ),
        (
            r#""revocation":"skip""#,
            "revocation: skipped by the trust policy",
        ),
    ] {
        let ok = verify_under(
            &fx,
            &reference,
            &subject,
            &policy_json("strict", overrides, r#""ca:prod""#),
            &trust,
        )
        .unwrap();
        assert_eq!(ok[0].logged, [said], "{overrides}");
    }
}

#[test]
fn a_trust_policy_of_several_scopes_applies_each_scopes_level_and_overrides() {
    let Some(fx) = Fixture::start() else { return };
    let Some(python) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let host = fx.registry.host.clone();
    // The same expired signature kind in three repositories.
    let mut pushed = Vec::new();
    for repo in ["legacy", "deploy", "other"] {
        let (reference, subject) = fx.push(&format!("team/{repo}:1"), repo);
        let root = dir.path().join(format!("{repo}.pem"));
        notation_sign(
            &fx,
            &python,
            &format!("team/{repo}"),
            &subject.digest,
            &root,
            &["--expiry-seconds", "-60"],
        );
        pushed.push((reference, subject, root));
    }
    let trust = typed_store(
        &dir.path().join("ts"),
        &[
            ("ca", "legacy", &pushed[0].2),
            ("ca", "deploy", &pushed[1].2),
            ("ca", "other", &pushed[2].2),
        ],
    );
    let doc = format!(
        r#"{{"version":"1.0","trustPolicies":[
        {{"name":"legacy","registryScopes":["{host}/team/legacy"],"signatureVerification":{{"level":"strict","override":{{"expiry":"log","revocation":"skip"}}}},"trustStores":["ca:legacy"],"trustedIdentities":["*"]}},
        {{"name":"deploy","registryScopes":["{host}/team/deploy","{host}/team/unused"],"signatureVerification":{{"level":"permissive","override":{{"expiry":"enforce"}}}},"trustStores":["ca:deploy"],"trustedIdentities":["x509.subject: C=US, O=Kensa Test, CN=release signer"]}},
        {{"name":"everything else","registryScopes":["*"],"signatureVerification":{{"level":"audit"}},"trustStores":["ca:legacy"],"trustedIdentities":["x509.subject: C=US, O=Kensa Test, CN=nobody"]}}]}}"#
    );
    // legacy: strict, but expiry only logged and revocation skipped.
    let (reference, subject, _) = &pushed[0];
    let ok = verify_under(&fx, reference, subject, &doc, &trust).unwrap();
    assert_eq!(ok[0].signature.key_source, "trust policy `legacy`");
    assert!(
        ok[0]
            .logged
            .iter()
            .any(|l| l.starts_with("expiry (logged)"))
            && ok[0]
                .logged
                .iter()
                .any(|l| l == "revocation: skipped by the trust policy"),
        "{ok:?}"
    );
    // deploy: permissive would log expiry; the override enforces it.
    let (reference, subject, _) = &pushed[1];
    let err = verify_under(&fx, reference, subject, &doc, &trust).unwrap_err();
    assert!(err.contains("expiry: the signature expired at "), "{err}");
    // Anything else: audit; the wrong store, identity and expiry are all only logged.
    let (reference, subject, _) = &pushed[2];
    let ok = verify_under(&fx, reference, subject, &doc, &trust).unwrap();
    assert_eq!(ok[0].signature.key_source, "trust policy `everything else`");
    let keys: Vec<&str> = ok[0]
        .logged
        .iter()
        .filter_map(|l| l.split(" (logged)").next())
        .collect();
    assert!(
        keys.contains(&"authenticity") && keys.contains(&"expiry"),
        "{ok:?}"
    );
}
