//! The HTTP side of the distribution API: one `ureq` agent (rustls, the system roots plus
//! any `--ca-cert`), auth answered from the `WWW-Authenticate` challenge and cached per
//! repository, retries with backoff, and size- and digest-checked manifests.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kensa_core::Digest;
use sha2::{Digest as _, Sha256};
use ureq::Agent;
use ureq::config::RedirectAuthHeaders;
use ureq::http::{Response, StatusCode};
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::auth::{Challenge, CredentialSources, Credentials, Secret, TokenAnswer, encode_query};
use crate::documents::Documents;
use crate::{Reference, RegistryError};

/// The manifest media types kensa reads.
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// Docker's multi-platform manifest list.
pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// An OCI image manifest.
pub const MEDIA_OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
/// A Docker schema 2 image manifest.
pub const MEDIA_DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const MEDIA_SCHEMA1: &str = "application/vnd.docker.distribution.manifest.v1+json";
const MEDIA_SCHEMA1_SIGNED: &str = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/// Registries must accept manifests of 4 MiB (distribution spec); larger is not real.
pub const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;
/// The longest `Retry-After` honoured; a registry asking for more gets an error instead of
/// a scan that seems to hang.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Bearer tokens without `expires_in` live 60 seconds (distribution token spec).
const DEFAULT_TOKEN_LIFETIME: u64 = 60;

/// How the client connects and authenticates.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Plain HTTP instead of HTTPS (`--insecure`).
    pub insecure: bool,
    /// Registries (as references name them) reached over plain HTTP, the others staying
    /// HTTPS (`registries.<host>.insecure` in the settings file).
    pub insecure_registries: Vec<String>,
    /// Extra trusted CA certificates, PEM (`--ca-cert`).
    pub ca_certs: Vec<PathBuf>,
    /// Credentials given explicitly (flags or `KENSA_USERNAME`/`KENSA_PASSWORD`); they
    /// win over the docker config.
    pub credentials: Option<Credentials>,
    /// Where other credentials come from.
    pub sources: CredentialSources,
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest wait for a response or for the next bytes of a body: a stalled registry
    /// fails after this instead of hanging.
    pub read_timeout: Duration,
    /// Retries after a 429, a 5xx or a failed connection.
    pub retries: u32,
    /// The first backoff; each retry doubles it.
    pub backoff: Duration,
    /// Where verified configs and manifests named by digest are kept, so a rescan asks
    /// only for the tag's manifest; `None` keeps nothing.
    pub document_cache: Option<PathBuf>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            insecure: false,
            insecure_registries: Vec::new(),
            ca_certs: Vec::new(),
            credentials: None,
            sources: CredentialSources::default(),
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            retries: 4,
            backoff: Duration::from_millis(250),
            document_cache: None,
        }
    }
}

impl ClientOptions {
    /// Whether `reference`'s registry is reached over plain HTTP.
    pub fn is_insecure(&self, reference: &Reference) -> bool {
        self.insecure
            || self
                .insecure_registries
                .iter()
                .any(|r| r == reference.registry() || r == reference.api_host())
    }
}

impl PartialEq for ClientOptions {
    fn eq(&self, other: &Self) -> bool {
        self.insecure == other.insecure
            && self.insecure_registries == other.insecure_registries
            && self.ca_certs == other.ca_certs
            && self.credentials == other.credentials
            && self.sources == other.sources
            && self.connect_timeout == other.connect_timeout
            && self.read_timeout == other.read_timeout
            && self.retries == other.retries
            && self.backoff == other.backoff
            && self.document_cache == other.document_cache
    }
}

impl Eq for ClientOptions {}

/// A manifest or index, verified against the digest that names it.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The document as served (its digest is over these bytes).
    pub bytes: Vec<u8>,
    /// Its media type, from `Content-Type` or the document's `mediaType`.
    pub media_type: String,
    /// Its digest.
    pub digest: Digest,
}

impl Manifest {
    /// Whether it is an index (manifest list) rather than an image manifest.
    pub fn is_index(&self) -> bool {
        matches!(
            self.media_type.as_str(),
            MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST
        )
    }
}

