//! Small HTTP fronts for a test registry, for what Debian's registry does not do itself:
//! paging tag lists with `Link` headers (distribution 2.8 ignores `n=`), redirecting blob
//! requests to another host (a blob store), and breaking a blob body midway. Everything
//! else is forwarded to the real registry unchanged, one request per connection.

use std::io::{self, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One request as the front saw it.
#[derive(Clone, Debug)]
pub struct SeenRequest {
    /// `GET`, `HEAD`.
    pub method: String,
    /// The path and query.
    pub target: String,
    /// The headers, names lowercased.
    pub headers: Vec<(String, String)>,
}

impl SeenRequest {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What a front does with a request.
enum Action {
    Forward,
    Respond(Vec<u8>),
}

type Handler = dyn Fn(&SeenRequest, &str) -> Action + Send + Sync;

/// A running front; its thread lives as long as the test process.
pub struct Front {
    /// `HOST:PORT` to put in references.
    pub host: String,
    /// Every request it received, oldest first.
    pub seen: Arc<Mutex<Vec<SeenRequest>>>,
}

impl Front {
    fn start(bind_host: &str, upstream: &str, handler: Arc<Handler>) -> io::Result<Front> {
        let listener = TcpListener::bind(format!("{bind_host}:0"))?;
        let port = listener.local_addr()?.port();
        let host = format!("{bind_host}:{port}");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let upstream = upstream.to_owned();
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (log, upstream, handler) = (log.clone(), upstream.clone(), handler.clone());
                std::thread::spawn(move || {
                    let _ = serve(conn, &upstream, &*handler, &log);
                });
            }
        });
        Ok(Front { host, seen })
    }

    /// Pages `GET /v2/<name>/tags/list?n=N[&last=T]` as distribution 3 does (a `Link`
    /// header to the next page while tags remain), from the full list the registry gives.
    pub fn paging(upstream: &str) -> io::Result<Front> {
        let up = upstream.to_owned();
        Front::start(
            "127.0.0.1",
            upstream,
            Arc::new(move |req: &SeenRequest, _: &str| {
                let (path, query) = req.target.split_once('?').unwrap_or((&req.target, ""));
                if req.method != "GET" || !path.ends_with("/tags/list") {
                    return Action::Forward;
                }
                let param = |key: &str| {
                    query
                        .split('&')
                        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
                        .map(str::to_owned)
                };
                let n: usize = param("n").and_then(|n| n.parse().ok()).unwrap_or(100);
                let last = param("last");
                let Ok(full) = fetch(&up, path, req) else {
                    return Action::Respond(response(502, "", b""));
                };
                let Some(body) = full.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()) else {
                    return Action::Respond(response(502, "", b""));
                };
                let parsed: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                let mut tags: Vec<String> = parsed["tags"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
                tags.sort();
                let start = last
                    .as_ref()
                    .map_or(0, |l| tags.iter().position(|t| t > l).unwrap_or(tags.len()));
                let page: Vec<&String> = tags.iter().skip(start).take(n).collect();
                let mut extra = String::new();
                if start + page.len() < tags.len()
                    && let Some(last) = page.last()
                {
                    extra = format!("Link: <{path}?n={n}&last={last}>; rel=\"next\"\r\n");
                }
                let json = serde_json::json!({ "name": parsed["name"], "tags": page }).to_string();
                Action::Respond(response(
                    200,
                    &format!("Content-Type: application/json\r\n{extra}"),
                    json.as_bytes(),
                ))
            }),
        )
    }

    /// Answers every `GET …/blobs/…` with a 307 to the same path on `blob_store` (a
    /// front on another host name), forwarding the rest.
    pub fn redirecting(upstream: &str, blob_store: &str) -> io::Result<Front> {
        let store = blob_store.to_owned();
        Front::start(
            "127.0.0.1",
            upstream,
            Arc::new(move |req: &SeenRequest, _: &str| {
                if req.method == "GET" && req.target.contains("/blobs/") {
                    let location = format!("Location: http://{store}{}\r\n", req.target);
                    Action::Respond(response(307, &location, b""))
                } else {
                    Action::Forward
                }
            }),
        )
    }

    /// A stand-in for a blob store on `127.0.0.2` (another host than the registry's
    /// `127.0.0.1`): it forwards to the registry with `authorization` of its own, as a
    /// presigned URL would carry its own access, and records what it was sent.
    pub fn blob_store(upstream: &str, authorization: Option<String>) -> io::Result<Front> {
        let up = upstream.to_owned();
        Front::start(
            "127.0.0.2",
            upstream,
            Arc::new(move |req: &SeenRequest, _: &str| {
                let mut forwarded = req.clone();
                forwarded.headers.retain(|(n, _)| n != "authorization");
                if let Some(auth) = &authorization {
                    forwarded
                        .headers
                        .push(("authorization".into(), auth.clone()));
                }
                match fetch_bytes(&up, &req.target, &forwarded) {
                    Ok(raw) => Action::Respond(raw),
                    Err(_) => Action::Respond(response(502, "", b"")),
                }
            }),
        )
    }

    /// Forwards everything, but cuts the first `breaks` blob bodies (whole or ranged)
    /// after `after` bytes, closing the connection, as a flaky network does.
    pub fn breaking(upstream: &str, breaks: usize, after: usize) -> io::Result<Front> {
        let up = upstream.to_owned();
        let left = Arc::new(Mutex::new(breaks));
        Front::start(
            "127.0.0.1",
            upstream,
            Arc::new(move |req: &SeenRequest, _: &str| {
                let mut left = left.lock().unwrap_or_else(|e| e.into_inner());
                if req.method != "GET" || !req.target.contains("/blobs/") || *left == 0 {
                    return Action::Forward;
                }
                let Ok(raw) = fetch_bytes(&up, &req.target, req) else {
                    return Action::Respond(response(502, "", b""));
                };
                let head_end = raw
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .map_or(raw.len(), |p| p + 4);
                let whole_or_part =
                    raw.starts_with(b"HTTP/1.1 200") || raw.starts_with(b"HTTP/1.1 206");
                if !whole_or_part || raw.len() - head_end <= after {
                    return Action::Respond(raw);
                }
                *left -= 1;
                Action::Respond(raw[..head_end + after].to_vec())
            }),
        )
    }
}

