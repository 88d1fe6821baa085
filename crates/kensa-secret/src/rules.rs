//! The built-in secret rules: one table row per credential type, sorted by id.
//!
//! Formats follow the issuers' documented token shapes (the same ground gitleaks and
//! Trivy cover); the rows are written for kensa. Every regex names the credential with
//! a `secret` capture group, so masking and entropy work on the value and not on the
//! surrounding `KEY=`. Regexes are compiled without Unicode (`\w`, `\s`, `\b` are ASCII)
//! so that the lazy DFA never falls back to a slower engine on non-ASCII text.

use kensa_core::{RuleMeta, Section, Severity};

/// A post-match check that a regex alone cannot express.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// No further check.
    None,
    /// The value must be base64 of `user:password` (Docker `config.json` `auth`).
    Base64UserPass,
    /// The name must not be the shell's working-directory variable (`PWD=/srv`,
    /// `OLDPWD`, Perl's `$pwd`): `pwd` alone means "print working directory".
    NotWorkingDir,
    /// The value must not be a JSON Web Token: the `jwt` rule reports those by what
    /// they are, wherever they stand (an `Authorization: Bearer` header included).
    NotJwt,
    /// The name the value is assigned to names something else than the secret itself:
    /// an identifier, a file, a place or a size (`credentialsId`, `SECRET_NAME`,
    /// `token_url`, `key_length`), a public or anti-forgery token (`publicToken`,
    /// `csrf-token`), a list (`storeSecrets`), or a library (`io.jsonwebtoken`). A JWT
    /// value is left to the `jwt` rule, which names what it is.
    NotHolder,
    /// The value is `user:password` (quotes allowed around either part, one part may be
    /// empty): the password must not repeat the user or be a documentation word
    /// (`user:pass`, `admin:changeme`, `test:test`, `x:xxxx`).
    UserPass,
    /// The value carries its issuer's `xxx_` prefix, or the match starts before it at a
    /// name that says whose token it is (`sonar.login=`): an unprefixed value on its own
    /// is any 40-character string.
    PrefixedOrNamed,
}

/// A cheap test at a keyword hit that must pass before the rule's regex runs on the
/// line; it never rejects a line the regex would match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Gate {
    /// No test.
    None,
    /// After the keyword: a run of `[A-Za-z0-9_.-]`, an optional quote, blanks, then `=`
    /// or `:` (the `NAME = value` shape of context rules).
    Assign,
    /// [`Gate::Assign`], then a value the rule could accept: for the generic rules, whose
    /// keywords (`password`, `secret`) are everywhere in code, this skips the regex on
    /// `password = None` and `secret = os.environ.get(...)`.
    AssignValue(Value),
    /// An `@` follows the keyword on the same line (credentials in a URL).
    At,
    /// After the keyword: the rest of a name (letters, digits, `_.-`, blanks), quotes
    /// (escaped ones too), blanks, then one of the assignment operators `ctx!` allows
    /// (`=`, `:`, `:=`, `::=`, `?=`, `+=`, `.=`, `=>`, `>`, `,`, `(`, `|`). The rule's
    /// regex then runs over the keyword's line and the next one, where a YAML block
    /// scalar (`key: |`) or an XML element (`<key>`) puts the value.
    Context,
}

/// The shape of an assigned value, as [`Gate::AssignValue`] checks it: the longest run of
/// the value's bytes must have the rule's length and be followed by what the rule's
/// regex allows after it (for the generic rules: the end of the line, a blank, a quote,
/// `,`, `;` or a closing bracket, so a call such as `hash_password(x)` is no value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// At least 16 of `[A-Za-z0-9_.+/~=-]` (`generic-api-key`).
    Key,
    /// At least 6 bytes other than blanks, quotes, `,;` and brackets (`generic-password`).
    Password,
    /// Exactly 40 of `[A-Za-z0-9/+]`, not followed by `=` (`aws-secret-access-key`).
    AwsSecret,
}

/// The bytes that stand next to a rule's 3-byte keywords in every match of its regex.
/// The keyword prefilter looks for 4 bytes at a time, so it widens a 3-byte keyword
/// by each possible neighbour; without this it widens it by all 128 byte values,
/// which makes the whole pass slower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Beside {
    /// Not known.
    Any,
    /// One of these bytes follows the keyword.
    After(&'static str),
    /// One of these bytes precedes the keyword.
    Before(&'static str),
}

const DIGITS: &str = "0123456789";
const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const LOWER_DIGITS: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64URL: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
/// What follows `SG.` in a SendGrid key.
const SENDGRID_NEXT: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=_.-";
/// What follows the `.ey` of a JWT's claims.
const JWT_NEXT: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/\\_-";
/// What follows a name keyword in `NAME = value`: more of the name, a quote, a blank or
/// the separator (`[\w.-]`, `["'`]`, `\s` without line breaks, `=`, `:`).
const NAME_NEXT: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-\"'` \t\r\x0b\x0c=:";
/// The last byte of a URL scheme, before `://`.
const SCHEME_END: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-";

/// One built-in secret rule.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// What every rule states: the frozen, kebab-case id (the finding id, what ignore
    /// files name), the credential as the title, how bad a leak is, the shared why, and
    /// the fix (how to revoke this credential, then how to rebuild without it).
    pub meta: RuleMeta,
    /// The issuer or kind (`AWS`, `GitHub`, `Private key`, `Generic`).
    pub category: &'static str,
    /// Literal keywords; the rule's regex runs only where one occurs. They are found
    /// case-insensitively; a keyword that appears verbatim in a case-sensitive regex
    /// (`AKIA`, `ghp_`) must then also match in that case, which keeps words such as
    /// `Asia/Tokyo` from running the AWS regex.
    pub keywords: &'static [&'static str],
    /// The regex; the `secret` group is the credential.
    pub regex: &'static str,
    /// Minimum Shannon entropy (bits per byte) of the secret, for rules whose format
    /// alone also matches ordinary words.
    pub entropy: Option<f32>,
    /// The regex spans lines (PEM blocks, JSON key files): it runs over the whole file
    /// once a keyword occurs, instead of over the keyword's line.
    pub multiline: bool,
    /// The rule yields to any other rule that matched the same text (generic rules).
    pub fallback: bool,
    /// The value comes from a free-form assignment, so placeholder words and
    /// identifier-like values (`settings.API_KEY`) are not reported.
    pub loose: bool,
    /// Extra validation.
    pub check: Check,
    /// The pre-regex test at each keyword hit.
    pub gate: Gate,
    /// What stands next to the rule's 3-byte keywords in every match.
    pub beside: Beside,
    /// Where and how to revoke this credential; the start of the remediation.
    pub revoke: &'static str,
}

/// Why every secret rule matters; their findings differ in how to revoke.
pub(crate) const WHY: &str = "A clear-text credential in an image can be read by everyone who \
    can pull the image, from every registry, cache and node it was copied to, for as long as \
    the image exists; deleting the file in a later layer does not remove it from the layer \
    that added it.";

