//! Suppression: the `.kensaignore` file, OpenVEX and CycloneDX VEX documents, and
//! ignore-unfixed.
//!
//! Suppressed findings are not dropped: [`Suppressions::apply`] returns them apart, each with
//! the reason, so that JSON output can still show them.
//!
//! # `.kensaignore`
//!
//! A YAML list; every entry needs `id` and `reason`:
//!
//! ```yaml
//! - id: CVE-2023-4863            # matches the primary id, an alias or a related id
//!   package: libwebp             # optional: installed or source package name
//!   path: usr/lib/python3*/**    # optional: glob on the package's recorded path
//!   expires: 2025-06-30          # optional: stops suppressing after this day (UTC)
//!   reason: not reachable, image renders no untrusted images
//! ```
//!
//! Unknown keys are errors, so a misspelt `expire:` does not silently ignore forever. An
//! expired entry suppresses nothing and yields a note; an entry that matched nothing yields an
//! info note, as cargo-deny reports unused ignores.
//!
//! # VEX
//!
//! OpenVEX (`statements[]` with `vulnerability`, `products`, `status`) and CycloneDX
//! (`vulnerabilities[]` with `analysis.state` and `affects[].ref`) JSON. OpenVEX `not_affected`
//! and `fixed`, and CycloneDX `not_affected`, `false_positive`, `resolved` and
//! `resolved_with_pedigree` suppress; other statuses change nothing. A product given as a
//! package URL matches the package by type, namespace and name, and by version when the purl
//! has one; a product that is not a package URL (the image itself) covers every package.

use std::collections::HashMap;
use std::path::Path;

use kensa_core::{Location, NoteLevel, Purl, ScanNote};
use serde::Deserialize;

use crate::VulnError;
use crate::date::Date;
use crate::matcher::{FOUND_BY, VulnMatch};

/// Why a finding is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuppressionReason {
    /// An ignore-file entry.
    Ignored {
        /// The ignore file and entry (`.kensaignore` entry 3).
        source: String,
        /// The entry's reason.
        reason: String,
        /// The entry's expiry date.
        expires: Option<Date>,
    },
    /// A VEX statement.
    Vex {
        /// The VEX document.
        document: String,
        /// The status (`not_affected`, `fixed`, `resolved`, …).
        status: String,
        /// The justification, when given.
        justification: Option<String>,
        /// The impact statement or detail, when given.
        detail: Option<String>,
    },
    /// `--ignore-unfixed` and no fixed version is known.
    Unfixed,
}

impl std::fmt::Display for SuppressionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SuppressionReason::Ignored {
                source,
                reason,
                expires,
            } => {
                write!(f, "ignored by {source}: {reason}")?;
                if let Some(d) = expires {
                    write!(f, " (until {d})")?;
                }
                Ok(())
            }
            SuppressionReason::Vex {
                document,
                status,
                justification,
                detail,
            } => {
                write!(f, "VEX {document}: {status}")?;
                if let Some(j) = justification {
                    write!(f, " ({j})")?;
                }
                if let Some(d) = detail {
                    write!(f, ": {d}")?;
                }
                Ok(())
            }
            SuppressionReason::Unfixed => f.write_str("no fix is available (--ignore-unfixed)"),
        }
    }
}

/// A finding kept out of the results, with why.
#[derive(Clone, Debug, PartialEq)]
pub struct Suppressed {
    /// The finding.
    pub finding: VulnMatch,
    /// Why it is suppressed.
    pub reason: SuppressionReason,
}

/// Rule findings split by the ignore file.
#[derive(Debug, Default)]
pub struct RuleFiltered {
    /// Findings no entry matched.
    pub kept: Vec<kensa_core::Finding>,
    /// Findings an entry matched, with its reason.
    pub suppressed: Vec<kensa_core::SuppressedFinding>,
    /// Per ignore entry, whether it matched a finding.
    pub used: Vec<bool>,
}

