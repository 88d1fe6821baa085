//! Dockerfile parser and linter: hadolint's DL rules and kensa's own, with pragmas and per-rule configuration.
//!
//! [`parse`] turns text into a [`Dockerfile`]; [`lint`] runs every rule of [`RULES`] over
//! it and returns [`kensa_core::Finding`]s. Hadolint's severities map onto kensa's as
//! error → HIGH, warning → MEDIUM, info → LOW, style → LOW.

mod analyzer;
mod config;
pub mod parse;
pub mod rules;
pub mod shell;

use std::collections::BTreeSet;

use kensa_core::{Finding, Location, RuleSet as _, Scanner};

pub use analyzer::{DOCKERFILE_ANALYZER, DockerfileAnalyzer};
pub use config::{ConfigError, LabelType, LintConfig};
pub use parse::{Dockerfile, Instruction, Keyword, ParseError, ParseErrorKind, parse};
pub use rules::{Context, DOCKERFILE_RULES, DockerfileRule, DockerfileRules, Hit, RULES, RuleMeta};

/// Lints one Dockerfile. `path` is only used in the findings' locations.
pub fn lint(path: &str, source: &str, config: &LintConfig) -> Result<Vec<Finding>, ParseError> {
    let file = parse(source)?;
    Ok(lint_parsed(path, &file, config))
}

/// Lints an already parsed Dockerfile.
pub fn lint_parsed(path: &str, file: &Dockerfile, config: &LintConfig) -> Vec<Finding> {
    let ctx = Context::new(file, config);
    let pragmas = Pragmas::collect(file);
    let mut findings = Vec::new();
    let mut hits = Vec::new();
    for rule in RULES {
        let meta = rule.meta();
        let override_sev = config.severity_overrides.get(meta.id).copied();
        let enabled = rule.enabled_by_default() || override_sev.is_some();
        // A rule answers to its own id and to the hadolint ids it stands in for.
        let aliases = DOCKERFILE_RULES.aliases_of(meta.id);
        let names = || std::iter::once(meta.id).chain(aliases.iter().copied());
        if !enabled
            || names().any(|id| config.ignored.iter().any(|i| i == id))
            || names().any(|id| pragmas.global.contains(id))
        {
            continue;
        }
        hits.clear();
        rule.check(&ctx, &mut hits);
        for hit in hits.drain(..) {
            if names().any(|id| pragmas.ignores(file, hit.line, id)) {
                continue;
            }
            let location = Location::path(path).with_line(hit.line);
            let mut finding = meta.finding(Scanner::Config, location, hit.message);
            finding.severity = override_sev.unwrap_or(meta.severity);
            findings.push(finding);
        }
    }
    findings.sort_by(|a, b| {
        a.location
            .line
            .cmp(&b.location.line)
            .then_with(|| a.id.cmp(&b.id))
    });
    findings.dedup_by(|a, b| a.id == b.id && a.location == b.location && a.message == b.message);
    findings
}

/// `# hadolint ignore=…`, `# kensa ignore=…` and `# hadolint global ignore=…` comments.
struct Pragmas {
    global: BTreeSet<String>,
    /// (comment line, ids)
    local: Vec<(u32, Vec<String>)>,
}

impl Pragmas {
    fn collect(file: &Dockerfile) -> Pragmas {
        let mut global = BTreeSet::new();
        let mut local = Vec::new();
        for c in &file.comments {
            let mut words = c.text.split_whitespace();
            let tool = words.next().unwrap_or_default();
            if tool != "hadolint" && tool != "kensa" {
                continue;
            }
            // Ids may be separated by `, ` as well as `,`, so the list is the rest of
            // the comment after `ignore=`.
            let rest: Vec<&str> = words.collect();
            let (is_global, spec) = match rest.split_first() {
                Some((&"global", tail)) => (true, tail.join(" ")),
                Some(_) => (false, rest.join(" ")),
                None => continue,
            };
            let Some(list) = spec.strip_prefix("ignore=") else {
                continue;
            };
            let ids = list
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty());
            if is_global {
                global.extend(ids);
            } else {
                local.push((c.line, ids.collect()));
            }
        }
        Pragmas { global, local }
    }

    /// Whether the instruction holding `line` is preceded by a pragma naming `id`, in the
    /// block of comment lines right above it.
    fn ignores(&self, file: &Dockerfile, line: u32, id: &str) -> bool {
        if self.local.is_empty() {
            return false;
        }
        let Some(inst) = file
            .instructions
            .iter()
            .find(|i| i.line <= line && line <= i.end_line)
        else {
            return false;
        };
        let mut above = inst.line.saturating_sub(1);
        while above > 0 {
            if !file.comments.iter().any(|c| c.line == above) {
                return false;
            }
            if self
                .local
                .iter()
                .any(|(l, ids)| *l == above && ids.iter().any(|i| i == id))
            {
                return true;
            }
            above -= 1;
        }
        false
    }
}
