//! Image-config and image-content rules (SP 800-190 4.1.2 image configuration defects).
//!
//! One file per rule: a unit struct, its [`RuleMeta`], the check and its tests. A rule
//! declares its input kind by the trait it implements and is listed in that kind's
//! registry slice, so adding a rule touches its file and one registry line:
//! - [`ConfigRule`] ([`CONFIG_RULES`]) sees the image config plus the final filesystem
//!   view (paths and metadata, no content);
//! - [`ContentRule`] ([`CONTENT_RULES`]) is an [`Analyzer`] that reads the few files it
//!   names during the one-pass layer walk (`/etc/shadow`, `.npmrc`, …). The scan keeps
//!   its findings only when the file survives in the final image.

use kensa_core::docs::RuleLayout;
use kensa_core::{
    Analyzer, Finding, FindingPolicy, ImageConfig, Location, PathAllowlist, RuleDoc, RuleGroup,
    RuleSet, Scanner, TextScanner,
};
use kensa_image::FileSystemView;

pub mod config;

/// Masks secret-looking build arguments, `ARG`s and `ENV`s in a history `created_by`,
/// for every place a report shows the build step.
pub use config::secrets_in_config::redact as redact_history;
pub mod content;
mod history;

/// The rule model every family shares, re-exported so a rule file names it from here.
pub use kensa_core::RuleMeta;

/// What an image-level rule sees: the config and the final filesystem.
pub struct ImageContext<'a> {
    /// The parsed image config.
    pub config: &'a ImageConfig,
    /// The files that survive in the final image.
    pub files: &'a FileSystemView,
    /// Tags the source records.
    pub repo_tags: &'a [String],
    /// The scanner for config strings (`Env`, labels, history) that some analyzer of
    /// the scan offers (the secret rules, with the user's settings); without one, the
    /// built-in secret rules.
    pub secrets: Option<&'a dyn TextScanner>,
    /// The scan's path allowlist, applied to the findings of rules whose
    /// [`ConfigRule::finding_policy`] asks for it.
    pub allowlist: Option<&'a dyn PathAllowlist>,
}

impl ImageContext<'_> {
    /// Where history entry `index` is: its `created_by` and, when the step made a
    /// layer, that layer's position and digest.
    pub(crate) fn history_location(&self, index: usize) -> Location {
        let history = &self.config.history;
        let entry = history.get(index);
        let mut loc = Location {
            created_by: entry
                .and_then(|h| h.created_by.as_deref())
                .map(config::secrets_in_config::redact),
            ..Location::default()
        };
        if entry.is_some_and(|h| !h.empty_layer) {
            let layer = history
                .iter()
                .take(index)
                .filter(|h| !h.empty_layer)
                .count();
            loc.layer = self.config.rootfs.diff_ids.get(layer).cloned();
            loc.layer_index = loc.layer.is_some().then_some(layer);
        }
        loc
    }

    /// Where a surviving file is: its path and the layer that last wrote it.
    pub(crate) fn file_location(&self, path: &str, layer: usize) -> Location {
        let history = self.config.layer_history();
        Location {
            layer: self.config.rootfs.diff_ids.get(layer).cloned(),
            layer_index: Some(layer),
            created_by: history
                .get(layer)
                .copied()
                .flatten()
                .and_then(|h| h.created_by.as_deref())
                .map(config::secrets_in_config::redact),
            path: Some(path.to_owned()),
            ..Location::default()
        }
    }
}

/// A rule over the image config and the final filesystem view.
pub trait ConfigRule: Sync {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Pushes a finding for each problem found.
    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>);
    /// What the scan does with this rule's findings; only
    /// [`FindingPolicy::allowlisted`] applies, since the rule sees only surviving files.
    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy::default()
    }
    /// The scanners that run this rule: a scan runs it when any of them was asked for.
    /// The first is the one its findings are reported under when it is among them.
    fn scanners(&self) -> &'static [Scanner] {
        &[Scanner::Config]
    }
}

