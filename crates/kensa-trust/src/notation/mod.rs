//! Notary Project signatures (what `notation sign` and AWS Signer make): a referrer of
//! artifact type `application/vnd.cncf.notary.signature` whose layer is a JWS
//! (`application/jose+json`, [`jws`]) or COSE (`application/cose`, [`cose`]) envelope
//! over a payload naming the target descriptor, signed by the leaf of an X.509 chain
//! that must lead to a root of the trust store type its signing scheme uses (`ca` for
//! `notary.x509`, `signingAuthority` for `notary.x509.signingAuthority`), with a subject
//! the policy trusts. The checks are the trust policy spec's five (integrity,
//! authenticity, authentic timestamp, expiry, revocation), each enforced or logged by
//! the policy's level and overrides. RFC 3161 timestamp countersignatures are not
//! verified (the certificate validity is then checked at verification time, as the spec
//! does without one) and revocation (OCSP/CRL) is never checked: it is reported as not
//! performed, never as passed, and an enforced revocation check of a certificate that
//! names an OCSP responder or CRL fails.

mod cose;
mod envelope;
mod jws;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use x509_parser::prelude::{FromDer as _, X509Certificate};

use crate::cosign::SignatureManifest;
use crate::store::{Store, Stored, sha256};
use crate::{Failure, FailureReason, TrustError};
use envelope::{AUTHENTIC_SIGNING_TIME, EXPIRY, Envelope, SIGNING_SCHEME, Scheme};

/// The artifact type of a Notary Project signature manifest.
pub const ARTIFACT_NOTATION: &str = "application/vnd.cncf.notary.signature";
/// A JWS envelope.
pub const MEDIA_JWS: &str = "application/jose+json";
/// A COSE envelope.
pub const MEDIA_COSE: &str = "application/cose";
/// The payload content type.
pub const PAYLOAD_TYPE: &str = "application/vnd.cncf.notary.payload.v1+json";
/// Envelopes carry a certificate chain; a megabyte is far past any real one.
const MAX_ENVELOPE_BYTES: u64 = 1024 * 1024;
/// Certificates in a chain, at most.
const MAX_CHAIN: usize = 10;
/// Certificate files in one named trust store, at most.
const MAX_STORE_CERTS: usize = 1000;

/// How strictly a policy verifies (trust policy `signatureVerification.level`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Every check enforced.
    Strict,
    /// Integrity and authenticity enforced; authentic timestamp, expiry and revocation
    /// logged.
    Permissive,
    /// Only integrity enforced; the rest logged.
    Audit,
    /// No verification.
    Skip,
}

/// One policy of a trust policy document.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// Its name, for messages.
    pub name: String,
    /// `registry/repository` names it applies to, or `*`.
    pub registry_scopes: Vec<String>,
    /// How strictly.
    pub signature_verification: Verification,
    /// `ca:<name>` stores whose certificates are roots.
    #[serde(default)]
    pub trust_stores: Vec<String>,
    /// `*` or `x509.subject: <DN>` entries.
    #[serde(default)]
    pub trusted_identities: Vec<String>,
}

/// `signatureVerification`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// The level.
    pub level: Level,
    /// Per-check overrides of the level (`{"expiry": "log", "revocation": "skip"}`).
    #[serde(default, rename = "override")]
    pub overrides: BTreeMap<String, String>,
}

/// One of the trust policy spec's validations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Validation {
    /// The envelope parses, its signature verifies, it names this image. Always
    /// enforced.
    Integrity,
    /// The chain leads to the trust store and the signer is a trusted identity.
    Authenticity,
    /// The certificates were valid at the (authentic, else current) signing time.
    AuthenticTimestamp,
    /// The signature's `io.cncf.notary.expiry` has not passed.
    Expiry,
    /// No certificate of the chain is revoked.
    Revocation,
}

impl Validation {
    /// The name the trust policy's `override` map uses.
    pub fn key(self) -> &'static str {
        match self {
            Validation::Integrity => "integrity",
            Validation::Authenticity => "authenticity",
            Validation::AuthenticTimestamp => "authenticTimestamp",
            Validation::Expiry => "expiry",
            Validation::Revocation => "revocation",
        }
    }
}

/// What a failed validation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The signature does not verify.
    Enforce,
    /// The failure is logged and verification goes on.
    Log,
    /// Not performed (revocation only).
    Skip,
}

