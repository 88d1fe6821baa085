//! KS-DF-004: Secret in ARG or ENV.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};

pub(crate) struct KsDf004;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-004",
    title: "Secret in ARG or ENV",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"ARG and ENV values are stored in the image config and its history; anyone who can pull the image can read them with `docker history` or `docker inspect`, long after the build (SP 800-190 4.1.4). It stands in for hadolint's DL3064, so ignores written for DL3064 apply to it."#,
    fix: r#"Remove the value from the Dockerfile. Pass build-time secrets with `RUN --mount=type=secret,id=…`, and run-time secrets through the orchestrator's secret store or a mounted file."#,
    links: &[],
};

impl DockerfileRule for KsDf004 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        // An `ONBUILD ARG`/`ENV` trigger is stored in this image's config and runs in
        // every image built from it, so it carries the secret as far (hadolint's DL3064
        // checks triggers too).
        let all = ctx
            .file
            .instructions
            .iter()
            .flat_map(|i| std::iter::once(i).chain(i.trigger.as_deref()));
        for inst in all {
            if !matches!(inst.keyword, Keyword::Arg | Keyword::Env) {
                continue;
            }
            for (name, value) in inst.raw_pairs() {
                let value = value.as_deref().map(str::trim).unwrap_or_default();
                let literal = !value.is_empty() && !value.starts_with('$');
                if literal && (secret_name(&name) || secret_value(value)) {
                    out.push(Hit::msg(
                        inst,
                        format!("`{}` has a literal value `{}`", name, mask(value)),
                    ));
                } else if secret_name(&name) {
                    // Without a literal, the value still lands in the image: a build
                    // argument's in the history of every RUN that sees it, an ENV's in
                    // the config (as hadolint's DL3064 judges).
                    let what = if inst.keyword == Keyword::Arg {
                        "a build argument named like a secret: the value given with `--build-arg` is recorded in the image history"
                    } else {
                        "named like a secret: the value it takes is stored in the image config"
                    };
                    out.push(Hit::msg(inst, format!("`{name}` is {what}")));
                }
            }
        }
    }
}

fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const NAMES: &[&str] = &[
        "ACCESS_KEY",
        "API_KEY",
        "APIKEY",
        "AUTH_TOKEN",
        "CLIENT_SECRET",
        "CREDENTIAL",
        "PASSWD",
        "PASSWORD",
        "PRIVATE_KEY",
        "SECRET",
        "TOKEN",
    ];
    // `*_FILE`, `*_PATH`, `*_URL` and the like name where a secret lives, not the secret.
    const HOLDERS: &[&str] = &[
        "_FILE",
        "_PATH",
        "_DIR",
        "_URL",
        "_URI",
        "_ID",
        "_NAME",
        "_USER",
        "_ENDPOINT",
    ];
    // An access key ID is half of a key pair (AWS, Alibaba), not a mere identifier.
    upper.ends_with("ACCESS_KEY_ID")
        || (NAMES.iter().any(|n| upper.contains(n)) && !HOLDERS.iter().any(|h| upper.ends_with(h)))
}

fn secret_value(value: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "-----BEGIN",
        "ghp_",
        "github_pat_",
        "glpat-",
        "sk_live_",
        "xoxb-",
        "xoxp-",
    ];
    let aws = value.len() == 20
        && (value.starts_with("AKIA") || value.starts_with("ASIA"))
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    aws || PREFIXES.iter().any(|p| value.starts_with(p))
}

/// Keeps two characters of long values so the finding can be matched to the line.
fn mask(value: &str) -> String {
    let n = value.chars().count();
    if n <= 4 {
        return "*".repeat(n);
    }
    value
        .chars()
        .take(2)
        .chain(std::iter::repeat_n('*', n - 2))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_password_env() {
        assert_eq!(
            lines(
                &KsDf004,
                "FROM debian:12\nENV DB_PASSWORD=hunter2 PORT=8080\nARG GITHUB_TOKEN=ghp_abc\n"
            ),
            vec![2, 3]
        );
    }

    #[test]
    fn references_to_files_and_urls_are_clean() {
        let src = "FROM debian:12\nARG NPM_TOKEN_FILE\nENV DB_PASSWORD_FILE=/run/secrets/db TOKEN_URL=https://auth/x SECRETS_DIR=/run/secrets\n";
        assert!(lines(&KsDf004, src).is_empty());
    }

    #[test]
    fn issue_15_names_like_secrets_fire_without_a_literal() {
        let src = "ARG openai_api_key\nFROM debian:12\nARG NPM_TOKEN\nENV API_KEY=${API_KEY}\nENV AWS_ACCESS_KEY_ID=AKIDEXAMPLE\nARG BUILD_ID\n";
        assert_eq!(lines(&KsDf004, src), vec![1, 3, 4, 5]);
    }

    #[test]
    fn secret_looking_value_under_innocent_name_and_masking() {
        assert_eq!(
            lines(
                &KsDf004,
                "FROM debian:12\nENV AWS_ID=AKIAIOSFODNN7EXAMPLE\n"
            ),
            vec![2]
        );
        assert_eq!(mask("hunter2"), "hu*****");
        assert_eq!(mask("ab"), "**");
    }

    #[test]
    fn issue_15_onbuild_triggers_are_checked() {
        let src = "FROM debian:12\nONBUILD ENV GITHUB_TOKEN=ghp_abc\nONBUILD ARG DEPLOY_PASSWORD\nONBUILD ENV PORT=8080\n";
        assert_eq!(lines(&KsDf004, src), vec![2, 3]);
    }
}
