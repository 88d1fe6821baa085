//! Registry hygiene (SP 800-190 4.2.2, stale images): what each tag of a repository
//! names (digest, created time from its config, size, platforms), which tags a retention
//! policy marks stale, and the same policy as an Amazon ECR lifecycle policy.
//!
//! The verdicts and the ECR policy come from one list of [`Rule`]s, judged as ECR
//! judges them (rules in priority order; the first rule whose tag selection matches an
//! image decides it, and a later rule never expires it), so what `kensa registry` marks
//! stale is what the emitted policy would expire. One difference cannot be helped: ECR
//! counts age from the push time, which the distribution API does not expose, so kensa
//! uses the `created` time of the image config.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use kensa_core::Digest;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::{Client, Manifest, Reference, RegistryError};

/// Configs are small JSON documents; a larger one is refused.
const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;
/// An index listing more image manifests than this is not read child by child.
const MAX_INDEX_CHILDREN: usize = 64;
/// Tags inspected at once: enough to hide latency, few enough to be polite.
const PARALLEL: usize = 8;
const DAY: i64 = 86_400;

/// What one tag names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagInfo {
    /// The tag.
    pub tag: String,
    /// The digest of the manifest or index the tag resolves to.
    pub digest: Digest,
    /// Its media type.
    pub media_type: String,
    /// The `created` time of the image config (the first platform's, for an index),
    /// RFC 3339 in UTC.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Seconds since the epoch of `created`.
    #[serde(skip)]
    pub created_unix: Option<i64>,
    /// Bytes stored: the manifests, configs and distinct layers the tag reaches.
    pub size: u64,
    /// `os/arch[/variant]` of each image, in the index's order.
    pub platforms: Vec<String>,
    /// Why the tag could not be read fully (a schema 1 manifest, a bad config), when so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Which tags a rule looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TagSelection {
    /// Images with a tag starting with the prefix (`tagStatus: tagged`,
    /// `tagPrefixList`); with no prefix, every tagged image (`tagPatternList: ["*"]`).
    Tagged(Option<String>),
    /// Every image (`tagStatus: any`); ECR wants this rule last.
    Any,
    /// Images without a tag (`tagStatus: untagged`).
    Untagged,
}

/// What a rule expires among the images it selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    /// All but the newest N (`imageCountMoreThan`).
    BeyondNewest(u32),
    /// Those older than N days (`sinceImagePushed`, `days`).
    OlderThanDays(u32),
}

/// One retention rule, as ECR has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Which images it judges.
    pub selection: TagSelection,
    /// Which of them it expires.
    pub expiry: Expiry,
}

/// What the user asked to keep: `--keep-last`, `--older-than`, `--tag-prefix`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Keep the newest N images (of `tag_prefix` when given).
    pub keep_last: Option<u32>,
    /// Images older than this many days are stale.
    pub older_than_days: Option<u32>,
    /// Scopes `keep_last` (or, alone, `older_than_days`) to tags with this prefix.
    pub tag_prefix: Option<String>,
}

/// A policy that cannot be expressed (or judged) as asked.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    /// A count or age of zero.
    #[error("`{flag}` must be at least 1 (ECR's smallest `countNumber`)")]
    Zero {
        /// The flag.
        flag: &'static str,
    },
    /// Both criteria judge the same tags.
    #[error(
        "`--keep-last` and `--older-than` would both judge every tag, and ECR lets only the \
         first rule that selects an image judge it; scope `--keep-last` with `--tag-prefix`"
    )]
    Overlap,
    /// An age that is not `<N>d` or `<N>w`.
    #[error("`--older-than {value}`: expected days or weeks, such as `90d` or `12w`")]
    Age {
        /// The value given.
        value: String,
    },
    /// A prefix that no tag could start with.
    #[error("`--tag-prefix {prefix}`: a tag prefix is letters, digits, `_`, `.` and `-`")]
    Prefix {
        /// The prefix given.
        prefix: String,
    },
}

