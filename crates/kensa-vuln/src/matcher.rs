//! Matching installed packages against the store.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use kensa_core::{
    CvssMetric, Ecosystem, EpssScore, Finding, KevEntry, Location, NoteLevel, OsInfo, Package,
    Priority, ScanNote, Scanner, Section, Severity, SeveritySource, SourceKind, VulnDetails,
};
use kensa_enrich::Enrichment;
use redb::ReadableDatabase;
use serde::{Deserialize, Serialize};

use crate::ecosystem::{AdvisorySource, advisory_source, os_ecosystems, package_key};
use crate::osv::{Rating, VersionParser};
use crate::severity::CvssScore;
use crate::store::{ADVISORIES, CVES, PACKAGES, StoredAdvisory, StoredAffected, VulnDb};
use std::rc::Rc;

use crate::version::{Scheme, Version};

/// The `found_by` of notes raised while matching.
pub const FOUND_BY: &str = "vuln";

/// One vulnerability in one installed package.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnMatch {
    /// The primary id (the smallest id among the merged records that matched).
    pub id: String,
    /// Every other id of the same vulnerability: merged records' ids and their aliases.
    pub aliases: Vec<String>,
    /// Related and upstream ids (a DSA's CVEs, an Alpine record's CVE).
    pub related: Vec<String>,
    /// The advisory ecosystem matched (`Debian:11`, `PyPI`).
    pub ecosystem: String,
    /// The installed package's ecosystem.
    pub package_ecosystem: Ecosystem,
    /// The installed package's name.
    pub package: String,
    /// The installed package's version.
    pub installed_version: String,
    /// The source package (Debian source, Alpine origin, source RPM) that the advisory names,
    /// when it differs from the installed package's name.
    pub source_package: Option<String>,
    /// The version compared with the advisory, when it differs from `installed_version`
    /// (the source version).
    pub matched_version: Option<String>,
    /// The package URL of the installed package, when the inventory gave one.
    pub purl: Option<String>,
    /// Versions that fix it, from the ranges that matched; empty when there is no fix.
    pub fixed_versions: Vec<String>,
    /// The severity.
    pub severity: Severity,
    /// The CVSS vector and base score behind the severity, when there is one.
    pub cvss: Option<CvssScore>,
    /// A one-line title.
    pub title: String,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Where the package was found (its database file and layer).
    pub location: Location,
    /// Where `severity` came from; `None` when it is UNKNOWN.
    #[serde(default)]
    pub severity_source: Option<SeveritySource>,
    /// Every CVSS score known: the advisory's and each named CVE record's.
    #[serde(default)]
    pub cvss_all: Vec<CvssMetric>,
    /// The KEV entry of one of its CVEs.
    #[serde(default)]
    pub kev: Option<KevEntry>,
    /// The highest EPSS score among its CVEs.
    #[serde(default)]
    pub epss: Option<EpssScore>,
    /// The SSVC `Exploitation` decision, the most severe among its CVE records.
    #[serde(default)]
    pub exploitation: Option<String>,
    /// CVEs it names whose record is REJECTED.
    #[serde(default)]
    pub rejected_cves: Vec<String>,
    /// The earliest publication date of its CVE records.
    #[serde(default)]
    pub published: Option<String>,
    /// The fix-first rank.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The version of the package that fixes every fixable finding on it.
    #[serde(default)]
    pub fix_group: Option<String>,
}

/// How matching resolves severities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchOptions {
    /// Where a severity may come from, first match wins (`vuln.severity_sources`); a kind
    /// left out is never used for the severity, though its scores are still listed.
    pub severity_sources: Vec<SourceKind>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            severity_sources: SourceKind::ALL.to_vec(),
        }
    }
}

