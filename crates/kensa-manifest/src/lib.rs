//! Deployment manifests: Kubernetes objects, ECS task definitions and Compose files read
//! into one workload model and checked with one rule set.
//!
//! [`read_manifests`] parses each input ([`yaml`], bounded against hostile documents),
//! tells the format of each document from its content ([`kubernetes`], [`ecs`],
//! [`compose`]) and fills a [`Manifests`]; [`check`] runs every rule of [`RULES`] over it
//! and turns the hits into [`kensa_core::Finding`]s whose location names the file, the
//! line, the document (`2: Deployment/web`) and the field path. Hits a document asks to
//! ignore become suppressed findings with the reason.

mod analyzer;
pub mod compose;
pub mod ecs;
pub mod images;
pub mod kubernetes;
pub mod model;
pub mod rules;
pub mod source;
mod value;
pub mod yaml;

use kensa_core::{Finding, Location, NoteLevel, ScanNote, Scanner, SuppressedFinding};

pub use analyzer::{MANIFEST_ANALYZER, ManifestAnalyzer};
pub use images::{ImagesInScan, KnownImage};
pub use model::Manifests;
pub use rules::{Context, MANIFEST_RULES, ManifestRule, RULES};
pub use source::{Disk, Input, Loader, NoFiles, load};

/// The `found_by` of this crate's notes.
pub const FOUND_BY: &str = "manifest";

/// Why manifests could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A file is not valid YAML or JSON, or exceeds a limit.
    #[error("`{file}`: {error}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong, with its line.
        error: yaml::YamlError,
    },
    /// A Compose `extends` cannot be followed: a missing file or service, a cycle.
    #[error("`{file}` line {line}: {message}")]
    Extends {
        /// The file with the `extends`.
        file: String,
        /// The line of the `extends` key.
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// A path could not be read.
    #[error("`{path}`: {message}")]
    Read {
        /// The path.
        path: String,
        /// What went wrong.
        message: String,
    },
}

/// The `manifest` section of the settings file (`kensa.yaml`).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ManifestConfig {
    /// Rules not to report for any manifest, each with why:
    /// `ignore: {KS-MF-017: "CPU limits are set by the namespace's LimitRange"}`.
    pub ignore: std::collections::BTreeMap<String, String>,
}

impl ManifestConfig {
    /// Moves the findings of ignored rules to `suppressed`, with the settings' reason.
    pub fn apply(&self, outcome: &mut Outcome) {
        if self.ignore.is_empty() {
            return;
        }
        let findings = std::mem::take(&mut outcome.findings);
        for f in findings {
            match self
                .ignore
                .iter()
                .find(|(id, _)| id.eq_ignore_ascii_case(&f.id))
            {
                Some((id, why)) => outcome.suppressed.push(SuppressedFinding {
                    finding: f,
                    reason: format!("settings file `manifest.ignore.{id}`: {why}"),
                }),
                None => outcome.findings.push(f),
            }
        }
    }
}

/// What a check found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings reported.
    pub findings: Vec<Finding>,
    /// Findings a document asked to ignore, with the reason.
    pub suppressed: Vec<SuppressedFinding>,
    /// What was not checked, and why.
    pub notes: Vec<ScanNote>,
    /// Documents read.
    pub documents: usize,
    /// Workloads checked.
    pub workloads: usize,
}

/// Parses every input and reads each document into the model. A document of no known
/// format is a note; a file that does not parse is an error naming it and the line.
/// Compose `extends` of another file is noted, not merged: [`read_manifests_with`]
/// takes a [`Loader`] that reads it.
pub fn read_manifests(inputs: &[Input]) -> Result<Manifests, ManifestError> {
    read_manifests_with(inputs, &NoFiles)
}

/// [`read_manifests`], with the files Compose `extends` names read by `loader`.
pub fn read_manifests_with(
    inputs: &[Input],
    loader: &dyn Loader,
) -> Result<Manifests, ManifestError> {
    let mut m = Manifests::default();
    for input in inputs {
        let chunks = yaml::parse_chunked(&input.text).map_err(|error| ManifestError::Parse {
            file: input.name.clone(),
            error,
        })?;
        // Reading documents into the model, and dropping their trees, cost as much as a
        // third of parsing them; each piece of the stream is read on the thread that
        // takes it, and the pieces' models are joined in order.
        let mut first = Vec::with_capacity(chunks.len());
        let mut index = 1;
        for chunk in &chunks {
            first.push(index);
            index += chunk.len();
        }
        use rayon::prelude::*;
        let parts: Vec<Result<Manifests, ManifestError>> = chunks
            .into_par_iter()
            .zip(first)
            .map(|(docs, first)| {
                let mut part = Manifests::default();
                read_documents(input, first, &docs, &mut part, loader)?;
                Ok(part)
            })
            .collect();
        for part in parts {
            m.append(part?);
        }
    }
    Ok(m)
}

