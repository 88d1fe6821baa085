//! The SPDX 2.3 JSON document (`--format spdx-json`): the artifact, its operating system
//! and every package, with `DESCRIBES` and `CONTAINS` relationships between them.
//!
//! The document is a pure function of the report: the namespace is derived from a hash
//! of the inventory and `created` is fixed (see [`CREATED`]), so two renders of one
//! report are byte-identical and snapshot tests stay stable.
//!
//! Files owned by packages are left out on purpose: SPDX 2.3 requires every file
//! element to carry a SHA-1 checksum, and requires `filesAnalyzed: true` on a package
//! that `CONTAINS` files, which in turn promises a file-level analysis kensa does not
//! do. The CycloneDX document carries the file lists instead.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

use kensa_core::{Artifact, Package, Report};
use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::RenderOptions;

/// The document's creation time. SPDX requires one; a report does not record when it
/// was made, and a wall-clock time would make every render differ. The Unix epoch is
/// an obviously artificial value rather than a plausible-looking wrong one.
const CREATED: &str = "1970-01-01T00:00:00Z";

/// The base of `documentNamespace`. SPDX asks for a unique URI, not a resolvable one;
/// `.invalid` is reserved (RFC 2606) so the namespace can never collide with a real site.
const NAMESPACE_BASE: &str = "https://kensa.invalid/spdx";

const NOASSERTION: &str = "NOASSERTION";

pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    _options: &RenderOptions,
) -> io::Result<()> {
    let uuid = content_uuid("spdx-2.3", report)?;
    let doc = document(report, &uuid);
    crate::write_json(w, &doc)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Document<'a> {
    spdx_version: &'static str,
    data_license: &'static str,
    #[serde(rename = "SPDXID")]
    spdx_id: &'static str,
    name: &'a str,
    document_namespace: String,
    creation_info: CreationInfo,
    packages: Vec<SpdxPackage<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    has_extracted_licensing_infos: Vec<ExtractedLicense<'a>>,
    relationships: Vec<Relationship>,
}

#[derive(Serialize)]
struct CreationInfo {
    created: &'static str,
    creators: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SpdxPackage<'a> {
    name: &'a str,
    #[serde(rename = "SPDXID")]
    spdx_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version_info: Option<&'a str>,
    download_location: &'static str,
    files_analyzed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    source_info: Option<String>,
    license_concluded: &'static str,
    license_declared: String,
    copyright_text: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_refs: Vec<ExternalRef<'a>>,
    primary_package_purpose: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExternalRef<'a> {
    reference_category: &'static str,
    reference_type: &'static str,
    reference_locator: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ExtractedLicense<'a> {
    license_id: String,
    extracted_text: &'a str,
    name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Relationship {
    spdx_element_id: String,
    relationship_type: &'static str,
    related_spdx_element: String,
}

impl Relationship {
    fn new(from: &str, kind: &'static str, to: &str) -> Self {
        Relationship {
            spdx_element_id: from.to_owned(),
            relationship_type: kind,
            related_spdx_element: to.to_owned(),
        }
    }
}

fn document<'a>(report: &'a Report, uuid: &str) -> Document<'a> {
    let artifact = &report.artifact;
    let mut ids = UniqueIds::default();
    let mut refs = LicenseRefs::default();
    let mut packages = Vec::with_capacity(report.packages.len() + 2);
    let mut relationships = Vec::with_capacity(2 * report.packages.len() + 2);

    let artifact_id = ids.claim(&spdx_id("Artifact", &[]));
    // A directory whose one project has a root describes that project (see
    // `cyclonedx::subject_root`); the directory still contains every package.
    let subject = crate::cyclonedx::subject_root(report);
    if subject.is_none() {
        relationships.push(Relationship::new(
            "SPDXRef-DOCUMENT",
            "DESCRIBES",
            &artifact_id,
        ));
    }
    packages.push(artifact_package(artifact, artifact_id.clone()));

    let os_id = artifact.os.as_ref().map(|os| {
        let id = ids.claim(&spdx_id("OperatingSystem", &[&os.family, &os.version]));
        relationships.push(Relationship::new(&artifact_id, "CONTAINS", &id));
        packages.push(SpdxPackage {
            name: non_empty(&os.family),
            spdx_id: id.clone(),
            version_info: Some(os.version.as_str()).filter(|v| !v.is_empty()),
            download_location: NOASSERTION,
            files_analyzed: false,
            source_info: None,
            license_concluded: NOASSERTION,
            license_declared: NOASSERTION.to_owned(),
            copyright_text: NOASSERTION,
            description: os.pretty_name.as_deref(),
            external_refs: Vec::new(),
            primary_package_purpose: "OPERATING-SYSTEM",
        });
        id
    });

    let mut os_contains = Vec::new();
    for (i, p) in report.packages.iter().enumerate() {
        let id = ids.claim(&spdx_id(
            "Package",
            &[p.ecosystem.as_str(), &p.name, &p.version],
        ));
        if Some(i) == subject {
            relationships.insert(0, Relationship::new("SPDXRef-DOCUMENT", "DESCRIBES", &id));
        }
        relationships.push(Relationship::new(&artifact_id, "CONTAINS", &id));
        if let Some(os_id) = os_id.as_deref().filter(|_| p.ecosystem.is_os()) {
            os_contains.push(Relationship::new(os_id, "CONTAINS", &id));
        }
        packages.push(package(p, id, &mut refs));
    }
    relationships.extend(os_contains);

    Document {
        spdx_version: "SPDX-2.3",
        data_license: "CC0-1.0",
        spdx_id: "SPDXRef-DOCUMENT",
        name: non_empty(&artifact.name),
        document_namespace: format!("{NAMESPACE_BASE}/{}-{uuid}", uri_segment(&artifact.name)),
        creation_info: CreationInfo {
            created: CREATED,
            creators: vec![format!("Tool: kensa-{}", report.kensa_version)],
        },
        packages,
        has_extracted_licensing_infos: refs.into_extracted(),
        relationships,
    }
}