/// The outcome of [`Suppressions::apply`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filtered {
    /// Findings still reported.
    pub findings: Vec<VulnMatch>,
    /// Findings suppressed, with their reasons.
    pub suppressed: Vec<Suppressed>,
    /// Expired and unused ignore entries, and VEX references that could not be resolved.
    pub notes: Vec<ScanNote>,
}

#[derive(Clone, Debug)]
struct IgnoreEntry {
    source: String,
    id: String,
    package: Option<String>,
    path: Option<globset::GlobMatcher>,
    expires: Option<Date>,
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: String,
    #[serde(default)]
    package: Option<String>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    expires: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Clone, Debug)]
struct VexStatement {
    document: String,
    ids: Vec<String>,
    products: Vec<Product>,
    status: String,
    justification: Option<String>,
    detail: Option<String>,
}

#[derive(Clone, Debug)]
enum Product {
    /// Every package (the statement is about the image as a whole).
    Any,
    /// Packages matching this purl.
    Purl(Purl),
    /// Nothing: the document named a package by a purl that does not parse.
    Nothing,
}

/// Ignore entries, VEX statements and the ignore-unfixed switch.
#[derive(Clone, Debug, Default)]
pub struct Suppressions {
    ignores: Vec<IgnoreEntry>,
    vex: Vec<VexStatement>,
    ignore_unfixed: bool,
    warnings: Vec<String>,
}

impl Suppressions {
    /// No suppression.
    pub fn new() -> Self {
        Suppressions::default()
    }

    /// Suppresses findings that have no fixed version.
    pub fn set_ignore_unfixed(&mut self, on: bool) {
        self.ignore_unfixed = on;
    }

    /// Reads a `.kensaignore` file.
    pub fn load_ignore_file(&mut self, path: &Path) -> Result<(), VulnError> {
        let text = fs_err::read_to_string(path).map_err(|e| VulnError::io("read", path, e))?;
        self.add_ignore_yaml(path, &text)
    }

