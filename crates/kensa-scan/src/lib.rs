//! Runs a scan: opens the source, walks the layers once with every selected analyzer
//! (reusing cached layers), stacks the layers, applies the image rules and builds the
//! [`Report`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use kensa_core::{
    AnalysisOutput, Analyzer, Artifact, ArtifactKind, CacheKey, Ecosystem, Finding, FindingPolicy,
    KeyBuilder, LayerInfo, Location, LockGraph, NoteLevel, OsInfo, OwnedFiles, Package,
    PathAllowlist, ProjectManifest, Report, ScanNote, Scanner, SuppressedFinding,
};
use kensa_image::{
    FileSystemView, Image, ImageError, ImageInput, LayerCache, OpenOptions, Platform, WalkOptions,
    Walker,
};
use kensa_rules::ImageContext;

#[cfg(test)]
mod docs;
mod layers;
pub mod registry;

pub use registry::Analyzers;

/// What to scan.
#[derive(Clone, Debug)]
pub enum Target {
    /// A container image.
    Image(ImageInput),
    /// An unpacked root filesystem.
    Rootfs(PathBuf),
    /// A source tree.
    Filesystem(PathBuf),
    /// Dockerfiles named on the command line.
    Dockerfiles(Vec<PathBuf>),
    /// Deployment manifests: files, directories, `-` for stdin.
    Manifests(Vec<PathBuf>),
}

/// How to scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// The scanners to run.
    pub scanners: Vec<Scanner>,
    /// Where the layer cache lives; `None` disables it.
    pub cache_dir: Option<PathBuf>,
    /// Which platform to take from a multi-platform index.
    pub platform: Option<Platform>,
    /// Limits for hostile input.
    pub walk: WalkOptions,
    /// The advisory database and suppressions, for the `vuln` scanner.
    pub vuln: VulnOptions,
    /// How Dockerfiles are linted (the `config` scanner).
    pub dockerfile: kensa_dockerfile::LintConfig,
    /// Custom secret rules and allowlists (the `secret` scanner).
    pub secret: kensa_secret::SecretConfig,
    /// In a source tree, leave out what its `.gitignore` and `.ignore` files exclude.
    pub ignore_files: bool,
    /// Keep packages that lockfiles mark as development-only ([`Package::dev`]); by
    /// default they are left out of the report, matching and SBOMs, as they are not
    /// installed in production.
    pub include_dev_deps: bool,
    /// Manifest rules the settings file ignores.
    pub manifest: kensa_manifest::ManifestConfig,
    /// Images scanned with the manifests (`kensa manifest --image`): their configs'
    /// USER clears "may run as root" for the containers that run them.
    pub manifest_images: Vec<ManifestImage>,
    /// Signature databases and severities (the `malware` scanner).
    pub malware: kensa_malware::MalwareConfig,
}

/// An image given with manifests, and the reference the manifests use for it when its
/// own names (a registry reference, an archive's tags) are not that.
#[derive(Clone, Debug)]
pub struct ManifestImage {
    /// `registry.example/app:1.4` in `--image registry.example/app:1.4=oci-layout:DIR`.
    pub name: Option<String>,
    /// The image.
    pub input: ImageInput,
}

/// Where advisories come from and what is suppressed.
#[derive(Clone, Debug, Default)]
pub struct VulnOptions {
    /// The directory of the advisory database.
    pub db_dir: PathBuf,
    /// A `.kensaignore` file.
    pub ignore_file: Option<PathBuf>,
    /// OpenVEX or CycloneDX VEX documents.
    pub vex: Vec<PathBuf>,
    /// Suppress vulnerabilities that have no fix yet.
    pub ignore_unfixed: bool,
    /// Warn when the database is older than this many days.
    pub max_db_age_days: u64,
    /// Where severities come from, first match wins (`vuln.severity_sources`); empty means
    /// the default order: advisory, CNA, ADP.
    pub severity_sources: Vec<kensa_core::SourceKind>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            scanners: Scanner::DEFAULT.to_vec(),
            cache_dir: None,
            platform: None,
            walk: WalkOptions::default(),
            vuln: VulnOptions::default(),
            dockerfile: kensa_dockerfile::LintConfig::default(),
            secret: kensa_secret::SecretConfig::default(),
            ignore_files: true,
            include_dev_deps: false,
            manifest: kensa_manifest::ManifestConfig::default(),
            manifest_images: Vec::new(),
            malware: kensa_malware::MalwareConfig::default(),
        }
    }
}

