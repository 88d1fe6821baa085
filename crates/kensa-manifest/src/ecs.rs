//! ECS task definitions: the JSON `aws ecs register-task-definition` takes, the output of
//! `describe-task-definition` (under `taskDefinition`), and `AWS::ECS::TaskDefinition`
//! resources of CloudFormation templates (JSON or YAML, `!Ref`/`!Sub`/`!GetAtt` left
//! unresolved). Keys are matched ignoring case, since the API spells them camelCase and
//! CloudFormation PascalCase; paths in findings keep the document's spelling.

use crate::model::{
    At, Container, Dialect, EnvVar, Field, HostMount, Ignore, Manifests, Origin, Role, Val,
    Workload, join,
};
use crate::value::{bool_field, int_field, str_field, string};
use crate::yaml::Node;

/// The tag key that lists rule ids to ignore on a task definition.
pub const IGNORE_TAG: &str = "kensa.io/ignore";

/// One task definition found in a document.
struct Found<'a> {
    node: &'a Node,
    path: String,
    dialect: Dialect,
    kind: &'static str,
    name: String,
    /// Tags outside the task definition (`describe-task-definition --include TAGS`).
    outer_tags: Option<&'a Node>,
}

fn find(doc: &Node) -> Vec<Found<'_>> {
    let mut found = Vec::new();
    let family = |n: &Node| {
        n.entry_ci("family")
            .and_then(|(_, v)| v.scalar_text())
            .unwrap_or_else(|| "(no family)".to_owned())
    };
    if doc.entry_ci("containerDefinitions").is_some() {
        found.push(Found {
            node: doc,
            path: String::new(),
            dialect: Dialect::EcsJson,
            kind: "TaskDefinition",
            name: family(doc),
            outer_tags: None,
        });
    } else if let Some((key, td)) = doc.entry_ci("taskDefinition")
        && td.entry_ci("containerDefinitions").is_some()
    {
        found.push(Found {
            node: td,
            path: key.to_owned(),
            dialect: Dialect::EcsJson,
            kind: "TaskDefinition",
            name: family(td),
            outer_tags: doc.entry_ci("tags").map(|(_, v)| v),
        });
    }
    if let Some(resources) = doc.get("Resources").and_then(Node::as_map) {
        for (id, res) in resources {
            let Some(id) = id.as_str() else { continue };
            if res.get("Type").and_then(Node::as_str) != Some("AWS::ECS::TaskDefinition") {
                continue;
            }
            let Some(props) = res.get("Properties") else {
                continue;
            };
            found.push(Found {
                node: props,
                path: format!("Resources.{id}.Properties"),
                dialect: Dialect::EcsCloudFormation,
                kind: "AWS::ECS::TaskDefinition",
                name: id.to_owned(),
                outer_tags: None,
            });
        }
    }
    found
}

/// Whether a document holds a task definition.
pub(crate) fn detect(doc: &Node) -> bool {
    !find(doc).is_empty()
}

