//! Lints 1,000 generated, varied, realistic Dockerfiles in one process and reports the
//! time and files per second. Run with `cargo bench -p kensa-dockerfile --bench lint`;
//! with `KENSA_BENCH_WRITE_DIR=DIR` it also writes the corpus there (`svc-NNNN/Dockerfile`).

use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Instant;

use kensa_dockerfile::{LintConfig, lint};

/// A tiny deterministic generator, so every run lints the same corpus.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(self.0 >> 33).unwrap_or(0)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = self.next() % items.len().max(1);
        items.get(n).copied().unwrap_or_default()
    }
}

const DEBIAN_PKGS: &[&str] = &[
    "curl",
    "ca-certificates",
    "git=1:2.39.2-1.1",
    "libpq-dev",
    "build-essential",
    "unzip",
    "jq=1.6-2.1",
    "openssh-client",
    "gnupg",
    "tzdata",
    "locales",
    "python3=3.11.2-1+b1",
    "netcat-openbsd",
];
const ALPINE_PKGS: &[&str] = &[
    "curl",
    "bash=5.2.21-r0",
    "tini",
    "git",
    "openssl~3.1",
    "gcc",
    "musl-dev",
    "tzdata",
];
const PIP_PKGS: &[&str] = &[
    "flask==3.0.2",
    "gunicorn",
    "requests>=2.31",
    "psycopg[binary]",
    "uvicorn==0.29.0",
];

fn dockerfile(rng: &mut Lcg, i: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# syntax=docker/dockerfile:1.{}", rng.next() % 8);
    let _ = writeln!(s, "# Generated service {i}");
    let multistage = !rng.next().is_multiple_of(3);
    let alpine = rng.next().is_multiple_of(2);
    let _ = writeln!(s, "ARG VERSION=1.{}.{}", rng.next() % 20, rng.next() % 10);
    if multistage {
        let go = rng.next().is_multiple_of(2);
        if go {
            let _ = writeln!(
                s,
                "FROM --platform=$BUILDPLATFORM golang:1.22-bookworm AS build"
            );
            let _ = writeln!(s, "WORKDIR /src");
            let _ = writeln!(s, "COPY go.mod go.sum ./");
            let _ = writeln!(
                s,
                "RUN --mount=type=cache,target=/root/go/pkg/mod \\\n    go mod download"
            );
            let _ = writeln!(s, "COPY . .");
            let _ = writeln!(
                s,
                "RUN <<EOF\nset -eux\nCGO_ENABLED=0 go build -ldflags \"-X main.version=${{VERSION}}\" -o /out/app ./cmd/app\nEOF"
            );
        } else {
            let _ = writeln!(s, "FROM node:20.11-bookworm AS build");
            let _ = writeln!(s, "WORKDIR /app");
            let _ = writeln!(s, "COPY package.json package-lock.json ./");
            let _ = writeln!(
                s,
                "RUN npm ci && npm install -g {}",
                rng.pick(&["typescript", "typescript@5.4.2", "esbuild@0.20"])
            );
            let _ = writeln!(
                s,
                "COPY . .\nRUN npm run build && mkdir -p /out && cp -r dist /out/app"
            );
        }
    }
    if alpine {
        let _ = writeln!(
            s,
            "FROM alpine:{}",
            rng.pick(&[
                "3.19",
                "latest",
                "3.18@sha256:48d9183eb12a05c99bcc0bf44a003607b8e941e1d4f41f9ad12bdcc4b5672f86"
            ])
        );
        let pkgs: Vec<&str> = (0..3 + rng.next() % 4)
            .map(|_| rng.pick(ALPINE_PKGS))
            .collect();
        let _ = writeln!(
            s,
            "RUN apk {} add \\\n    # runtime dependencies\n    {}",
            rng.pick(&["--no-cache", "--update", ""]),
            pkgs.join(" \\\n    ")
        );
    } else {
        let _ = writeln!(
            s,
            "FROM {}",
            rng.pick(&[
                "debian:12-slim",
                "ubuntu:22.04",
                "python:3.12-slim",
                "debian"
            ])
        );
        let pkgs: Vec<&str> = (0..3 + rng.next() % 6)
            .map(|_| rng.pick(DEBIAN_PKGS))
            .collect();
        let _ = writeln!(
            s,
            "RUN apt-get update \\\n && apt-get install -y {}\\\n    {} \\\n && rm -rf /var/lib/apt/lists/*",
            rng.pick(&["--no-install-recommends ", ""]),
            pkgs.join(" \\\n    ")
        );
        if rng.next().is_multiple_of(2) {
            let pkgs: Vec<&str> = (0..2).map(|_| rng.pick(PIP_PKGS)).collect();
            let _ = writeln!(
                s,
                "RUN pip install {}{}",
                rng.pick(&["--no-cache-dir ", ""]),
                pkgs.join(" ")
            );
        }
    }
    let _ = writeln!(
        s,
        "ENV APP_HOME=/srv/app \\\n    PORT={} \\\n    LOG_LEVEL=${{LOG_LEVEL:-info}}",
        8000 + rng.next() % 1000
    );
    if rng.next().is_multiple_of(5) {
        let _ = writeln!(s, "ENV DATABASE_PASSWORD=changeme{i}");
    }
    let _ = writeln!(s, "WORKDIR ${{APP_HOME}}");
    if multistage {
        let _ = writeln!(s, "COPY --from=build /out/app /usr/local/bin/app");
    } else {
        let _ = writeln!(s, "ADD . $APP_HOME");
    }
    if rng.next().is_multiple_of(3) {
        let _ = writeln!(s, "RUN curl -fsSL https://example.com/install.sh | sh");
    }
    let _ = writeln!(
        s,
        "LABEL org.opencontainers.image.version=\"${{VERSION}}\" \\\n      org.opencontainers.image.source=\"https://git.example.com/svc-{i}\""
    );
    let _ = writeln!(s, "EXPOSE $PORT");
    let _ = writeln!(
        s,
        "HEALTHCHECK --interval=30s --timeout=3s CMD [\"/usr/local/bin/app\", \"health\"]"
    );
    if rng.next().is_multiple_of(2) {
        let _ = writeln!(s, "RUN addgroup -S app && adduser -S -G app app\nUSER app");
    }
    let _ = writeln!(
        s,
        "{}",
        rng.pick(&[
            "ENTRYPOINT [\"/usr/local/bin/app\"]",
            "CMD app serve --port $PORT"
        ])
    );
    s
}

