//! The normalised workload model every format is read into and every rule reads.
//!
//! A Kubernetes pod template, an ECS task definition and a Compose service are all a
//! [`Workload`] of [`Container`]s. Each setting is a [`Field`] that remembers where it was
//! written (field path and line); a setting that is absent is `None`, and a rule that
//! fires on an absent setting points at where it belongs ([`Container::want`]). A value
//! decided only at deploy time (CloudFormation `!Ref`, a Compose `${VAR}` without a
//! default) is [`Val::Unresolved`]: rules do not guess about it, they note it.

use std::collections::BTreeMap;

/// Which format, and for ECS which spelling, a workload was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dialect {
    /// Kubernetes objects.
    Kubernetes,
    /// An ECS task definition as JSON (`register-task-definition` input,
    /// `describe-task-definition` output): camelCase keys.
    EcsJson,
    /// `AWS::ECS::TaskDefinition` in a CloudFormation template: PascalCase keys.
    EcsCloudFormation,
    /// A Compose file.
    Compose,
}

impl Dialect {
    /// The short name findings and docs use.
    pub fn label(self) -> &'static str {
        match self {
            Dialect::Kubernetes => "Kubernetes",
            Dialect::EcsJson => "ECS",
            Dialect::EcsCloudFormation => "CloudFormation",
            Dialect::Compose => "Compose",
        }
    }

    /// Whether this is an ECS task definition in either spelling.
    pub fn is_ecs(self) -> bool {
        matches!(self, Dialect::EcsJson | Dialect::EcsCloudFormation)
    }
}

/// Where something is written: a field path (`spec.containers[0].image`) and a line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct At {
    /// The field path from the document root.
    pub path: String,
    /// The 1-based line.
    pub line: u32,
    /// The file the line is in when it is not the document's own (a Compose service's
    /// setting that `extends` brought in from another file).
    pub file: Option<String>,
}

impl At {
    /// A place.
    pub fn new(path: impl Into<String>, line: u32) -> At {
        At {
            path: path.into(),
            line,
            file: None,
        }
    }

    /// A child field of this place, at `line`.
    pub fn child(&self, key: &str, line: u32) -> At {
        At {
            file: self.file.clone(),
            ..At::new(join(&self.path, key), line)
        }
    }
}

/// `parent.key`, or `key` at the root.
pub fn join(parent: &str, key: &str) -> String {
    // Called for every setting read (a rendered chart has millions): pushing into one
    // allocation costs a tenth of `format!`.
    if parent.is_empty() {
        return key.to_owned();
    }
    let mut out = String::with_capacity(parent.len() + key.len() + 1);
    out.push_str(parent);
    if !key.starts_with('[') {
        out.push('.');
    }
    out.push_str(key);
    out
}

/// A value as written, or an expression only the deployment resolves.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<T> {
    /// A literal value.
    Known(T),
    /// `!Ref Param`, `{"Fn::If": …}`, `${VAR}`: shown as written.
    Unresolved(String),
}

/// A setting and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<T> {
    /// The value.
    pub value: Val<T>,
    /// Where.
    pub at: At,
}

impl<T> Field<T> {
    /// A literal value at `at`.
    pub fn known(value: T, at: At) -> Field<T> {
        Field {
            value: Val::Known(value),
            at,
        }
    }

    /// The literal value, if it is one.
    pub fn get(&self) -> Option<&T> {
        match &self.value {
            Val::Known(v) => Some(v),
            Val::Unresolved(_) => None,
        }
    }
}

/// A setting that may be absent.
pub type Opt<T> = Option<Field<T>>;

/// Which object a workload belongs to, for findings: file, document and `kind/name`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file, as named on the command line or found in a directory (`-` for stdin).
    pub file: String,
    /// The document's 1-based position in the file.
    pub document: usize,
    /// `Deployment`, `TaskDefinition`, `service`.
    pub kind: String,
    /// The object's name (a task family, a CloudFormation logical id, a service name).
    pub name: String,
}

impl Origin {
    /// `2: Deployment/web`, as findings show it.
    pub fn describe(&self) -> String {
        format!("{}: {}/{}", self.document, self.kind, self.name)
    }
}