/// A rule that needs file content: an [`Analyzer`] run by the layer walker on the
/// files it wants. Its [`Analyzer::id`] is its rule id.
pub trait ContentRule: Analyzer {
    /// The rule's metadata.
    fn meta(&self) -> &'static RuleMeta;
}

/// Image config rules, sorted by id.
pub const CONFIG_RULES: &[&dyn ConfigRule] = &[
    &config::root_user::RootUser,
    &config::no_healthcheck::NoHealthcheck,
    &config::setuid_files::SetuidFiles,
    &config::add_instead_of_copy::AddInsteadOfCopy,
    &config::secrets_in_config::SecretsInConfig,
    &config::sudo_in_history::SudoInHistory,
    &config::package_upgrade::PackageUpgrade,
    &config::update_alone::UpdateAlone,
    &config::package_caches::PackageCaches,
    &config::latest_tag::LatestTag,
    &config::unnecessary_files::UnnecessaryFiles,
    &config::credential_files::CredentialFiles,
    &config::sensitive_volume::SensitiveVolume,
    &config::ssh_port::SshPort,
];

/// Rules that read file content, sorted by id.
pub const CONTENT_RULES: &[&dyn ContentRule] = &[
    &content::empty_password::EmptyPassword,
    &content::duplicate_ids::DuplicateIds,
    &content::registry_credentials::RegistryCredentials,
    &content::private_key_files::PrivateKeyFiles,
];

/// [`CONTENT_RULES`] as the analyzers the scan hands to the layer walker (scanner
/// `config`), in the same order.
pub const CONTENT_ANALYZERS: &[&dyn Analyzer] = &as_analyzers::<{ CONTENT_RULES.len() }>();

/// Derives [`CONTENT_ANALYZERS`] from [`CONTENT_RULES`], so a content rule is registered
/// by one line.
const fn as_analyzers<const N: usize>() -> [&'static dyn Analyzer; N] {
    let mut out: [&'static dyn Analyzer; N] = [&content::empty_password::EmptyPassword; N];
    let mut i = 0;
    while i < N {
        out[i] = CONTENT_RULES[i];
        i += 1;
    }
    out
}

/// The image rules as one family: config rules, then content rules.
pub struct ImageRules;

/// The image rule family, for the scan's registry (`kensa rule`, `docs/rules.md`).
pub static IMAGE_RULES: ImageRules = ImageRules;

impl RuleSet for ImageRules {
    fn family(&self) -> &'static str {
        "image"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Config
    }

    fn groups(&self) -> Vec<RuleGroup> {
        vec![
            RuleGroup {
                title: "Image configuration",
                about: "Checked on the image config (user, env, labels, volumes, ports, history) \
                        and the final filesystem's paths and modes, by `kensa image` with the \
                        `config` scanner.",
                rules: CONFIG_RULES.iter().map(|r| r.meta()).collect(),
            },
            RuleGroup {
                title: "Image content",
                about: "Checked on the content of a few files during the layer walk, by \
                        `kensa image` with the `config` scanner; a finding is kept only when \
                        its file survives in the final image.",
                rules: CONTENT_RULES.iter().map(|r| r.meta()).collect(),
            },
        ]
    }

    /// A content rule says which files it reads; a config rule that more than the
    /// `config` scanner runs says which.
    fn details(&self, rule: &RuleMeta) -> Vec<(&'static str, String)> {
        if let Some(config_rule) = CONFIG_RULES.iter().find(|r| r.meta().id == rule.id) {
            let scanners = config_rule.scanners();
            if scanners.len() < 2 {
                return Vec::new();
            }
            let names: Vec<String> = scanners.iter().map(ToString::to_string).collect();
            return vec![("scanners", names.join(", "))];
        }
        CONTENT_RULES
            .iter()
            .find(|r| r.meta().id == rule.id)
            .map(|r| {
                let reads: Vec<String> = r.wants().iter().map(ToString::to_string).collect();
                vec![("reads", reads.join(", "))]
            })
            .unwrap_or_default()
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/rules.md",
            title: "Image rules",
            intro: "Every rule has a stable id (ignore files name it), a default severity and \
                    the NIST SP 800-190 section it answers. `kensa rule ID` prints the same \
                    text. The Dockerfile linter's rules are in `dockerfile-rules.md`, the \
                    secret patterns in `secret-rules.md`.",
            layout: RuleLayout::Sections,
        }
    }
}

