//! Credentials and the `WWW-Authenticate` challenge: where a username and password come
//! from (flags, environment, `~/.docker/config.json` and its credential helpers) and how a
//! challenge is read. Secrets are wrapped so no `Debug` or `Display` can print them.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use crate::RegistryError;
use crate::reference::DOCKER_HUB;

/// The key `docker login` uses for Docker Hub in `config.json`.
const DOCKER_HUB_CONFIG_KEY: &str = "https://index.docker.io/v1/";

/// A password or token. It has no `Display`, and its `Debug` prints a placeholder.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A username and password for one registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// The username (not secret: it appears in messages).
    pub username: String,
    /// The password or access token.
    pub password: Secret,
}

impl Credentials {
    /// The `Authorization` header value for basic auth.
    pub(crate) fn basic_header(&self) -> String {
        let raw = format!("{}:{}", self.username, self.password.expose());
        format!("Basic {}", STANDARD.encode(raw))
    }
}

/// Where credentials for registries not given on the command line are looked up.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialSources {
    /// The docker config file; `None` means `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`.
    pub docker_config: Option<PathBuf>,
    /// The search path for `docker-credential-*` helpers; `None` means `$PATH`.
    pub helper_path: Option<OsString>,
}

impl CredentialSources {
    fn config_path(&self) -> Option<PathBuf> {
        if let Some(path) = &self.docker_config {
            return Some(path.clone());
        }
        if let Some(dir) = std::env::var_os("DOCKER_CONFIG") {
            return Some(PathBuf::from(dir).join("config.json"));
        }
        std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".docker/config.json"))
    }

    /// The credentials the docker config holds for `registry` (as a reference names it),
    /// through its credential helper when it names one.
    pub fn lookup(&self, registry: &str) -> Result<Option<Credentials>, RegistryError> {
        let Some(path) = self.config_path() else {
            return Ok(None);
        };
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(RegistryError::Credentials {
                    registry: registry.to_owned(),
                    reason: e.to_string(),
                });
            }
        };
        let config: DockerConfig =
            serde_json::from_str(&text).map_err(|e| RegistryError::Credentials {
                registry: registry.to_owned(),
                // serde_json's message gives line and column, never the text itself.
                reason: format!("`{}` is not valid docker config JSON: {e}", path.display()),
            })?;
        let helper = config
            .cred_helpers
            .iter()
            .find(|(key, _)| config_key_matches(key, registry))
            .map(|(_, helper)| helper)
            .or(config.creds_store.as_ref())
            .filter(|h| !h.is_empty());
        if let Some(helper) = helper {
            return self.ask_helper(helper, registry);
        }
        let Some(entry) = config
            .auths
            .iter()
            .find(|(key, _)| config_key_matches(key, registry))
            .map(|(_, entry)| entry)
        else {
            return Ok(None);
        };
        let bad = |reason: &str| RegistryError::Credentials {
            registry: registry.to_owned(),
            reason: format!("`{}`: {reason}", path.display()),
        };
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let decoded = STANDARD
                .decode(auth.trim())
                .map_err(|_| bad("the `auth` value is not base64"))?;
            let decoded =
                String::from_utf8(decoded).map_err(|_| bad("the `auth` value is not UTF-8"))?;
            let (username, password) = decoded
                .split_once(':')
                .ok_or_else(|| bad("the `auth` value is not `user:password`"))?;
            return Ok(Some(Credentials {
                username: username.to_owned(),
                password: Secret::new(password),
            }));
        }
        match (&entry.username, &entry.password) {
            (Some(username), Some(password)) => Ok(Some(Credentials {
                username: username.clone(),
                password: Secret::new(password.clone()),
            })),
            _ => Ok(None),
        }
    }

    /// Runs `docker-credential-<helper> get`, as docker does: the server URL on stdin,
    /// `{"Username", "Secret"}` on stdout.
    fn ask_helper(
        &self,
        helper: &str,
        registry: &str,
    ) -> Result<Option<Credentials>, RegistryError> {
        let fail = |reason: String| RegistryError::Credentials {
            registry: registry.to_owned(),
            reason: format!("credential helper `docker-credential-{helper}`: {reason}"),
        };
        if !helper
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return Err(fail("the helper name is not a plain program name".into()));
        }
        let program = format!("docker-credential-{helper}");
        let search = self
            .helper_path
            .clone()
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default();
        let Some(executable) = std::env::split_paths(&search)
            .map(|dir| dir.join(&program))
            .find(|p| p.is_file())
        else {
            return Err(fail("not found on PATH".into()));
        };
        let server = if registry == DOCKER_HUB {
            DOCKER_HUB_CONFIG_KEY
        } else {
            registry
        };
        let mut child = Command::new(&executable)
            .arg("get")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| fail(format!("could not start it: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(server.as_bytes())
                .map_err(|e| fail(format!("could not write to it: {e}")))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| fail(format!("could not run it: {e}")))?;
        if !output.status.success() {
            // Helpers answer "credentials not found in native keychain" for unknown servers;
            // that means anonymous, as in docker. Their stdout is never quoted: it may hold
            // a secret.
            if String::from_utf8_lossy(&output.stdout).contains("credentials not found") {
                return Ok(None);
            }
            return Err(fail(format!("it failed ({})", output.status)));
        }
        let answer: HelperAnswer = serde_json::from_slice(&output.stdout)
            .map_err(|_| fail("its answer is not the expected JSON".into()))?;
        if answer.username == "<token>" {
            return Err(fail(
                "it returned an identity token, which kensa does not exchange yet; use \
                 `--username` with `--password-stdin` instead"
                    .into(),
            ));
        }
        Ok(Some(Credentials {
            username: answer.username,
            password: Secret::new(answer.secret),
        }))
    }
}

