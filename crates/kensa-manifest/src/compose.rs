//! Compose files (the Compose Specification, and v2/v3 files, which it reads the same):
//! every service is a [`Workload`] of one container. `extends` within the file is merged
//! as Compose merges it (mappings key by key, sequences appended, scalars overridden);
//! anchors and merge keys are expanded by the YAML parser; `${VAR:-default}` reads as
//! its default and `${VAR}` stays unresolved. Services of every profile are checked.

use crate::model::{
    At, ComposeProject, Container, Dialect, EnvVar, Field, HostMount, Ignore, Manifests, Origin,
    Role, Val, Workload, join,
};
use crate::value::{bool_field, str_field, string};
use crate::yaml::{Node, Value};

const D: Dialect = Dialect::Compose;

/// The extension key that lists rule ids to ignore, on a service or the whole file.
pub const IGNORE_KEY: &str = "x-kensa-ignore";

/// How deep `extends` chains are followed.
const MAX_EXTENDS: usize = 8;

/// Whether a document looks like a Compose file.
pub(crate) fn detect(doc: &Node) -> bool {
    doc.get("apiVersion").is_none()
        && doc
            .get("services")
            .and_then(Node::as_map)
            .is_some_and(|s| s.iter().all(|(_, v)| v.as_map().is_some() || v.is_null()))
}

/// Reads document `index` of `file`.
pub(crate) fn read(file: &str, index: usize, doc: &Node, out: &mut Manifests) {
    let Some(services) = doc.get("services").and_then(Node::as_map) else {
        return;
    };
    let origin = |kind: &str, name: &str| Origin {
        file: file.to_owned(),
        document: index,
        kind: kind.to_owned(),
        name: name.to_owned(),
    };
    let networks = doc.entry("networks");
    let internal_networks = networks
        .and_then(|(_, n)| n.as_map())
        .into_iter()
        .flatten()
        .filter(|(_, v)| {
            v.get("internal")
                .is_some_and(|i| crate::value::boolean(i, D) == Val::Known(true))
        })
        .filter_map(|(k, _)| k.as_str().map(str::to_owned))
        .collect();
    let project = ComposeProject {
        origin: origin("compose", file),
        internal_networks,
        at: match networks {
            Some((k, _)) => At::new("networks", k.line),
            None => doc
                .entry("services")
                .map_or(At::new("", doc.line), |(k, _)| At::new("services", k.line)),
        },
        ignores: doc
            .get(IGNORE_KEY)
            .map(|v| ignores(v, &format!("`{IGNORE_KEY}` of `{file}`")))
            .unwrap_or_default(),
    };
    for (key, svc) in services {
        let Some(name) = key.as_str() else { continue };
        let path = format!("services.{name}");
        let mut w = Workload::new(D, origin("service", name), At::new(path.clone(), key.line));
        let merged = match resolve_extends(services, name, svc, 0) {
            Ok(node) => node,
            Err(message) => {
                out.notes.push(kensa_core::ScanNote {
                    level: kensa_core::NoteLevel::Warning,
                    found_by: "manifest".to_owned(),
                    location: kensa_core::Location::path(file).with_line(key.line),
                    message: format!("service `{name}`: {message}"),
                });
                svc.clone()
            }
        };
        w.ignores.extend(project.ignores.iter().cloned());
        if let Some(v) = merged.get(IGNORE_KEY) {
            w.ignores
                .extend(ignores(v, &format!("`{IGNORE_KEY}` of service `{name}`")));
        }
        read_service(&merged, &path, key.line, name, &mut w);
        out.workloads.push(w);
    }
    out.compose.push(project);
}

/// The service with its `extends` chain merged in (same file only).
fn resolve_extends(
    services: &[(Node, Node)],
    name: &str,
    svc: &Node,
    depth: usize,
) -> Result<Node, String> {
    let Some(ext) = svc.get("extends") else {
        return Ok(svc.clone());
    };
    if depth >= MAX_EXTENDS {
        return Err(format!("`extends` nests deeper than {MAX_EXTENDS}"));
    }
    let (base_name, other_file) = match &ext.value {
        Value::Str(s) => (s.clone(), None),
        Value::Map(_) => (
            ext.get("service")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_owned(),
            ext.get("file").and_then(Node::as_str),
        ),
        _ => return Err("`extends` is neither a service name nor a mapping".to_owned()),
    };
    if let Some(other) = other_file {
        return Err(format!(
            "extends `{base_name}` of `{other}`, another file; kensa checks the service's own settings only (scan that file too)"
        ));
    }
    if base_name == name {
        return Err("extends itself".to_owned());
    }
    let Some((_, base)) = services
        .iter()
        .find(|(k, _)| k.as_str() == Some(base_name.as_str()))
    else {
        return Err(format!(
            "extends `{base_name}`, which the file does not define"
        ));
    };
    let base = resolve_extends(services, &base_name, base, depth + 1)?;
    Ok(merge(&base, svc))
}

