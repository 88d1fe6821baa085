//! Kubernetes objects: every pod template, at whatever depth its kind nests it (Pod,
//! Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, `List` items, and any
//! custom resource that embeds a pod spec), read into [`Workload`]s; NetworkPolicies,
//! ServiceAccounts, Roles and bindings kept as [`KubeObject`]s for the checks that need
//! them.

use crate::model::{
    At, Container, Dialect, Field, HostMount, Ignore, KubeObject, Manifests, Origin, Role,
    Workload, join,
};
use crate::value::{bool_field, int_field, str_field};
use crate::yaml::Node;

const D: Dialect = Dialect::Kubernetes;

/// The annotation that lists rule ids to ignore on a workload or its pod template.
pub const IGNORE_ANNOTATION: &str = "kensa.io/ignore";
/// The annotation that says why.
pub const IGNORE_REASON_ANNOTATION: &str = "kensa.io/ignore-reason";

/// Kinds read as [`KubeObject`]s.
const SUPPORTING_KINDS: &[&str] = &[
    "ClusterRole",
    "ClusterRoleBinding",
    "Namespace",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "ServiceAccount",
];

/// Whether a document looks like a Kubernetes object.
pub(crate) fn detect(doc: &Node) -> bool {
    doc.get("apiVersion").is_some() && doc.get("kind").and_then(Node::as_str).is_some()
}

/// Reads document `index` of `file`.
pub(crate) fn read(file: &str, index: usize, doc: &Node, out: &mut Manifests) {
    if doc.get("kind").and_then(Node::as_str) == Some("List")
        && let Some(items) = doc.get("items").and_then(Node::as_seq)
    {
        for (i, item) in items.iter().enumerate() {
            read_object(file, index, &format!("items[{i}]"), item, out);
        }
        return;
    }
    read_object(file, index, "", doc, out);
}

fn read_object(file: &str, index: usize, root: &str, obj: &Node, out: &mut Manifests) {
    let kind = obj
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("(no kind)")
        .to_owned();
    let metadata = obj.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)")
        .to_owned();
    let origin = Origin {
        file: file.to_owned(),
        document: index,
        kind: kind.clone(),
        name,
    };
    let at = At::new(root, obj.line);
    let namespace_entry = metadata.and_then(|m| m.entry("namespace"));
    if SUPPORTING_KINDS.contains(&kind.as_str()) {
        out.kube_objects.push(KubeObject {
            origin,
            at,
            namespace: namespace_entry
                .and_then(|(_, v)| v.as_str())
                .map(str::to_owned),
            node: obj.clone(),
        });
        return;
    }
    let mut specs = Vec::new();
    find_pod_specs(obj, root, &mut specs, 0);
    for (holder, spec, path) in specs {
        let mut w = Workload::new(D, origin.clone(), At::new(path.clone(), spec.line));
        w.object = at.clone();
        w.namespace = namespace_entry
            .map(|(k, v)| str_field(v, At::new(join(root, "metadata.namespace"), k.line), D));
        let template_meta = holder.get("metadata");
        w.labels = labels(template_meta.or(metadata));
        for meta in [metadata, template_meta].into_iter().flatten() {
            w.ignores.extend(ignores(meta, &origin));
        }
        read_pod(spec, &path, template_meta, &mut w);
        out.workloads.push(w);
    }
}

/// Every mapping holding a pod spec (`containers` as a sequence) under `node`, with the
/// mapping that holds it (whose `metadata` is the pod template's) and its path.
fn find_pod_specs<'a>(
    node: &'a Node,
    path: &str,
    found: &mut Vec<(&'a Node, &'a Node, String)>,
    depth: usize,
) {
    if depth > 16 {
        return;
    }
    match &node.value {
        crate::yaml::Value::Map(entries) => {
            for (k, v) in entries {
                let Some(key) = k.as_str() else { continue };
                if key == "metadata" || key == "status" {
                    continue;
                }
                let child = join(path, key);
                if v.get("containers").and_then(Node::as_seq).is_some() {
                    found.push((node, v, child));
                } else {
                    find_pod_specs(v, &child, found, depth + 1);
                }
            }
        }
        crate::yaml::Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                find_pod_specs(item, &format!("{path}[{i}]"), found, depth + 1);
            }
        }
        _ => {}
    }
}

fn labels(meta: Option<&Node>) -> std::collections::BTreeMap<String, String> {
    meta.and_then(|m| m.get("labels"))
        .and_then(Node::as_map)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), v.scalar_text()?)))
        .collect()
}

fn annotation<'a>(meta: Option<&'a Node>, key: &str) -> Option<&'a str> {
    meta?.get("annotations")?.get(key)?.as_str()
}

/// The rule ids a `metadata` mapping's annotations ask to ignore.
pub(crate) fn ignores(meta: &Node, origin: &Origin) -> Vec<Ignore> {
    let Some(list) = annotation(Some(meta), IGNORE_ANNOTATION) else {
        return Vec::new();
    };
    let why = annotation(Some(meta), IGNORE_REASON_ANNOTATION);
    let reason = match why {
        Some(why) => format!(
            "annotation `{IGNORE_ANNOTATION}` on {}/{}: {why}",
            origin.kind, origin.name
        ),
        None => format!(
            "annotation `{IGNORE_ANNOTATION}` on {}/{} (no `{IGNORE_REASON_ANNOTATION}` given)",
            origin.kind, origin.name
        ),
    };
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|id| Ignore {
            id: id.to_owned(),
            reason: reason.clone(),
        })
        .collect()
}