fn response(status: u16, headers: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} Test\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn read_head(conn: &mut TcpStream) -> io::Result<Option<SeenRequest>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || conn.read(&mut byte)? == 0 {
            return Ok(None);
        }
        head.push(byte[0]);
    }
    let text = String::from_utf8_lossy(&head);
    let mut lines = text.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let (Some(method), Some(target)) = (first.next(), first.next()) else {
        return Ok(None);
    };
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Ok(Some(SeenRequest {
        method: method.to_owned(),
        target: target.to_owned(),
        headers,
    }))
}

/// Sends `req` (to `target`) upstream with `Connection: close` and returns the raw
/// response.
fn fetch_bytes(upstream: &str, target: &str, req: &SeenRequest) -> io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream)?;
    let mut head = format!("{} {target} HTTP/1.1\r\nHost: {upstream}\r\n", req.method);
    for (name, value) in &req.headers {
        if name != "host" && name != "connection" {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("Connection: close\r\n\r\n");
    server.write_all(head.as_bytes())?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw)?;
    Ok(raw)
}

fn fetch(upstream: &str, target: &str, req: &SeenRequest) -> io::Result<String> {
    fetch_bytes(upstream, target, req).map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn serve(
    mut conn: TcpStream,
    upstream: &str,
    handler: &Handler,
    log: &Mutex<Vec<SeenRequest>>,
) -> io::Result<()> {
    let Some(req) = read_head(&mut conn)? else {
        return Ok(());
    };
    log.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(req.clone());
    let raw = match handler(&req, upstream) {
        Action::Respond(raw) => raw,
        Action::Forward => fetch_bytes(upstream, &req.target, &req)?,
    };
    conn.write_all(&raw)?;
    conn.flush()
}
