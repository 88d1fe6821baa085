//! `lint` end to end: realistic Dockerfiles, pragmas and configuration.
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_core::{Finding, Scanner, Section, Severity};
use kensa_dockerfile::{LintConfig, lint};

const NODE_APP: &str = r#"# syntax=docker/dockerfile:1.7
FROM node:latest
MAINTAINER dev@example.com
ENV NODE_ENV=production API_TOKEN=s3cr3t-value-123
WORKDIR app
RUN apt-get update && apt-get install curl wget
RUN curl -fsSL https://deb.nodesource.com/setup_20.x | bash -
COPY package.json yarn.lock ./
RUN yarn install --frozen-lockfile
RUN npm install -g pm2
ADD src /app/src
EXPOSE 3000
CMD node server.js
"#;

const GO_MULTISTAGE: &str = r#"# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
RUN --mount=type=cache,target=/root/go/pkg/mod \
    --mount=type=bind,source=go.mod,target=go.mod \
    go mod download -x
COPY . .
# hadolint ignore=DL3062
RUN go install github.com/a-h/templ/cmd/templ@latest
RUN <<EOF
set -eux
cd /src
CGO_ENABLED=0 go build -o /out/app ./cmd/app
EOF

FROM gcr.io/distroless/static-debian12@sha256:6ceafbc2a9c566d66448fb1d5381dede2b29200d1916e03f5238a1c437e7d9ea
COPY --from=build /out/app /app
COPY --from=builder /etc/ssl/certs /etc/ssl/certs
USER nonroot:nonroot
ENTRYPOINT ["/app"]
"#;

