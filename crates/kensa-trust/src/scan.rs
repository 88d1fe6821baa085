//! A signature check as part of a scan (`kensa image --verify-signature`): a verified
//! image is recorded in the report's `signatures[]`, an unsigned or badly signed one is
//! a finding under SP 800-190 4.1.5 saying what was checked, and an input without a
//! manifest digest gets a note, never a pass.

use kensa_core::docs::RuleLayout;
use kensa_core::{
    Finding, Location, NoteLevel, RuleDoc, RuleGroup, RuleMeta, RuleSet, ScanNote, Scanner,
    Section, Severity, VerifiedSignature,
};

use crate::notation::{self, TrustPolicy, TrustStore};
use crate::{PublicKey, Store, Stored, TrustError, verify};

/// `KS-SIG-001`: no signature at all.
pub static UNSIGNED: RuleMeta = RuleMeta {
    id: "KS-SIG-001",
    title: "Image is not signed",
    severity: Severity::High,
    section: Section::UntrustedImages,
    why: r"Nothing shows that this image came from your pipeline: without a signature, an image pushed by anyone who can write to the repository, or a tag moved to another image, is deployed just the same (SP 800-190 4.1.5).",
    fix: r"Sign the image in the pipeline that builds it (`kensa sign IMAGE --key kensa.key` or `cosign sign --key cosign.key IMAGE`) and verify it before it runs (`kensa verify IMAGE --key kensa.pub`).",
    links: &["https://docs.sigstore.dev/cosign/signing/signing_with_containers/"],
};

/// `KS-SIG-002`: signatures exist, none verifies.
pub static NOT_VERIFIED: RuleMeta = RuleMeta {
    id: "KS-SIG-002",
    title: "Image signature does not verify",
    severity: Severity::Critical,
    section: Section::UntrustedImages,
    why: r"The image carries signatures, but none was made by a trusted key over this image's digest: it was signed by someone else, the signature was copied from another image, or the payload or signature was altered. Any of these means the image cannot be shown to be the one your pipeline built (SP 800-190 4.1.5).",
    fix: r"Find out who pushed the image and its signature. If it is yours, sign it again with the pipeline's key (`kensa sign IMAGE --key kensa.key`); if the key changed, give the new public key with `--key`. Do not deploy it until it verifies.",
    links: &["https://docs.sigstore.dev/cosign/verifying/verify/"],
};

/// Every rule of the signature check, in id order.
pub static RULES: &[&RuleMeta] = &[&UNSIGNED, &NOT_VERIFIED];

/// The signature rules as a family, for `kensa rule` and `docs/signature-rules.md`.
pub struct SignatureRules;

/// The one instance, listed in kensa-scan's `RULE_SETS`.
pub static SIGNATURE_RULES: SignatureRules = SignatureRules;

impl RuleSet for SignatureRules {
    fn family(&self) -> &'static str {
        "signature"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Config
    }

    fn groups(&self) -> Vec<RuleGroup> {
        vec![RuleGroup {
            title: "Image signatures",
            about: "Checked by `kensa image --verify-signature --key FILE` on a registry \
                    image or an OCI layout: cosign key-based signatures found through the \
                    `sha256-<hex>.sig` tag and OCI 1.1 referrers. `kensa verify` runs the \
                    same check on its own. See `signatures.md`.",
            rules: RULES.to_vec(),
        }]
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/signature-rules.md",
            title: "Signature rules",
            intro: "Findings of the image signature check (SP 800-190 4.1.5). A verified \
                    signature is no finding: it is listed in the report's `signatures[]`.",
            layout: RuleLayout::Sections,
        }
    }
}

/// What a signature check adds to a report.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings (unsigned, not verified).
    pub findings: Vec<Finding>,
    /// Notes (could not be checked).
    pub notes: Vec<ScanNote>,
    /// Signatures that verified.
    pub signatures: Vec<VerifiedSignature>,
}

