use kensa_core::{Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// The image defines no HEALTHCHECK.
pub struct NoHealthcheck;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-002",
    title: "Image has no HEALTHCHECK",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Without a health check the runtime only knows whether the process exists,
not whether it still serves; a hung or compromised container keeps receiving traffic.
CIS Docker Benchmark 4.6; Dockle CIS-DI-0006."#,
    fix: r#"Add a `HEALTHCHECK CMD …` that probes the service (or configure the
orchestrator's liveness probe and disable this rule)."#,
    links: &[],
};

impl ConfigRule for NoHealthcheck {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        let test = image
            .config
            .config
            .healthcheck
            .as_ref()
            .and_then(|h| h.test.as_deref())
            .unwrap_or(&[]);
        let disabled = test.first().is_some_and(|t| t == "NONE");
        if test.is_empty() || disabled {
            let message = disabled.then(|| "HEALTHCHECK NONE disables the check".to_owned());
            out.push(META.finding(Scanner::Config, Location::default(), message));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_config;
    use serde_json::json;

    #[test]
    fn fires_when_absent_or_disabled() {
        assert_eq!(check_config(&NoHealthcheck, json!({})).len(), 1);
        assert_eq!(
            check_config(&NoHealthcheck, json!({"Healthcheck": {"Test": ["NONE"]}})).len(),
            1
        );
    }

    #[test]
    fn an_empty_test_list_is_no_check() {
        let f = check_config(&NoHealthcheck, json!({"Healthcheck": {"Test": []}}));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message, None);
    }

    #[test]
    fn clean_with_a_check() {
        let cfg = json!({"Healthcheck": {"Test": ["CMD-SHELL", "curl -f localhost/ || exit 1"]}});
        assert!(check_config(&NoHealthcheck, cfg).is_empty());
    }
}
