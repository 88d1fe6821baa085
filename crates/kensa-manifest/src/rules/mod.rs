//! The manifest rules: one file per rule, listed once in [`RULES`]. Each reads the
//! normalised model ([`Manifests`]), so one rule covers Kubernetes, ECS and Compose; the
//! field it reads in each format is in its [`Fields`].

use kensa_core::docs::RuleLayout;
use kensa_core::{RuleDoc, RuleGroup, RuleMeta, RuleSet, Scanner, TextScanner};

use crate::model::{At, Container, Field, Ignore, Manifests, Origin, Val, Workload};

mod ks_mf_001;
mod ks_mf_002;
mod ks_mf_003;
mod ks_mf_004;
mod ks_mf_005;
mod ks_mf_006;
mod ks_mf_007;
mod ks_mf_008;
mod ks_mf_009;
mod ks_mf_010;
mod ks_mf_011;
mod ks_mf_012;
mod ks_mf_013;
mod ks_mf_014;
mod ks_mf_015;
mod ks_mf_016;
mod ks_mf_017;
mod ks_mf_018;
mod ks_mf_019;
mod ks_mf_020;
mod ks_mf_021;
mod ks_mf_022;
mod ks_mf_023;
mod ks_mf_024;
mod ks_mf_025;
mod ks_mf_026;
mod ks_mf_027;
mod ks_mf_028;

/// Every manifest rule, sorted by id.
pub const RULES: &[&dyn ManifestRule] = &[
    &ks_mf_001::Rule,
    &ks_mf_002::Rule,
    &ks_mf_003::Rule,
    &ks_mf_004::Rule,
    &ks_mf_005::Rule,
    &ks_mf_006::Rule,
    &ks_mf_007::Rule,
    &ks_mf_008::Rule,
    &ks_mf_009::Rule,
    &ks_mf_010::Rule,
    &ks_mf_011::Rule,
    &ks_mf_012::Rule,
    &ks_mf_013::Rule,
    &ks_mf_014::Rule,
    &ks_mf_015::Rule,
    &ks_mf_016::Rule,
    &ks_mf_017::Rule,
    &ks_mf_018::Rule,
    &ks_mf_019::Rule,
    &ks_mf_020::Rule,
    &ks_mf_021::Rule,
    &ks_mf_022::Rule,
    &ks_mf_023::Rule,
    &ks_mf_024::Rule,
    &ks_mf_025::Rule,
    &ks_mf_026::Rule,
    &ks_mf_027::Rule,
    &ks_mf_028::Rule,
];

/// The field a rule reads in each format (`-`: the format has no such setting).
#[derive(Debug)]
pub struct Fields {
    /// In a Kubernetes pod spec or container.
    pub kubernetes: &'static str,
    /// In an ECS task definition or container definition.
    pub ecs: &'static str,
    /// In a Compose service.
    pub compose: &'static str,
}

/// What a rule is about, which is also the heading it is listed under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// Who the process runs as and what it may do.
    Identity,
    /// What of the host the container shares.
    Isolation,
    /// Root filesystem and resources.
    Limits,
    /// Which image runs.
    Images,
    /// Credentials in the manifest.
    Secrets,
    /// Orchestrator settings (service accounts, namespaces, RBAC, ECS task settings).
    Orchestrator,
    /// Outbound network access.
    Network,
}