/// Why a scan failed (as opposed to what it found).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The image could not be read or failed verification.
    #[error(transparent)]
    Image(#[from] ImageError),
    /// The advisory database or a suppression file could not be used.
    #[error(transparent)]
    Vuln(#[from] kensa_vuln::VulnError),
    /// A Dockerfile named on the command line could not be read or parsed.
    #[error("`{path}`: {message}")]
    Dockerfile {
        /// The file.
        path: String,
        /// What is wrong, with line and column for syntax errors.
        message: String,
    },
    /// The secret settings do not compile (a custom rule's regex, an allowlist glob).
    #[error("secret settings: {0}")]
    Secret(#[from] kensa_secret::SecretError),
    /// A manifest could not be read or parsed.
    #[error(transparent)]
    Manifest(#[from] kensa_manifest::ManifestError),
    /// A malware signature database cannot be loaded.
    #[error(transparent)]
    Malware(#[from] kensa_malware::MalwareError),
    /// An analyzer declared an invalid glob; a kensa bug.
    #[error("analyzer path patterns do not compile: {0}")]
    Patterns(String),
}

/// Timings and cache use, for `--quiet`-less runs and benchmarks. Layers are counted
/// once per distinct diff_id.
#[derive(Clone, Debug, Default)]
pub struct ScanStats {
    /// Layers read from their blobs.
    pub layers_walked: usize,
    /// Layers answered from the cache.
    pub layers_cached: usize,
    /// Layers answered from the cache after waiting for another process to walk them.
    pub layers_waited: usize,
    /// The diff_ids of the layers walked, in the order they were.
    pub walked: Vec<kensa_core::Digest>,
    /// Uncompressed bytes walked.
    pub bytes_walked: u64,
    /// Wall time of the whole scan.
    pub elapsed_ms: u128,
}

/// Scans `target`.
pub fn scan(target: &Target, options: &ScanOptions) -> Result<(Report, ScanStats), ScanError> {
    let started = Instant::now();
    let (report, mut stats) = match target {
        Target::Image(input) => scan_image(input, options)?,
        Target::Rootfs(dir) => scan_dir(dir, ArtifactKind::Rootfs, options, &[])?,
        // Version-control internals are not part of what a source tree ships.
        Target::Filesystem(dir) => scan_dir(dir, ArtifactKind::Filesystem, options, &[".git"])?,
        Target::Dockerfiles(paths) => lint_dockerfiles(paths, options)?,
        Target::Manifests(paths) => check_manifests(paths, options)?,
    };
    stats.elapsed_ms = started.elapsed().as_millis();
    Ok((report, stats))
}

fn walker<'a>(
    analyzers: &[&'a dyn Analyzer],
    options: &ScanOptions,
) -> Result<Walker<'a>, ScanError> {
    Walker::new(analyzers, options.walk.clone()).map_err(|e| ScanError::Patterns(e.to_string()))
}

fn scan_image(input: &ImageInput, options: &ScanOptions) -> Result<(Report, ScanStats), ScanError> {
    let image = kensa_image::open(
        input,
        &OpenOptions {
            platform: options.platform.clone(),
        },
    )?;
    let configured = Analyzers::new(options)?;
    let analyzers = configured.selected(&options.scanners);
    let mut notes: Vec<ScanNote> = analyzers.iter().flat_map(|a| a.notes()).collect();
    let cache = options
        .cache_dir
        .as_ref()
        .and_then(|dir| match LayerCache::open(dir) {
            Ok(c) => Some(c),
            Err(e) => {
                notes.push(ScanNote {
                    level: NoteLevel::Warning,
                    found_by: "cache".into(),
                    location: Location::default(),
                    message: format!("scanning without the layer cache: {e}"),
                });
                None
            }
        });
    let mut stats = ScanStats::default();

    // A rescan of an image this kensa has seen: the stacked, filtered result is cached
    // whole, so no layer index is read or stacked again. Only vulnerability matching
    // (the database may have changed) and suppression run again.
    let result_key = image_result_key(&image, &options.scanners, &configured);
    if let Some(cached) = cache
        .as_ref()
        .and_then(|c| c.image_result::<ImageResult>(&result_key))
    {
        stats.layers_cached = image.layers.len();
        let mut collected = Collected {
            packages: cached.packages,
            findings: cached.findings,
            suppressed: cached.suppressed,
            notes: cached.notes,
            os: cached.os,
            owned_files: Vec::new(),
            manifests: Vec::new(),
            lock_graphs: Vec::new(),
        };
        let suppressed = collected.settle(options)?;
        notes.extend(collected.notes);
        let artifact = image_artifact(&image, collected.os);
        let report = Report::new(
            artifact,
            options.scanners.clone(),
            collected.findings,
            collected.packages,
            notes,
        )
        .with_suppressed(suppressed);
        return Ok((report, stats));
    }

    // Reuse every layer whose index and analyzer outputs are all cached; walk the rest.
    let layers = layers::layer_results(
        &image,
        &analyzers,
        options,
        cache.as_ref(),
        &mut stats,
        &mut notes,
    )?;
    let view = FileSystemView::build(layers.iter().map(|(index, _)| index));

    let allowlist = configured.allowlist();
    let mut collected = Collected::default();
    for (i, (index, outputs)) in layers.into_iter().enumerate() {
        let Some(layer) = image.layers.get(i) else {
            continue;
        };
        let place = |mut loc: Location| {
            loc.layer = Some(layer.diff_id.clone());
            loc.layer_index = Some(i);
            loc.created_by = layer.created_by.as_deref().map(kensa_rules::redact_history);
            loc
        };
        collected.notes.extend(index.notes.into_iter().map(|mut n| {
            n.location = place(n.location);
            n
        }));
        for (id, output) in outputs {
            let keep = Keep {
                policy: configured.finding_policy(id),
                allowlist: &allowlist,
                survives: |path: &str| view.survives(i, path),
            };
            collected.add(output, &keep, place);
        }
    }

    collected.finish_inventory();
    {
        let ctx = ImageContext {
            config: &image.config,
            files: &view,
            repo_tags: &image.repo_tags,
            secrets: configured.text_scanner(),
            allowlist: Some(&allowlist),
        };
        collected
            .findings
            .extend(kensa_rules::check_image(&ctx, &options.scanners));
    }
    if let Some(cache) = &cache {
        let result = ImageResult {
            packages: collected.packages.clone(),
            findings: collected.findings.clone(),
            suppressed: collected.suppressed.clone(),
            notes: collected.notes.clone(),
            os: collected.os.clone(),
        };
        if let Err(e) = cache.store_image_result(&result_key, &result) {
            notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: "cache".into(),
                location: Location::default(),
                message: format!("image result not cached: {e}"),
            });
        }
    }
    let suppressed = collected.settle(options)?;
    let findings = collected.findings;
    let mut all_notes = notes;
    all_notes.extend(collected.notes);
    let artifact = image_artifact(&image, collected.os);
    let report = Report::new(
        artifact,
        options.scanners.clone(),
        findings,
        collected.packages,
        all_notes,
    )
    .with_suppressed(suppressed);
    Ok((report, stats))
}

/// Bumped whenever a rule or the stacking logic changes what an image yields, so cached
/// whole-image results of an older kensa are not served. (Analyzers have their own versions,
/// which are part of the key.)
const IMAGE_RESULT_VERSION: u32 = 3;

/// What a scan of an image yields before vulnerability matching: everything that depends
/// only on the image's content and this kensa's analyzers and rules.
#[derive(serde::Serialize, serde::Deserialize)]
struct ImageResult {
    packages: Vec<Package>,
    findings: Vec<Finding>,
    #[serde(default)]
    suppressed: Vec<SuppressedFinding>,
    notes: Vec<ScanNote>,
    os: Option<OsInfo>,
}

/// The cache key of an image's result: its config digest (which names its layers),
/// kensa's version, every analyzer (id, code version, settings digest) and the scanners
/// whose rules ran.
fn image_result_key(image: &Image, scanners: &[Scanner], configured: &Analyzers) -> CacheKey {
    // Every analyzer, not only those of the selected scanners: analyzers serve the image
    // rules too (config strings are scanned with the secret rules, findings filtered by
    // their allowlist, even when the `secret` scanner is off).
    let mut analyzers: Vec<&dyn Analyzer> = configured.all().collect();
    analyzers.sort_by_key(|a| a.id());
    let mut scanners: Vec<&str> = scanners.iter().map(|s| s.as_str()).collect();
    scanners.sort_unstable();
    scanners.dedup();
    let mut key = KeyBuilder::new("image-result");
    key.digest(&image.config_digest)
        .str(env!("CARGO_PKG_VERSION"))
        .u32(IMAGE_RESULT_VERSION)
        .list(analyzers, |k, a| {
            k.analyzer(a);
        })
        .list(scanners, |k, s| {
            k.str(s);
        });
    key.finish()
}

fn image_artifact(image: &Image, os: Option<OsInfo>) -> Artifact {
    Artifact {
        name: image.name.clone(),
        kind: image.kind,
        digest: Some(image.config_digest.clone()),
        manifest_digest: image.manifest_digest.clone(),
        repo_tags: image.repo_tags.clone(),
        platform: Some(image.config.platform()),
        os,
        layers: image
            .layers
            .iter()
            .map(|l| LayerInfo {
                diff_id: l.diff_id.clone(),
                blob_digest: l.digest.clone(),
                size: l.size,
                created_by: l.created_by.as_deref().map(kensa_rules::redact_history),
            })
            .collect(),
        config: Some(image.config.summary()),
    }
}

fn scan_dir(
    dir: &std::path::Path,
    kind: ArtifactKind,
    options: &ScanOptions,
    skip_dirs: &[&str],
) -> Result<(Report, ScanStats), ScanError> {
    let images = std::sync::Arc::new(kensa_manifest::ImagesInScan::new(known_images(
        &options.manifest_images,
        options,
    )?));
    let configured = match kind {
        ArtifactKind::Filesystem => Analyzers::for_tree(options, dir, images.clone())?,
        _ => Analyzers::new(options)?,
    };
    let analyzers = configured.selected(&options.scanners);
    let walker = walker(&analyzers, options)?;
    let scan = if kind == ArtifactKind::Filesystem && options.ignore_files {
        walker.walk_source_tree(dir, skip_dirs)?
    } else {
        walker.walk_dir(dir, skip_dirs)?
    };
    let stats = ScanStats {
        layers_walked: 1,
        bytes_walked: scan.uncompressed_size,
        ..ScanStats::default()
    };
    let allowlist = configured.allowlist();
    let mut collected = Collected::default();
    collected
        .notes
        .extend(analyzers.iter().flat_map(|a| a.notes()));
    collected.notes.extend(scan.index.notes);
    for (id, output) in scan.outputs {
        let keep = Keep {
            policy: configured.finding_policy(id),
            allowlist: &allowlist,
            survives: |_: &str| true,
        };
        collected.add(output, &keep, |loc| loc);
    }
    collected.finish_inventory();
    collected.notes.extend(images.unused_notes());
    let suppressed = collected.settle(options)?;
    let artifact = Artifact {
        name: dir.display().to_string(),
        kind,
        digest: None,
        manifest_digest: None,
        repo_tags: Vec::new(),
        platform: None,
        os: collected.os,
        layers: Vec::new(),
        config: None,
    };
    let report = Report::new(
        artifact,
        options.scanners.clone(),
        collected.findings,
        collected.packages,
        collected.notes,
    )
    .with_suppressed(suppressed);
    Ok((report, stats))
}

/// Dockerfiles are small text files the user named, so they are read directly rather than
/// through the walker, and a syntax error is an error of the run (exit 2), not a note.
fn lint_dockerfiles(
    paths: &[PathBuf],
    options: &ScanOptions,
) -> Result<(Report, ScanStats), ScanError> {
    const MAX_DOCKERFILE_BYTES: u64 = 4 * 1024 * 1024;
    let config = &options.dockerfile;
    let mut findings = Vec::new();
    for path in paths {
        let shown = path.display().to_string();
        let fail = |message: String| ScanError::Dockerfile {
            path: shown.clone(),
            message,
        };
        let size = fs_err::metadata(path)
            .map_err(|e| fail(e.to_string()))?
            .len();
        if size > MAX_DOCKERFILE_BYTES {
            return Err(fail(format!(
                "larger than {MAX_DOCKERFILE_BYTES} bytes; not a Dockerfile"
            )));
        }
        let text = fs_err::read_to_string(path).map_err(|e| fail(e.to_string()))?;
        let found =
            kensa_dockerfile::lint(&shown, &text, config).map_err(|e| fail(e.to_string()))?;
        findings.extend(found);
    }
    let artifact = Artifact {
        name: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        kind: ArtifactKind::Filesystem,
        digest: None,
        manifest_digest: None,
        repo_tags: Vec::new(),
        platform: None,
        os: None,
        layers: Vec::new(),
        config: None,
    };
    let report = Report::new(
        artifact,
        options.scanners.clone(),
        findings,
        Vec::new(),
        Vec::new(),
    );
    Ok((report, ScanStats::default()))
}

/// Manifests are read whole and checked together, so checks that span documents (egress
/// policies, RBAC bindings) see every file; a file that does not parse is an error of
/// the run. The ignore file suppresses manifest findings by id and path, next to the
/// documents' own ignores.
fn check_manifests(
    paths: &[PathBuf],
    options: &ScanOptions,
) -> Result<(Report, ScanStats), ScanError> {
    let refs: Vec<&std::path::Path> = paths.iter().map(PathBuf::as_path).collect();
    let inputs = kensa_manifest::load(&refs)?;
    // Files named on the command line may extend any file their user can read, as
    // Compose lets them.
    let manifests =
        kensa_manifest::read_manifests_with(&inputs, &kensa_manifest::Disk { root: None })?;
    let images =
        kensa_manifest::ImagesInScan::new(known_images(&options.manifest_images, options)?);
    let owned;
    let scanner: Option<&kensa_secret::SecretScanner> =
        if !options.scanners.contains(&Scanner::Secret) {
            None
        } else if options.secret == kensa_secret::SecretConfig::default() {
            Some(kensa_secret::default_scanner().map_err(|e| ScanError::Patterns(e.to_string()))?)
        } else {
            owned = kensa_secret::SecretScanner::new(&options.secret)?;
            Some(&owned)
        };
    let ctx = kensa_manifest::Context {
        secrets: scanner.map(|s| s as &dyn kensa_core::TextScanner),
        partial: false,
        images: images.images(),
    };
    let mut outcome = kensa_manifest::check(&manifests, &ctx);
    images.mark_used(&manifests);
    outcome.notes.extend(images.unused_notes());
    options.manifest.apply(&mut outcome);
    outcome
        .findings
        .retain(|f| options.scanners.contains(&f.scanner));
    let mut findings = outcome.findings;
    let mut suppressed = outcome.suppressed;
    if let Some(path) = &options.vuln.ignore_file {
        let mut ignores = kensa_vuln::Suppressions::new();
        ignores.load_ignore_file(path)?;
        let split = ignores.apply_to_rule_findings(findings, kensa_vuln::Date::today());
        findings = split.kept;
        suppressed.extend(split.suppressed);
    }
    let artifact = Artifact {
        name: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        kind: ArtifactKind::Filesystem,
        digest: None,
        manifest_digest: None,
        repo_tags: Vec::new(),
        platform: None,
        os: None,
        layers: Vec::new(),
        config: None,
    };
    // Only these scanners have anything to say about a manifest.
    let scanners = options
        .scanners
        .iter()
        .copied()
        .filter(|s| matches!(s, Scanner::Config | Scanner::Secret))
        .collect();
    let report = Report::new(artifact, scanners, findings, Vec::new(), outcome.notes)
        .with_suppressed(suppressed);
    Ok((report, ScanStats::default()))
}

/// Opens each image given with the manifests (its manifest and config only; no layer is
/// read) and notes the names and digests a manifest may run it by.
fn known_images(
    images: &[ManifestImage],
    options: &ScanOptions,
) -> Result<Vec<kensa_manifest::KnownImage>, ScanError> {
    let open_options = OpenOptions {
        platform: options.platform.clone(),
    };
    images
        .iter()
        .map(|given| {
            let image = kensa_image::open(&given.input, &open_options)?;
            let mut names: Vec<String> = given.name.iter().cloned().collect();
            names.extend(image.repo_tags.iter().cloned());
            Ok(kensa_manifest::KnownImage {
                source: image.name.clone(),
                names,
                digests: image
                    .manifest_digest
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                user: image.config.config.user.clone(),
            })
        })
        .collect()
}

/// What of one analyzer's output for one layer goes into the report.
struct Keep<'a, F: Fn(&str) -> bool> {
    /// What the analyzer declared about its findings.
    policy: FindingPolicy,
    /// The scan's path allowlist, for findings the policy says it covers.
    allowlist: &'a dyn PathAllowlist,
    /// Whether a path of this layer is still there in the final image.
    survives: F,
}