/// Parses `--older-than`: `90d` or `12w`, as days.
pub fn parse_age(value: &str) -> Result<u32, PolicyError> {
    let bad = || PolicyError::Age {
        value: value.chars().take(40).collect(),
    };
    let (number, unit) = value.split_at(value.len().saturating_sub(1));
    let n: u32 = number.parse().map_err(|_| bad())?;
    match unit {
        "d" => Ok(n),
        "w" => n.checked_mul(7).ok_or_else(bad),
        _ => Err(bad()),
    }
}

impl Policy {
    /// The rules the policy stands for, in ECR priority order. Untagged images are
    /// always stale: nothing can pull them by a name.
    pub fn rules(&self) -> Result<Vec<Rule>, PolicyError> {
        if self.keep_last == Some(0) {
            return Err(PolicyError::Zero {
                flag: "--keep-last",
            });
        }
        if self.older_than_days == Some(0) {
            return Err(PolicyError::Zero {
                flag: "--older-than",
            });
        }
        if let Some(prefix) = &self.tag_prefix
            && (prefix.is_empty()
                || !prefix
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)))
        {
            return Err(PolicyError::Prefix {
                prefix: prefix.chars().take(128).collect(),
            });
        }
        let mut rules = vec![Rule {
            selection: TagSelection::Untagged,
            expiry: Expiry::OlderThanDays(1),
        }];
        match (self.keep_last, self.older_than_days, &self.tag_prefix) {
            (Some(_), Some(_), None) => return Err(PolicyError::Overlap),
            (Some(n), Some(days), Some(prefix)) => {
                rules.push(Rule {
                    selection: TagSelection::Tagged(Some(prefix.clone())),
                    expiry: Expiry::BeyondNewest(n),
                });
                rules.push(Rule {
                    selection: TagSelection::Any,
                    expiry: Expiry::OlderThanDays(days),
                });
            }
            (Some(n), None, prefix) => rules.push(Rule {
                selection: TagSelection::Tagged(prefix.clone()),
                expiry: Expiry::BeyondNewest(n),
            }),
            (None, Some(days), Some(prefix)) => rules.push(Rule {
                selection: TagSelection::Tagged(Some(prefix.clone())),
                expiry: Expiry::OlderThanDays(days),
            }),
            (None, Some(days), None) => rules.push(Rule {
                selection: TagSelection::Any,
                expiry: Expiry::OlderThanDays(days),
            }),
            (None, None, _) => {}
        }
        Ok(rules)
    }
}

/// Whether a tag is kept, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Marked stale by the policy.
    pub stale: bool,
    /// Why, in words (empty when no rule judged it).
    pub reason: String,
}

/// Judges each of `tags` (index-aligned verdicts) by `rules` at time `now` (seconds
/// since the epoch). Images are judged whole: tags naming the same digest share a
/// verdict, and a count rule counts images, not tags.
pub fn judge(tags: &[TagInfo], rules: &[Rule], now: i64) -> Vec<Verdict> {
    // One entry per image (digest): its tags and created time.
    let mut images: BTreeMap<&Digest, (Vec<&str>, Option<i64>)> = BTreeMap::new();
    for t in tags {
        let entry = images
            .entry(&t.digest)
            .or_insert((Vec::new(), t.created_unix));
        entry.0.push(&t.tag);
    }
    let mut decided: HashMap<&Digest, Verdict> = HashMap::new();
    for rule in rules {
        let selected = |tags: &[&str]| match &rule.selection {
            TagSelection::Tagged(None) | TagSelection::Any => true,
            TagSelection::Tagged(Some(prefix)) => tags.iter().any(|t| t.starts_with(prefix)),
            // Every listed image has a tag: the distribution API lists no others.
            TagSelection::Untagged => false,
        };
        let mut matched: Vec<(&Digest, Option<i64>)> = images
            .iter()
            .filter(|(_, (tags, _))| selected(tags))
            .map(|(d, (_, created))| (*d, *created))
            .collect();
        // Newest first; an image of unknown age counts as the oldest.
        matched.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let scope = match &rule.selection {
            TagSelection::Tagged(Some(prefix)) => format!("`{prefix}*` images"),
            _ => "images".to_owned(),
        };
        for (rank, (digest, created)) in matched.into_iter().enumerate() {
            if decided.contains_key(digest) {
                continue;
            }
            let verdict = match rule.expiry {
                Expiry::BeyondNewest(n) if rank >= n as usize => Verdict {
                    stale: true,
                    reason: format!("beyond the {n} newest {scope}"),
                },
                Expiry::BeyondNewest(n) => Verdict {
                    stale: false,
                    reason: format!("among the {n} newest {scope}"),
                },
                Expiry::OlderThanDays(days) => match created {
                    Some(created) => {
                        let age = (now - created).max(0) / DAY;
                        Verdict {
                            stale: age >= i64::from(days),
                            reason: format!("{age} days old (limit {days})"),
                        }
                    }
                    None => Verdict {
                        stale: false,
                        reason: "age unknown: the config has no `created` time".to_owned(),
                    },
                },
            };
            decided.insert(digest, verdict);
        }
    }
    tags.iter()
        .map(|t| {
            decided.get(&t.digest).cloned().unwrap_or(Verdict {
                stale: false,
                reason: String::new(),
            })
        })
        .collect()
}

