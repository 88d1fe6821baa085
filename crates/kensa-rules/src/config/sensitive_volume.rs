use kensa_core::{Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// A `VOLUME` on a system directory or on the container runtime's socket.
pub struct SensitiveVolume;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-013",
    title: "Sensitive directory declared as a volume",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"A `VOLUME` on `/`, `/etc`, `/proc`, `/sys`, `/dev` or the Docker socket asks
whoever runs the image to mount that path, and runtimes and orchestrators that honour
image volumes (or users copying the image's expectations into `-v` flags) end up sharing
host system files or the runtime's control socket with the container, which is a
container escape. Dockle DKL-DI-0002; CIS Docker Benchmark 5.5, 5.31."#,
    fix: r#"Declare volumes only for application data (`VOLUME /var/lib/app`). If the
container must talk to the runtime, grant it through a narrowly scoped API proxy rather
than the socket, and never mount host system directories."#,
    links: &[],
};

/// Paths that must not be volumes, sorted.
const SENSITIVE: &[&str] = &[
    "/",
    "/boot",
    "/dev",
    "/etc",
    "/lib/modules",
    "/proc",
    "/root",
    "/run",
    "/run/containerd/containerd.sock",
    "/run/docker.sock",
    "/sys",
    "/usr",
    "/var/lib/docker",
    "/var/run",
    "/var/run/crio/crio.sock",
    "/var/run/docker.sock",
];

impl ConfigRule for SensitiveVolume {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        for volume in image.config.config.volumes.iter().flatten().map(|(v, _)| v) {
            let normal = normalize(volume);
            if SENSITIVE.binary_search(&normal.as_str()).is_ok() {
                let message = format!("VOLUME `{volume}`");
                out.push(META.finding(Scanner::Config, Location::default(), Some(message)));
            }
        }
    }
}

/// `/etc/`, `//etc`, `etc` and `/etc/.` all name `/etc`.
fn normalize(path: &str) -> String {
    let parts: Vec<&str> = path
        .trim()
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_config;
    use serde_json::json;

    #[test]
    fn fires_on_system_paths_and_runtime_sockets() {
        let cfg = json!({"Volumes": {"/var/run/docker.sock": {}, "/etc/": {}, "/data": {}}});
        let f = check_config(&SensitiveVolume, cfg);
        let messages: Vec<_> = f.iter().map(|f| f.message.as_deref().unwrap()).collect();
        assert_eq!(
            messages,
            ["VOLUME `/etc/`", "VOLUME `/var/run/docker.sock`"]
        );
    }

    #[test]
    fn clean_for_application_data() {
        let cfg = json!({"Volumes": {"/var/lib/postgresql/data": {}, "/etc/app": {}}});
        assert!(check_config(&SensitiveVolume, cfg).is_empty());
        assert!(check_config(&SensitiveVolume, json!({"Volumes": null})).is_empty());
    }

    #[test]
    fn odd_spellings_name_the_same_path() {
        assert_eq!(normalize("//proc/./"), "/proc");
        assert_eq!(normalize("."), "/");
        let f = check_config(&SensitiveVolume, json!({"Volumes": {"sys": {}}}));
        assert_eq!(f.len(), 1);
        let mut sorted = SENSITIVE.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, SENSITIVE, "binary_search needs a sorted table");
    }
}