impl<F: Fn(&str) -> bool> Keep<'_, F> {
    fn alive(&self, location: &Location) -> bool {
        location.path.as_deref().is_none_or(&self.survives)
    }

    fn finding(&self, finding: &Finding) -> bool {
        let path = finding.location.path.as_deref();
        let allowed = self.policy.allowlisted && path.is_some_and(|p| self.allowlist.allows(p));
        !allowed && (self.policy.survives_deletion || self.alive(&finding.location))
    }
}

/// Outputs of all layers, filtered to what is in the final image.
#[derive(Default)]
struct Collected {
    packages: Vec<Package>,
    findings: Vec<Finding>,
    suppressed: Vec<SuppressedFinding>,
    notes: Vec<ScanNote>,
    os: Option<OsInfo>,
    owned_files: Vec<OwnedFiles>,
    manifests: Vec<ProjectManifest>,
    lock_graphs: Vec<LockGraph>,
}

impl Collected {
    /// Packages and OS come only from files that survive in the final image (a package
    /// database overwritten by a later layer describes nothing that is installed), and
    /// findings too unless their analyzer's policy says they outlive the file; findings
    /// the policy puts under the allowlist are dropped on the paths it allows.
    fn add<F: Fn(&str) -> bool>(
        &mut self,
        output: AnalysisOutput,
        keep: &Keep<'_, F>,
        place: impl Fn(Location) -> Location,
    ) {
        for mut p in output.packages {
            if keep.alive(&p.location) {
                p.location = place(p.location);
                self.packages.push(p);
            }
        }
        for mut f in output.findings {
            if keep.finding(&f) {
                f.location.deleted = !keep.alive(&f.location);
                f.location = place(f.location);
                self.findings.push(f);
            }
        }
        for mut s in output.suppressed {
            if keep.finding(&s.finding) {
                s.finding.location.deleted = !keep.alive(&s.finding.location);
                s.finding.location = place(s.finding.location);
                self.suppressed.push(s);
            }
        }
        for mut n in output.notes {
            n.location = place(n.location);
            self.notes.push(n);
        }
        self.owned_files.extend(output.owned_files);
        for m in output.manifests {
            if keep.alive(&Location::path(&m.path)) {
                self.manifests.push(m);
            }
        }
        for g in output.lock_graphs {
            if keep.alive(&Location::path(&g.path)) {
                self.lock_graphs.push(g);
            }
        }
        // The surviving os-release is the one analysis leaves in `os`; later layers win.
        if output.os.is_some() {
            self.os = output.os;
        }
    }