impl Verification {
    /// The action for `validation`: the level's, as the spec's table gives it, unless
    /// overridden.
    pub fn action(&self, validation: Validation) -> Action {
        let by_level = match (self.level, validation) {
            (Level::Skip, _) => Action::Skip,
            (_, Validation::Integrity) | (Level::Strict, _) => Action::Enforce,
            (Level::Permissive, Validation::Authenticity) => Action::Enforce,
            _ => Action::Log,
        };
        match self.overrides.get(validation.key()).map(String::as_str) {
            Some("enforce") => Action::Enforce,
            Some("log") => Action::Log,
            Some("skip") => Action::Skip,
            _ => by_level,
        }
    }

    /// The spec's constraints on overrides: not on `skip`, not of integrity, known keys
    /// and values only.
    fn check(&self) -> Result<(), String> {
        if self.level == Level::Skip && !self.overrides.is_empty() {
            return Err("level `skip` cannot be overridden".into());
        }
        for (key, value) in &self.overrides {
            let allowed: &[&str] = match key.as_str() {
                "authenticity" | "authenticTimestamp" | "expiry" => &["enforce", "log"],
                "revocation" => &["enforce", "log", "skip"],
                "integrity" => return Err("`integrity` cannot be overridden".into()),
                other => {
                    return Err(format!(
                        "`override.{other}` is not a validation (authenticity, authenticTimestamp, expiry, revocation)"
                    ));
                }
            };
            if !allowed.contains(&value.as_str()) {
                return Err(format!(
                    "`override.{key}` is `{value}`; it takes {}",
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }
}

/// A trust policy document (version 1.0).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrustPolicy {
    /// `1.0`.
    pub version: String,
    /// The policies.
    pub trust_policies: Vec<Policy>,
}

impl TrustPolicy {
    /// Parses and checks a trust policy document; `source` names it in errors.
    pub fn from_json(bytes: &[u8], source: &str) -> Result<TrustPolicy, TrustError> {
        let bad = |reason: String| TrustError::Store {
            store: source.to_owned(),
            reason,
        };
        let policy: TrustPolicy = serde_json::from_slice(bytes)
            .map_err(|e| bad(format!("is not a trust policy document: {e}")))?;
        if policy.version != "1.0" {
            return Err(bad(format!(
                "has version `{}`; kensa reads version 1.0",
                policy.version
            )));
        }
        let mut wildcard = 0;
        for p in &policy.trust_policies {
            p.signature_verification
                .check()
                .map_err(|reason| bad(format!("policy `{}`: {reason}", p.name)))?;
            if p.registry_scopes.iter().any(|s| s == "*") {
                if p.signature_verification.level == Level::Skip {
                    return Err(bad(format!(
                        "policy `{}`: level `skip` cannot have the global scope `*`",
                        p.name
                    )));
                }
                wildcard += 1;
                if p.registry_scopes.len() > 1 {
                    return Err(bad(format!(
                        "policy `{}`: `*` must be its only registry scope",
                        p.name
                    )));
                }
            }
            for store in &p.trust_stores {
                if !STORE_TYPES
                    .iter()
                    .any(|t| store.strip_prefix(t).is_some_and(|n| n.starts_with(':')))
                {
                    return Err(bad(format!(
                        "policy `{}`: trust store `{store}` is not `ca:<name>`, `signingAuthority:<name>` or `tsa:<name>`",
                        p.name
                    )));
                }
            }
        }
        let mut scopes: Vec<&str> = policy
            .trust_policies
            .iter()
            .flat_map(|p| p.registry_scopes.iter().map(String::as_str))
            .filter(|s| *s != "*")
            .collect();
        let count = scopes.len();
        scopes.sort_unstable();
        scopes.dedup();
        if scopes.len() != count || wildcard > 1 {
            return Err(bad(
                "a registry scope appears in more than one policy".into()
            ));
        }
        Ok(policy)
    }

    /// The policy for `scope` (`registry/repository`): the one naming it, else the `*`
    /// one.
    pub fn for_scope(&self, scope: &str) -> Option<&Policy> {
        self.trust_policies
            .iter()
            .find(|p| p.registry_scopes.iter().any(|s| s == scope))
            .or_else(|| {
                self.trust_policies
                    .iter()
                    .find(|p| p.registry_scopes.iter().any(|s| s == "*"))
            })
    }
}

/// The trust store types a policy may name; `tsa` roots are accepted in the policy but
/// unused, since kensa does not verify timestamp countersignatures.
const STORE_TYPES: &[&str] = &["ca", "signingAuthority", "tsa"];

/// Certificates by trust store type and name (notation's
/// `x509/{ca,signingAuthority}/<name>/*.crt|*.pem|*.cer`).
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    stores: BTreeMap<(String, String), Vec<Vec<u8>>>,
}

impl TrustStore {
    /// Reads `DIR/x509/ca/<name>/` and `DIR/x509/signingAuthority/<name>/` for every
    /// name; PEM or DER files. Either type may be absent, not both. Symlinks are
    /// refused, as the spec requires; subdirectories of a named store are ignored.
    pub fn load(dir: &Path) -> Result<TrustStore, TrustError> {
        let fail = |reason: String| TrustError::Store {
            store: dir.display().to_string(),
            reason,
        };
        let mut stores = BTreeMap::new();
        let mut found_type = false;
        for kind in ["ca", "signingAuthority"] {
            let type_dir = dir.join("x509").join(kind);
            let entries = match fs_err::read_dir(&type_dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(fail(e.to_string())),
            };
            found_type = true;
            for entry in entries {
                let entry = entry.map_err(|e| fail(e.to_string()))?;
                let kind_of = entry.file_type().map_err(|e| fail(e.to_string()))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if kind_of.is_symlink() {
                    return Err(fail(format!(
                        "`x509/{kind}/{name}` is a symlink; the Notary Project trust store refuses them"
                    )));
                }
                if !kind_of.is_dir() {
                    continue;
                }
                let mut certs = Vec::new();
                for file in fs_err::read_dir(entry.path()).map_err(|e| fail(e.to_string()))? {
                    let file = file.map_err(|e| fail(e.to_string()))?;
                    let path = file.path();
                    let ext = path
                        .extension()
                        .and_then(|e| e.to_str())
                        .unwrap_or_default();
                    if !matches!(ext, "crt" | "pem" | "cer") {
                        continue;
                    }
                    let shown = path.display().to_string();
                    if file
                        .file_type()
                        .map_err(|e| fail(e.to_string()))?
                        .is_symlink()
                    {
                        return Err(fail(format!(
                            "`{shown}` is a symlink; the Notary Project trust store refuses them"
                        )));
                    }
                    let bytes = fs_err::read(&path).map_err(|e| fail(e.to_string()))?;
                    certs.extend(
                        certificates_in(&bytes).map_err(|e| fail(format!("`{shown}`: {e}")))?,
                    );
                    if certs.len() > MAX_STORE_CERTS {
                        return Err(fail(format!(
                            "store `{kind}:{name}` holds more than {MAX_STORE_CERTS} certificates"
                        )));
                    }
                }
                stores.insert((kind.to_owned(), name), certs);
            }
        }
        if !found_type {
            return Err(fail(
                "has neither `x509/ca/` nor `x509/signingAuthority/`".to_owned(),
            ));
        }
        Ok(TrustStore { stores })
    }

    /// The roots of `type:name`.
    fn roots(&self, kind: &str, name: &str) -> Option<&[Vec<u8>]> {
        self.stores
            .get(&(kind.to_owned(), name.to_owned()))
            .map(Vec::as_slice)
    }
}

/// DER certificates in a PEM file (one or more blocks) or one DER certificate.
fn certificates_in(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(vec![bytes.to_vec()]);
    };
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
        let end_marker = "-----END CERTIFICATE-----";
        let Some(end) = rest[start..].find(end_marker) else {
            return Err("a certificate PEM block has no end".into());
        };
        let block = &rest[start..start + end + end_marker.len()];
        let (_, der) = pem_rfc7468::decode_vec(block.as_bytes()).map_err(|e| e.to_string())?;
        out.push(der);
        rest = &rest[start + end + end_marker.len()..];
    }
    if out.is_empty() {
        return Err("holds no certificate".into());
    }
    Ok(out)
}