fn artifact_package(artifact: &Artifact, id: String) -> SpdxPackage<'_> {
    let is_image = crate::cyclonedx::is_image(artifact.kind);
    SpdxPackage {
        name: non_empty(&artifact.name),
        spdx_id: id,
        // The image id, as Syft does: it names exactly this image, where a tag does not.
        version_info: artifact.digest.as_ref().map(|d| d.as_str()),
        download_location: NOASSERTION,
        files_analyzed: false,
        source_info: None,
        license_concluded: NOASSERTION,
        license_declared: NOASSERTION.to_owned(),
        copyright_text: NOASSERTION,
        description: None,
        external_refs: Vec::new(),
        primary_package_purpose: if is_image { "CONTAINER" } else { "FILE" },
    }
}

fn package<'a>(p: &'a Package, id: String, refs: &mut LicenseRefs<'a>) -> SpdxPackage<'a> {
    SpdxPackage {
        name: non_empty(&p.name),
        spdx_id: id,
        version_info: Some(p.version.as_str()).filter(|v| !v.is_empty()),
        download_location: NOASSERTION,
        files_analyzed: false,
        source_info: Some(source_info(p)),
        license_concluded: NOASSERTION,
        license_declared: declared_license(&p.licenses, refs),
        copyright_text: NOASSERTION,
        description: None,
        external_refs: p
            .purl
            .as_deref()
            .map(|purl| ExternalRef {
                reference_category: "PACKAGE-MANAGER",
                reference_type: "purl",
                reference_locator: purl,
            })
            .into_iter()
            .collect(),
        primary_package_purpose: match p.relationship {
            Some(kensa_core::Relationship::Root) => "APPLICATION",
            Some(kensa_core::Relationship::Workspace) | None => "LIBRARY",
        },
    }
}

/// Where kensa read the package, in SPDX's free-text field for the package's origin;
/// SPDX has no structured place for a layer.
fn source_info(p: &Package) -> String {
    let mut s = format!("found by kensa {}", p.found_by);
    if let Some(path) = &p.location.path {
        s.push_str(" in ");
        s.push_str(path);
        if let Some(line) = p.location.line {
            s.push_str(&format!(" line {line}"));
        }
    }
    if let Some(layer) = &p.location.layer {
        s.push_str(" of layer ");
        s.push_str(layer.as_str());
    }
    s
}

/// SPDX requires non-empty names; analyzers should never produce an empty one, but a
/// hostile database could.
fn non_empty(s: &str) -> &str {
    if s.is_empty() { "unnamed" } else { s }
}

/// `licenseDeclared`: the recorded licenses joined with `AND` (a package that lists
/// several is under all of them), each a license id, a valid expression, or a
/// `LicenseRef-` whose text is in `hasExtractedLicensingInfos`.
fn declared_license<'a>(licenses: &'a [String], refs: &mut LicenseRefs<'a>) -> String {
    let mut parts: Vec<String> = Vec::new();
    for raw in licenses {
        let part = match License::classify(raw) {
            None => continue,
            Some(License::Id(id)) => id.to_owned(),
            Some(License::Expression(e)) => format!("({e})"),
            Some(License::Named(name)) => refs.id_for(name),
        };
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    match parts.as_slice() {
        [] => NOASSERTION.to_owned(),
        [only] => only
            .strip_prefix('(')
            .and_then(|s| s.strip_suffix(')'))
            .unwrap_or(only)
            .to_owned(),
        _ => parts.join(" AND "),
    }
}