/// Reads every task definition of document `index` of `file`.
pub(crate) fn read(file: &str, index: usize, doc: &Node, out: &mut Manifests) {
    for f in find(doc) {
        let origin = Origin {
            file: file.to_owned(),
            document: index,
            kind: f.kind.to_owned(),
            name: f.name.clone(),
        };
        let d = f.dialect;
        let mut w = Workload::new(d, origin.clone(), At::new(f.path.clone(), f.node.line));
        let get = |key: &str| -> Option<(&Node, At)> {
            let (spelt, v) = f.node.entry_ci(key)?;
            Some((v, At::new(join(&f.path, spelt), key_line(f.node, spelt))))
        };
        if let Some((v, at)) = get("networkMode") {
            let mode = str_field(v, at, d);
            w.host_network = Some(host_flag(&mode));
            w.network_mode = Some(mode);
        }
        w.host_pid = get("pidMode").map(|(v, at)| host_flag(&str_field(v, at, d)));
        w.host_ipc = get("ipcMode").map(|(v, at)| host_flag(&str_field(v, at, d)));
        w.task_memory = get("memory").map(|(v, at)| str_field(v, at, d));
        w.task_cpu = get("cpu").map(|(v, at)| str_field(v, at, d));
        if let Some((vols, at)) = get("volumes") {
            for (i, vol) in vols.as_seq().into_iter().flatten().enumerate() {
                let vol_path = format!("{}[{i}]", at.path);
                if let Some((hk, host)) = vol.entry_ci("host")
                    && let Some((sk, src)) = host.entry_ci("sourcePath")
                {
                    let path = format!("{vol_path}.{hk}.{sk}");
                    w.host_mounts.push(HostMount {
                        path: str_field(src, At::new(path, key_line(host, sk)), d),
                        read_only: false,
                    });
                }
            }
        }
        for tags in [f.node.entry_ci("tags").map(|(_, v)| v), f.outer_tags]
            .into_iter()
            .flatten()
        {
            w.ignores.extend(ignores(tags, &origin));
        }
        if let Some((defs, at)) = get("containerDefinitions") {
            for (i, c) in defs.as_seq().into_iter().flatten().enumerate() {
                let cat = At::new(format!("{}[{i}]", at.path), c.line);
                w.containers.push(read_container(c, cat, d));
            }
        }
        out.workloads.push(w);
    }
}

/// `host` network, PID or IPC mode as a boolean field, where the mode is written.
fn host_flag(mode: &Field<String>) -> Field<bool> {
    Field {
        value: match &mode.value {
            Val::Known(m) => Val::Known(m == "host"),
            Val::Unresolved(e) => Val::Unresolved(e.clone()),
        },
        at: mode.at.clone(),
    }
}

/// The line of `key` in `node` (the value's line when the key is not found).
fn key_line(node: &Node, key: &str) -> u32 {
    node.entry(key).map_or(node.line, |(k, _)| k.line)
}

fn ignores(tags: &Node, origin: &Origin) -> Vec<Ignore> {
    let mut out = Vec::new();
    for tag in tags.as_seq().into_iter().flatten() {
        let key = tag.entry_ci("key").and_then(|(_, v)| v.as_str());
        let value = tag.entry_ci("value").and_then(|(_, v)| v.as_str());
        if key == Some(IGNORE_TAG)
            && let Some(list) = value
        {
            out.extend(
                list.split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|id| Ignore {
                        id: id.to_owned(),
                        reason: format!("tag `{IGNORE_TAG}` on {}/{}", origin.kind, origin.name),
                    }),
            );
        }
    }
    out
}