fn main() {
    let mut rng = Lcg(0x006b_656e_7361);
    let files: Vec<String> = (0..1000).map(|i| dockerfile(&mut rng, i)).collect();
    // bench/hadolint.sh lints the same corpus with hadolint and kensa side by side.
    if let Some(dir) = std::env::var_os("KENSA_BENCH_WRITE_DIR") {
        for (i, f) in files.iter().enumerate() {
            let path = std::path::Path::new(&dir).join(format!("svc-{i:04}"));
            fs_err::create_dir_all(&path).expect("corpus directory");
            fs_err::write(path.join("Dockerfile"), f).expect("corpus file");
        }
    }
    let bytes: usize = files.iter().map(String::len).sum();
    let config = LintConfig::default();

    let start = Instant::now();
    let mut findings = 0usize;
    let mut errors = 0usize;
    for (i, f) in files.iter().enumerate() {
        match lint(&format!("svc-{i}/Dockerfile"), black_box(f), &config) {
            Ok(v) => findings += v.len(),
            Err(_) => errors += 1,
        }
    }
    let elapsed = start.elapsed();
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        files.len() as f64 / secs
    } else {
        f64::INFINITY
    };
    let _ = writeln!(
        std::io::stdout(),
        "linted {} Dockerfiles ({} KiB) in {:.1} ms: {:.0} files/s, {} findings, {} parse errors",
        files.len(),
        bytes / 1024,
        secs * 1000.0,
        rate,
        findings,
        errors
    );
    assert_eq!(errors, 0, "the generated corpus must parse");
}