    /// Leaves out development-only packages, matches vulnerabilities, and returns every
    /// suppressed finding: the analyzers' (a manifest's own ignores) and the matcher's.
    fn settle(&mut self, options: &ScanOptions) -> Result<Vec<SuppressedFinding>, ScanError> {
        self.leave_out_dev_packages(options);
        let mut suppressed = std::mem::take(&mut self.suppressed);
        // The ignore file speaks of rule findings (image config, Dockerfile, secret,
        // manifest, malware) as well as vulnerabilities, as `kensa manifest` reads it.
        // The file is read once; the vulnerability pass adds VEX to what it loaded.
        let mut ignores = kensa_vuln::Suppressions::new();
        let mut used_by_rules = Vec::new();
        if let Some(path) = &options.vuln.ignore_file {
            ignores.load_ignore_file(path)?;
            let findings = std::mem::take(&mut self.findings);
            let split = ignores.apply_to_rule_findings(findings, kensa_vuln::Date::today());
            self.findings = split.kept;
            suppressed.extend(split.suppressed);
            used_by_rules = split.used;
        }
        suppressed.extend(self.match_vulnerabilities(options, ignores, &used_by_rules)?);
        Ok(suppressed)
    }

    /// Drops the packages lockfiles mark as development-only unless the scan keeps them,
    /// saying how many.
    fn leave_out_dev_packages(&mut self, options: &ScanOptions) {
        if options.include_dev_deps {
            return;
        }
        let before = self.packages.len();
        self.packages.retain(|p| !p.dev);
        let dropped = before - self.packages.len();
        if dropped > 0 {
            self.notes.push(ScanNote {
                level: NoteLevel::Info,
                found_by: "inventory".into(),
                location: Location::default(),
                message: format!(
                    "{dropped} development-only package(s) left out (`--include-dev-deps` keeps them)"
                ),
            });
        }
    }