impl VulnMatch {
    /// Every id this vulnerability is known by: primary, aliases and related.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.related.iter().map(String::as_str))
    }

    /// Whether a fixed version is known.
    pub fn has_fix(&self) -> bool {
        !self.fixed_versions.is_empty()
    }

    /// The finding as the report shows it.
    pub fn into_finding(self) -> Finding {
        let who = match &self.source_package {
            Some(src) => format!("{} (source package {src})", self.package),
            None => self.package.clone(),
        };
        let remediation = match self.fixed_versions.as_slice() {
            [] => format!(
                "No fix is available yet; remove {} if the image does not need it, or mitigate and watch {} for a fix",
                self.package, self.id
            ),
            [one] => format!("Upgrade {who} to {one} or later"),
            many => format!(
                "Upgrade {who} to a fixed version: {} (the one on its release branch) or later",
                many.join(", ")
            ),
        };
        let mut message = format!("{} {} is affected", self.package, self.installed_version);
        match (&self.source_package, &self.matched_version) {
            (Some(src), Some(v)) => message.push_str(&format!(" (source {src} {v})")),
            (Some(src), None) => message.push_str(&format!(" (source package {src})")),
            (None, Some(v)) => message.push_str(&format!(" (source version {v})")),
            (None, None) => {}
        }
        if self.fixed_versions.is_empty() {
            message.push_str("; no fix available");
        } else {
            message.push_str(&format!("; fixed in {}", self.fixed_versions.join(", ")));
        }
        if let Some(cvss) = &self.cvss {
            message.push_str(&format!("; CVSS {:.1} {}", cvss.score, cvss.vector));
        }
        if let Some(src) = self
            .severity_source
            .as_ref()
            .filter(|s| s.kind != SourceKind::Advisory)
        {
            message.push_str(&format!("; severity from {src}"));
        }
        if let Some(kev) = &self.kev {
            message.push_str(&format!(
                "; known exploited (CISA KEV {}, added {})",
                kev.cve, kev.date_added
            ));
        }
        if !self.rejected_cves.is_empty() {
            message.push_str(&format!(
                "; REJECTED by the CVE Program: {}",
                self.rejected_cves.join(", ")
            ));
        }
        if !self.aliases.is_empty() {
            message.push_str(&format!("; also known as {}", self.aliases.join(", ")));
        }
        if !self.related.is_empty() {
            message.push_str(&format!("; related: {}", self.related.join(", ")));
        }
        let title = if self.title.is_empty() {
            format!("{} in {}", self.id, self.package)
        } else {
            self.title
        };
        let details = VulnDetails {
            package: self.package.clone(),
            installed_version: self.installed_version.clone(),
            source_package: self.source_package.clone(),
            fixed_versions: self.fixed_versions.clone(),
            ecosystem: self.ecosystem.clone(),
            aliases: self.aliases.clone(),
            related: self.related.clone(),
            cvss_vector: self.cvss.as_ref().map(|c| c.vector.clone()),
            cvss_score: self.cvss.as_ref().map(|c| c.score),
            severity_source: self.severity_source.clone(),
            cvss: self.cvss_all.clone(),
            kev: self.kev.clone(),
            epss: self.epss.clone(),
            exploitation: self.exploitation.clone(),
            rejected_cves: self.rejected_cves.clone(),
            published: self.published.clone(),
            priority: self.priority.clone(),
            fix_group: self.fix_group.clone(),
        };
        let mut location = self.location;
        if location.package.is_none() {
            location.package = Some(format!("{}@{}", self.package, self.installed_version));
        }
        Finding {
            id: self.id,
            scanner: Scanner::Vuln,
            severity: self.severity,
            section: Section::ImageVulnerabilities,
            title,
            message: Some(message),
            location,
            remediation,
            references: self.references,
            vulnerability: Some(details),
        }
    }
}

/// Findings and notes of one matching run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MatchResult {
    /// One entry per vulnerability per package, sorted by package, then id.
    pub findings: Vec<VulnMatch>,
    /// What could not be checked (unparseable versions, releases the database lacks).
    pub notes: Vec<ScanNote>,
}

/// Packages of one ecosystem that could not be checked for one reason, reported once.
struct Unchecked {
    count: usize,
    example: String,
}