/// What kind of container a container is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// An application container.
    Main,
    /// An init container (runs to completion before the others).
    Init,
    /// A Kubernetes ephemeral (debug) container.
    Ephemeral,
}

/// One logical setting whose absence a rule reports, spelt per dialect by [`Container::want`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// Kubernetes `securityContext.runAsNonRoot`, ECS/Compose `user`.
    NonRoot,
    /// `securityContext.allowPrivilegeEscalation`, Compose `security_opt`.
    NoEscalation,
    /// `securityContext.capabilities.drop`, ECS `linuxParameters.capabilities.drop`,
    /// Compose `cap_drop`.
    CapDrop,
    /// `securityContext.readOnlyRootFilesystem`, ECS `readonlyRootFilesystem`, Compose
    /// `read_only`.
    ReadOnlyRoot,
    /// `resources.limits.memory`, ECS `memory`, Compose `deploy.resources.limits.memory`.
    MemoryLimit,
    /// `resources.limits.cpu`, ECS task `cpu`, Compose `deploy.resources.limits.cpus`.
    CpuLimit,
    /// `securityContext.seccompProfile`.
    Seccomp,
    /// `imagePullPolicy`.
    PullPolicy,
    /// ECS `linuxParameters.initProcessEnabled`.
    InitProcess,
    /// ECS `logConfiguration`.
    LogConfiguration,
    /// ECS `healthCheck`.
    HealthCheck,
}

/// A literal environment variable.
#[derive(Clone, Debug, PartialEq)]
pub struct EnvVar {
    /// The name.
    pub name: String,
    /// Its value.
    pub value: Field<String>,
}

/// A host directory a container can see.
#[derive(Clone, Debug, PartialEq)]
pub struct HostMount {
    /// The host path.
    pub path: Field<String>,
    /// Whether it is mounted read-only (when known).
    pub read_only: bool,
}

/// ECS-only container settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EcsSettings {
    /// `essential` (true when absent).
    pub essential: Opt<bool>,
    /// `healthCheck`, where written.
    pub health_check: Option<At>,
    /// `logConfiguration`, where written.
    pub log_configuration: Option<At>,
    /// `linuxParameters.initProcessEnabled`.
    pub init_process: Opt<bool>,
}

/// One container of a workload, with the settings that apply to it (pod-level settings
/// that a container inherits are resolved into it, with the pod's path).
#[derive(Clone, Debug, PartialEq)]
pub struct Container {
    /// Its name.
    pub name: String,
    /// Where the container is (`spec.template.spec.containers[0]`).
    pub at: At,
    /// Main, init or ephemeral.
    pub role: Role,
    /// The image reference.
    pub image: Opt<String>,
    /// Kubernetes `imagePullPolicy`.
    pub pull_policy: Opt<String>,
    /// Kubernetes `runAsNonRoot` (container, else pod).
    pub run_as_non_root: Opt<bool>,
    /// Kubernetes `runAsUser` (container, else pod).
    pub run_as_user: Opt<i64>,
    /// ECS and Compose `user` (`1000`, `app:app`, `root`).
    pub user: Opt<String>,
    /// `privileged`.
    pub privileged: Opt<bool>,
    /// `allowPrivilegeEscalation` (Compose: `no-new-privileges` makes it false).
    pub allow_privilege_escalation: Opt<bool>,
    /// Capabilities added.
    pub cap_add: Vec<Field<String>>,
    /// Capabilities dropped.
    pub cap_drop: Vec<Field<String>>,
    /// `readOnlyRootFilesystem`.
    pub read_only_root: Opt<bool>,
    /// The memory limit, as written.
    pub memory_limit: Opt<String>,
    /// The CPU limit, as written.
    pub cpu_limit: Opt<String>,
    /// Literal environment variables (references to Secrets are not listed).
    pub env: Vec<EnvVar>,
    /// The seccomp profile (`RuntimeDefault`, `Localhost`, `Unconfined`; Compose and ECS
    /// `unconfined` or a profile path).
    pub seccomp: Opt<String>,
    /// The AppArmor profile (`RuntimeDefault`, `Localhost`, `Unconfined`).
    pub apparmor: Opt<String>,
    /// The SELinux setting (a type such as `spc_t`, or `disable`).
    pub selinux: Opt<String>,
    /// Ports bound on the host.
    pub host_ports: Vec<Field<i64>>,
    /// ECS-only settings.
    pub ecs: EcsSettings,
}

