//! The engine around the rules: binaries, allowlists, configuration, overlaps, line
//! numbers, masking, config strings and the analyzer contract.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::LazyLock;

use kensa_core::{
    AnalysisOutput, Analyzer, FileInput, FileKind, FileMeta, PathSpec, Scanner, Section, Severity,
};
use kensa_secret::{SECRET_ANALYZER, SecretAnalyzer, SecretConfig, SecretScanner, is_binary};

static DEFAULT: LazyLock<SecretScanner> =
    LazyLock::new(|| SecretScanner::new(&SecretConfig::default()).unwrap());

/// Fake tokens assembled at run time (see tests/rules.rs for why).
fn github_pat() -> String {
    format!("ghp_{}", "R8kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3")
}
fn aws_key_id() -> String {
    format!("AKIA{}", "Q3ZT7WXKR2LPMN5V")
}
fn aws_secret() -> String {
    format!("{}/{}", "h7Kp2mQ9vX4rT8nL1sB6", "wE3yZ5cJ0aF2gH4jK6m")
}
fn slack_bot() -> String {
    format!(
        "xoxb-{}-{}-{}",
        "284619357201", "3958172640519", "Zq7RkP2mXv9LtW4nB8sC1dFg"
    )
}

fn config(toml_like_json: &str) -> SecretConfig {
    serde_json::from_str(toml_like_json).unwrap()
}

#[test]
fn realistic_env_file_snapshot() {
    let env = format!(
        "# production settings\n\
         APP_ENV=production\n\
         AWS_ACCESS_KEY_ID={}\n\
         AWS_SECRET_ACCESS_KEY={}\n\
         GITHUB_TOKEN={}\n\
         DATABASE_URL=postgres://app:{}@db.internal:5432/app\n\
         SLACK_BOT_TOKEN={}\n\
         LOG_LEVEL=info\n\
         DB_PASSWORD=${{DB_PASSWORD}}\n",
        aws_key_id(),
        aws_secret(),
        github_pat(),
        "Vx81qLm3Rz0pNk5w",
        slack_bot(),
    );
    let findings = DEFAULT.scan("srv/app/.env", env.as_bytes());
    let json = serde_json::to_string(&findings).unwrap();
    for secret in [aws_key_id(), aws_secret(), github_pat(), slack_bot()] {
        assert!(!json.contains(&secret));
        assert!(!json.contains(secret.get(4..16).unwrap()));
    }
    assert!(!json.contains("Vx81qLm3Rz0pNk5w"));
    insta::assert_json_snapshot!("env_file_findings", findings);
}

#[test]
fn findings_carry_section_scanner_and_remediation() {
    let findings = DEFAULT.scan(
        "root/.git-credentials",
        format!("token {}\n", github_pat()).as_bytes(),
    );
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f.id, "github-pat");
    assert_eq!(f.scanner, Scanner::Secret);
    assert_eq!(f.section, Section::EmbeddedClearTextSecrets);
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.location.path.as_deref(), Some("root/.git-credentials"));
    assert_eq!(f.location.line, Some(1));
    assert!(f.remediation.contains("revoke the token in GitHub"));
    assert!(f.remediation.contains("later layer"));
    assert!(f.remediation.contains("RUN --mount=type=secret"));
    assert_eq!(f.message.as_deref(), Some("`ghp_****` in: token ghp_****"));
}

#[test]
fn line_numbers_are_one_based_and_counted_per_match() {
    let text = format!("a\nb\n\nGH={}\nc\nd\nSLACK={}\n", github_pat(), slack_bot());
    let lines: Vec<_> = DEFAULT
        .scan("x.env", text.as_bytes())
        .iter()
        .map(|f| (f.id.clone(), f.location.line))
        .collect();
    assert_eq!(
        lines,
        [
            ("github-pat".to_owned(), Some(4)),
            ("slack-bot-token".to_owned(), Some(7))
        ]
    );
}