impl VulnDb {
    /// Matches packages against the database.
    ///
    /// OS packages (`deb`, `apk`, `rpm`) need `os` to pick the distribution release and are
    /// matched by their source package (Debian source, Alpine origin, source RPM) when the
    /// inventory recorded one. Language packages are matched in their OSV ecosystem with the
    /// ecosystem's name normalisation; the Go toolchain of a Go binary is the `stdlib`
    /// package. A version the scheme cannot parse, a release the database has no advisories
    /// for, and a database read error each give a [`ScanNote`]: none is reported as clean.
    pub fn match_packages(&self, packages: &[Package], os: Option<&OsInfo>) -> MatchResult {
        self.match_packages_with(packages, os, &MatchOptions::default())
    }

    /// [`VulnDb::match_packages`] with a severity resolution order: each finding's
    /// severity comes from the first of `options.severity_sources` that has one — the
    /// advisory's own rating, else the CVE records its ids, aliases, related and upstream
    /// ids name (their CNA, then their ADPs), preferring CVSS v4 over v3.1 over v3.0 over
    /// v2 and, across several CVEs, the highest score — else UNKNOWN. Records of one
    /// package that describe one vulnerability (shared ids, or a record whose `upstream`
    /// is another's id or related id) are one finding listing every id.
    pub fn match_packages_with(
        &self,
        packages: &[Package],
        os: Option<&OsInfo>,
        options: &MatchOptions,
    ) -> MatchResult {
        let mut out = MatchResult::default();
        let txn = match self.db.begin_read() {
            Ok(t) => t,
            Err(e) => {
                out.notes.push(self.db_note(&format!("cannot read: {e}")));
                return out;
            }
        };
        let (pkgs, advs, cves) = match (
            txn.open_table(PACKAGES),
            txn.open_table(ADVISORIES),
            txn.open_table(CVES),
        ) {
            (Ok(p), Ok(a), Ok(c)) => (p, a, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                out.notes.push(self.db_note(&format!("cannot read: {e}")));
                return out;
            }
        };
        let os_keys: Option<Vec<String>> = os.map(|os| os_ecosystems(os, &self.keys));
        let mut advisory_cache: HashMap<u32, Option<Rc<StoredAdvisory>>> = HashMap::new();
        let mut cve_cache: HashMap<String, Option<Rc<Enrichment>>> = HashMap::new();
        let mut unchecked: BTreeMap<String, Unchecked> = BTreeMap::new();
        let mut note_unchecked = |reason: String, pkg: &Package| {
            let e = unchecked.entry(reason).or_insert(Unchecked {
                count: 0,
                example: format!("{}@{}", pkg.name, pkg.version),
            });
            e.count += 1;
        };
        for pkg in packages {
            let Some(target) = self.target(pkg, os, os_keys.as_deref(), &mut note_unchecked) else {
                continue;
            };
            let installed = match target.parser.parse_installed(&target.version) {
                Ok(v) => v,
                Err(e) => {
                    out.notes.push(unverifiable(
                        pkg,
                        &target.version,
                        target.parser.scheme(),
                        &e.to_string(),
                    ));
                    continue;
                }
            };
            let mut hits: BTreeMap<u32, Vec<(String, StoredAffected, Vec<String>)>> =
                BTreeMap::new();
            for key in &target.keys {
                let k = package_key(key, &target.name);
                let raw = match pkgs.get(k.as_str()) {
                    Ok(Some(raw)) => raw,
                    Ok(None) => continue,
                    Err(e) => {
                        out.notes.push(
                            self.db_note(&format!("cannot read `{}`: {e}", k.replace('\0', " "))),
                        );
                        continue;
                    }
                };
                let entries: Vec<StoredAffected> =
                    match postcard::from_bytes(raw.value()) {
                        Ok(v) => v,
                        Err(e) => {
                            out.notes.push(self.db_note(&format!(
                                "entry `{}` is damaged: {e}",
                                k.replace('\0', " ")
                            )));
                            continue;
                        }
                    };
                for entry in entries {
                    let mut fixed = Vec::new();
                    match affects(&entry, &installed, &target.version, &mut fixed) {
                        Ok(true) => {}
                        Ok(false) => continue,
                        Err(reason) => {
                            let id = load_advisory(&advs, &mut advisory_cache, entry.advisory)
                                .map_or_else(|| format!("#{}", entry.advisory), |a| a.id.clone());
                            out.notes.push(unverifiable(
                                pkg,
                                &target.version,
                                target.parser.scheme(),
                                &format!("cannot compare with advisory `{id}`: {reason}"),
                            ));
                            continue;
                        }
                    }
                    let Some(adv) = load_advisory(&advs, &mut advisory_cache, entry.advisory)
                    else {
                        out.notes.push(self.db_note(&format!(
                            "advisory #{} is missing or damaged",
                            entry.advisory
                        )));
                        continue;
                    };
                    hits.entry(adv.group)
                        .or_default()
                        .push((key.clone(), entry, fixed));
                }
            }
            let first = out.findings.len();
            for group in same_vulnerability(hits, &advs, &mut advisory_cache) {
                if let Some(mut m) = merge(pkg, &target, group, &advs, &mut advisory_cache) {
                    let mut lookup = |id: &str| load_cve(&cves, &mut cve_cache, id);
                    enrich(&mut m, &mut lookup, options);
                    out.findings.push(m);
                }
            }
            if let Some(found) = out.findings.get_mut(first..) {
                set_fix_group(found, target.parser);
            }
        }
        for (reason, u) in unchecked {
            out.notes.push(ScanNote {
                level: NoteLevel::Warning,
                found_by: FOUND_BY.to_owned(),
                location: Location::default(),
                message: format!(
                    "{} package(s) not checked for vulnerabilities (e.g. `{}`): {reason}",
                    u.count, u.example
                ),
            });
        }
        out.findings.sort_by(|a, b| {
            (&a.package, &a.installed_version, &a.location, &a.id).cmp(&(
                &b.package,
                &b.installed_version,
                &b.location,
                &b.id,
            ))
        });
        out
    }