/// Reads `docs`, the first of which is document `first` of `input`.
fn read_documents(
    input: &Input,
    first: usize,
    docs: &[yaml::Node],
    m: &mut Manifests,
    loader: &dyn Loader,
) -> Result<(), ManifestError> {
    {
        for (i, doc) in docs.iter().enumerate() {
            if doc.is_null() {
                continue;
            }
            m.documents += 1;
            let index = first + i;
            if kubernetes::detect(doc) {
                kubernetes::read(&input.name, index, doc, m);
            } else if ecs::detect(doc) {
                ecs::read(&input.name, index, doc, m);
            } else if compose::detect(doc) {
                compose::read(&input.name, index, doc, m, loader)?;
            } else {
                if input.explicit {
                    m.notes.push(ScanNote {
                        level: NoteLevel::Warning,
                        found_by: FOUND_BY.to_owned(),
                        location: Location::path(&input.name).with_line(doc.line.max(1)),
                        message: format!(
                            "document {index} is neither a Kubernetes object, an ECS task definition nor a Compose file; not checked"
                        ),
                    });
                }
            }
        }
    }
    Ok(())
}

/// What one rule yielded.
struct RuleResult {
    findings: Vec<Finding>,
    suppressed: Vec<SuppressedFinding>,
    unresolved: Vec<(String, model::At, String, &'static str)>,
}

/// A rule's hits as findings, split by what the documents ask to ignore.
fn findings_of(rule: &dyn ManifestRule, out: rules::Out) -> RuleResult {
    let meta = rule.meta();
    let scanner = if meta.section == kensa_core::Section::EmbeddedClearTextSecrets {
        Scanner::Secret
    } else {
        Scanner::Config
    };
    let mut result = RuleResult {
        findings: Vec::with_capacity(out.hits.len()),
        suppressed: Vec::new(),
        unresolved: out
            .unresolved
            .into_iter()
            .map(|(file, at, expr)| (file, at, expr, meta.id))
            .collect(),
    };
    for hit in out.hits {
        let field = (!hit.at.path.is_empty()).then_some(hit.at.path);
        let location = Location {
            line: Some(hit.at.line.max(1)),
            document: Some(hit.origin.describe()),
            path: Some(hit.at.file.unwrap_or(hit.origin.file)),
            field,
            ..Location::default()
        };
        let message = match &hit.container {
            Some(c) => format!("container `{c}`: {}", hit.message),
            None => hit.message,
        };
        let finding = meta.finding(scanner, location, Some(message));
        match hit
            .ignores
            .iter()
            .find(|i| i.id.eq_ignore_ascii_case(meta.id))
        {
            Some(ignore) => result.suppressed.push(SuppressedFinding {
                finding,
                reason: ignore.reason.clone(),
            }),
            None => result.findings.push(finding),
        }
    }
    result
}

/// Runs every rule over `m`.
pub fn check(m: &Manifests, ctx: &Context<'_>) -> Outcome {
    let mut outcome = Outcome {
        notes: m.notes.clone(),
        documents: m.documents,
        workloads: m.workloads.len(),
        ..Outcome::default()
    };
    if m.documents == 0 && !ctx.partial {
        outcome.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: FOUND_BY.to_owned(),
            location: Location::default(),
            message: "no YAML or JSON document was found in the given paths; nothing was checked"
                .to_owned(),
        });
    }
    // Rules are independent readers of the model, so they run (and turn their hits into
    // findings) in parallel; the results are gathered in registry order, which keeps the
    // report deterministic.
    use rayon::prelude::*;
    let per_rule: Vec<RuleResult> = RULES
        .par_iter()
        .map(|rule| {
            let mut out = rules::Out::default();
            rule.check(m, ctx, &mut out);
            findings_of(*rule, out)
        })
        .collect();
    let mut unresolved = Vec::new();
    for r in per_rule {
        outcome.findings.extend(r.findings);
        outcome.suppressed.extend(r.suppressed);
        unresolved.extend(r.unresolved);
    }
    unresolved.sort();
    unresolved.dedup_by(|a, b| a.0 == b.0 && a.1 == b.1);
    for (file, at, expr, id) in unresolved {
        outcome.notes.push(ScanNote {
            level: NoteLevel::Info,
            found_by: FOUND_BY.to_owned(),
            location: Location {
                path: Some(file),
                line: Some(at.line.max(1)),
                field: Some(at.path.clone()),
                ..Location::default()
            },
            message: format!(
                "`{}` is `{expr}`, decided at deploy time; {id} and the rules reading it could not judge it",
                at.path
            ),
        });
    }
    for w in &m.workloads {
        if w.dialect.is_ecs()
            && let Some(mode) = &w.network_mode
            && mode.get().is_some_and(|m| m == "awsvpc")
        {
            outcome.notes.push(ScanNote {
                level: NoteLevel::Info,
                found_by: FOUND_BY.to_owned(),
                location: Location {
                    path: Some(w.origin.file.clone()),
                    line: Some(mode.at.line.max(1)),
                    document: Some(w.origin.describe()),
                    field: Some(mode.at.path.clone()),
                    ..Location::default()
                },
                message: "`awsvpc` network mode: the task's egress is controlled by its security groups and the subnet's NACLs, which are outside this file; check them for an egress restriction".to_owned(),
            });
        }
    }
    outcome
}