/// A blob body, streamed from the network.
pub struct Blob {
    /// The body; it ends (or fails) at the announced size.
    pub reader: Box<dyn Read + Send>,
    /// `Content-Length`, when the registry sent one.
    pub size: Option<u64>,
}

/// What a repository's requests are authenticated with.
pub(crate) enum Auth {
    Bearer { token: Secret, expires: Instant },
    Basic(Credentials),
}

/// A distribution-spec pull client. Cheap to share between threads: layers are fetched
/// in parallel through one client.
pub struct Client {
    pub(crate) agent: Agent,
    pub(crate) options: ClientOptions,
    /// Per `(host, repository)`: tokens are scoped to one repository's pull.
    auth: Mutex<HashMap<(String, String), Arc<Auth>>>,
    /// Per registry: the docker config is read once.
    looked_up: Mutex<HashMap<String, Option<Credentials>>>,
    documents: Option<Documents>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let repos: Vec<String> = self
            .auth
            .lock()
            .map(|a| a.keys().map(|(h, r)| format!("{h}/{r}")).collect())
            .unwrap_or_default();
        f.debug_struct("Client")
            .field("insecure", &self.options.insecure)
            .field("ca_certs", &self.options.ca_certs)
            .field(
                "explicit_user",
                &self.options.credentials.as_ref().map(|c| &c.username),
            )
            .field("authenticated_repositories", &repos)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client: the trust roots are loaded here, so a bad `--ca-cert` fails
    /// before any request.
    pub fn new(options: ClientOptions) -> Result<Client, RegistryError> {
        let mut roots: Vec<Certificate<'static>> = rustls_native_certs::load_native_certs()
            .certs
            .into_iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        for path in &options.ca_certs {
            let bad = |reason: String| RegistryError::CaCert {
                path: path.clone(),
                reason,
            };
            let pem = fs_err::read(path).map_err(|e| bad(e.to_string()))?;
            let before = roots.len();
            for item in ureq::tls::parse_pem(&pem) {
                if let PemItem::Certificate(cert) = item.map_err(|e| bad(e.to_string()))? {
                    roots.push(cert);
                }
            }
            if roots.len() == before {
                return Err(bad("holds no PEM certificate".into()));
            }
        }
        let root_certs = if roots.is_empty() {
            RootCerts::WebPki
        } else {
            RootCerts::Specific(Arc::new(roots))
        };
        let agent = Agent::config_builder()
            .http_status_as_error(false)
            // With any registry on plain HTTP, the scheme is chosen per request by `base`;
            // otherwise even a redirect to plain HTTP is refused.
            .https_only(!options.insecure && options.insecure_registries.is_empty())
            .max_redirects(5)
            // A blob store on another host (S3, a CDN) gets a presigned URL, never the
            // registry's credentials.
            .redirect_auth_headers(RedirectAuthHeaders::SameHost)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.read_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .user_agent(concat!("kensa/", env!("CARGO_PKG_VERSION")))
            .tls_config(TlsConfig::builder().root_certs(root_certs).build())
            .build()
            .new_agent();
        let documents = options.document_cache.as_deref().map(Documents::new);
        Ok(Client {
            agent,
            documents,
            options,
            auth: Mutex::new(HashMap::new()),
            looked_up: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn base(&self, reference: &Reference) -> String {
        let scheme = if self.options.is_insecure(reference) {
            "http"
        } else {
            "https"
        };
        format!(
            "{scheme}://{}/v2/{}",
            reference.api_host(),
            reference.repository()
        )
    }

    /// Fetches the manifest or index `reference` names, refusing schema 1, oversized
    /// documents and any whose digest is not the one pinned or announced.
    pub fn manifest(&self, reference: &Reference) -> Result<Manifest, RegistryError> {
        // Only a manifest named by digest can be kept: what a tag names may change.
        if let (Some(documents), Some(digest)) = (&self.documents, reference.digest())
            && let Some(bytes) = documents.get(digest, MAX_MANIFEST_BYTES)
        {
            return Ok(Manifest {
                media_type: media_type(None, &bytes),
                digest: digest.clone(),
                bytes,
            });
        }
        let tag_or_digest = reference.manifest_reference();
        let url = format!("{}/manifests/{tag_or_digest}", self.base(reference));
        let accept = [
            MEDIA_OCI_INDEX,
            MEDIA_DOCKER_LIST,
            MEDIA_OCI_MANIFEST,
            MEDIA_DOCKER_MANIFEST,
            MEDIA_SCHEMA1_SIGNED,
            MEDIA_SCHEMA1,
        ]
        .join(", ");
        let what = format!("manifest `{}:{tag_or_digest}`", reference.repository());
        let mut response = self.get(reference, &url, &accept, &what, "manifest")?;
        let registry = reference.registry().to_owned();
        let too_large = || RegistryError::TooLarge {
            registry: registry.clone(),
            what: what.clone(),
            limit: MAX_MANIFEST_BYTES,
        };
        if response
            .body()
            .content_length()
            .is_some_and(|n| n > MAX_MANIFEST_BYTES)
        {
            return Err(too_large());
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let content_type = header("content-type");
        let announced = header("docker-content-digest");
        let mut bytes = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_MANIFEST_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| RegistryError::Transport {
                registry: registry.clone(),
                reason: format!("reading {what}: {e}"),
            })?;
        if bytes.len() as u64 > MAX_MANIFEST_BYTES {
            return Err(too_large());
        }
        let actual = sha256(&bytes);
        let expected = match reference.digest() {
            Some(pinned) => Some(pinned.to_string()),
            None => announced.filter(|d| d.starts_with("sha256:")),
        };
        if let Some(expected) = expected
            && expected != actual.as_str()
        {
            return Err(RegistryError::Digest {
                registry,
                what,
                expected,
                actual: actual.to_string(),
            });
        }
        let media_type = media_type(content_type.as_deref(), &bytes);
        let refused = |media_type: String| {
            if media_type == MEDIA_SCHEMA1 || media_type == MEDIA_SCHEMA1_SIGNED {
                RegistryError::Schema1 {
                    registry: reference.registry().to_owned(),
                    repository: reference.repository().to_owned(),
                    reference: tag_or_digest.clone(),
                }
            } else {
                RegistryError::MediaType {
                    registry: reference.registry().to_owned(),
                    repository: reference.repository().to_owned(),
                    reference: tag_or_digest.clone(),
                    media_type,
                }
            }
        };
        match media_type.as_str() {
            MEDIA_OCI_INDEX | MEDIA_DOCKER_LIST | MEDIA_OCI_MANIFEST | MEDIA_DOCKER_MANIFEST => {
                if let (Some(documents), Some(_)) = (&self.documents, reference.digest()) {
                    documents.put(&actual, &bytes);
                }
                Ok(Manifest {
                    bytes,
                    media_type,
                    digest: actual,
                })
            }
            _ => Err(refused(media_type)),
        }
    }

    /// Opens a blob's body as a stream of at most `max_size` bytes. The caller hashes
    /// what it reads (the walker does, in its one pass); [`Client::blob_bytes`] is the
    /// verified, buffered form for small blobs.
    pub fn blob(
        &self,
        reference: &Reference,
        digest: &Digest,
        max_size: u64,
    ) -> Result<Blob, RegistryError> {
        let url = format!("{}/blobs/{digest}", self.base(reference));
        let what = format!("blob `{digest}`");
        let (response, authorization) =
            self.get_with_auth(reference, &url, "*/*", &what, "blob")?;
        let size = response.body().content_length();
        if size.is_some_and(|n| n > max_size) {
            return Err(RegistryError::TooLarge {
                registry: reference.registry().to_owned(),
                what: format!("{what} of `{}`", reference.repository()),
                limit: max_size,
            });
        }
        let body = body_reader(response, max_size);
        let reader: Box<dyn Read + Send> = match size {
            // Only a body of known length can be resumed: without one, a cut connection
            // cannot be told from the end.
            Some(size) => Box::new(Resuming {
                agent: self.agent.clone(),
                url,
                authorization,
                body,
                offset: 0,
                size,
                resumes_left: MAX_RESUMES,
                max_size,
            }),
            None => body,
        };
        Ok(Blob { reader, size })
    }

    /// Reads a small blob (a config) whole and checks its digest and size.
    pub fn blob_bytes(
        &self,
        reference: &Reference,
        digest: &Digest,
        max_size: u64,
    ) -> Result<Vec<u8>, RegistryError> {
        if let Some(bytes) = self
            .documents
            .as_ref()
            .and_then(|d| d.get(digest, max_size))
        {
            return Ok(bytes);
        }
        let blob = self.blob(reference, digest, max_size)?;
        let what = format!("blob `{digest}` of `{}`", reference.repository());
        let mut bytes = Vec::new();
        blob.reader
            .take(max_size.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| RegistryError::Transport {
                registry: reference.registry().to_owned(),
                reason: format!("reading {what}: {e}"),
            })?;
        if bytes.len() as u64 > max_size {
            return Err(RegistryError::TooLarge {
                registry: reference.registry().to_owned(),
                what,
                limit: max_size,
            });
        }
        let actual = sha256(&bytes);
        if &actual != digest {
            return Err(RegistryError::Digest {
                registry: reference.registry().to_owned(),
                what,
                expected: digest.to_string(),
                actual: actual.to_string(),
            });
        }
        if let Some(documents) = &self.documents {
            documents.put(digest, &bytes);
        }
        Ok(bytes)
    }

    /// A GET with auth: the cached answer for the repository first, then, on a 401, the
    /// challenge is answered once (a fresh token replaces an expired one) and the request
    /// repeated.
    pub(crate) fn get(
        &self,
        reference: &Reference,
        url: &str,
        accept: &str,
        what: &str,
        kind: &'static str,
    ) -> Result<Response<ureq::Body>, RegistryError> {
        self.get_with_auth(reference, url, accept, what, kind)
            .map(|(response, _)| response)
    }

    /// [`Client::get`], also giving the `Authorization` value that succeeded (to resume
    /// a blob with).
    fn get_with_auth(
        &self,
        reference: &Reference,
        url: &str,
        accept: &str,
        what: &str,
        kind: &'static str,
    ) -> Result<(Response<ureq::Body>, Option<Secret>), RegistryError> {
        let key = (
            reference.api_host().to_owned(),
            reference.repository().to_owned(),
        );
        let mut answered = false;
        loop {
            let auth = self.cached_auth(&key);
            let header = auth.as_deref().map(|a| match a {
                Auth::Bearer { token, .. } => format!("Bearer {}", token.expose()),
                Auth::Basic(c) => c.basic_header(),
            });
            let response = self.send(reference.registry(), url, accept, header.as_deref())?;
            let status = response.status();
            if status.is_success() {
                return Ok((response, header.map(Secret::new)));
            }
            if status == StatusCode::UNAUTHORIZED && !answered {
                answered = true;
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .and_then(Challenge::parse);
                if let Some(challenge) = challenge {
                    let fresh = self.answer(reference, &challenge, "pull")?;
                    self.lock_auth().insert(key.clone(), Arc::new(fresh));
                    continue;
                }
            }
            if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                return Err(self.denied(reference, status.as_u16(), auth.as_deref()));
            }
            if status == StatusCode::NOT_FOUND {
                return Err(RegistryError::NotFound {
                    registry: reference.registry().to_owned(),
                    repository: reference.repository().to_owned(),
                    what: kind,
                    reference: url.rsplit('/').next().unwrap_or_default().to_owned(),
                });
            }
            return Err(RegistryError::Status {
                registry: reference.registry().to_owned(),
                what: what.to_owned(),
                status: status.as_u16(),
                detail: error_detail(response),
            });
        }
    }

    pub(crate) fn lock_auth(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<(String, String), Arc<Auth>>> {
        // A poisoned lock only means another thread panicked mid-insert of a whole value.
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn cached_auth(&self, key: &(String, String)) -> Option<Arc<Auth>> {
        let mut cache = self.lock_auth();
        let auth = cache.get(key)?.clone();
        if let Auth::Bearer { expires, .. } = auth.as_ref()
            && Instant::now() >= *expires
        {
            cache.remove(key);
            return None;
        }
        Some(auth)
    }

    pub(crate) fn denied(
        &self,
        reference: &Reference,
        status: u16,
        auth: Option<&Auth>,
    ) -> RegistryError {
        let (method, hint) = match auth {
            None => (
                "anonymous access".to_owned(),
                "; log in with `docker login`, or give `--username` with `--password-stdin` \
                 or `KENSA_USERNAME`/`KENSA_PASSWORD`",
            ),
            Some(Auth::Basic(c)) => (
                format!("basic auth as `{}`", c.username),
                "; check the username and password",
            ),
            Some(Auth::Bearer { .. }) => (
                "a bearer token".to_owned(),
                "; check the credentials and that they may pull this repository",
            ),
        };
        RegistryError::Unauthorized {
            registry: reference.registry().to_owned(),
            repository: reference.repository().to_owned(),
            status,
            method,
            hint,
        }
    }

    /// The credentials for `registry`: explicit ones, else the docker config's.
    fn credentials(&self, registry: &str) -> Result<Option<Credentials>, RegistryError> {
        if let Some(c) = &self.options.credentials {
            return Ok(Some(c.clone()));
        }
        let mut seen = self.looked_up.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(found) = seen.get(registry) {
            return Ok(found.clone());
        }
        let found = self.options.sources.lookup(registry)?;
        seen.insert(registry.to_owned(), found.clone());
        Ok(found)
    }

    /// `actions` is the token scope's action list: `pull`, or `pull,push` for a push.
    pub(crate) fn answer(
        &self,
        reference: &Reference,
        challenge: &Challenge,
        actions: &str,
    ) -> Result<Auth, RegistryError> {
        let credentials = self.credentials(reference.registry())?;
        match challenge {
            Challenge::Basic => match credentials {
                Some(c) => Ok(Auth::Basic(c)),
                None => Err(self.denied(reference, 401, None)),
            },
            Challenge::Bearer { realm, service } => self.token(
                reference,
                realm,
                service.as_deref(),
                credentials.as_ref(),
                actions,
            ),
        }
    }

    /// The token exchange: GET the realm with the service and this repository's pull
    /// scope, with basic auth when there are credentials.
    pub(crate) fn token(
        &self,
        reference: &Reference,
        realm: &str,
        service: Option<&str>,
        credentials: Option<&Credentials>,
        actions: &str,
    ) -> Result<Auth, RegistryError> {
        let fail = |reason: String| RegistryError::Token {
            registry: reference.registry().to_owned(),
            realm: realm.to_owned(),
            reason,
        };
        let scope = format!("repository:{}:{actions}", reference.repository());
        let mut url = format!("{realm}?scope={}", encode_query(&scope));
        if let Some(service) = service {
            url.push_str(&format!("&service={}", encode_query(service)));
        }
        let header = credentials.map(Credentials::basic_header);
        let mut response = self.send(
            reference.registry(),
            &url,
            "application/json",
            header.as_deref(),
        )?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let method = match credentials {
                Some(c) => format!("basic auth as `{}`", c.username),
                None => "anonymous access".to_owned(),
            };
            return Err(fail(format!(
                "refused a token for {} `{}` (HTTP {}) using {method}",
                if actions == "pull" {
                    "pulling"
                } else {
                    "pushing to"
                },
                reference.repository(),
                status.as_u16()
            )));
        }
        if !status.is_success() {
            return Err(fail(format!("answered HTTP {}", status.as_u16())));
        }
        let body = response
            .body_mut()
            .with_config()
            .limit(1024 * 1024)
            .read_to_vec()
            .map_err(|e| fail(format!("reading the answer: {e}")))?;
        // The answer is never quoted in an error: it holds the token.
        let answer: TokenAnswer = serde_json::from_slice(&body)
            .map_err(|_| fail("the answer is not the expected JSON".into()))?;
        let token = answer
            .token
            .or(answer.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| fail("the answer holds no token".into()))?;
        let lifetime = answer.expires_in.unwrap_or(DEFAULT_TOKEN_LIFETIME);
        // Renew a little early so a token does not expire between check and use.
        let lifetime = Duration::from_secs(lifetime.saturating_sub(5).max(1));
        Ok(Auth::Bearer {
            token: Secret::new(token),
            expires: Instant::now() + lifetime,
        })
    }

    /// One GET, retried with backoff after 429, 5xx and connection failures; a
    /// `Retry-After` in seconds replaces the backoff.
    fn send(
        &self,
        registry: &str,
        url: &str,
        accept: &str,
        authorization: Option<&str>,
    ) -> Result<Response<ureq::Body>, RegistryError> {
        let mut attempt = 0;
        loop {
            let mut request = self.agent.get(url).header("Accept", accept);
            if let Some(auth) = authorization {
                request = request.header("Authorization", auth);
            }
            let backoff = self.options.backoff.saturating_mul(1 << attempt.min(8));
            let last = attempt >= self.options.retries;
            attempt += 1;
            match request.call() {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if (status == 429 || status >= 500) && !last {
                        let wait = retry_after(&response).unwrap_or(backoff);
                        if wait > MAX_RETRY_AFTER {
                            return Err(RegistryError::Transport {
                                registry: registry.to_owned(),
                                reason: format!(
                                    "answered HTTP {status} and asked to retry after {} s, \
                                     longer than kensa waits",
                                    wait.as_secs()
                                ),
                            });
                        }
                        std::thread::sleep(wait);
                        continue;
                    }
                    return Ok(response);
                }
                Err(e) if retryable(&e) && !last => std::thread::sleep(backoff),
                Err(e) => return Err(transport_error(registry, e)),
            }
        }
    }
}

/// A blob body cut short is asked for again from where it broke, this many times.
const MAX_RESUMES: u32 = 3;

fn body_reader(response: Response<ureq::Body>, max_size: u64) -> Box<dyn Read + Send> {
    Box::new(
        response
            .into_body()
            .into_with_config()
            .limit(max_size.saturating_add(1))
            .reader(),
    )
}

/// A blob body that, when the connection breaks before `size` bytes, asks again with
/// `Range: bytes=OFFSET-` and goes on from there. The caller hashes what it reads, so the
/// digest is still checked over the whole blob; a registry that ignores the range and
/// answers 200 has the bytes already read skipped.
struct Resuming {
    agent: Agent,
    url: String,
    /// Sent again only to the registry's own URL: redirects to another host drop it.
    authorization: Option<Secret>,
    body: Box<dyn Read + Send>,
    offset: u64,
    size: u64,
    resumes_left: u32,
    max_size: u64,
}

impl Resuming {
    fn resume(&mut self) -> std::io::Result<()> {
        self.resumes_left -= 1;
        let mut request = self
            .agent
            .get(&self.url)
            .header("Accept", "*/*")
            .header("Range", format!("bytes={}-", self.offset));
        if let Some(auth) = &self.authorization {
            request = request.header("Authorization", auth.expose());
        }
        let response = request.call().map_err(std::io::Error::other)?;
        match response.status().as_u16() {
            206 => self.body = body_reader(response, self.max_size),
            200 => {
                let mut body = body_reader(response, self.max_size);
                std::io::copy(&mut (&mut body).take(self.offset), &mut std::io::sink())?;
                self.body = body;
            }
            status => {
                return Err(std::io::Error::other(format!(
                    "resuming at byte {} answered HTTP {status}",
                    self.offset
                )));
            }
        }
        Ok(())
    }
}

impl Read for Resuming {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let result = self.body.read(buf);
            let broken = match &result {
                Ok(0) => self.offset < self.size,
                Ok(_) => false,
                Err(e) => e.kind() != std::io::ErrorKind::Interrupted,
            };
            if !broken || self.resumes_left == 0 || buf.is_empty() {
                if let Ok(n) = result {
                    self.offset += n as u64;
                }
                return result;
            }
            self.resume()?;
        }
    }
}