/// A child setting of `node` at `parent.key`, with the key's line.
fn child<'a>(node: Option<&'a Node>, parent: &str, key: &str) -> Option<(&'a Node, At)> {
    let (k, v) = node?.entry(key)?;
    Some((v, At::new(join(parent, key), k.line)))
}

/// Pod-level security settings a container inherits.
struct PodSecurity {
    run_as_non_root: Option<Field<bool>>,
    run_as_user: Option<Field<i64>>,
    seccomp: Option<Field<String>>,
    apparmor: Option<Field<String>>,
    selinux: Option<Field<String>>,
}

fn security_settings(sc: Option<&Node>, path: &str) -> PodSecurity {
    PodSecurity {
        run_as_non_root: child(sc, path, "runAsNonRoot").map(|(v, at)| bool_field(v, at, D)),
        run_as_user: child(sc, path, "runAsUser").map(|(v, at)| int_field(v, at, D)),
        seccomp: child(sc, path, "seccompProfile").and_then(|(v, at)| {
            child(Some(v), &at.path, "type").map(|(t, at)| str_field(t, at, D))
        }),
        apparmor: child(sc, path, "appArmorProfile").and_then(|(v, at)| {
            child(Some(v), &at.path, "type").map(|(t, at)| str_field(t, at, D))
        }),
        selinux: child(sc, path, "seLinuxOptions").and_then(|(v, at)| {
            child(Some(v), &at.path, "type").map(|(t, at)| str_field(t, at, D))
        }),
    }
}

fn read_pod(spec: &Node, path: &str, template_meta: Option<&Node>, w: &mut Workload) {
    let flag = |key: &str| child(Some(spec), path, key).map(|(v, at)| bool_field(v, at, D));
    w.host_network = flag("hostNetwork");
    w.host_pid = flag("hostPID");
    w.host_ipc = flag("hostIPC");
    w.automount_token = flag("automountServiceAccountToken");
    w.service_account = spec
        .get("serviceAccountName")
        .or_else(|| spec.get("serviceAccount"))
        .and_then(Node::as_str)
        .map(str::to_owned);
    let sc_at = join(path, "securityContext");
    let pod = security_settings(spec.get("securityContext"), &sc_at);
    for (i, vol) in spec
        .get("volumes")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let vol_path = format!("{path}.volumes[{i}]");
        if let Some((hp, at)) = child(Some(vol), &vol_path, "hostPath")
            && let Some((p, at)) = child(Some(hp), &at.path, "path")
        {
            w.host_mounts.push(HostMount {
                path: str_field(p, at, D),
                read_only: false,
            });
        }
    }
    // Annotations predating the securityContext fields, still honoured by kubelets.
    let holder_path = path.rsplit_once('.').map_or("", |(h, _)| h);
    let meta_path = join(holder_path, "metadata");
    let pod_seccomp_annotation = template_meta
        .and_then(|m| annotation_field(m, &meta_path, "seccomp.security.alpha.kubernetes.io/pod"));
    for (key, role) in [
        ("containers", Role::Main),
        ("initContainers", Role::Init),
        ("ephemeralContainers", Role::Ephemeral),
    ] {
        for (i, c) in spec
            .get(key)
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let at = At::new(format!("{path}.{key}[{i}]"), c.line);
            let mut container = read_container(c, at, role);
            let name = container.name.clone();
            inherit(&mut container.run_as_non_root, &pod.run_as_non_root);
            inherit(&mut container.run_as_user, &pod.run_as_user);
            inherit(&mut container.selinux, &pod.selinux);
            if container.seccomp.is_none() {
                container.seccomp = template_meta
                    .and_then(|m| {
                        annotation_field(
                            m,
                            &meta_path,
                            &format!("container.seccomp.security.alpha.kubernetes.io/{name}"),
                        )
                    })
                    .or_else(|| pod.seccomp.clone())
                    .or_else(|| pod_seccomp_annotation.clone());
            }
            if container.apparmor.is_none() {
                container.apparmor = template_meta
                    .and_then(|m| {
                        annotation_field(
                            m,
                            &meta_path,
                            &format!("container.apparmor.security.beta.kubernetes.io/{name}"),
                        )
                    })
                    .or_else(|| pod.apparmor.clone());
            }
            w.containers.push(container);
        }
    }
}

fn inherit<T: Clone>(own: &mut Option<Field<T>>, pod: &Option<Field<T>>) {
    if own.is_none() {
        own.clone_from(pod);
    }
}