    /// Reads `.kensaignore` content; `path` names it in messages.
    pub fn add_ignore_yaml(&mut self, path: &Path, text: &str) -> Result<(), VulnError> {
        let err = |message: String| VulnError::IgnoreFile {
            path: path.to_path_buf(),
            message,
        };
        if text.trim().is_empty() {
            return Ok(());
        }
        let raw: Vec<RawIgnore> = serde_saphyr::from_str(text)
            .map_err(|e| err(format!("not a YAML list of entries: {e}")))?;
        for (i, r) in raw.into_iter().enumerate() {
            let n = i + 1;
            let id = r.id.trim().to_owned();
            if id.is_empty() {
                return Err(err(format!("entry {n}: `id` is empty")));
            }
            let reason = r
                .reason
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| err(format!("entry {n} (`{id}`): `reason` is required")))?;
            let expires = r
                .expires
                .map(|s| s.parse::<Date>())
                .transpose()
                .map_err(|e| err(format!("entry {n} (`{id}`): `expires`: {e}")))?;
            let path_glob = r
                .path
                .map(|p| {
                    globset::Glob::new(p.trim().trim_start_matches('/'))
                        .map(|g| g.compile_matcher())
                        .map_err(|e| err(format!("entry {n} (`{id}`): `path`: {e}")))
                })
                .transpose()?;
            self.ignores.push(IgnoreEntry {
                source: format!("{} entry {n}", path.display()),
                id,
                package: r
                    .package
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty()),
                path: path_glob,
                expires,
                reason,
            });
        }
        Ok(())
    }

    /// Reads an OpenVEX or CycloneDX VEX JSON document, told apart by its content.
    pub fn load_vex(&mut self, path: &Path) -> Result<(), VulnError> {
        let text = fs_err::read(path).map_err(|e| VulnError::io("read", path, e))?;
        self.add_vex_json(path, &text)
    }

    /// Reads VEX JSON content; `path` names it in messages.
    pub fn add_vex_json(&mut self, path: &Path, bytes: &[u8]) -> Result<(), VulnError> {
        let err = |message: String| VulnError::Vex {
            path: path.to_path_buf(),
            message,
        };
        let doc: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| err(format!("not valid JSON: {e}")))?;
        let document = path.display().to_string();
        if doc.get("statements").is_some() {
            self.add_openvex(&document, &doc).map_err(err)
        } else if doc.get("bomFormat").and_then(|v| v.as_str()) == Some("CycloneDX")
            || doc.get("vulnerabilities").is_some()
        {
            self.add_cyclonedx(&document, &doc).map_err(err)
        } else {
            Err(err(
                "neither OpenVEX (`statements`) nor CycloneDX (`vulnerabilities`)".to_owned(),
            ))
        }
    }

    fn add_openvex(&mut self, document: &str, doc: &serde_json::Value) -> Result<(), String> {
        let statements = doc
            .get("statements")
            .and_then(|s| s.as_array())
            .ok_or("`statements` is not a list")?;
        for (i, st) in statements.iter().enumerate() {
            let at = |field: &str| format!("statements[{i}].{field}");
            let mut ids = Vec::new();
            match st.get("vulnerability") {
                Some(serde_json::Value::String(s)) => ids.push(s.clone()),
                Some(v @ serde_json::Value::Object(_)) => {
                    for key in ["name", "@id"] {
                        if let Some(s) = v.get(key).and_then(|x| x.as_str()) {
                            ids.push(s.to_owned());
                        }
                    }
                    ids.extend(strings(v.get("aliases")));
                }
                _ => return Err(format!("`{}` is missing", at("vulnerability"))),
            }
            if ids.is_empty() {
                return Err(format!("`{}` has no `name`", at("vulnerability")));
            }
            let status = st
                .get("status")
                .and_then(|s| s.as_str())
                .ok_or_else(|| format!("`{}` is missing", at("status")))?
                .to_owned();
            let mut products = Vec::new();
            let product_ids = |v: &serde_json::Value| -> Vec<String> {
                match v {
                    serde_json::Value::String(s) => vec![s.clone()],
                    other => other
                        .get("@id")
                        .and_then(|x| x.as_str())
                        .map(str::to_owned)
                        .into_iter()
                        .collect(),
                }
            };
            // OpenVEX 0.0.1 put `subcomponents` on the statement.
            let statement_subs: Vec<String> = st
                .get("subcomponents")
                .and_then(|s| s.as_array())
                .map(|a| a.iter().flat_map(product_ids).collect())
                .unwrap_or_default();
            for p in st
                .get("products")
                .and_then(|p| p.as_array())
                .into_iter()
                .flatten()
            {
                let subs: Vec<String> = p
                    .get("subcomponents")
                    .and_then(|s| s.as_array())
                    .map(|a| a.iter().flat_map(product_ids).collect())
                    .unwrap_or_default();
                let targets = if subs.is_empty() && statement_subs.is_empty() {
                    product_ids(p)
                } else {
                    subs.into_iter()
                        .chain(statement_subs.iter().cloned())
                        .collect()
                };
                for t in &targets {
                    products.push(self.product_of(document, &at("products"), t));
                }
            }
            if products.is_empty() {
                products.push(Product::Any);
            }
            self.vex.push(VexStatement {
                document: document.to_owned(),
                ids,
                products,
                status,
                justification: st
                    .get("justification")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned),
                detail: st
                    .get("impact_statement")
                    .or_else(|| st.get("status_notes"))
                    .and_then(|s| s.as_str())
                    .map(str::to_owned),
            });
        }
        Ok(())
    }

    fn add_cyclonedx(&mut self, document: &str, doc: &serde_json::Value) -> Result<(), String> {
        let mut refs: HashMap<String, Option<String>> = HashMap::new();
        fn collect(v: Option<&serde_json::Value>, refs: &mut HashMap<String, Option<String>>) {
            for c in v.and_then(|c| c.as_array()).into_iter().flatten() {
                if let Some(r) = c.get("bom-ref").and_then(|r| r.as_str()) {
                    let purl = c.get("purl").and_then(|p| p.as_str()).map(str::to_owned);
                    refs.insert(r.to_owned(), purl);
                }
                collect(c.get("components"), refs);
            }
        }
        collect(doc.get("components"), &mut refs);
        let main = doc.pointer("/metadata/component");
        if let Some(m) = main {
            collect(Some(&serde_json::Value::Array(vec![m.clone()])), &mut refs);
        }
        let main_ref = main.and_then(|m| m.get("bom-ref")).and_then(|r| r.as_str());
        let vulns = doc
            .get("vulnerabilities")
            .and_then(|v| v.as_array())
            .ok_or("`vulnerabilities` is not a list")?;
        for (i, v) in vulns.iter().enumerate() {
            let at = |field: &str| format!("vulnerabilities[{i}].{field}");
            let id = v
                .get("id")
                .and_then(|s| s.as_str())
                .ok_or_else(|| format!("`{}` is missing", at("id")))?;
            let mut ids = vec![id.to_owned()];
            for r in v
                .get("references")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                if let Some(s) = r.get("id").and_then(|s| s.as_str()) {
                    ids.push(s.to_owned());
                }
            }
            let Some(analysis) = v.get("analysis") else {
                continue;
            };
            let Some(state) = analysis.get("state").and_then(|s| s.as_str()) else {
                continue;
            };
            let mut products = Vec::new();
            for a in v
                .get("affects")
                .and_then(|a| a.as_array())
                .into_iter()
                .flatten()
            {
                let Some(r) = a.get("ref").and_then(|r| r.as_str()) else {
                    continue;
                };
                // `urn:cdx:<serial>/<version>#<bom-ref>` points into another BOM by bom-ref.
                let local = r
                    .rsplit_once('#')
                    .filter(|_| r.starts_with("urn:cdx:"))
                    .map_or(r, |(_, b)| b);
                if local.starts_with("pkg:") {
                    products.push(self.product_of(document, &at("affects"), local));
                } else if Some(local) == main_ref {
                    products.push(Product::Any);
                } else if let Some(Some(purl)) = refs.get(local) {
                    products.push(self.product_of(document, &at("affects"), purl));
                } else {
                    self.warnings.push(format!(
                        "VEX {document}: {} refers to `{r}`, which names no component with a package URL; the statement applies to nothing",
                        at("affects")
                    ));
                }
            }
            if products.is_empty() && v.get("affects").is_none() {
                products.push(Product::Any);
            }
            self.vex.push(VexStatement {
                document: document.to_owned(),
                ids,
                products,
                status: state.to_owned(),
                justification: analysis
                    .get("justification")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned),
                detail: analysis
                    .get("detail")
                    .and_then(|s| s.as_str())
                    .map(str::to_owned),
            });
        }
        Ok(())
    }

    /// What a VEX product id names. An id that is not a purl names the image (every
    /// package), and so does an `oci` or `docker` purl; a purl that does not parse names
    /// nothing, with a warning, rather than everything.
    fn product_of(&mut self, document: &str, field: &str, id: &str) -> Product {
        let is_purl = id
            .trim()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("pkg:"));
        match Purl::parse(id) {
            Ok(p) if p.ty == "oci" || p.ty == "docker" => Product::Any,
            Ok(p) => Product::Purl(p),
            Err(e) if is_purl => {
                self.warnings.push(format!(
                    "VEX {document}: {field}: {e}; the statement applies to nothing for it"
                ));
                Product::Nothing
            }
            Err(_) => Product::Any,
        }
    }

    /// Splits rule findings (manifest, config, secret, malware) by the ignore file's
    /// entries: an entry matches on `id` (any case) and, when it has one, its `path` glob
    /// against the finding's path. Expired entries suppress nothing. Returns the kept
    /// findings, the suppressed ones with their reason, and which entries matched (for
    /// [`Suppressions::apply_after_rules`], so that an entry used only by rule findings is
    /// not reported as matching nothing).
    pub fn apply_to_rule_findings(
        &self,
        findings: Vec<kensa_core::Finding>,
        today: Date,
    ) -> RuleFiltered {
        let mut out = RuleFiltered {
            used: vec![false; self.ignores.len()],
            ..RuleFiltered::default()
        };
        for f in findings {
            let entry = self.ignores.iter().enumerate().find(|(_, e)| {
                e.expires.is_none_or(|exp| exp >= today)
                    && e.id.eq_ignore_ascii_case(&f.id)
                    && e.path.as_ref().is_none_or(|g| {
                        f.location
                            .path
                            .as_deref()
                            .is_some_and(|p| g.is_match(p.trim_start_matches('/')))
                    })
            });
            match entry {
                Some((i, e)) => {
                    if let Some(u) = out.used.get_mut(i) {
                        *u = true;
                    }
                    out.suppressed.push(kensa_core::SuppressedFinding {
                        finding: f,
                        reason: SuppressionReason::Ignored {
                            source: e.source.clone(),
                            reason: e.reason.clone(),
                            expires: e.expires,
                        }
                        .to_string(),
                    });
                }
                None => out.kept.push(f),
            }
        }
        out
    }

    /// Splits findings into kept and suppressed, as of `today` (for ignore expiry).
    pub fn apply(&self, findings: Vec<VulnMatch>, today: Date) -> Filtered {
        self.apply_after_rules(findings, today, &[])
    }

    /// [`Suppressions::apply`] after the rule findings of the same scan went through
    /// [`Suppressions::apply_to_rule_findings`]: entries they used count as used.
    pub fn apply_after_rules(
        &self,
        findings: Vec<VulnMatch>,
        today: Date,
        used_by_rules: &[bool],
    ) -> Filtered {
        let mut out = Filtered::default();
        let mut used: Vec<bool> = (0..self.ignores.len())
            .map(|i| used_by_rules.get(i).copied().unwrap_or(false))
            .collect();
        for w in &self.warnings {
            out.notes.push(note(NoteLevel::Warning, w.clone()));
        }
        for (e, _) in self.ignores.iter().zip(&used) {
            if let Some(exp) = e.expires
                && exp < today
            {
                out.notes.push(note(
                    NoteLevel::Warning,
                    format!(
                        "{}: the ignore for `{}` expired on {exp} and no longer suppresses it",
                        e.source, e.id
                    ),
                ));
            }
        }
        'findings: for f in findings {
            for (i, e) in self.ignores.iter().enumerate() {
                if e.expires.is_some_and(|exp| exp < today) || !ignore_matches(e, &f) {
                    continue;
                }
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                out.suppressed.push(Suppressed {
                    finding: f,
                    reason: SuppressionReason::Ignored {
                        source: e.source.clone(),
                        reason: e.reason.clone(),
                        expires: e.expires,
                    },
                });
                continue 'findings;
            }
            // The last statement about a vulnerability and product wins, as in a VEX log.
            if let Some(st) = self.vex.iter().rev().find(|st| vex_matches(st, &f))
                && suppressing_status(&st.status)
            {
                let reason = SuppressionReason::Vex {
                    document: st.document.clone(),
                    status: st.status.clone(),
                    justification: st.justification.clone(),
                    detail: st.detail.clone(),
                };
                out.suppressed.push(Suppressed { finding: f, reason });
                continue;
            }
            if self.ignore_unfixed && !f.has_fix() {
                out.suppressed.push(Suppressed {
                    finding: f,
                    reason: SuppressionReason::Unfixed,
                });
                continue;
            }
            out.findings.push(f);
        }
        for (e, used) in self.ignores.iter().zip(used) {
            if !used && e.expires.is_none_or(|exp| exp >= today) {
                out.notes.push(note(
                    NoteLevel::Info,
                    format!("{}: the ignore for `{}` matched no finding", e.source, e.id),
                ));
            }
        }
        out
    }
}

