//! The one list of what a scan can run: the analyzer registries, the analyzers set up
//! from the settings file, and the rule families (`kensa rule ID` and the tests that hold
//! every family to the same invariants read them). A new family (manifests, malware) is
//! a line in each list; the orchestrator iterates over them and names none.

use kensa_core::{Analyzer, FindingPolicy, PathAllowlist, RuleMeta, RuleSet, Scanner, TextScanner};

use std::sync::Arc;

use kensa_manifest::ImagesInScan;

use crate::{ScanError, ScanOptions};

/// Analyzers whose behaviour does not depend on settings, one registry slice per crate.
const FIXED: &[&[&dyn Analyzer]] = &[kensa_pkg::ANALYZERS, kensa_rules::CONTENT_ANALYZERS];

/// The analyzers that take settings from the settings file, built for one scan.
fn configured(
    options: &ScanOptions,
    tree: Option<(&std::path::Path, Arc<ImagesInScan>)>,
) -> Result<Vec<Box<dyn Analyzer>>, ScanError> {
    let manifest = options.manifest.clone();
    Ok(vec![
        // A source tree's manifests may extend other files of the tree, and run the
        // images given with it.
        Box::new(match tree {
            Some((root, images)) => {
                kensa_manifest::ManifestAnalyzer::for_tree(root, manifest, images)
            }
            None => kensa_manifest::ManifestAnalyzer::new(manifest),
        }),
        Box::new(kensa_dockerfile::DockerfileAnalyzer::with_config(
            options.dockerfile.clone(),
        )),
        // The default secret rules are compiled once per process and shared.
        Box::new(if options.secret == kensa_secret::SecretConfig::default() {
            kensa_secret::SecretAnalyzer::new()
        } else {
            kensa_secret::SecretAnalyzer::with_config(&options.secret)?
        }),
        // The databases are loaded only when the scanner runs; the built-in EICAR
        // signature is shared.
        Box::new(if options.scanners.contains(&Scanner::Malware) {
            kensa_malware::MalwareAnalyzer::load(&options.malware, options.cache_dir.as_deref())?
        } else {
            kensa_malware::MalwareAnalyzer::built_in()
        }),
    ])
}

/// Every analyzer of a scan, the configurable ones set up from its options.
pub struct Analyzers {
    configured: Vec<Box<dyn Analyzer>>,
}

impl Analyzers {
    /// Builds the configurable analyzers from the settings of `options` (compiling the
    /// user's secret rules, taking the lint settings).
    pub fn new(options: &ScanOptions) -> Result<Analyzers, ScanError> {
        Ok(Analyzers {
            configured: configured(options, None)?,
        })
    }

    /// [`Analyzers::new`] for a scan of the source tree `root`, whose files analyzers may
    /// read beside the one they are handed (a Compose `extends.file`), with the images
    /// its manifests run (`kensa fs --image`).
    pub fn for_tree(
        options: &ScanOptions,
        root: &std::path::Path,
        images: Arc<ImagesInScan>,
    ) -> Result<Analyzers, ScanError> {
        Ok(Analyzers {
            configured: configured(options, Some((root, images)))?,
        })
    }

    /// Every analyzer, whichever scanners run.
    pub fn all(&self) -> impl Iterator<Item = &dyn Analyzer> {
        FIXED
            .iter()
            .flat_map(|slice| slice.iter().copied())
            .chain(self.configured.iter().map(|a| &**a))
    }

    /// The analyzers a scan with `scanners` runs: those of the selected scanners plus
    /// those every scan needs (OS detection, inventory).
    pub fn selected(&self, scanners: &[Scanner]) -> Vec<&dyn Analyzer> {
        self.all()
            .filter(|a| a.scanner().is_none_or(|s| scanners.contains(&s)))
            .collect()
    }

    /// What the analyzer `id` declared about its findings.
    pub fn finding_policy(&self, id: &str) -> FindingPolicy {
        self.all()
            .find(|a| a.id() == id)
            .map(|a| a.finding_policy())
            .unwrap_or_default()
    }

    /// The scan's path allowlist: a path is allowed when any analyzer's allowlist allows
    /// it. It exists whether or not the analyzers that keep one run.
    pub fn allowlist(&self) -> Allowlist<'_> {
        Allowlist(self.all().filter_map(|a| a.path_allowlist()).collect())
    }

    /// The scanner for config strings that an analyzer offers to the image rules.
    pub fn text_scanner(&self) -> Option<&dyn TextScanner> {
        self.all().find_map(|a| a.text_scanner())
    }
}

/// The union of the analyzers' path allowlists.
pub struct Allowlist<'a>(Vec<&'a dyn PathAllowlist>);

impl PathAllowlist for Allowlist<'_> {
    fn allows(&self, path: &str) -> bool {
        self.0.iter().any(|a| a.allows(path))
    }
}

