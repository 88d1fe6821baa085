//! The push side of the distribution API, as much as signing needs: monolithic blob
//! uploads (`POST` then `PUT ?digest=`), manifest `PUT`s by tag or digest, and a `HEAD`
//! that skips blobs the registry already has. Auth is the pull side's, asked for the
//! `pull,push` scope; the token is cached per repository like a pull token, which it
//! also serves for.

use std::sync::Arc;

use kensa_core::Digest;
use ureq::http::{Response, StatusCode};

use crate::auth::Challenge;
use crate::client::{Auth, Client, error_detail, retry_after, retryable, sha256, transport_error};
use crate::{Reference, RegistryError};

/// The largest document or blob kensa pushes in one request: signatures and their
/// payloads are a few kilobytes.
pub const MAX_PUSH_BYTES: usize = 4 * 1024 * 1024;

/// What the registry answered to a manifest `PUT`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushedManifest {
    /// The manifest's digest (computed here; checked against `Docker-Content-Digest`).
    pub digest: Digest,
    /// Whether the registry said it processed the manifest's `subject` (`OCI-Subject`),
    /// i.e. it keeps the referrers list itself.
    pub subject_indexed: bool,
}

/// A request method and body, so one loop can retry and authenticate all of them.
#[derive(Clone, Copy)]
enum Method<'a> {
    Head,
    Post,
    Put {
        body: &'a [u8],
        content_type: &'a str,
    },
}

