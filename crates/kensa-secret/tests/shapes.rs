//! Issue 15: vendor rules that read a value from a name (`SNYK_TOKEN`, `heroku_api_key`)
//! find it in every common way of writing a name and a value, as gitleaks' rules do; and
//! the other classes of input gitleaks' and Trivy's rules cover (curl credentials over
//! continuation lines, unsigned JWTs, low-entropy placeholders).
//!
//! Values are assembled at run time, so this source holds no token a push-protection
//! scanner would flag.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::sync::LazyLock;

use kensa_secret::{SecretConfig, SecretScanner};

static SCANNER: LazyLock<SecretScanner> =
    LazyLock::new(|| SecretScanner::new(&SecretConfig::default()).unwrap());

fn ids(text: &str) -> Vec<String> {
    SCANNER
        .scan("app/settings", text.as_bytes())
        .into_iter()
        .map(|f| f.id)
        .collect()
}

/// Ways of writing `name` = `value` in configuration files and programs: `{n}` is the
/// name, `{v}` the value.
const SHAPES: &[&str] = &[
    "{n}={v}",
    "export {n}=\"{v}\"",
    "{n} = '{v}'",
    "{\n  \"{n}\": \"{v}\"\n}",
    "\"config\": \"{\\\"{n}\\\": \\\"{v}\\\"}\"",
    "<{n}>{v}</{n}>",
    "<{n}>\n    {v}\n</{n}>",
    "{n}: {v}",
    "{n}: |\n  {v}",
    "{n}: >\n  {v}",
    "var {n} string = \"{v}\"",
    "{n} := `{v}`",
    "private static final String {n} = \"{v}\";",
    "${n} .= \"{v}\";",
    "{n},{v},prod",
    "  :{n} => \"{v}\",",
    "{n} ?= {v}",
    "{n} ::= {v}",
    "{n} += {v}",
    "set{n}(\"{v}\")",
];

/// `n` pseudo-random bytes of `alphabet` (a linear congruential generator).
fn pick(alphabet: &[u8], n: usize, seed: u64) -> String {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            char::from(alphabet[((x >> 33) % alphabet.len() as u64) as usize])
        })
        .collect()
}

fn hex(n: usize, seed: u64) -> String {
    pick(b"0123456789abcdef", n, seed)
}

fn alnum(n: usize, seed: u64) -> String {
    pick(b"abcdefghijklmnopqrstuvwxyz0123456789", n, seed)
}