    fn db_note(&self, message: &str) -> ScanNote {
        ScanNote {
            level: NoteLevel::Error,
            found_by: FOUND_BY.to_owned(),
            location: Location::path(self.path.display().to_string()),
            message: format!("vulnerability database: {message}"),
        }
    }

    /// Where and how to look a package up; `None` (after noting why) when it cannot be.
    fn target(
        &self,
        pkg: &Package,
        os: Option<&OsInfo>,
        os_keys: Option<&[String]>,
        note: &mut impl FnMut(String, &Package),
    ) -> Option<Target> {
        let wanted = match advisory_source(pkg.ecosystem) {
            AdvisorySource::Language(eco) => return self.language_target(pkg, eco, note),
            AdvisorySource::Os(scheme) => scheme,
        };
        let (Some(os), Some(keys)) = (os, os_keys) else {
            note(
                format!(
                    "the OS release of these {} packages is unknown",
                    pkg.ecosystem
                ),
                pkg,
            );
            return None;
        };
        let keys: Vec<String> = keys
            .iter()
            .filter(|k| Scheme::for_osv_ecosystem(k) == Some(wanted))
            .cloned()
            .collect();
        if keys.is_empty() {
            note(
                format!(
                    "kensa has no advisory ecosystem for {} packages on {} {}",
                    pkg.ecosystem, os.family, os.version
                ),
                pkg,
            );
            return None;
        }
        if !keys.iter().any(|k| self.info.packages.contains_key(k)) {
            note(
                format!(
                    "the vulnerability database has no advisories for {}",
                    keys.join(" or ")
                ),
                pkg,
            );
            return None;
        }
        let (name, version) = os_source(pkg);
        let source_name = (name != pkg.name).then(|| name.clone());
        Some(Target {
            keys,
            name,
            version,
            parser: VersionParser::Scheme(wanted),
            source_name,
        })
    }