/// The rules as an Amazon ECR lifecycle policy document (`aws ecr
/// put-lifecycle-policy --lifecycle-policy-text`).
pub fn ecr_lifecycle(rules: &[Rule]) -> serde_json::Value {
    let rules: Vec<serde_json::Value> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let mut selection = serde_json::Map::new();
            let (status, description_scope) = match &rule.selection {
                TagSelection::Tagged(Some(prefix)) => {
                    selection.insert("tagPrefixList".into(), serde_json::json!([prefix]));
                    ("tagged", format!("images tagged `{prefix}*`"))
                }
                TagSelection::Tagged(None) => {
                    selection.insert("tagPatternList".into(), serde_json::json!(["*"]));
                    ("tagged", "tagged images".to_owned())
                }
                TagSelection::Any => ("any", "images".to_owned()),
                TagSelection::Untagged => ("untagged", "untagged images".to_owned()),
            };
            selection.insert("tagStatus".into(), status.into());
            let description = match rule.expiry {
                Expiry::BeyondNewest(n) => {
                    selection.insert("countType".into(), "imageCountMoreThan".into());
                    selection.insert("countNumber".into(), n.into());
                    format!("Keep the {n} newest {description_scope}")
                }
                Expiry::OlderThanDays(days) => {
                    selection.insert("countType".into(), "sinceImagePushed".into());
                    selection.insert("countUnit".into(), "days".into());
                    selection.insert("countNumber".into(), days.into());
                    let unit = if days == 1 { "day" } else { "days" };
                    format!("Expire {description_scope} older than {days} {unit}")
                }
            };
            serde_json::json!({
                "rulePriority": i + 1,
                "description": description,
                "selection": selection,
                "action": { "type": "expire" },
            })
        })
        .collect();
    let mut policy = serde_json::json!({ "rules": rules });
    // Sorted keys whether or not some crate of the build turns on
    // `serde_json/preserve_order` (yara-x does): the emitted policy stays byte-stable.
    policy.sort_all_objects();
    policy
}

/// Reads what each of `tags` names, several at once. A tag whose manifest or config is
/// unreadable gets a [`TagInfo::problem`]; an error reaching the registry at all
/// (transport, auth) ends the listing.
pub fn inspect(
    client: &Client,
    repository: &Reference,
    tags: &[String],
) -> Result<Vec<TagInfo>, RegistryError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(PARALLEL.min(tags.len()).max(1))
        .build()
        .map_err(|e| RegistryError::Transport {
            registry: repository.registry().to_owned(),
            reason: format!("cannot start threads to read tags: {e}"),
        })?;
    // Collecting into a `Result` stops handing out tags after the first error.
    pool.install(|| {
        tags.par_iter()
            .map(|tag| inspect_tag(client, repository, tag))
            .collect()
    })
}

