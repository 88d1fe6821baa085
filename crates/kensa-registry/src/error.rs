//! What can go wrong talking to a registry. Every message names the registry (and the
//! repository, reference or digest involved); none ever carries a credential or token.

use std::path::PathBuf;

/// An error from the registry client.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The reference does not parse.
    #[error("image reference `{reference}`: {reason}")]
    Reference {
        /// The reference as given.
        reference: String,
        /// Why it is refused.
        reason: String,
    },
    /// The registry could not be reached or stopped answering.
    #[error("registry `{registry}`: {reason}")]
    Transport {
        /// The registry host.
        registry: String,
        /// What failed.
        reason: String,
    },
    /// TLS failed: most often a certificate from a CA kensa was not told to trust.
    #[error(
        "registry `{registry}`: TLS handshake failed ({reason}); if it uses a private CA, \
         pass `--ca-cert FILE` or set `SSL_CERT_FILE`"
    )]
    Tls {
        /// The registry host.
        registry: String,
        /// The TLS library's reason.
        reason: String,
    },
    /// The registry refused the credentials (or their absence).
    #[error(
        "registry `{registry}`: access to `{repository}` denied (HTTP {status}) using {method}{hint}"
    )]
    Unauthorized {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The HTTP status.
        status: u16,
        /// The auth method tried, in words (`anonymous access`, `basic auth as `bob``).
        method: String,
        /// What to do next, starting with `; ` when present.
        hint: &'static str,
    },
    /// The manifest or blob does not exist.
    #[error("registry `{registry}`: `{repository}` has no {what} `{reference}`")]
    NotFound {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// `manifest` or `blob`.
        what: &'static str,
        /// The tag or digest.
        reference: String,
    },
    /// Any other unexpected HTTP status.
    #[error("registry `{registry}`: {what} answered HTTP {status}{detail}")]
    Status {
        /// The registry host.
        registry: String,
        /// The request, in words.
        what: String,
        /// The HTTP status.
        status: u16,
        /// The registry's own error codes, `: `-prefixed, when it gave any.
        detail: String,
    },
    /// A Docker schema 1 manifest, deprecated since 2017 and unsigned in practice.
    #[error(
        "registry `{registry}`: manifest `{repository}:{reference}` is a Docker schema 1 \
         manifest, which kensa does not read; push the image again with a current docker, \
         or convert it with `skopeo copy --format v2s2`"
    )]
    Schema1 {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The tag or digest.
        reference: String,
    },
    /// A manifest media type kensa does not know.
    #[error(
        "registry `{registry}`: manifest `{repository}:{reference}` has media type `{media_type}`, which is not an image manifest or index"
    )]
    MediaType {
        /// The registry host.
        registry: String,
        /// The repository.
        repository: String,
        /// The tag or digest.
        reference: String,
        /// The media type served.
        media_type: String,
    },
    /// A document or blob larger than its limit or its descriptor.
    #[error("registry `{registry}`: {what} is larger than {limit} bytes")]
    TooLarge {
        /// The registry host.
        registry: String,
        /// The manifest or blob, in words.
        what: String,
        /// The limit.
        limit: u64,
    },
    /// Content whose digest is not the one that names it.
    #[error(
        "registry `{registry}`: {what}: digest mismatch (expected `{expected}`, got `{actual}`)"
    )]
    Digest {
        /// The registry host.
        registry: String,
        /// The manifest or blob, in words.
        what: String,
        /// The digest asked for or announced.
        expected: String,
        /// The digest of what arrived.
        actual: String,
    },
    /// A bearer-token exchange failed.
    #[error("registry `{registry}`: token server `{realm}`: {reason}")]
    Token {
        /// The registry host.
        registry: String,
        /// The token realm (a URL without credentials).
        realm: String,
        /// What failed.
        reason: String,
    },
    /// Credentials could not be loaded (docker config, credential helper).
    #[error("credentials for `{registry}`: {reason}")]
    Credentials {
        /// The registry host.
        registry: String,
        /// What failed.
        reason: String,
    },
    /// A `--ca-cert` file could not be read or holds no certificate.
    #[error("CA certificate file `{}`: {reason}", path.display())]
    CaCert {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}
