//! KS-MF-021: Secret in clear text in the environment.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-021",
    title: "Secret in clear text in the environment",
    severity: Severity::High,
    section: Section::EmbeddedClearTextSecrets,
    why: r#"A credential written into the manifest is in version control, in every rendered chart and CI log, and readable by anyone who can describe the pod or task definition. It cannot be rotated without a redeploy."#,
    fix: r#"Move the value to a secret store and reference it: `env[].valueFrom.secretKeyRef` (Kubernetes Secret), ECS `secrets` with an SSM Parameter Store or Secrets Manager ARN, Compose `secrets`. Then rotate the exposed credential."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`env[].value`",
    ecs: "`environment[].value`",
    compose: "`environment`",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Secrets
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, ctx: &Context<'_>, out: &mut Out) {
        let Some(scanner) = ctx.secrets else { return };
        for (w, c) in crate::rules::containers(m) {
            for env in &c.env {
                let Some(value) = env.value.get() else {
                    continue;
                };
                for found in scanner.scan_text("env", &format!("{}={value}", env.name)) {
                    let detail = found.message.clone().unwrap_or_default();
                    out.container(
                        w,
                        c,
                        &env.value.at,
                        format!(
                            "`{}` holds a clear-text secret, {} ({}): {detail}",
                            env.name, found.title, found.id
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    fn token() -> String {
        format!("ghp_{}", "R8kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3")
    }

    #[test]
    fn fires_on_a_token_and_masks_it() {
        let text = deployment(
            "",
            &format!("env:\n- name: GITHUB_TOKEN\n  value: {}\n", token()),
        );
        let found = hits(&Rule, &text);
        assert_eq!(
            found[0].at.path,
            "spec.template.spec.containers[0].env[0].value"
        );
        assert!(!found[0].message.contains(&token()), "{}", found[0].message);
    }

    #[test]
    fn references_and_ordinary_values_are_clean() {
        let text = deployment(
            "",
            "env:\n- name: LOG_LEVEL\n  value: info\n- name: TOKEN\n  valueFrom: {secretKeyRef: {name: s, key: t}}\n",
        );
        assert!(fires(&Rule, &text).is_empty());
        assert!(
            fires(
                &Rule,
                "services:\n  a:\n    environment:\n      TOKEN: ${TOKEN}\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn compose_lists_and_ecs_environment_count() {
        let compose = format!(
            "services:\n  a:\n    environment:\n      - GITHUB_TOKEN={}\n",
            token()
        );
        assert_eq!(fires(&Rule, &compose), ["services.a.environment[0]"]);
        let ecs = format!(
            "{{\"family\": \"t\", \"containerDefinitions\": [{{\"name\": \"a\", \"environment\": [{{\"name\": \"GH\", \"value\": \"{}\"}}]}}]}}",
            token()
        );
        assert_eq!(
            fires(&Rule, &ecs),
            ["containerDefinitions[0].environment[0].value"]
        );
    }
}
