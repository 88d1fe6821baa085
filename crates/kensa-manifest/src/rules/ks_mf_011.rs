//! KS-MF-011: Container binds a host port.

use kensa_core::{RuleMeta, Section, Severity};

use crate::Manifests;
use crate::rules::{Context, Fields, Group, ManifestRule, Out};

pub(crate) struct Rule;

static META: RuleMeta = RuleMeta {
    id: "KS-MF-011",
    title: "Container binds a host port",
    severity: Severity::Medium,
    section: Section::InterContainerTraffic,
    why: r#"A `hostPort` opens the port on the node's own address, around Services and network policies that govern pod traffic, and ties the pod to nodes where the port is free."#,
    fix: r#"Remove `hostPort` and expose the container through a Service (Kubernetes) or a load balancer target group with `awsvpc` mode (ECS)."#,
    links: &[],
};

static FIELDS: Fields = Fields {
    kubernetes: "`ports[].hostPort`",
    ecs: "`portMappings[].hostPort` (bridge and host modes)",
    compose: "-",
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
            let awsvpc = w
                .network_mode
                .as_ref()
                .and_then(|f| f.get())
                .is_some_and(|m| m == "awsvpc");
            if awsvpc || w.dialect == crate::model::Dialect::Compose {
                // In `awsvpc` mode the host port is the task's own ENI port, not the host's.
                continue;
            }
            for c in &w.containers {
                for f in &c.host_ports {
                    if let Some(port) = out.known(w, f)
                        && *port > 0
                    {
                        out.container(w, c, &f.at, format!("binds host port {port}"));
                    }
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
    fn fires_on_host_port() {
        let text = deployment("", "ports:\n- containerPort: 80\n  hostPort: 8080\n");
        assert_eq!(
            fires(&Rule, &text),
            ["spec.template.spec.containers[0].ports[0].hostPort"]
        );
    }

    #[test]
    fn container_ports_alone_are_clean() {
        assert!(fires(&Rule, &deployment("", "ports:\n- containerPort: 80\n")).is_empty());
    }

    #[test]
    fn awsvpc_host_ports_are_the_task_s_own() {
        let ecs = |mode: &str| {
            format!(
                "{{\"family\": \"t\", \"networkMode\": \"{mode}\", \"containerDefinitions\": [{{\"name\": \"a\", \"portMappings\": [{{\"containerPort\": 80, \"hostPort\": 80}}]}}]}}"
            )
        };
        assert!(fires(&Rule, &ecs("awsvpc")).is_empty());
        assert_eq!(
            fires(&Rule, &ecs("bridge")),
            ["containerDefinitions[0].portMappings[0].hostPort"]
        );
    }
}