#[test]
fn two_secrets_on_one_line_are_both_masked_in_each_message() {
    let text = format!(
        "creds = {{ id: \"{}\", secret: \"{}\" }}",
        aws_key_id(),
        github_pat()
    );
    let findings = DEFAULT.scan("app/creds.js", text.as_bytes());
    assert_eq!(findings.len(), 2);
    for f in &findings {
        let m = f.message.as_deref().unwrap();
        assert!(m.contains("AKIA****") && m.contains("ghp_****"), "{m}");
        assert!(
            !m.contains(&aws_key_id()) && !m.contains(&github_pat()),
            "{m}"
        );
    }
}

#[test]
fn specific_rule_wins_over_generic_on_the_same_value() {
    // `api_key = "<github token>"` matches both generic-api-key and github-pat.
    let text = format!("api_key = \"{}\"\n", github_pat());
    let ids: Vec<_> = DEFAULT
        .scan("a.py", text.as_bytes())
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ids, ["github-pat"]);
}

#[test]
fn generic_key_names_are_found_in_every_spelling() {
    let value = "k9Xq2LmZ7vR4tW8pB3nC";
    for name in [
        "API_KEY",
        "api-key",
        "apikey",
        "ACCESS-KEY",
        "access_token",
        "accessToken",
        "access-token",
        "AUTH_TOKEN",
        "authToken",
        "auth-token",
        "private-token",
        "privateToken",
        "client_secret",
    ] {
        let text = format!("{name} = \"{value}\"\n");
        let ids: Vec<_> = DEFAULT
            .scan("settings.env", text.as_bytes())
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, ["generic-api-key"], "{name}");
    }
}

#[test]
fn values_the_generic_gates_skip_are_not_reported() {
    // The gates run the value checks before the regex; they must agree with it.
    for text in [
        "secret_key = os.environ.get(\"SECRET_KEY\")",
        "password_hash = hash_password(password, salt)",
        "password = None",
        "api_key = settings.API_KEY_VALUE_FROM_ENV",
        "const apiKey = process.env.HANDLER_SESSION;",
        "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
    ] {
        assert!(DEFAULT.scan("a.py", text.as_bytes()).is_empty(), "{text}");
    }
    let text = format!(
        "aws_secret_access_key = {}\npassword = \"Tr0ub4dor&3x\"\n",
        aws_secret()
    );
    let ids: Vec<_> = DEFAULT
        .scan("a.env", text.as_bytes())
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ids, ["aws-secret-access-key", "generic-password"]);
}

#[test]
fn long_lines_are_trimmed_around_the_secret() {
    let text = format!("{} t={} {}", "x".repeat(500), github_pat(), "y".repeat(500));
    let f = &DEFAULT.scan("min.js", text.as_bytes())[0];
    let m = f.message.as_deref().unwrap();
    assert!(m.len() < 140, "{m}");
    assert!(m.contains('…'));
}

#[test]
fn binaries_are_skipped() {
    let mut elf = b"\x7fELF\x02\x01\x01\0\0\0".to_vec();
    elf.extend_from_slice(format!("GITHUB_TOKEN={}", github_pat()).as_bytes());
    assert!(is_binary(&elf));
    assert!(DEFAULT.scan("usr/bin/app", &elf).is_empty());

    let mut noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8 | 0x80)
        .collect();
    noise.retain(|&b| b != 0);
    assert!(is_binary(&noise));

    // Latin-1 accents in otherwise ASCII text stay text.
    let mut latin1 = b"caf\xe9 menu\n".repeat(20);
    latin1.extend_from_slice(format!("token={}\n", github_pat()).as_bytes());
    assert!(!is_binary(&latin1));
    assert_eq!(DEFAULT.scan("menu.txt", &latin1).len(), 1);
}