/// Compose's merge: mappings key by key, sequences appended, anything else replaced.
fn merge(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (Value::Map(b), Value::Map(o)) => {
            let mut entries: Vec<(Node, Node)> = Vec::with_capacity(b.len() + o.len());
            for (k, v) in b {
                if k.as_str() == Some("extends") {
                    continue;
                }
                entries.push((k.clone(), v.clone()));
            }
            for (k, v) in o {
                if let Some(slot) = entries.iter_mut().find(|(ek, _)| ek.value == k.value) {
                    slot.1 = merge(&slot.1, v);
                } else {
                    entries.push((k.clone(), v.clone()));
                }
            }
            Node {
                line: over.line,
                value: Value::Map(entries),
            }
        }
        (Value::Seq(b), Value::Seq(o)) => Node {
            line: over.line,
            value: Value::Seq(b.iter().chain(o).cloned().collect()),
        },
        _ => over.clone(),
    }
}

fn ignores(v: &Node, source: &str) -> Vec<Ignore> {
    let reason = |why: Option<String>| match why {
        Some(why) => format!("{source}: {why}"),
        None => source.to_owned(),
    };
    match &v.value {
        Value::Str(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|id| Ignore {
                id: id.to_owned(),
                reason: reason(None),
            })
            .collect(),
        Value::Seq(items) => items
            .iter()
            .filter_map(Node::as_str)
            .map(|id| Ignore {
                id: id.to_owned(),
                reason: reason(None),
            })
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, why)| {
                Some(Ignore {
                    id: k.as_str()?.to_owned(),
                    reason: reason(why.scalar_text()),
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn read_service(svc: &Node, path: &str, line: u32, name: &str, w: &mut Workload) {
    let field = |key: &str| -> Option<(&Node, At)> {
        let (k, v) = svc.entry(key)?;
        Some((v, At::new(join(path, key), k.line)))
    };
    let s = |key: &str| field(key).map(|(v, at)| str_field(v, at, D));
    let b = |key: &str| field(key).map(|(v, at)| bool_field(v, at, D));
    let mut c = Container::new(name, At::new(path, line), Role::Main);
    c.image = s("image");
    c.user = s("user");
    c.privileged = b("privileged");
    c.read_only_root = b("read_only");
    c.cap_add = crate::kubernetes::list(svc, path, "cap_add");
    c.cap_drop = crate::kubernetes::list(svc, path, "cap_drop");
    if let Some((opts, at)) = field("security_opt") {
        for (i, item) in opts.as_seq().into_iter().flatten().enumerate() {
            if let Val::Known(text) = string(item, D) {
                security_opt(
                    &text,
                    At::new(format!("{}[{i}]", at.path), item.line),
                    &mut c,
                );
            }
        }
    }
    let mode = |key: &str| {
        s(key).map(|f| Field {
            value: match &f.value {
                Val::Known(m) => Val::Known(m == "host"),
                Val::Unresolved(e) => Val::Unresolved(e.clone()),
            },
            at: f.at,
        })
    };
    w.host_network = mode("network_mode");
    w.network_mode = s("network_mode");
    w.host_pid = mode("pid");
    w.host_ipc = mode("ipc");
    let limits = svc
        .get("deploy")
        .and_then(|d| d.get("resources"))
        .and_then(|r| r.entry("limits"));
    let limit = |key: &str| {
        let (lk, l) = limits?;
        let (k, v) = l.entry(key)?;
        let _ = lk;
        Some(str_field(
            v,
            At::new(format!("{path}.deploy.resources.limits.{key}"), k.line),
            D,
        ))
    };
    c.memory_limit = limit("memory").or_else(|| s("mem_limit"));
    c.cpu_limit = limit("cpus").or_else(|| s("cpus"));
    if let Some((vols, at)) = field("volumes") {
        for (i, v) in vols.as_seq().into_iter().flatten().enumerate() {
            let vat = At::new(format!("{}[{i}]", at.path), v.line);
            if let Some(m) = bind_mount(v, vat) {
                w.host_mounts.push(m);
            }
        }
    }
    if let Some((env, at)) = field("environment") {
        match &env.value {
            Value::Map(entries) => {
                for (k, v) in entries {
                    let Some(name) = k.as_str() else { continue };
                    if v.is_null() {
                        continue;
                    }
                    c.env.push(EnvVar {
                        name: name.to_owned(),
                        value: str_field(v, At::new(join(&at.path, name), k.line), D),
                    });
                }
            }
            Value::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let Some((name, value)) = item.as_str().and_then(|s| s.split_once('=')) else {
                        continue;
                    };
                    c.env.push(EnvVar {
                        name: name.to_owned(),
                        value: Field {
                            value: crate::value::interpolate(value),
                            at: At::new(format!("{}[{i}]", at.path), item.line),
                        },
                    });
                }
            }
            _ => {}
        }
    }
    w.networks = match svc.get("networks").map(|n| &n.value) {
        Some(Value::Seq(items)) => items.iter().filter_map(Node::scalar_text).collect(),
        Some(Value::Map(entries)) => entries
            .iter()
            .filter_map(|(k, _)| k.scalar_text())
            .collect(),
        _ => Vec::new(),
    };
    w.profiles = svc
        .get("profiles")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(Node::scalar_text)
        .collect();
    w.containers.push(c);
}

/// A bind mount of a host path, in short (`/var/run/docker.sock:/var/run/docker.sock:ro`)
/// or long (`{type: bind, source: …}`) syntax. Named volumes are not host paths.
fn bind_mount(v: &Node, at: At) -> Option<HostMount> {
    match &v.value {
        Value::Str(text) => {
            let mut parts = text.split(':');
            let source = parts.next()?;
            parts.next()?;
            let mode = parts.next().unwrap_or("");
            let is_path = source.starts_with(['/', '.', '~', '$']);
            is_path.then(|| HostMount {
                path: Field {
                    value: crate::value::interpolate(source),
                    at,
                },
                read_only: mode.split(',').any(|m| m == "ro"),
            })
        }
        Value::Map(_) => {
            if v.get("type").and_then(Node::as_str) != Some("bind") {
                return None;
            }
            let (k, src) = v.entry("source")?;
            Some(HostMount {
                path: str_field(src, At::new(join(&at.path, "source"), k.line), D),
                read_only: v
                    .get("read_only")
                    .is_some_and(|r| crate::value::boolean(r, D) == Val::Known(true)),
            })
        }
        _ => None,
    }
}

/// Applies one Docker security option (Compose `security_opt`, ECS
/// `dockerSecurityOptions`) to a container: `no-new-privileges`, `seccomp`, `apparmor`,
/// `label` (SELinux), with `:` or `=` as Docker accepts both.
pub(crate) fn security_opt(text: &str, at: At, c: &mut Container) {
    let (key, value) = text
        .split_once([':', '='])
        .map_or((text, ""), |(k, v)| (k, v));
    let known = |v: &str| Field::known(v.to_owned(), at.clone());
    match key {
        "no-new-privileges" => {
            let on = value.is_empty() || value == "true";
            c.allow_privilege_escalation = Some(Field::known(!on, at.clone()));
        }
        "seccomp" => {
            c.seccomp = Some(known(if value == "unconfined" {
                "Unconfined"
            } else {
                "Localhost"
            }));
        }
        "apparmor" => {
            c.apparmor = Some(known(if value == "unconfined" {
                "Unconfined"
            } else {
                "Localhost"
            }));
        }
        "label" => {
            if value == "disable" {
                c.selinux = Some(known("disable"));
            } else if let Some(t) = value.strip_prefix("type:") {
                c.selinux = Some(known(t));
            }
        }
        _ => {}
    }
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
            read("compose.yaml", i + 1, doc, &mut out);
        }
        out
    }

    #[test]
    fn extends_anchors_and_interpolation() {
        let m = read_all(
            "x-base: &base\n  read_only: true\n  cap_drop: [ALL]\nservices:\n  base:\n    <<: *base\n    image: app:${TAG:-1.2}\n    security_opt: [\"no-new-privileges:true\"]\n  worker:\n    extends: base\n    cap_drop: [NET_RAW]\n    volumes: [\"/var/run/docker.sock:/var/run/docker.sock:ro\", \"data:/data\"]\n    profiles: [jobs]\nnetworks:\n  back: {internal: true}\n",
        );
        let worker = &m.workloads[1];
        let c = &worker.containers[0];
        assert_eq!(c.image.as_ref().unwrap().get().unwrap(), "app:1.2");
        assert_eq!(c.read_only_root.as_ref().unwrap().get(), Some(&true));
        assert_eq!(c.cap_drop.len(), 2);
        assert_eq!(
            c.allow_privilege_escalation.as_ref().unwrap().get(),
            Some(&false)
        );
        assert_eq!(worker.host_mounts.len(), 1);
        assert!(worker.host_mounts[0].read_only);
        assert_eq!(worker.profiles, ["jobs"]);
        assert_eq!(m.compose[0].internal_networks, ["back"]);
    }
}