impl Client {
    /// Uploads `bytes` as a blob of `reference`'s repository unless it is already there,
    /// returning its digest.
    pub fn push_blob(&self, reference: &Reference, bytes: &[u8]) -> Result<Digest, RegistryError> {
        let digest = sha256(bytes);
        let too_large = bytes.len() > MAX_PUSH_BYTES;
        if too_large {
            return Err(RegistryError::TooLarge {
                registry: reference.registry().to_owned(),
                what: format!("blob `{digest}` to push"),
                limit: MAX_PUSH_BYTES as u64,
            });
        }
        let base = self.base(reference);
        let what = format!("blob `{digest}` of `{}`", reference.repository());
        let head = self.push_request(
            reference,
            Method::Head,
            &format!("{base}/blobs/{digest}"),
            &what,
        )?;
        if head.status().is_success() {
            return Ok(digest);
        }
        let started = self.push_request(
            reference,
            Method::Post,
            &format!("{base}/blobs/uploads/"),
            &format!("starting the upload of {what}"),
        )?;
        let started = self.expect_status(reference, started, &[StatusCode::ACCEPTED], &what)?;
        let location = started
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| RegistryError::Transport {
                registry: reference.registry().to_owned(),
                reason: format!("the upload of {what} was started without a `Location`"),
            })?;
        let mut url = self.absolute(reference, location);
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("digest={digest}"));
        let put = self.push_request(
            reference,
            Method::Put {
                body: bytes,
                content_type: "application/octet-stream",
            },
            &url,
            &format!("uploading {what}"),
        )?;
        self.expect_status(reference, put, &[StatusCode::CREATED], &what)?;
        Ok(digest)
    }

    /// Puts a manifest (or index) under `tag`, or under its own digest when `tag` is
    /// `None`.
    pub fn push_manifest(
        &self,
        reference: &Reference,
        tag: Option<&str>,
        media_type: &str,
        bytes: &[u8],
    ) -> Result<PushedManifest, RegistryError> {
        let digest = sha256(bytes);
        if bytes.len() > MAX_PUSH_BYTES {
            return Err(RegistryError::TooLarge {
                registry: reference.registry().to_owned(),
                what: format!("manifest `{digest}` to push"),
                limit: MAX_PUSH_BYTES as u64,
            });
        }
        let name = tag.map_or_else(|| digest.to_string(), str::to_owned);
        let what = format!("manifest `{}:{name}`", reference.repository());
        let url = format!("{}/manifests/{name}", self.base(reference));
        let response = self.push_request(
            reference,
            Method::Put {
                body: bytes,
                content_type: media_type,
            },
            &url,
            &format!("pushing {what}"),
        )?;
        let response = self.expect_status(reference, response, &[StatusCode::CREATED], &what)?;
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        if let Some(announced) = header("docker-content-digest")
            && announced.starts_with("sha256:")
            && announced != digest.as_str()
        {
            return Err(RegistryError::Digest {
                registry: reference.registry().to_owned(),
                what,
                expected: digest.to_string(),
                actual: announced,
            });
        }
        Ok(PushedManifest {
            digest,
            subject_indexed: header("oci-subject").is_some(),
        })
    }

    /// A `Location` may be relative to the registry (distribution returns
    /// `/v2/<name>/blobs/uploads/<id>?_state=…`).
    fn absolute(&self, reference: &Reference, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            return location.to_owned();
        }
        let scheme = if self.options.insecure {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}{location}", reference.api_host())
    }

    fn expect_status(
        &self,
        reference: &Reference,
        response: Response<ureq::Body>,
        wanted: &[StatusCode],
        what: &str,
    ) -> Result<Response<ureq::Body>, RegistryError> {
        let status = response.status();
        if wanted.contains(&status) {
            return Ok(response);
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let auth = self.cached_auth(&auth_key(reference));
            return Err(self.denied(reference, status.as_u16(), auth.as_deref()));
        }
        Err(RegistryError::Status {
            registry: reference.registry().to_owned(),
            what: format!("pushing {what}"),
            status: status.as_u16(),
            detail: error_detail(response),
        })
    }

    /// One request with the push scope's auth: a 401 with a challenge is answered once
    /// (a token for `pull,push`, or basic credentials) and the request sent again.
    /// Anything else is returned for the caller to judge.
    fn push_request(
        &self,
        reference: &Reference,
        method: Method<'_>,
        url: &str,
        what: &str,
    ) -> Result<Response<ureq::Body>, RegistryError> {
        let key = auth_key(reference);
        let mut answered = false;
        loop {
            let auth = self.cached_auth(&key);
            let header = auth.as_deref().map(|a| match a {
                Auth::Bearer { token, .. } => format!("Bearer {}", token.expose()),
                Auth::Basic(c) => c.basic_header(),
            });
            let response = self.send_push(reference.registry(), method, url, header.as_deref())?;
            if response.status() == StatusCode::UNAUTHORIZED && !answered {
                answered = true;
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .and_then(Challenge::parse);
                if let Some(challenge) = challenge {
                    let fresh = self.answer(reference, &challenge, "pull,push")?;
                    self.lock_auth().insert(key.clone(), Arc::new(fresh));
                    continue;
                }
            }
            if response.status() == StatusCode::NOT_FOUND && matches!(method, Method::Post) {
                return Err(RegistryError::Status {
                    registry: reference.registry().to_owned(),
                    what: what.to_owned(),
                    status: 404,
                    detail: error_detail(response),
                });
            }
            return Ok(response);
        }
    }

    /// Sends one push request, retried with backoff after 429, 5xx and connection
    /// failures. Every push request is safe to repeat: a blob PUT names its digest, a
    /// manifest PUT replaces, an upload POST only opens a session.
    fn send_push(
        &self,
        registry: &str,
        method: Method<'_>,
        url: &str,
        authorization: Option<&str>,
    ) -> Result<Response<ureq::Body>, RegistryError> {
        let mut attempt = 0;
        loop {
            let backoff = self.options.backoff.saturating_mul(1 << attempt.min(8));
            let last = attempt >= self.options.retries;
            attempt += 1;
            let result = match method {
                Method::Head => {
                    let mut request = self.agent.head(url);
                    if let Some(auth) = authorization {
                        request = request.header("Authorization", auth);
                    }
                    request.call()
                }
                Method::Post => {
                    let mut request = self.agent.post(url);
                    if let Some(auth) = authorization {
                        request = request.header("Authorization", auth);
                    }
                    request.send_empty()
                }
                Method::Put { body, content_type } => {
                    let mut request = self.agent.put(url).header("Content-Type", content_type);
                    if let Some(auth) = authorization {
                        request = request.header("Authorization", auth);
                    }
                    request.send(body)
                }
            };
            match result {
                Ok(response) => {
                    let status = response.status().as_u16();
                    if (status == 429 || status >= 500) && !last {
                        let wait = retry_after(&response).unwrap_or(backoff);
                        std::thread::sleep(wait.min(std::time::Duration::from_secs(30)));
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

fn auth_key(reference: &Reference) -> (String, String) {
    (
        reference.api_host().to_owned(),
        reference.repository().to_owned(),
    )
}