fn inspect_tag(
    client: &Client,
    repository: &Reference,
    tag: &str,
) -> Result<TagInfo, RegistryError> {
    let reference = Reference::parse(&format!("{}:{tag}", repository.name()))?;
    let manifest = client.manifest(&reference)?;
    let mut info = TagInfo {
        tag: tag.to_owned(),
        digest: manifest.digest.clone(),
        media_type: manifest.media_type.clone(),
        created: None,
        created_unix: None,
        size: manifest.bytes.len() as u64,
        platforms: Vec::new(),
        problem: None,
    };
    match describe(client, &reference, &manifest, &mut info) {
        Ok(()) => Ok(info),
        Err(
            e @ (RegistryError::Digest { .. }
            | RegistryError::TooLarge { .. }
            | RegistryError::NotFound { .. }
            | RegistryError::Schema1 { .. }
            | RegistryError::MediaType { .. }),
        ) => {
            info.problem = Some(e.to_string());
            Ok(info)
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize)]
struct IndexDoc {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct ImageDoc {
    config: Descriptor,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Deserialize)]
struct Descriptor {
    digest: Digest,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    platform: Option<PlatformDoc>,
    #[serde(default)]
    annotations: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct PlatformDoc {
    #[serde(default)]
    os: String,
    #[serde(default)]
    architecture: String,
    #[serde(default)]
    variant: Option<String>,
}

impl PlatformDoc {
    fn name(&self) -> String {
        let mut s = format!("{}/{}", self.os, self.architecture);
        if let Some(v) = self.variant.as_deref().filter(|v| !v.is_empty()) {
            s.push('/');
            s.push_str(v);
        }
        printable(&s)
    }
}

#[derive(Deserialize)]
struct ConfigDoc {
    #[serde(default)]
    created: Option<String>,
    #[serde(flatten)]
    platform: PlatformDoc,
}

fn malformed(reference: &Reference, what: &str, e: &serde_json::Error) -> RegistryError {
    RegistryError::MediaType {
        registry: reference.registry().to_owned(),
        repository: reference.repository().to_owned(),
        reference: reference.manifest_reference(),
        media_type: format!("unreadable {what} ({e})"),
    }
}

/// Fills created, size and platforms: an image manifest's config is read; an index's
/// image manifests are read each (bounded), and the first one's config gives the time.
fn describe(
    client: &Client,
    reference: &Reference,
    manifest: &Manifest,
    info: &mut TagInfo,
) -> Result<(), RegistryError> {
    let mut blobs: HashMap<Digest, u64> = HashMap::new();
    let images: Vec<(Manifest, Option<String>)> = if manifest.is_index() {
        let index: IndexDoc = serde_json::from_slice(&manifest.bytes)
            .map_err(|e| malformed(reference, "index", &e))?;
        let children: Vec<&Descriptor> = index
            .manifests
            .iter()
            // buildx attestations are pseudo-images of no platform.
            .filter(|d| {
                !d.annotations
                    .as_ref()
                    .is_some_and(|a| a.contains_key("vnd.docker.reference.type"))
            })
            .take(MAX_INDEX_CHILDREN)
            .collect();
        let mut out = Vec::new();
        for child in children {
            let m = client.manifest(&reference.with_digest(child.digest.clone()))?;
            info.size += m.bytes.len() as u64;
            out.push((m, child.platform.as_ref().map(PlatformDoc::name)));
        }
        out
    } else {
        vec![(manifest.clone(), None)]
    };
    for (i, (image, platform)) in images.iter().enumerate() {
        if image.is_index() {
            // Nested indexes are rare in registries; their size is not added up.
            continue;
        }
        let doc: ImageDoc = serde_json::from_slice(&image.bytes)
            .map_err(|e| malformed(reference, "manifest", &e))?;
        for d in std::iter::once(&doc.config).chain(&doc.layers) {
            blobs.insert(d.digest.clone(), d.size);
        }
        let config_platform = if i == 0 || platform.is_none() {
            let bytes = client.blob_bytes(reference, &doc.config.digest, MAX_CONFIG_BYTES)?;
            let config: ConfigDoc =
                serde_json::from_slice(&bytes).map_err(|e| malformed(reference, "config", &e))?;
            if i == 0 {
                let parsed = config
                    .created
                    .as_deref()
                    .and_then(|c| OffsetDateTime::parse(c, &Rfc3339).ok());
                info.created_unix = parsed.map(|t| t.unix_timestamp());
                info.created = parsed
                    .map(|t| t.to_offset(time::UtcOffset::UTC))
                    .and_then(|t| t.replace_nanosecond(0).ok())
                    .and_then(|t| t.format(&Rfc3339).ok());
            }
            Some(config.platform.name())
        } else {
            None
        };
        info.platforms.extend(platform.clone().or(config_platform));
    }
    info.size += blobs.values().sum::<u64>();
    Ok(())
}

/// Keeps image-derived names printable: anything outside a platform's alphabet is `?`.
fn printable(s: &str) -> String {
    s.chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || "/._-+".contains(c) {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// `1.5 MiB`, `312 B`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// A short digest for tables: the algorithm and 12 hex digits.
pub fn short_digest(d: &Digest) -> String {
    format!("{}:{}", d.algorithm(), d.hex().get(..12).unwrap_or(d.hex()))
}

/// Lays out `rows` under `header`, columns padded to their widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::new();
        for (i, cell) in cells.enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let _ = write!(text, "{cell:<w$}  ");
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
    out
}

/// The listing as a table: one row per tag, newest first as given, then a summary line.
pub fn render_listing(tags: &[TagInfo], verdicts: &[Verdict], judged: bool) -> String {
    let rows: Vec<Vec<String>> = tags
        .iter()
        .zip(verdicts)
        .map(|(t, v)| {
            let mut row = vec![
                t.tag.clone(),
                short_digest(&t.digest),
                t.created.clone().unwrap_or_else(|| "-".into()),
                human_size(t.size),
                if t.platforms.is_empty() {
                    "-".into()
                } else {
                    t.platforms.join(",")
                },
            ];
            if judged {
                row.push(match (v.stale, &t.problem) {
                    (_, Some(problem)) => format!("unreadable: {problem}"),
                    (true, None) => format!("stale: {}", v.reason),
                    (false, None) => format!("kept: {}", v.reason),
                });
            } else if let Some(problem) = &t.problem {
                row.push(format!("unreadable: {problem}"));
            }
            row
        })
        .collect();
    let mut header = vec!["TAG", "DIGEST", "CREATED", "SIZE", "PLATFORM"];
    if judged || tags.iter().any(|t| t.problem.is_some()) {
        header.push("STATUS");
    }
    let mut out = table(&header, &rows);
    let stale = verdicts.iter().filter(|v| v.stale).count();
    let images: std::collections::HashSet<&Digest> = tags.iter().map(|t| &t.digest).collect();
    let _ = write!(out, "\n{} tags, {} images", tags.len(), images.len());
    if judged {
        let _ = write!(out, ", {stale} tags stale");
    }
    out.push_str(
        "\nuntagged manifests are not listed (the distribution API cannot list them); \
         `--emit ecr-lifecycle` expires them in ECR\n",
    );
    out
}

/// Seconds since the epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Sorts tags newest first (unknown times last), then by name, as the table shows them.
pub fn sort_newest_first(tags: &mut [TagInfo]) {
    tags.sort_by(|a, b| {
        b.created_unix
            .cmp(&a.created_unix)
            .then_with(|| a.tag.cmp(&b.tag))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(c: char) -> Digest {
        format!("sha256:{}", c.to_string().repeat(64))
            .parse()
            .unwrap()
    }

    fn tag(name: &str, d: char, days_ago: Option<i64>) -> TagInfo {
        TagInfo {
            tag: name.into(),
            digest: digest(d),
            media_type: crate::MEDIA_OCI_MANIFEST.into(),
            created: None,
            created_unix: days_ago.map(|n| NOW - n * DAY),
            size: 10,
            platforms: vec!["linux/amd64".into()],
            problem: None,
        }
    }

    const NOW: i64 = 1_800_000_000;

    fn stale(tags: &[TagInfo], policy: Policy) -> Vec<&str> {
        let verdicts = judge(tags, &policy.rules().unwrap(), NOW);
        tags.iter()
            .zip(verdicts)
            .filter(|(_, v)| v.stale)
            .map(|(t, _)| t.tag.as_str())
            .collect()
    }

    #[test]
    fn keep_last_counts_images_not_tags() {
        let tags = [
            tag("1.3", 'a', Some(30)),
            tag("1.4", 'b', Some(20)),
            tag("latest", 'c', Some(1)),
            tag("1.5", 'c', Some(1)),
            tag("old", 'd', None),
        ];
        let keep = |n| Policy {
            keep_last: Some(n),
            ..Policy::default()
        };
        assert_eq!(stale(&tags, keep(2)), ["1.3", "old"]);
        assert_eq!(stale(&tags, keep(3)), ["old"]);
    }

    #[test]
    fn older_than_judges_by_created_and_never_guesses() {
        let tags = [
            tag("new", 'a', Some(10)),
            tag("old", 'b', Some(100)),
            tag("unknown", 'c', None),
        ];
        let policy = Policy {
            older_than_days: Some(90),
            ..Policy::default()
        };
        assert_eq!(stale(&tags, policy), ["old"]);
    }

    #[test]
    fn a_prefixed_rule_decides_its_images_and_the_age_rule_the_rest() {
        let tags = [
            tag("release-1", 'a', Some(300)),
            tag("release-2", 'b', Some(200)),
            tag("release-3", 'c', Some(100)),
            tag("pr-9", 'd', Some(100)),
            tag("pr-10", 'e', Some(5)),
        ];
        let policy = Policy {
            keep_last: Some(2),
            older_than_days: Some(90),
            tag_prefix: Some("release-".into()),
        };
        // release-2 is older than 90 days but kept: the count rule decided it.
        assert_eq!(stale(&tags, policy), ["release-1", "pr-9"]);
    }

    #[test]
    fn policies_that_ecr_cannot_express_are_refused() {
        let both = Policy {
            keep_last: Some(2),
            older_than_days: Some(9),
            tag_prefix: None,
        };
        assert_eq!(both.rules(), Err(PolicyError::Overlap));
        let zero = Policy {
            keep_last: Some(0),
            ..Policy::default()
        };
        assert!(matches!(zero.rules(), Err(PolicyError::Zero { .. })));
        assert_eq!(parse_age("90d"), Ok(90));
        assert_eq!(parse_age("2w"), Ok(14));
        for bad in ["90", "d", "9h", "-1d", ""] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ecr_policy_fields() {
        let policy = Policy {
            keep_last: Some(5),
            older_than_days: Some(90),
            tag_prefix: Some("v".into()),
        };
        let json = ecr_lifecycle(&policy.rules().unwrap());
        insta::assert_json_snapshot!("ecr_lifecycle_prefix_keep_age", json);
        let json = ecr_lifecycle(
            &Policy {
                keep_last: Some(3),
                ..Policy::default()
            }
            .rules()
            .unwrap(),
        );
        assert_eq!(json["rules"][1]["selection"]["tagPatternList"][0], "*");
        assert_eq!(json["rules"][1]["selection"]["tagStatus"], "tagged");
        assert_eq!(json["rules"][0]["selection"]["tagStatus"], "untagged");
    }

    #[test]
    fn sizes_and_tables() {
        assert_eq!(human_size(312), "312 B");
        assert_eq!(human_size(3 * 1024 * 1024 / 2), "1.5 MiB");
        assert_eq!(
            table(&["A", "BB"], &[vec!["xyz".into(), "1".into()]]),
            "A    BB\nxyz  1\n"
        );
        assert_eq!(printable("linux/amd64\x1b[31m"), "linux/amd64??31m");
    }
}
