//! Every built-in rule fires on a realistic sample and stays quiet on a near miss.
//!
//! Samples are assembled at run time from a prefix and a pseudo-random body, so this
//! source holds no token that a push-protection scanner would flag.
#![allow(clippy::unwrap_used, reason = "test code")]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use kensa_secret::{RULES, SecretConfig, SecretScanner};

static SCANNER: LazyLock<SecretScanner> =
    LazyLock::new(|| SecretScanner::new(&SecretConfig::default()).unwrap());

const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
const DIGITS: &str = "0123456789";
const HEX: &str = "0123456789abcdef";
const BECH32: &str = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L";
const BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Deterministic pseudo-random text (splitmix64), seeded per sample.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn s(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect()
    }
    fn b62(&mut self, n: usize) -> String {
        self.s(&format!("{UPPER}{LOWER}{DIGITS}"), n)
    }
    fn url(&mut self, n: usize) -> String {
        self.s(&format!("{UPPER}{LOWER}{DIGITS}-_"), n)
    }
    fn b64(&mut self, n: usize) -> String {
        self.s(&format!("{UPPER}{LOWER}{DIGITS}+/"), n)
    }
    fn hex(&mut self, n: usize) -> String {
        self.s(HEX, n)
    }
    fn uuid(&mut self) -> String {
        format!(
            "{}-{}-{}-{}-{}",
            self.hex(8),
            self.hex(4),
            self.hex(4),
            self.hex(4),
            self.hex(12)
        )
    }
}