/// A Notary Project signature that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotationVerified {
    /// The report record.
    pub signature: kensa_core::VerifiedSignature,
    /// Checks that failed but that the policy's level only logs, and checks not
    /// performed (revocation).
    pub logged: Vec<String>,
}

/// A failed validation and why.
type Failed = (Validation, String);

/// Verifies the Notary Project signatures of `subject` (in repository `scope`) under
/// `policy` and `trust`.
pub fn verify(
    store: &dyn Store,
    image: &str,
    scope: &str,
    subject: &Stored,
    policy: &TrustPolicy,
    trust: &TrustStore,
    now: SystemTime,
) -> Result<Vec<NotationVerified>, TrustError> {
    let policy = policy.for_scope(scope).ok_or_else(|| TrustError::Store {
        store: image.to_owned(),
        reason: format!("no trust policy applies to `{scope}` (and none has scope `*`)"),
    })?;
    if policy.signature_verification.level == Level::Skip {
        return Ok(Vec::new());
    }
    let now_secs = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let found = store.referrers(&subject.digest, ARTIFACT_NOTATION)?;
    let mut failures = Vec::new();
    let mut verified = Vec::new();
    for d in found.digests.iter().take(crate::MAX_REFERRER_MANIFESTS) {
        let manifest = store.manifest(d)?;
        let location = format!("referrer `{d}`");
        let integrity = |reason: String| notation_failure(&location, Validation::Integrity, reason);
        let parsed = match SignatureManifest::parse(&manifest.bytes) {
            Ok(m) => m,
            Err(reason) => {
                failures.push(integrity(format!("the signature manifest {reason}")));
                continue;
            }
        };
        let Some(layer) = parsed.layers.first() else {
            failures.push(integrity(
                "the signature manifest has no envelope layer".into(),
            ));
            continue;
        };
        let format = match layer.media_type.as_str() {
            MEDIA_JWS => jws::parse,
            MEDIA_COSE => cose::parse,
            other => {
                failures.push(integrity(format!(
                    "the envelope is `{other}`, not a JWS (`{MEDIA_JWS}`) or COSE (`{MEDIA_COSE}`) envelope"
                )));
                continue;
            }
        };
        if layer.size > MAX_ENVELOPE_BYTES {
            failures.push(integrity(format!(
                "the envelope is {} bytes, more than {MAX_ENVELOPE_BYTES}",
                layer.size
            )));
            continue;
        }
        let bytes = store.blob(&layer.digest, MAX_ENVELOPE_BYTES)?;
        if sha256(&bytes) != layer.digest {
            failures.push(integrity(
                "the envelope blob does not match its digest".into(),
            ));
            continue;
        }
        let outcome = format(&bytes, MAX_CHAIN)
            .map_err(|reason| vec![(Validation::Integrity, reason)])
            .and_then(|envelope| check_envelope(&envelope, subject, policy, trust, now_secs));
        match outcome {
            Ok((subject_dn, logged)) => verified.push(NotationVerified {
                signature: kensa_core::VerifiedSignature {
                    method: "notation".into(),
                    key: subject_dn,
                    key_source: format!("trust policy `{}`", policy.name),
                    digest: subject.digest.clone(),
                    docker_reference: scope.to_owned(),
                    location,
                },
                logged,
            }),
            Err(failed) => {
                for (validation, reason) in failed {
                    failures.push(notation_failure(&location, validation, reason));
                }
            }
        }
    }
    if !verified.is_empty() {
        return Ok(verified);
    }
    if failures.is_empty() {
        return Err(TrustError::NoSignature {
            image: image.to_owned(),
            digest: subject.digest.to_string(),
            looked: format!("{} (Notary Project signatures)", found.how),
        });
    }
    Err(TrustError::NotVerified {
        image: image.to_owned(),
        digest: subject.digest.to_string(),
        failures,
    })
}

