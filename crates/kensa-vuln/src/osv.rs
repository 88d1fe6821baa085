//! OSV records parsed once, at import, into typed and validated advisories.
//!
//! A record is read into loose `Raw*` structs and converted with [`TryFrom`]: every range
//! event is parsed with the ecosystem's [`Scheme`] here, so that matching later only compares
//! typed versions. What cannot be imported is never dropped silently: a whole
//! record that is unusable is an [`OsvError`] naming the id and field, and an `affected` entry
//! or range that cannot be used (a `GIT` range, an ecosystem kensa has no ordering for, a
//! version the scheme rejects) is recorded in [`Advisory::skipped`] for the importer to count.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use kensa_core::Severity;
use serde::{Deserialize, Deserializer, Serialize};

use crate::severity::{CvssScore, score_osv_severity, severity_from_text};
use crate::version::apk::ApkVersion;
use crate::version::go::GoVersion;
use crate::version::{Scheme, Version, VersionError};

/// An OSV record after validation.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "RawRecord")]
pub struct Advisory {
    /// The record's id (`DSA-5000-1`, `PYSEC-2018-28`, `GO-2022-0001`).
    pub id: String,
    /// Ids of the same vulnerability in other databases (`aliases`).
    pub aliases: Vec<String>,
    /// Ids of related or upstream vulnerabilities (`related`, `upstream`): a DSA's CVEs.
    pub related: Vec<String>,
    /// The `upstream` ids alone: the vulnerability this record is a downstream copy of
    /// (an Alpine or DEBIAN-CVE record's CVE), so the same vulnerability as the record.
    pub upstream: Vec<String>,
    /// The summary, else the first line of the details.
    pub title: String,
    /// The record-level rating.
    pub rating: Rating,
    /// Reference URLs.
    pub references: Vec<String>,
    /// Whether the record is withdrawn (such records are not imported).
    pub withdrawn: bool,
    /// The usable `affected` entries.
    pub affected: Vec<Affected>,
    /// What was not imported from this record, and why.
    pub skipped: Vec<Skip>,
}

/// How severe an advisory (or one affected package of it) is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rating {
    /// The severity: from the CVSS score, else from the source's text, else `UNKNOWN`.
    pub severity: Severity,
    /// The CVSS vector and computed base score, when the record has one.
    pub cvss: Option<CvssScore>,
}

impl Rating {
    /// No rating.
    pub const UNKNOWN: Rating = Rating {
        severity: Severity::Unknown,
        cvss: None,
    };

    fn is_known(&self) -> bool {
        self.severity != Severity::Unknown
    }
}

/// One `affected[]` entry: a package in one ecosystem and the versions affected.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    /// The OSV ecosystem, with release for OS ecosystems (`Debian:11`).
    pub ecosystem: String,
    /// The package name as the record writes it.
    pub name: String,
    /// Affected ranges (`ECOSYSTEM` and `SEMVER` only).
    pub ranges: Vec<Range>,
    /// Explicitly listed affected versions not already inside a range.
    pub versions: Vec<ListedVersion>,
    /// A per-package rating, when the entry has one (it overrides the record's).
    pub rating: Option<Rating>,
}

/// An `ECOSYSTEM` or `SEMVER` range whose event versions all parse under the scheme.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Range {
    /// The events, in the record's order.
    pub events: Vec<Event>,
}

/// A range event, its version parsed at import.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// Affected from this version on; `None` is OSV's `0`, from the beginning.
    Introduced(Option<AdvisoryVersion>),
    /// Not affected from this version on.
    Fixed(AdvisoryVersion),
    /// Affected up to and including this version.
    LastAffected(AdvisoryVersion),
    /// The range does not extend to this version or beyond; `None` is OSV's `*`.
    Limit(Option<AdvisoryVersion>),
    /// An event whose version the scheme rejects and has no fallback ordering for. The
    /// record is kept rather than dropped, so a package the range may cover is reported as
    /// unverifiable for this advisory instead of silently passing.
    Unreadable {
        /// The event key (`fixed`, `introduced`, …).
        key: String,
        /// The version as the record wrote it.
        text: String,
        /// Why the scheme rejects it.
        reason: String,
    },
}