/// The first words of every secret finding's remediation, before how to revoke.
macro_rules! leaked {
    () => {
        "Treat the credential as leaked: "
    };
}
/// The rest of every secret finding's remediation, after how to revoke.
macro_rules! rebuild {
    () => {
        " Then take it out of the image and rebuild: deleting the file in a later layer does \
         not remove it, because the layer that added it still holds it, as the image config \
         and history keep ENV, LABEL and build-argument values. Pass build-time secrets with \
         `RUN --mount=type=secret` and inject run-time secrets from the orchestrator's secret \
         store or the environment at start-up."
    };
}

/// How to revoke one credential, and the remediation that starts with it (assembled at
/// compile time, so that the rule's [`RuleMeta::fix`] is static text).
#[derive(Clone, Copy, Debug)]
struct Revoke {
    revoke: &'static str,
    fix: &'static str,
}

macro_rules! revoke {
    ($revoke:literal) => {
        Revoke {
            revoke: $revoke,
            fix: concat!(leaked!(), $revoke, rebuild!()),
        }
    };
}

const fn rule(
    id: &'static str,
    title: &'static str,
    category: &'static str,
    severity: Severity,
    keywords: &'static [&'static str],
    regex: &'static str,
    revoke: Revoke,
) -> Rule {
    Rule {
        meta: RuleMeta {
            id,
            title,
            severity,
            section: Section::EmbeddedClearTextSecrets,
            why: WHY,
            fix: revoke.fix,
            links: &[],
        },
        category,
        keywords,
        regex,
        entropy: None,
        multiline: false,
        fallback: false,
        loose: false,
        check: Check::None,
        gate: Gate::None,
        beside: Beside::Any,
        revoke: revoke.revoke,
    }
}

impl Rule {
    const fn entropy(mut self, bits: f32) -> Rule {
        self.entropy = Some(bits);
        self
    }
    const fn multiline(mut self) -> Rule {
        self.multiline = true;
        self
    }
    const fn loose(mut self) -> Rule {
        self.loose = true;
        self
    }
    const fn fallback(mut self) -> Rule {
        self.fallback = true;
        self.loose = true;
        self
    }
    /// Every match has one of `bytes` right after its 3-byte keywords.
    const fn after(mut self, bytes: &'static str) -> Rule {
        self.beside = Beside::After(bytes);
        self
    }
    /// Every match has one of `bytes` right before its 3-byte keywords.
    const fn before(mut self, bytes: &'static str) -> Rule {
        self.beside = Beside::Before(bytes);
        self
    }
    const fn gate(mut self, gate: Gate) -> Rule {
        self.gate = gate;
        self
    }
    const fn check(mut self, check: Check) -> Rule {
        self.check = check;
        self
    }
}

/// The remediation for a leaked credential, starting with how to revoke it: for custom
/// rules, whose revoke text is known only at run time. Built-in rules carry the same
/// text as their [`RuleMeta::fix`].
pub(crate) fn remediation(revoke: &str) -> String {
    format!(concat!(leaked!(), "{}", rebuild!()), revoke)
}

// Pieces shared by context rules: a `KEY = "value"`, `key: value`, `"key": "value"`,
// `KEY=value` or `key => value` separator with optional quotes around it.
macro_rules! assign {
    () => {
        r#"["'`]?\s*(?:=>|:=|=|:)\s*["'`]?"#
    };
}
// The shape gitleaks gives its vendor rules (a name holding the vendor's word, then a
// value): the rest of the name, blanks included (`var jiraToken string =`), quotes
// (escaped ones too, as in JSON inside a string), one of the operators of config files
// and programming languages (`=`, `:`, `:=`, `::=`, `?=`, `+=`, `.=`, `=>`, XML's `>`,
// CSV's `,`, a call's `(`, `|`), then blanks, quotes or a YAML block indicator, which
// may end the line (the scanner gives these rules the next line too).
macro_rules! ctx {
    () => {
        r#"[\w \t.-]{0,40}(?:\\*["'`]{0,3})?[ \t]{0,5}(?:[<>?+.]?=|:{1,3}=|=>|>|:|\(|,|\|)(?:\\*["']|[`\s=|>]){0,5}"#
    };
}
// After a `ctx!` value: a quote, blank, separator or the end of the line.
macro_rules! ctx_end {
    () => {
        r#"(?:["'`\s;\\<,)]|$)"#
    };
}
// The value ends at a quote, space, separator or end of line.
macro_rules! end {
    () => {
        r#"(?:[\s"'`,;)\]}]|$)"#
    };
}

use Severity::{Critical, High, Low, Medium};

