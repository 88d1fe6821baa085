//! Checks 10,000 generated Kubernetes documents (about 20 MB of YAML, one multi-document
//! file, as `helm template` prints it) and reports the time to parse, to check and in
//! total. Run with `cargo bench -p kensa-manifest --bench check`; with
//! `KENSA_BENCH_WRITE=FILE` the corpus is also written there, `KENSA_BENCH_RUNS=N` sets
//! the runs (3) and `KENSA_BENCH_ONLY=1` leaves out the raw-event and tree timings, so
//! that `valgrind --tool=callgrind` counts one read-and-check.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use kensa_manifest::{Context, Input, check, read_manifests};

// As in the `kensa` binary: glibc's malloc was a fifth of the instructions here.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const DOCUMENTS: usize = 10_000;

/// One Deployment of about 2 KB: labels, annotations, a sidecar, env, probes,
/// resources and volumes, varied by `i` so no two are alike.
fn deployment(out: &mut String, i: usize) {
    let hardened = i.is_multiple_of(3);
    let _ = write!(
        out,
        "---
# Source: shop/templates/deployment-{i}.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: svc-{i:05}
  namespace: team-{ns}
  labels:
    app.kubernetes.io/name: svc-{i:05}
    app.kubernetes.io/instance: release-{ns}
    app.kubernetes.io/version: \"1.{minor}.{i}\"
    helm.sh/chart: shop-0.{minor}.0
spec:
  replicas: {replicas}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: svc-{i:05}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: svc-{i:05}
        app.kubernetes.io/instance: release-{ns}
      annotations:
        checksum/config: 3f2a9c41e07b{i:08x}
    spec:
      serviceAccountName: svc-{i:05}
      automountServiceAccountToken: {hardened}
      securityContext:
        runAsNonRoot: {hardened}
        fsGroup: 10001
      containers:
        - name: app
          image: \"registry.example/team-{ns}/svc-{i:05}:1.{minor}.{i}\"
          imagePullPolicy: IfNotPresent
          ports:
            - {{name: http, containerPort: 8080, protocol: TCP}}
          env:
            - {{name: LOG_LEVEL, value: info}}
            - {{name: SERVICE_NAME, value: svc-{i:05}}}
            - {{name: OTEL_EXPORTER_OTLP_ENDPOINT, value: \"http://otel-collector.observability:4317\"}}
            - name: DB_PASSWORD
              valueFrom:
                secretKeyRef: {{name: svc-{i:05}-db, key: password}}
          livenessProbe:
            httpGet: {{path: /healthz, port: http}}
            initialDelaySeconds: 10
            periodSeconds: 10
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 512Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: {hardened}
            capabilities:
              drop: [ALL]
          volumeMounts:
            - {{name: tmp, mountPath: /tmp}}
            - {{name: config, mountPath: /etc/app, readOnly: true}}
        - name: proxy
          image: registry.example/platform/envoy:1.29.{minor}
          args: [\"--config-path\", \"/etc/envoy/envoy.yaml\", \"--log-level\", \"warn\"]
          ports:
            - {{name: proxy, containerPort: 15001}}
          resources:
            limits: {{cpu: 200m, memory: 128Mi}}
      volumes:
        - name: tmp
          emptyDir: {{medium: Memory, sizeLimit: 64Mi}}
        - name: config
          configMap: {{name: svc-{i:05}-config}}
",
        ns = i % 40,
        minor = i % 17,
        replicas = i % 4 + 2,
    );
}

fn main() {
    let mut text = String::with_capacity(DOCUMENTS * 2600);
    for i in 0..DOCUMENTS {
        deployment(&mut text, i);
    }
    if let Some(path) = std::env::var_os("KENSA_BENCH_WRITE") {
        let _ = fs_err::write(path, &text);
    }
    let scanner = kensa_secret::default_scanner().ok();
    let inputs = [Input::new("rendered.yaml", text.as_str())];
    let only = std::env::var_os("KENSA_BENCH_ONLY").is_some();
    let runs: usize = std::env::var("KENSA_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    if !only {
        raw_and_tree(&text);
    }
    let mut best = f64::MAX;
    for run in 0..runs {
        let started = Instant::now();
        let m = read_manifests(&inputs).expect("the corpus parses");
        let parsed = started.elapsed();
        let outcome = check(
            &m,
            &Context {
                secrets: scanner.map(|s| s as &dyn kensa_core::TextScanner),
                partial: false,
                images: &[],
            },
        );
        let total = started.elapsed();
        black_box(&outcome);
        println!(
            "run {run}: {docs} documents, {mb:.1} MB: parse {p:.0} ms, check {c:.0} ms, total {t:.0} ms ({f} findings)",
            docs = m.documents,
            mb = text.len() as f64 / 1e6,
            p = parsed.as_secs_f64() * 1e3,
            c = (total - parsed).as_secs_f64() * 1e3,
            t = total.as_secs_f64() * 1e3,
            f = outcome.findings.len(),
        );
        best = best.min(total.as_secs_f64());
    }
    println!("best: {:.0} ms", best * 1e3);
}

/// The time of the parser's events alone and of the node tree, for comparison.
fn raw_and_tree(text: &str) {
    let started = Instant::now();
    let mut events = 0usize;
    for e in serde_saphyr::granit_parser::Parser::new_from_str(text) {
        e.expect("parses");
        events += 1;
    }
    println!(
        "raw events: {events} in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let started = Instant::now();
    let docs = kensa_manifest::yaml::parse_documents(text).expect("parses");
    println!(
        "tree only: {} documents in {:.0} ms",
        docs.len(),
        started.elapsed().as_secs_f64() * 1e3
    );
    drop(docs);
}
