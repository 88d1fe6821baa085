//! Throughput of the secret scanner on secret-free text, single-threaded.
//!
//! Two corpora, each scanned repeatedly until about 200 MB have been scanned:
//! - ~16 MiB of generated source code, configuration files, manifests and logs (files
//!   of 1 to 64 KiB, as a layer would hold them), dense with the words the rules look
//!   for (`password`, `secret`, `api-key`, URLs): the harder case;
//! - up to 64 MiB of the text files this machine ships (C headers, Python and Perl
//!   sources; `KENSA_BENCH_TEXT` overrides the `:`-separated directories).
//!
//! Run with `cargo bench -p kensa-secret --bench throughput`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use kensa_secret::{SecretConfig, SecretScanner};

const TARGET_BYTES: usize = 200_000_000;
const CORPUS_BYTES: usize = 16 * 1024 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.get(self.below(items.len())).copied().unwrap_or("")
    }
    fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.below(16)]))
            .collect()
    }
}

const WORDS: &[&str] = &[
    "request", "user", "order", "item", "cache", "config", "handler", "session", "token", "parse",
    "value", "index", "buffer", "stream", "client", "server", "secret", "password", "account",
    "payment", "invoice", "report", "metrics", "layer", "image", "digest", "key", "retry",
    "timeout", "queue", "worker", "schedule", "region", "asia", "europe", "bucket",
];
const HOSTS: &[&str] = &[
    "api.acme.io",
    "shop.acme.io",
    "cdn.jsdelivr.net",
    "registry.npmjs.org",
    "github.com",
    "pypi.org",
    "docs.rs",
    "storage.googleapis.com",
];

fn ident(r: &mut Rng) -> String {
    format!("{}_{}", r.pick(WORDS), r.pick(WORDS))
}

fn rust_file(r: &mut Rng, out: &mut String) {
    for _ in 0..40 {
        let f = ident(r);
        let _ = writeln!(
            out,
            "/// Returns the {} for the given {}.",
            r.pick(WORDS),
            r.pick(WORDS)
        );
        let _ = writeln!(
            out,
            "pub fn {f}(input: &str, {}: usize) -> Result<String, Error> {{",
            r.pick(WORDS)
        );
        let _ = writeln!(
            out,
            "    let {} = input.split(':').nth({}).ok_or(Error::Missing)?;",
            ident(r),
            r.below(5)
        );
        let _ = writeln!(
            out,
            "    if {}.len() > {} {{ return Err(Error::TooLong); }}",
            ident(r),
            r.below(4096)
        );
        let _ = writeln!(
            out,
            "    let password_hash = hash_password(&{}, &self.salt)?;",
            ident(r)
        );
        let _ = writeln!(
            out,
            "    tracing::debug!(\"{} {} took {{}} ms\", elapsed.as_millis());",
            r.pick(WORDS),
            r.pick(WORDS)
        );
        let _ = writeln!(
            out,
            "    Ok(format!(\"https://{}/v1/{}/{{}}\", {}))",
            r.pick(HOSTS),
            r.pick(WORDS),
            ident(r)
        );
        out.push_str("}\n\n");
    }
}

fn python_file(r: &mut Rng, out: &mut String) {
    out.push_str("import os\nimport logging\nfrom dataclasses import dataclass\n\nlog = logging.getLogger(__name__)\n\n");
    for _ in 0..40 {
        let _ = writeln!(
            out,
            "class {}{}:",
            r.pick(WORDS).to_uppercase(),
            r.below(100)
        );
        let _ = writeln!(
            out,
            "    \"\"\"Keeps the {} of a {}.\"\"\"",
            r.pick(WORDS),
            r.pick(WORDS)
        );
        let _ = writeln!(
            out,
            "    def __init__(self, {}, timeout={}):",
            ident(r),
            r.below(60)
        );
        let _ = writeln!(
            out,
            "        self.secret_key = os.environ.get(\"{}\")",
            ident(r).to_uppercase()
        );
        let _ = writeln!(
            out,
            "        self.url = f\"https://{}/api/{{self.{}}}\"",
            r.pick(HOSTS),
            ident(r)
        );
        let _ = writeln!(
            out,
            "        log.info(\"loaded %s items from %s\", {}, self.url)",
            r.below(1000)
        );
        let _ = writeln!(
            out,
            "        self.password = None  # set by the vault client at start-up\n"
        );
    }
}