const FOUND_BY: &str = "signature";

/// What the scan trusts: cosign keys, a Notary Project trust policy, or both (a
/// signature of either kind that verifies suffices).
#[derive(Debug, Default)]
pub struct Trusted {
    /// cosign public keys.
    pub keys: Vec<PublicKey>,
    /// A Notary Project trust policy and store.
    pub notation: Option<(TrustPolicy, TrustStore)>,
}

/// Checks `subject` (in repository `scope`) in `store`; a lookup that fails (network,
/// registry) is an error, since "could not look" must not read as "unsigned" or as
/// "verified".
pub fn check(
    store: &dyn Store,
    image: &str,
    scope: &str,
    subject: &Stored,
    trusted: &Trusted,
) -> Result<Outcome, TrustError> {
    let mut outcome = Outcome::default();
    let mut failures = Vec::new();
    if !trusted.keys.is_empty() {
        match verify(store, image, &subject.digest, &trusted.keys) {
            Ok(signatures) => outcome.signatures.extend(signatures),
            Err(e) => failures.push(e),
        }
    }
    if let Some((policy, trust)) = &trusted.notation {
        let now = std::time::SystemTime::now();
        match notation::verify(store, image, scope, subject, policy, trust, now) {
            Ok(verified) if verified.is_empty() => outcome.notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: FOUND_BY.to_owned(),
                location: Location::default(),
                message: format!(
                    "Notary Project signatures were not verified: the trust policy's level for `{scope}` is `skip`"
                ),
            }),
            Ok(verified) => {
                for v in verified {
                    for logged in v.logged {
                        outcome.notes.push(ScanNote {
                            level: NoteLevel::Info,
                            found_by: FOUND_BY.to_owned(),
                            location: Location::default(),
                            message: format!("Notary Project signature {}: {logged}", v.signature.location),
                        });
                    }
                    outcome.signatures.push(v.signature);
                }
            }
            Err(e) => failures.push(e),
        }
    }
    if !outcome.signatures.is_empty() {
        return Ok(outcome);
    }
    let mut messages = Vec::new();
    let mut unsigned = true;
    for e in failures {
        match e {
            TrustError::NoSignature { .. } => messages.push(e.to_string()),
            TrustError::NotVerified { .. } => {
                unsigned = false;
                messages.push(e.to_string());
            }
            other => return Err(other),
        }
    }
    if !messages.is_empty() {
        let rule = if unsigned { &UNSIGNED } else { &NOT_VERIFIED };
        outcome.findings.push(rule.finding(
            Scanner::Config,
            Location::default(),
            Some(messages.join("\n")),
        ));
    }
    Ok(outcome)
}

/// The note for an input whose signature cannot be checked (a docker-archive has no
/// manifest digest, so nothing a signature could name).
pub fn not_checkable(why: &str) -> Outcome {
    Outcome {
        notes: vec![ScanNote {
            level: NoteLevel::Warning,
            found_by: FOUND_BY.to_owned(),
            location: Location::default(),
            message: format!("signature could not be checked: {why}"),
        }],
        ..Outcome::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_passes_the_registry_checks() {
        assert_eq!(
            kensa_core::check_rule_set(&SIGNATURE_RULES),
            Vec::<String>::new()
        );
    }

    #[test]
    fn rules_are_sorted_and_complete() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(ids, sorted);
        for rule in RULES {
            assert_eq!(rule.section, Section::UntrustedImages, "{}", rule.id);
            assert!(!rule.fix.is_empty() && !rule.why.is_empty(), "{}", rule.id);
        }
    }

    #[test]
    fn an_uncheckable_input_is_a_note_not_a_pass() {
        let outcome = not_checkable("a docker-archive has no manifest digest");
        assert!(outcome.signatures.is_empty() && outcome.findings.is_empty());
        assert!(
            outcome.notes[0]
                .message
                .starts_with("signature could not be checked")
        );
    }
}