/// Every rule family.
pub const RULE_SETS: &[&dyn RuleSet] = &[
    &kensa_rules::IMAGE_RULES,
    &kensa_dockerfile::DOCKERFILE_RULES,
    &kensa_secret::SECRET_RULES,
    &kensa_manifest::MANIFEST_RULES,
    &kensa_malware::MALWARE_RULES,
    &kensa_trust::scan::SIGNATURE_RULES,
    &kensa_pin::PIN_RULES,
];

/// The rule with this id (in any case) and its family.
pub fn find_rule(id: &str) -> Option<(&'static dyn RuleSet, &'static RuleMeta)> {
    RULE_SETS
        .iter()
        .find_map(|set| set.find(id).map(|rule| (*set, rule)))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn analyzers_declare_how_their_findings_are_kept() {
        let analyzers = Analyzers::new(&ScanOptions::default()).unwrap();
        let secret = analyzers.finding_policy("secret");
        assert!(secret.survives_deletion && secret.allowlisted);
        let dockerfile = analyzers.finding_policy("dockerfile");
        assert!(!dockerfile.survives_deletion && dockerfile.allowlisted);
        assert_eq!(analyzers.finding_policy("dpkg"), FindingPolicy::default());
        assert_eq!(
            analyzers.finding_policy("no-such"),
            FindingPolicy::default()
        );
        // Only secrets and malware outlive their file: everything else describes the
        // final image.
        for a in analyzers.all() {
            assert_eq!(
                a.finding_policy().survives_deletion,
                matches!(a.scanner(), Some(Scanner::Secret | Scanner::Malware)),
                "{}",
                a.id()
            );
        }
    }

    #[test]
    fn the_allowlist_and_text_scanner_exist_whatever_scanners_run() {
        let analyzers = Analyzers::new(&ScanOptions::default()).unwrap();
        let allowlist = analyzers.allowlist();
        assert!(allowlist.allows("usr/share/go-1.19/src/crypto/Dockerfile"));
        assert!(!allowlist.allows("app/Dockerfile"));
        assert!(!allowlist.allows("src/fixtures/token.txt"));
        let token = format!(
            "GITHUB_TOKEN=ghp_{}",
            "R8kq2VfLmZ0xWc4TnJ7sYb1HdQ6pAe9GuKo3"
        );
        let scanner = analyzers.text_scanner().unwrap();
        assert_eq!(scanner.scan_text("config:Env", &token).len(), 1);

        let options = ScanOptions {
            secret: kensa_secret::SecretConfig {
                allow_paths: vec!["**/fixtures/**".to_owned()],
                ..kensa_secret::SecretConfig::default()
            },
            ..ScanOptions::default()
        };
        let configured = Analyzers::new(&options).unwrap();
        let allowlist = configured.allowlist();
        assert!(allowlist.allows("src/fixtures/token.txt"));
        assert!(allowlist.allows("usr/share/go-1.19/src/crypto/Dockerfile"));
        assert!(!allowlist.allows("app/Dockerfile"));
    }

    #[test]
    fn selection_follows_the_scanners() {
        let analyzers = Analyzers::new(&ScanOptions::default()).unwrap();
        let ids = |scanners: &[Scanner]| -> Vec<&str> {
            analyzers
                .selected(scanners)
                .iter()
                .map(|a| a.id())
                .collect()
        };
        let vuln = ids(&[Scanner::Vuln]);
        assert!(
            vuln.contains(&"dpkg") && !vuln.contains(&"secret") && !vuln.contains(&"dockerfile")
        );
        let config = ids(&[Scanner::Config]);
        assert!(config.contains(&"dockerfile") && config.contains(&"KS-IMG-018"));
        assert!(!config.contains(&"secret"));
        assert_eq!(ids(&Scanner::ALL).len(), analyzers.all().count());
    }

    #[test]
    fn every_family_keeps_the_invariants() {
        for set in RULE_SETS {
            assert_eq!(
                kensa_core::check_rule_set(*set),
                Vec::<String>::new(),
                "{}",
                set.family()
            );
        }
    }

    #[test]
    fn ids_are_unique_across_families_in_any_case() {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for set in RULE_SETS {
            let aliases = set.aliases().iter().map(|(alias, _)| *alias);
            for id in set.rules().iter().map(|r| r.id).chain(aliases) {
                let earlier = seen.insert(id.to_ascii_lowercase(), set.family());
                assert!(
                    earlier.is_none(),
                    "{id} is in {earlier:?} and {}",
                    set.family()
                );
            }
        }
    }

    #[test]
    fn families_are_unique_and_each_rule_is_found_in_its_own() {
        let mut families: Vec<&str> = RULE_SETS.iter().map(|s| s.family()).collect();
        families.sort_unstable();
        families.dedup();
        assert_eq!(families.len(), RULE_SETS.len());
        for set in RULE_SETS {
            for rule in set.rules() {
                let (found, meta) = find_rule(&rule.id.to_ascii_lowercase()).unwrap();
                assert_eq!((found.family(), meta.id), (set.family(), rule.id));
            }
        }
        assert!(find_rule("NOPE-1").is_none());
    }
}