fn js_file(r: &mut Rng, out: &mut String) {
    for _ in 0..50 {
        let _ = writeln!(out, "export async function {}(req, res) {{", ident(r));
        let _ = writeln!(
            out,
            "  const apiKey = process.env.{};",
            ident(r).to_uppercase()
        );
        let _ = writeln!(
            out,
            "  const resp = await fetch(`https://{}/v2/${{req.params.id}}`, {{ headers: {{ 'x-api-key': apiKey }} }});",
            r.pick(HOSTS)
        );
        let _ = writeln!(
            out,
            "  if (!resp.ok) throw new Error(`{} failed: ${{resp.status}}`);",
            r.pick(WORDS)
        );
        let _ = writeln!(
            out,
            "  const msg = {{ id: '{}', count: {} }};",
            r.hex(12),
            r.below(999)
        );
        out.push_str("  return res.json(msg);\n}\n\n");
    }
}

fn yaml_file(r: &mut Rng, out: &mut String) {
    for _ in 0..30 {
        let name = ident(r).replace('_', "-");
        let _ = writeln!(
            out,
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app: {name}\nspec:\n  replicas: {}",
            r.below(5) + 1
        );
        let _ = writeln!(
            out,
            "  template:\n    spec:\n      containers:\n        - name: {name}\n          image: ghcr.io/acme/{name}@sha256:{}",
            r.hex(64)
        );
        let _ = writeln!(
            out,
            "          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {name}-db\n                  key: password"
        );
        let _ = writeln!(
            out,
            "          resources:\n            limits:\n              memory: {}Mi\n---",
            64 * (r.below(16) + 1)
        );
    }
}

fn ini_file(r: &mut Rng, out: &mut String) {
    for _ in 0..40 {
        let _ = writeln!(
            out,
            "[{}]\nhost = {}\nport = {}",
            r.pick(WORDS),
            r.pick(HOSTS),
            1024 + r.below(60000)
        );
        let _ = writeln!(
            out,
            "user = {}\npassword = ${{{}}}\ntimeout = {}s",
            r.pick(WORDS),
            ident(r).to_uppercase(),
            r.below(120)
        );
        let _ = writeln!(
            out,
            "region = {}\nlog_level = info\n",
            r.pick(&["eu-west-1", "us-east-1", "ap-southeast-1"])
        );
    }
}

fn access_log(r: &mut Rng, out: &mut String) {
    for _ in 0..300 {
        let _ = writeln!(
            out,
            "10.{}.{}.{} - - [23/Nov/2026:10:{:02}:{:02} +0000] \"GET /api/v1/{}?page={} HTTP/1.1\" {} {} \"https://{}/\" \"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\"",
            r.below(255),
            r.below(255),
            r.below(255),
            r.below(60),
            r.below(60),
            r.pick(WORDS),
            r.below(50),
            r.pick(&["200", "200", "304", "404", "500"]),
            r.below(90000),
            r.pick(HOSTS)
        );
    }
}

fn json_log(r: &mut Rng, out: &mut String) {
    for _ in 0..250 {
        let _ = writeln!(
            out,
            "{{\"ts\":\"2026-11-23T10:{:02}:{:02}.{:03}Z\",\"level\":\"{}\",\"msg\":\"{} {} done\",\"trace_id\":\"{}\",\"duration_ms\":{},\"tz\":\"Asia/Tokyo\"}}",
            r.below(60),
            r.below(60),
            r.below(1000),
            r.pick(&["info", "debug", "warn"]),
            r.pick(WORDS),
            r.pick(WORDS),
            r.hex(32),
            r.below(900)
        );
    }
}

