//! The CycloneDX 1.6 JSON BOM (`--format cyclonedx`): the artifact as the BOM's subject,
//! its operating system and every package as components, where kensa found each one as
//! `kensa:` properties (K4), and the files a package owns as nested `file` components.
//!
//! The BOM is a pure function of the report: the serial number is derived from a hash
//! of the inventory and no timestamp is written, so two renders of one report are
//! byte-identical.

use std::collections::BTreeSet;
use std::io::{self, Write};

use kensa_core::{Artifact, ArtifactKind, Package, Relationship, Report};
use serde::Serialize;

use crate::RenderOptions;
use crate::spdx::{License, UniqueIds, content_uuid};

pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    _options: &RenderOptions,
) -> io::Result<()> {
    let serial = format!("urn:uuid:{}", content_uuid("cyclonedx-1.6", report)?);
    let bom = bom(report, serial);
    crate::write_json(w, &bom)
}

/// True for the artifact kinds that are container images (as opposed to a directory).
pub(crate) fn is_image(kind: ArtifactKind) -> bool {
    match kind {
        ArtifactKind::DockerArchive
        | ArtifactKind::OciLayout
        | ArtifactKind::OciArchive
        | ArtifactKind::Registry => true,
        ArtifactKind::Rootfs | ArtifactKind::Filesystem => false,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Bom<'a> {
    bom_format: &'static str,
    spec_version: &'static str,
    serial_number: String,
    version: u32,
    metadata: Metadata<'a>,
    components: Vec<Component<'a>>,
    dependencies: Vec<Dependency>,
}

#[derive(Serialize)]
struct Metadata<'a> {
    tools: Tools<'a>,
    component: Component<'a>,
}

#[derive(Serialize)]
struct Tools<'a> {
    components: Vec<Component<'a>>,
}

#[derive(Serialize)]
struct Component<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref", skip_serializing_if = "Option::is_none")]
    bom_ref: Option<String>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<&'a str>,
    /// `excluded` for development-only packages (CycloneDX: "not part of the runtime").
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component<'a>>,
}

