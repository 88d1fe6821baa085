use kensa_core::{FileKind, Finding, FindingPolicy, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// Files whose name says they hold credentials: SSH private keys, cloud CLI
/// credentials, `.env` files.
pub struct CredentialFiles;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-012",
    title: "Image contains a credential file",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"SSH private keys, cloud CLI credentials and `.env` files give whoever pulls
the image the same access as their owner. Images are copied to registries, caches and
nodes that the key's owner does not control, and a file deleted in a later layer is
still in the earlier one. CIS Docker Benchmark 4.10; Dockle CIS-DI-0010."#,
    fix: r#"Rotate the credential, then keep it out of the build context
(`.dockerignore`: `.env*`, `.ssh`, `.aws`, `**/id_*`) and rebuild. Use
`RUN --mount=type=ssh` or `--mount=type=secret` for build-time access, and mount
run-time credentials from the orchestrator's secret store."#,
    links: &[],
};

/// Exact file names that hold credentials wherever they are.
const NAMES: &[&str] = &[
    ".env",
    ".git-credentials",
    ".netrc",
    ".pgpass",
    "id_dsa",
    "id_ecdsa",
    "id_ecdsa_sk",
    "id_ed25519",
    "id_ed25519_sk",
    "id_rsa",
];
/// Path endings that hold credentials.
const SUFFIXES: &[&str] = &[
    ".aws/credentials",
    ".config/gcloud/application_default_credentials.json",
    ".config/gcloud/credentials.db",
    ".kube/config",
];
/// `.env.<suffix>` files that document variables rather than hold them.
const ENV_TEMPLATES: &[&str] = &["defaults", "dist", "example", "sample", "template", "tmpl"];

impl ConfigRule for CredentialFiles {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// A package's test fixtures (`site-packages/**/tests/.env`) are not the image's
    /// credentials; the scan's path allowlist says which trees those are.
    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy {
            allowlisted: true,
            ..FindingPolicy::default()
        }
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for (path, layer, meta) in image.files.iter() {
            if meta.kind != FileKind::Regular || meta.size == 0 {
                continue;
            }
            if let Some(what) = credential_kind(path) {
                let message = format!("`/{path}` ({what})");
                out.push(META.finding(
                    Scanner::Config,
                    image.file_location(path, layer),
                    Some(message),
                ));
            }
        }
    }
}

fn credential_kind(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    if path.split('/').any(|p| p == "node_modules") {
        return None;
    }
    if name.starts_with("id_") && NAMES.contains(&name) {
        return Some("SSH private key");
    }
    if name == ".env"
        || name
            .strip_prefix(".env.")
            .is_some_and(|s| !ENV_TEMPLATES.contains(&s))
    {
        return Some("environment file");
    }
    if NAMES.contains(&name) {
        return Some("credential store");
    }
    SUFFIXES
        .iter()
        .any(|s| {
            path.strip_suffix(s)
                .is_some_and(|head| head.is_empty() || head.ends_with('/'))
        })
        .then_some("cloud credentials")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_image_json, entry, layer};
    use kensa_image::LayerIndex;
    use serde_json::json;

    fn check(layers: &[LayerIndex]) -> Vec<String> {
        check_image_json(&CredentialFiles, json!({}), layers, &[])
            .into_iter()
            .map(|f| f.message.unwrap())
            .collect()
    }

    #[test]
    fn fires_on_keys_cloud_credentials_and_env_files() {
        let found = check(&[layer(&[
            "root/.ssh/id_ed25519",
            "root/.aws/credentials",
            "app/.env",
            "app/.env.production",
            "home/app/.git-credentials",
            "home/app/.kube/config",
        ])]);
        assert_eq!(
            found,
            [
                "`/app/.env` (environment file)",
                "`/app/.env.production` (environment file)",
                "`/home/app/.git-credentials` (credential store)",
                "`/home/app/.kube/config` (cloud credentials)",
                "`/root/.aws/credentials` (cloud credentials)",
                "`/root/.ssh/id_ed25519` (SSH private key)",
            ]
        );
    }

    #[test]
    fn clean_for_public_keys_and_templates() {
        let found = check(&[layer(&[
            "root/.ssh/id_ed25519.pub",
            "root/.ssh/known_hosts",
            "app/.env.example",
            "app/.envrc",
            "etc/ssh/ssh_host_rsa_key.pub",
            "app/node_modules/dotenv/.env",
        ])]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn empty_files_and_directories_do_not_count() {
        let mut l = layer(&["app/.env/"]);
        let mut empty = entry("root/.ssh/id_rsa", FileKind::Regular, 0o600);
        empty.meta.size = 0;
        l.entries.push(empty);
        assert!(check(&[l]).is_empty());
    }
}