fn uuid(seed: u64) -> String {
    let h = hex(32, seed);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[test]
fn issue_15_vendor_values_are_found_in_every_shape() {
    let cases: Vec<(&str, &str, String)> = vec![
        ("snyk-api-token", "SNYK_TOKEN", uuid(1)),
        ("heroku-api-key", "herokuApiKey", uuid(2)),
        ("twilio-api-key", "twilioKey", format!("SK{}", hex(32, 3))),
        (
            "bitbucket-client-secret",
            "BITBUCKET_CLIENT_SECRET",
            alnum(64, 4),
        ),
        ("datadog-api-key", "datadogToken", alnum(40, 5)),
        ("facebook-app-secret", "facebook_app_secret", hex(32, 6)),
        ("alibaba-access-key-secret", "ALIBABA_SECRET", alnum(30, 7)),
        (
            "atlassian-api-token-legacy",
            "jiraToken",
            format!("{}{}", alnum(20, 8), hex(4, 9)),
        ),
        ("dropbox-app-secret", "DROPBOX_APP_SECRET", alnum(15, 10)),
    ];
    for (id, name, value) in &cases {
        for shape in SHAPES {
            let text = shape.replace("{n}", name).replace("{v}", value);
            assert_eq!(ids(&text), vec![id.to_string()], "{text}");
            // The same shapes holding a reference or a placeholder are no secret.
            for stand_in in ["${SECRET_FROM_ENV}", "<your-token-here>"] {
                let text = shape.replace("{n}", name).replace("{v}", stand_in);
                assert!(ids(&text).is_empty(), "{text}: {:?}", ids(&text));
            }
        }
    }
}

#[test]
fn issue_15_curl_credentials_over_continuation_lines_and_quotes() {
    let pass = format!("Qz{}", alnum(12, 11));
    for text in [
        format!(
            "curl -fsS \\\n  -X POST \\\n  -u deploy:{pass} https://nexus.acme.internal/upload"
        ),
        format!("curl --user 'deploy:{pass}' https://x.acme.internal"),
        format!("curl --user deploy:'{pass}' https://x.acme.internal"),
        format!("curl -u \":{pass}\" https://x.acme.internal"),
        format!("curl -u \"{pass}:\" https://x.acme.internal"),
        format!("curl --user \"{{deploy}}\":\"{{{pass}}}\" https://x.acme.internal"),
    ] {
        assert_eq!(ids(&text), vec!["curl-basic-auth"], "{text}");
    }
    for text in [
        "curl -u admin:changeme https://x",
        "curl -u test:test https://x",
        "curl --user \"$USER:$PASS\" https://x",
        "curl --user '${{ secrets.USER }}:${{ secrets.PASS }}' https://x",
        "curl -u <user:password> https://x",
        "curl -u deploy https://x",
        "curl https://x\nnc -u -l 41234",
    ] {
        assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
    }
}

#[test]
fn issue_15_curl_header_credentials() {
    let token = format!("Tk{}", alnum(30, 12));
    for header in [
        format!("X-Api-Key: {token}"),
        format!("Api-Token: {token}"),
        format!("Authorization: {token}"),
        format!("Authorization: Api-Token {token}"),
    ] {
        let text = format!("curl -sS \\\n  -H \"{header}\" https://api.acme.internal/");
        assert_eq!(ids(&text).len(), 1, "{text}");
    }
    for text in [
        "curl -H \"X-Api-Key: $API_KEY\" https://x",
        "curl -H \"Authorization: Bearer XXXXXXXXXXXX\" https://x",
        "curl -H 'Content-Type: application/json' https://x",
    ] {
        assert!(ids(text).is_empty(), "{text}: {:?}", ids(text));
    }
}

#[test]
fn issue_15_unsigned_jwts_and_low_entropy_tokens() {
    // `alg: none` tokens have an empty signature.
    let header = "eyJhbGciOiJub25lIn0";
    let claims = "eyJzdWIiOiJkZXBsb3ktYm90IiwiZXhwIjoxOTAwMDAwMDAwfQ";
    assert_eq!(ids(&format!("token = \"{header}.{claims}.\"")), vec!["jwt"]);
    // Placeholders with a real prefix but no randomness are not tokens.
    for text in [
        format!("token = GR1348941{}", "1".repeat(20)),
        format!("API_KEY=\"glc_{}=\"", "1".repeat(42)),
        format!("apiKey: \"AIza{}\"", "a".repeat(35)),
        format!("sgp_{}", "0".repeat(40)),
    ] {
        assert!(ids(&text).is_empty(), "{text}: {:?}", ids(&text));
    }
}

#[test]
fn issue_15_generic_tokens_and_credentials_but_not_what_names_them() {
    let value = format!(
        "Zq{}7",
        pick(
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            30,
            13
        )
    );
    for name in [
        "deployToken",
        "REGISTRY_TOKEN",
        "credentials",
        "creds",
        "mySecretString",
    ] {
        let text = format!("{name} = \"{value}\"");
        assert_eq!(ids(&text), vec!["generic-api-key"], "{text}");
    }
    // Names of identifiers, files, places, sizes, lists and public or anti-forgery
    // tokens hold no secret, whatever their value looks like.
    for name in [
        "credentialsId",
        "jobCredentialsId",
        "LLM_SECRET_NAME",
        "token_url",
        "secret_length",
        "keyVaultToStoreSecrets",
        "publicToken",
        "csrf-token",
    ] {
        let text = format!("{name} = \"{value}\"");
        assert!(ids(&text).is_empty(), "{text}: {:?}", ids(&text));
    }
}

#[test]
fn issue_15_telegram_tokens_by_shape_on_a_telegram_line() {
    let tail = pick(b"abcdefghijklmnopqrstuvwxyz0123456789_-", 34, 14);
    for id in ["12345", "123456789", "1234567890123456"] {
        let text = format!("const bot = new Telegraf(\"{id}:A{tail}\")");
        assert_eq!(ids(&text), vec!["telegram-bot-token"], "{text}");
    }
    for text in [
        format!("telegram_token = \"1234:A{tail}\""),
        format!("telegram_token = \"12345:Ahello{tail}\""),
        format!("telegram_token = \"12345:A{tail}-more\""),
        "<xsd:element name=\"Agency\" type=\"clm12345:AgencyIdentificationCodeContentType\"/> telegram".to_owned(),
    ] {
        assert!(ids(&text).is_empty(), "{text}: {:?}", ids(&text));
    }
    // PlanetScale values may hold `=`.
    let pw = format!(
        "pscale_pw_{}=={}",
        pick(b"abcdefghij0123456789", 20, 15),
        pick(b"klmnopqrstuvwxyz_-", 20, 16)
    );
    assert_eq!(
        ids(&format!("DATABASE_PASSWORD={pw}")),
        vec!["planetscale-token"]
    );
}