fn brief(findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|f| {
            format!(
                "{}:{} {} {} {}",
                f.location.line.unwrap_or(0),
                f.id,
                f.severity,
                f.title,
                f.message.as_deref().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn node_app_findings() {
    let findings = lint("app/Dockerfile", NODE_APP, &LintConfig::default()).unwrap();
    insta::assert_snapshot!("node_app", brief(&findings).join("\n"));
    let secret = findings.iter().find(|f| f.id == "KS-DF-004").unwrap();
    assert_eq!(secret.section, Section::EmbeddedClearTextSecrets);
    assert!(!secret.message.as_deref().unwrap_or("").contains("s3cr3t"));
}

#[test]
fn go_multistage_findings() {
    let findings = lint("Dockerfile", GO_MULTISTAGE, &LintConfig::default()).unwrap();
    insta::assert_snapshot!("go_multistage", brief(&findings).join("\n"));
}

#[test]
fn finding_shape() {
    let findings = lint(
        "Dockerfile",
        "FROM debian\nUSER app\n",
        &LintConfig::default(),
    )
    .unwrap();
    insta::assert_json_snapshot!("finding_shape", findings);
    let f = &findings[0];
    assert_eq!(f.scanner, Scanner::Config);
    assert_eq!(f.location.path.as_deref(), Some("Dockerfile"));
}

fn ids(src: &str, cfg: &LintConfig) -> Vec<String> {
    lint("Dockerfile", src, cfg)
        .unwrap()
        .into_iter()
        .map(|f| format!("{}:{}", f.location.line.unwrap_or(0), f.id))
        .collect()
}

#[test]
fn inline_pragmas_apply_to_the_next_instruction_only() {
    let src = "FROM debian:12@sha256:6ceafbc2a9c566d66448fb1d5381dede2b29200d1916e03f5238a1c437e7d9ea\n# hadolint ignore=DL3008, DL3015\n# kensa ignore=DL3009\nRUN apt-get update && apt-get install -y curl\nRUN apt-get install -y git\nUSER 10001\n";
    assert_eq!(
        ids(src, &LintConfig::default()),
        vec!["5:DL3008", "5:DL3015"]
    );
}

#[test]
fn pragma_separated_by_blank_line_does_not_apply() {
    let src = "FROM debian:12@sha256:6ceafbc2a9c566d66448fb1d5381dede2b29200d1916e03f5238a1c437e7d9ea\n# hadolint ignore=DL3003\n\nRUN cd /tmp\nUSER 10001\n";
    assert_eq!(ids(src, &LintConfig::default()), vec!["4:DL3003"]);
}

#[test]
fn global_pragma_and_config_ignores() {
    let src = "# hadolint global ignore=DL3006\nFROM debian\nRUN cd /tmp\nWORKDIR app\n";
    let cfg = LintConfig {
        ignored: vec!["KS-DF-001".into(), "KS-DF-002".into()],
        ..LintConfig::default()
    };
    assert_eq!(ids(src, &cfg), vec!["3:DL3003", "4:DL3000"]);
}

#[test]
fn hadolint_yaml_overrides_severity_and_trusts_registries() {
    let cfg = LintConfig::from_hadolint_yaml(
        "ignored: [KS-DF-001, KS-DF-002]\noverride:\n  info:\n    - DL3000\ntrustedRegistries:\n  - docker.io\n",
    )
    .unwrap();
    let findings = lint("Dockerfile", "FROM quay.io/a/b:1\nWORKDIR app\n", &cfg).unwrap();
    let got: Vec<(String, Severity)> = findings
        .iter()
        .map(|f| (f.id.clone(), f.severity))
        .collect();
    assert_eq!(
        got,
        vec![
            ("DL3026".to_owned(), Severity::High),
            ("DL3000".to_owned(), Severity::Low)
        ]
    );
}

#[test]
fn parse_errors_are_returned() {
    let err = lint(
        "Dockerfile",
        "FROM x:1\nRUN <<EOF\nno end\n",
        &LintConfig::default(),
    )
    .unwrap_err();
    assert_eq!((err.line, err.column), (2, 5));
}

#[test]
fn hadolint_ignores_of_dl3064_silence_ks_df_004() {
    let src = "FROM debian:12@sha256:6ceafbc2a9c566d66448fb1d5381dede2b29200d1916e03f5238a1c437e7d9ea\nENV DB_PASSWORD=Tr0ub4dor3x\n# hadolint ignore=DL3064\nENV API_TOKEN=Zq7RkP2mXv9LtW4nB8sC\nUSER 10001\n";
    assert_eq!(ids(src, &LintConfig::default()), vec!["2:KS-DF-004"]);
    let cfg = LintConfig {
        ignored: vec!["DL3064".to_owned()],
        ..LintConfig::default()
    };
    assert!(ids(src, &cfg).is_empty());
}

/// Issue 15: an `ONBUILD RUN` trigger runs in every image built on this one, so each
/// rule about a RUN judges the trigger as it judges the RUN itself.
#[test]
fn issue_15_onbuild_triggers_are_linted_as_the_runs_they_hold() {
    const CASES: &[(&str, &str)] = &[
        ("DL3004", "sudo make install"),
        ("DL3008", "apt-get install -y --no-install-recommends curl"),
        (
            "DL3009",
            "apt-get update && apt-get install -y --no-install-recommends curl=8.5.0-2",
        ),
        ("DL3013", "pip install --no-cache-dir flask"),
        ("DL3016", "npm install express"),
        ("DL3018", "apk add --no-cache curl"),
        ("DL3019", "apk add curl=8.5.0-r0"),
        ("DL3028", "gem install rails"),
        ("DL3033", "yum install -y httpd && yum clean all"),
        ("DL3036", "zypper install -y nginx=1.24"),
        ("DL3040", "dnf install -y nginx-1.24.0"),
        ("DL3041", "dnf install -y nginx && dnf clean all"),
        ("DL3042", "pip install flask==3.0.0"),
        ("DL3060", "yarn install --frozen-lockfile"),
        ("DL4005", "ln -sf /bin/bash /bin/sh"),
    ];
    let cfg = LintConfig::default();
    for (id, script) in CASES {
        for prefix in ["RUN", "ONBUILD RUN"] {
            let src = format!("FROM debian:12\n{prefix} {script}\n");
            let found = ids(&src, &cfg);
            assert!(found.contains(&format!("2:{id}")), "{src}: {found:?}");
        }
    }
}