fn base64(input: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base64url(input: &str) -> String {
    base64(input.as_bytes())
        .trim_end_matches('=')
        .replace('+', "-")
        .replace('/', "_")
}

fn pem(label: &str, g: &mut Gen) -> (String, String) {
    let body = format!(
        "MIIEpAIBAAKCAQEA{}\n{}\n{}\n{}=",
        g.b64(48),
        g.b64(64),
        g.b64(64),
        g.b64(31)
    );
    (
        format!("-----BEGIN {label}-----\n{body}\n-----END {label}-----\n"),
        body,
    )
}

/// One sample: the rule, the secret, the file text holding it, and a near miss.
struct Sample {
    id: &'static str,
    secret: String,
    text: String,
    miss: String,
}

fn line(id: &'static str, secret: String, template: &str, miss: String) -> Sample {
    Sample {
        id,
        text: template.replace("{}", &secret),
        secret,
        miss,
    }
}

#[allow(clippy::too_many_lines, reason = "one sample per rule")]
fn samples() -> Vec<Sample> {
    let mut g = Gen(0x006b_656e_7361);
    let g = &mut g;
    let mut v = Vec::new();
    let mut tok = |id, secret: String, template: &str, miss: String| {
        v.push(line(id, secret, template, miss));
    };
    tok(
        "adobe-client-secret",
        format!("p8e-{}", g.b62(32)),
        "ADOBE_CLIENT_SECRET={}",
        format!("ADOBE_CLIENT_ID=p8e-{}", g.b62(20)),
    );
    tok(
        "age-secret-key",
        format!("AGE-SECRET-KEY-1{}", g.s(BECH32, 58)),
        "{}",
        format!("AGE-SECRET-KEY-1{}", g.s(BECH32, 40)),
    );
    tok(
        "alibaba-access-key-id",
        format!("LTAI{}", g.b62(20)),
        "access_key_id: {}",
        format!("access_key_id: LTAI{}", g.b62(12)),
    );
    tok(
        "alibaba-access-key-secret",
        g.b62(30),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET={}",
        format!("ALIBABA_CLOUD_ACCESS_KEY_SECRET={}", "a".repeat(30)),
    );
    tok(
        "anthropic-api-key",
        format!("sk-ant-api03-{}AA", g.url(93)),
        "ANTHROPIC_API_KEY={}",
        format!("ANTHROPIC_API_KEY=sk-ant-api03-{}AA", g.url(50)),
    );
    tok(
        "artifactory-api-key",
        format!("AKCp{}", g.b62(69)),
        "artifactory_key = \"{}\"",
        format!("AKCp{}", g.b62(30)),
    );
    tok(
        "artifactory-reference-token",
        format!("cmVmdGtuOjAxOj{}", g.b62(50)),
        "JFROG_TOKEN={}",
        format!("JFROG_TOKEN=cmVmdGtuOjAxOj{}", g.b62(20)),
    );
    tok(
        "atlassian-api-token",
        format!("ATATT3{}", g.url(186)),
        "JIRA_API_TOKEN={}",
        format!("JIRA_API_TOKEN=ATATT3{}", g.url(100)),
    );
    tok(
        "aws-access-key-id",
        format!("AKIA{}", g.s(BASE32, 16)),
        "aws_access_key_id = {}",
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE".into(),
    );
    tok(
        "aws-mws-auth-token",
        format!("amzn.mws.{}", g.uuid()),
        "MWS_AUTH_TOKEN={}",
        "MWS_AUTH_TOKEN=amzn.mws.1234".into(),
    );
    tok(
        "aws-secret-access-key",
        g.b64(40),
        "aws_secret_access_key = {}",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
    );
    tok(
        "azure-ad-client-secret",
        format!(
            "{}8Q~{}",
            g.b62(3),
            g.s(&format!("{UPPER}{LOWER}{DIGITS}_~.-"), 34)
        ),
        "AZURE_CLIENT_SECRET=\"{}\"",
        "AZURE_CLIENT_SECRET=\"abc8Q~short\"".into(),
    );
    tok(
        "azure-devops-pat",
        format!("{}AZDO{}", g.b62(76), g.b62(4)),
        "AZURE_DEVOPS_EXT_PAT={}",
        format!("AZURE_DEVOPS_EXT_PAT={}AZDO{}", g.b62(50), g.b62(4)),
    );
    tok(
        "azure-shared-access-key",
        format!("{}=", g.b64(43)),
        "Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={}",
        format!("SharedAccessKey={}=", "A".repeat(43)),
    );
    tok(
        "azure-storage-account-key",
        format!("{}==", g.b64(86)),
        "AZURE_STORAGE_KEY={}",
        format!("AZURE_STORAGE_KEY={}==", g.b64(40)),
    );
    tok(
        "azure-storage-connection-string",
        format!("{}==", g.b64(86)),
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={};EndpointSuffix=core.windows.net",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=<your-account-key>".into(),
    );
    tok(
        "bitbucket-app-password",
        format!("ATBB{}", g.b62(32)),
        "BITBUCKET_APP_PASSWORD={}",
        format!("BITBUCKET_APP_PASSWORD=ATBB{}", g.b62(10)),
    );
    tok(
        "bitbucket-client-secret",
        g.b62(40),
        "BITBUCKET_CLIENT_SECRET={}",
        format!("BITBUCKET_CLIENT_SECRET={}", "0".repeat(40)),
    );
    tok(
        "clojars-api-token",
        format!("CLOJARS_{}", g.s(&format!("{LOWER}{DIGITS}"), 60)),
        "CLOJARS_PASSWORD={}",
        format!("CLOJARS_USERNAME=CLOJARS_{}", g.s(LOWER, 20)),
    );
    tok(
        "database-connection-string",
        format!("{}7", g.b62(16)),
        "DATABASE_URL=postgres://app:{}@db.internal:5432/app",
        "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app".into(),
    );
    tok(
        "databricks-api-token",
        format!("dapi{}", g.hex(32)),
        "DATABRICKS_TOKEN={}",
        format!("DATABRICKS_TOKEN=dapi{}", g.hex(16)),
    );
    tok(
        "datadog-api-key",
        g.hex(32),
        "DD_API_KEY={}",
        format!("DD_API_KEY={}", "0".repeat(32)),
    );
    tok(
        "digitalocean-token",
        format!("dop_v1_{}", g.hex(64)),
        "DIGITALOCEAN_ACCESS_TOKEN={}",
        format!("DIGITALOCEAN_ACCESS_TOKEN=dop_v1_{}", g.hex(20)),
    );
    tok(
        "discord-bot-token",
        format!("M{}.{}.{}", g.b62(25), g.url(6), g.url(38)),
        "DISCORD_TOKEN={}",
        "DISCORD_TOKEN=Mabc.def.ghi".into(),
    );
    tok(
        "discord-webhook-url",
        g.url(68),
        &format!("https://discord.com/api/webhooks/{}/{{}}", g.s(DIGITS, 18)),
        format!(
            "https://discord.com/api/webhooks/{}/{}",
            g.s(DIGITS, 18),
            g.url(20)
        ),
    );
    tok(
        "docker-config-auth",
        base64(format!("ci-bot:{}", g.b62(20)).as_bytes()),
        r#"{"auths": {"registry.acme.io": {"auth": "{}"}}}"#,
        format!(
            r#"{{"auths": {{"registry.acme.io": {{"auth": "{}"}}}}}}"#,
            base64(b"no colon in here")
        ),
    );
    tok(
        "dockerhub-access-token",
        format!("dckr_pat_{}", g.b62(27)),
        "DOCKERHUB_TOKEN={}",
        format!("DOCKERHUB_TOKEN=dckr_pat_{}", g.b62(10)),
    );
    tok(
        "doppler-token",
        format!("dp.st.{}", g.b62(43)),
        "DOPPLER_TOKEN={}",
        format!("DOPPLER_TOKEN=dp.st.{}", g.b62(20)),
    );
    tok(
        "dropbox-api-token",
        format!("sl.{}", g.url(140)),
        "DROPBOX_TOKEN={}",
        format!("DROPBOX_TOKEN=sl.{}", g.url(40)),
    );
    tok(
        "dynatrace-api-token",
        format!(
            "dt0c01.{}.{}",
            g.s(&format!("{UPPER}{DIGITS}"), 24),
            g.s(&format!("{UPPER}{DIGITS}"), 64)
        ),
        "DT_API_TOKEN={}",
        format!("DT_API_TOKEN=dt0c01.{}.{}", g.s(UPPER, 10), g.s(UPPER, 10)),
    );
    tok(
        "facebook-access-token",
        format!("EAAB{}", g.b62(120)),
        "FB_ACCESS_TOKEN={}",
        format!("FB_ACCESS_TOKEN=EAAB{}", g.b62(40)),
    );
    tok(
        "facebook-app-secret",
        g.hex(32),
        "FACEBOOK_APP_SECRET={}",
        "FACEBOOK_APP_SECRET=abc".into(),
    );
    tok(
        "firebase-cloud-messaging-key",
        format!("AAAA{}:APA91b{}", g.url(7), g.url(134)),
        "FCM_SERVER_KEY={}",
        format!("FCM_SERVER_KEY=AAAA{}:APA91b{}", g.url(7), g.url(40)),
    );
    tok(
        "flyio-access-token",
        format!("fo1_{}", g.url(43)),
        "FLY_API_TOKEN={}",
        format!("FLY_API_TOKEN=fo1_{}", g.url(20)),
    );
    tok(
        "gcp-api-key",
        format!("AIza{}", g.url(35)),
        "const firebaseConfig = { apiKey: \"{}\" };",
        format!("apiKey: \"AIza{}\"", g.url(20)),
    );
    tok(
        "gcp-oauth-client-secret",
        format!("GOCSPX-{}", g.url(28)),
        "GOOGLE_CLIENT_SECRET={}",
        format!("GOOGLE_CLIENT_SECRET=GOCSPX-{}", g.url(12)),
    );
    {
        let body = format!("{}\\n{}\\n{}", g.b64(64), g.b64(64), g.b64(40));
        let secret = format!("-----BEGIN PRIVATE KEY-----\\n{body}\\n-----END PRIVATE KEY-----\\n");
        let file = |key: &str| {
            format!(
                "{{\n  \"type\": \"service_account\",\n  \"project_id\": \"acme-prod\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"ci@acme-prod.iam.gserviceaccount.com\"\n}}\n",
                "3f1a".repeat(10)
            )
        };
        v.push(Sample {
            id: "gcp-service-account",
            text: file(&secret),
            secret,
            miss: file(""),
        });
    }
    let mut tok = |id, secret: String, template: &str, miss: String| {
        v.push(line(id, secret, template, miss));
    };
    tok(
        "generic-api-key",
        g.b62(31) + "4",
        "api_key: \"{}\"",
        "api_key: \"${API_KEY}\"\nAPI_KEY = settings.API_KEY".into(),
    );
    tok(
        "generic-password",
        "Tr0ub4dor&3x".into(),
        "  password: \"{}\"",
        "  password: \"changeme\"\n  password: string\n  pwd = os.getcwd()".into(),
    );
    tok(
        "github-app-token",
        format!("ghs_{}", g.b62(36)),
        "GH_INSTALLATION_TOKEN={}",
        format!("ghs_{}", g.b62(20)),
    );
    tok(
        "github-fine-grained-pat",
        format!("github_pat_{}_{}", g.b62(22), g.b62(59)),
        "GITHUB_TOKEN={}",
        format!("GITHUB_TOKEN=github_pat_{}", g.b62(30)),
    );
    tok(
        "github-oauth",
        format!("gho_{}", g.b62(36)),
        "oauth_token: {}",
        format!("oauth_token: gho_{}", g.b62(12)),
    );
    tok(
        "github-pat",
        format!("ghp_{}", g.b62(36)),
        "GITHUB_TOKEN={}",
        format!("GITHUB_TOKEN=ghp_{}", g.b62(35)),
    );
    tok(
        "github-refresh-token",
        format!("ghr_{}", g.b62(76)),
        "refresh_token: {}",
        format!("refresh_token: ghr_{}", g.b62(20)),
    );
    tok(
        "gitlab-agent-token",
        format!("glagent-{}", g.url(50)),
        "token: {}",
        format!("token: glagent-{}", g.url(30)),
    );
    tok(
        "gitlab-deploy-token",
        format!("gldt-{}", g.b62(20)),
        "CI_DEPLOY_PASSWORD={}",
        format!("CI_DEPLOY_PASSWORD=gldt-{}", g.b62(10)),
    );
    tok(
        "gitlab-feed-token",
        format!("glft-{}", g.b62(20)),
        "feed_token={}",
        format!("feed_token=glft-{}", g.b62(8)),
    );
    tok(
        "gitlab-incoming-mail-token",
        format!("glimt-{}", g.b62(25)),
        "incoming_email_token={}",
        format!("incoming_email_token=glimt-{}", g.b62(8)),
    );
    tok(
        "gitlab-oauth-app-secret",
        format!("gloas-{}", g.b62(64)),
        "GITLAB_APP_SECRET={}",
        format!("GITLAB_APP_SECRET=gloas-{}", g.b62(20)),
    );
    tok(
        "gitlab-pat",
        format!("glpat-{}", g.url(20)),
        "GITLAB_TOKEN={}",
        format!("GITLAB_TOKEN=glpat-{}", g.url(12)),
    );
    tok(
        "gitlab-pipeline-trigger-token",
        format!("glptt-{}", g.hex(40)),
        "TRIGGER_TOKEN={}",
        format!("TRIGGER_TOKEN=glptt-{}", g.hex(20)),
    );
    tok(
        "gitlab-runner-registration-token",
        format!("GR1348941{}", g.url(20)),
        "REGISTRATION_TOKEN={}",
        format!("REGISTRATION_TOKEN=GR1348941{}", g.url(8)),
    );
    tok(
        "gitlab-runner-token",
        format!("glrt-{}", g.url(20)),
        "  token = \"{}\"",
        format!("  token = \"glrt-{}\"", g.url(8)),
    );
    tok(
        "gitlab-scim-token",
        format!("glsoat-{}", g.url(20)),
        "SCIM_TOKEN={}",
        format!("SCIM_TOKEN=glsoat-{}", g.url(8)),
    );
    tok(
        "grafana-api-key",
        format!("eyJrIjoi{}", g.b62(80)),
        "GRAFANA_API_KEY={}",
        format!("GRAFANA_API_KEY=eyJrIjoi{}", g.b62(20)),
    );
    tok(
        "grafana-cloud-api-token",
        format!("glc_{}", g.b64(60)),
        "GRAFANA_CLOUD_TOKEN={}",
        format!("GRAFANA_CLOUD_TOKEN=glc_{}", g.b64(10)),
    );
    tok(
        "grafana-service-account-token",
        format!("glsa_{}_{}", g.b62(32), g.hex(8)),
        "GRAFANA_SA_TOKEN={}",
        format!("GRAFANA_SA_TOKEN=glsa_{}", g.b62(32)),
    );
    tok(
        "heroku-api-key",
        g.uuid(),
        "HEROKU_API_KEY={}",
        format!("HEROKU_APP_ID={}", g.uuid()),
    );
    tok(
        "heroku-api-key-v2",
        format!("HRKU-AA{}", g.url(58)),
        "HEROKU_API_KEY={}",
        format!("HEROKU_API_KEY=HRKU-AA{}", g.url(20)),
    );
    tok(
        "huggingface-access-token",
        format!("hf_{}", g.s(&format!("{UPPER}{LOWER}"), 34)),
        "HF_TOKEN={}",
        "from huggingface_hub import hf_hub_download".into(),
    );
    tok(
        "huggingface-org-token",
        format!("api_org_{}", g.s(&format!("{UPPER}{LOWER}"), 34)),
        "HF_ORG_TOKEN={}",
        "HF_ORG_TOKEN=api_org_short".into(),
    );
    tok("jwt", format!("eyJhbGciOiJIUzI1NiJ9.{}.{}", base64url(&format!("{{\"sub\":\"{}\",\"exp\":1900000000}}", g.hex(12))), g.url(43)), "Authorization: Bearer {}", "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c".into());
    tok(
        "kubeconfig-client-key-data",
        base64(format!("-----BEGIN RSA PRIVATE KEY-----\n{}\n", g.b64(120)).as_bytes()),
        "    client-key-data: {}",
        format!(
            "    client-certificate-data: {}",
            base64(format!("-----BEGIN CERTIFICATE-----\n{}\n", g.b64(120)).as_bytes())
        ),
    );
    tok(
        "kubernetes-service-account-token",
        format!(
            "eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.{}.{}",
            base64url(
                "{\"iss\":\"kubernetes/serviceaccount\",\"kubernetes.io/serviceaccount/namespace\":\"default\"}"
            ),
            g.url(86)
        ),
        "token: {}",
        format!(
            "token: eyJhbGciOiJSUzI1NiIsImtpZCI6IiJ9.{}.{}",
            base64url("{\"iss\":\"https://accounts.example\"}"),
            g.url(86)
        ),
    );
    tok(
        "linear-api-key",
        format!("lin_api_{}", g.b62(40)),
        "LINEAR_API_KEY={}",
        format!("LINEAR_API_KEY=lin_api_{}", g.b62(20)),
    );
    tok(
        "mailchimp-api-key",
        format!("{}-us14", g.hex(32)),
        "MAILCHIMP_KEY={}",
        format!("MAILCHIMP_KEY={}-user", g.hex(32)),
    );
    tok(
        "mailgun-api-key",
        format!("key-{}", g.hex(32)),
        "MAILGUN_KEY={}",
        "cache: key-value-store-for-sessions".into(),
    );
    tok(
        "mapbox-secret-token",
        format!("sk.eyJ1Ijoi{}.{}", g.url(30), g.url(22)),
        "MAPBOX_DOWNLOADS_TOKEN={}",
        format!("MAPBOX_TOKEN=pk.eyJ1Ijoi{}.{}", g.url(30), g.url(22)),
    );
    tok(
        "new-relic-insert-key",
        format!("NRII-{}", g.url(32)),
        "NEW_RELIC_INSERT_KEY={}",
        format!("NEW_RELIC_INSERT_KEY=NRII-{}", g.url(12)),
    );
    tok(
        "new-relic-user-api-key",
        format!("NRAK-{}", g.s(&format!("{UPPER}{DIGITS}"), 27)),
        "NEW_RELIC_API_KEY={}",
        format!("NEW_RELIC_API_KEY=NRAK-{}", g.s(UPPER, 12)),
    );
    tok(
        "notion-api-token",
        format!("ntn_{}{}", g.s(DIGITS, 11), g.b62(35)),
        "NOTION_TOKEN={}",
        format!("NOTION_TOKEN=ntn_{}", g.b62(20)),
    );
    tok(
        "npm-access-token",
        format!("npm_{}", g.b62(36)),
        "NPM_TOKEN={}",
        "export npm_config_cache=/tmp/.npm".into(),
    );
    tok(
        "npmrc-auth-token",
        g.uuid(),
        "//registry.npmjs.org/:_authToken={}",
        "//registry.npmjs.org/:_authToken=${NPM_TOKEN}".into(),
    );
    tok(
        "nuget-api-key",
        format!("oy2{}", g.s(&format!("{LOWER}{DIGITS}"), 43)),
        "NUGET_API_KEY={}",
        format!("NUGET_API_KEY=oy2{}", g.s(LOWER, 20)),
    );
    tok(
        "okta-api-token",
        format!("00{}", g.url(40)),
        "OKTA_API_TOKEN={}",
        "OKTA_ORG_URL=https://dev-1.okta.com".into(),
    );
    tok(
        "openai-api-key",
        format!("sk-proj-{}T3BlbkFJ{}", g.url(74), g.url(74)),
        "OPENAI_API_KEY={}",
        format!("OPENAI_API_KEY=sk-proj-{}", g.url(40)),
    );
    tok(
        "openshift-user-token",
        format!("sha256~{}", g.url(43)),
        "oc login --token={}",
        format!("image: registry/app@sha256:{}", g.hex(64)),
    );
    tok(
        "paypal-braintree-access-token",
        format!(
            "access_token$production${}${}",
            g.s(&format!("{LOWER}{DIGITS}"), 16),
            g.hex(32)
        ),
        "BRAINTREE_TOKEN={}",
        format!(
            "BRAINTREE_TOKEN=access_token$sandbox${}${}",
            g.s(LOWER, 16),
            g.hex(32)
        ),
    );
    {
        let body = format!(
            "lQWGBGR{}\n{}\n{}\n={}",
            g.b64(57),
            g.b64(64),
            g.b64(64),
            g.b62(4)
        );
        let text = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}\n-----END PGP PRIVATE KEY BLOCK-----\n"
        );
        let miss = format!(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQGNBGR{}\n-----END PGP PUBLIC KEY BLOCK-----\n",
            g.b64(64)
        );
        v.push(Sample {
            id: "pgp-private-key",
            secret: body,
            text,
            miss,
        });
    }
    let mut tok = |id, secret: String, template: &str, miss: String| {
        v.push(line(id, secret, template, miss));
    };
    tok(
        "planetscale-token",
        format!("pscale_pw_{}", g.url(43)),
        "PLANETSCALE_PASSWORD={}",
        format!("PLANETSCALE_PASSWORD=pscale_pw_{}", g.url(12)),
    );
    tok(
        "postman-api-token",
        format!("PMAK-{}-{}", g.hex(24), g.hex(34)),
        "POSTMAN_API_KEY={}",
        format!("POSTMAN_API_KEY=PMAK-{}", g.hex(24)),
    );
    tok(
        "prefect-api-token",
        format!("pnu_{}", g.b62(36)),
        "PREFECT_API_KEY={}",
        format!("PREFECT_API_KEY=pnu_{}", g.b62(12)),
    );
    {
        let (text, body) = pem("RSA PRIVATE KEY", g);
        let miss = "if line == \"-----BEGIN PRIVATE KEY-----\" {\n    parse_pkcs8(lines)\n} // -----END PRIVATE KEY-----\n".to_owned();
        v.push(Sample {
            id: "private-key",
            secret: body,
            text,
            miss,
        });
        let (text, body) = pem("ENCRYPTED PRIVATE KEY", g);
        let miss =
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n"
                .to_owned();
        v.push(Sample {
            id: "private-key-encrypted",
            secret: body,
            text,
            miss,
        });
    }
    let mut tok = |id, secret: String, template: &str, miss: String| {
        v.push(line(id, secret, template, miss));
    };
    tok(
        "pulumi-api-token",
        format!("pul-{}", g.hex(40)),
        "PULUMI_ACCESS_TOKEN={}",
        format!("PULUMI_ACCESS_TOKEN=pul-{}", g.hex(20)),
    );
    {
        let secret = format!("{}\n{}", g.b64(64), g.b64(44));
        let text = format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@ci\nPublic-Lines: 2\n{}\n{}\nPrivate-Lines: 2\n{secret}\nPrivate-MAC: {}\n",
            g.b64(64),
            g.b64(20),
            g.hex(64)
        );
        let miss = format!(
            "---- BEGIN SSH2 PUBLIC KEY ----\nComment: \"deploy@ci\"\n{}\n---- END SSH2 PUBLIC KEY ----\n",
            g.b64(68)
        );
        v.push(Sample {
            id: "putty-private-key",
            secret,
            text,
            miss,
        });
    }
    let mut tok = |id, secret: String, template: &str, miss: String| {
        v.push(line(id, secret, template, miss));
    };
    tok(
        "pypi-upload-token",
        format!("pypi-AgEIcHlwaS5vcmc{}", g.url(70)),
        "password = {}",
        format!("password = pypi-AgENdGVzdC5weXBpLm9yZw{}", g.url(70)),
    );
    tok(
        "readme-api-token",
        format!("rdme_{}", g.s(&format!("{LOWER}{DIGITS}"), 70)),
        "README_API_KEY={}",
        format!("README_API_KEY=rdme_{}", g.s(LOWER, 20)),
    );
    tok(
        "rubygems-api-token",
        format!("rubygems_{}", g.hex(48)),
        ":rubygems_api_key: {}",
        format!(":rubygems_api_key: rubygems_{}", g.hex(20)),
    );
    tok(
        "sendgrid-api-token",
        format!("SG.{}.{}", g.url(22), g.url(43)),
        "SENDGRID_API_KEY={}",
        "msg.send(payload) // SG.setApiKey(process.env.SENDGRID_API_KEY)".into(),
    );
    tok(
        "sentry-auth-token",
        format!("sntryu_{}", g.hex(64)),
        "SENTRY_AUTH_TOKEN={}",
        format!("SENTRY_AUTH_TOKEN=sntryu_{}", g.hex(20)),
    );
    tok(
        "sentry-dsn",
        g.hex(32),
        "SENTRY_DSN=https://{}@o4504.ingest.sentry.io/4505",
        "SENTRY_DSN=https://public@sentry.acme.io/1".into(),
    );
    tok(
        "shopify-access-token",
        format!("shpat_{}", g.hex(32)),
        "SHOPIFY_ACCESS_TOKEN={}",
        format!("SHOPIFY_ACCESS_TOKEN=shpat_{}", g.hex(20)),
    );
    tok(
        "shopify-shared-secret",
        format!("shpss_{}", g.hex(32)),
        "SHOPIFY_SHARED_SECRET={}",
        format!("SHOPIFY_SHARED_SECRET=shpss_{}", g.hex(20)),
    );
    tok(
        "slack-app-token",
        format!(
            "xapp-1-A{}-{}-{}",
            g.s(&format!("{UPPER}{DIGITS}"), 10),
            g.s(DIGITS, 13),
            g.hex(64)
        ),
        "SLACK_APP_TOKEN={}",
        "SLACK_APP_TOKEN=xapp-1-abc".into(),
    );
    tok(
        "slack-bot-token",
        format!("xoxb-{}-{}-{}", g.s(DIGITS, 12), g.s(DIGITS, 13), g.b62(24)),
        "SLACK_BOT_TOKEN={}",
        "SLACK_BOT_TOKEN=xoxb-your-bot-token".into(),
    );
    tok(
        "slack-user-token",
        format!(
            "xoxp-{}-{}-{}-{}",
            g.s(DIGITS, 12),
            g.s(DIGITS, 12),
            g.s(DIGITS, 13),
            g.hex(32)
        ),
        "SLACK_USER_TOKEN={}",
        format!("SLACK_USER_TOKEN=xoxp-{}", g.s(DIGITS, 12)),
    );
    tok(
        "slack-webhook-url",
        format!(
            "T{}/B{}/{}",
            g.s(&format!("{UPPER}{DIGITS}"), 8),
            g.s(&format!("{UPPER}{DIGITS}"), 10),
            g.b62(24)
        ),
        "SLACK_WEBHOOK=https://hooks.slack.com/services/{}",
        "SLACK_WEBHOOK=https://hooks.slack.com/services/T000/B000/XXXX".into(),
    );
    tok(
        "sonarqube-token",
        format!("squ_{}", g.hex(40)),
        "SONAR_TOKEN={}",
        format!("SONAR_TOKEN=squ_{}", g.hex(20)),
    );
    tok(
        "square-access-token",
        format!("EAAA{}", g.url(60)),
        "SQUARE_ACCESS_TOKEN={}",
        format!("SQUARE_ACCESS_TOKEN=EAAA{}", "a".repeat(60)),
    );
    tok(
        "square-oauth-secret",
        format!("sq0csp-{}", g.url(43)),
        "SQUARE_APP_SECRET={}",
        format!("SQUARE_APP_SECRET=sq0csp-{}", g.url(20)),
    );
    tok(
        "stripe-restricted-key",
        format!("rk_live_{}", g.b62(99)),
        "STRIPE_RESTRICTED_KEY={}",
        format!("STRIPE_RESTRICTED_KEY=rk_test_{}", g.b62(99)),
    );
    tok(
        "stripe-secret-key",
        format!("sk_live_{}", g.b62(24)),
        "stripe.api_key = \"{}\"",
        format!("stripe.api_key = \"sk_live_{}\"", "x".repeat(24)),
    );
    tok(
        "supabase-access-token",
        format!("sbp_{}", g.hex(40)),
        "SUPABASE_ACCESS_TOKEN={}",
        format!("SUPABASE_ACCESS_TOKEN=sbp_{}", g.hex(20)),
    );
    tok(
        "telegram-bot-token",
        format!("{}:AA{}", g.s(DIGITS, 10), g.url(33)),
        "TELEGRAM_BOT_TOKEN={}",
        "link/ether 02:42:ac:11:00:aa brd ff:ff:ff:ff:ff:ff".into(),
    );
    tok(
        "tencent-cloud-secret-id",
        format!("AKID{}", g.b62(32)),
        "TENCENTCLOUD_SECRET_ID={}",
        format!("TENCENTCLOUD_SECRET_ID=AKID{}", g.b62(16)),
    );
    tok(
        "terraform-cloud-api-token",
        format!("{}.atlasv1.{}", g.b62(14), g.url(67)),
        "credentials \"app.terraform.io\" { token = \"{}\" }",
        format!("token = \"{}.atlasv1.{}\"", g.b62(14), g.url(20)),
    );
    tok(
        "twilio-api-key",
        format!("SK{}", g.hex(32)),
        "TWILIO_API_KEY={}",
        format!("TWILIO_ACCOUNT_SID=AC{}", g.hex(32)),
    );
    tok(
        "twilio-auth-token",
        g.hex(32),
        "TWILIO_AUTH_TOKEN={}",
        format!("TWILIO_AUTH_TOKEN={}", "0".repeat(32)),
    );
    tok(
        "twitch-api-token",
        g.s(&format!("{LOWER}{DIGITS}"), 30),
        "TWITCH_CLIENT_SECRET={}",
        "TWITCH_CLIENT_SECRET=short".into(),
    );
    tok(
        "twitter-bearer-token",
        format!(
            "{}{}",
            "A".repeat(22),
            g.s(&format!("{UPPER}{LOWER}{DIGITS}%"), 90)
        ),
        "TWITTER_BEARER_TOKEN={}",
        format!("blob: {}", "A".repeat(120)),
    );
    tok("url-password", format!("{}7", g.b62(14)), "git clone https://deploy:{}@git.acme.internal/app.git", "git clone https://deploy:${GIT_PASSWORD}@git.acme.internal/app.git\nsee https://user:password@host/ in the docs".into());
    tok(
        "vault-batch-token",
        format!("hvb.{}", g.url(150)),
        "VAULT_TOKEN={}",
        format!("VAULT_TOKEN=hvb.{}", g.url(40)),
    );
    tok(
        "vault-service-token",
        format!("hvs.{}", g.url(90)),
        "VAULT_TOKEN={}",
        format!("VAULT_TOKEN=hvs.{}", "a".repeat(24)),
    );
    tok(
        "authorization-header",
        g.url(40),
        "resp = requests.post(url, headers={\"Authorization\": \"Bearer {}\"})",
        "curl -sf -H \"Authorization: Bearer $API_TOKEN\" https://api.acme.internal/v1/deploy\nAuthorization: Basic <base64 of user:password>".into(),
    );
    tok(
        "curl-basic-auth",
        format!("{}7", g.b62(15)),
        "curl -fsSL -u deploy:{} https://nexus.acme.internal/repository/raw/app.tgz -o app.tgz",
        "curl -fsSL -u \"$NEXUS_USER:$NEXUS_PASSWORD\" https://nexus.acme.internal/\ncurl -u admin https://nexus.acme.internal/".into(),
    );
    tok(
        "atlassian-api-token-legacy",
        format!("{}{}", g.b62(20), g.hex(4)),
        "JIRA_TOKEN = \"{}\"",
        "JIRA_TOKEN = \"aaaaaaaaaaaaaaaaaaaa1234\"\nJIRA_URL = \"https://acme.atlassian.net/\""
            .into(),
    );
    tok(
        "curl-auth-header",
        g.b62(40),
        "curl -fsS -H \"X-Api-Key: {}\" https://api.acme.internal/v1/items",
        "curl -fsS -H \"X-Api-Key: $API_KEY\" https://api.acme.internal/v1/items\ncurl -H 'Accept: application/json' https://x".into(),
    );
    tok(
        "dropbox-app-secret",
        g.s("abcdefghijklmnopqrstuvwxyz0123456789", 15),
        "DROPBOX_APP_SECRET={}",
        "DROPBOX_FOLDER=backupsfolder01".into(),
    );
    tok(
        "docker-config-secret",
        base64(
            format!(
                "{{\"auths\":{{\"registry.acme.io\":{{\"auth\":\"{}\"}}}}}}",
                base64(format!("ci:{}", g.b62(24)).as_bytes())
            )
            .as_bytes(),
        ),
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        "type: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: \"\"\n".into(),
    );
    tok(
        "slack-legacy-token",
        format!(
            "xoxs-{}-{}-{}-{}",
            g.s(DIGITS, 10),
            g.s(DIGITS, 10),
            g.s(DIGITS, 10),
            g.hex(10)
        ),
        "SLACK_TOKEN={}",
        "see https://indieweb.org/2018-250-xoxo-indieweb-1.jpg".into(),
    );
    tok(
        "sidekiq-credentials",
        format!("{}:{}", g.hex(8), g.hex(8)),
        "ENV BUNDLE_GEMS__CONTRIBSYS__COM={}",
        "ENV BUNDLE_GEMS__CONTRIBSYS__COM=${SIDEKIQ_CREDENTIALS}".into(),
    );
    tok(
        "sidekiq-sensitive-url",
        format!("{}:{}", g.hex(8), g.hex(8)),
        "source \"https://{}@gems.contribsys.com/\" do",
        "source \"https://gems.contribsys.com/\" do".into(),
    );
    tok(
        "slack-legacy-bot-token",
        format!("xoxb-{}-{}", g.s(DIGITS, 11), g.b62(24)),
        "SLACK_TOKEN={}",
        "SLACK_TOKEN=xoxb-1234-your-token".into(),
    );
    tok(
        "snyk-api-token",
        g.uuid(),
        "SNYK_TOKEN={}",
        "SNYK_TOKEN=${SNYK_TOKEN}".into(),
    );
    tok(
        "sourcegraph-access-token",
        format!("sgp_{}_{}", g.hex(16), g.hex(40)),
        "SRC_ACCESS_TOKEN={}",
        format!("SRC_ACCESS_TOKEN=sgp_{}", g.hex(20)),
    );
    {
        // A PEM block inside a JSON string keeps its line breaks as `\n` escapes.
        let (pem_text, body) = pem("PRIVATE KEY", g);
        let text = format!(
            "{{\"tls\": {{\"key\": \"{}\"}}}}",
            pem_text.replace('\n', "\\n")
        );
        v.push(Sample {
            id: "private-key",
            secret: body.replace('\n', "\\n"),
            text,
            miss: "{\"key\": \"-----BEGIN PRIVATE KEY-----\\n...\\n-----END PRIVATE KEY-----\"}"
                .into(),
        });
    }
    v
}