fn read_container(c: &Node, at: At, d: Dialect) -> Container {
    let base = at.path.clone();
    let name = c
        .entry_ci("name")
        .and_then(|(_, v)| v.scalar_text())
        .unwrap_or_else(|| "(unnamed)".to_owned());
    let mut out = Container::new(name, at, Role::Main);
    let get = |node: &'_ Node, parent: &str, key: &str| -> Option<(Node, At)> {
        let (spelt, v) = node.entry_ci(key)?;
        Some((
            v.clone(),
            At::new(join(parent, spelt), key_line(node, spelt)),
        ))
    };
    let s = |key: &str| get(c, &base, key).map(|(v, at)| str_field(&v, at, d));
    let b = |key: &str| get(c, &base, key).map(|(v, at)| bool_field(&v, at, d));
    out.image = s("image");
    out.user = s("user");
    out.privileged = b("privileged");
    out.read_only_root = b("readonlyRootFilesystem");
    out.memory_limit = s("memory");
    out.cpu_limit = s("cpu");
    out.ecs.essential = b("essential");
    out.ecs.health_check = get(c, &base, "healthCheck").map(|(_, at)| at);
    out.ecs.log_configuration = get(c, &base, "logConfiguration").map(|(_, at)| at);
    if let Some((lp, lp_at)) = get(c, &base, "linuxParameters") {
        out.ecs.init_process =
            get(&lp, &lp_at.path, "initProcessEnabled").map(|(v, at)| bool_field(&v, at, d));
        if let Some((caps, caps_at)) = get(&lp, &lp_at.path, "capabilities") {
            for (key, list) in [("add", &mut out.cap_add), ("drop", &mut out.cap_drop)] {
                if let Some((items, items_at)) = get(&caps, &caps_at.path, key) {
                    for (i, item) in items.as_seq().into_iter().flatten().enumerate() {
                        list.push(str_field(
                            item,
                            At::new(format!("{}[{i}]", items_at.path), item.line),
                            d,
                        ));
                    }
                }
            }
        }
    }
    if let Some((opts, opts_at)) = get(c, &base, "dockerSecurityOptions") {
        for (i, item) in opts.as_seq().into_iter().flatten().enumerate() {
            let at = At::new(format!("{}[{i}]", opts_at.path), item.line);
            let Val::Known(text) = string(item, d) else {
                continue;
            };
            crate::compose::security_opt(&text, at, &mut out);
        }
    }
    if let Some((env, env_at)) = get(c, &base, "environment") {
        for (i, e) in env.as_seq().into_iter().flatten().enumerate() {
            let (Some((_, name)), Some((vk, v))) = (e.entry_ci("name"), e.entry_ci("value")) else {
                continue;
            };
            let Some(name) = name.scalar_text() else {
                continue;
            };
            let at = At::new(format!("{}[{i}].{vk}", env_at.path), key_line(e, vk));
            out.env.push(EnvVar {
                name,
                value: str_field(v, at, d),
            });
        }
    }
    if let Some((ports, ports_at)) = get(c, &base, "portMappings") {
        for (i, p) in ports.as_seq().into_iter().flatten().enumerate() {
            if let Some((hk, hp)) = p.entry_ci("hostPort") {
                let at = At::new(format!("{}[{i}].{hk}", ports_at.path), key_line(p, hk));
                out.host_ports.push(int_field(hp, at, d));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str) -> Manifests {
        let mut out = Manifests::default();
        for (i, doc) in crate::yaml::parse_documents(text)
            .unwrap()
            .iter()
            .enumerate()
        {
            read("t.json", i + 1, doc, &mut out);
        }
        out
    }

    #[test]
    fn the_three_shapes_are_read_with_their_spelling() {
        let json = read_all(
            "{\"family\": \"web\", \"networkMode\": \"awsvpc\", \"containerDefinitions\": [\n {\"name\": \"app\", \"image\": \"x:1\", \"privileged\": true}]}",
        );
        let c = &json.workloads[0].containers[0];
        assert_eq!(
            c.privileged.as_ref().unwrap().at.path,
            "containerDefinitions[0].privileged"
        );
        assert_eq!(c.privileged.as_ref().unwrap().at.line, 2);
        let described = read_all(
            "{\"taskDefinition\": {\"family\": \"web\", \"containerDefinitions\": [{\"name\": \"app\"}]}}",
        );
        assert_eq!(
            described.workloads[0].containers[0].at.path,
            "taskDefinition.containerDefinitions[0]"
        );
        let cfn = read_all(
            "Resources:\n  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: app\n          Image: !Ref Image\n          Privileged: false\n",
        );
        let w = &cfn.workloads[0];
        assert_eq!(w.origin.describe(), "1: AWS::ECS::TaskDefinition/Task");
        let c = &w.containers[0];
        assert_eq!(
            c.image.as_ref().unwrap().value,
            Val::Unresolved("!Ref Image".into())
        );
        assert_eq!(
            c.want(w.dialect, crate::model::Key::ReadOnlyRoot).path,
            "Resources.Task.Properties.ContainerDefinitions[0].ReadonlyRootFilesystem"
        );
    }
}