pub(crate) fn retryable(e: &ureq::Error) -> bool {
    matches!(
        e,
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::Timeout(_)
    )
}

pub(crate) fn transport_error(registry: &str, e: ureq::Error) -> RegistryError {
    let registry = registry.to_owned();
    let tls = |reason: String| RegistryError::Tls {
        registry: registry.clone(),
        reason,
    };
    match e {
        ureq::Error::Tls(reason) => tls(reason.to_owned()),
        ureq::Error::Rustls(inner) => tls(inner.to_string()),
        ureq::Error::Io(io) if io.to_string().contains("certificate") => tls(io.to_string()),
        ureq::Error::RequireHttpsOnly(_) => RegistryError::Transport {
            registry,
            reason: "a redirect led to plain HTTP, which kensa follows only with `--insecure`"
                .into(),
        },
        ureq::Error::Timeout(t) => RegistryError::Transport {
            registry,
            reason: format!("timed out ({t}); raise `--timeout` for a slow registry"),
        },
        other => RegistryError::Transport {
            registry,
            reason: other.to_string(),
        },
    }
}

pub(crate) fn retry_after(response: &Response<ureq::Body>) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The registry's own error codes and messages (`{"errors":[{"code","message"}]}`),
/// shortened; registries do not echo credentials in them.
pub(crate) fn error_detail(response: Response<ureq::Body>) -> String {
    #[derive(serde::Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<ErrorItem>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorItem {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let Ok(body) = response
        .into_body()
        .with_config()
        .limit(64 * 1024)
        .read_to_vec()
    else {
        return String::new();
    };
    let Ok(parsed) = serde_json::from_slice::<Errors>(&body) else {
        return String::new();
    };
    let items: Vec<String> = parsed
        .errors
        .iter()
        .take(3)
        .map(|e| {
            let text = format!("{} {}", e.code, e.message);
            text.chars().take(200).collect()
        })
        .collect();
    if items.is_empty() {
        String::new()
    } else {
        format!(": {}", items.join("; "))
    }
}