/// A recorded license string, classified by what SPDX (and CycloneDX) can say about it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum License<'a> {
    /// A current SPDX license id, spelled exactly.
    Id(&'static str),
    /// A compound SPDX expression of current ids and exceptions, with upper-case
    /// operators and no `+`.
    Expression(String),
    /// Anything else: a free-text name (`GPL-2+`, `BSD-like`, `see LICENSE`).
    Named(&'a str),
}

impl<'a> License<'a> {
    /// `None` for a blank string. Deprecated ids (`GPL-2.0`), `LicenseRef-`s and `+`
    /// count as names: validators and readers differ on them (spdx-tools rejects
    /// `MIT+`), and a name is never wrong.
    pub(crate) fn classify(raw: &'a str) -> Option<Self> {
        let s = raw.trim();
        if s.is_empty() {
            return None;
        }
        if let Some(id) = ::spdx::license_id(s).filter(|id| id.name == s && !id.is_deprecated()) {
            return Some(License::Id(id.name));
        }
        // SPDX operators are case-insensitive in the spec but not to every reader.
        let normalised = s
            .split_whitespace()
            .map(|t| match t.to_ascii_uppercase().as_str() {
                op @ ("AND" | "OR" | "WITH") => op.to_owned(),
                _ => t.to_owned(),
            })
            .collect::<Vec<_>>()
            .join(" ");
        match ::spdx::Expression::parse_mode(&normalised, ::spdx::ParseMode::STRICT) {
            Ok(expr)
                if expr.requirements().all(|r| {
                    matches!(
                        r.req.license,
                        ::spdx::LicenseItem::Spdx {
                            or_later: false,
                            ..
                        }
                    ) && r
                        .req
                        .addition
                        .as_ref()
                        .is_none_or(|a| matches!(a, ::spdx::AdditionItem::Spdx(_)))
                }) =>
            {
                Some(License::Expression(normalised))
            }
            _ => Some(License::Named(s)),
        }
    }
}

/// The `LicenseRef-` ids of free-text licenses, one per distinct text.
#[derive(Default)]
struct LicenseRefs<'a> {
    by_text: BTreeMap<&'a str, String>,
    ids: UniqueIds,
}

impl<'a> LicenseRefs<'a> {
    fn id_for(&mut self, text: &'a str) -> String {
        if let Some(id) = self.by_text.get(text) {
            return id.clone();
        }
        let id = self.ids.claim(&format!("LicenseRef-{}", id_string(text)));
        self.by_text.insert(text, id.clone());
        id
    }

    /// Sorted by id, so the list does not depend on which package named a text first.
    fn into_extracted(self) -> Vec<ExtractedLicense<'a>> {
        let mut out: Vec<_> = self
            .by_text
            .into_iter()
            .map(|(text, license_id)| ExtractedLicense {
                license_id,
                extracted_text: text,
                name: text,
            })
            .collect();
        out.sort_by(|a, b| a.license_id.cmp(&b.license_id));
        out
    }
}

/// `SPDXRef-<kind>-<parts…>` with every part reduced to the characters SPDX allows.
fn spdx_id(kind: &str, parts: &[&str]) -> String {
    let mut id = format!("SPDXRef-{kind}");
    for part in parts {
        id.push('-');
        id.push_str(&id_string(part));
    }
    id
}

/// SPDX ids (`SPDXRef-…`, `LicenseRef-…`) allow only `[A-Za-z0-9.-]`.
fn id_string(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.is_empty() {
        "empty".to_owned()
    } else {
        out
    }
}

/// The artifact name as a readable URI path segment; the UUID carries the uniqueness.
fn uri_segment(name: &str) -> String {
    let s: String = name
        .chars()
        .take(100)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "artifact".to_owned()
    } else {
        s
    }
}

/// Hands out ids that are unique in one document: the first claim of a base gets it
/// as is, later ones get `-2`, `-3`, … (or the next free one).
#[derive(Default)]
pub(crate) struct UniqueIds {
    taken: HashSet<String>,
}

impl UniqueIds {
    pub(crate) fn claim(&mut self, base: &str) -> String {
        self.claim_with(base, |n| format!("{base}-{n}"))
    }

    pub(crate) fn claim_with(&mut self, base: &str, nth: impl Fn(u64) -> String) -> String {
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        let mut n: u64 = 2;
        loop {
            let candidate = nth(n);
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n = n.saturating_add(1);
        }
    }
}