    fn language_target(
        &self,
        pkg: &Package,
        eco: &'static str,
        note: &mut impl FnMut(String, &Package),
    ) -> Option<Target> {
        let parser = VersionParser::for_osv_ecosystem(eco)?;
        if !self.info.packages.contains_key(eco) {
            note(
                format!("the vulnerability database has no {eco} advisories"),
                pkg,
            );
            return None;
        }
        let mut version = pkg.version.trim().to_owned();
        let name = if pkg.ecosystem == Ecosystem::Go && is_go_toolchain(&pkg.name) {
            "stdlib".to_owned()
        } else {
            pkg.name.clone()
        };
        if pkg.ecosystem == Ecosystem::Pypi || pkg.ecosystem == Ecosystem::Cargo {
            version = version.trim_start_matches('v').to_owned();
        }
        Some(Target {
            keys: vec![eco.to_owned()],
            name,
            version,
            parser,
            source_name: None,
        })
    }
}

struct Target {
    keys: Vec<String>,
    name: String,
    version: String,
    parser: VersionParser,
    source_name: Option<String>,
}

fn is_go_toolchain(name: &str) -> bool {
    matches!(name, "stdlib" | "go" | "golang" | "toolchain")
}

/// The name and version an OS advisory names for a package: the source package's, falling
/// back to the binary's.
fn os_source(pkg: &Package) -> (String, String) {
    let Some(src) = &pkg.source else {
        return (pkg.name.clone(), pkg.version.clone());
    };
    if pkg.ecosystem == Ecosystem::Rpm
        && let Some(stem) = src.name.strip_suffix(".src.rpm")
    {
        // `openssl-3.0.7-25.el9.src.rpm`: name, version and release are the last two dashes.
        let mut parts = stem.rsplitn(3, '-');
        if let (Some(release), Some(version), Some(name)) =
            (parts.next(), parts.next(), parts.next())
        {
            return (
                name.to_owned(),
                with_epoch(&pkg.version, &format!("{version}-{release}")),
            );
        }
    }
    let version = match &src.version {
        Some(v) if pkg.ecosystem == Ecosystem::Rpm => with_epoch(&pkg.version, v),
        Some(v) => v.clone(),
        None => pkg.version.clone(),
    };
    (src.name.clone(), version)
}

/// A source RPM's file name has no epoch; the binary's epoch is the build's, so it is carried
/// over, as rpm compares epochs first.
fn with_epoch(binary: &str, source: &str) -> String {
    match binary.split_once(':') {
        Some((epoch, _)) if !source.contains(':') && epoch.chars().all(|c| c.is_ascii_digit()) => {
            format!("{epoch}:{source}")
        }
        _ => source.to_owned(),
    }
}

fn unverifiable(pkg: &Package, version: &str, scheme: Scheme, reason: &str) -> ScanNote {
    let mut location = pkg.location.clone();
    if location.package.is_none() {
        location.package = Some(format!("{}@{}", pkg.name, pkg.version));
    }
    ScanNote {
        level: NoteLevel::Warning,
        found_by: FOUND_BY.to_owned(),
        location,
        message: format!(
            "unverifiable: `{}` version `{version}` could not be checked as a {scheme} version: {reason}",
            pkg.name
        ),
    }
}

/// Whether an advisory entry covers the installed version (`installed`, written `raw`):
/// any range, or the explicit list. The `fixed` versions above the installed one, of the
/// ranges that cover it, are collected into `fixed`. Every advisory version was parsed at
/// import; the only error is a pair of versions the scheme cannot order.
fn affects(
    entry: &StoredAffected,
    installed: &Version,
    raw: &str,
    fixed: &mut Vec<String>,
) -> Result<bool, String> {
    let mut hit = false;
    for r in &entry.ranges {
        if r.affects(installed).map_err(|e| e.to_string())? {
            hit = true;
            for f in r.fixed() {
                let newer = f
                    .version
                    .compare(installed)
                    .is_none_or(|o| o == std::cmp::Ordering::Greater);
                if newer && !fixed.contains(&f.text) {
                    fixed.push(f.text.clone());
                }
            }
        }
    }
    Ok(hit || entry.versions.iter().any(|v| v.matches(raw, installed)))
}