fn note(level: NoteLevel, message: String) -> ScanNote {
    ScanNote {
        level,
        found_by: FOUND_BY.to_owned(),
        location: Location::default(),
        message,
    }
}

fn strings(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|a| a.as_array())
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

fn suppressing_status(status: &str) -> bool {
    matches!(
        status,
        "not_affected" | "fixed" | "resolved" | "resolved_with_pedigree" | "false_positive"
    )
}

fn ignore_matches(e: &IgnoreEntry, f: &VulnMatch) -> bool {
    if !f.all_ids().any(|id| id.eq_ignore_ascii_case(&e.id)) {
        return false;
    }
    if let Some(p) = &e.package
        && p != &f.package
        && f.source_package.as_deref() != Some(p.as_str())
    {
        return false;
    }
    if let Some(g) = &e.path {
        let Some(path) = &f.location.path else {
            return false;
        };
        if !g.is_match(path.trim_start_matches('/')) {
            return false;
        }
    }
    true
}

fn vex_matches(st: &VexStatement, f: &VulnMatch) -> bool {
    if !st
        .ids
        .iter()
        .any(|id| f.all_ids().any(|x| x.eq_ignore_ascii_case(id)))
    {
        return false;
    }
    st.products.iter().any(|p| match p {
        Product::Any => true,
        Product::Purl(purl) => purl_matches(purl, f),
        Product::Nothing => false,
    })
}