impl Container {
    /// An empty container named `name` at `at`.
    pub fn new(name: impl Into<String>, at: At, role: Role) -> Container {
        Container {
            name: name.into(),
            at,
            role,
            image: None,
            pull_policy: None,
            run_as_non_root: None,
            run_as_user: None,
            user: None,
            privileged: None,
            allow_privilege_escalation: None,
            cap_add: Vec::new(),
            cap_drop: Vec::new(),
            read_only_root: None,
            memory_limit: None,
            cpu_limit: None,
            env: Vec::new(),
            seccomp: None,
            apparmor: None,
            selinux: None,
            host_ports: Vec::new(),
            ecs: EcsSettings::default(),
        }
    }

    /// Where an absent setting belongs in this container, spelt for `dialect`, at the
    /// container's line.
    pub fn want(&self, dialect: Dialect, key: Key) -> At {
        let camel = match (dialect, key) {
            (Dialect::Kubernetes, Key::NonRoot) => "securityContext.runAsNonRoot",
            (Dialect::Kubernetes, Key::NoEscalation) => "securityContext.allowPrivilegeEscalation",
            (Dialect::Kubernetes, Key::CapDrop) => "securityContext.capabilities.drop",
            (Dialect::Kubernetes, Key::ReadOnlyRoot) => "securityContext.readOnlyRootFilesystem",
            (Dialect::Kubernetes, Key::MemoryLimit) => "resources.limits.memory",
            (Dialect::Kubernetes, Key::CpuLimit) => "resources.limits.cpu",
            (Dialect::Kubernetes, Key::Seccomp) => "securityContext.seccompProfile",
            (Dialect::Kubernetes, Key::PullPolicy) => "imagePullPolicy",
            (Dialect::Compose, Key::NonRoot) => "user",
            (Dialect::Compose, Key::NoEscalation | Key::Seccomp) => "security_opt",
            (Dialect::Compose, Key::CapDrop) => "cap_drop",
            (Dialect::Compose, Key::ReadOnlyRoot) => "read_only",
            (Dialect::Compose, Key::MemoryLimit) => "deploy.resources.limits.memory",
            (Dialect::Compose, Key::CpuLimit) => "deploy.resources.limits.cpus",
            (_, Key::NonRoot) => "user",
            (_, Key::CapDrop) => "linuxParameters.capabilities.drop",
            (_, Key::ReadOnlyRoot) => "readonlyRootFilesystem",
            (_, Key::MemoryLimit) => "memory",
            (_, Key::CpuLimit) => "cpu",
            (_, Key::InitProcess) => "linuxParameters.initProcessEnabled",
            (_, Key::LogConfiguration) => "logConfiguration",
            (_, Key::HealthCheck) => "healthCheck",
            (_, Key::NoEscalation | Key::Seccomp) => "dockerSecurityOptions",
            (_, Key::PullPolicy) => "imagePullPolicy",
        };
        let spelt = if dialect == Dialect::EcsCloudFormation {
            pascal_path(camel)
        } else {
            camel.to_owned()
        };
        self.at.child(&spelt, self.at.line)
    }
}