fn load_advisory<'a>(
    table: &redb::ReadOnlyTable<u32, &[u8]>,
    cache: &'a mut HashMap<u32, Option<Rc<StoredAdvisory>>>,
    index: u32,
) -> Option<&'a Rc<StoredAdvisory>> {
    cache
        .entry(index)
        .or_insert_with(|| {
            let raw = table.get(index).ok()??;
            postcard::from_bytes(raw.value()).ok().map(Rc::new)
        })
        .as_ref()
}

/// Merges the records of one alias group that matched one package into one finding.
fn merge(
    pkg: &Package,
    target: &Target,
    group: Vec<(String, StoredAffected, Vec<String>)>,
    advs: &redb::ReadOnlyTable<u32, &[u8]>,
    cache: &mut HashMap<u32, Option<Rc<StoredAdvisory>>>,
) -> Option<VulnMatch> {
    let mut records: Vec<(Rc<StoredAdvisory>, String, StoredAffected, Vec<String>)> = Vec::new();
    for (key, entry, fixed) in group {
        let adv = Rc::clone(load_advisory(advs, cache, entry.advisory)?);
        records.push((adv, key, entry, fixed));
    }
    records.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let (primary, ecosystem, _, _) = records.first()?;
    let id = primary.id.clone();
    let ecosystem = ecosystem.clone();
    let mut ids: BTreeSet<String> = BTreeSet::new();
    let mut related: BTreeSet<String> = BTreeSet::new();
    let mut references: Vec<String> = Vec::new();
    let mut fixed: Vec<String> = Vec::new();
    let mut best: Option<Rating> = None;
    let mut title = String::new();
    for (adv, _, entry, entry_fixed) in &records {
        ids.insert(adv.id.clone());
        ids.extend(adv.aliases.iter().cloned());
        related.extend(adv.related.iter().cloned());
        for r in &adv.references {
            if !references.contains(r) {
                references.push(r.clone());
            }
        }
        if title.is_empty() {
            title = adv.title.clone();
        }
        let rating = entry.rating.as_ref().unwrap_or(&adv.rating);
        if better(rating, best.as_ref()) {
            best = Some(rating.clone());
        }
        for f in entry_fixed {
            if !fixed.contains(f) {
                fixed.push(f.clone());
            }
        }
    }
    // Records merged from several advisories list their fixes in record order; in version
    // order they read as "the first release with a fix, then later branches".
    if records.len() > 1 {
        fixed.sort_by(|a, b| {
            match (
                target.parser.parse_advisory(a),
                target.parser.parse_advisory(b),
            ) {
                (Ok(va), Ok(vb)) => va.compare(&vb).unwrap_or(std::cmp::Ordering::Equal),
                (Ok(_), Err(_)) => std::cmp::Ordering::Less,
                (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
                (Err(_), Err(_)) => std::cmp::Ordering::Equal,
            }
        });
    }
    ids.remove(&id);
    for i in std::iter::once(&id).chain(&ids) {
        related.remove(i);
    }
    let rating = best.unwrap_or(Rating::UNKNOWN);
    let matched_version = (target.version != pkg.version).then(|| target.version.clone());
    Some(VulnMatch {
        id,
        aliases: ids.into_iter().collect(),
        related: related.into_iter().collect(),
        ecosystem,
        package_ecosystem: pkg.ecosystem,
        package: pkg.name.clone(),
        installed_version: pkg.version.clone(),
        source_package: target.source_name.clone(),
        matched_version,
        purl: pkg.purl.clone(),
        fixed_versions: fixed,
        severity: rating.severity,
        cvss: rating.cvss,
        title,
        references,
        location: pkg.location.clone(),
        severity_source: None,
        cvss_all: Vec::new(),
        kev: None,
        epss: None,
        exploitation: None,
        rejected_cves: Vec::new(),
        published: None,
        priority: None,
        fix_group: None,
    })
}

type Hit = (String, StoredAffected, Vec<String>);

/// Joins the alias groups that matched one package when one's `upstream` id is another's
/// id, alias or related id: a DEBIAN-CVE record and the DSA that lists its CVE, an Alpine
/// record and the record of its CVE, are one vulnerability in this package. The join is
/// per package, not in the store, because a DSA's related CVEs are one vulnerability per
/// package only where both records affect it.
fn same_vulnerability(
    hits: BTreeMap<u32, Vec<Hit>>,
    advs: &redb::ReadOnlyTable<u32, &[u8]>,
    cache: &mut HashMap<u32, Option<Rc<StoredAdvisory>>>,
) -> Vec<Vec<Hit>> {
    let mut groups: Vec<Vec<Hit>> = hits.into_values().collect();
    if groups.len() < 2 {
        return groups;
    }
    // Per group: (ids and aliases plus related, upstream).
    let mut names: Vec<(BTreeSet<String>, BTreeSet<String>)> = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut known = BTreeSet::new();
        let mut upstream = BTreeSet::new();
        for (_, entry, _) in g {
            if let Some(a) = load_advisory(advs, cache, entry.advisory) {
                known.insert(a.id.clone());
                known.extend(a.aliases.iter().cloned());
                known.extend(a.related.iter().cloned());
                upstream.extend(a.upstream.iter().cloned());
            }
        }
        names.push((known, upstream));
    }
    let mut target: Vec<usize> = (0..groups.len()).collect();
    for i in 0..groups.len() {
        for j in (i + 1)..groups.len() {
            let (Some((ki, ui)), Some((kj, uj))) = (names.get(i), names.get(j)) else {
                continue;
            };
            if ui.iter().any(|u| kj.contains(u)) || uj.iter().any(|u| ki.contains(u)) {
                let (ri, rj) = (root(&target, i), root(&target, j));
                if let Some(slot) = target.get_mut(ri.max(rj)) {
                    *slot = ri.min(rj);
                }
            }
        }
    }
    for i in (0..groups.len()).rev() {
        let r = root(&target, i);
        if r != i {
            let moved = groups.get_mut(i).map(std::mem::take).unwrap_or_default();
            if let Some(into) = groups.get_mut(r) {
                into.extend(moved);
            }
        }
    }
    groups.retain(|g| !g.is_empty());
    groups
}

