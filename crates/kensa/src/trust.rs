//! `kensa verify`, `kensa sign`, `kensa keygen` and `kensa image --verify-signature`:
//! flags turned into kensa-trust calls.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use kensa_core::Report;
use kensa_image::ImageInput;
use kensa_registry::{Client, Reference};
use kensa_trust::{Attach, LayoutStore, PublicKey, RegistryStore, SigningKey, Store, Stored};

use crate::cli::{AttachArg, RegistryArgs, SignArgs, VerifyArgs};

/// The variable holding a private key's passphrase. Not `KENSA_PASSWORD`: that is the
/// registry password, and one variable for both would send the key's passphrase to the
/// registry.
const PASSWORD_VAR: &str = "KENSA_KEY_PASSWORD";

/// Where an image (and so its signatures) lives.
enum Located {
    Registry {
        client: Box<Client>,
        reference: Reference,
    },
    Layout(PathBuf),
}

fn locate(
    reference: &str,
    registry: &RegistryArgs,
    settings_file: Option<&Path>,
) -> Result<Located> {
    match ImageInput::parse_reference(reference)? {
        ImageInput::OciLayout(dir) => Ok(Located::Layout(dir)),
        ImageInput::Registry { reference, .. } => {
            let options = crate::config::registry_options(registry, settings_file)?;
            crate::registry_cmd::warn_insecure(&options, &reference);
            Ok(Located::Registry {
                client: Box::new(Client::new(options)?),
                reference,
            })
        }
        ImageInput::Archive(path) => bail!(
            "`{}` is an archive: signatures live in a registry or an OCI layout; give a \
             registry reference or `oci-layout:DIR`",
            path.display()
        ),
    }
}

/// Runs `f` with the image's store and the manifest (or index) the reference names now;
/// the tag is resolved once, so what is verified or signed is that digest.
fn with_store<T>(
    located: &Located,
    f: impl FnOnce(&dyn Store, &Stored, &str) -> Result<T>,
) -> Result<T> {
    match located {
        Located::Registry { client, reference } => {
            let store = RegistryStore::new(client, reference);
            let manifest = client.manifest(reference)?;
            let subject = Stored {
                bytes: manifest.bytes,
                digest: manifest.digest,
                media_type: manifest.media_type,
            };
            f(&store, &subject, &reference.name())
        }
        Located::Layout(dir) => {
            let store = LayoutStore::new(dir)?;
            let subject = store.manifest(&store.subject()?.digest)?;
            f(&store, &subject, &format!("oci-layout:{}", dir.display()))
        }
    }
}

fn load_keys(paths: &[PathBuf]) -> Result<Vec<PublicKey>> {
    if paths.is_empty() {
        bail!(
            "no trusted key: give `--key FILE` (repeatable) or list `signature.keys` in the \
             settings file"
        );
    }
    paths
        .iter()
        .map(|p| PublicKey::from_file(p).map_err(anyhow::Error::from))
        .collect()
}

fn passphrase() -> Option<String> {
    std::env::var(PASSWORD_VAR).ok().filter(|p| !p.is_empty())
}

/// The trust policy and trust store of `--trust-policy FILE --trust-store DIR`.
fn load_notation(
    (policy, store): (&Path, &Path),
) -> Result<(
    kensa_trust::notation::TrustPolicy,
    kensa_trust::notation::TrustStore,
)> {
    let bytes = fs_err::read(policy)?;
    let shown = policy.display().to_string();
    Ok((
        kensa_trust::notation::TrustPolicy::from_json(&bytes, &shown)?,
        kensa_trust::notation::TrustStore::load(store)?,
    ))
}

