//! A real registry for tests: Debian's `docker-registry` (CNCF distribution) on
//! 127.0.0.1, with optional htpasswd auth and TLS from a CA made in the test, and
//! `skopeo` to push test images into it.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// How the test registry is set up.
#[derive(Clone, Debug, Default)]
pub struct RegistryConfig {
    /// Serve HTTPS with a certificate from a CA generated for this registry.
    pub tls: bool,
    /// Require basic auth for this `(user, password)` (htpasswd, bcrypt).
    pub htpasswd: Option<(String, String)>,
    /// Require bearer tokens from a token server (started alongside) that gives them to
    /// this `(user, password)`, each living the given seconds.
    pub token: Option<(String, String, u64)>,
}

/// A running registry, stopped when dropped.
pub struct TestRegistry {
    child: Child,
    dir: tempfile::TempDir,
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// The CA certificate (PEM file) that signed the registry's certificate, with TLS.
    pub ca_cert: Option<PathBuf>,
    config: RegistryConfig,
    tokens: Option<crate::token::TokenServer>,
}

/// The registry binary, if installed.
pub fn registry_binary() -> Option<PathBuf> {
    ["/usr/bin/docker-registry", "/usr/sbin/docker-registry"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
}

impl TestRegistry {
    /// Starts a registry, or returns `None` (after saying why on stderr) when the
    /// `docker-registry` binary is not installed.
    pub fn start(config: RegistryConfig) -> io::Result<Option<TestRegistry>> {
        let Some(binary) = registry_binary() else {
            #[expect(clippy::print_stderr, reason = "a skipped test says why")]
            {
                eprintln!(
                    "skipping: `docker-registry` is not installed (apt-get install docker-registry)"
                );
            }
            return Ok(None);
        };
        let dir = tempfile::tempdir()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let host = format!("127.0.0.1:{port}");
        // The access log (on stdout) lets tests count the requests kensa made.
        let mut yaml = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: false\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: {host}\n",
            dir.path().join("data").display()
        );
        let mut ca_cert = None;
        if config.tls {
            let (ca_pem, cert_pem, key_pem) = certificates().map_err(io::Error::other)?;
            let ca = dir.path().join("ca.pem");
            fs_err::write(&ca, ca_pem)?;
            fs_err::write(dir.path().join("cert.pem"), cert_pem)?;
            fs_err::write(dir.path().join("key.pem"), key_pem)?;
            yaml.push_str(&format!(
                "  tls:\n    certificate: {}\n    key: {}\n",
                dir.path().join("cert.pem").display(),
                dir.path().join("key.pem").display()
            ));
            ca_cert = Some(ca);
        }
        if let Some((user, password)) = &config.htpasswd {
            let out = Command::new("htpasswd")
                .args(["-Bbn", user, password])
                .output()?;
            if !out.status.success() {
                return Err(io::Error::other("htpasswd failed"));
            }
            let file = dir.path().join("htpasswd");
            fs_err::write(&file, out.stdout)?;
            yaml.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: kensa-test\n    path: {}\n",
                file.display()
            ));
        }
        let mut tokens = None;
        if let Some((user, password, expires_in)) = &config.token {
            let server = crate::token::TokenServer::start(user, password, *expires_in)?;
            let bundle = dir.path().join("token-signer.pem");
            fs_err::write(&bundle, &server.cert_pem)?;
            yaml.push_str(&format!(
                "auth:\n  token:\n    realm: {}\n    service: {}\n    issuer: {}\n    rootcertbundle: {}\n",
                server.realm,
                crate::token::SERVICE,
                crate::token::ISSUER,
                bundle.display()
            ));
            tokens = Some(server);
        }
        let config_file = dir.path().join("config.yml");
        fs_err::write(&config_file, yaml)?;
        let log = fs_err::File::create(dir.path().join("access.log"))?;
        let child = Command::new(binary)
            .arg("serve")
            .arg(&config_file)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.into_file()))
            .stderr(Stdio::null())
            .spawn()?;
        let registry = TestRegistry {
            child,
            dir,
            host,
            ca_cert,
            config,
            tokens,
        };
        let deadline = Instant::now() + Duration::from_secs(15);
        while TcpStream::connect(&registry.host).is_err() {
            if Instant::now() > deadline {
                return Err(io::Error::other(
                    "the test registry did not start listening",
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Some(registry))
    }

    /// Pushes the single image (or index) of an OCI layout to `repo:tag` with skopeo.
    pub fn push_oci_layout(&self, layout: &Path, repo_tag: &str) -> io::Result<()> {
        let mut cmd = Command::new("skopeo");
        cmd.args(["copy", "--all", "--quiet", "--dest-tls-verify=false"])
            .arg(format!("oci:{}", layout.display()))
            .arg(format!("docker://{}/{repo_tag}", self.host));
        let creds = self.config.htpasswd.clone().or_else(|| {
            self.config
                .token
                .as_ref()
                .map(|(u, p, _)| (u.clone(), p.clone()))
        });
        if let Some((user, password)) = creds {
            cmd.arg(format!("--dest-creds={user}:{password}"));
        }
        let out = cmd.stdin(Stdio::null()).output()?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "skopeo copy failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        Ok(())
    }

    /// Writes `image` as an OCI layout in a temp dir and pushes it to `repo:tag`.
    pub fn push(&self, image: &crate::Image, repo_tag: &str) -> io::Result<crate::BuiltImage> {
        let dir = tempfile::tempdir()?;
        let layout = dir.path().join("oci");
        let built = image.write_oci_layout(&layout)?;
        self.push_oci_layout(&layout, repo_tag)?;
        Ok(built)
    }

    /// How many tokens the token server has issued.
    pub fn tokens_issued(&self) -> usize {
        self.tokens
            .as_ref()
            .map_or(0, |t| t.issued.load(std::sync::atomic::Ordering::SeqCst))
    }

    /// The request lines (`GET /v2/app/manifests/1.0`) the registry has answered so far,
    /// from its access log, oldest first.
    pub fn requests(&self) -> Vec<String> {
        let log = fs_err::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        log.lines()
            .filter_map(|line| {
                let start = line.find('"')? + 1;
                let rest = line.get(start..)?;
                let end = rest.find('"')?;
                let request = rest.get(..end)?;
                Some(
                    request
                        .rsplit_once(' ')
                        .map_or(request, |(r, _)| r)
                        .to_owned(),
                )
            })
            .filter(|r| r.contains(" /v2/"))
            .collect()
    }

    /// The registry's blob file for `digest` (`sha256:…`) on disk, to corrupt in tests.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap_or(digest);
        let prefix = hex.get(..2).unwrap_or(hex);
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(prefix)
            .join(hex)
            .join("data")
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A CA and a server certificate for 127.0.0.1/localhost, as PEM: `(ca, cert, key)`.
fn certificates() -> Result<(String, String, String), rcgen::Error> {
    let ca_key = KeyPair::generate()?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "kensa test CA");
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    params
        .distinguished_name
        .push(DnType::CommonName, "kensa test registry");
    let cert = params.signed_by(&key, &issuer)?;
    Ok((ca_cert.pem(), cert.pem(), key.serialize_pem()))
}

/// What [`FaultyProxy`] does with one of the first connections it accepts.
#[derive(Clone, Copy, Debug)]
pub enum Fault {
    /// Answer this status (with `Retry-After` seconds when given) and close.
    Status(u16, Option<u32>),
    /// Read the request and never answer.
    Stall,
}

/// A TCP proxy in front of a test registry that misbehaves on its first connections,
/// one [`Fault`] each, then forwards everything unchanged.
pub struct FaultyProxy {
    /// `127.0.0.1:PORT` to use in references instead of the registry's.
    pub host: String,
}

impl FaultyProxy {
    /// Starts the proxy; its thread lives as long as the test process.
    pub fn start(upstream: &str, faults: Vec<Fault>) -> io::Result<FaultyProxy> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let host = listener.local_addr()?.to_string();
        let upstream = upstream.to_owned();
        let faults = std::sync::Arc::new(std::sync::Mutex::new(
            faults
                .into_iter()
                .collect::<std::collections::VecDeque<_>>(),
        ));
        std::thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let fault = faults.lock().ok().and_then(|mut f| f.pop_front());
                let upstream = upstream.clone();
                std::thread::spawn(move || serve(conn, fault, &upstream));
            }
        });
        Ok(FaultyProxy { host })
    }
}

fn serve(mut client: TcpStream, fault: Option<Fault>, upstream: &str) {
    use std::io::{Read as _, Write as _};
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && head.len() < 64 * 1024 {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    match fault {
        Some(Fault::Status(status, retry_after)) => {
            let retry = retry_after
                .map(|s| format!("Retry-After: {s}\r\n"))
                .unwrap_or_default();
            let _ = write!(
                client,
                "HTTP/1.1 {status} Injected\r\nContent-Length: 0\r\n{retry}Connection: close\r\n\r\n"
            );
        }
        Some(Fault::Stall) => std::thread::sleep(Duration::from_secs(120)),
        None => {
            let Ok(mut server) = TcpStream::connect(upstream) else {
                return;
            };
            if server.write_all(&head).is_err() {
                return;
            }
            let (Ok(mut client_read), Ok(mut server_write)) =
                (client.try_clone(), server.try_clone())
            else {
                return;
            };
            std::thread::spawn(move || {
                let _ = io::copy(&mut client_read, &mut server_write);
                let _ = server_write.shutdown(std::net::Shutdown::Write);
            });
            let _ = io::copy(&mut server, &mut client);
        }
    }
}