fn notation_failure(location: &str, validation: Validation, reason: String) -> Failure {
    Failure {
        location: location.to_owned(),
        reason: FailureReason::Notation {
            check: validation.key(),
            reason,
        },
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    target_artifact: crate::cosign::Descriptor,
}

/// The integrity checks of a parsed envelope that precede the rest: what the spec says
/// the protected header must hold, the signature over it, and the payload naming this
/// manifest.
fn check_integrity(
    envelope: &Envelope,
    certs: &[X509Certificate<'_>],
    subject: &Stored,
) -> Result<(), String> {
    if envelope.content_type.as_deref() != Some(PAYLOAD_TYPE) {
        return Err(format!("the payload content type is not `{PAYLOAD_TYPE}`"));
    }
    let mut required = vec![SIGNING_SCHEME];
    if envelope.expiry.is_some() {
        required.push(EXPIRY);
    }
    if envelope.authentic_signing_time.is_some() {
        required.push(AUTHENTIC_SIGNING_TIME);
    }
    for name in required {
        if !envelope.crit.iter().any(|c| c == name) {
            return Err(format!("`{name}` is not marked critical"));
        }
    }
    // A critical parameter kensa does not process must fail, or the signer's intent
    // (say, a new restriction) would be silently ignored.
    if let Some(unknown) = envelope
        .crit
        .iter()
        .find(|c| ![SIGNING_SCHEME, EXPIRY, AUTHENTIC_SIGNING_TIME].contains(&c.as_str()))
    {
        return Err(format!(
            "the critical header parameter `{unknown}` is not one kensa understands"
        ));
    }
    let leaf = certs.first().ok_or("the envelope holds no certificate")?;
    let key = ring::signature::UnparsedPublicKey::new(
        envelope.alg.ring(),
        &leaf.public_key().subject_public_key.data,
    );
    if key.verify(&envelope.signed, &envelope.signature).is_err() {
        return Err(
            "the signature does not verify with the leaf certificate's key (payload or signature altered, or `alg` not the key's)".into(),
        );
    }
    let payload: Payload = serde_json::from_slice(&envelope.payload)
        .map_err(|e| format!("the payload is not a Notary Project payload: {e}"))?;
    let target = payload.target_artifact;
    if target.digest != subject.digest {
        return Err(format!(
            "signature for another image: its payload signs `{}`, not this digest",
            target.digest
        ));
    }
    if target.size != subject.bytes.len() as u64 || target.media_type != subject.media_type {
        return Err(format!(
            "the payload's target descriptor (`{}`, {} bytes) does not describe this manifest (`{}`, {} bytes)",
            target.media_type,
            target.size,
            subject.media_type,
            subject.bytes.len()
        ));
    }
    Ok(())
}

/// One envelope under `policy`: `Ok` with the leaf's subject and what was only logged
/// (or not performed), or every enforced validation that failed.
fn check_envelope(
    envelope: &Envelope,
    subject: &Stored,
    policy: &Policy,
    trust: &TrustStore,
    now: i64,
) -> Result<(String, Vec<String>), Vec<Failed>> {
    let integrity = |r: String| vec![(Validation::Integrity, r)];
    if envelope.chain.is_empty() || envelope.chain.len() > MAX_CHAIN {
        return Err(integrity(format!(
            "the certificate chain holds {} certificates, not 1 to {MAX_CHAIN}",
            envelope.chain.len()
        )));
    }
    let certs: Vec<X509Certificate<'_>> = envelope
        .chain
        .iter()
        .map(|der| X509Certificate::from_der(der).map(|(_, c)| c))
        .collect::<Result<_, _>>()
        .map_err(|e| integrity(format!("a chain certificate does not parse: {e}")))?;
    check_integrity(envelope, &certs, subject).map_err(integrity)?;

    let verification = &policy.signature_verification;
    let mut verdict = Verdict {
        verification,
        enforced: Vec::new(),
        logged: Vec::new(),
    };

    // Authenticity: the chain, its trust store, the identity.
    if let Err(reason) = chain_to_trust_store(&certs, envelope.scheme, policy, trust) {
        verdict.fail(Validation::Authenticity, reason);
    }
    let subject_dn = certs[0].subject().to_string();
    if !identity_trusted(&subject_dn, &policy.trusted_identities) {
        verdict.fail(
            Validation::Authenticity,
            format!(
                "trusted identity: the signing certificate's subject `{subject_dn}` is not a trusted identity of policy `{}`",
                policy.name
            ),
        );
    }

    // Authentic timestamp: the chain valid at the time the signature can be shown to
    // have been made.
    let (at, what) = match envelope.scheme {
        Scheme::SigningAuthority => match envelope.authentic_signing_time {
            Some(t) => (Some(t), "the authentic signing time"),
            None => (None, ""),
        },
        Scheme::X509 => (Some(now), "verification time (no verified timestamp)"),
    };
    match at {
        None => verdict.fail(
            Validation::AuthenticTimestamp,
            format!(
                "the `notary.x509.signingAuthority` signature has no `{AUTHENTIC_SIGNING_TIME}`"
            ),
        ),
        Some(at) => {
            if let Some(reason) = outside_validity(&certs, at, what) {
                verdict.fail(Validation::AuthenticTimestamp, reason);
            }
        }
    }
    if envelope.scheme == Scheme::X509 {
        if envelope.timestamped {
            verdict.logged.push(
                "authenticTimestamp: the RFC 3161 timestamp countersignature was not verified; the certificates were checked at verification time instead".into(),
            );
        }
        // The signer's own clock is untrusted, so this is only said, never enforced.
        if let Some(t) = envelope.signing_time
            && let Some(reason) =
                outside_validity(&certs[..1], t, "the (unauthenticated) signing time")
        {
            verdict.logged.push(format!("signing time: {reason}"));
        }
    }

    // Expiry.
    if let Some(expiry) = envelope.expiry
        && expiry <= now
    {
        verdict.fail(
            Validation::Expiry,
            format!("the signature expired at {}", rfc3339(expiry)),
        );
    }

    // Revocation: never checked, so never passed.
    match verification.action(Validation::Revocation) {
        Action::Skip => verdict.logged.push("revocation: skipped by the trust policy".into()),
        Action::Log => verdict.logged.push("revocation (OCSP/CRL) was not checked".into()),
        Action::Enforce => match certs.iter().find(|c| names_revocation_source(c)) {
            Some(c) => verdict.enforced.push((
                Validation::Revocation,
                format!(
                    "the policy enforces revocation and certificate `{}` names an OCSP responder or CRL, which kensa does not query, so its status cannot be determined; override `revocation` to `log` to accept that",
                    c.subject()
                ),
            )),
            None => verdict.logged.push(
                "revocation (OCSP/CRL) was not checked: no certificate names an OCSP responder or CRL".into(),
            ),
        },
    }

    if verdict.enforced.is_empty() {
        Ok((subject_dn, verdict.logged))
    } else {
        Err(verdict.enforced)
    }
}

/// The validations of one envelope so far.
struct Verdict<'a> {
    verification: &'a Verification,
    enforced: Vec<Failed>,
    logged: Vec<String>,
}

impl Verdict<'_> {
    /// A failed validation, enforced or logged as the policy says.
    fn fail(&mut self, validation: Validation, reason: String) {
        match self.verification.action(validation) {
            Action::Enforce => self.enforced.push((validation, reason)),
            Action::Log => self
                .logged
                .push(format!("{} (logged): {reason}", validation.key())),
            Action::Skip => {}
        }
    }
}