/// Runs the config rules that belong to one of `scanners`, leaving out the findings the
/// scan's allowlist covers. A finding is reported under the rule's first scanner that ran.
pub fn check_image(image: &ImageContext<'_>, scanners: &[Scanner]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut found = Vec::new();
    for rule in CONFIG_RULES {
        let Some(&reported_as) = rule.scanners().iter().find(|s| scanners.contains(s)) else {
            continue;
        };
        rule.check(image, &mut found);
        for f in &mut found {
            f.scanner = reported_as;
        }
        let allowlist = image
            .allowlist
            .filter(|_| rule.finding_policy().allowlisted);
        out.extend(found.drain(..).filter(|f| {
            let path = f.location.path.as_deref();
            !allowlist.is_some_and(|a| path.is_some_and(|p| a.allows(p)))
        }));
    }
    out
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use kensa_core::{AnalysisOutput, FileInput, FileKind, FileMeta};
    use kensa_image::{IndexEntry, LayerIndex};

    /// A context over `config` JSON with an empty filesystem.
    pub(crate) fn check_config(rule: &dyn ConfigRule, config: serde_json::Value) -> Vec<Finding> {
        check_image_json(rule, serde_json::json!({ "config": config }), &[], &[])
    }

    /// A context over a whole image config JSON (`config`, `history`, `rootfs`), the
    /// final view of `layers` and `repo_tags`.
    pub(crate) fn check_image_json(
        rule: &dyn ConfigRule,
        image: serde_json::Value,
        layers: &[LayerIndex],
        repo_tags: &[&str],
    ) -> Vec<Finding> {
        let config: ImageConfig = serde_json::from_value(image).unwrap();
        let files = FileSystemView::build(layers);
        let tags: Vec<String> = repo_tags.iter().map(|t| (*t).to_owned()).collect();
        let ctx = ImageContext {
            config: &config,
            files: &files,
            repo_tags: &tags,
            secrets: None,
            allowlist: None,
        };
        let mut out = Vec::new();
        rule.check(&ctx, &mut out);
        out
    }

    /// A context over history `created_by` lines (each making a layer) and no files.
    pub(crate) fn check_history(rule: &dyn ConfigRule, created_by: &[&str]) -> Vec<Finding> {
        let history: Vec<_> = created_by
            .iter()
            .map(|c| serde_json::json!({ "created_by": c }))
            .collect();
        check_image_json(rule, serde_json::json!({ "history": history }), &[], &[])
    }

    /// A layer of regular files (mode 0644, size 10) and directories (paths ending `/`).
    pub(crate) fn layer(paths: &[&str]) -> LayerIndex {
        LayerIndex {
            entries: paths
                .iter()
                .map(|p| match p.strip_suffix('/') {
                    Some(dir) => entry(dir, FileKind::Dir, 0o755),
                    None => entry(p, FileKind::Regular, 0o644),
                })
                .collect(),
            ..LayerIndex::default()
        }
    }

    /// One index entry.
    pub(crate) fn entry(path: &str, kind: FileKind, mode: u32) -> IndexEntry {
        IndexEntry {
            path: path.to_owned(),
            meta: FileMeta {
                kind,
                mode,
                uid: 0,
                gid: 0,
                size: if kind == FileKind::Regular { 10 } else { 0 },
                link_target: None,
            },
        }
    }

    /// Runs a content rule on one regular file.
    pub(crate) fn analyze(rule: &dyn ContentRule, path: &str, content: &str) -> AnalysisOutput {
        let meta = entry(path, FileKind::Regular, 0o644).meta;
        let input = FileInput {
            path,
            meta: &meta,
            content: content.as_bytes(),
        };
        let mut out = AnalysisOutput::default();
        rule.analyze(&input, &mut out).unwrap();
        out
    }

    /// True when one of the rule's `wants()` selects `path` (mirrors the walker's
    /// matching for the specs content rules use).
    pub(crate) fn wants(rule: &dyn ContentRule, path: &str) -> bool {
        use kensa_core::PathSpec;
        let name = path.rsplit('/').next().unwrap_or(path);
        rule.wants().iter().any(|spec| match spec {
            PathSpec::Exact(p) => *p == path,
            PathSpec::FileName(n) => *n == name,
            PathSpec::Suffix(s) => path.ends_with(s),
            PathSpec::Glob(_) | PathSpec::AnyFile => panic!("content rules want precise paths"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_are_sorted_unique_and_complete() {
        assert_eq!(
            kensa_core::check_rule_set(&IMAGE_RULES),
            Vec::<String>::new()
        );
        let all: Vec<_> = IMAGE_RULES.rules().iter().map(|m| m.id).collect();
        assert!(
            all.is_sorted(),
            "config rules sort before content rules: {all:?}"
        );
        for meta in IMAGE_RULES.rules() {
            assert!(meta.id.starts_with("KS-IMG-"), "{} is not KS-IMG-", meta.id);
        }
    }

    #[test]
    fn content_analyzers_mirror_content_rules() {
        let analyzers: Vec<_> = CONTENT_ANALYZERS.iter().map(|a| a.id()).collect();
        let rules: Vec<_> = CONTENT_RULES.iter().map(|r| r.meta().id).collect();
        assert_eq!(analyzers, rules);
        for a in CONTENT_ANALYZERS {
            assert_eq!(a.scanner(), Some(Scanner::Config), "{}", a.id());
            assert!(!a.wants().is_empty(), "{} wants nothing", a.id());
            assert!(
                !a.wants()
                    .iter()
                    .any(|w| matches!(w, kensa_core::PathSpec::AnyFile)),
                "{} wants every file; content rules must name their paths",
                a.id()
            );
        }
    }

    /// A typical hand-rolled image: Debian base, sshd, a leaked token, caches kept.
    #[test]
    fn realistic_bad_image_findings() {
        use kensa_core::FileKind;
        use test_support::{entry, layer};
        let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
        let image = serde_json::json!({
            "architecture": "amd64",
            "os": "linux",
            "config": {
                "Env": [
                    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "APP_ENV=production",
                    "DJANGO_SECRET_KEY=k8#vq2!x9z@p4m7w",
                    "GITHUB_TOKEN=ghp_Zq3Xv7Lm2Pn8Rt4Wy6Ks1Bd9Fh5Jc0Ga3Ue7"
                ],
                "Cmd": ["/usr/sbin/sshd", "-D"],
                "ExposedPorts": {"22/tcp": {}, "8000/tcp": {}},
                "Volumes": {"/var/run/docker.sock": {}, "/data": {}},
                "Labels": {"maintainer": "ops@example.com"}
            },
            "rootfs": {"type": "layers", "diff_ids": [digest('a'), digest('b'), digest('c'), digest('d')]},
            "history": [
                {"created_by": "/bin/sh -c #(nop) ADD file:6d1b2e0c in / "},
                {"created_by": "/bin/sh -c #(nop)  CMD [\"bash\"]", "empty_layer": true},
                {"created_by": "RUN /bin/sh -c apt-get update && apt-get dist-upgrade -y && apt-get install -y openssh-server sudo python3-pip # buildkit"},
                {"created_by": "ARG PIP_INDEX_PASSWORD=s3cr3t-index-pw", "empty_layer": true},
                {"created_by": "RUN |1 PIP_INDEX_PASSWORD=s3cr3t-index-pw /bin/sh -c sudo pip install -r /tmp/requirements.txt # buildkit"},
                {"created_by": "ADD . /app # buildkit"},
                {"created_by": "EXPOSE map[22/tcp:{} 8000/tcp:{}]", "empty_layer": true}
            ]
        });
        let base = kensa_image::LayerIndex {
            entries: vec![
                entry("etc/", FileKind::Dir, 0o755),
                entry("etc/passwd", FileKind::Regular, 0o644),
                entry("usr/bin/passwd", FileKind::Regular, 0o4755),
                entry("usr/bin/su", FileKind::Regular, 0o4755),
                entry("usr/bin/expiry", FileKind::Regular, 0o2755),
            ],
            ..kensa_image::LayerIndex::default()
        };
        let install = layer(&[
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_InRelease",
            "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
            "var/lib/apt/lists/lock",
            "usr/sbin/sshd",
        ]);
        let pip = layer(&["root/.cache/pip/http-v2/3/a/9/e/f/3a9ef0"]);
        let app = layer(&[
            "app/manage.py",
            "app/.env",
            "app/.git/HEAD",
            "app/.git/config",
            "app/.DS_Store",
            "app/deploy/id_rsa",
            "app/deploy/id_rsa.pub",
        ]);
        let config: ImageConfig = serde_json::from_value(image).unwrap();
        let files = FileSystemView::build([&base, &install, &pip, &app]);
        let tags = ["registry.example.com/shop/web:latest".to_owned()];
        let ctx = ImageContext {
            config: &config,
            files: &files,
            repo_tags: &tags,
            secrets: None,
            allowlist: None,
        };
        let findings = check_image(&ctx, &[Scanner::Config]);
        let text = serde_json::to_string(&findings).unwrap();
        for secret in [
            "k8#vq2!x9z@p4m7w",
            "ghp_Zq3Xv7Lm2Pn8Rt4Wy6Ks1Bd9Fh5Jc0Ga3Ue7",
            "s3cr3t-index-pw",
        ] {
            assert!(!text.contains(secret), "{secret} leaked into a finding");
        }
        insta::assert_json_snapshot!("realistic_bad_image", findings);
    }

    #[test]
    fn check_image_applies_the_allowlist_to_rules_that_ask_for_it() {
        struct Fixtures;
        impl PathAllowlist for Fixtures {
            fn allows(&self, path: &str) -> bool {
                path.contains("/tests/")
            }
        }
        let config: ImageConfig = serde_json::from_value(serde_json::json!({
            "config": {"User": "10001", "Healthcheck": {"Test": ["CMD", "true"]}}
        }))
        .unwrap();
        let files = FileSystemView::build([&test_support::layer(&[
            "app/.env",
            "usr/lib/python3/site-packages/pkg/tests/.env",
            "app/tests/.DS_Store",
        ])]);
        let found = |allowlist: Option<&dyn PathAllowlist>| -> Vec<(String, String)> {
            let ctx = ImageContext {
                config: &config,
                files: &files,
                repo_tags: &[],
                secrets: None,
                allowlist,
            };
            check_image(&ctx, &[Scanner::Config])
                .into_iter()
                .map(|f| (f.id, f.location.path.unwrap_or_default()))
                .collect()
        };
        let all = found(None);
        assert_eq!(all.len(), 3, "{all:?}");
        // KS-IMG-012 declares the allowlist; KS-IMG-011 (files not needed) does not.
        assert_eq!(
            found(Some(&Fixtures)),
            [
                ("KS-IMG-011".to_owned(), "app/tests/.DS_Store".to_owned()),
                ("KS-IMG-012".to_owned(), "app/.env".to_owned()),
            ]
        );
    }

    #[test]
    fn rule_ids_are_frozen() {
        let ids: Vec<_> = IMAGE_RULES.rules().iter().map(|m| m.id).collect();
        insta::assert_debug_snapshot!("rule_ids", ids);
    }
}
