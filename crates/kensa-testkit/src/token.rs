//! A small token server for the test registry's bearer auth (the distribution token
//! spec): it checks basic credentials, then signs an ES256 JWT granting the scopes asked
//! for, with its certificate in `x5c` so the registry verifies it against the bundle it
//! was configured with.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rcgen::{CertificateParams, DnType, KeyPair, SigningKey as _};
use serde_json::json;

/// The `service` and `iss` the registry is configured to expect.
pub(crate) const SERVICE: &str = "kensa-test-registry";
pub(crate) const ISSUER: &str = "kensa-test-token-server";

/// A running token server; its thread lives as long as the test process.
pub(crate) struct TokenServer {
    /// `http://127.0.0.1:PORT/token`.
    pub(crate) realm: String,
    /// The signing certificate, PEM (the registry's `rootcertbundle`).
    pub(crate) cert_pem: String,
    /// Tokens issued so far.
    pub(crate) issued: Arc<AtomicUsize>,
}

impl TokenServer {
    /// Serves tokens to `user:password` only, living `expires_in` seconds.
    pub(crate) fn start(user: &str, password: &str, expires_in: u64) -> io::Result<TokenServer> {
        let key = KeyPair::generate().map_err(io::Error::other)?;
        let mut params = CertificateParams::new(Vec::<String>::new()).map_err(io::Error::other)?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kensa test token signer");
        let cert = params.self_signed(&key).map_err(io::Error::other)?;
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let realm = format!("http://{}/token", listener.local_addr()?);
        let issued = Arc::new(AtomicUsize::new(0));
        let expected = format!("Basic {}", STANDARD.encode(format!("{user}:{password}")));
        let x5c = STANDARD.encode(cert.der());
        let counter = issued.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let _ = answer(conn, &key, &x5c, &expected, expires_in, &counter);
            }
        });
        Ok(TokenServer {
            realm,
            cert_pem: cert.pem(),
            issued,
        })
    }
}

fn answer(
    mut conn: TcpStream,
    key: &KeyPair,
    x5c: &str,
    expected_auth: &str,
    expires_in: u64,
    issued: &AtomicUsize,
) -> io::Result<()> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        if conn.read(&mut byte)? == 0 {
            return Ok(());
        }
        head.extend_from_slice(&byte);
    }
    let head = String::from_utf8_lossy(&head);
    let authorized = head.lines().any(|l| {
        l.split_once(':').is_some_and(|(name, value)| {
            name.eq_ignore_ascii_case("authorization") && value.trim() == expected_auth
        })
    });
    if !authorized {
        return conn.write_all(
            b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    }
    let target = head.split_whitespace().nth(1).unwrap_or_default();
    let query = target.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let access: Vec<_> = query
        .split('&')
        .filter_map(|kv| kv.strip_prefix("scope="))
        .map(percent_decode)
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(json!({ "type": kind, "name": name, "actions": actions.split(',').collect::<Vec<_>>() }))
        })
        .collect();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let n = issued.fetch_add(1, Ordering::SeqCst);
    let header = json!({ "typ": "JWT", "alg": "ES256", "x5c": [x5c] });
    let claims = json!({
        "iss": ISSUER, "sub": "tester", "aud": SERVICE,
        "exp": now + expires_in, "nbf": now - 10, "iat": now - 10,
        "jti": format!("kensa-{n}"), "access": access,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let der = key
        .sign(signing_input.as_bytes())
        .map_err(io::Error::other)?;
    let raw = der_to_raw(&der).ok_or_else(|| io::Error::other("unexpected signature shape"))?;
    let token = format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(raw));
    let body = json!({ "token": token, "expires_in": expires_in }).to_string();
    write!(
        conn,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

/// ECDSA signatures come as DER `SEQUENCE { INTEGER r, INTEGER s }`; JWS wants the two
/// 32-byte integers side by side.
fn der_to_raw(der: &[u8]) -> Option<Vec<u8>> {
    let body = der.strip_prefix(&[0x30])?;
    let (_, mut rest) = body.split_first()?;
    let mut out = Vec::with_capacity(64);
    for _ in 0..2 {
        let (&tag, tail) = rest.split_first()?;
        if tag != 0x02 {
            return None;
        }
        let (&len, tail) = tail.split_first()?;
        let (int, tail) = tail.split_at_checked(usize::from(len))?;
        let int = int.strip_prefix(&[0]).unwrap_or(int);
        if int.len() > 32 {
            return None;
        }
        out.extend(std::iter::repeat_n(0u8, 32 - int.len()));
        out.extend_from_slice(int);
        rest = tail;
    }
    Some(out)
}

/// Scopes are `type:name:actions`; only `:`, `/` and `,` get escaped in them.
fn percent_decode(s: &str) -> String {
    [
        ("%3A", ":"),
        ("%2F", "/"),
        ("%2C", ","),
        ("%3a", ":"),
        ("%2f", "/"),
        ("%2c", ","),
    ]
    .iter()
    .fold(s.to_owned(), |acc, (from, to)| acc.replace(from, to))
}
