use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FindingPolicy, Location, PathSpec,
};
use kensa_core::{Scanner, Section, Severity};

use super::line_no;
use crate::{ContentRule, RuleMeta};

/// `*.pem` and `*.key` files that hold a private key (certificates are public and fine).
pub struct PrivateKeyFiles;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-018",
    title: "Image contains a private key file",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"A TLS or signing private key in an image is shared with everyone who can
pull it: they can impersonate the service or sign as its owner. `.pem` and `.key` files
often hold only public certificates, so the file is read to tell the two apart. CIS
Docker Benchmark 4.10."#,
    fix: r#"Revoke the certificate or key and issue a new one. Mount keys at run time
from the orchestrator's secret store (Kubernetes TLS Secrets, Docker secrets) or fetch
them from a secrets manager, and keep `*.key`/`*.pem` out of the build context with
`.dockerignore`."#,
    links: &[],
};

impl Analyzer for PrivateKeyFiles {
    fn id(&self) -> &'static str {
        META.id
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        Some(Scanner::Config)
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::Suffix(".key"), PathSpec::Suffix(".pem")]
    }

    fn max_file_size(&self) -> u64 {
        1024 * 1024
    }

    /// A credential in a package's test fixtures is covered by the scan's path
    /// allowlist, as the secret scanner's findings are.
    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy {
            allowlisted: true,
            ..FindingPolicy::default()
        }
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        // Packages' test fixtures and documentation ship throwaway keys on purpose; the
        // secret scanner's built-in path allowlist says which trees those are (without
        // compiling the secret rules, which a `--scanners config` run does not need).
        if kensa_secret::is_builtin_allowed_path(file.path) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(file.content);
        let mut lines = text.lines().enumerate();
        while let Some((i, line)) = lines.next() {
            let Some(kind) = private_key_header(line) else {
                continue;
            };
            // PKCS#8 says `ENCRYPTED PRIVATE KEY` itself; legacy PEM says so in a header.
            let encrypted = !kind.starts_with("ENCRYPTED")
                && lines
                    .clone()
                    .take(3)
                    .any(|(_, l)| l.starts_with("Proc-Type: 4,ENCRYPTED"));
            let message = format!(
                "`/{}` holds a {}{kind}",
                file.path,
                if encrypted {
                    "passphrase-protected "
                } else {
                    ""
                }
            );
            let location = Location::path(file.path).with_line(line_no(i));
            out.findings
                .push(META.finding(Scanner::Config, location, Some(message)));
            return Ok(());
        }
        Ok(())
    }
}

/// `RSA PRIVATE KEY` for a `-----BEGIN RSA PRIVATE KEY-----` line.
fn private_key_header(line: &str) -> Option<&str> {
    let kind = line
        .trim()
        .strip_prefix("-----BEGIN ")?
        .strip_suffix("-----")?;
    kind.ends_with("PRIVATE KEY").then_some(kind)
}

impl ContentRule for PrivateKeyFiles {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analyze, wants};

    // Truncated bodies: the rule reads the armour line, not the key.
    const RSA: &str =
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1x9Zz\n-----END RSA PRIVATE KEY-----\n";
    const CERT: &str =
        "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n";

    #[test]
    fn wants_pem_and_key_files() {
        assert!(wants(&PrivateKeyFiles, "etc/ssl/private/server.key"));
        assert!(wants(&PrivateKeyFiles, "app/certs/tls.pem"));
        assert!(!wants(&PrivateKeyFiles, "app/certs/tls.crt"));
    }

    #[test]
    fn fires_on_private_keys() {
        let out = analyze(&PrivateKeyFiles, "app/tls.key", RSA);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            out.findings[0].message.as_deref(),
            Some("`/app/tls.key` holds a RSA PRIVATE KEY")
        );
        let bundle = format!("{CERT}{}", RSA.replace("RSA ", ""));
        let out = analyze(&PrivateKeyFiles, "app/bundle.pem", &bundle);
        assert_eq!(out.findings[0].location.line, Some(4));
    }

    #[test]
    fn clean_for_certificates_and_public_keys() {
        assert!(
            analyze(&PrivateKeyFiles, "etc/ssl/certs/ca.pem", CERT)
                .findings
                .is_empty()
        );
        let public = "-----BEGIN PUBLIC KEY-----\nMFkwEwYH\n-----END PUBLIC KEY-----\n";
        assert!(
            analyze(&PrivateKeyFiles, "app/jwt.pem", public)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn encrypted_keys_and_package_test_data() {
        let legacy = "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nabc\n";
        let out = analyze(&PrivateKeyFiles, "app/old.key", legacy);
        assert_eq!(
            out.findings[0].message.as_deref(),
            Some("`/app/old.key` holds a passphrase-protected RSA PRIVATE KEY")
        );
        let pkcs8 = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n";
        let out = analyze(&PrivateKeyFiles, "app/new.pem", pkcs8);
        assert_eq!(
            out.findings[0].message.as_deref(),
            Some("`/app/new.pem` holds a ENCRYPTED PRIVATE KEY")
        );
        let vendored = "usr/lib/python3/site-packages/requests/tests/server.key";
        assert!(analyze(&PrivateKeyFiles, vendored, RSA).findings.is_empty());
    }
}