impl<'a> Component<'a> {
    fn new(kind: &'static str, name: &'a str) -> Self {
        Component {
            kind,
            bom_ref: None,
            name,
            version: None,
            description: None,
            licenses: Vec::new(),
            purl: None,
            scope: None,
            properties: Vec::new(),
            components: Vec::new(),
        }
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseChoice<'a> {
    License { license: LicenseEntry<'a> },
    Expression { expression: String },
}

#[derive(Serialize)]
#[serde(untagged)]
enum LicenseEntry<'a> {
    Id { id: &'static str },
    Name { name: &'a str },
}

#[derive(Serialize)]
struct Property {
    name: &'static str,
    value: String,
}

fn property(name: &'static str, value: impl Into<String>) -> Property {
    Property {
        name,
        value: value.into(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Dependency {
    #[serde(rename = "ref")]
    bom_ref: String,
    depends_on: Vec<String>,
}

fn bom(report: &Report, serial: String) -> Bom<'_> {
    let artifact = &report.artifact;
    let mut refs = UniqueIds::default();
    let artifact_ref = refs.claim(&format!(
        "artifact:{}",
        artifact
            .digest
            .as_ref()
            .map_or(artifact.name.as_str(), |d| d.as_str())
    ));
    let mut everything = Vec::with_capacity(report.packages.len() + 1);
    let mut components = Vec::with_capacity(report.packages.len() + 1);

    let os_ref = artifact.os.as_ref().map(|os| {
        let bom_ref = refs.claim(&format!("os:{}@{}", os.family, os.version));
        let mut c = Component::new("operating-system", &os.family);
        c.bom_ref = Some(bom_ref.clone());
        c.version = Some(os.version.as_str());
        c.description = os.pretty_name.as_deref();
        if let Some(codename) = &os.codename {
            c.properties
                .push(property("kensa:os:codename", codename.as_str()));
        }
        components.push(c);
        everything.push(bom_ref.clone());
        bom_ref
    });

    // A scanned directory whose one project has a root describes that project: the root
    // is the BOM's subject (as `cargo cyclonedx` and npm's own SBOMs make it), with the
    // directory's properties. An image (or its root filesystem) stays the subject of its
    // BOM, whatever projects it holds.
    let subject = subject_root(report);
    let mut subject_component = None;
    let mut os_packages = Vec::new();
    for (i, p) in report.packages.iter().enumerate() {
        let base = p
            .purl
            .clone()
            .unwrap_or_else(|| format!("{}:{}@{}", p.ecosystem.as_str(), p.name, p.version));
        // The same purl can be installed twice (two `node_modules` trees); each copy
        // stays its own component, with its own location.
        let bom_ref = refs.claim_with(&base, |n| format!("{base}~{n}"));
        if Some(i) == subject {
            subject_component = Some(package(p, bom_ref));
            continue;
        }
        if p.ecosystem.is_os() && os_ref.is_some() {
            os_packages.push(bom_ref.clone());
        }
        everything.push(bom_ref.clone());
        components.push(package(p, bom_ref));
    }

    let component = match subject_component {
        Some(mut root) => {
            // The scanned directory is no component of its own here; its name stays.
            root.properties
                .push(property("kensa:artifact:name", artifact.name.as_str()));
            root.properties
                .extend(artifact_component(artifact, String::new()).properties);
            dedup_properties(&mut root.properties);
            root
        }
        None => artifact_component(artifact, artifact_ref),
    };
    let mut dependencies = vec![Dependency {
        bom_ref: component.bom_ref.clone().unwrap_or_default(),
        depends_on: everything,
    }];
    if let Some(os_ref) = os_ref {
        dependencies.push(Dependency {
            bom_ref: os_ref,
            depends_on: os_packages,
        });
    }

    let mut tool = Component::new("application", "kensa");
    tool.version = Some(report.kensa_version.as_str());

    Bom {
        bom_format: "CycloneDX",
        spec_version: "1.6",
        serial_number: serial,
        version: 1,
        metadata: Metadata {
            tools: Tools {
                components: vec![tool],
            },
            component,
        },
        components,
        dependencies,
    }
}

/// The index of the package that is the document's subject: the one root of a scanned
/// directory's projects (not of an image or a root filesystem, and not when several
/// projects have roots).
pub(crate) fn subject_root(report: &Report) -> Option<usize> {
    // A root filesystem is an unpacked image: it stays the subject, as an image does.
    if report.artifact.kind != ArtifactKind::Filesystem {
        return None;
    }
    let mut roots = report
        .packages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.relationship == Some(Relationship::Root));
    match (roots.next(), roots.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}

fn artifact_component(artifact: &Artifact, bom_ref: String) -> Component<'_> {
    let kind = if is_image(artifact.kind) {
        "container"
    } else {
        "file"
    };
    let mut c = Component::new(kind, &artifact.name);
    c.bom_ref = Some(bom_ref);
    // The image id, as Syft does: it names exactly this image, where a tag does not.
    c.version = artifact.digest.as_ref().map(|d| d.as_str());
    if let Ok(serde_json::Value::String(k)) = serde_json::to_value(artifact.kind) {
        c.properties.push(property("kensa:artifact:kind", k));
    }
    if let Some(d) = &artifact.manifest_digest {
        c.properties
            .push(property("kensa:image:manifest_digest", d.as_str()));
    }
    if let Some(platform) = &artifact.platform {
        c.properties
            .push(property("kensa:image:platform", platform.as_str()));
    }
    for tag in &artifact.repo_tags {
        c.properties.push(property("kensa:image:tag", tag.as_str()));
    }
    dedup_properties(&mut c.properties);
    c
}

fn package(p: &Package, bom_ref: String) -> Component<'_> {
    let kind = match p.relationship {
        Some(Relationship::Root) => "application",
        Some(Relationship::Workspace) | None => "library",
    };
    let mut c = Component::new(kind, &p.name);
    c.bom_ref = Some(bom_ref);
    c.version = Some(p.version.as_str()).filter(|v| !v.is_empty());
    c.purl = p.purl.as_deref();
    c.scope = p.dev.then_some("excluded");
    c.licenses = licenses(&p.licenses);
    let props = &mut c.properties;
    props.push(property("kensa:package:ecosystem", p.ecosystem.as_str()));
    if let Some(arch) = &p.arch {
        props.push(property("kensa:package:arch", arch.as_str()));
    }
    if let Some(source) = &p.source {
        props.push(property("kensa:package:source", source.name.as_str()));
        if let Some(v) = &source.version {
            props.push(property("kensa:package:source_version", v.as_str()));
        }
    }
    if let Some(direct) = p.direct {
        props.push(property("kensa:package:direct", direct.to_string()));
    }
    if let Some(relationship) = p.relationship {
        props.push(property(
            "kensa:package:relationship",
            relationship.as_str(),
        ));
    }
    props.push(property("kensa:found_by", p.found_by.as_str()));
    let loc = &p.location;
    if let Some(layer) = &loc.layer {
        props.push(property("kensa:layer:diff_id", layer.as_str()));
    }
    if let Some(index) = loc.layer_index {
        props.push(property("kensa:layer:index", index.to_string()));
    }
    if let Some(path) = &loc.path {
        props.push(property("kensa:location:path", path.as_str()));
    }
    if let Some(line) = loc.line {
        props.push(property("kensa:location:line", line.to_string()));
    }
    // The schema wants unique items; a database can list a file twice.
    let files: BTreeSet<&str> = p.files.iter().map(String::as_str).collect();
    c.components = files
        .into_iter()
        .map(|path| Component::new("file", path))
        .collect();
    c
}

/// CycloneDX takes either a list of ids and names or exactly one expression, never a
/// mix: a lone expression is written as one, otherwise an expression among several
/// licenses is kept as a name so that nothing recorded is lost.
fn licenses(raw: &[String]) -> Vec<LicenseChoice<'_>> {
    let mut distinct = BTreeSet::new();
    let classified: Vec<(License<'_>, &str)> = raw
        .iter()
        .filter(|s| distinct.insert(s.trim()))
        .filter_map(|s| License::classify(s).map(|l| (l, s.trim())))
        .collect();
    if let [(License::Expression(e), _)] = classified.as_slice() {
        return vec![LicenseChoice::Expression {
            expression: e.clone(),
        }];
    }
    let mut out = Vec::with_capacity(classified.len());
    let mut seen = BTreeSet::new();
    for (license, original) in classified {
        let (key, entry) = match license {
            License::Id(id) => (id, LicenseEntry::Id { id }),
            License::Expression(_) | License::Named(_) => {
                (original, LicenseEntry::Name { name: original })
            }
        };
        if seen.insert(key) {
            out.push(LicenseChoice::License { license: entry });
        }
    }
    out
}

/// The schema wants unique properties; tags can repeat in a hostile archive.
fn dedup_properties(props: &mut Vec<Property>) {
    let mut seen = BTreeSet::new();
    props.retain(|p| seen.insert((p.name, p.value.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(v: &[LicenseChoice<'_>]) -> String {
        serde_json::to_string(v).unwrap()
    }

    #[test]
    fn a_lone_expression_is_an_expression() {
        // Recorded twice is still one license.
        let raw = vec![
            "MIT or Apache-2.0".to_owned(),
            " MIT or Apache-2.0".to_owned(),
        ];
        assert_eq!(
            json(&licenses(&raw)),
            r#"[{"expression":"MIT OR Apache-2.0"}]"#
        );
    }

    #[test]
    fn ids_and_names_mix_and_expressions_among_others_become_names() {
        let raw = vec![
            "MIT".to_owned(),
            " ".to_owned(),
            "GPL-2+".to_owned(),
            "MIT OR Apache-2.0".to_owned(),
            "MIT".to_owned(),
        ];
        assert_eq!(
            json(&licenses(&raw)),
            r#"[{"license":{"id":"MIT"}},{"license":{"name":"GPL-2+"}},{"license":{"name":"MIT OR Apache-2.0"}}]"#
        );
        assert_eq!(json(&licenses(&[])), "[]");
    }

    #[test]
    fn every_kind_is_an_image_or_not() {
        assert!(is_image(ArtifactKind::Registry));
        assert!(is_image(ArtifactKind::OciLayout));
        assert!(!is_image(ArtifactKind::Filesystem));
        assert!(!is_image(ArtifactKind::Rootfs));
    }
}