    /// Matches the inventory against the advisory database when the `vuln` scanner runs,
    /// applies `suppressions` (the ignore file, already loaded; VEX is added here) with
    /// the entries rule findings used, and returns what was suppressed.
    fn match_vulnerabilities(
        &mut self,
        options: &ScanOptions,
        mut suppressions: kensa_vuln::Suppressions,
        used_by_rules: &[bool],
    ) -> Result<Vec<SuppressedFinding>, ScanError> {
        if !options.scanners.contains(&Scanner::Vuln) {
            return Ok(Vec::new());
        }
        let vuln = &options.vuln;
        let db = kensa_vuln::VulnDb::open(&vuln.db_dir)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let age = db.info().age_days(now);
        if vuln.max_db_age_days > 0 && age > vuln.max_db_age_days {
            self.notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: "vuln".into(),
                location: Location::default(),
                message: format!(
                    "the advisory database is {age} days old (built {}); refresh it with `kensa db import`",
                    db.info().built_at_rfc3339()
                ),
            });
        }
        let mut match_options = kensa_vuln::MatchOptions::default();
        if !vuln.severity_sources.is_empty() {
            match_options.severity_sources = vuln.severity_sources.clone();
        }
        // The project's own source-tree packages are the code under scan, not a release
        // any advisory names (see `kensa_pkg::lang::is_vulnerability_matched`).
        let matched_packages: Vec<Package> = self
            .packages
            .iter()
            .filter(|p| kensa_pkg::lang::is_vulnerability_matched(p))
            .cloned()
            .collect();
        let matched = db.match_packages_with(&matched_packages, self.os.as_ref(), &match_options);
        self.notes.extend(matched.notes);
        for path in &vuln.vex {
            suppressions.load_vex(path)?;
        }
        suppressions.set_ignore_unfixed(vuln.ignore_unfixed);
        let filtered = suppressions.apply_after_rules(
            matched.findings,
            kensa_vuln::Date::today(),
            used_by_rules,
        );
        self.notes.extend(filtered.notes);
        self.findings.extend(
            filtered
                .findings
                .into_iter()
                .map(kensa_vuln::VulnMatch::into_finding),
        );
        Ok(filtered
            .suppressed
            .into_iter()
            .map(|s| SuppressedFinding {
                reason: s.reason.to_string(),
                finding: s.finding.into_finding(),
            })
            .collect())
    }

    /// Joins file lists to their packages, gives OS packages their distro-qualified purl,
    /// and drops language packages whose record is a file an OS package owns: a distro's
    /// `python3-six` ships `six-*.dist-info/METADATA`, and it is one package, reported
    /// once, as the OS package (whose advisories are the distro's).
    fn finish_inventory(&mut self) {
        kensa_pkg::lang::projects::join(&mut self.packages, &self.manifests, &self.lock_graphs);
        let mut lists: HashMap<(Ecosystem, &str), Vec<String>> = HashMap::new();
        for owned in &self.owned_files {
            lists
                .entry((owned.ecosystem, owned.package.as_str()))
                .or_default()
                .extend(owned.files.iter().cloned());
        }
        for pkg in &mut self.packages {
            if pkg.files.is_empty()
                && let Some(files) = lists.remove(&(pkg.ecosystem, pkg.name.as_str()))
            {
                pkg.files = files;
            }
            if pkg.ecosystem.is_os() {
                pkg.purl = Some(kensa_pkg::os::purl::purl(pkg, self.os.as_ref()));
            }
        }
        let os_owned: HashSet<String> = self
            .packages
            .iter()
            .filter(|p| p.ecosystem.is_os())
            .flat_map(|p| p.files.iter().cloned())
            .collect();
        self.packages.retain(|p| {
            p.ecosystem.is_os()
                || p.location
                    .path
                    .as_ref()
                    .is_none_or(|path| !os_owned.contains(path))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixtures;

    impl PathAllowlist for Fixtures {
        fn allows(&self, path: &str) -> bool {
            path.starts_with("fixtures/")
        }
    }

    fn finding(path: &str) -> Finding {
        kensa_secret::RULES[0]
            .meta
            .finding(Scanner::Secret, Location::path(path), None)
    }

    /// Findings on `paths`, where `deleted/` does not survive, under `policy`.
    fn kept(policy: FindingPolicy, paths: &[&str]) -> Vec<String> {
        let keep = Keep {
            policy,
            allowlist: &Fixtures,
            survives: |path: &str| !path.starts_with("deleted/"),
        };
        let output = AnalysisOutput {
            findings: paths.iter().map(|p| finding(p)).collect(),
            ..AnalysisOutput::default()
        };
        let mut collected = Collected::default();
        collected.add(output, &keep, |loc| loc);
        collected
            .findings
            .into_iter()
            .filter_map(|f| f.location.path)
            .collect()
    }

    #[test]
    fn findings_are_kept_as_their_analyzer_declares() {
        let paths = ["app/x", "deleted/x", "fixtures/x"];
        assert_eq!(
            kept(FindingPolicy::default(), &paths),
            ["app/x", "fixtures/x"]
        );
        let survive = FindingPolicy {
            survives_deletion: true,
            ..FindingPolicy::default()
        };
        assert_eq!(kept(survive, &paths), paths);
        let allowlisted = FindingPolicy {
            allowlisted: true,
            ..FindingPolicy::default()
        };
        assert_eq!(kept(allowlisted, &paths), ["app/x"]);
        let both = FindingPolicy {
            survives_deletion: true,
            allowlisted: true,
        };
        assert_eq!(kept(both, &paths), ["app/x", "deleted/x"]);
    }
}
