//! The digest of everything besides the engine's code that decides what the scanner
//! reports: the built-in rule table, the built-in allowlists and placeholder lists, and
//! the user's settings. It keys the layer cache (through
//! [`Analyzer::settings_digest`](kensa_core::Analyzer::settings_digest)), so two rule
//! sets never share an entry and the same rule set always does, in any process.
//!
//! Every struct is taken apart with an exhaustive pattern, so a field added to a rule or
//! to the settings does not compile until it is part of the digest.

use kensa_core::{Digest, KeyBuilder};

use crate::allow::{
    ALLOW_PATHS, EXAMPLE_VALUES, LOOSE_PLACEHOLDER_VALUES, LOOSE_PLACEHOLDER_WORDS,
    PLACEHOLDER_WORDS,
};
use crate::rules::{Beside, Check, Gate, RULES, Rule, Value};
use crate::{CustomRule, SecretConfig};

/// The settings digest of a scanner built from `config`.
pub(crate) fn digest(config: &SecretConfig) -> Digest {
    let mut key = KeyBuilder::new("kensa-secret/settings");
    key.list(RULES, builtin_rule);
    for table in [
        ALLOW_PATHS,
        EXAMPLE_VALUES,
        PLACEHOLDER_WORDS,
        LOOSE_PLACEHOLDER_WORDS,
        LOOSE_PLACEHOLDER_VALUES,
    ] {
        key.list(table, |k, s| {
            k.str(s);
        });
    }
    let SecretConfig {
        custom_rules,
        disable_rules,
        allow_paths,
        allow_regexes,
    } = config;
    key.list(custom_rules, custom_rule);
    for list in [disable_rules, allow_paths, allow_regexes] {
        key.list(list, |k, s| {
            k.str(s);
        });
    }
    key.finish_digest()
}

fn builtin_rule(key: &mut KeyBuilder, rule: &Rule) {
    let Rule {
        meta,
        category,
        keywords,
        regex,
        entropy,
        multiline,
        fallback,
        loose,
        check,
        gate,
        beside,
        revoke,
    } = *rule;
    key.rule_meta(&meta)
        .str(category)
        .list(keywords, |k, w| {
            k.str(w);
        })
        .str(regex)
        .opt_str(entropy.map(|e| e.to_bits().to_string()).as_deref())
        .bool(multiline)
        .bool(fallback)
        .bool(loose)
        .str(match check {
            Check::None => "none",
            Check::Base64UserPass => "base64-user-pass",
            Check::NotWorkingDir => "not-working-dir",
            Check::NotJwt => "not-jwt",
            Check::UserPass => "user-pass",
            Check::NotHolder => "not-holder",
            Check::PrefixedOrNamed => "prefixed-or-named",
        })
        .str(match gate {
            Gate::None => "none",
            Gate::Assign => "assign",
            Gate::AssignValue(Value::Key) => "assign-value-key",
            Gate::AssignValue(Value::Password) => "assign-value-password",
            Gate::AssignValue(Value::AwsSecret) => "assign-value-aws-secret",
            Gate::At => "at",
            Gate::Context => "context",
        });
    match beside {
        Beside::Any => key.str("any"),
        Beside::After(bytes) => key.str("after").str(bytes),
        Beside::Before(bytes) => key.str("before").str(bytes),
    };
    key.str(revoke);
}

fn custom_rule(key: &mut KeyBuilder, rule: &CustomRule) {
    let CustomRule {
        id,
        title,
        severity,
        regex,
        keywords,
        entropy,
        multiline,
        revoke,
    } = rule;
    key.str(id)
        .str(title)
        .str(severity.as_str())
        .str(regex)
        .list(keywords, |k, w| {
            k.str(w);
        })
        .opt_str(entropy.map(|e| e.to_bits().to_string()).as_deref())
        .bool(*multiline)
        .opt_str(revoke.as_deref());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> SecretConfig {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn the_same_settings_give_the_same_digest() {
        let json = r#"{"allow_paths": ["**/fixtures/**"], "disable_rules": ["generic-api-key"]}"#;
        assert_eq!(digest(&config(json)), digest(&config(json)));
        assert_eq!(
            digest(&SecretConfig::default()),
            digest(&config("{}")),
            "an empty settings file is the default"
        );
    }

    #[test]
    fn every_setting_changes_the_digest() {
        let rule = |extra: &str| {
            format!(
                r#"{{"custom_rules": [{{"id": "t", "title": "T", "severity": "LOW", "regex": "T-[0-9]+"{extra}}}]}}"#
            )
        };
        let variants = [
            "{}".to_owned(),
            r#"{"allow_paths": ["a/**"]}"#.to_owned(),
            r#"{"allow_paths": ["b/**"]}"#.to_owned(),
            r#"{"allow_regexes": ["a/**"]}"#.to_owned(),
            r#"{"disable_rules": ["a/**"]}"#.to_owned(),
            rule(""),
            rule(r#", "entropy": 3.0"#),
            rule(r#", "entropy": 3.5"#),
            rule(r#", "multiline": true"#),
            rule(r#", "keywords": ["T-"]"#),
            rule(r#", "revoke": "Rotate it.""#),
            rule(r#", "revoke": "Rotate it""#),
        ];
        let digests: std::collections::HashSet<Digest> =
            variants.iter().map(|v| digest(&config(v))).collect();
        assert_eq!(digests.len(), variants.len());
    }
}