/// An annotation of a pod template's metadata as a field, values normalised to the
/// securityContext spelling (`runtime/default` → `RuntimeDefault`).
fn annotation_field(meta: &Node, meta_path: &str, key: &str) -> Option<Field<String>> {
    let (k, v) = meta.get("annotations")?.entry(key)?;
    let text = v.as_str()?;
    let normal = match text {
        "runtime/default" | "docker/default" => "RuntimeDefault".to_owned(),
        "unconfined" => "Unconfined".to_owned(),
        t if t.starts_with("localhost/") => "Localhost".to_owned(),
        t => t.to_owned(),
    };
    Some(Field::known(
        normal,
        At::new(format!("{meta_path}.annotations.{key}"), k.line),
    ))
}

fn read_container(c: &Node, at: At, role: Role) -> Container {
    let name = c
        .get("name")
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)")
        .to_owned();
    let base = at.path.clone();
    let mut out = Container::new(name, at, role);
    let s = |key: &str| child(Some(c), &base, key).map(|(v, at)| str_field(v, at, D));
    out.image = s("image");
    out.pull_policy = s("imagePullPolicy");
    let sc_path = join(&base, "securityContext");
    let sc = c.get("securityContext");
    let own = security_settings(sc, &sc_path);
    out.run_as_non_root = own.run_as_non_root;
    out.run_as_user = own.run_as_user;
    out.seccomp = own.seccomp;
    out.apparmor = own.apparmor;
    out.selinux = own.selinux;
    out.privileged = child(sc, &sc_path, "privileged").map(|(v, at)| bool_field(v, at, D));
    out.allow_privilege_escalation =
        child(sc, &sc_path, "allowPrivilegeEscalation").map(|(v, at)| bool_field(v, at, D));
    out.read_only_root =
        child(sc, &sc_path, "readOnlyRootFilesystem").map(|(v, at)| bool_field(v, at, D));
    if let Some((caps, at)) = child(sc, &sc_path, "capabilities") {
        out.cap_add = list(caps, &at.path, "add");
        out.cap_drop = list(caps, &at.path, "drop");
    }
    if let Some((limits, at)) = child(c.get("resources"), &join(&base, "resources"), "limits") {
        out.memory_limit =
            child(Some(limits), &at.path, "memory").map(|(v, at)| str_field(v, at, D));
        out.cpu_limit = child(Some(limits), &at.path, "cpu").map(|(v, at)| str_field(v, at, D));
    }
    for (i, e) in c
        .get("env")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let env_path = format!("{base}.env[{i}]");
        let (Some(name), Some((v, at))) = (
            e.get("name").and_then(Node::as_str),
            child(Some(e), &env_path, "value"),
        ) else {
            continue;
        };
        out.env.push(crate::model::EnvVar {
            name: name.to_owned(),
            value: str_field(v, at, D),
        });
    }
    for (i, p) in c
        .get("ports")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if let Some((v, at)) = child(Some(p), &format!("{base}.ports[{i}]"), "hostPort") {
            out.host_ports.push(int_field(v, at, D));
        }
    }
    out
}

/// A sequence of strings under `node.key`, each item with its own line.
pub(crate) fn list(node: &Node, path: &str, key: &str) -> Vec<Field<String>> {
    list_at(node, path, key, |p, item| At::new(p, item.line))
}

/// [`list`], each item placed by `at` (its path and node).
pub(crate) fn list_at(
    node: &Node,
    path: &str,
    key: &str,
    at: impl Fn(String, &Node) -> At,
) -> Vec<Field<String>> {
    let Some(items) = node.get(key).and_then(Node::as_seq) else {
        return Vec::new();
    };
    let base = join(path, key);
    items
        .iter()
        .enumerate()
        .map(|(i, item)| str_field(item, at(format!("{base}[{i}]"), item), D))
        .collect()
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
            read("k.yaml", i + 1, doc, &mut out);
        }
        out
    }

    #[test]
    fn pod_templates_are_found_at_every_nesting() {
        let m = read_all(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: job\n            image: busybox:1.36\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers: [{name: a, image: x}]\n",
        );
        let paths: Vec<_> = m
            .workloads
            .iter()
            .map(|w| (w.origin.describe(), w.containers[0].at.path.clone()))
            .collect();
        assert_eq!(
            paths,
            [
                (
                    "1: CronJob/nightly".to_owned(),
                    "spec.jobTemplate.spec.template.spec.containers[0]".to_owned()
                ),
                (
                    "2: Pod/p".to_owned(),
                    "items[0].spec.containers[0]".to_owned()
                ),
            ]
        );
        assert_eq!(m.workloads[0].containers[0].at.line, 10);
    }

    #[test]
    fn pod_settings_are_inherited_by_containers() {
        let m = read_all(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  securityContext:\n    runAsNonRoot: true\n  containers:\n  - name: a\n    image: x\n  - name: b\n    image: y\n    securityContext: {runAsNonRoot: false}\n",
        );
        let c = &m.workloads[0].containers;
        assert_eq!(c[0].run_as_non_root.as_ref().unwrap().get(), Some(&true));
        assert_eq!(
            c[0].run_as_non_root.as_ref().unwrap().at.path,
            "spec.securityContext.runAsNonRoot"
        );
        assert_eq!(c[1].run_as_non_root.as_ref().unwrap().get(), Some(&false));
    }
}