const GROUPS: &[(Group, &str, &str)] = &[
    (
        Group::Identity,
        "Identity and privileges",
        "Who the container's process runs as and which privileges it keeps. Read from the container's settings, falling back to the pod's (`spec.securityContext`) where Kubernetes does.",
    ),
    (
        Group::Isolation,
        "Isolation from the host",
        "Host namespaces, host paths and ports, and the kernel's confinement (seccomp, AppArmor, SELinux).",
    ),
    (
        Group::Limits,
        "Filesystem and resources",
        "A read-only root filesystem and CPU and memory limits.",
    ),
    (
        Group::Images,
        "Images",
        "Which image runs: a moving tag, a reference not pinned by digest, a pull policy that keeps a stale copy (SP 800-190 4.1.5).",
    ),
    (
        Group::Secrets,
        "Secrets",
        "Clear-text credentials in the environment, found with kensa's secret rules and masked in every report.",
    ),
    (
        Group::Orchestrator,
        "Orchestrator settings",
        "Kubernetes service-account tokens, namespaces and RBAC; ECS task settings.",
    ),
    (
        Group::Network,
        "Network",
        "Whether outbound traffic is restricted at all (SP 800-190 4.4.2).",
    ),
];

/// A manifest rule.
pub trait ManifestRule: Sync {
    /// Static metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// The heading it is listed under.
    fn group(&self) -> Group;
    /// The field it reads in each format.
    fn fields(&self) -> &'static Fields;
    /// Pushes a hit for every problem found.
    fn check(&self, m: &Manifests, ctx: &Context<'_>, out: &mut Out);
}

/// What rules may use besides the manifests.
#[derive(Clone, Copy, Default)]
pub struct Context<'a> {
    /// The secret scanner, for the environment rule; `None` skips it.
    pub secrets: Option<&'a dyn TextScanner>,
    /// The manifests are some files of a deployment, not all of them (`kensa fs` checks
    /// each file on its own): rules that need the rest (egress policies) stay silent.
    pub partial: bool,
    /// Images scanned with the manifests (`--image`): a container running one whose
    /// USER is non-root does not "may run as root".
    pub images: &'a [crate::KnownImage],
}

/// One place a rule fired.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The object.
    pub origin: Origin,
    /// The container, when the hit is about one.
    pub container: Option<String>,
    /// The field and line.
    pub at: At,
    /// What is wrong here.
    pub message: String,
    /// What the document asks to ignore.
    pub ignores: Vec<Ignore>,
}

/// Where rules put hits and the settings they could not judge.
#[derive(Debug, Default)]
pub struct Out {
    /// The hits.
    pub hits: Vec<Hit>,
    /// Settings decided at deploy time: (file, field, expression).
    pub unresolved: Vec<(String, At, String)>,
}

impl Out {
    /// A hit on a container.
    pub fn container(&mut self, w: &Workload, c: &Container, at: &At, message: impl Into<String>) {
        self.hits.push(Hit {
            origin: w.origin.clone(),
            container: Some(c.name.clone()),
            at: at.clone(),
            message: message.into(),
            ignores: w.ignores.clone(),
        });
    }

    /// A hit on a workload as a whole.
    pub fn workload(&mut self, w: &Workload, at: &At, message: impl Into<String>) {
        self.hits.push(Hit {
            origin: w.origin.clone(),
            container: None,
            at: at.clone(),
            message: message.into(),
            ignores: w.ignores.clone(),
        });
    }

    /// A hit on another object (a Role, a Compose file).
    pub fn object(
        &mut self,
        origin: &Origin,
        at: &At,
        message: impl Into<String>,
        ignores: &[Ignore],
    ) {
        self.hits.push(Hit {
            origin: origin.clone(),
            container: None,
            at: at.clone(),
            message: message.into(),
            ignores: ignores.to_vec(),
        });
    }

    /// The literal value of `field`; an unresolved one is noted and gives `None`.
    pub fn known<'f, T>(&mut self, w: &Workload, field: &'f Field<T>) -> Option<&'f T> {
        match &field.value {
            Val::Known(v) => Some(v),
            Val::Unresolved(expr) => {
                let file = field.at.file.as_ref().unwrap_or(&w.origin.file);
                self.unresolved
                    .push((file.clone(), field.at.clone(), expr.clone()));
                None
            }
        }
    }
}

/// Every container of every workload.
pub fn containers(m: &Manifests) -> impl Iterator<Item = (&Workload, &Container)> {
    m.workloads
        .iter()
        .flat_map(|w| w.containers.iter().map(move |c| (w, c)))
}

