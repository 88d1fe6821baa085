use std::collections::BTreeSet;

use kensa_core::{Finding, Location, Scanner, Section, Severity, TextScanner};
use kensa_secret::{default_scanner, mask};

use crate::history::parse;
use crate::{ConfigRule, ImageContext, RuleMeta};

/// Credentials in `Env`, `Labels` or the build history (`ENV`, `ARG` and the build
/// arguments a `RUN` recorded).
pub struct SecretsInConfig;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-005",
    title: "Secret in image config or build history",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"`ENV` and `LABEL` values are stored in the image config, and the values of
`ARG`s that a `RUN` used are recorded in its history: anyone who can pull the image can
read them with `docker inspect` or `docker history`, whatever later layers do. CIS
Docker Benchmark 4.10; Dockle CIS-DI-0010."#,
    fix: r#"Treat the credential as leaked and rotate it. Pass build-time secrets with
`RUN --mount=type=secret,id=…` (BuildKit) instead of `ARG`/`ENV`, and inject run-time
secrets from the orchestrator (Kubernetes Secrets, ECS `secrets`, Docker secrets) or a
`*_FILE` variable that points to a mounted file."#,
    links: &[],
};

impl ConfigRule for SecretsInConfig {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    /// A secrets-only scan (`--scanners secret`) must not miss what the config holds.
    fn scanners(&self) -> &'static [Scanner] {
        &[Scanner::Config, Scanner::Secret]
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        // Without the secret rules, the check still runs on variable names; the secret
        // crate's own tests guard against its table not compiling.
        let scanner = image
            .secrets
            .or_else(|| default_scanner().ok().map(|s| s as &dyn TextScanner));
        let config = &image.config.config;
        let mut env_seen = BTreeSet::new();
        for entry in config.env.iter().flatten() {
            let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
            env_seen.insert((name, value));
            let what = format!("Env `{name}`");
            let loc = Location::path("config:Env");
            report(scanner, &what, entry, &[(name, value)], loc, out);
        }
        for (key, value) in config.labels.iter().flatten() {
            let text = format!("{key}={value}");
            let what = format!("label `{key}`");
            let loc = Location::path("config:Labels");
            report(scanner, &what, &text, &[(key, value)], loc, out);
        }
        for (i, h) in image.config.history.iter().enumerate() {
            let Some(created_by) = h.created_by.as_deref() else {
                continue;
            };
            let step = parse(created_by);
            let mut pairs = step.build_args.clone();
            if matches!(step.keyword.as_str(), "ENV" | "ARG") {
                pairs.extend(assignments(step.args));
            }
            // An ENV step whose value is still in `Env` is reported once, under Env.
            pairs.retain(|p| step.keyword != "ENV" || !env_seen.contains(p));
            if pairs.is_empty() && step.keyword == "ENV" {
                continue;
            }
            // The history text holds the secret, so the location leaves it out.
            let mut loc = image.history_location(i);
            loc.created_by = None;
            let what = format!("history entry {i} ({})", step.keyword);
            report(scanner, &what, created_by, &pairs, loc, out);
        }
    }
}

/// `created_by` with the values of secret-looking build arguments, `ARG`s and `ENV`s
/// masked, for findings of other rules that show the build step.
pub fn redact(created_by: &str) -> String {
    let step = parse(created_by);
    let mut pairs = step.build_args.clone();
    if matches!(step.keyword.as_str(), "ENV" | "ARG") {
        pairs.extend(assignments(step.args));
    }
    let mut out = created_by.to_owned();
    for (name, value) in pairs {
        if secret_name(name) && literal_value(value) {
            out = out.replace(value, &mask(value));
        }
    }
    out
}

/// Reports what the secret rules find in `text`; when they find nothing, reports the
/// `pairs` whose name says they hold a credential and whose value is a literal.
fn report(
    scanner: Option<&dyn TextScanner>,
    what: &str,
    text: &str,
    pairs: &[(&str, &str)],
    location: Location,
    out: &mut Vec<Finding>,
) {
    let hits = scanner
        .map(|s| s.scan_text("config", text))
        .unwrap_or_default();
    if !hits.is_empty() {
        for hit in hits {
            let detail = hit.message.unwrap_or_default();
            let message = format!("{what}: {} ({}): {detail}", hit.title, hit.id);
            out.push(META.finding(Scanner::Config, location.clone(), Some(message)));
        }
        return;
    }
    for (name, value) in pairs {
        if secret_name(name) && literal_value(value) {
            let message = format!(
                "{what}: `{name}` is set to a literal value (`{}`)",
                mask(value)
            );
            out.push(META.finding(Scanner::Config, location.clone(), Some(message)));
        }
    }
}

