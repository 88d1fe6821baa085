//! Compose files (the Compose Specification, and v2/v3 files, which it reads the same):
//! every service is a [`Workload`] of one container. `extends` within the file is merged
//! as Compose merges it (mappings key by key, sequences appended, scalars overridden);
//! anchors and merge keys are expanded by the YAML parser; `${VAR:-default}` reads as
//! its default and `${VAR}` stays unresolved. Services of every profile are checked.

use crate::ManifestError;
use crate::model::{
    At, ComposeProject, Container, Dialect, EnvVar, Field, HostMount, Ignore, Manifests, Origin,
    Role, Val, Workload, join,
};
use crate::source::Loader;
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

/// Reads document `index` of `file`; `loader` serves the files `extends` names.
pub(crate) fn read(
    file: &str,
    index: usize,
    doc: &Node,
    out: &mut Manifests,
    loader: &dyn Loader,
) -> Result<(), ManifestError> {
    let Some(services) = doc.get("services").and_then(Node::as_map) else {
        return Ok(());
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
    let mut files = Files {
        loader,
        names: vec![file.to_owned()],
        main: services,
        services: Vec::new(),
    };
    for (key, svc) in services {
        let Some(name) = key.as_str() else { continue };
        let path = format!("services.{name}");
        let mut w = Workload::new(D, origin("service", name), At::new(path.clone(), key.line));
        let mut chain = vec![(0, name.to_owned())];
        let merged = match files.resolve(0, svc, &mut chain)? {
            Resolved::Merged(node) => node,
            Resolved::Unavailable(message) => {
                out.notes.push(kensa_core::ScanNote {
                    level: kensa_core::NoteLevel::Warning,
                    found_by: crate::FOUND_BY.to_owned(),
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
        let place = Place {
            names: &files.names,
        };
        read_service(&merged, &path, key.line, name, &mut w, &place);
        out.workloads.push(w);
    }
    out.compose.push(project);
    Ok(())
}

/// A service with its `extends` chain merged in, or why the chain could not be followed
/// in this scan (the service is then checked with its own settings).
enum Resolved {
    Merged(Node),
    Unavailable(String),
}

/// The files an `extends` chain has reached: `names[i]` is the file whose nodes have
/// `src == i` (0 is the document's own, whose services are `main`), `services[i - 1]`
/// its `services` mapping.
struct Files<'a> {
    loader: &'a dyn Loader,
    names: Vec<String>,
    main: &'a [(Node, Node)],
    services: Vec<Vec<(Node, Node)>>,
}

impl Files<'_> {
    /// `svc` (of file `src`) with its `extends` chain merged in. `chain` holds the
    /// (file, service) pairs being resolved, to name a cycle.
    fn resolve(
        &mut self,
        src: u16,
        svc: &Node,
        chain: &mut Vec<(u16, String)>,
    ) -> Result<Resolved, ManifestError> {
        let Some((ext_key, ext)) = svc.entry("extends") else {
            return Ok(Resolved::Merged(svc.clone()));
        };
        let here = self.names[usize::from(src)].clone();
        let fail = |message: String| ManifestError::Extends {
            file: here.clone(),
            line: ext_key.line.max(1),
            message,
        };
        if chain.len() > MAX_EXTENDS {
            return Err(fail(format!("`extends` nests deeper than {MAX_EXTENDS}")));
        }
        let (base_name, other) = match &ext.value {
            Value::Str(s) => (s.clone(), None),
            Value::Map(_) => {
                let Some(service) = ext.get("service").and_then(Node::as_str) else {
                    return Err(fail("`extends` has no `service`".to_owned()));
                };
                (
                    service.to_owned(),
                    ext.get("file").and_then(Node::as_str).map(str::to_owned),
                )
            }
            _ => {
                return Err(fail(
                    "`extends` is neither a service name nor a mapping".to_owned(),
                ));
            }
        };
        let base_src = match &other {
            None => src,
            Some(reference) => {
                let path = crate::source::resolve(&here, reference);
                match self.open(&path) {
                    Ok(Some(i)) => i,
                    Ok(None) => {
                        return Ok(Resolved::Unavailable(format!(
                            "extends `{base_name}` of `{path}`, another file, which this scan cannot read; the service's own settings are checked (`kensa manifest` on the files merges them)"
                        )));
                    }
                    Err(message) => {
                        return Err(fail(format!(
                            "`extends.file` `{reference}` (`{path}`): {message}"
                        )));
                    }
                }
            }
        };
        let base_file = self.names[usize::from(base_src)].clone();
        if let Some(start) = chain
            .iter()
            .position(|(f, s)| *f == base_src && *s == base_name)
        {
            let cycle: Vec<String> = chain[start..]
                .iter()
                .chain(std::iter::once(&(base_src, base_name.clone())))
                .map(|(f, s)| format!("`{}` service `{s}`", self.names[usize::from(*f)]))
                .collect();
            return Err(fail(format!("`extends` cycle: {}", cycle.join(" → "))));
        }
        // A file of the chain may extend a service of the first file again.
        let services: Vec<(Node, Node)> = match usize::from(base_src).checked_sub(1) {
            None => self.main.to_vec(),
            Some(i) => self.services.get(i).cloned().unwrap_or_default(),
        };
        let Some((_, base)) = services
            .iter()
            .find(|(k, _)| k.as_str() == Some(base_name.as_str()))
        else {
            return Err(fail(format!(
                "extends `{base_name}`, which `{base_file}` does not define"
            )));
        };
        chain.push((base_src, base_name.clone()));
        let resolved = self.resolve(base_src, base, chain)?;
        chain.pop();
        Ok(match resolved {
            Resolved::Merged(base) => Resolved::Merged(merge_service(&base, svc)),
            unavailable => unavailable,
        })
    }

    /// The index of file `path`, read and parsed on first use; `None` when the loader
    /// has no files at hand.
    fn open(&mut self, path: &str) -> Result<Option<u16>, String> {
        if let Some(i) = self.names.iter().position(|n| n == path) {
            return Ok(u16::try_from(i).ok());
        }
        let Some(text) = self.loader.load(path)? else {
            return Ok(None);
        };
        let src = u16::try_from(self.names.len())
            .map_err(|_| "too many files in `extends` chains".to_owned())?;
        let docs = crate::yaml::parse_documents(&text).map_err(|e| e.to_string())?;
        let Some(mut doc) = docs.into_iter().find(|d| !d.is_null()) else {
            return Err("no document in it".to_owned());
        };
        mark(&mut doc, src);
        let services = match doc.value {
            Value::Map(entries) => entries
                .into_iter()
                .find(|(k, _)| k.as_str() == Some("services"))
                .and_then(|(_, v)| match v.value {
                    Value::Map(s) => Some(s),
                    _ => None,
                }),
            _ => None,
        };
        let Some(services) = services else {
            return Err("not a Compose file (no `services` mapping)".to_owned());
        };
        self.names.push(path.to_owned());
        self.services.push(services);
        Ok(Some(src))
    }
}

/// Marks every node of a tree as read from file `src`.
fn mark(node: &mut Node, src: u16) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.src = src;
        match &mut n.value {
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
}

/// Service keys `extends` never copies from the base, as the Compose Specification
/// says: dependencies stay visible in the file that declares them.
const NOT_SHARED: &[&str] = &["depends_on", "extends", "volumes_from"];

/// A service merged over its base as Compose merges `extends` (the Compose
/// Specification's merge rules): mappings key by key; sequences appended, except
/// `command`, `entrypoint` and `healthcheck.test`, which are replaced, and `volumes`,
/// `secrets`, `configs` and `ports`, whose entries replace the base's entry with the
/// same target; `environment` and `labels` merged by name whether written as a list
/// or a mapping; `!reset` removes a value, `!override` replaces it whole.
fn merge_service(base: &Node, over: &Node) -> Node {
    let (Value::Map(b), Value::Map(_)) = (&base.value, &over.value) else {
        return over.clone();
    };
    let shared = Node {
        value: Value::Map(
            b.iter()
                .filter(|(k, _)| !k.as_str().is_some_and(|k| NOT_SHARED.contains(&k)))
                .cloned()
                .collect(),
        ),
        line: base.line,
        src: base.src,
    };
    merge_at("", &shared, over).unwrap_or_else(|| over.clone())
}

/// `over` merged onto `base` at field `path`; `None` when `over` resets it.
fn merge_at(path: &str, base: &Node, over: &Node) -> Option<Node> {
    match &over.value {
        Value::Tagged(tag, _) if tag == "!reset" => return None,
        Value::Tagged(tag, inner) if tag == "!override" => return Some((**inner).clone()),
        _ => {}
    }
    let keyed = matches!(path, "environment" | "labels");
    let base_value = if keyed { as_mapping(base) } else { None };
    let over_value = if keyed { as_mapping(over) } else { None };
    let (b, o) = match (base_value.as_ref(), over_value.as_ref()) {
        (Some(b), Some(o)) => (b, o),
        _ => (base, over),
    };
    Some(match (&b.value, &o.value) {
        (Value::Map(be), Value::Map(oe)) => {
            let mut entries: Vec<(Node, Node)> = be.clone();
            for (k, v) in oe {
                let child = match k.as_str() {
                    Some(key) => crate::model::join(path, key),
                    None => path.to_owned(),
                };
                match entries.iter().position(|(ek, _)| ek.value == k.value) {
                    Some(i) => match merge_at(&child, &entries[i].1, v) {
                        Some(merged) => entries[i].1 = merged,
                        None => {
                            entries.remove(i);
                        }
                    },
                    None => {
                        if !matches!(&v.value, Value::Tagged(t, _) if t == "!reset") {
                            entries.push((k.clone(), strip_override(v)));
                        }
                    }
                }
            }
            Node {
                line: o.line,
                src: o.src,
                value: Value::Map(entries),
            }
        }
        (Value::Seq(be), Value::Seq(oe)) => {
            let items = match path {
                "command" | "entrypoint" | "healthcheck.test" => oe.clone(),
                "volumes" | "secrets" | "configs" | "ports" => {
                    let mut items = be.clone();
                    for item in oe {
                        let key = unique_key(path, item);
                        match items.iter().position(|i| unique_key(path, i) == key) {
                            Some(i) if key.is_some() => items[i] = item.clone(),
                            _ => items.push(item.clone()),
                        }
                    }
                    items
                }
                _ => be.iter().chain(oe).cloned().collect(),
            };
            Node {
                line: o.line,
                src: o.src,
                value: Value::Seq(items),
            }
        }
        _ => o.clone(),
    })
}

fn strip_override(v: &Node) -> Node {
    match &v.value {
        Value::Tagged(tag, inner) if tag == "!override" => (**inner).clone(),
        _ => v.clone(),
    }
}

/// `environment` or `labels` written as a list (`KEY=value`, `KEY`) as the mapping it
/// means, each key with its item's line; a mapping as it is.
fn as_mapping(node: &Node) -> Option<Node> {
    match &node.value {
        Value::Map(_) => Some(node.clone()),
        Value::Seq(items) => {
            let entries = items
                .iter()
                .filter_map(|item| {
                    let text = item.as_str()?;
                    let (k, v) = match text.split_once('=') {
                        Some((k, v)) => (k, Value::Str(v.to_owned())),
                        None => (text, Value::Null),
                    };
                    let key = Node {
                        line: item.line,
                        src: item.src,
                        value: Value::Str(k.to_owned()),
                    };
                    let value = Node {
                        line: item.line,
                        src: item.src,
                        value: v,
                    };
                    Some((key, value))
                })
                .collect();
            Some(Node {
                line: node.line,
                src: node.src,
                value: Value::Map(entries),
            })
        }
        _ => None,
    }
}

/// What makes an entry of `volumes`, `secrets`, `configs` or `ports` unique: the
/// mount target (a secret's or config's target, else its source), a port as written.
fn unique_key(path: &str, item: &Node) -> Option<String> {
    match (&item.value, path) {
        (Value::Str(s), "volumes") => {
            let mut parts = s.split(':');
            let first = parts.next()?;
            Some(parts.next().unwrap_or(first).to_owned())
        }
        (Value::Str(s), _) => Some(s.clone()),
        (Value::Map(_), "ports") => Some(crate::value::render(item)),
        (Value::Map(_), _) => item
            .get("target")
            .or_else(|| item.get("source"))
            .and_then(Node::scalar_text),
        _ => None,
    }
}

/// Where a setting is: its field path, its node's line, and its node's file when
/// `extends` brought it in from another.
struct Place<'a> {
    names: &'a [String],
}

impl Place<'_> {
    fn at(&self, path: impl Into<String>, node: &Node) -> At {
        At {
            file: (node.src != 0)
                .then(|| self.names.get(usize::from(node.src)).cloned())
                .flatten(),
            ..At::new(path, node.line)
        }
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

fn read_service(
    svc: &Node,
    path: &str,
    line: u32,
    name: &str,
    w: &mut Workload,
    place: &Place<'_>,
) {
    let field = |key: &str| -> Option<(&Node, At)> {
        let (k, v) = svc.entry(key)?;
        Some((v, place.at(join(path, key), k)))
    };
    let s = |key: &str| field(key).map(|(v, at)| str_field(v, at, D));
    let b = |key: &str| field(key).map(|(v, at)| bool_field(v, at, D));
    let mut c = Container::new(name, At::new(path, line), Role::Main);
    c.image = s("image");
    c.user = s("user");
    c.privileged = b("privileged");
    c.read_only_root = b("read_only");
    c.cap_add = list(svc, path, "cap_add", place);
    c.cap_drop = list(svc, path, "cap_drop", place);
    if let Some((opts, at)) = field("security_opt") {
        for (i, item) in opts.as_seq().into_iter().flatten().enumerate() {
            if let Val::Known(text) = string(item, D) {
                security_opt(&text, place.at(format!("{}[{i}]", at.path), item), &mut c);
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
        let (_, l) = limits?;
        let (k, v) = l.entry(key)?;
        Some(str_field(
            v,
            place.at(format!("{path}.deploy.resources.limits.{key}"), k),
            D,
        ))
    };
    c.memory_limit = limit("memory").or_else(|| s("mem_limit"));
    c.cpu_limit = limit("cpus").or_else(|| s("cpus"));
    if let Some((vols, at)) = field("volumes") {
        for (i, v) in vols.as_seq().into_iter().flatten().enumerate() {
            let vat = place.at(format!("{}[{i}]", at.path), v);
            if let Some(m) = bind_mount(v, vat, place) {
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
                        value: str_field(v, place.at(join(&at.path, name), k), D),
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
                            at: place.at(format!("{}[{i}]", at.path), item),
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

/// A sequence of strings under `node.key`, each item with its own line and file.
fn list(node: &Node, path: &str, key: &str, place: &Place<'_>) -> Vec<Field<String>> {
    crate::kubernetes::list_at(node, path, key, |p, item| place.at(p, item))
}

/// A bind mount of a host path, in short (`/var/run/docker.sock:/var/run/docker.sock:ro`)
/// or long (`{type: bind, source: …}`) syntax. Named volumes are not host paths.
fn bind_mount(v: &Node, at: At, place: &Place<'_>) -> Option<HostMount> {
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
                path: str_field(src, place.at(join(&at.path, "source"), k), D),
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
            read("compose.yaml", i + 1, doc, &mut out, &crate::NoFiles).unwrap();
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

    /// Files served from memory, by the name `resolve` gives them.
    struct Mem(&'static [(&'static str, &'static str)]);

    impl Loader for Mem {
        fn load(&self, path: &str) -> Result<Option<String>, String> {
            self.0
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, t)| Some((*t).to_owned()))
                .ok_or_else(|| "no such file".to_owned())
        }
    }

    fn read_files(
        main: &str,
        files: &'static [(&'static str, &'static str)],
    ) -> Result<Manifests, ManifestError> {
        let mut out = Manifests::default();
        let docs = crate::yaml::parse_documents(main).unwrap();
        read("app/compose.yaml", 1, &docs[0], &mut out, &Mem(files))?;
        Ok(out)
    }

    const COMMON: &str = "services:\n  base:\n    image: registry.example/app:1.4\n    user: \"10001\"\n    command: [serve, --port, \"80\"]\n    environment: [LOG=info, MODE=prod]\n    volumes: [\"cache:/cache\", \"/srv/data:/data\"]\n    depends_on: [db]\n    cap_drop: [ALL]\n    privileged: true\n  hardened:\n    extends: base\n    read_only: true\n";

    #[test]
    fn extends_of_another_file_merges_as_compose_does() {
        let m = read_files(
            "services:\n  web:\n    extends: {file: ../common/base.yml, service: hardened}\n    command: [serve]\n    environment: {MODE: dev}\n    volumes: [\"/etc:/data:ro\"]\n    privileged: !reset null\n",
            &[("common/base.yml", COMMON)],
        )
        .unwrap();
        let w = &m.workloads[0];
        let c = &w.containers[0];
        let image = c.image.as_ref().unwrap();
        assert_eq!(image.get().unwrap(), "registry.example/app:1.4");
        assert_eq!(image.at.file.as_deref(), Some("common/base.yml"));
        assert_eq!(image.at.line, 3);
        let ro = c.read_only_root.as_ref().unwrap();
        assert_eq!(
            (ro.at.file.as_deref(), ro.at.line),
            (Some("common/base.yml"), 13)
        );
        assert!(c.privileged.is_none(), "`!reset` removes it");
        // `/srv/data:/data` is replaced by the local entry with the same target.
        let mounts: Vec<_> = w
            .host_mounts
            .iter()
            .map(|h| {
                (
                    h.path.get().unwrap().as_str(),
                    h.read_only,
                    h.path.at.file.clone(),
                )
            })
            .collect();
        assert_eq!(mounts, [("/etc", true, None)]);
        let env: Vec<_> = c
            .env
            .iter()
            .map(|e| (e.name.as_str(), e.value.get().unwrap().as_str()))
            .collect();
        assert_eq!(env, [("LOG", "info"), ("MODE", "dev")]);
        assert_eq!(c.cap_drop.len(), 1);
        assert!(m.notes.is_empty(), "{:?}", m.notes);
    }

    #[test]
    fn merge_rules_of_the_compose_specification() {
        let docs = crate::yaml::parse_documents(COMMON).unwrap();
        let services = docs[0].get("services").unwrap();
        let base = services.get("base").unwrap();
        let over = crate::yaml::parse_documents(
            "command: [serve]\ndepends_on: [cache]\nports: [\"80:80\"]\nvolumes: [\"other:/cache\", \"/x:/x\"]\ndeploy: {resources: {limits: {memory: 64M}}}\n",
        )
        .unwrap();
        let merged = merge_service(base, &over[0]);
        let text = crate::value::render(&merged);
        assert!(text.contains("command: [serve]"), "{text}");
        assert!(text.contains("depends_on: [cache]"), "{text}");
        assert!(!text.contains("db"), "depends_on is not shared: {text}");
        assert!(
            text.contains("volumes: [other:/cache, /srv/data:/data, /x:/x]"),
            "{text}"
        );
    }

    #[test]
    fn a_cycle_across_files_names_both() {
        let e = read_files(
            "services:\n  web:\n    extends: {file: a.yml, service: one}\n",
            &[
                (
                    "app/a.yml",
                    "services:\n  one:\n    extends: {file: ../app/b.yml, service: two}\n",
                ),
                (
                    "app/b.yml",
                    "services:\n  two:\n\n    extends: {file: a.yml, service: one}\n",
                ),
            ],
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "`app/b.yml` line 4: `extends` cycle: `app/a.yml` service `one` → `app/b.yml` service `two` → `app/a.yml` service `one`"
        );
    }

    #[test]
    fn a_missing_file_or_service_names_the_line() {
        let e = read_files(
            "services:\n  web:\n    image: x:1\n    extends: {file: gone.yml, service: base}\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "`app/compose.yaml` line 4: `extends.file` `gone.yml` (`app/gone.yml`): no such file"
        );
        let e = read_files(
            "services:\n  web:\n    extends: {file: c.yml, service: nope}\n",
            &[("app/c.yml", "services:\n  base: {}\n")],
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("extends `nope`, which `app/c.yml` does not define"),
            "{e}"
        );
        let deep: String = (0..12)
            .map(|i| format!("  s{i}:\n    extends: s{}\n", i + 1))
            .collect();
        let e = read_files(&format!("services:\n{deep}  s12: {{}}\n"), &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("nests deeper than 8"), "{e}");
    }

    #[test]
    fn without_files_at_hand_the_service_is_checked_alone_with_a_note() {
        let mut out = Manifests::default();
        let docs = crate::yaml::parse_documents(
            "services:\n  web:\n    extends: {file: c.yml, service: base}\n    user: root\n",
        )
        .unwrap();
        read("compose.yaml", 1, &docs[0], &mut out, &crate::NoFiles).unwrap();
        assert_eq!(out.workloads.len(), 1);
        assert!(
            out.notes[0].message.contains("cannot read"),
            "{:?}",
            out.notes
        );
    }

    // See: issues/13 (found by the `manifest` fuzz target)
    #[test]
    fn issue_13_fuzz_a_file_of_the_chain_extends_the_first_file_again() {
        let e = read_files(
            "services:\n  a:\n    extends: {file: f1.yaml, service: b}\n",
            &[(
                "app/f1.yaml",
                "services:\n  b:\n    extends: {file: compose.yaml, service: a}\n",
            )],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`extends` cycle"), "{e}");
        let m = read_files(
            "services:\n  a:\n    extends: {file: f1.yaml, service: b}\n  base:\n    user: \"1\"\n",
            &[(
                "app/f1.yaml",
                "services:\n  b:\n    extends: {file: compose.yaml, service: base}\n",
            )],
        )
        .unwrap();
        let user = m.workloads[0].containers[0].user.as_ref().unwrap();
        assert_eq!(
            (user.get().unwrap().as_str(), user.at.file.as_deref()),
            ("1", None)
        );
    }
}