/// `kensa verify`: `Ok(true)` when a signature verified (a cosign one with a key, or a
/// Notary Project one under the trust policy); a failed check is returned as
/// `Ok(false)` after its message is printed, so it exits 1, not 2.
pub(crate) fn verify(args: &VerifyArgs) -> Result<bool> {
    let mut paths = args.key.clone();
    paths.extend(crate::config::signature_keys(args.config.as_deref())?);
    let notation = match (&args.trust_policy, &args.trust_store) {
        (Some(policy), Some(store)) => Some(load_notation((policy, store))?),
        _ => None,
    };
    let keys = if paths.is_empty() && notation.is_some() {
        Vec::new()
    } else {
        load_keys(&paths)?
    };
    let located = locate(&args.reference, &args.registry, args.config.as_deref())?;
    with_store(&located, |store, subject, scope| {
        let mut lines = String::new();
        let mut failed = Vec::new();
        if !keys.is_empty() {
            match kensa_trust::verify(store, &args.reference, &subject.digest, &keys) {
                Ok(verified) => {
                    for v in &verified {
                        lines.push_str(&format!(
                            "verified `{}` ({}): cosign signature by key `{}` ({}) at {}\n",
                            args.reference, v.digest, v.key, v.key_source, v.location
                        ));
                    }
                }
                Err(e) => failed.push(e),
            }
        }
        if let Some((policy, trust)) = &notation {
            let now = std::time::SystemTime::now();
            match kensa_trust::notation::verify(
                store,
                &args.reference,
                scope,
                subject,
                policy,
                trust,
                now,
            ) {
                Ok(verified) if verified.is_empty() => lines.push_str(&format!(
                    "skipped `{}`: its trust policy's level is `skip`\n",
                    args.reference
                )),
                Ok(verified) => {
                    for v in &verified {
                        lines.push_str(&format!(
                            "verified `{}` ({}): Notary Project signature by `{}` ({}) at {}\n",
                            args.reference,
                            v.signature.digest,
                            v.signature.key,
                            v.signature.key_source,
                            v.signature.location
                        ));
                        for logged in &v.logged {
                            lines.push_str(&format!("  note: {logged}\n"));
                        }
                    }
                }
                Err(e) => failed.push(e),
            }
        }
        if !lines.is_empty() {
            crate::write_stdout(&lines)?;
            return Ok(true);
        }
        let mut first_error = None;
        for e in failed {
            match e {
                kensa_trust::TrustError::NoSignature { .. }
                | kensa_trust::TrustError::NotVerified { .. } => {
                    crate::print_error(&anyhow::Error::from(e));
                }
                other => {
                    first_error.get_or_insert(other);
                }
            }
        }
        match first_error {
            Some(e) => Err(e.into()),
            None => Ok(false),
        }
    })
}

/// `kensa sign`.
pub(crate) fn sign(args: &SignArgs) -> Result<()> {
    let text = fs_err::read_to_string(&args.key)?;
    let key = SigningKey::from_pem(
        &text,
        passphrase().as_deref(),
        &args.key.display().to_string(),
    )?;
    let attach = match args.attach {
        AttachArg::Tag => Attach::Tag,
        AttachArg::Referrers => Attach::Referrers,
        AttachArg::Both => Attach::Both,
    };
    let located = locate(&args.reference, &args.registry, None)?;
    with_store(&located, |store, subject, name| {
        let signed = kensa_trust::sign(store, subject, name, &key, attach)?;
        let mut text = format!(
            "signed `{}` ({}) with key `{}`\n",
            args.reference, signed.digest, signed.key
        );
        if let Some(tag) = &signed.tag {
            text.push_str(&format!("signature: tag `{tag}`\n"));
        }
        if let Some(referrer) = &signed.referrer {
            text.push_str(&format!("signature: referrer `{referrer}`\n"));
        }
        crate::write_stdout(&text)?;
        Ok(())
    })
}