/// Every built-in rule, sorted by id.
#[rustfmt::skip]
pub static RULES: &[Rule] = &[
    rule("adobe-client-secret", "Adobe client secret", "Adobe", High, &["p8e-"],
        r"\b(?P<secret>p8e-[A-Za-z0-9]{32})\b",
        revoke!("delete the client secret in the Adobe Developer Console and issue a new one.")).entropy(3.0),
    rule("age-secret-key", "age secret key", "age", High, &["AGE-SECRET-KEY-1"],
        r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})",
        revoke!("generate a new identity with `age-keygen` and re-encrypt the files meant for the old one.")),
    rule("alibaba-access-key-id", "Alibaba Cloud AccessKey ID", "Alibaba", High, &["LTAI"],
        r"\b(?P<secret>LTAI[A-Za-z0-9]{20})\b",
        revoke!("disable and delete the AccessKey pair in the Alibaba Cloud RAM console.")).entropy(3.0),
    rule("alibaba-access-key-secret", "Alibaba Cloud AccessKey secret", "Alibaba", Critical,
        &["alibaba", "aliyun", "alicloud"],
        concat!(r"(?i:alibaba|aliyun|alicloud)", ctx!(), r"(?P<secret>[A-Za-z0-9]{30})", ctx_end!()),
        revoke!("disable and delete the AccessKey pair in the Alibaba Cloud RAM console.")).entropy(3.5).gate(Gate::Context),
    rule("anthropic-api-key", "Anthropic API key", "Anthropic", Critical, &["sk-ant-"],
        r"\b(?P<secret>sk-ant-(?:api03|admin01)-[A-Za-z0-9_-]{93}AA)(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the key in the Anthropic Console (Settings, API keys).")),
    rule("artifactory-api-key", "JFrog Artifactory API key", "JFrog", High, &["AKCp"],
        r"\b(?P<secret>AKCp[A-Za-z0-9]{69})\b",
        revoke!("revoke the API key in the JFrog Platform user profile.")).entropy(3.5),
    rule("artifactory-reference-token", "JFrog Artifactory reference token", "JFrog", High,
        &["cmVmd"],
        r"\b(?P<secret>cmVmd[A-Za-z0-9]{59})\b",
        revoke!("revoke the access token in the JFrog Platform (Administration, Identity and Access).")).entropy(3.0),
    rule("atlassian-api-token", "Atlassian API token", "Atlassian", High, &["ATATT3"],
        r"\b(?P<secret>ATATT3[A-Za-z0-9_=-]{186})(?:[^A-Za-z0-9_=-]|$)",
        revoke!("revoke the token at id.atlassian.com (Security, API tokens).")),
    rule("atlassian-api-token-legacy", "Atlassian API token (24-character)", "Atlassian", High,
        &["atlassian", "confluence", "jira"],
        concat!(r"(?i:atlassian|confluence|jira)", ctx!(), r"(?P<secret>[A-Za-z0-9]{24})", ctx_end!()),
        revoke!("revoke the token at id.atlassian.com (Security, API tokens).")).entropy(3.5).gate(Gate::Context),
    rule("authorization-header", "Credential in an HTTP Authorization header", "Generic", High,
        &["authorization"],
        r#"(?i:authorization)["']?\s*:\s*["']?(?i:basic|bearer|token)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{16,}={0,2})(?:[\s"'`,;)\]}\\]|$)"#,
        revoke!("revoke the token (or change the password a Basic header encodes) with the service that issued it, and read it from the environment or a mounted secret when the script runs.")).entropy(3.5).fallback().check(Check::NotJwt),
    rule("aws-access-key-id", "AWS access key ID", "AWS", Critical,
        &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        r"\b(?P<secret>(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b",
        revoke!("deactivate and delete the access key in IAM (`aws iam update-access-key --status Inactive`, then `aws iam delete-access-key`) and review CloudTrail for its use.")).after(UPPER_DIGITS),
    rule("aws-mws-auth-token", "Amazon MWS auth token", "AWS", High, &["amzn.mws."],
        r"(?P<secret>amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        revoke!("revoke the developer's access in Seller Central (User Permissions).")),
    rule("aws-secret-access-key", "AWS secret access key", "AWS", Critical,
        &["secret"],
        concat!(r"(?:(?i:aws|amazon)[\w.-]{0,20}?(?i:secret)[\w.-]{0,20}?|(?i:secret_?access_?key))",
            assign!(), r"(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"),
        revoke!("deactivate and delete the access key in IAM (`aws iam update-access-key --status Inactive`, then `aws iam delete-access-key`) and review CloudTrail for its use.")).entropy(4.0).gate(Gate::AssignValue(Value::AwsSecret)),
    rule("azure-ad-client-secret", "Azure AD (Entra ID) client secret", "Azure", Critical, &["Q~"],
        r#"(?:^|[\\'"`\s>=:(,])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:$|[\\'"`\s<),])"#,
        revoke!("delete the secret under the app registration's Certificates & secrets in Entra ID.")).entropy(3.5),
    rule("azure-devops-pat", "Azure DevOps personal access token", "Azure", Critical, &["AZDO"],
        r"\b(?P<secret>[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4})\b",
        revoke!("revoke the token in Azure DevOps (User settings, Personal access tokens).")).entropy(3.5),
    rule("azure-shared-access-key", "Azure Service Bus / Event Hubs shared access key", "Azure", High,
        &["sharedaccesskey="],
        r"(?i:SharedAccessKey)=(?P<secret>[A-Za-z0-9+/]{43}=)",
        revoke!("regenerate the key of the shared access policy in the Azure portal.")).entropy(3.5),
    rule("azure-storage-account-key", "Azure storage account key", "Azure", Critical, &["azure"],
        concat!(r"(?i:azure)[\w.-]{0,30}?(?i:key)", ctx!(), r"(?P<secret>[A-Za-z0-9+/]{86}==)"),
        revoke!("rotate the storage account key in the Azure portal (Access keys) and prefer Entra ID or SAS with expiry.")).entropy(4.0).gate(Gate::Context),
    rule("azure-storage-connection-string", "Azure storage connection string with account key", "Azure", Critical,
        &["accountkey="],
        r"(?i:AccountKey)=(?P<secret>[A-Za-z0-9+/]{86}==)",
        revoke!("rotate the storage account key in the Azure portal (Access keys) and prefer Entra ID or SAS with expiry.")).entropy(4.0),
    rule("bitbucket-app-password", "Bitbucket app password", "Bitbucket", High, &["ATBB"],
        r"\b(?P<secret>ATBB[A-Za-z0-9_=.-]{28,64})(?:[^A-Za-z0-9_=.-]|$)",
        revoke!("revoke the app password in Bitbucket (Personal settings, App passwords).")).entropy(3.5),
    rule("bitbucket-client-secret", "Bitbucket OAuth client secret", "Bitbucket", High, &["bitbucket"],
        concat!(r"(?i:bitbucket)", ctx!(), r"(?P<secret>[A-Za-z0-9=_-]{32,64})", ctx_end!()),
        revoke!("reset the OAuth consumer's secret in the Bitbucket workspace settings.")).entropy(3.5).gate(Gate::Context),
    rule("clojars-api-token", "Clojars deploy token", "Clojars", High, &["CLOJARS_"],
        r"\b(?P<secret>CLOJARS_[A-Za-z0-9]{60})\b",
        revoke!("delete the deploy token in the Clojars dashboard.")),
    rule("curl-auth-header", "Credential in a curl -H/--header argument", "Generic", High, &["curl"],
        r#"\bcurl\b(?:[^\n]*\\\r?\n){0,5}[^\n]*?[ \t](?:-H|--header)(?:=|[ \t]{0,5})["'](?i:authorization:[ \t]{0,5}(?:(?:basic|bearer|(?:api-)?token)[ \t]+)?|(?:x-(?:[a-z]+-)?)?(?:api-?)?(?:key|token):[ \t]{0,5})(?P<secret>[\w=~@.+/-]{8,})["']"#,
        revoke!("revoke the token (or change the password a Basic header encodes) with the service that issued it, and give curl the header at run time (`-H @file` from a mounted secret, or an environment variable).")).entropy(2.75).loose().multiline().check(Check::NotJwt),
    rule("curl-basic-auth", "Credentials in a curl -u/--user argument", "Generic", High, &["curl"],
        r#"\bcurl\b(?:[^\n]*\\\r?\n){0,5}[^\n]*?[ \t](?:-u|--user)(?:=|[ \t]{1,5})["']?(?P<secret>[^\s:"'$<\[][^\s:"']{0,63}["']?:["']?(?:[^\s"'$<\[][^\s"']{2,127})?|:[^\s"'$<\[][^\s"']{2,127})["']?(?:\s|$)"#,
        revoke!("change the account's password and give curl its credentials at run time (`--netrc-file` from a mounted secret, or `-u \"$USER:$PASSWORD\"` from the environment).")).entropy(2.0).multiline().check(Check::UserPass),
    rule("database-connection-string", "Database connection string with password", "Database", High,
        &["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver", "clickhouse", "couchdb", "cockroachdb"],
        r#"(?i:\b(?:postgres(?:ql)?|mysql|mariadb|mongodb|rediss?|amqps?|mssql|sqlserver|clickhouse|couchdbs?|cockroachdb)(?:\+[a-z0-9]+)?)://(?P<user>[^\s:@/"'`<>]{1,64}):(?P<secret>[^\s:@/"'`<>]{3,128})@[^\s"'`<>]+"#,
        revoke!("change the database user's password (or drop the user) and update the clients from a secret store.")).loose().gate(Gate::At),
    rule("databricks-api-token", "Databricks access token", "Databricks", High, &["dapi"],
        r"\b(?P<secret>dapi[a-f0-9]{32}(?:-[0-9])?)\b",
        revoke!("revoke the token in the Databricks workspace (User settings, Access tokens).")).entropy(3.0),
    rule("datadog-api-key", "Datadog API or application key", "Datadog", High,
        &["datadog", "dd_api", "dd-api", "dd_app", "dd-app"],
        concat!(r"(?:(?i:datadog)|\b(?i:dd)[\w.-]{0,20}?(?i:api|app)[\w.-]{0,12}?(?i:key))", ctx!(),
            r"(?P<secret>[A-Za-z0-9]{40}|[a-f0-9]{32})", ctx_end!()),
        revoke!("revoke the key in Datadog (Organization settings, API keys or Application keys).")).entropy(3.0).gate(Gate::Context),
    rule("digitalocean-token", "DigitalOcean token", "DigitalOcean", Critical,
        &["dop_v1_", "doo_v1_", "dor_v1_"],
        r"\b(?P<secret>do[opr]_v1_[a-f0-9]{64})\b",
        revoke!("delete the token in the DigitalOcean control panel (API, Tokens).")),
    rule("discord-bot-token", "Discord bot token", "Discord", High, &["discord"],
        concat!(r"(?i:discord)", ctx!(),
            r"(?P<secret>[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?:[^A-Za-z0-9_-]|$)"),
        revoke!("reset the bot token in the Discord Developer Portal (Bot, Reset Token).")).gate(Gate::Context),
    rule("discord-webhook-url", "Discord webhook URL", "Discord", Medium, &["discord"],
        r"https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/[0-9]{17,20}/(?P<secret>[A-Za-z0-9_-]{60,70})",
        revoke!("delete the webhook in the Discord channel's Integrations settings and create a new one.")),
    rule("docker-config-auth", "Docker registry credentials (config.json auth)", "Docker", High, &[r#""auth""#],
        r#""auth"\s*:\s*"(?P<secret>[A-Za-z0-9+/]{6,}={0,2})""#,
        revoke!("change the registry password or revoke the access token it encodes, and log in at run time (`docker login --password-stdin`) instead of copying `config.json` into the image."))
        .check(Check::Base64UserPass).gate(Gate::Assign),
    rule("docker-config-secret", "Docker registry credentials (Kubernetes .dockerconfigjson / .dockercfg)", "Docker", High,
        &[".dockerconfigjson", ".dockercfg"],
        r"(?i:\.dockerconfigjson|\.dockercfg)\x22?\s*:\s*\|?\s*\x22?(?P<secret>e[wy][A-Za-z0-9+/]{20,}={0,2})",
        revoke!("change the registry password or revoke the access token the base64 `auths` entries hold, and create the pull secret from a secret store (`kubectl create secret docker-registry` in the pipeline) instead of committing or baking it."))
        .entropy(3.5).multiline(),
    rule("dockerhub-access-token", "Docker Hub access token", "Docker", Critical, &["dckr_pat_", "dckr_oat_"],
        r"\b(?P<secret>dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,32})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the access token in Docker Hub (Account settings, Personal access tokens).")),
    rule("doppler-token", "Doppler token", "Doppler", High,
        &["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
        r"\b(?P<secret>dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44})\b",
        revoke!("revoke the token in the Doppler dashboard.")),
    rule("dropbox-api-token", "Dropbox access token", "Dropbox", High, &["sl."],
        r"\b(?P<secret>sl\.[A-Za-z0-9_-]{130,152})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the app's access in the Dropbox App Console or the user's Connected apps.")).entropy(4.0).after(BASE64URL),
    rule("dropbox-app-secret", "Dropbox app secret", "Dropbox", High, &["dropbox"],
        concat!(r"(?i:dropbox)[\w.-]{0,20}?(?i:secret|token|key)", ctx!(), r"(?P<secret>[a-z0-9]{15})", ctx_end!()),
        revoke!("regenerate the app secret in the Dropbox App Console (Settings).")).entropy(3.0).gate(Gate::Context),
    rule("dynatrace-api-token", "Dynatrace API token", "Dynatrace", High, &["dt0c01."],
        r"\b(?P<secret>dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})\b",
        revoke!("revoke the token in Dynatrace (Access tokens).")).entropy(4.0),
    rule("facebook-access-token", "Facebook access token", "Facebook", High, &["EAA"],
        r"\b(?P<secret>EAA[A-Za-z0-9]{90,})\b",
        revoke!("invalidate the token (log the app out or reset the app secret) in Meta for Developers.")).entropy(4.0).after(ALNUM),
    rule("facebook-app-secret", "Facebook app secret", "Facebook", High, &["facebook"],
        concat!(r"(?i:facebook)", ctx!(), r"(?P<secret>[a-f0-9]{32})", ctx_end!()),
        revoke!("reset the app secret in Meta for Developers (App settings, Basic).")).entropy(3.0).gate(Gate::Context),
    rule("firebase-cloud-messaging-key", "Firebase Cloud Messaging server key", "Firebase", High, &[":APA91b"],
        r"\b(?P<secret>AAAA[A-Za-z0-9_-]{7}:APA91b[A-Za-z0-9_-]{134})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the server key in the Firebase console (Cloud Messaging) and move to the HTTP v1 API with a service account.")),
    rule("flyio-access-token", "Fly.io access token", "Fly.io", High, &["fo1_", "fm1a_", "fm1r_", "fm2_"],
        r"\b(?P<secret>fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100,}={0,3}|fm2_[A-Za-z0-9+/]{100,}={0,3})(?:[^A-Za-z0-9_+/=-]|$)",
        revoke!("revoke the token with `fly tokens revoke` or in the Fly.io dashboard.")).entropy(4.0),
    rule("gcp-api-key", "Google Cloud API key", "GCP", High, &["AIza"],
        r"\b(?P<secret>AIza[A-Za-z0-9_-]{35})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete or regenerate the key in the Google Cloud console (APIs & Services, Credentials) and restrict the new one.")).entropy(4.0),
    rule("gcp-oauth-client-secret", "Google OAuth client secret", "GCP", High, &["GOCSPX-"],
        r"\b(?P<secret>GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the client secret in the Google Cloud console (APIs & Services, Credentials).")),
    rule("gcp-service-account", "Google Cloud service account key", "GCP", Critical, &["service_account"],
        r#""private_key"\s*:\s*"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----\\n[A-Za-z0-9+/=\\]{64,}?-----END (?:RSA )?PRIVATE KEY-----(?:\\n)?)""#,
        revoke!("delete the key (`gcloud iam service-accounts keys delete`) and use workload identity instead of key files."))
        .multiline(),
    rule("generic-api-key", "Generic API key or secret", "Generic", Medium,
        &["api_key", "apikey", "api-key", "secret", "access_key", "accesskey", "access-key", "access_token",
          "accesstoken", "access-token", "auth_token", "authtoken", "auth-token", "private_token",
          "privatetoken", "private-token", "token", "credential", "creds"],
        concat!(r"(?i:api[_-]?key|secret|access[_-]?key|token|credentials?|creds)[\w.-]{0,20}?",
            assign!(), r"(?P<secret>[A-Za-z0-9_.+/~=-]{16,128})", end!()),
        revoke!("revoke the key with the service that issued it.")).entropy(3.5).fallback().gate(Gate::AssignValue(Value::Key))
        .check(Check::NotHolder),
    rule("generic-password", "Password in clear text", "Generic", Medium, &["password", "passwd", "pwd"],
        concat!(r"(?i:password|passwd|pwd)[\w.-]{0,20}?", assign!(), r#"(?P<secret>[^\s"'`,;:$%{}<>()\[\]!&*@#=][^\s"'`,;(){}\[\]]{5,127})"#, end!()),
        revoke!("change the password on every system that accepts it.")).entropy(2.5).fallback().gate(Gate::AssignValue(Value::Password)).after(NAME_NEXT)
        .check(Check::NotWorkingDir),
    rule("github-app-token", "GitHub App token", "GitHub", Critical, &["ghu_", "ghs_"],
        r"\b(?P<secret>gh[us]_[A-Za-z0-9]{36})\b",
        revoke!("revoke the token (GitHub App installation or user-to-server token) in the GitHub settings or through the API.")),
    rule("github-fine-grained-pat", "GitHub fine-grained personal access token", "GitHub", Critical, &["github_pat_"],
        r"\b(?P<secret>github_pat_[A-Za-z0-9_]{82})\b",
        revoke!("revoke the token in GitHub (Settings, Developer settings, Personal access tokens).")),
    rule("github-oauth", "GitHub OAuth access token", "GitHub", Critical, &["gho_"],
        r"\b(?P<secret>gho_[A-Za-z0-9]{36})\b",
        revoke!("revoke the OAuth app's authorization in GitHub (Settings, Applications).")),
    rule("github-pat", "GitHub personal access token", "GitHub", Critical, &["ghp_"],
        r"\b(?P<secret>ghp_[A-Za-z0-9]{36})\b",
        revoke!("revoke the token in GitHub (Settings, Developer settings, Personal access tokens).")),
    rule("github-refresh-token", "GitHub refresh token", "GitHub", Critical, &["ghr_"],
        r"\b(?P<secret>ghr_[A-Za-z0-9]{36,76})\b",
        revoke!("revoke the GitHub App's user authorization in GitHub (Settings, Applications).")),
    rule("gitlab-agent-token", "GitLab agent for Kubernetes token", "GitLab", High, &["glagent-"],
        r"\b(?P<secret>glagent-[A-Za-z0-9_-]{50})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the agent token in the GitLab project (Operate, Kubernetes clusters).")),
    rule("gitlab-deploy-token", "GitLab deploy token", "GitLab", High, &["gldt-"],
        r"\b(?P<secret>gldt-[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the deploy token in the GitLab project or group (Settings, Repository, Deploy tokens).")),
    rule("gitlab-feed-token", "GitLab feed token", "GitLab", Medium, &["glft-"],
        r"\b(?P<secret>glft-[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the feed token in GitLab (User settings, Access tokens).")),
    rule("gitlab-incoming-mail-token", "GitLab incoming email token", "GitLab", Medium, &["glimt-"],
        r"\b(?P<secret>glimt-[A-Za-z0-9_-]{25})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the incoming email token in GitLab (User settings, Access tokens).")),
    rule("gitlab-oauth-app-secret", "GitLab OAuth application secret", "GitLab", High, &["gloas-"],
        r"\b(?P<secret>gloas-[A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)",
        revoke!("renew the application secret in GitLab (Applications).")),
    rule("gitlab-pat", "GitLab personal, project or group access token", "GitLab", Critical, &["glpat-"],
        r"\b(?P<secret>glpat-[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{2}\.?[0-9a-z]{7})?)(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the token in GitLab (User settings, or the project's or group's Access tokens).")),
    rule("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", "GitLab", High, &["glptt-"],
        r"\b(?P<secret>glptt-[0-9a-f]{40})\b",
        revoke!("revoke the trigger in the GitLab project (Settings, CI/CD, Pipeline trigger tokens).")),
    rule("gitlab-runner-registration-token", "GitLab runner registration token", "GitLab", High, &["GR1348941"],
        r"\b(?P<secret>GR1348941[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the registration token in the GitLab runner settings and move to runner authentication tokens.")).entropy(3.0),
    rule("gitlab-runner-token", "GitLab runner authentication token", "GitLab", High, &["glrt-"],
        r"\b(?P<secret>glrt-[A-Za-z0-9_-]{20,64})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the runner's authentication token in GitLab (CI/CD, Runners) and re-register it.")),
    rule("gitlab-scim-token", "GitLab SCIM token", "GitLab", High, &["glsoat-"],
        r"\b(?P<secret>glsoat-[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)",
        revoke!("reset the SCIM token in the GitLab group's SAML SSO settings.")),
    rule("grafana-api-key", "Grafana API key", "Grafana", High, &["eyJrIjoi"],
        r"\b(?P<secret>eyJrIjoi[A-Za-z0-9]{70,400}={0,2})",
        revoke!("delete the API key in Grafana and move to a service account token.")),
    rule("grafana-cloud-api-token", "Grafana Cloud access policy token", "Grafana", High, &["glc_"],
        r"\b(?P<secret>glc_[A-Za-z0-9+/]{32,400}={0,2})",
        revoke!("delete the token in the Grafana Cloud portal (Access policies).")).entropy(3.0),
    rule("grafana-service-account-token", "Grafana service account token", "Grafana", High, &["glsa_"],
        r"\b(?P<secret>glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b",
        revoke!("delete the token of the service account in Grafana (Administration, Service accounts).")),
    rule("heroku-api-key", "Heroku API key", "Heroku", High, &["heroku"],
        concat!(r"(?i:heroku)[\w.-]{0,20}?(?i:key|token|secret|auth)", ctx!(),
            r"(?P<secret>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})", ctx_end!()),
        revoke!("regenerate the API key in the Heroku account settings (or `heroku authorizations:revoke`).")).gate(Gate::Context),
    rule("heroku-api-key-v2", "Heroku API key", "Heroku", High, &["HRKU-AA"],
        r"\b(?P<secret>HRKU-AA[A-Za-z0-9_-]{58})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the authorization with `heroku authorizations:revoke` or in the Heroku account settings.")),
    rule("huggingface-access-token", "Hugging Face access token", "Hugging Face", High, &["hf_"],
        r"\b(?P<secret>hf_[A-Za-z0-9]{34,40})\b",
        revoke!("invalidate the token in Hugging Face (Settings, Access Tokens).")).entropy(3.5).after(ALNUM),
    rule("huggingface-org-token", "Hugging Face organization token", "Hugging Face", High, &["api_org_"],
        r"\b(?P<secret>api_org_[A-Za-z]{34})\b",
        revoke!("invalidate the token in the Hugging Face organization settings.")).entropy(3.5),
    rule("jwt", "JSON Web Token", "JWT", Medium, &[".ey"],
        r"\b(?P<secret>ey[A-Za-z0-9]{17,}\.ey[A-Za-z0-9/\\_-]{17,}\.(?:[A-Za-z0-9/\\_-]{10,}={0,2})?)(?:[^A-Za-z0-9/_.=-]|$)",
        revoke!("revoke the token or rotate the key that signed it, and issue tokens at run time."))
        .entropy(3.0).fallback().after(JWT_NEXT),
    rule("kubeconfig-client-key-data", "Kubernetes client private key (kubeconfig client-key-data)", "Kubernetes", Critical,
        &["client-key-data"],
        r#"client-key-data:\s*["']?(?P<secret>LS0tLS1CRUdJT[A-Za-z0-9+/=]{40,})"#,
        revoke!("revoke the client certificate (or rotate the cluster CA if certificates cannot be revoked) and issue short-lived credentials.")),
    rule("kubernetes-service-account-token", "Kubernetes service account token", "Kubernetes", High,
        &["eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50"],
        r"\b(?P<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
        revoke!("delete the service account's token Secret (or the service account) and rely on projected, short-lived tokens.")),
    rule("linear-api-key", "Linear API key", "Linear", High, &["lin_api_"],
        r"\b(?P<secret>lin_api_[A-Za-z0-9]{40})\b",
        revoke!("revoke the key in Linear (Settings, API).")),
    rule("mailchimp-api-key", "Mailchimp API key", "Mailchimp", High, &["-us"],
        r"\b(?P<secret>[0-9a-f]{32}-us[0-9]{1,2})\b",
        revoke!("disable the key in Mailchimp (Account, Extras, API keys).")).entropy(3.0).after(DIGITS),
    rule("mailgun-api-key", "Mailgun API key", "Mailgun", High, &["key-"],
        r"\b(?P<secret>key-[0-9a-f]{32})\b",
        revoke!("regenerate the key in the Mailgun control panel (API Security).")).entropy(3.0),
    rule("mapbox-secret-token", "Mapbox secret access token", "Mapbox", High, &["sk.eyJ1"],
        r"\b(?P<secret>sk\.eyJ1Ijoi[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,})",
        revoke!("delete the token in the Mapbox account (Access tokens).")),
    rule("new-relic-insert-key", "New Relic insert key", "New Relic", High, &["NRII-"],
        r"\b(?P<secret>NRII-[A-Za-z0-9_-]{32})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the key in New Relic (API keys).")),
    rule("new-relic-user-api-key", "New Relic user API key", "New Relic", High, &["NRAK-"],
        r"\b(?P<secret>NRAK-[A-Z0-9]{27})\b",
        revoke!("delete the key in New Relic (API keys).")),
    rule("notion-api-token", "Notion integration token", "Notion", High, &["ntn_"],
        r"\b(?P<secret>ntn_[0-9]{11}[A-Za-z0-9]{35})\b",
        revoke!("refresh the integration secret in Notion (My integrations).")),
    rule("npm-access-token", "npm access token", "npm", Critical, &["npm_"],
        r"\b(?P<secret>npm_[A-Za-z0-9]{36})\b",
        revoke!("revoke the token with `npm token revoke` or on npmjs.com (Access Tokens).")),
    rule("npmrc-auth-token", "npm registry auth token in .npmrc", "npm", High, &["_authtoken"],
        r#"(?i:_authToken)\s*=\s*["']?(?P<secret>[A-Za-z0-9_.+/=-]{20,})"#,
        revoke!("revoke the token with the registry (`npm token revoke`) and pass it at build time with `RUN --mount=type=secret,id=npmrc`."))
        .entropy(3.0).gate(Gate::Assign),
    rule("nuget-api-key", "NuGet API key", "NuGet", High, &["oy2"],
        r"\b(?P<secret>oy2[a-z0-9]{43})\b",
        revoke!("delete or regenerate the key on nuget.org (API Keys).")).entropy(3.5).after(LOWER_DIGITS),
    rule("okta-api-token", "Okta API token", "Okta", High, &["okta"],
        concat!(r"(?i:okta)", ctx!(), r"(?P<secret>00[A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)"),
        revoke!("revoke the token in the Okta admin console (Security, API, Tokens).")).entropy(3.5).gate(Gate::Context),
    rule("openai-api-key", "OpenAI API key", "OpenAI", High, &["T3BlbkFJ"],
        r"\b(?P<secret>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,200}|[A-Za-z0-9]{20})T3BlbkFJ[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the key in the OpenAI platform (API keys).")),
    rule("openshift-user-token", "OpenShift user token", "OpenShift", High, &["sha256~"],
        r"\b(?P<secret>sha256~[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        revoke!("delete the OAuth access token (`oc delete oauthaccesstoken`) or log the session out.")),
    rule("paypal-braintree-access-token", "PayPal Braintree access token", "PayPal", Critical,
        &["access_token$production$"],
        r"(?P<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})",
        revoke!("revoke the access token in the Braintree control panel.")),
    rule("pgp-private-key", "PGP private key block", "Private key", High, &["BEGIN PGP PRIVATE KEY BLOCK"],
        r"-----BEGIN PGP PRIVATE KEY BLOCK-----\s*(?P<secret>\S(?s:.){63,}?)\s*-----END PGP PRIVATE KEY BLOCK-----",
        revoke!("revoke the key (publish its revocation certificate) and generate a new one."))
        .multiline(),
    rule("planetscale-token", "PlanetScale password or token", "PlanetScale", High,
        &["pscale_pw_", "pscale_tkn_", "pscale_oauth_"],
        r"\b(?P<secret>pscale_(?:pw|tkn|oauth)_[A-Za-z0-9_.=-]{32,64})(?:[^A-Za-z0-9_.=-]|$)",
        revoke!("delete the password or service token in the PlanetScale dashboard.")).entropy(3.0),
    rule("postman-api-token", "Postman API key", "Postman", High, &["PMAK-"],
        r"\b(?P<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b",
        revoke!("revoke the key in Postman (Settings, API keys).")),
    rule("prefect-api-token", "Prefect API key", "Prefect", High, &["pnu_"],
        r"\b(?P<secret>pnu_[A-Za-z0-9]{36})\b",
        revoke!("delete the key in Prefect Cloud (API keys).")),
    rule("private-key", "Private key", "Private key", Critical, &["PRIVATE KEY-----"],
        r"-----BEGIN (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----(?:\s|\\[nr])*(?P<secret>(?:[A-Za-z0-9+/=\s]|\\[nr]){64,}?)(?:\s|\\[nr])*-----END (?:RSA |EC |DSA |OPENSSH )?PRIVATE KEY-----",
        revoke!("consider the key pair compromised: revoke its certificate or remove the public key wherever it is trusted, and generate a new pair outside the image."))
        .multiline(),
    rule("private-key-encrypted", "Encrypted private key", "Private key", Medium, &["PRIVATE KEY-----"],
        r"-----BEGIN (?:ENCRYPTED PRIVATE KEY-----|(?:RSA|EC|DSA) PRIVATE KEY-----\s*Proc-Type: 4,ENCRYPTED\s*DEK-Info: [^\r\n]+)\s*(?P<secret>[A-Za-z0-9+/=\s]{64,}?)\s*-----END [A-Z ]*PRIVATE KEY-----",
        revoke!("the key is passphrase-protected, but an offline guessing attack is now possible: replace the key pair and keep keys out of images."))
        .multiline(),
    rule("pulumi-api-token", "Pulumi access token", "Pulumi", High, &["pul-"],
        r"\b(?P<secret>pul-[a-f0-9]{40})\b",
        revoke!("delete the token in Pulumi Cloud (Access tokens).")),
    rule("putty-private-key", "PuTTY private key", "Private key", High, &["PuTTY-User-Key-File-"],
        r"PuTTY-User-Key-File-[23]: [^\r\n]+\r?\n(?s:.)*?Private-Lines: [0-9]+\r?\n(?P<secret>[A-Za-z0-9+/=]{16,}(?:\r?\n[A-Za-z0-9+/=]{16,})*)",
        revoke!("remove the public key from every `authorized_keys` that trusts it and generate a new pair."))
        .multiline(),
    rule("pypi-upload-token", "PyPI upload token", "PyPI", Critical, &["pypi-AgEIcHlwaS5vcmc"],
        r"\b(?P<secret>pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})",
        revoke!("remove the token on pypi.org (Account settings, API tokens) and publish with trusted publishing.")),
    rule("readme-api-token", "ReadMe API key", "ReadMe", High, &["rdme_"],
        r"\b(?P<secret>rdme_[a-z0-9]{70})\b",
        revoke!("revoke the key in the ReadMe dashboard.")),
    rule("rubygems-api-token", "RubyGems API key", "RubyGems", Critical, &["rubygems_"],
        r"\b(?P<secret>rubygems_[a-f0-9]{48})\b",
        revoke!("delete the key on rubygems.org (Settings, API keys).")),
    rule("sendgrid-api-token", "SendGrid API key", "SendGrid", High, &["SG."],
        r"\b(?P<secret>SG\.[A-Za-z0-9=_.-]{66})(?:[^A-Za-z0-9=_.-]|$)",
        revoke!("delete the key in SendGrid (Settings, API Keys).")).entropy(3.0).after(SENDGRID_NEXT),
    rule("sentry-auth-token", "Sentry auth token", "Sentry", High, &["sntrys_", "sntryu_"],
        r"\b(?P<secret>sntrys_eyJpYXQiO[A-Za-z0-9+/=_-]{60,400}|sntryu_[a-f0-9]{64})",
        revoke!("revoke the token in Sentry (Settings, Auth Tokens).")),
    rule("sentry-dsn", "Sentry DSN", "Sentry", Low, &["sentry"],
        r"https?://(?P<secret>[0-9a-f]{32})(?::[0-9a-f]{32})?@[A-Za-z0-9.-]*sentry[A-Za-z0-9.-]*(?::[0-9]+)?/[0-9]+",
        revoke!("a DSN only lets others send events, but it invites spam: rotate the client key in the Sentry project settings (Client Keys) if abused, and inject the DSN at run time.")),
    rule("shopify-access-token", "Shopify access token", "Shopify", High, &["shpat_", "shpca_", "shppa_"],
        r"\b(?P<secret>shp(?:at|ca|pa)_[a-fA-F0-9]{32})\b",
        revoke!("uninstall and reinstall the app or rotate the token in the Shopify admin (Apps, Develop apps).")),
    rule("shopify-shared-secret", "Shopify app shared secret", "Shopify", High, &["shpss_"],
        r"\b(?P<secret>shpss_[a-fA-F0-9]{32})\b",
        revoke!("rotate the app's client secret in the Shopify Partner dashboard.")),
    rule("sidekiq-credentials", "Sidekiq Pro/Enterprise gem credentials", "Sidekiq", High,
        &["contribsys"],
        r"(?i:contribsys)[\w.-]{0,40}?[=: ]+[\x22']?(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})\b",
        revoke!("ask Contributed Systems to reissue the Sidekiq Pro/Enterprise credentials, and give Bundler the new ones at build time (`BUNDLE_GEMS__CONTRIBSYS__COM` from a build secret).")),
    rule("sidekiq-sensitive-url", "Sidekiq Pro/Enterprise credentials in a gem source URL", "Sidekiq", High,
        &["contribsys.com"],
        r"https?://(?P<secret>[a-f0-9]{8}:[a-f0-9]{8})@(?i:gems|enterprise)\.contribsys\.com\b",
        revoke!("ask Contributed Systems to reissue the Sidekiq Pro/Enterprise credentials, and give Bundler the new ones at build time (`BUNDLE_GEMS__CONTRIBSYS__COM` from a build secret).")),
    rule("slack-app-token", "Slack app-level token", "Slack", High, &["xapp-"],
        r"\b(?P<secret>xapp-[0-9]-[A-Z0-9]{8,}-[0-9]{10,}-[A-Za-z0-9]{32,})\b",
        revoke!("revoke the token in the Slack app settings (Basic Information, App-Level Tokens).")),
    rule("slack-bot-token", "Slack bot token", "Slack", High, &["xoxb-"],
        r"\b(?P<secret>xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\b",
        revoke!("revoke the token (`auth.revoke`) or reinstall the Slack app to rotate it.")),
    rule("slack-legacy-bot-token", "Slack legacy bot token", "Slack", High, &["xoxb-"],
        r"\b(?P<secret>xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26})\b",
        revoke!("legacy bot tokens cannot be rotated: remove the legacy bot integration in Slack (Manage apps, Custom integrations) and move to a Slack app.")),
    rule("slack-legacy-token", "Slack legacy or legacy workspace token", "Slack", High,
        &["xoxa-", "xoxr-", "xoxo-", "xoxs-"],
        r"\b(?P<secret>xox[os]-[0-9]+-[0-9]+-[0-9]+-[a-fA-F0-9]+|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48})\b",
        revoke!("legacy tokens cannot be rotated: revoke them (`auth.revoke`) or remove the legacy integration in Slack, and move to a Slack app.")).entropy(2.0),
    rule("slack-user-token", "Slack user token", "Slack", High, &["xoxp-", "xoxe-"],
        r"\b(?P<secret>xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9-]{28,34})(?:[^A-Za-z0-9-]|$)",
        revoke!("revoke the token (`auth.revoke`) and reinstall the Slack app.")),
    rule("slack-webhook-url", "Slack incoming webhook URL", "Slack", Medium, &["hooks.slack.com"],
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9+/]{43,56})",
        revoke!("remove the webhook in the Slack app settings (Incoming Webhooks) and create a new one.")),
    rule("snyk-api-token", "Snyk API token", "Snyk", High, &["snyk"],
        concat!(r"(?i:snyk)[\w.-]{0,20}?(?i:token|key)", ctx!(),
            r"(?P<secret>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})", ctx_end!()),
        revoke!("revoke and regenerate the token in Snyk (Account settings, Auth Token), or delete the service account token.")).gate(Gate::Context),
    rule("sonarqube-token", "SonarQube token", "SonarQube", High, &["sonar", "squ_", "sqp_", "sqa_"],
        concat!(r"(?:(?i:sonar[_.-]?(?:login|token))", ctx!(), r")?\b(?P<secret>(?:sq[upa]_)?[A-Za-z0-9]{40})\b"),
        revoke!("revoke the token in SonarQube (My Account, Security).")).check(Check::PrefixedOrNamed),
    rule("sourcegraph-access-token", "Sourcegraph access token", "Sourcegraph", High, &["sgp_"],
        r"\b(?P<secret>sgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40})\b",
        revoke!("delete the access token in Sourcegraph (Settings, Access tokens).")).entropy(3.0),
    rule("square-access-token", "Square access token", "Square", High, &["EAAA", "sq0atp-"],
        r"\b(?P<secret>(?:EAAA|sq0atp-)[A-Za-z0-9_-]{22,60})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the token in the Square Developer Dashboard (Credentials).")).entropy(3.5),
    rule("square-oauth-secret", "Square OAuth application secret", "Square", High, &["sq0csp-"],
        r"\b(?P<secret>sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        revoke!("replace the application secret in the Square Developer Dashboard (OAuth).")),
    rule("stripe-restricted-key", "Stripe live restricted key", "Stripe", High, &["rk_live_"],
        r"\b(?P<secret>rk_live_[A-Za-z0-9]{24,247})\b",
        revoke!("roll the key in the Stripe Dashboard (Developers, API keys).")),
    rule("stripe-secret-key", "Stripe secret key", "Stripe", Critical, &["sk_live_", "sk_test_"],
        r"\b(?P<secret>sk_(?:live|test)_[A-Za-z0-9]{24,247})\b",
        revoke!("roll the key in the Stripe Dashboard (Developers, API keys).")).entropy(3.0),
    rule("supabase-access-token", "Supabase personal access token", "Supabase", High, &["sbp_"],
        r"\b(?P<secret>sbp_[a-f0-9]{40})\b",
        revoke!("revoke the token in the Supabase dashboard (Account, Access Tokens).")),
    // A bot ID, then `:A` and 34 more: found by its usual `:AA` or, on a line naming
    // Telegram, by the shape alone (gitleaks' `telegr` context).
    rule("telegram-bot-token", "Telegram bot token", "Telegram", High, &[":AA", "telegr"],
        r"(?:^|[^0-9A-Za-z])(?P<secret>[0-9]{5,16}:A[A-Za-z0-9_-]{34})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the token with @BotFather (`/revoke`).")).entropy(3.0).before(DIGITS),
    rule("tencent-cloud-secret-id", "Tencent Cloud SecretId", "Tencent", High, &["AKID"],
        r"\b(?P<secret>AKID[A-Za-z0-9]{32})\b",
        revoke!("disable and delete the API key in the Tencent Cloud CAM console.")).entropy(3.5),
    rule("terraform-cloud-api-token", "Terraform Cloud / HCP Terraform API token", "HashiCorp", Critical, &[".atlasv1."],
        r"\b(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_=-]|$)",
        revoke!("delete the token in HCP Terraform (User or Organization settings, Tokens).")),
    rule("twilio-api-key", "Twilio API key", "Twilio", High, &["twilio"],
        concat!(r"(?i:twilio)", ctx!(), r"(?P<secret>SK[0-9a-fA-F]{32})", ctx_end!()),
        revoke!("delete the API key in the Twilio Console (API keys & tokens).")).entropy(3.0).gate(Gate::Context),
    rule("twilio-auth-token", "Twilio auth token", "Twilio", High, &["twilio"],
        concat!(r"(?i:twilio)[\w.-]{0,20}?(?i:token|secret)", ctx!(), r"(?P<secret>[a-f0-9]{32})", ctx_end!()),
        revoke!("promote a secondary auth token in the Twilio Console to invalidate this one.")).entropy(3.0).gate(Gate::Context),
    rule("twitch-api-token", "Twitch API token", "Twitch", High, &["twitch"],
        concat!(r"(?i:twitch)[\w.-]{0,25}?(?i:token|secret|key)", ctx!(), r"(?P<secret>[a-z0-9]{30})", ctx_end!()),
        revoke!("revoke the token (`POST https://id.twitch.tv/oauth2/revoke`) or reset the client secret in the Twitch developer console.")).entropy(3.0).gate(Gate::Context),
    rule("twitter-bearer-token", "Twitter / X bearer token", "Twitter", High, &["AAAAAAAAAAAAAAAAAAAAA"],
        r"(?:^|[^A-Za-z0-9+/%])(?P<secret>A{22}[A-Za-z0-9%]{80,100})(?:[^A-Za-z0-9%+/=]|$)",
        revoke!("regenerate the bearer token in the X developer portal (Keys and tokens).")).entropy(3.5),
    rule("url-password", "Password in URL", "Generic", Medium, &["://"],
        r#"\b[A-Za-z][A-Za-z0-9+.-]{1,30}://(?P<user>[^\s:@/?#\[\]"'`<>]{1,64}):(?P<secret>[^\s:@/?#\[\]"'`<>]{3,128})@[A-Za-z0-9\[]"#,
        revoke!("change the password and move it out of the URL into a secret store or a credentials file mounted at run time."))
        .fallback().gate(Gate::At).before(SCHEME_END),
    rule("vault-batch-token", "HashiCorp Vault batch token", "HashiCorp", High, &["hvb."],
        r"\b(?P<secret>hvb\.[A-Za-z0-9_-]{138,300})(?:[^A-Za-z0-9_-]|$)",
        revoke!("batch tokens cannot be revoked individually: revoke their parent token or lease, and shorten their TTL.")),
    rule("vault-service-token", "HashiCorp Vault service token", "HashiCorp", High, &["hvs."],
        r"\b(?P<secret>hvs\.[A-Za-z0-9_-]{24,120})(?:[^A-Za-z0-9_-]|$)",
        revoke!("revoke the token (`vault token revoke`) and issue short-lived tokens at run time.")).entropy(3.5),
];

