use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, FileInput, FindingPolicy, Location, PathSpec,
};
use kensa_core::{Scanner, Section, Severity};
use kensa_secret::mask;

use super::line_no;
use crate::{ContentRule, RuleMeta};

/// Package-registry and container-registry credentials in `.npmrc`, `.pypirc` and
/// Docker's `config.json`.
pub struct RegistryCredentials;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-017",
    title: "Registry credentials in a client config file",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"`.npmrc`, `.pypirc` and `~/.docker/config.json` are copied into images to
let a build install private packages or pull private images; the token or password in
them stays in the layer, and usually allows publishing packages as well as reading
them. Dockle CIS-DI-0010; hadolint's advice against build-time credentials."#,
    fix: r#"Revoke the token. Pass it at build time only, with
`RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci` (likewise for `.pypirc`
and the Docker config), or write the file and delete it in the same `RUN`, which still
leaves it in the build cache; a multi-stage build keeps it out of the final image."#,
    links: &[],
};

impl Analyzer for RegistryCredentials {
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
        &[
            PathSpec::Exact(".docker/config.json"),
            PathSpec::FileName(".npmrc"),
            PathSpec::FileName(".pypirc"),
            PathSpec::Suffix("/.docker/config.json"),
        ]
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
        let text = String::from_utf8_lossy(file.content);
        let name = file.path.rsplit('/').next().unwrap_or(file.path);
        let hits = match name {
            ".npmrc" => npmrc(&text),
            ".pypirc" => pypirc(&text),
            _ => docker_config(&text).map_err(|e| {
                AnalyzeError::new(format!("`/{}` is not valid JSON: {e}", file.path))
            })?,
        };
        for (index, key, value) in hits {
            let message = format!("`{key}` in `/{}` is set (`{}`)", file.path, mask(&value));
            let location = Location::path(file.path).with_line(line_no(index));
            out.findings
                .push(META.finding(Scanner::Config, location, Some(message)));
        }
        Ok(())
    }
}

impl ContentRule for RegistryCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

/// (0-based line, key, value) of each credential found.
type Hit = (usize, String, String);

/// `_authToken`, `_auth` and `_password`, global or per registry (`//host/:_authToken`),
/// when set to a literal rather than `${ENV_VAR}`.
fn npmrc(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with(['#', ';']) {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), unquote(value.trim()));
        let setting = key.rsplit(':').next().unwrap_or(key);
        if matches!(setting, "_authToken" | "_auth" | "_password") && literal(value) {
            hits.push((i, key.to_owned(), value.to_owned()));
        }
    }
    hits
}

/// `password` in any section of a `.pypirc`.
fn pypirc(text: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.starts_with(['#', ';', '[']) {
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        let (key, value) = (key.trim(), unquote(value.trim()));
        if key.eq_ignore_ascii_case("password") && literal(value) && !value.starts_with("%(") {
            hits.push((i, key.to_owned(), value.to_owned()));
        }
    }
    hits
}

/// `auths.<registry>.auth`, `.password` and `.identitytoken` of a Docker client config.
fn docker_config(text: &str) -> Result<Vec<Hit>, serde_json::Error> {
    let json: serde_json::Value = serde_json::from_str(text)?;
    let mut hits = Vec::new();
    let Some(auths) = json.get("auths").and_then(|a| a.as_object()) else {
        return Ok(hits);
    };
    for (registry, entry) in auths {
        for field in ["auth", "password", "identitytoken"] {
            let Some(value) = entry.get(field).and_then(|v| v.as_str()) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            // JSON has no line numbers once parsed; the value's first occurrence is
            // where the credential is written.
            let at = text.find(value).unwrap_or(0);
            let index = text.get(..at).map_or(0, |t| t.matches('\n').count());
            hits.push((index, format!("auths.{registry}.{field}"), value.to_owned()));
        }
    }
    Ok(hits)
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

fn literal(value: &str) -> bool {
    !value.is_empty() && !value.starts_with('$') && !value.contains("${")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analyze, wants};

    fn messages(out: &AnalysisOutput) -> Vec<&str> {
        out.findings
            .iter()
            .map(|f| f.message.as_deref().unwrap())
            .collect()
    }

    #[test]
    fn wants_the_client_configs() {
        assert!(wants(&RegistryCredentials, "app/.npmrc"));
        assert!(wants(&RegistryCredentials, "root/.pypirc"));
        assert!(wants(&RegistryCredentials, "root/.docker/config.json"));
        assert!(!wants(&RegistryCredentials, "app/config.json"));
        assert!(!wants(
            &RegistryCredentials,
            "usr/lib/node_modules/npm/npmrc"
        ));
    }

    #[test]
    fn fires_on_literal_tokens_and_passwords() {
        let npmrc = "registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken=npm_0123456789abcdefghijklmnopqrstuvwxyz\n";
        let out = analyze(&RegistryCredentials, "app/.npmrc", npmrc);
        assert_eq!(
            messages(&out),
            ["`//registry.npmjs.org/:_authToken` in `/app/.npmrc` is set (`npm_****`)"]
        );
        assert_eq!(out.findings[0].location.line, Some(2));
        let pypirc = "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmcCJGE0\n";
        let out = analyze(&RegistryCredentials, "root/.pypirc", pypirc);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].location.line, Some(6));
        let docker = "{\n  \"auths\": {\n    \"registry.example.com\": {\n      \"auth\": \"dXNlcjpodW50ZXIy\"\n    }\n  }\n}\n";
        let out = analyze(&RegistryCredentials, "root/.docker/config.json", docker);
        assert_eq!(
            messages(&out),
            [
                "`auths.registry.example.com.auth` in `/root/.docker/config.json` is set (`dXNl****`)"
            ]
        );
        assert_eq!(out.findings[0].location.line, Some(4));
    }

    #[test]
    fn clean_for_references_and_helpers() {
        let npmrc = "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\nalways-auth=true\n";
        assert!(
            analyze(&RegistryCredentials, "app/.npmrc", npmrc)
                .findings
                .is_empty()
        );
        let docker = r#"{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}"#;
        assert!(
            analyze(&RegistryCredentials, "root/.docker/config.json", docker)
                .findings
                .is_empty()
        );
        let pypirc = "[pypi]\nusername = __token__\n";
        assert!(
            analyze(&RegistryCredentials, "root/.pypirc", pypirc)
                .findings
                .is_empty()
        );
    }

    #[test]
    fn invalid_docker_config_is_an_error_naming_the_file() {
        let meta = crate::test_support::entry(
            "root/.docker/config.json",
            kensa_core::FileKind::Regular,
            0o600,
        )
        .meta;
        let input = FileInput {
            path: "root/.docker/config.json",
            meta: &meta,
            content: b"{\"auths\": ",
        };
        let err = RegistryCredentials
            .analyze(&input, &mut AnalysisOutput::default())
            .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`/root/.docker/config.json` is not valid JSON"),
            "{err}"
        );
    }
}