/// `kensa keygen`: refuses to overwrite either file.
pub(crate) fn keygen(prefix: &Path) -> Result<()> {
    let private = prefix.with_extension("key");
    let public = prefix.with_extension("pub");
    for path in [&private, &public] {
        if path.exists() {
            bail!(
                "`{}` exists; kensa does not overwrite keys (remove it or pick another `--output-key-prefix`)",
                path.display()
            );
        }
    }
    let password = passphrase();
    let pair = SigningKey::generate()?.to_pem(password.as_deref())?;
    write_private(&private, &pair.private_pem)?;
    fs_err::write(&public, &pair.public_pem)?;
    let mut text = format!(
        "private key: {}{}\npublic key: {}\nfingerprint: {}\n",
        private.display(),
        if password.is_some() {
            " (encrypted with KENSA_KEY_PASSWORD)"
        } else {
            " (not encrypted: set KENSA_KEY_PASSWORD to encrypt it)"
        },
        public.display(),
        pair.fingerprint
    );
    text.push_str("verify with: kensa verify IMAGE --key ");
    text.push_str(&format!("{}\n", public.display()));
    crate::write_stdout(&text)?;
    Ok(())
}

/// The private key is readable by its owner only, from the moment it exists.
fn write_private(path: &Path, pem: &str) -> Result<()> {
    let mut options = fs_err::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    std::io::Write::write_all(&mut file, pem.as_bytes())
        .with_context(|| format!("writing `{}`", path.display()))?;
    Ok(())
}

/// What `kensa image --verify-signature` checks, decided before the scan: a registry
/// tag is resolved to its digest first, and the scan is then of that digest, so the
/// verdict is about the bytes scanned even if the tag moves meanwhile. The check itself
/// runs on its own thread during the scan: it is a few small requests, so its latency
/// hides behind the layer walk instead of adding to it.
pub(crate) struct ScanCheck {
    running: std::thread::JoinHandle<Result<kensa_trust::scan::Outcome>>,
}

impl ScanCheck {
    /// Loads what is trusted, pins `input` to the digest to check and starts checking
    /// it.
    pub(crate) fn start(
        input: &mut ImageInput,
        keys: &[PathBuf],
        notation: Option<(&Path, &Path)>,
    ) -> Result<ScanCheck> {
        let trusted = kensa_trust::scan::Trusted {
            keys: if keys.is_empty() && notation.is_some() {
                Vec::new()
            } else {
                load_keys(keys)?
            },
            notation: notation.map(load_notation).transpose()?,
        };
        let image = input.display_name();
        let (located, subject) = match input {
            ImageInput::Registry { reference, client } => {
                let client = Client::new((**client).clone())?;
                let m = client.manifest(reference)?;
                *reference = reference.with_digest(m.digest.clone());
                let located = Located::Registry {
                    client: Box::new(client),
                    reference: reference.clone(),
                };
                let subject = Stored {
                    bytes: m.bytes,
                    digest: m.digest,
                    media_type: m.media_type,
                };
                (Some(located), Some(subject))
            }
            ImageInput::OciLayout(dir) => {
                let store = LayoutStore::new(dir)?;
                let subject = store.manifest(&store.subject()?.digest)?;
                (Some(Located::Layout(dir.clone())), Some(subject))
            }
            ImageInput::Archive(_) => (None, None),
        };
        let running = std::thread::spawn(move || -> Result<kensa_trust::scan::Outcome> {
            Ok(match (&located, &subject) {
                (Some(Located::Registry { client, reference }), Some(subject)) => {
                    let store = RegistryStore::new(client, reference);
                    kensa_trust::scan::check(&store, &image, &reference.name(), subject, &trusted)?
                }
                (Some(Located::Layout(dir)), Some(subject)) => {
                    let store = LayoutStore::new(dir)?;
                    let scope = format!("oci-layout:{}", dir.display());
                    kensa_trust::scan::check(&store, &image, &scope, subject, &trusted)?
                }
                _ => kensa_trust::scan::not_checkable(
                    "an image archive has no registry or layout to hold signatures (a \
                     docker-archive has no manifest digest at all); scan the registry \
                     reference or `oci-layout:DIR` instead",
                ),
            })
        });
        Ok(ScanCheck { running })
    }

    /// Waits for the check and adds its findings, notes and verified signatures to
    /// `report`.
    pub(crate) fn apply(self, report: Report) -> Result<Report> {
        let outcome = self
            .running
            .join()
            .map_err(|_| anyhow::anyhow!("the signature check failed unexpectedly"))??;
        Ok(report.with_signature_check(outcome.findings, outcome.notes, outcome.signatures))
    }
}