/// Whether a `user` setting (`root`, `0`, `0:0`, `app:app`) names UID 0 or root.
pub fn is_root_user(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

/// A capability name as the kernel spells it: upper case, without `CAP_`.
pub fn capability(name: &str) -> String {
    let upper = name.trim().to_ascii_uppercase();
    upper
        .strip_prefix("CAP_")
        .map_or(upper.clone(), str::to_owned)
}

/// The family as `kensa rule` and the generated document show it.
pub struct ManifestRules;

/// The manifest rule family.
pub static MANIFEST_RULES: ManifestRules = ManifestRules;

impl RuleSet for ManifestRules {
    fn family(&self) -> &'static str {
        "manifest"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Config
    }

    fn groups(&self) -> Vec<RuleGroup> {
        GROUPS
            .iter()
            .map(|(group, title, about)| RuleGroup {
                title,
                about,
                rules: RULES
                    .iter()
                    .filter(|r| r.group() == *group)
                    .map(|r| r.meta())
                    .collect(),
            })
            .collect()
    }

    fn details(&self, rule: &RuleMeta) -> Vec<(&'static str, String)> {
        let Some(r) = RULES.iter().find(|r| r.meta().id == rule.id) else {
            return Vec::new();
        };
        let f = r.fields();
        let show = |s: &str| {
            if s == "-" {
                "not applicable".to_owned()
            } else {
                s.to_owned()
            }
        };
        vec![
            ("Kubernetes", show(f.kubernetes)),
            ("ECS", show(f.ecs)),
            ("Compose", show(f.compose)),
        ]
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/manifest-rules.md",
            title: "Manifest rules",
            intro: "Rules `kensa manifest` applies to Kubernetes workloads, ECS task definitions (JSON and CloudFormation) and Compose services. One rule covers all three formats; where a format has no such setting the rule does not apply to it. Every finding names the file, the document (`2: Deployment/web`), the container, the field path and the line. A document can ignore rules with the `kensa.io/ignore` annotation (Kubernetes), the `kensa.io/ignore` tag (ECS) or `x-kensa-ignore` (Compose); see docs/manifests.md.",
            layout: RuleLayout::Sections,
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// The field paths where `rule` fires on `text` (one file), in order.
    pub(crate) fn fires(rule: &dyn ManifestRule, text: &str) -> Vec<String> {
        hits(rule, text).into_iter().map(|h| h.at.path).collect()
    }

    /// The hits of `rule` on `text`.
    pub(crate) fn hits(rule: &dyn ManifestRule, text: &str) -> Vec<Hit> {
        let scanner = kensa_secret::default_scanner().unwrap();
        let m = crate::read_manifests(&[crate::Input::new("m.yaml", text)]).unwrap();
        let ctx = Context {
            secrets: Some(scanner),
            partial: false,
            images: &[],
        };
        let mut out = Out::default();
        rule.check(&m, &ctx, &mut out);
        out.hits
    }

    /// A Deployment whose one container has `container` (YAML lines indented for it) and
    /// whose pod spec has `pod`.
    pub(crate) fn deployment(pod: &str, container: &str) -> String {
        let indent = |s: &str, n: usize| {
            s.lines()
                .map(|l| format!("{}{l}\n", " ".repeat(n)))
                .collect::<String>()
        };
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n{}      containers:\n      - name: app\n        image: registry.example/app:1.4\n{}",
            indent(pod, 6),
            indent(container, 8)
        )
    }

    #[test]
    fn the_family_keeps_the_invariants() {
        assert_eq!(
            kensa_core::check_rule_set(&MANIFEST_RULES),
            Vec::<String>::new()
        );
        let ids: Vec<&str> = RULES.iter().map(|r| r.meta().id).collect();
        assert!(ids.is_sorted());
        insta::assert_snapshot!("manifest_rule_ids", ids.join("\n"));
    }
}