#[cfg(test)]
mod tests {
    use regex::bytes::RegexBuilder;

    use super::*;

    #[test]
    fn ids_are_unique_sorted_and_kebab_case() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            ids, sorted,
            "RULES must stay sorted by id, without duplicates"
        );
        for id in ids {
            assert!(
                id.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{id}"
            );
        }
    }

    #[test]
    fn covers_at_least_sixty_credential_types() {
        assert!(RULES.len() >= 60, "{} rules", RULES.len());
    }

    #[test]
    fn every_rule_is_complete() {
        for r in RULES {
            assert!(
                !r.meta.title.is_empty() && !r.category.is_empty(),
                "{}",
                r.meta.id
            );
            assert!(!r.keywords.is_empty(), "{} has no keywords", r.meta.id);
            for kw in r.keywords {
                assert!(
                    kw.len() >= 2,
                    "{}: keyword `{kw}` is too short to filter",
                    r.meta.id
                );
                assert_eq!(
                    kw.trim(),
                    *kw,
                    "{}: keyword `{kw}` has outer spaces",
                    r.meta.id
                );
                // A 3-byte keyword without known neighbours costs every scan 128
                // prefilter anchors (see `Beside`).
                assert!(
                    kw.len() != 3 || r.beside != Beside::Any,
                    "{}: 3-byte keyword `{kw}` needs `.after()` or `.before()`",
                    r.meta.id
                );
            }
            let re = RegexBuilder::new(r.regex)
                .unicode(false)
                .build()
                .unwrap_or_else(|e| panic!("{}: {e}", r.meta.id));
            assert!(
                re.capture_names().any(|n| n == Some("secret")),
                "{} has no `secret` group",
                r.meta.id
            );
            assert!(
                r.revoke.ends_with('.'),
                "{}: revoke text is a sentence",
                r.meta.id
            );
            assert!(
                r.meta.fix.contains("RUN --mount=type=secret"),
                "{}",
                r.meta.id
            );
            // Custom rules build the same text at run time.
            assert_eq!(r.meta.fix, remediation(r.revoke), "{}", r.meta.id);
            if let Some(e) = r.entropy {
                assert!((0.0..=8.0).contains(&e), "{}", r.meta.id);
            }
        }
    }

    #[test]
    fn rule_ids_are_frozen() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta.id).collect();
        insta::assert_snapshot!("rule_ids", ids.join("\n"));
    }
}
