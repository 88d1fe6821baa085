use kensa_core::{Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// The image exposes the SSH port.
pub struct SshPort;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-014",
    title: "Image exposes the SSH port",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`EXPOSE 22` means an SSH daemon is meant to run in the container: another
network service with its own credentials and vulnerabilities, a way in that bypasses the
runtime's access control and audit, and keys or passwords baked into the image. CIS
Docker Benchmark 5.7 (do not run sshd in containers)."#,
    fix: r#"Remove the SSH server and `EXPOSE 22`. Use `docker exec` or
`kubectl exec` (with RBAC and audit logging) for interactive access, and `kubectl cp` or
volumes for files."#,
    links: &[],
};

impl ConfigRule for SshPort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for port in image
            .config
            .config
            .exposed_ports
            .iter()
            .flatten()
            .map(|(p, _)| p)
        {
            let (number, proto) = port.split_once('/').unwrap_or((port, "tcp"));
            if number.trim() == "22" && proto.eq_ignore_ascii_case("tcp") {
                let message = format!("EXPOSE `{port}`");
                out.push(META.finding(Scanner::Config, Location::default(), Some(message)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_config;
    use serde_json::json;

    #[test]
    fn fires_on_port_22() {
        let f = check_config(
            &SshPort,
            json!({"ExposedPorts": {"22/tcp": {}, "80/tcp": {}}}),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].message.as_deref(), Some("EXPOSE `22/tcp`"));
        assert_eq!(
            check_config(&SshPort, json!({"ExposedPorts": {"22": {}}})).len(),
            1
        );
    }

    #[test]
    fn clean_for_other_ports() {
        let cfg = json!({"ExposedPorts": {"2222/tcp": {}, "8022/tcp": {}, "443/tcp": {}}});
        assert!(check_config(&SshPort, cfg).is_empty());
    }

    #[test]
    fn udp_22_is_not_ssh() {
        assert!(check_config(&SshPort, json!({"ExposedPorts": {"22/udp": {}}})).is_empty());
    }
}