/// Why some certificate of `certs` was not valid at `at`, if one was not.
fn outside_validity(certs: &[X509Certificate<'_>], at: i64, what: &str) -> Option<String> {
    certs.iter().find_map(|cert| {
        let validity = cert.validity();
        (at < validity.not_before.timestamp() || at > validity.not_after.timestamp()).then(|| {
            format!(
                "certificate `{}` is outside its validity ({} to {}) at {what}, {}",
                cert.subject(),
                validity.not_before,
                validity.not_after,
                rfc3339(at)
            )
        })
    })
}

/// Whether a certificate names somewhere to ask about its revocation.
fn names_revocation_source(cert: &X509Certificate<'_>) -> bool {
    use x509_parser::extensions::ParsedExtension;
    cert.extensions()
        .iter()
        .any(|e| match e.parsed_extension() {
            ParsedExtension::CRLDistributionPoints(_) => true,
            ParsedExtension::AuthorityInfoAccess(aia) => aia.accessdescs.iter().any(|d| {
                d.access_method == x509_parser::oid_registry::OID_PKIX_ACCESS_DESCRIPTOR_OCSP
            }),
            _ => false,
        })
}

/// `2026-12-04T01:02:03Z` for epoch seconds (inverse of [`parse_rfc3339`]).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The chain `certs` (leaf first) must have each certificate signed by the next, CA
/// certificates above the leaf, a code-signing leaf, and end at (or be signed by) a
/// root of one of the policy's trust stores of the type `scheme` uses. Validity in time
/// is the authentic-timestamp check's.
fn chain_to_trust_store(
    certs: &[X509Certificate<'_>],
    scheme: Scheme,
    policy: &Policy,
    trust: &TrustStore,
) -> Result<(), String> {
    for (i, cert) in certs.iter().enumerate() {
        if i > 0 && !cert.is_ca() {
            return Err(format!(
                "certificate `{}` signs another but is not a CA",
                cert.subject()
            ));
        }
        if let Some(issuer) = certs.get(i + 1)
            && (cert.issuer() != issuer.subject()
                || cert.verify_signature(Some(issuer.public_key())).is_err())
        {
            return Err(format!(
                "certificate `{}` is not signed by `{}`",
                cert.subject(),
                issuer.subject()
            ));
        }
    }
    if let Some(Ok(eku)) = certs.first().map(|c| c.extended_key_usage())
        && let Some(eku) = eku
        && !eku.value.code_signing
        && !eku.value.any
    {
        return Err("the signing certificate is not for code signing (extended key usage)".into());
    }
    let top = certs.last().ok_or("no certificate")?;
    let kind = scheme.store_type();
    let mut names = Vec::new();
    for store in &policy.trust_stores {
        let Some(name) = store.strip_prefix(kind).and_then(|n| n.strip_prefix(':')) else {
            continue;
        };
        names.push(format!("`{store}`"));
        let Some(roots) = trust.roots(kind, name) else {
            return Err(format!(
                "trust store `{store}` of policy `{}` does not exist (`x509/{kind}/{name}/`)",
                policy.name
            ));
        };
        for root_der in roots {
            let Ok((_, root)) = X509Certificate::from_der(root_der) else {
                continue;
            };
            let same = root.tbs_certificate.as_ref() == top.tbs_certificate.as_ref();
            let signs = root.subject() == top.issuer()
                && top.verify_signature(Some(root.public_key())).is_ok();
            if same || signs {
                return Ok(());
            }
        }
    }
    if names.is_empty() {
        return Err(format!(
            "policy `{}` names no `{kind}:` trust store, which a `{}` signature's chain must lead to",
            policy.name,
            match scheme {
                Scheme::X509 => "notary.x509",
                Scheme::SigningAuthority => "notary.x509.signingAuthority",
            }
        ));
    }
    Err(format!(
        "the certificate chain does not lead to a certificate of trust store {}",
        names.join(", ")
    ))
}

/// `*`, or an `x509.subject:` DN whose attributes are exactly the certificate's.
fn identity_trusted(subject: &str, identities: &[String]) -> bool {
    let attributes = |dn: &str| {
        let mut parts: Vec<String> = dn
            .split(',')
            .map(|p| p.trim().replace(" = ", "="))
            .filter(|p| !p.is_empty())
            .collect();
        parts.sort();
        parts
    };
    let have = attributes(subject);
    identities.iter().any(|id| {
        id == "*"
            || id
                .strip_prefix("x509.subject:")
                .is_some_and(|dn| attributes(dn) == have)
    })
}

/// Seconds since the epoch of an RFC 3339 time (`2026-12-04T01:02:03Z`, fractions and
/// offsets allowed). Hand-written: one small format, and no date crate is otherwise
/// needed here.
fn parse_rfc3339(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = text.get(r)?;
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())?
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let o = num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + s - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_parse_to_epoch_seconds() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2000-03-01T00:00:00Z"), Some(951_868_800));
        assert_eq!(
            parse_rfc3339("2026-12-04T02:30:00.123+01:00"),
            Some(1_796_347_800)
        );
        assert_eq!(parse_rfc3339("2026-12-04 02:30:00Z"), None);
        assert_eq!(parse_rfc3339("2026-13-04T02:30:00Z"), None);
    }

    #[test]
    fn policies_are_chosen_by_exact_scope_then_wildcard() {
        let doc = br#"{"version":"1.0","trustPolicies":[
            {"name":"prod","registryScopes":["r.example/prod/app"],"signatureVerification":{"level":"strict"},"trustStores":["ca:prod"],"trustedIdentities":["*"]},
            {"name":"rest","registryScopes":["*"],"signatureVerification":{"level":"audit"},"trustStores":["ca:dev"],"trustedIdentities":["*"]}]}"#;
        let policy = TrustPolicy::from_json(doc, "policy.json").unwrap();
        assert_eq!(policy.for_scope("r.example/prod/app").unwrap().name, "prod");
        assert_eq!(policy.for_scope("r.example/other").unwrap().name, "rest");
        let dup = br#"{"version":"1.0","trustPolicies":[
            {"name":"a","registryScopes":["x/y"],"signatureVerification":{"level":"strict"}},
            {"name":"b","registryScopes":["x/y"],"signatureVerification":{"level":"strict"}}]}"#;
        let err = TrustPolicy::from_json(dup, "p.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than one policy"), "{err}");
        let old = br#"{"version":"2.0","trustPolicies":[]}"#;
        assert!(
            TrustPolicy::from_json(old, "p.json")
                .unwrap_err()
                .to_string()
                .contains("version 1.0")
        );
    }

    #[test]
    fn overrides_follow_the_spec_table_and_its_constraints() {
        let doc = |level: &str, overrides: &str, scope: &str| {
            format!(
                r#"{{"version":"1.0","trustPolicies":[{{"name":"p","registryScopes":["{scope}"],"signatureVerification":{{"level":"{level}","override":{{{overrides}}}}},"trustStores":["ca:x"],"trustedIdentities":["*"]}}]}}"#
            )
        };
        let parsed = |level: &str, overrides: &str| {
            TrustPolicy::from_json(doc(level, overrides, "*").as_bytes(), "p.json")
                .map(|p| p.trust_policies[0].signature_verification.clone())
        };
        use Validation::*;
        let table = [
            ("strict", [Action::Enforce; 5]),
            (
                "permissive",
                [
                    Action::Enforce,
                    Action::Enforce,
                    Action::Log,
                    Action::Log,
                    Action::Log,
                ],
            ),
            (
                "audit",
                [
                    Action::Enforce,
                    Action::Log,
                    Action::Log,
                    Action::Log,
                    Action::Log,
                ],
            ),
        ];
        for (level, actions) in table {
            let v = parsed(level, "").unwrap();
            let got: Vec<Action> = [
                Integrity,
                Authenticity,
                AuthenticTimestamp,
                Expiry,
                Revocation,
            ]
            .iter()
            .map(|c| v.action(*c))
            .collect();
            assert_eq!(got, actions, "{level}");
        }
        let v = parsed("audit", r#""authenticity":"enforce","revocation":"skip""#).unwrap();
        assert_eq!(v.action(Authenticity), Action::Enforce);
        assert_eq!(v.action(Revocation), Action::Skip);
        for (level, overrides, error) in [
            (
                "strict",
                r#""integrity":"log""#,
                "`integrity` cannot be overridden",
            ),
            (
                "strict",
                r#""expiry":"skip""#,
                "`override.expiry` is `skip`",
            ),
            (
                "strict",
                r#""speed":"log""#,
                "`override.speed` is not a validation",
            ),
        ] {
            let e = parsed(level, overrides).unwrap_err().to_string();
            assert!(e.contains(error), "{e}");
        }
        let skip = TrustPolicy::from_json(doc("skip", r#""expiry":"log""#, "r/x").as_bytes(), "p")
            .unwrap_err()
            .to_string();
        assert!(skip.contains("`skip` cannot be overridden"), "{skip}");
        let global_skip = TrustPolicy::from_json(doc("skip", "", "*").as_bytes(), "p")
            .unwrap_err()
            .to_string();
        assert!(global_skip.contains("global scope"), "{global_skip}");
    }

    #[test]
    fn epoch_seconds_format_back_to_rfc3339() {
        for t in [
            "1970-01-01T00:00:00Z",
            "2000-02-29T23:59:59Z",
            "2026-12-04T02:30:00Z",
        ] {
            assert_eq!(rfc3339(parse_rfc3339(t).unwrap()), t);
        }
    }

    #[test]
    fn identities_match_whole_subjects() {
        let subject = "C=US, O=Acme, CN=release";
        assert!(identity_trusted(
            subject,
            &["x509.subject: CN=release, O=Acme, C=US".into()]
        ));
        assert!(!identity_trusted(
            subject,
            &["x509.subject: CN=release, O=Acme".into()]
        ));
        assert!(identity_trusted(subject, &["*".into()]));
    }
}