/// The media type: `Content-Type` without parameters, else the document's `mediaType`,
/// else guessed from its shape (`manifests` means an index), as some registries serve
/// `application/json`.
fn media_type(content_type: Option<&str>, bytes: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Shape {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        schema_version: Option<u32>,
        #[serde(default)]
        manifests: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        config: Option<serde::de::IgnoredAny>,
    }
    let header = content_type
        .map(|c| c.split(';').next().unwrap_or(c).trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty() && c != "application/json" && c != "text/plain");
    if let Some(header) = header {
        return header;
    }
    let Ok(shape) = serde_json::from_slice::<Shape>(bytes) else {
        return content_type.unwrap_or("unknown").to_owned();
    };
    if let Some(m) = shape.media_type {
        return m;
    }
    match (shape.schema_version, shape.manifests, shape.config) {
        (Some(1), _, _) => MEDIA_SCHEMA1.to_owned(),
        (_, Some(_), _) => MEDIA_OCI_INDEX.to_owned(),
        (_, _, Some(_)) => MEDIA_OCI_MANIFEST.to_owned(),
        _ => content_type.unwrap_or("unknown").to_owned(),
    }
}

pub(crate) fn sha256(bytes: &[u8]) -> Digest {
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    Digest::sha256_from_bytes(&hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_come_from_the_header_then_the_document() {
        assert_eq!(
            media_type(
                Some("application/vnd.oci.image.index.v1+json; charset=utf-8"),
                b"{}"
            ),
            MEDIA_OCI_INDEX
        );
        assert_eq!(
            media_type(
                Some("application/json"),
                br#"{"schemaVersion":1,"fsLayers":[]}"#
            ),
            MEDIA_SCHEMA1
        );
        assert_eq!(
            media_type(None, br#"{"schemaVersion":2,"manifests":[]}"#),
            MEDIA_OCI_INDEX
        );
        assert_eq!(
            media_type(None, br#"{"schemaVersion":2,"config":{}}"#),
            MEDIA_OCI_MANIFEST
        );
    }

    #[test]
    fn debug_output_holds_no_secret() {
        let options = ClientOptions {
            credentials: Some(Credentials {
                username: "alice".into(),
                password: Secret::new("s3cret-pass"),
            }),
            ..ClientOptions::default()
        };
        let debug = format!("{options:?}");
        assert!(!debug.contains("s3cret-pass"), "{debug}");
        let client = Client::new(options).unwrap();
        let debug = format!("{client:?}");
        assert!(
            debug.contains("alice") && !debug.contains("s3cret-pass"),
            "{debug}"
        );
    }
}