/// A version written in an advisory, parsed at import with the entry's parser, with the
/// text the record wrote (what a finding shows as the fixed version).
///
/// The store keeps the parser and the text, and reading it back parses them again, as
/// rustsec validates on deserialisation: a stored version that does not parse makes its
/// entry damaged, reported as such when it is read, so matching itself only ever compares
/// typed values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredVersion", into = "StoredVersion")]
pub struct AdvisoryVersion {
    /// The parsed version.
    pub version: Version,
    /// The version as the record wrote it.
    pub text: String,
    parser: VersionParser,
}

impl AdvisoryVersion {
    /// Parses `text` with `parser`.
    pub fn parse(parser: VersionParser, text: &str) -> Result<AdvisoryVersion, VersionError> {
        Ok(AdvisoryVersion {
            version: parser.parse_advisory(text)?,
            text: text.to_owned(),
            parser,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct StoredVersion {
    parser: VersionParser,
    text: String,
}

impl TryFrom<StoredVersion> for AdvisoryVersion {
    type Error = VersionError;

    fn try_from(s: StoredVersion) -> Result<Self, VersionError> {
        AdvisoryVersion::parse(s.parser, &s.text)
    }
}

impl From<AdvisoryVersion> for StoredVersion {
    fn from(v: AdvisoryVersion) -> StoredVersion {
        StoredVersion {
            parser: v.parser,
            text: v.text,
        }
    }
}

/// An explicitly listed affected version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ListedVersion {
    /// One the scheme parses: it matches an installed version equal to it.
    Parsed(AdvisoryVersion),
    /// One the scheme rejects: it can only match an installed version written the same.
    Text(String),
}

impl ListedVersion {
    /// Whether the installed version (`raw` as written, `v` parsed) is this one.
    pub fn matches(&self, raw: &str, v: &Version) -> bool {
        match self {
            ListedVersion::Parsed(p) => {
                p.text == raw || p.version.compare(v) == Some(Ordering::Equal)
            }
            ListedVersion::Text(t) => t == raw,
        }
    }
}

/// Something in a record that was not imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Skip {
    /// A `GIT` range: commit hashes cannot be compared with installed versions.
    GitRange,
    /// An ecosystem kensa has no version ordering for.
    UnsupportedEcosystem(String),
    /// A range event whose version the scheme rejects: the range is kept, and packages it
    /// may cover are reported as unverifiable for the advisory.
    UnreadableVersion {
        /// The JSON path of the field.
        field: String,
        /// Why the version is rejected.
        reason: String,
    },
    /// A field that is not valid; the affected entry or range was left out.
    Malformed {
        /// The JSON path of the field (`affected[0].ranges[1].events[2].fixed`).
        field: String,
        /// Why it is not valid.
        reason: String,
    },
}

/// Why a whole record could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("OSV record `{id}`: field `{field}`: {reason}")]
pub struct OsvError {
    /// The record id, or `?` when the record has none.
    pub id: String,
    /// The offending field.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// How versions of one affected entry are parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VersionParser {
    /// The ecosystem's own scheme.
    Scheme(Scheme),
    /// OSV `Go` records, whose module versions have no `v`.
    GoOsv,
}

impl VersionParser {
    /// The parser for versions written in an OSV record of this ecosystem.
    pub fn for_osv_ecosystem(ecosystem: &str) -> Option<VersionParser> {
        match Scheme::for_osv_ecosystem(ecosystem)? {
            Scheme::Go => Some(VersionParser::GoOsv),
            s => Some(VersionParser::Scheme(s)),
        }
    }

    /// The scheme, for messages.
    pub fn scheme(self) -> Scheme {
        match self {
            VersionParser::Scheme(s) => s,
            VersionParser::GoOsv => Scheme::Go,
        }
    }

    /// Parses a version written in an advisory.
    pub fn parse_advisory(self, s: &str) -> Result<Version, VersionError> {
        match self {
            // apk-tools orders strings it would not install; the other schemes have no such
            // fallback.
            VersionParser::Scheme(Scheme::Apk) => ApkVersion::parse_lenient(s).map(Version::Apk),
            VersionParser::Scheme(scheme) => scheme.parse(s),
            VersionParser::GoOsv => GoVersion::from_osv(s).map(Version::Go),
        }
    }

    /// Parses a version found installed: Go modules carry their `v`, and the Go toolchain
    /// (`go1.21.3`) is compared in the module form the Go database writes for `stdlib`.
    pub fn parse_installed(self, s: &str) -> Result<Version, VersionError> {
        match self {
            VersionParser::Scheme(scheme) => scheme.parse(s),
            VersionParser::GoOsv => {
                let v = if s.starts_with('v') {
                    s.parse::<GoVersion>()?
                } else {
                    match s.parse::<GoVersion>()? {
                        GoVersion::Toolchain(t) => GoVersion::Module(t.to_module_version()?),
                        m @ GoVersion::Module(_) => m,
                    }
                };
                Ok(Version::Go(v))
            }
        }
    }
}

impl Range {
    /// Whether `v` is inside this range, by OSV's evaluation: the applicable event with the
    /// greatest version decides, where `introduced` and `fixed` apply at or below `v` and
    /// `last_affected` strictly below it; ties go against `introduced`, as in OSV's sorted
    /// walk where it comes first. `limit` cuts the range off at or above it.
    ///
    /// Every version was parsed at import, so the only error is one the scheme cannot
    /// order against `v` (a Go toolchain version against a module version): the caller
    /// reports the package as unverifiable instead of guessing.
    pub fn affects(&self, v: &Version) -> Result<bool, VersionError> {
        // (version, is_introduced); `None` version = introduced "0".
        let mut best: Option<(Option<&Version>, bool)> = None;
        for event in &self.events {
            let (at, introduced, strict) = match event {
                Event::Introduced(at) => (at.as_ref().map(|a| &a.version), true, false),
                Event::Fixed(at) => (Some(&at.version), false, false),
                Event::LastAffected(at) => (Some(&at.version), false, true),
                Event::Limit(None) => continue,
                Event::Unreadable { key, text, reason } => {
                    return Err(VersionError {
                        scheme: v.scheme(),
                        input: text.clone(),
                        reason: format!("the advisory's `{key}` version is unreadable: {reason}"),
                    });
                }
                Event::Limit(Some(limit)) => {
                    if cmp(v, &limit.version)? != Ordering::Less {
                        return Ok(false);
                    }
                    continue;
                }
            };
            let applies = match at {
                None => true,
                Some(at) => match cmp(at, v)? {
                    Ordering::Less => true,
                    Ordering::Equal => !strict,
                    Ordering::Greater => false,
                },
            };
            if !applies {
                continue;
            }
            let replace = match &best {
                None => true,
                Some((best_at, best_intro)) => match (best_at, at) {
                    (None, None) => !introduced && *best_intro,
                    (None, Some(_)) => true,
                    (Some(_), None) => false,
                    (Some(b), Some(a)) => match cmp(a, b)? {
                        Ordering::Greater => true,
                        Ordering::Equal => *best_intro && !introduced,
                        Ordering::Less => false,
                    },
                },
            };
            if replace {
                best = Some((at, introduced));
            }
        }
        Ok(matches!(best, Some((_, true))))
    }

    /// The `fixed` versions of the range.
    pub fn fixed(&self) -> impl Iterator<Item = &AdvisoryVersion> {
        self.events.iter().filter_map(|e| match e {
            Event::Fixed(v) => Some(v),
            _ => None,
        })
    }
}

fn cmp(a: &Version, b: &Version) -> Result<Ordering, VersionError> {
    a.compare(b).ok_or_else(|| VersionError {
        scheme: a.scheme(),
        input: format!("{a} vs {b}"),
        reason: "the two versions cannot be ordered".to_owned(),
    })
}

// ---- Raw JSON shapes -----------------------------------------------------------------------

/// Reads `null` as the default: real feeds write `"aliases": null`.
fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct RawRecord {
    #[serde(default, deserialize_with = "nullable")]
    id: String,
    #[serde(default, deserialize_with = "nullable")]
    summary: String,
    #[serde(default, deserialize_with = "nullable")]
    details: String,
    #[serde(default, deserialize_with = "nullable")]
    aliases: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    related: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    upstream: Vec<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "nullable")]
    affected: Vec<RawAffected>,
    #[serde(default, deserialize_with = "nullable")]
    references: Vec<RawReference>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    score: String,
}