/// `A=b C="d e"` (and the legacy `A b`) as name/value pairs, quotes kept out.
fn assignments(args: &str) -> Vec<(&str, &str)> {
    let args = args.trim();
    let Some(eq) = args.find('=') else {
        // `ENV NAME value` (legacy form) or `ARG NAME` without default.
        return match args.split_once(char::is_whitespace) {
            Some((name, value)) => vec![(name, value.trim())],
            None => Vec::new(),
        };
    };
    if args
        .get(..eq)
        .is_some_and(|n| n.contains(char::is_whitespace))
    {
        return match args.split_once(char::is_whitespace) {
            Some((name, value)) => vec![(name, value.trim())],
            None => Vec::new(),
        };
    }
    let mut out = Vec::new();
    let mut rest = args;
    while let Some((name, after)) = rest.split_once('=') {
        let name = name.trim();
        let (value, next) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let body = after.get(1..).unwrap_or("");
                match body.find(q) {
                    Some(end) => (body.get(..end).unwrap_or(""), body.get(end + 1..)),
                    None => (body, None),
                }
            }
            _ => match after.find(char::is_whitespace) {
                Some(end) => (after.get(..end).unwrap_or(""), after.get(end..)),
                None => (after, None),
            },
        };
        out.push((name, value));
        match next {
            Some(n) => rest = n.trim_start(),
            None => break,
        }
    }
    out
}

/// True when a variable or label name says it holds a credential.
fn secret_name(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    // Names of where a secret is, or of something about it, are not the secret.
    const NOT_VALUES: &[&str] = &[
        "checksum", "dir", "enabled", "endpoint", "expiry", "file", "header", "host", "id",
        "length", "location", "name", "path", "port", "region", "sha256", "ttl", "type", "url",
        "user", "username", "version",
    ];
    if NOT_VALUES.contains(&last.as_str()) {
        return false;
    }
    const WORDS: &[&str] = &[
        "apikey",
        "credential",
        "credentials",
        "pass",
        "passphrase",
        "passwd",
        "password",
        "secret",
        "token",
    ];
    const KEY_QUALIFIERS: &[&str] = &[
        "access",
        "api",
        "auth",
        "client",
        "encryption",
        "master",
        "private",
        "secret",
        "signing",
    ];
    words.iter().any(|w| {
        WORDS.contains(&w.as_str())
            || w.contains("password")
            || w.contains("passwd")
            || w.ends_with("secret")
            || w.ends_with("token")
    }) || words
        .windows(2)
        .any(|p| matches!(p, [q, k] if k == "key" && KEY_QUALIFIERS.contains(&q.as_str())))
}