fn prose(r: &mut Rng, out: &mut String) {
    for _ in 0..200 {
        for _ in 0..12 {
            out.push_str(r.pick(WORDS));
            out.push(' ');
        }
        out.push_str("and the rest of the sentence explains how the key was rotated.\n");
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut files = Vec::new();
    let mut total = 0;
    let makers: &[fn(&mut Rng, &mut String)] = &[
        rust_file,
        python_file,
        js_file,
        yaml_file,
        ini_file,
        access_log,
        json_log,
        prose,
    ];
    while total < CORPUS_BYTES {
        let mut text = String::new();
        let limit = 1024 << r.below(7);
        while text.len() < limit {
            if let Some(make) = makers.get(r.below(makers.len())) {
                make(&mut r, &mut text);
            }
        }
        total += text.len();
        files.push(text.into_bytes());
    }
    files
}

/// Nanoseconds this thread has run on a CPU (Linux `schedstat`), if available.
fn thread_cpu_ns() -> Option<u64> {
    let stat = fs_err::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Text files under `dirs` (each at most 1 MiB, binaries skipped), up to `limit` bytes
/// in all, in a stable order.
fn system_text(dirs: &[&str], limit: usize) -> Vec<(String, Vec<u8>)> {
    let mut paths = Vec::new();
    let mut stack: Vec<std::path::PathBuf> = dirs.iter().map(Into::into).collect();
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs_err::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(fs_err::DirEntry::path);
        for entry in entries {
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push(entry.path()),
                Ok(t) if t.is_file() => paths.push(entry.path()),
                _ => {}
            }
        }
    }
    let mut files = Vec::new();
    let mut total = 0;
    for path in paths {
        if total >= limit {
            break;
        }
        let Ok(bytes) = fs_err::read(&path) else {
            continue;
        };
        if bytes.len() > 1 << 20 || kensa_secret::is_binary(&bytes) {
            continue;
        }
        total += bytes.len();
        files.push((path.display().to_string(), bytes));
    }
    files
}

/// Scans `files` until about `TARGET_BYTES` (or `KENSA_BENCH_BYTES`) have been scanned
/// and prints the rate.
#[expect(
    clippy::print_stdout,
    reason = "a benchmark reports its result on stdout"
)]
fn measure(name: &str, scanner: &SecretScanner, files: &[(String, Vec<u8>)]) {
    let corpus_len: usize = files.iter().map(|(_, f)| f.len()).sum();
    if corpus_len == 0 {
        println!("{name}: no files, skipped");
        return;
    }

    // One warm-up pass, which also shows which findings the corpus holds.
    let mut findings = Vec::new();
    for (path, f) in files {
        findings.extend(scanner.scan(path, f));
    }

    let start = Instant::now();
    let cpu_start = thread_cpu_ns();
    let mut scanned = 0usize;
    let mut count = 0usize;
    let target = std::env::var("KENSA_BENCH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(TARGET_BYTES);
    while scanned < target {
        for (path, f) in files {
            count += black_box(scanner.scan(path, black_box(f))).len();
            scanned += f.len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    // On a shared machine wall time undercounts a core; the thread's own CPU time is
    // what "per core" means.
    let cpu = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => format!(
            ", {:.0} MB/s per core by thread CPU time",
            scanned as f64 / 1e6 / ((b - a) as f64 / 1e9)
        ),
        _ => String::new(),
    };
    let mb = scanned as f64 / 1e6;
    println!(
        "{name}: {mb:.0} MB in {secs:.2} s = {:.0} MB/s wall, single-threaded{cpu} ({} files, {:.1} MB distinct corpus, {} findings per pass)",
        mb / secs,
        files.len(),
        corpus_len as f64 / 1e6,
        findings.len()
    );
    for f in findings.iter().take(5) {
        println!(
            "  finding: {} {} {:?}",
            f.id,
            f.location.path.as_deref().unwrap_or(""),
            f.message
        );
    }
    let _ = count;
}

fn main() {
    let scanner = SecretScanner::new(&SecretConfig::default()).expect("built-in rules compile");
    let generated: Vec<(String, Vec<u8>)> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, f)| (format!("app/file{i}.txt"), f))
        .collect();
    measure(
        "kensa-secret throughput, generated code/config/logs (keyword-dense)",
        &scanner,
        &generated,
    );
    // Real text this machine ships (C headers, Python and Perl sources): what a layer
    // of an application image holds. Override with KENSA_BENCH_TEXT (`:`-separated).
    let dirs = std::env::var("KENSA_BENCH_TEXT")
        .unwrap_or_else(|_| "/usr/include:/usr/lib/python3.11:/usr/share/perl".to_owned());
    let dirs: Vec<&str> = dirs.split(':').filter(|d| !d.is_empty()).collect();
    measure(
        &format!(
            "kensa-secret throughput, system text from {}",
            dirs.join(", ")
        ),
        &scanner,
        &system_text(&dirs, 64 << 20),
    );
}