#[test]
fn every_rule_has_a_sample() {
    let sampled: BTreeSet<&str> = samples().iter().map(|s| s.id).collect();
    let missing: Vec<&str> = RULES
        .iter()
        .map(|r| r.meta.id)
        .filter(|id| !sampled.contains(id))
        .collect();
    assert!(missing.is_empty(), "rules without a sample: {missing:?}");
}

#[test]
fn every_sample_fires_its_rule_only_and_is_masked() {
    let mut failures = Vec::new();
    for s in samples() {
        let text = format!("# generated by the build\n{}\n", s.text);
        let findings = SCANNER.scan("app/config.env", text.as_bytes());
        let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        if ids != [s.id] {
            failures.push(format!(
                "{}: expected exactly [{}], got {ids:?}",
                s.id, s.id
            ));
            continue;
        }
        let f = &findings[0];
        let multiline = s.text.contains('\n');
        if !multiline && f.location.line != Some(2) {
            failures.push(format!("{}: line {:?}", s.id, f.location.line));
        }
        let json = serde_json::to_string(f).unwrap();
        let chars: Vec<char> = s.secret.chars().collect();
        // No 12-character piece of the secret may appear anywhere in the finding.
        for w in chars.windows(12) {
            let piece: String = w.iter().collect();
            if json.contains(&piece) {
                failures.push(format!("{}: finding shows `{piece}`", s.id));
                break;
            }
        }
        let message = f.message.as_deref().unwrap_or_default();
        if !message.contains("****") {
            failures.push(format!("{}: message is not masked: {message}", s.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn near_misses_do_not_fire() {
    let mut failures = Vec::new();
    for s in samples() {
        let findings = SCANNER.scan("app/config.env", s.miss.as_bytes());
        let own: Vec<_> = findings.iter().filter(|f| f.id == s.id).collect();
        if !own.is_empty() {
            failures.push(format!(
                "{}: fired on near miss: {:?}",
                s.id, own[0].message
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Files written on Windows (or by tools that emit CRLF) must not hide secrets: the same
/// sample with `\r\n` line endings fires the same rule, on the same line, and the reported
/// secret carries no `\r`.
#[test]
fn issue_15_every_sample_fires_with_crlf_line_endings() {
    let mut failures = Vec::new();
    for s in samples() {
        let text = format!("# generated by the build\n{}\n", s.text).replace('\n', "\r\n");
        let findings = SCANNER.scan("app/config.env", text.as_bytes());
        let ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        if ids != [s.id] {
            failures.push(format!(
                "{}: expected exactly [{}], got {ids:?}",
                s.id, s.id
            ));
            continue;
        }
        let f = &findings[0];
        if !s.text.contains('\n') && f.location.line != Some(2) {
            failures.push(format!("{}: line {:?}", s.id, f.location.line));
        }
        let message = f.message.as_deref().unwrap_or_default();
        if message.contains('\r') {
            failures.push(format!("{}: message keeps the CR: {message:?}", s.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The rule ids of what the built-in scanner finds in `text` at `path`, in file order.
fn ids(path: &str, text: &str) -> Vec<String> {
    SCANNER
        .scan(path, text.as_bytes())
        .iter()
        .map(|f| f.id.to_string())
        .collect()
}

/// See: issues/15. Values typed by hand as an alphabet run are documentation: a config
/// that holds one is quiet, while a key of the same shape made here is still reported.
#[test]
fn issue_15_alphabet_fillers_are_not_reported() {
    let mut g = Gen(0x0066_6972_6562);
    let services = |key: &str| {
        format!("{{\n  \"client\": [{{ \"api_key\": [{{ \"current_key\": \"{key}\" }}] }}]\n}}\n")
    };
    let fillers = [
        format!("apiKey: \"AIzaSy{}{}\"", LOWER, g.url(7)),
        format!("stripe.api_key = \"sk_live_{}{}\"", &UPPER[..12], g.b62(12)),
    ];
    for text in &fillers {
        assert!(ids("app/config.yaml", text).is_empty(), "{text}");
    }
    let key = format!("AIzaSy{}", g.url(33));
    assert_eq!(
        ids("app/google-services.json", &services(&key)),
        ["gcp-api-key"]
    );
}

/// See: issues/15. A token whose shape names its issuer is reported by the issuer's rule
/// even where it stands in an `Authorization` header or a curl `-H`, so the finding says
/// which credential to revoke; an opaque token there is still the header's finding.
#[test]
fn issue_15_issuer_tokens_in_headers_are_reported_by_the_issuer_rule() {
    let mut g = Gen(0x6865_6164);
    let cases = [
        (
            format!("glsa_{}_{}", g.b62(32), g.hex(8)),
            "grafana-service-account-token",
        ),
        (format!("ghp_{}", g.b62(36)), "github-pat"),
        (format!("glpat-{}", g.b62(20)), "gitlab-pat"),
        (
            format!("{}{}", g.b62(20), g.hex(12)),
            "authorization-header",
        ),
    ];
    for (token, id) in &cases {
        for text in [
            format!("headers = {{'Authorization': 'Bearer {token}'}}\n"),
            format!("Authorization: token {token}\n"),
        ] {
            let found = ids("app/client.py", &text);
            assert_eq!(found, [*id], "{text}");
        }
    }
    let curl = format!(
        "curl -H \"Authorization: Bearer {}\" https://api.github.com/user\n",
        cases[1].0
    );
    let found = ids("deploy.sh", &curl);
    assert_eq!(found, ["github-pat"]);
}

/// See: issues/15. Slack app-level tokens end in a long alphanumeric segment of either
/// case (gitleaks matches it case-insensitively); a short last segment is no token.
#[test]
fn issue_15_slack_app_token_last_segment_of_either_case() {
    let mut g = Gen(0x7861_7070);
    let upper_digits = format!("{UPPER}{DIGITS}");
    let head = format!("xapp-1-A{}-{}", g.s(&upper_digits, 10), g.s(DIGITS, 13));
    for tail in [g.b62(64), g.hex(64), g.s(&format!("{UPPER}{DIGITS}"), 40)] {
        let text = format!("SLACK_APP_TOKEN={head}-{tail}\n");
        let found = ids("app/.env", &text);
        assert_eq!(found, ["slack-app-token"], "{text}");
    }
    let short = format!("SLACK_APP_TOKEN={head}-{}\n", g.b62(12));
    assert!(
        !SCANNER
            .scan("app/.env", short.as_bytes())
            .iter()
            .any(|f| f.id == "slack-app-token"),
        "{short}"
    );
}

/// See: issues/15. SonarQube tokens are reported with their `squ_`/`sqp_`/`sqa_` prefix
/// anywhere and, without it, where a Sonar setting names them (`sonar.login`,
/// `SONAR_TOKEN`), as gitleaks' sonar rule does; a 40-character string elsewhere on a
/// line that mentions Sonar is not a token.
#[test]
fn issue_15_sonarqube_tokens_named_by_their_setting() {
    let mut g = Gen(0x736f_6e61);
    for text in [
        format!("sonar.login={}\n", g.b62(40)),
        format!("sonar.token = {}\n", g.b62(40)),
        format!("env:\n  SONAR_TOKEN: \"{}\"\n", g.b62(40)),
        format!("<sonar.login>{}</sonar.login>\n", g.b62(40)),
        format!("token = \"sqp_{}\"\n", g.hex(40)),
    ] {
        assert_eq!(ids("ci/build.yml", &text), ["sonarqube-token"], "{text}");
    }
    for text in [
        format!(
            "sonar-scanner -Dsonar.projectVersion={} -Dsonar.host.url=https://sonar.acme.internal\n",
            g.hex(40)
        ),
        "sonar.login=${SONAR_TOKEN}\n".to_string(),
        format!("# sonar: see commit {}\n", g.hex(40)),
    ] {
        assert!(
            !ids("ci/build.yml", &text).contains(&"sonarqube-token".to_string()),
            "{text}"
        );
    }
}

/// See: issues/15. An `Authorization` header in a curl command is the curl rule's finding
/// (its remediation is about curl), not the bare header rule's.
#[test]
fn issue_15_curl_header_is_reported_by_the_curl_rule() {
    let mut g = Gen(0x6375_726c);
    let token = format!("{}{}", g.b62(24), g.hex(8));
    let curl =
        format!("curl -s -H \"Authorization: Bearer {token}\" https://api.acme.internal/v1\n");
    let bare = format!("Authorization: Bearer {token}\n");
    for (text, id) in [(curl, "curl-auth-header"), (bare, "authorization-header")] {
        let found = ids("deploy.sh", &text);
        assert_eq!(found, [id], "{text}");
    }
}

/// See: issues/15. A legacy (24-character) Atlassian API token is any 24 letters and
/// digits after a Jira, Confluence or Atlassian name, as gitleaks and Trivy read it; a
/// value of that length with little variety (an id, a repeated filler) is not one.
#[test]
fn issue_15_atlassian_legacy_tokens_of_any_alphanumerics() {
    let mut g = Gen(0x6a69_7261);
    for text in [
        format!("JIRA_API_TOKEN={}\n", g.b62(24)),
        format!(
            "confluence.token: \"{}\"\n",
            g.s(&format!("{UPPER}{LOWER}"), 24)
        ),
        format!("atlassian_api_token = '{}'\n", g.b62(24)),
    ] {
        assert_eq!(
            ids("ci/env", &text),
            ["atlassian-api-token-legacy"],
            "{text}"
        );
    }
    for text in [
        "confluence_page_id = \"123456789012345678901234\"\n".to_string(),
        format!("JIRA_TOKEN={}\n", "ab".repeat(12)),
    ] {
        assert!(
            !ids("ci/env", &text).contains(&"atlassian-api-token-legacy".to_string()),
            "{text}"
        );
    }
}

/// See: issues/15. A Clojars deploy token's body is matched in either case, as gitleaks
/// does; the `CLOJARS_` prefix itself stays upper case, and a short body is no token.
#[test]
fn issue_15_clojars_token_body_of_either_case() {
    let mut g = Gen(0x636c_6f6a);
    for body in [g.b62(60), g.s(&format!("{LOWER}{DIGITS}"), 60)] {
        let text = format!("CLOJARS_PASSWORD=CLOJARS_{body}\n");
        assert_eq!(ids("ci/deploy.env", &text), ["clojars-api-token"], "{text}");
    }
    let short = format!("CLOJARS_PASSWORD=CLOJARS_{}\n", g.b62(30));
    assert!(!ids("ci/deploy.env", &short).contains(&"clojars-api-token".to_string()));
}