/// `linuxParameters.capabilities.drop` → `LinuxParameters.Capabilities.Drop`.
pub fn pascal_path(camel: &str) -> String {
    camel
        .split('.')
        .map(|segment| {
            let mut chars = segment.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// A rule id a document asks to ignore, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ignore {
    /// The rule id (or `*`... not accepted: every id is named).
    pub id: String,
    /// Where the ignore is written and the reason given with it.
    pub reason: String,
}

/// A pod template, a task definition or a Compose service: containers that run together
/// and share the settings around them.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// The format it was read from.
    pub dialect: Dialect,
    /// The object it belongs to.
    pub origin: Origin,
    /// The pod spec, task definition or service itself.
    pub at: At,
    /// The object it belongs to (a Kubernetes object's root, `items[2]` in a List).
    pub object: At,
    /// Kubernetes: the namespace as written (`None`: not written).
    pub namespace: Opt<String>,
    /// Kubernetes: the pod's labels, for NetworkPolicy selection.
    pub labels: BTreeMap<String, String>,
    /// Kubernetes: the service account (`default` when not named).
    pub service_account: Option<String>,
    /// Kubernetes `automountServiceAccountToken` on the pod.
    pub automount_token: Opt<bool>,
    /// `hostNetwork`, ECS `networkMode: host`, Compose `network_mode: host`.
    pub host_network: Opt<bool>,
    /// `hostPID`, ECS `pidMode: host`, Compose `pid: host`.
    pub host_pid: Opt<bool>,
    /// `hostIPC`, ECS `ipcMode: host`, Compose `ipc: host`.
    pub host_ipc: Opt<bool>,
    /// ECS `networkMode` / Compose `network_mode` as written.
    pub network_mode: Opt<String>,
    /// Host directories mounted.
    pub host_mounts: Vec<HostMount>,
    /// ECS task-level `memory`.
    pub task_memory: Opt<String>,
    /// ECS task-level `cpu`.
    pub task_cpu: Opt<String>,
    /// Compose: the networks the service is on (empty: the default network).
    pub networks: Vec<String>,
    /// Compose: the service's profiles.
    pub profiles: Vec<String>,
    /// The containers (a Compose service is one).
    pub containers: Vec<Container>,
    /// Rules the document asks to ignore for this workload.
    pub ignores: Vec<Ignore>,
}

impl Workload {
    /// An empty workload.
    pub fn new(dialect: Dialect, origin: Origin, at: At) -> Workload {
        Workload {
            dialect,
            origin,
            object: at.clone(),
            at,
            namespace: None,
            labels: BTreeMap::new(),
            service_account: None,
            automount_token: None,
            host_network: None,
            host_pid: None,
            host_ipc: None,
            network_mode: None,
            host_mounts: Vec::new(),
            task_memory: None,
            task_cpu: None,
            networks: Vec::new(),
            profiles: Vec::new(),
            containers: Vec::new(),
            ignores: Vec::new(),
        }
    }

    /// The namespace the workload lands in: as written, else `default`.
    pub fn effective_namespace(&self) -> &str {
        self.namespace
            .as_ref()
            .and_then(|n| n.get())
            .map_or("default", String::as_str)
    }
}

/// A Kubernetes object that is not a workload but that checks of workloads read.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeObject {
    /// Where it is.
    pub origin: Origin,
    /// The object's root (`items[2]` inside a List, else empty) and line.
    pub at: At,
    /// `metadata.namespace` as written.
    pub namespace: Option<String>,
    /// The document.
    pub node: crate::yaml::Node,
}

/// A Compose file's top-level facts that its services' checks read.
#[derive(Clone, Debug, PartialEq)]
pub struct ComposeProject {
    /// The file and document.
    pub origin: Origin,
    /// The networks declared `internal: true`.
    pub internal_networks: Vec<String>,
    /// Where the top-level `networks` is (or the document root).
    pub at: At,
    /// File-wide `x-kensa-ignore`.
    pub ignores: Vec<Ignore>,
}

/// Everything read from the inputs, which the rules check together (an egress check
/// needs the NetworkPolicies of every file).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifests {
    /// Pod templates, task definitions and services.
    pub workloads: Vec<Workload>,
    /// NetworkPolicies, ServiceAccounts, Roles and bindings, Namespaces.
    pub kube_objects: Vec<KubeObject>,
    /// Compose files.
    pub compose: Vec<ComposeProject>,
    /// Documents read.
    pub documents: usize,
    /// What could not be read into the model, as notes.
    pub notes: Vec<kensa_core::ScanNote>,
}

impl Manifests {
    /// Moves everything of `other` to the end of this.
    pub fn append(&mut self, mut other: Manifests) {
        self.workloads.append(&mut other.workloads);
        self.kube_objects.append(&mut other.kube_objects);
        self.compose.append(&mut other.compose);
        self.documents += other.documents;
        self.notes.append(&mut other.notes);
    }
}
