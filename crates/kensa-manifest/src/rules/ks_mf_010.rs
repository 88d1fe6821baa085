//! KS-MF-010: Sensitive host path is mounted.

use kensa_core::{RuleMeta, Section, Severity};

/// Host paths that expose the node: exact matches only (a subdirectory of `/var` is
/// often a data directory).
const EXACT: &[(&str, &str)] = &[
    ("/", "the whole host filesystem"),
    ("/home", "users' home directories"),
    ("/run", "the runtime sockets"),
    ("/usr", "the host's binaries"),
    ("/var", "the runtime's and kubelet's state"),
    ("/var/run", "the runtime sockets"),
];

/// Host paths that expose the node, with everything under them.
const TREES: &[(&str, &str)] = &[
    ("/boot", "the kernel and boot loader"),
    ("/dev", "host devices"),
    ("/etc", "the host's configuration"),
    ("/proc", "host processes and kernel settings"),
    ("/root", "root's home directory"),
    ("/run/containerd", "the containerd socket"),
    ("/run/crio", "the CRI-O socket"),
    ("/run/docker.sock", "the Docker socket"),
    ("/sys", "kernel settings"),
    ("/var/lib/containerd", "containerd's state"),
    ("/var/lib/docker", "Docker's state"),
    (
        "/var/lib/kubelet",
        "the kubelet's credentials and pods' volumes",
    ),
    ("/var/run/containerd", "the containerd socket"),
    ("/var/run/crio", "the CRI-O socket"),
    ("/var/run/docker.sock", "the Docker socket"),
];

/// What mounting `path` exposes, when it is sensitive.
fn sensitive(path: &str) -> Option<&'static str> {
    let trimmed = path.trim_end_matches('/');
    let path = if trimmed.is_empty() { "/" } else { trimmed };
    EXACT
        .iter()
        .find(|(p, _)| *p == path)
        .or_else(|| {
            TREES.iter().find(|(p, _)| {
                path == *p
                    || path
                        .strip_prefix(p)
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        })
        .map(|(_, what)| *what)
}
use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-010",
    title: "Sensitive host path is mounted",
    severity: Severity::High,
    section: Section::HostFilesystemTampering,
    why: r#"Mounting `/`, `/etc`, `/proc`, `/sys`, the container runtime's socket (`/var/run/docker.sock`, `/run/containerd`) or the kubelet's directory hands the container the node: it can start privileged containers, read every secret on the node or rewrite its configuration. Read-only does not help for a socket."#,
    fix: r#"Remove the host mount. Use a volume, a ConfigMap/Secret, or an API (the Kubernetes API with narrow RBAC, a CSI driver) for what the container needs from the host."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`volumes[].hostPath.path`",
    ecs: "`volumes[].host.sourcePath`",
    compose: "`volumes` (bind mounts)",
};

impl ManifestRule for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn group(&self) -> Group {
        Group::Isolation
    }

    fn fields(&self) -> &'static Fields {
        &FIELDS
    }

    fn check(&self, m: &Manifests, _ctx: &Context<'_>, out: &mut Out) {
        for w in &m.workloads {
            for mount in &w.host_mounts {
                let Some(path) = out.known(w, &mount.path) else {
                    continue;
                };
                if let Some(hit) = sensitive(path) {
                    let ro = if mount.read_only { " (read-only)" } else { "" };
                    out.workload(
                        w,
                        &mount.path.at,
                        format!("mounts the host's `{path}`{ro}, which exposes {hit}"),
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

    #[test]
    fn fires_on_sockets_and_system_directories() {
        let text = deployment(
            "volumes:\n- name: sock\n  hostPath: {path: /var/run/docker.sock}\n- name: etc\n  hostPath: {path: /etc/ssl/}\n",
            "",
        );
        assert_eq!(
            fires(&Rule, &text),
            [
                "spec.template.spec.volumes[0].hostPath.path",
                "spec.template.spec.volumes[1].hostPath.path"
            ]
        );
        assert_eq!(
            fires(&Rule, "services:\n  a:\n    volumes: [\"/:/host:ro\"]\n"),
            ["services.a.volumes[0]"]
        );
    }

    #[test]
    fn ordinary_paths_and_named_volumes_are_clean() {
        let text = deployment(
            "volumes:\n- name: data\n  hostPath: {path: /srv/data}\n",
            "",
        );
        assert!(fires(&Rule, &text).is_empty());
        assert!(
            fires(
                &Rule,
                "services:\n  a:\n    volumes: [\"data:/var/lib/data\", \"./conf:/etc/app:ro\"]\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn ecs_host_source_paths_and_long_syntax_count() {
        let ecs = "{\"family\": \"t\", \"volumes\": [{\"name\": \"p\", \"host\": {\"sourcePath\": \"/proc\"}}], \"containerDefinitions\": [{\"name\": \"a\"}]}";
        assert_eq!(fires(&Rule, ecs), ["volumes[0].host.sourcePath"]);
        let compose = "services:\n  a:\n    volumes:\n      - type: bind\n        source: /var/lib/kubelet\n        target: /k\n";
        assert_eq!(fires(&Rule, compose), ["services.a.volumes[0].source"]);
    }
}
