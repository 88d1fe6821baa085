//! KS-MF-025: ECS container runs without an init process.

use crate::Manifests;
use crate::model::Key;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};
use kensa_core::{RuleMeta, Section, Severity};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-025",
    title: "ECS container runs without an init process",
    severity: Severity::Low,
    section: Section::InsecureRuntimeConfig,
    why: r#"Without an init process the application is PID 1: it does not reap zombie processes and ignores signals it does not handle, so a stop becomes a kill after the timeout and child processes pile up."#,
    fix: r#"Set `linuxParameters.initProcessEnabled: true` in the container definition."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "-",
    ecs: "`linuxParameters.initProcessEnabled`",
    compose: "-",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Orchestrator
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for (w, c) in crate::rules::containers(m) {
            if !w.dialect.is_ecs() {
                continue;
            }
            match &c.ecs.init_process {
                Some(f) => {
                    if out.known(w, f) == Some(&false) {
                        out.container(w, c, &f.at, "`initProcessEnabled` is false");
                    }
                }
                None => out.container(
                    w,
                    c,
                    &c.want(w.dialect, Key::InitProcess),
                    "no init process is enabled",
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
    fn fires_without_init() {
        assert_eq!(
            fires(
                &Rule,
                "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\"}]}"
            ),
            ["containerDefinitions[0].linuxParameters.initProcessEnabled"]
        );
    }

    #[test]
    fn init_enabled_is_clean() {
        assert!(fires(&Rule, "{\"family\": \"t\", \"containerDefinitions\": [{\"name\": \"a\", \"linuxParameters\": {\"initProcessEnabled\": true}}]}").is_empty());
    }

    #[test]
    fn other_formats_do_not_apply() {
        assert!(fires(&Rule, &deployment("", "")).is_empty());
    }
}