#[derive(Deserialize)]
struct HelperAnswer {
    #[serde(rename = "Username")]
    username: String,
    #[serde(rename = "Secret")]
    secret: String,
}

#[derive(Deserialize, Default)]
struct DockerConfig {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Deserialize, Default)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// Whether a `config.json` key (`https://index.docker.io/v1/`, `ghcr.io`,
/// `http://localhost:5000/v2/`) names `registry`.
fn config_key_matches(key: &str, registry: &str) -> bool {
    let host = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = host.split('/').next().unwrap_or(host);
    if registry == DOCKER_HUB {
        matches!(
            host,
            "index.docker.io" | "docker.io" | "registry-1.docker.io"
        )
    } else {
        host == registry
    }
}

/// An authentication challenge from a `WWW-Authenticate` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Challenge {
    /// `Bearer realm="…",service="…",scope="…"`.
    Bearer {
        realm: String,
        service: Option<String>,
    },
    /// `Basic realm="…"`.
    Basic,
}

impl Challenge {
    /// Reads the first challenge kensa can answer.
    pub(crate) fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, rest) = header.split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return Some(Challenge::Basic);
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let params = parse_params(rest);
        let realm = params.get("realm")?.clone();
        Some(Challenge::Bearer {
            realm,
            service: params.get("service").cloned(),
        })
    }
}

/// `key="value", key=value` pairs, with `\"` escapes in quoted values.
fn parse_params(s: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=')).collect();
        if chars.next().is_none() {
            break;
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ',')).collect();
        }
        out.insert(key.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    out
}

/// The token server's answer; `token` and `access_token` are synonyms (spec §token).
#[derive(Deserialize)]
pub(crate) struct TokenAnswer {
    #[serde(default)]
    pub(crate) token: Option<String>,
    #[serde(default)]
    pub(crate) access_token: Option<String>,
    #[serde(default)]
    pub(crate) expires_in: Option<u64>,
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass).
pub(crate) fn encode_query(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bearer_and_basic_challenges() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        );
        assert_eq!(
            c,
            Some(Challenge::Bearer {
                realm: "https://auth.example/token".into(),
                service: Some("registry.example".into()),
            })
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="Registry Realm""#),
            Some(Challenge::Basic)
        );
        assert_eq!(Challenge::parse("Negotiate abc"), None);
        assert_eq!(Challenge::parse("Bearer service=x"), None);
        let p = parse_params(r#"a="x\"y", b=plain ,c="""#);
        assert_eq!(p.get("a").map(String::as_str), Some("x\"y"));
        assert_eq!(p.get("b").map(String::as_str), Some("plain"));
        assert_eq!(p.get("c").map(String::as_str), Some(""));
    }

    #[test]
    fn config_keys_match_by_host() {
        assert!(config_key_matches(
            "https://index.docker.io/v1/",
            "docker.io"
        ));
        assert!(config_key_matches("ghcr.io", "ghcr.io"));
        assert!(config_key_matches(
            "http://localhost:5000/v2/",
            "localhost:5000"
        ));
        assert!(!config_key_matches("ghcr.io.evil", "ghcr.io"));
        assert!(!config_key_matches("localhost:5001", "localhost:5000"));
    }

    #[test]
    fn secrets_never_print() {
        let c = Credentials {
            username: "bob".into(),
            password: Secret::new("hunter2"),
        };
        let debug = format!("{c:?}");
        assert!(
            debug.contains("bob") && !debug.contains("hunter2"),
            "{debug}"
        );
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            encode_query("repository:a/b:pull"),
            "repository%3Aa%2Fb%3Apull"
        );
    }
}
