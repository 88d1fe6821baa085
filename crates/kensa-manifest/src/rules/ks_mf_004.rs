//! KS-MF-004: Privilege escalation is allowed.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-004",
    title: "Privilege escalation is allowed",
    severity: Severity::Medium,
    section: Section::InsecureRuntimeConfig,
    why: r#"Without `no_new_privs`, a setuid binary in the image (or one an attacker writes) can gain privileges the container's process does not have. Kubernetes allows escalation unless told otherwise."#,
    fix: r#"Kubernetes: set `securityContext.allowPrivilegeEscalation: false` on every container. Compose: add `no-new-privileges:true` to `security_opt`."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`securityContext.allowPrivilegeEscalation`",
    ecs: "-",
    compose: "`security_opt: [no-new-privileges:true]`",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Identity
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if w.dialect.is_ecs() {
                continue;
            }
            match &c.allow_privilege_escalation {
                Some(f) => {
                    if out.known(w, f) == Some(&true) {
                        out.container(w, c, &f.at, "privilege escalation is explicitly allowed");
                    }
                }
                None => out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::NoEscalation),
                    "privilege escalation is not turned off",
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::*;

    #[test]
    fn fires_when_not_turned_off() {
        assert_eq!(
            fires(&Rule, &deployment("", "")),
            ["spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation"]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    image: x:1\n"),
            ["services.a.security_opt"]
        );
    }

    #[test]
    fn false_and_no_new_privileges_are_clean() {
        let text = deployment("", "securityContext:\n  allowPrivilegeEscalation: false\n");
        assert!(fires(&Rule, &text).is_empty());
        assert!(
            fires(
                &Rule,
                "services:\n  a:\n    security_opt: [no-new-privileges]\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn explicit_true_points_at_it_and_ecs_does_not_apply() {
        let text = deployment("", "securityContext:\n  allowPrivilegeEscalation: true\n");
        assert_eq!(hits(&Rule, &text)[0].at.line, 15);
        let ecs = "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert!(fires(&Rule, ecs).is_empty());
    }
}