/// A UUID (RFC 4122 layout, version 5 bits) from a SHA-256 of what the document says:
/// the format, the artifact and the inventory. The same report gives the same UUID,
/// a different inventory a different one. The kensa version is left out, so an
/// upgrade alone does not rename an unchanged SBOM.
pub(crate) fn content_uuid(format: &str, report: &Report) -> io::Result<String> {
    let mut h = Sha256::new();
    h.update(format.as_bytes());
    h.update([0]);
    h.update(serde_json::to_vec(&report.artifact)?);
    h.update([0]);
    h.update(serde_json::to_vec(&report.packages)?);
    let hash = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&hash[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_ids_expressions_and_names() {
        assert_eq!(License::classify(" MIT "), Some(License::Id("MIT")));
        assert_eq!(
            License::classify("GPL-2.0-or-later"),
            Some(License::Id("GPL-2.0-or-later"))
        );
        assert_eq!(
            License::classify("MIT or Apache-2.0"),
            Some(License::Expression("MIT OR Apache-2.0".to_owned()))
        );
        assert_eq!(
            License::classify("GPL-3.0-only WITH Classpath-exception-2.0"),
            Some(License::Expression(
                "GPL-3.0-only WITH Classpath-exception-2.0".to_owned()
            ))
        );
        for named in [
            "GPL-2+",
            "mit",
            // SPDX syntax allows `+` ("or later") after any id, but spdx-tools rejects
            // it outside the GNU family, so it is kept as text rather than risked.
            "MIT+",
            "Apache-2.0+ OR MIT",
            "GPL-2.0",
            "LicenseRef-foo",
            "MIT AND LicenseRef-foo",
            "BSD-like",
            "MIT/Apache-2.0",
            "see LICENSE",
        ] {
            assert_eq!(
                License::classify(named),
                Some(License::Named(named)),
                "{named}"
            );
        }
        assert_eq!(License::classify("  "), None);
    }

    #[test]
    fn declared_license_joins_and_defines_refs() {
        let licenses = vec![
            "MIT".to_owned(),
            "GPL-2+".to_owned(),
            "MIT OR Apache-2.0".to_owned(),
            "GPL 2+".to_owned(),
            "MIT".to_owned(),
            "GPL-2+".to_owned(),
        ];
        let mut refs = LicenseRefs::default();
        assert_eq!(
            declared_license(&licenses, &mut refs),
            "MIT AND LicenseRef-GPL-2- AND (MIT OR Apache-2.0) AND LicenseRef-GPL-2--2"
        );
        let extracted = refs.into_extracted();
        let ids: Vec<_> = extracted
            .iter()
            .map(|e| (e.license_id.as_str(), e.extracted_text))
            .collect();
        assert_eq!(
            ids,
            [
                ("LicenseRef-GPL-2-", "GPL-2+"),
                ("LicenseRef-GPL-2--2", "GPL 2+")
            ]
        );
    }

    #[test]
    fn a_single_expression_is_not_parenthesised_and_nothing_is_noassertion() {
        let one = ["MIT OR Apache-2.0".to_owned()];
        let blank = [" ".to_owned()];
        let mut refs = LicenseRefs::default();
        assert_eq!(declared_license(&one, &mut refs), "MIT OR Apache-2.0");
        assert_eq!(declared_license(&[], &mut refs), "NOASSERTION");
        assert_eq!(declared_license(&blank, &mut refs), "NOASSERTION");
    }

    #[test]
    fn ids_keep_only_allowed_characters_and_stay_unique() {
        assert_eq!(
            spdx_id("Package", &["npm", "@babel/core", "7.24.0"]),
            "SPDXRef-Package-npm--babel-core-7.24.0"
        );
        assert_eq!(
            spdx_id("Package", &["deb", "", "1:2~3"]),
            "SPDXRef-Package-deb-empty-1-2-3"
        );
        let mut ids = UniqueIds::default();
        assert_eq!(ids.claim("a"), "a");
        assert_eq!(ids.claim("a-2"), "a-2");
        assert_eq!(ids.claim("a"), "a-3");
        assert_eq!(ids.claim("a"), "a-4");
    }

    #[test]
    fn uri_segment_is_safe_and_bounded() {
        assert_eq!(
            uri_segment("registry.example/shop/api:1.4.2"),
            "registry.example-shop-api-1.4.2"
        );
        assert_eq!(uri_segment("a#b?c d"), "a-b-c-d");
        assert_eq!(uri_segment(""), "artifact");
        assert_eq!(uri_segment(&"x".repeat(500)).len(), 100);
    }
}