#[test]
fn builtin_and_configured_allow_paths() {
    let text = format!("GITHUB_TOKEN={}\n", github_pat());
    for path in [
        "go/pkg/mod/github.com/x/y/testdata/creds.env",
        "usr/lib/node_modules/jsonwebtoken/test/keys.js",
        "usr/share/doc/openssl/example.txt",
        "/usr/share/doc/pkg/README",
    ] {
        assert!(DEFAULT.scan(path, text.as_bytes()).is_empty(), "{path}");
    }
    assert_eq!(
        DEFAULT
            .scan("app/node_modules/x/index.js", text.as_bytes())
            .len(),
        1
    );
    let s = SecretScanner::new(&config(r#"{"allow_paths": ["app/fixtures/**"]}"#)).unwrap();
    assert!(s.scan("app/fixtures/gh.env", text.as_bytes()).is_empty());
    assert_eq!(s.scan("app/src/gh.env", text.as_bytes()).len(), 1);
}

#[test]
fn allow_regexes_drop_matching_values() {
    let s = SecretScanner::new(&config(r#"{"allow_regexes": ["^ghp_R8kq"]}"#)).unwrap();
    let text = format!("GITHUB_TOKEN={}\nSLACK={}\n", github_pat(), slack_bot());
    let ids: Vec<_> = s
        .scan("a.env", text.as_bytes())
        .into_iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(ids, ["slack-bot-token"]);
}

#[test]
fn custom_rules_and_disabled_rules() {
    let s = SecretScanner::new(&config(
        r#"{
          "disable_rules": ["slack-bot-token"],
          "custom_rules": [{
            "id": "acme-internal-token",
            "title": "ACME internal token",
            "severity": "high",
            "regex": "\\b(acme_[a-z0-9]{24})\\b",
            "keywords": ["acme_"],
            "entropy": 3.0,
            "revoke": "revoke it at https://id.acme.internal/tokens."
          }]
        }"#,
    ))
    .unwrap();
    assert!(!s.rule_ids().any(|id| id == "slack-bot-token"));
    let token = format!("acme_{}", "k3v9x2m7q1z8w4r6t0y5u2p9");
    let text = format!(
        "SLACK={}\nACME={token}\nACME2=acme_aaaaaaaaaaaaaaaaaaaaaaaa\n",
        slack_bot()
    );
    let findings = s.scan("a.env", text.as_bytes());
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!(
        (f.id.as_str(), f.severity, f.location.line),
        ("acme-internal-token", Severity::High, Some(2))
    );
    assert!(
        f.remediation
            .starts_with("Treat the credential as leaked: revoke it at https://id.acme.internal")
    );
    assert!(!serde_json::to_string(f).unwrap().contains(&token));
    assert_ne!(s.settings_digest(), DEFAULT.settings_digest());
}

#[test]
fn custom_rule_without_keywords_runs_on_every_file() {
    let s = SecretScanner::new(&config(
        r#"{"custom_rules": [{"id": "ticket", "title": "T", "severity": "LOW", "regex": "TKT-[0-9]{6}"}]}"#,
    ))
    .unwrap();
    let f = s.scan("notes.txt", b"see\nTKT-123456\n");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].location.line, Some(2));
    assert_eq!(f[0].message.as_deref(), Some("`TK****` in: TK****"));
}

#[test]
fn configuration_errors_name_the_culprit() {
    let err = |json: &str| SecretScanner::new(&config(json)).unwrap_err().to_string();
    assert_eq!(
        err(r#"{"disable_rules": ["github-pats"]}"#),
        "`disable_rules` names `github-pats`, which is not a built-in secret rule"
    );
    assert_eq!(
        err(
            r#"{"custom_rules": [{"id": "github-pat", "title": "t", "severity": "LOW", "regex": "x", "keywords": ["x"]}]}"#
        ),
        "secret rule id `github-pat` is used twice (disable the built-in rule to replace it)"
    );
    assert_eq!(
        err(
            r#"{"custom_rules": [{"id": "My_Rule", "title": "t", "severity": "LOW", "regex": "x"}]}"#
        ),
        "secret rule id `My_Rule` is not kebab-case (expected lowercase letters, digits and `-`)"
    );
    assert_eq!(
        err(
            r#"{"custom_rules": [{"id": "bad", "title": "t", "severity": "LOW", "regex": "a(", "keywords": ["a"]}]}"#
        ),
        "secret rule `bad`: invalid regex `a(`"
    );
    assert_eq!(
        err(
            r#"{"custom_rules": [{"id": "e", "title": "t", "severity": "LOW", "regex": "a", "keywords": ["a"], "entropy": 9.5}]}"#
        ),
        "secret rule `e`: entropy `9.5` is out of range (expected 0 to 8)"
    );
    assert_eq!(
        err(
            r#"{"custom_rules": [{"id": "k", "title": "t", "severity": "LOW", "regex": "a", "keywords": [""]}]}"#
        ),
        "secret rule `k`: keywords must not be empty strings"
    );
    assert_eq!(
        err(r#"{"allow_paths": ["a/[b"]}"#),
        "`allow_paths` entry `a/[b` is not a valid glob"
    );
    assert_eq!(
        err(r#"{"allow_regexes": ["("]}"#),
        "`allow_regexes` entry `(` is not a valid regex"
    );
    // A disabled built-in id may be reused by a custom rule.
    SecretScanner::new(&config(
        r#"{"disable_rules": ["jwt"], "custom_rules": [{"id": "jwt", "title": "t", "severity": "LOW", "regex": "eyJ", "keywords": ["eyj"]}]}"#,
    ))
    .unwrap();
}

#[test]
fn config_rejects_unknown_fields_and_bad_severities() {
    let e = serde_json::from_str::<SecretConfig>(r#"{"disable_rule": []}"#).unwrap_err();
    assert!(
        e.to_string().contains("unknown field `disable_rule`"),
        "{e}"
    );
    let e = serde_json::from_str::<SecretConfig>(
        r#"{"custom_rules": [{"id": "a", "title": "t", "severity": "severe", "regex": "x"}]}"#,
    )
    .unwrap_err();
    assert!(e.to_string().contains("unknown severity `severe`"), "{e}");
}

#[test]
fn config_strings_are_scanned_under_pseudo_paths() {
    let env = [
        "PATH=/usr/local/sbin:/usr/local/bin".to_owned(),
        format!("AWS_ACCESS_KEY_ID={}", aws_key_id()),
    ]
    .join("\n");
    let f = DEFAULT.scan_text("config:Env", &env);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "aws-access-key-id");
    assert_eq!(f[0].location.path.as_deref(), Some("config:Env"));
    assert_eq!(f[0].location.line, Some(2));

    let history = format!(
        "/bin/sh -c git clone https://ci:{}@git.acme.internal/app.git /src",
        "p4Ss-w0rd-81xQ"
    );
    let f = DEFAULT.scan_text("config:history[3]", &history);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].id, "url-password");
    assert!(!f[0].message.as_deref().unwrap().contains("p4Ss-w0rd-81xQ"));
    assert!(
        DEFAULT
            .scan_text(
                "config:Labels",
                "org.opencontainers.image.source=https://github.com/acme/app"
            )
            .is_empty()
    );
}

#[test]
fn placeholders_and_references_are_not_reported() {
    let text = "\
password: ${DB_PASSWORD}
password = os.environ['DB_PASSWORD']
api_key: \"<your-api-key>\"
secret_key = settings.SECRET_KEY
GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
url: https://user:password@example.com/
<input type=\"password\" name=\"password\">
if password == \"\":
pub passwd: CString,
pub pszPassword: windows_sys::core::PWSTR,
pub const ERROR_PASSWORD_EXPIRED: WIN32_ERROR = 1330u32;
- `User::gecos` and `libc::passwd::pw_gecos` are supported
const apiKey = process.env.STRIPE_SECRET_KEY;
";
    let findings = DEFAULT.scan("app/settings.py", text.as_bytes());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn multiline_keys_report_the_begin_line() {
    let body: String = (0..4)
        .map(|i| format!("MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC{i}\n"))
        .collect();
    let text = format!("# key\n\n-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n");
    let f = DEFAULT.scan("etc/ssl/private/app.key", text.as_bytes());
    assert_eq!(f.len(), 1);
    assert_eq!(
        (f[0].id.as_str(), f[0].location.line),
        ("private-key", Some(3))
    );
    assert_eq!(f[0].message.as_deref(), Some("`MIIE****` in: MIIE****"));
}

#[test]
fn analyzer_contract() {
    assert_eq!(SECRET_ANALYZER.id(), "secret");
    assert_eq!(SECRET_ANALYZER.scanner(), Some(Scanner::Secret));
    assert_eq!(SECRET_ANALYZER.wants(), &[PathSpec::AnyFile]);
    assert_eq!(SECRET_ANALYZER.max_file_size(), 10 * 1024 * 1024);
    let meta = FileMeta {
        kind: FileKind::Regular,
        mode: 0o644,
        uid: 0,
        gid: 0,
        size: 0,
        link_target: None,
    };
    let content = format!(
        "//registry.npmjs.org/:_authToken={}\n",
        "5f0c3a9e-8b1d-4e2f-9a7c-3d6b8e1f0a42"
    );
    let mut out = AnalysisOutput::default();
    SECRET_ANALYZER
        .analyze(
            &FileInput {
                path: "root/.npmrc",
                meta: &meta,
                content: content.as_bytes(),
            },
            &mut out,
        )
        .unwrap();
    assert_eq!(out.findings.len(), 1);
    assert_eq!(out.findings[0].id, "npmrc-auth-token");

    // The cache key is known without compiling the rules, and is the compiled one's.
    assert_eq!(
        &SecretScanner::settings_digest_of(&SecretConfig::default()),
        DEFAULT.settings_digest()
    );
    // A configured analyzer keys the layer cache differently from the default one.
    let custom =
        SecretAnalyzer::with_config(&config(r#"{"disable_rules": ["npmrc-auth-token"]}"#)).unwrap();
    assert_ne!(custom.settings_digest(), SECRET_ANALYZER.settings_digest());
    assert_eq!(custom.version(), SECRET_ANALYZER.version());
    assert_eq!(
        SECRET_ANALYZER.settings_digest(),
        SecretAnalyzer::new().settings_digest()
    );
    let mut out = AnalysisOutput::default();
    custom
        .analyze(
            &FileInput {
                path: "root/.npmrc",
                meta: &meta,
                content: content.as_bytes(),
            },
            &mut out,
        )
        .unwrap();
    // Without its specific rule the token is still a `NAME = value` secret.
    let ids: Vec<_> = out.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["generic-api-key"]);
}

#[test]
fn many_secrets_on_one_huge_line() {
    // One line of 20,000 tokens (about 820 kB), as in a minified bundle: every finding
    // is reported and masked, and excerpt building stays linear.
    let token = github_pat();
    let line = vec![token.as_str(); 20_000].join(" ");
    let findings = DEFAULT.scan("app/bundle.min.js", line.as_bytes());
    assert_eq!(findings.len(), 20_000);
    assert!(findings.iter().all(|f| f.location.line == Some(1)));
    let m = findings[10_000].message.as_deref().unwrap();
    assert!(m.starts_with("`ghp_****` in: …") && m.ends_with('…'), "{m}");
    assert!(!m.contains(&token));
}

#[test]
fn working_directories_and_documented_choices_are_not_passwords() {
    for text in [
        "cmd.Env = append(ts.env, \"PWD=\"+dir)",
        "export PWD=/srv/app/current",
        "OLDPWD=/home/build/workspace",
        "my $pwd = `/usr/bin/pwd -t`;",
        "# com.sun.management.jmxremote.password.toHashes = true|false",
        "if(\"password\"===e.type||\"text\"===e.type)",
    ] {
        let found = DEFAULT.scan("a.sh", text.as_bytes());
        assert!(
            found.is_empty(),
            "{text}: {:?}",
            found.first().map(|f| &f.id)
        );
    }
    // A password variable that merely ends in PWD is still a password.
    let found = DEFAULT.scan("a.env", b"DB_PWD=Tr0ub4dor&3x\n");
    assert_eq!(
        found.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(),
        ["generic-password"]
    );
}

#[test]
fn toolchain_sources_are_allowlisted() {
    for path in [
        "usr/local/go/src/crypto/tls/example_test.go",
        "usr/share/go-1.19/src/net/url/url_test.go",
        "usr/lib/go-1.22/src/crypto/x509/x509_test.go",
        "usr/share/nodejs/@types/node/url.d.ts",
        "app/node_modules/@types/node/url.d.ts",
    ] {
        assert!(DEFAULT.is_path_allowed(path), "{path}");
    }
    assert!(!DEFAULT.is_path_allowed("app/src/main.go"));
}