/// Lowercase words of a name: split at `_`, `-`, `.` and lowercase-to-uppercase steps.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !word.is_empty() {
                out.push(std::mem::take(&mut word));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        word.push(c.to_ascii_lowercase());
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// True for a value written out in full, not a reference or a flag.
fn literal_value(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() || v.starts_with('$') || v.starts_with('/') || v.contains("${") {
        return false;
    }
    !matches!(
        v.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "0" | "1" | "none" | "null"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_config, check_image_json};
    use serde_json::json;

    fn messages(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.message.as_deref().unwrap()).collect()
    }

    #[test]
    fn fires_on_env_labels_and_history_args() {
        let image = json!({
            "config": {
                "Env": ["PATH=/usr/bin", "DB_PASSWORD=correct-horse", "AWS_KEY=AKIAZ3MSJV4WWNKWW5FG"],
                "Labels": {"com.example.deployToken": "dtk-7d1c9e22"}
            },
            "history": [
                {"created_by": "ARG NPM_TOKEN=npm-local-5f3a", "empty_layer": true},
                {"created_by": "RUN |1 NPM_TOKEN=npm-local-5f3a /bin/sh -c npm ci # buildkit"},
                {"created_by": "ENV DB_PASSWORD=correct-horse", "empty_layer": true}
            ]
        });
        let f = check_image_json(&SecretsInConfig, image, &[], &[]);
        assert_eq!(
            messages(&f),
            [
                "Env `DB_PASSWORD`: `DB_PASSWORD` is set to a literal value (`co****`)",
                "Env `AWS_KEY`: AWS access key ID (aws-access-key-id): `AKIA****` in: AWS_KEY=AKIA****",
                "label `com.example.deployToken`: `com.example.deployToken` is set to a literal value (`dt****`)",
                "history entry 0 (ARG): `NPM_TOKEN` is set to a literal value (`np****`)",
                "history entry 1 (RUN): `NPM_TOKEN` is set to a literal value (`np****`)",
            ]
        );
        for finding in &f {
            let text = serde_json::to_string(finding).unwrap();
            assert!(!text.contains("correct-horse") && !text.contains("npm-local-5f3a"));
            assert!(!text.contains("AKIAZ3MSJV4WWNKWW5FG"), "{text}");
        }
        assert_eq!(
            f[3].location.created_by, None,
            "history text holds the secret"
        );
    }

    #[test]
    fn clean_for_references_and_harmless_names() {
        let cfg = json!({"Env": [
            "GPG_KEY=B42F6819007F00F88E364FD4036A9C25BF357DD4",
            "POSTGRES_PASSWORD_FILE=/run/secrets/db",
            "API_TOKEN=${TOKEN}",
            "TOKENIZERS_PARALLELISM=false",
            "SECRET_KEY_BASE_DUMMY=1",
            "PWD=/app",
            "JAVA_HOME=/opt/java"
        ]});
        assert!(check_config(&SecretsInConfig, cfg).is_empty());
    }

    #[test]
    fn env_without_value_and_quoted_history_values() {
        let cfg = json!({"Env": ["ADMIN_PASSWORD", "ADMIN_PASSWORD="]});
        assert!(check_config(&SecretsInConfig, cfg).is_empty());
        assert_eq!(
            assignments(r#"A="x y" B='z' C=1"#),
            [("A", "x y"), ("B", "z"), ("C", "1")]
        );
        assert_eq!(
            assignments("MY_SECRET s3cr3t value"),
            [("MY_SECRET", "s3cr3t value")]
        );
        assert_eq!(assignments("ONLY_NAME"), []);
        let image = json!({"history": [
            {"created_by": "/bin/sh -c #(nop)  ENV MY_SECRET=\"two words\"", "empty_layer": true}
        ]});
        let f = check_image_json(&SecretsInConfig, image, &[], &[]);
        assert_eq!(
            messages(&f),
            ["history entry 0 (ENV): `MY_SECRET` is set to a literal value (`tw****`)"]
        );
    }

    #[test]
    fn redacts_secret_arguments_only() {
        assert_eq!(
            redact("RUN |2 NPM_TOKEN=npm-local-5f3a VERSION=1.2.3 /bin/sh -c npm ci # buildkit"),
            "RUN |2 NPM_TOKEN=np**** VERSION=1.2.3 /bin/sh -c npm ci # buildkit"
        );
        assert_eq!(redact("ENV API_KEY=abcdef123456"), "ENV API_KEY=ab****");
        assert_eq!(redact("COPY . /app # buildkit"), "COPY . /app # buildkit");
    }

    #[test]
    fn names() {
        for yes in [
            "DB_PASSWORD",
            "dbPassword",
            "GITHUB_TOKEN",
            "API_KEY",
            "apiKey",
            "PRIVATE_KEY",
            "DB_PASS",
            "client_secret",
            "MYSQLPASSWORD",
        ] {
            assert!(secret_name(yes), "{yes}");
        }
        for no in [
            "GPG_KEY",
            "GPG_KEYS",
            "PASSWORD_FILE",
            "TOKEN_URL",
            "KEY",
            "PATH",
            "TOKENIZERS_PARALLELISM",
            "PASSENGER_APP_ENV",
            "SECRET_ID",
        ] {
            assert!(!secret_name(no), "{no}");
        }
    }
}