fn root(parent: &[usize], mut x: usize) -> usize {
    while let Some(&p) = parent.get(x) {
        if p == x {
            break;
        }
        x = p;
    }
    x
}

fn load_cve(
    table: &redb::ReadOnlyTable<&str, &[u8]>,
    cache: &mut HashMap<String, Option<Rc<Enrichment>>>,
    id: &str,
) -> Option<Rc<Enrichment>> {
    if let Some(hit) = cache.get(id) {
        return hit.clone();
    }
    let value = table
        .get(id)
        .ok()
        .flatten()
        .and_then(|raw| serde_json::from_slice::<Enrichment>(raw.value()).ok())
        .map(Rc::new);
    cache.insert(id.to_owned(), value.clone());
    value
}

/// The CVSS version of a vector string (`CVSS:3.1/…` → `3.1`; a bare v2 vector → `2.0`).
fn cvss_version(vector: &str) -> String {
    match vector
        .strip_prefix("CVSS:")
        .and_then(|r| r.split('/').next())
    {
        Some(v) => v.to_owned(),
        None => "2.0".to_owned(),
    }
}

/// Fills severity (by `options.severity_sources`), the CVSS list, KEV, EPSS, SSVC,
/// rejected CVEs and the priority from the CVE records the finding names.
fn enrich(
    m: &mut VulnMatch,
    lookup: &mut impl FnMut(&str) -> Option<Rc<Enrichment>>,
    options: &MatchOptions,
) {
    let mut cve_ids: Vec<String> = m
        .all_ids()
        .filter(|id| kensa_enrich::is_cve_id(id))
        .map(str::to_owned)
        .collect();
    cve_ids.sort();
    cve_ids.dedup();
    let found: Vec<Rc<Enrichment>> = cve_ids.iter().filter_map(|id| lookup(id)).collect();
    let records: Vec<&kensa_enrich::CveRecord> =
        found.iter().filter_map(|e| e.record.as_ref()).collect();
    let advisory_rating = Rating {
        severity: m.severity,
        cvss: m.cvss.clone(),
    };
    if let Some(c) = &advisory_rating.cvss {
        m.cvss_all.push(CvssMetric {
            version: cvss_version(&c.vector),
            vector: c.vector.clone(),
            score: c.score,
            source: SourceKind::Advisory,
            provider: None,
            cve: None,
        });
    }
    for r in &records {
        m.cvss_all.extend(r.metrics.iter().cloned());
    }
    m.severity = Severity::Unknown;
    m.cvss = None;
    for &kind in &options.severity_sources {
        if kind == SourceKind::Advisory {
            if advisory_rating.severity != Severity::Unknown {
                m.severity = advisory_rating.severity;
                m.severity_source = Some(SeveritySource {
                    kind,
                    cve: None,
                    provider: None,
                    vector: advisory_rating.cvss.as_ref().map(|c| c.vector.clone()),
                });
                m.cvss = advisory_rating.cvss.clone();
                break;
            }
            continue;
        }
        let best = records
            .iter()
            .filter_map(|r| r.best_metric(kind))
            .max_by(|a, b| a.score.total_cmp(&b.score));
        if let Some(metric) = best {
            m.severity = kensa_enrich::cve::severity_of_metric(metric);
            m.severity_source = Some(SeveritySource {
                kind,
                cve: metric.cve.clone(),
                provider: metric.provider.clone(),
                vector: Some(metric.vector.clone()),
            });
            m.cvss = Some(CvssScore {
                vector: metric.vector.clone(),
                score: metric.score,
            });
            break;
        }
        let word = records
            .iter()
            .filter_map(|r| r.text_rating(kind).map(|t| (r.id.clone(), t)))
            .max_by_key(|(_, t)| t.severity);
        if let Some((cve, t)) = word {
            m.severity = t.severity;
            m.severity_source = Some(SeveritySource {
                kind,
                cve: Some(cve),
                provider: t.provider.clone(),
                vector: None,
            });
            break;
        }
    }
    m.kev = found.iter().find_map(|e| e.kev.clone());
    m.epss = found
        .iter()
        .filter_map(|e| e.epss.clone())
        .max_by(|a, b| a.score.total_cmp(&b.score));
    m.exploitation = records
        .iter()
        .filter_map(|r| r.exploitation())
        .max_by_key(|v| kensa_enrich::cve::exploitation_rank(v))
        .map(str::to_owned);
    m.rejected_cves = records
        .iter()
        .filter(|r| r.state == kensa_enrich::CveState::Rejected)
        .map(|r| r.id.clone())
        .collect();
    m.published = records.iter().filter_map(|r| r.published.clone()).min();
    m.priority = Some(kensa_enrich::priority(
        m.kev.is_some(),
        m.exploitation.as_deref(),
        m.epss.as_ref().map(|e| e.score),
        m.severity,
        m.has_fix(),
    ));
}

/// Gives every fixable finding of one package the version that fixes all of them: the
/// highest of their fixed versions, in the package's scheme.
fn set_fix_group(found: &mut [VulnMatch], parser: VersionParser) {
    let mut best: Option<(Version, String)> = None;
    for f in found.iter() {
        for text in &f.fixed_versions {
            let Ok(v) = parser.parse_advisory(text) else {
                continue;
            };
            let higher = match &best {
                None => true,
                Some((b, _)) => v.compare(b) == Some(std::cmp::Ordering::Greater),
            };
            if higher {
                best = Some((v, text.clone()));
            }
        }
    }
    let Some((_, version)) = best else { return };
    for f in found.iter_mut().filter(|f| f.has_fix()) {
        f.fix_group = Some(version.clone());
    }
}

/// A CVSS-backed rating beats a textual one; then the higher score or severity wins.
fn better(candidate: &Rating, best: Option<&Rating>) -> bool {
    let Some(best) = best else { return true };
    match (&candidate.cvss, &best.cvss) {
        (Some(c), Some(b)) => c.score > b.score,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (None, None) => candidate.severity > best.severity,
    }
}