fn purl_matches(p: &Purl, f: &VulnMatch) -> bool {
    let eco = f.package_ecosystem;
    let (ty, names, version) = match f.purl.as_deref().map(Purl::parse) {
        Some(Ok(own)) => (own.ty.clone(), vec![own.package_name()], own.version),
        // A finding always carries its package's purl; without a readable one, compare
        // with what the purl would say.
        _ => (
            eco.purl_type().to_owned(),
            vec![f.package.clone()],
            Some(f.installed_version.clone()),
        ),
    };
    if p.ty != ty {
        return false;
    }
    let wanted = eco.normalise_name(&p.package_name());
    let name_ok = names
        .iter()
        .chain(f.source_package.as_ref())
        .any(|n| eco.normalise_name(n).eq_ignore_ascii_case(&wanted));
    if !name_ok {
        return false;
    }
    match (&p.version, version) {
        (Some(want), Some(have)) => {
            want == &have || want.trim_start_matches('v') == have.trim_start_matches('v')
        }
        (Some(want), None) => want == &f.installed_version,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kensa_core::{Ecosystem, Severity};

    fn finding(id: &str, package: &str, fixed: &[&str]) -> VulnMatch {
        VulnMatch {
            id: id.into(),
            aliases: vec!["CVE-2023-0001".into()],
            related: vec![],
            ecosystem: "Debian:12".into(),
            package_ecosystem: Ecosystem::Deb,
            package: package.into(),
            installed_version: "1.0-1".into(),
            source_package: None,
            matched_version: None,
            purl: Some(format!("pkg:deb/debian/{package}@1.0-1?arch=amd64")),
            fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
            severity: Severity::High,
            cvss: None,
            title: "t".into(),
            references: vec![],
            location: Location::path("var/lib/dpkg/status"),
            severity_source: None,
            cvss_all: vec![],
            kev: None,
            epss: None,
            exploitation: None,
            rejected_cves: vec![],
            published: None,
            priority: None,
            fix_group: None,
        }
    }

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn ignore_file_by_alias_package_path_and_expiry() {
        let mut s = Suppressions::new();
        s.add_ignore_yaml(
            Path::new(".kensaignore"),
            r"
- id: cve-2023-0001
  package: curl
  path: var/lib/dpkg/*
  expires: 2030-01-01
  reason: not reachable
- id: DSA-9-1
  expires: 2020-01-01
  reason: old
- id: CVE-1999-0001
  reason: never matches
",
        )
        .unwrap();
        let out = s.apply(
            vec![
                finding("DSA-1-1", "curl", &["1.1"]),
                finding("DSA-1-1", "libcurl4", &["1.1"]),
                finding("DSA-9-1", "zlib", &[]),
            ],
            day("2025-01-01"),
        );
        assert_eq!(out.suppressed.len(), 1);
        assert_eq!(out.suppressed[0].finding.package, "curl");
        assert_eq!(
            out.suppressed[0].reason.to_string(),
            ".kensaignore entry 1: not reachable (until 2030-01-01)"
                .replace(".kensa", "ignored by .kensa")
        );
        assert_eq!(out.findings.len(), 2);
        let notes: Vec<_> = out
            .notes
            .iter()
            .map(|n| (n.level, n.message.as_str()))
            .collect();
        assert_eq!(
            notes,
            [
                (
                    NoteLevel::Warning,
                    ".kensaignore entry 2: the ignore for `DSA-9-1` expired on 2020-01-01 and no longer suppresses it"
                ),
                (
                    NoteLevel::Info,
                    ".kensaignore entry 3: the ignore for `CVE-1999-0001` matched no finding"
                ),
            ]
        );
    }

    #[test]
    fn ignore_file_errors_name_entry_and_field() {
        let mut s = Suppressions::new();
        let e = s
            .add_ignore_yaml(
                Path::new("i.yaml"),
                "- id: X\n  reason: r\n  expire: 2024-01-01\n",
            )
            .unwrap_err()
            .to_string();
        assert!(e.contains("expire"), "{e}");
        let e = s
            .add_ignore_yaml(Path::new("i.yaml"), "- id: X\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "ignore file `i.yaml`: entry 1 (`X`): `reason` is required"
        );
        let e = s
            .add_ignore_yaml(
                Path::new("i.yaml"),
                "- id: X\n  reason: r\n  expires: 2024-02-30\n",
            )
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("entry 1 (`X`): `expires`: `2024-02-30` is not a date"),
            "{e}"
        );
    }

    #[test]
    fn ignore_unfixed() {
        let mut s = Suppressions::new();
        s.set_ignore_unfixed(true);
        let out = s.apply(
            vec![finding("A", "a", &[]), finding("B", "b", &["2"])],
            day("2025-01-01"),
        );
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].id, "B");
        assert_eq!(out.suppressed[0].reason, SuppressionReason::Unfixed);
    }

    /// A product purl that does not parse must not widen the statement to every package.
    #[test]
    fn a_broken_product_purl_suppresses_nothing_and_says_so() {
        let doc = br#"{"statements": [
            {"vulnerability": {"name": "DSA-1-1"},
             "products": ["pkg:deb/debian/curl@1.0-1?a"],
             "status": "not_affected", "justification": "component_not_present"}]}"#;
        let mut s = Suppressions::new();
        s.add_vex_json(Path::new("v.json"), doc).unwrap();
        let out = s.apply(
            vec![finding("DSA-1-1", "curl", &["1.1"])],
            day("2025-01-01"),
        );
        assert_eq!(out.findings.len(), 1);
        assert!(out.suppressed.is_empty());
        let notes: Vec<_> = out.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(
            notes,
            [
                "VEX v.json: statements[0].products: `pkg:deb/debian/curl@1.0-1?a` is not a valid package URL: a qualifier has no `=`; the statement applies to nothing for it"
            ]
        );
    }

    #[test]
    fn openvex_not_affected_suppresses_matching_purl_only() {
        let doc = br#"{
          "@context": "https://openvex.dev/ns/v0.2.0",
          "@id": "https://example.invalid/vex/1",
          "author": "Security Team",
          "timestamp": "2024-01-01T00:00:00Z",
          "version": 1,
          "statements": [
            {"vulnerability": {"name": "CVE-2023-0001"},
             "products": [{"@id": "pkg:oci/app@sha256%3Aabc",
                           "subcomponents": [{"@id": "pkg:deb/debian/curl@1.0-1"}]}],
             "status": "not_affected",
             "justification": "vulnerable_code_not_in_execute_path",
             "impact_statement": "curl is only used at build time"},
            {"vulnerability": {"name": "DSA-2-1"},
             "products": [{"@id": "pkg:oci/app"}],
             "status": "fixed"},
            {"vulnerability": "DSA-3-1",
             "products": ["pkg:deb/debian/zlib"],
             "status": "affected"}
          ]}"#;
        let mut s = Suppressions::new();
        s.add_vex_json(Path::new("app.openvex.json"), doc).unwrap();
        let out = s.apply(
            vec![
                finding("DSA-1-1", "curl", &["1.1"]),
                finding("DSA-1-1", "wget", &["1.1"]),
                finding("DSA-2-1", "openssl", &["3"]),
                finding("DSA-3-1", "zlib", &["3"]),
            ],
            day("2025-01-01"),
        );
        let kept: Vec<_> = out.findings.iter().map(|f| f.package.as_str()).collect();
        assert_eq!(kept, ["wget", "zlib"]);
        let reasons: Vec<_> = out
            .suppressed
            .iter()
            .map(|s| s.reason.to_string())
            .collect();
        assert_eq!(
            reasons,
            [
                "VEX app.openvex.json: not_affected (vulnerable_code_not_in_execute_path): curl is only used at build time",
                "VEX app.openvex.json: fixed",
            ]
        );
    }

    #[test]
    fn cyclonedx_vex_resolves_bom_refs() {
        let doc = br#"{
          "bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
          "metadata": {"component": {"bom-ref": "image", "type": "container", "name": "app"}},
          "components": [
            {"bom-ref": "c1", "type": "library", "name": "curl", "purl": "pkg:deb/debian/curl@1.0-1"},
            {"bom-ref": "c2", "type": "library", "name": "nopurl"}
          ],
          "vulnerabilities": [
            {"id": "CVE-2023-0001", "analysis": {"state": "not_affected", "justification": "code_not_reachable", "detail": "d"},
             "affects": [{"ref": "c1"}]},
            {"id": "DSA-2-1", "analysis": {"state": "exploitable"}, "affects": [{"ref": "image"}]},
            {"id": "DSA-4-1", "analysis": {"state": "resolved"}, "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#image"}]},
            {"id": "DSA-5-1", "analysis": {"state": "false_positive"}, "affects": [{"ref": "c2"}]}
          ]}"#;
        let mut s = Suppressions::new();
        s.add_vex_json(Path::new("bom.cdx.json"), doc).unwrap();
        let out = s.apply(
            vec![
                finding("DSA-1-1", "curl", &["1.1"]),
                finding("DSA-1-1", "wget", &["1.1"]),
                finding("DSA-2-1", "openssl", &["3"]),
                finding("DSA-4-1", "zlib", &["3"]),
                finding("DSA-5-1", "nopurl", &["3"]),
            ],
            day("2025-01-01"),
        );
        let kept: Vec<_> = out.findings.iter().map(|f| f.package.as_str()).collect();
        assert_eq!(kept, ["wget", "openssl", "nopurl"]);
        assert_eq!(out.suppressed.len(), 2);
        assert_eq!(out.notes.len(), 1);
        assert!(
            out.notes[0].message.contains("`c2`"),
            "{}",
            out.notes[0].message
        );
    }

    #[test]
    fn vex_errors_name_the_field() {
        let mut s = Suppressions::new();
        let e = s
            .add_vex_json(
                Path::new("v.json"),
                br#"{"statements": [{"products": []}]}"#,
            )
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "VEX document `v.json`: `statements[0].vulnerability` is missing"
        );
        assert!(s.add_vex_json(Path::new("v.json"), b"{}").is_err());
    }
}