#[derive(Deserialize)]
struct RawAffected {
    #[serde(default)]
    package: Option<RawPackage>,
    #[serde(default, deserialize_with = "nullable")]
    severity: Vec<RawSeverity>,
    #[serde(default, deserialize_with = "nullable")]
    ranges: Vec<RawRange>,
    #[serde(default, deserialize_with = "nullable")]
    versions: Vec<String>,
    #[serde(default)]
    ecosystem_specific: Option<serde_json::Value>,
    #[serde(default)]
    database_specific: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawPackage {
    #[serde(default, deserialize_with = "nullable")]
    ecosystem: String,
    #[serde(default, deserialize_with = "nullable")]
    name: String,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type", default, deserialize_with = "nullable")]
    kind: String,
    #[serde(default, deserialize_with = "nullable")]
    events: Vec<BTreeMap<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawReference {
    #[serde(default, deserialize_with = "nullable")]
    url: String,
}

/// The longest title kept; details can be pages long.
const MAX_TITLE: usize = 200;

impl TryFrom<RawRecord> for Advisory {
    type Error = OsvError;

    fn try_from(raw: RawRecord) -> Result<Self, OsvError> {
        let id = raw.id.trim().to_owned();
        if id.is_empty() {
            return Err(OsvError {
                id: "?".into(),
                field: "id".into(),
                reason: "missing or empty".into(),
            });
        }
        let title = title_of(&raw.summary, &raw.details);
        let rating = rating_of(&raw.severity, raw.database_specific.as_ref(), None);
        let mut references: Vec<String> = Vec::new();
        for r in raw.references {
            let url = r.url.trim();
            if !url.is_empty() && !references.iter().any(|u| u == url) {
                references.push(url.to_owned());
            }
        }
        let mut related: Vec<String> = Vec::new();
        let upstream: Vec<String> = raw.upstream.iter().filter(|u| **u != id).cloned().collect();
        for r in raw.related.into_iter().chain(raw.upstream) {
            if r != id && !related.contains(&r) {
                related.push(r);
            }
        }
        let mut aliases: Vec<String> = Vec::new();
        for a in raw.aliases {
            if a != id && !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        let mut skipped = Vec::new();
        let mut affected = Vec::new();
        for (i, a) in raw.affected.into_iter().enumerate() {
            match parse_affected(i, a, &mut skipped) {
                Ok(Some(a)) => affected.push(a),
                Ok(None) => {}
                Err(skip) => skipped.push(skip),
            }
        }
        Ok(Advisory {
            id,
            aliases,
            related,
            upstream,
            title,
            rating,
            references,
            withdrawn: raw.withdrawn.is_some_and(|w| !w.trim().is_empty()),
            affected,
            skipped,
        })
    }
}

fn title_of(summary: &str, details: &str) -> String {
    let line = if summary.trim().is_empty() {
        details.lines().map(str::trim).find(|l| !l.is_empty())
    } else {
        summary.lines().map(str::trim).find(|l| !l.is_empty())
    };
    let line = line.unwrap_or_default();
    match line.char_indices().nth(MAX_TITLE) {
        Some((end, _)) => format!("{}…", line.get(..end).unwrap_or_default()),
        None => line.to_owned(),
    }
}

/// CVSS first (v3 before v4, as most tools show v3), then a `severity` text in the
/// database- or ecosystem-specific object, else unknown.
fn rating_of(
    severity: &[RawSeverity],
    database_specific: Option<&serde_json::Value>,
    ecosystem_specific: Option<&serde_json::Value>,
) -> Rating {
    for kind in ["CVSS_V3", "CVSS_V4"] {
        if let Some(cvss) = severity
            .iter()
            .filter(|s| s.kind == kind)
            .find_map(|s| score_osv_severity(&s.kind, &s.score))
        {
            return Rating {
                severity: cvss.severity(),
                cvss: Some(cvss),
            };
        }
    }
    for obj in [database_specific, ecosystem_specific]
        .into_iter()
        .flatten()
    {
        if let Some(sev) = obj
            .get("severity")
            .and_then(serde_json::Value::as_str)
            .and_then(severity_from_text)
        {
            return Rating {
                severity: sev,
                cvss: None,
            };
        }
    }
    // Some sources (Ubuntu) write the rating as the `score` of a non-CVSS severity entry.
    if let Some(sev) = severity
        .iter()
        .filter(|s| !s.kind.starts_with("CVSS"))
        .find_map(|s| severity_from_text(&s.score))
    {
        return Rating {
            severity: sev,
            cvss: None,
        };
    }
    Rating::UNKNOWN
}

fn parse_affected(
    i: usize,
    a: RawAffected,
    skipped: &mut Vec<Skip>,
) -> Result<Option<Affected>, Skip> {
    let malformed = |field: String, reason: &str| Skip::Malformed {
        field,
        reason: reason.to_owned(),
    };
    let Some(package) = a.package else {
        return Err(malformed(format!("affected[{i}].package"), "missing"));
    };
    let ecosystem = package.ecosystem.trim().to_owned();
    let name = package.name.trim().to_owned();
    if ecosystem.is_empty() {
        return Err(malformed(
            format!("affected[{i}].package.ecosystem"),
            "missing or empty",
        ));
    }
    if name.is_empty() {
        return Err(malformed(
            format!("affected[{i}].package.name"),
            "missing or empty",
        ));
    }
    let Some(parser) = VersionParser::for_osv_ecosystem(&ecosystem) else {
        return Err(Skip::UnsupportedEcosystem(ecosystem));
    };
    let mut ranges = Vec::new();
    let mut git_ranges = false;
    for (j, r) in a.ranges.into_iter().enumerate() {
        match r.kind.as_str() {
            "ECOSYSTEM" | "SEMVER" => {}
            "GIT" => {
                skipped.push(Skip::GitRange);
                git_ranges = true;
                continue;
            }
            other => {
                return Err(malformed(
                    format!("affected[{i}].ranges[{j}].type"),
                    &format!("unknown range type `{other}`"),
                ));
            }
        }
        let mut events = Vec::with_capacity(r.events.len());
        for (k, e) in r.events.into_iter().enumerate() {
            let mut it = e.into_iter();
            let (Some((key, value)), None) = (it.next(), it.next()) else {
                return Err(malformed(
                    format!("affected[{i}].ranges[{j}].events[{k}]"),
                    "an event must have exactly one field",
                ));
            };
            let field = format!("affected[{i}].ranges[{j}].events[{k}].{key}");
            let Some(value) = value.as_str().map(str::trim) else {
                return Err(malformed(field, "not a string"));
            };
            let parsed = match key.as_str() {
                "introduced" if value == "0" => Ok(Event::Introduced(None)),
                "limit" if value == "*" => Ok(Event::Limit(None)),
                "introduced" | "fixed" | "last_affected" | "limit" => {
                    AdvisoryVersion::parse(parser, value).map(|at| match key.as_str() {
                        "introduced" => Event::Introduced(Some(at)),
                        "fixed" => Event::Fixed(at),
                        "last_affected" => Event::LastAffected(at),
                        _ => Event::Limit(Some(at)),
                    })
                }
                _ => return Err(malformed(field, "unknown event type")),
            };
            let event = match parsed {
                Ok(event) => event,
                Err(e) => {
                    // Reported at import (the field and why), and kept: see Event::Unreadable.
                    skipped.push(Skip::UnreadableVersion {
                        field,
                        reason: e.to_string(),
                    });
                    Event::Unreadable {
                        key: key.clone(),
                        text: value.to_owned(),
                        reason: e.reason,
                    }
                }
            };
            events.push(event);
        }
        let introduces = |e: &Event| match e {
            Event::Introduced(_) => true,
            Event::Unreadable { key, .. } => key == "introduced",
            _ => false,
        };
        if !events.iter().any(introduces) {
            return Err(malformed(
                format!("affected[{i}].ranges[{j}].events"),
                "no `introduced` event",
            ));
        }
        ranges.push(Range { events });
    }
    // osv.dev enumerates `versions` from the ranges, so most listed versions are already
    // covered; keeping only the others spares matching from parsing hundreds of versions per
    // advisory (a listed version the scheme rejects is kept, to match by its exact text).
    let versions: Vec<ListedVersion> = a
        .versions
        .into_iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .filter_map(|v| match AdvisoryVersion::parse(parser, &v) {
            Ok(parsed) => (!ranges
                .iter()
                .any(|r| r.affects(&parsed.version).unwrap_or(false)))
            .then_some(ListedVersion::Parsed(parsed)),
            Err(_) => Some(ListedVersion::Text(v)),
        })
        .collect();
    if ranges.is_empty() && versions.is_empty() {
        // Only GIT ranges (already counted), or nothing at all to match on.
        if git_ranges {
            return Ok(None);
        }
        return Err(malformed(
            format!("affected[{i}]"),
            "neither `ranges` nor `versions` to match on",
        ));
    }
    let rating = rating_of(
        &a.severity,
        a.database_specific.as_ref(),
        a.ecosystem_specific.as_ref(),
    );
    Ok(Some(Affected {
        ecosystem,
        name,
        ranges,
        versions,
        rating: rating.is_known().then_some(rating),
    }))
}

/// Parses one OSV JSON document.
pub fn parse_record(bytes: &[u8]) -> Result<Advisory, String> {
    serde_json::from_slice::<Advisory>(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deb(s: &str) -> Version {
        Scheme::Deb.parse(s).unwrap()
    }

    fn range(events: &[(&str, &str)]) -> Range {
        range_in(DEB, events)
    }

    fn range_in(parser: VersionParser, events: &[(&str, &str)]) -> Range {
        let at = |v: &str| AdvisoryVersion::parse(parser, v).unwrap();
        Range {
            events: events
                .iter()
                .map(|&(k, v)| match (k, v) {
                    ("introduced", "0") => Event::Introduced(None),
                    ("introduced", v) => Event::Introduced(Some(at(v))),
                    ("fixed", v) => Event::Fixed(at(v)),
                    ("last_affected", v) => Event::LastAffected(at(v)),
                    ("limit", "*") => Event::Limit(None),
                    ("limit", v) => Event::Limit(Some(at(v))),
                    _ => panic!("{k}"),
                })
                .collect(),
        }
    }

    const DEB: VersionParser = VersionParser::Scheme(Scheme::Deb);

    /// The store keeps the text and parses it again when read: a version that does not
    /// parse any more makes the entry unreadable (a damaged-entry note), not a parse error
    /// while matching.
    #[test]
    fn stored_versions_are_validated_when_read() {
        let pep440 = VersionParser::Scheme(Scheme::Pep440);
        let v = AdvisoryVersion::parse(pep440, "2.0.post1").unwrap();
        let bytes = postcard::to_stdvec(&v).unwrap();
        assert_eq!(postcard::from_bytes::<AdvisoryVersion>(&bytes).unwrap(), v);
        let bad = postcard::to_stdvec(&StoredVersion {
            parser: pep440,
            text: "not a version!".into(),
        })
        .unwrap();
        assert!(postcard::from_bytes::<AdvisoryVersion>(&bad).is_err());
    }

    /// A listed version matches by value when it parses, by its text when it does not.
    #[test]
    fn listed_versions_match_by_value_or_text() {
        let pep440 = VersionParser::Scheme(Scheme::Pep440);
        let installed = pep440.parse_installed("1.0.0").unwrap();
        let listed = ListedVersion::Parsed(AdvisoryVersion::parse(pep440, "1.0").unwrap());
        assert!(listed.matches("1.0.0", &installed));
        assert!(!ListedVersion::Text("1.0".into()).matches("1.0.0", &installed));
        assert!(ListedVersion::Text("1.0.0".into()).matches("1.0.0", &installed));
    }

    #[test]
    fn introduced_fixed() {
        let r = range(&[("introduced", "0"), ("fixed", "1.2-3")]);
        assert!(r.affects(&deb("1.0")).unwrap());
        assert!(r.affects(&deb("1.2-2")).unwrap());
        assert!(r.affects(&deb("1.2~rc1-1")).unwrap());
        assert!(!r.affects(&deb("1.2-3")).unwrap());
        assert!(!r.affects(&deb("1:0.1")).unwrap());
    }

    #[test]
    fn several_introduced_fixed_pairs() {
        let r = range(&[
            ("introduced", "1.0"),
            ("fixed", "1.5"),
            ("introduced", "2.0"),
            ("fixed", "2.3"),
        ]);
        let cases = [
            ("0.9", false),
            ("1.0", true),
            ("1.4", true),
            ("1.5", false),
            ("1.9", false),
            ("2.0", true),
            ("2.2", true),
            ("2.3", false),
            ("3.0", false),
        ];
        for (v, want) in cases {
            assert_eq!(r.affects(&deb(v)).unwrap(), want, "{v}");
        }
    }

    #[test]
    fn last_affected_is_inclusive() {
        let r = range(&[("introduced", "1.0"), ("last_affected", "1.4")]);
        assert!(!r.affects(&deb("0.9")).unwrap());
        assert!(r.affects(&deb("1.4")).unwrap());
        assert!(!r.affects(&deb("1.4.1")).unwrap());
    }

    #[test]
    fn limit_cuts_the_range() {
        let r = range(&[("introduced", "0"), ("limit", "2.0")]);
        assert!(r.affects(&deb("1.9")).unwrap());
        assert!(!r.affects(&deb("2.0")).unwrap());
        let open = range(&[("introduced", "1.0"), ("limit", "*")]);
        assert!(open.affects(&deb("9.0")).unwrap());
    }

    #[test]
    fn introduced_only_is_open_ended() {
        let r = range(&[("introduced", "1.0")]);
        assert!(r.affects(&deb("99")).unwrap());
        assert!(!r.affects(&deb("0.5")).unwrap());
    }

    #[test]
    fn go_stdlib_toolchain_versions_compare_as_modules() {
        let p = VersionParser::GoOsv;
        let r = range_in(p, &[("introduced", "1.21.0-0"), ("fixed", "1.21.5")]);
        assert!(r.affects(&p.parse_installed("go1.21.3").unwrap()).unwrap());
        assert!(!r.affects(&p.parse_installed("go1.21.5").unwrap()).unwrap());
        assert!(!r.affects(&p.parse_installed("go1.20.9").unwrap()).unwrap());
        assert!(r.affects(&p.parse_installed("v1.21.1").unwrap()).unwrap());
    }

    const RECORD: &str = r#"{
      "id": "PYSEC-0000-1",
      "aliases": ["CVE-0000-1", "GHSA-xxxx-yyyy-zzzz"],
      "summary": "",
      "details": "\n  Header injection in example.\nMore text.",
      "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
      "affected": [
        {"package": {"ecosystem": "PyPI", "name": "Example_Pkg"},
         "ranges": [
           {"type": "GIT", "repo": "https://example.invalid/x", "events": [{"introduced": "0"}, {"fixed": "abc"}]},
           {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2.0"}]}],
         "versions": ["1.0", "1.5", "3.0"]},
        {"package": {"ecosystem": "PyPI", "name": "bad"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not a version!"}]}]},
        {"package": {"ecosystem": "Hackage", "name": "x"}, "versions": ["1"]},
        {"package": {"ecosystem": "PyPI", "name": "gitonly"},
         "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]}
      ],
      "references": [{"type": "WEB", "url": "https://a"}, {"type": "FIX", "url": "https://a"}],
      "database_specific": {"severity": "LOW"}
    }"#;

    #[test]
    fn record_is_validated_and_skips_are_named() {
        let a = parse_record(RECORD.as_bytes()).unwrap();
        assert_eq!(a.id, "PYSEC-0000-1");
        assert_eq!(a.title, "Header injection in example.");
        assert_eq!(a.rating.severity, Severity::Critical);
        assert_eq!(a.rating.cvss.as_ref().unwrap().score, 9.8);
        assert_eq!(a.references, ["https://a"]);
        // `bad` is kept with its unreadable `fixed`, so that `bad` is reported as
        // unverifiable rather than never checked.
        assert_eq!(a.affected.len(), 2);
        assert_eq!(a.affected[0].name, "Example_Pkg");
        assert_eq!(a.affected[1].name, "bad");
        assert_eq!(a.affected[0].ranges.len(), 1);
        // 1.0 and 1.5 are inside the range, so only 3.0 is kept.
        assert_eq!(
            a.affected[0].versions,
            [ListedVersion::Parsed(
                AdvisoryVersion::parse(VersionParser::Scheme(Scheme::Pep440), "3.0").unwrap()
            )]
        );
        assert_eq!(
            a.skipped,
            [
                Skip::GitRange,
                Skip::UnreadableVersion {
                    field: "affected[1].ranges[0].events[1].fixed".into(),
                    reason: a_reason(&a.skipped[1]),
                },
                Skip::UnsupportedEcosystem("Hackage".into()),
                Skip::GitRange,
            ]
        );
        assert!(a_reason(&a.skipped[1]).contains("`not a version!`"));
    }

    fn a_reason(s: &Skip) -> String {
        match s {
            Skip::Malformed { reason, .. } | Skip::UnreadableVersion { reason, .. } => {
                reason.clone()
            }
            _ => String::new(),
        }
    }

    #[test]
    fn an_unreadable_range_version_makes_the_range_unverifiable_not_absent() {
        let a = parse_record(
            br#"{"id": "PYSEC-0000-2", "affected": [{"package": {"ecosystem": "PyPI", "name": "x"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "2019-09-12"}]}]}]}"#,
        )
        .unwrap();
        let range = &a.affected[0].ranges[0];
        let p = VersionParser::Scheme(Scheme::Pep440);
        let e = range
            .affects(&p.parse_installed("1.5").unwrap())
            .unwrap_err();
        assert!(
            e.to_string().contains("`fixed` version is unreadable"),
            "{e}"
        );
        assert_eq!(range.fixed().count(), 0);
    }

    #[test]
    fn alpine_fixed_versions_apk_rejects_are_ordered_as_apk_tools_orders_them() {
        // Real secdb typos: each is kept, and the installed versions around it fall on the
        // side apk-tools puts them.
        let apk = VersionParser::Scheme(Scheme::Apk);
        for (fixed, vulnerable, safe) in [
            ("4.8.0.-r1", "4.8.0-r1", "4.8.1-r0"),
            ("1.7.5.-r1", "1.7.5-r0", "1.7.6-r0"),
            ("10.2.22.r0", "10.2.22-r0", "10.2.23-r0"),
        ] {
            let r = range_in(apk, &[("introduced", "0"), ("fixed", fixed)]);
            assert!(
                r.affects(&apk.parse_installed(vulnerable).unwrap())
                    .unwrap(),
                "{vulnerable} < {fixed}"
            );
            assert!(
                !r.affects(&apk.parse_installed(safe).unwrap()).unwrap(),
                "{safe} > {fixed}"
            );
        }
        // Installed versions stay strict: apk never installs these.
        assert!(apk.parse_installed("4.8.0.-r1").is_err());
    }

    #[test]
    fn missing_id_is_an_error_and_broken_json_too() {
        let e = parse_record(br#"{"affected": []}"#).unwrap_err();
        assert!(e.contains("field `id`"), "{e}");
        assert!(parse_record(b"{\"id\": 5}").is_err());
        assert!(parse_record(b"not json").is_err());
    }

    #[test]
    fn withdrawn_and_text_ratings() {
        let a = parse_record(
            br#"{"id": "GHSA-1", "withdrawn": "2024-01-01T00:00:00Z",
                "database_specific": {"severity": "MODERATE"},
                "affected": [{"package": {"ecosystem": "npm", "name": "x"},
                  "ecosystem_specific": {"severity": "high"},
                  "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"last_affected": "1.0.0"}]}]}]}"#,
        )
        .unwrap();
        assert!(a.withdrawn);
        assert_eq!(a.rating.severity, Severity::Medium);
        assert_eq!(
            a.affected[0].rating.as_ref().unwrap().severity,
            Severity::High
        );
    }

    #[test]
    fn range_without_introduced_is_malformed() {
        let a = parse_record(
            br#"{"id": "X-1", "affected": [{"package": {"ecosystem": "crates.io", "name": "x"},
                "ranges": [{"type": "SEMVER", "events": [{"fixed": "1.0.0"}]}]}]}"#,
        )
        .unwrap();
        assert!(a.affected.is_empty());
        assert!(
            matches!(&a.skipped[..], [Skip::Malformed { field, .. }] if field == "affected[0].ranges[0].events")
        );
    }
}
