//! The engine: one keyword pass over a file, then only the regexes whose keywords hit,
//! each on the keyword's line (or on the whole file for multi-line rules).

use std::collections::{BTreeMap, HashSet};

use globset::{GlobSet, GlobSetBuilder};
use kensa_core::{Digest, Finding, Location, Scanner, Section, Severity};
use regex::bytes::{Regex, RegexBuilder};

use crate::allow::{
    ALLOW_PATHS, is_base64_user_pass, is_loose_non_secret, is_placeholder, shannon_entropy,
};
use crate::keywords::{Hit, Keyword, KeywordSearcher, Neighbours};
use crate::mask::{mask, masked_excerpt};
use crate::rules::{Beside, Check, Gate, RULES, Value, remediation};
use crate::{SecretConfig, SecretError};

/// Bumped when the engine's output changes for the same rules and input; the secret
/// analyzer's [`version`](kensa_core::Analyzer::version).
pub(crate) const ENGINE_VERSION: u32 = 2;

/// How many bytes of context a finding's message shows on each side of the secret.
const CONTEXT: usize = 40;

/// How much of a file the binary sniffing looks at.
const SNIFF_LEN: usize = 8 * 1024;

struct CompiledRule {
    id: String,
    title: String,
    severity: Severity,
    regex: Regex,
    secret_group: usize,
    user_group: Option<usize>,
    entropy: Option<f32>,
    multiline: bool,
    fallback: bool,
    loose: bool,
    check: Check,
    gate: Gate,
    remediation: String,
}

/// A compiled rule set with its prefilter and allowlists. Cheap to share across
/// threads; build it once per configuration.
pub struct SecretScanner {
    rules: Vec<CompiledRule>,
    prefilter: KeywordSearcher,
    /// For each prefilter keyword, the rules that list it.
    keyword_rules: Vec<Vec<usize>>,
    /// Rules without keywords (custom only); they run over every file.
    unkeyed: Vec<usize>,
    allow_paths: GlobSet,
    allow_regexes: Vec<Regex>,
    settings_digest: Digest,
}

impl std::fmt::Debug for SecretScanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretScanner")
            .field("rules", &self.rules.len())
            .field("settings_digest", &self.settings_digest)
            .finish_non_exhaustive()
    }
}

/// A regex match that passed the value checks.
struct Candidate {
    rule: usize,
    fallback: bool,
    /// The rule reads a free-form value (a header, an assignment); a token rule that
    /// matched the same text names the issuer and wins.
    loose: bool,
    /// The secret's byte range.
    start: usize,
    end: usize,
    /// Where the whole match starts; its line is the finding's line.
    match_start: usize,
}

/// Settings shared by built-in and custom rules when compiling.
struct RuleSpec<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    keywords: Vec<&'a str>,
    regex: &'a str,
    entropy: Option<f32>,
    multiline: bool,
    fallback: bool,
    loose: bool,
    check: Check,
    gate: Gate,
    /// What stands next to the 3-byte keywords.
    next: Neighbours,
    revoke: &'a str,
}

impl SecretScanner {
    /// Compiles the built-in rules (minus the disabled ones), the custom rules and the
    /// allowlists of `config`.
    pub fn new(config: &SecretConfig) -> Result<SecretScanner, SecretError> {
        for id in &config.disable_rules {
            if !RULES.iter().any(|r| r.meta.id == id) {
                return Err(SecretError::UnknownRule { id: id.clone() });
            }
        }
        let mut specs: Vec<RuleSpec<'_>> = RULES
            .iter()
            .filter(|r| !config.disable_rules.iter().any(|d| d == r.meta.id))
            .map(|r| RuleSpec {
                id: r.meta.id,
                title: r.meta.title,
                severity: r.meta.severity,
                keywords: r.keywords.to_vec(),
                regex: r.regex,
                entropy: r.entropy,
                multiline: r.multiline,
                fallback: r.fallback,
                loose: r.loose,
                check: r.check,
                gate: r.gate,
                next: match r.beside {
                    Beside::Any => Neighbours::Any,
                    Beside::After(bytes) => Neighbours::After(bytes.as_bytes().to_vec()),
                    Beside::Before(bytes) => Neighbours::Before(bytes.as_bytes().to_vec()),
                },
                revoke: r.revoke,
            })
            .collect();
        specs.extend(config.custom_rules.iter().map(|c| {
            RuleSpec {
                id: &c.id,
                title: &c.title,
                severity: c.severity,
                keywords: c.keywords.iter().map(String::as_str).collect(),
                regex: &c.regex,
                entropy: c.entropy,
                multiline: c.multiline || c.keywords.is_empty(),
                fallback: false,
                loose: false,
                check: Check::None,
                gate: Gate::None,
                next: Neighbours::Any,
                revoke: c
                    .revoke
                    .as_deref()
                    .unwrap_or("revoke it with the service that issued it."),
            }
        }));

        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(specs.len());
        let mut keywords: BTreeMap<(Vec<u8>, bool), (Vec<usize>, Neighbours)> = BTreeMap::new();
        let mut unkeyed = Vec::new();
        for spec in &specs {
            if !is_kebab_case(spec.id) {
                return Err(SecretError::InvalidRuleId {
                    id: spec.id.to_owned(),
                });
            }
            if !seen.insert(spec.id) {
                return Err(SecretError::DuplicateRule {
                    id: spec.id.to_owned(),
                });
            }
            if let Some(e) = spec.entropy
                && !(0.0..=8.0).contains(&e)
            {
                return Err(SecretError::InvalidEntropy {
                    id: spec.id.to_owned(),
                    entropy: e,
                });
            }
            let index = rules.len();
            if spec.keywords.is_empty() {
                unkeyed.push(index);
            }
            for kw in &spec.keywords {
                if kw.is_empty() {
                    return Err(SecretError::EmptyKeyword {
                        id: spec.id.to_owned(),
                    });
                }
                // A keyword that a case-sensitive regex spells verbatim (`AKIA`) is only
                // looked for in that case, which keeps `Asia/Tokyo` from running the AWS
                // regex.
                let exact = is_case_exact(spec.regex, kw);
                let bytes = if exact {
                    kw.as_bytes().to_vec()
                } else {
                    kw.as_bytes().to_ascii_lowercase()
                };
                let (rules, next) = keywords
                    .entry((bytes, exact))
                    .or_insert_with(|| (Vec::new(), spec.next.clone()));
                rules.push(index);
                // Rules that share a keyword share its search: any neighbour, unless
                // they agree.
                if *next != spec.next {
                    *next = Neighbours::Any;
                }
            }
            rules.push(compile(spec)?);
        }

        let mut keyword_rules = Vec::with_capacity(keywords.len());
        let mut searched = Vec::with_capacity(keywords.len());
        for ((bytes, exact), (rules, next)) in keywords {
            searched.push(Keyword { bytes, exact, next });
            keyword_rules.push(rules);
        }
        let prefilter = KeywordSearcher::new(searched);

        let mut globs = GlobSetBuilder::new();
        for glob in ALLOW_PATHS
            .iter()
            .copied()
            .chain(config.allow_paths.iter().map(String::as_str))
        {
            let compiled = globset::GlobBuilder::new(glob.trim_start_matches('/'))
                .literal_separator(true)
                .build()
                .map_err(|source| SecretError::InvalidGlob {
                    glob: glob.to_owned(),
                    source,
                })?;
            globs.add(compiled);
        }
        let allow_paths = globs.build().map_err(|source| SecretError::InvalidGlob {
            glob: config.allow_paths.join(", "),
            source,
        })?;

        let allow_regexes = config
            .allow_regexes
            .iter()
            .map(|re| {
                RegexBuilder::new(re)
                    .build()
                    .map_err(|source| SecretError::InvalidAllowRegex {
                        regex: re.clone(),
                        source: Box::new(source),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;

        Ok(SecretScanner {
            rules,
            prefilter,
            keyword_rules,
            unkeyed,
            allow_paths,
            allow_regexes,
            settings_digest: crate::settings::digest(config),
        })
    }

    /// The settings digest a scanner built from `config` has, without compiling it (a
    /// warm rescan needs the cache key, not the rules). It covers the built-in tables and
    /// the configuration, so a layer cache keyed on it never serves results of another
    /// rule set.
    pub fn settings_digest_of(config: &SecretConfig) -> Digest {
        crate::settings::digest(config)
    }

    /// The digest of the built-in tables and the configuration this scanner runs.
    pub fn settings_digest(&self) -> &Digest {
        &self.settings_digest
    }

    /// The ids of the enabled rules, built-in first.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// True when `path` is on an allowlist and is never scanned.
    pub fn is_path_allowed(&self, path: &str) -> bool {
        self.allow_paths.is_match(path.trim_start_matches('/'))
    }

    /// Scans one file. Allowlisted paths and binary content (see [`is_binary`]) yield
    /// nothing. Every secret in the returned findings is masked.
    pub fn scan(&self, path: &str, content: &[u8]) -> Vec<Finding> {
        if self.is_path_allowed(path) || is_binary(content) {
            return Vec::new();
        }
        self.scan_bytes(path, content)
    }

    /// Scans a string from the image config (an `Env` entry, a label, a history
    /// `created_by`), reported under the pseudo-path `target` such as `config:Env`.
    pub fn scan_text(&self, target: &str, text: &str) -> Vec<Finding> {
        self.scan_bytes(target, text.as_bytes())
    }

    fn scan_bytes(&self, path: &str, content: &[u8]) -> Vec<Finding> {
        self.scan_segment(path, content, usize::MAX, 1)
    }

    /// Scans `content`, one segment of a file whose first line is line `first_line`, and
    /// reports the secrets whose match starts before `keep_before` (the rest lie in the
    /// overlap that the next segment scans again). Every secret found is masked in every
    /// excerpt, reported here or not.
    pub(crate) fn scan_segment(
        &self,
        path: &str,
        content: &[u8],
        keep_before: usize,
        first_line: usize,
    ) -> Vec<Finding> {
        let mut cands = Vec::new();
        // Per rule: the start of the last line its regex ran on, so a line with many
        // keyword hits is searched once per rule. Allocated on the first hit only.
        let mut done: Vec<usize> = Vec::new();
        let mut line = (0usize, 0usize);
        let mut hits: Vec<Hit> = Vec::new();
        self.prefilter.find_all(content, &mut hits);
        for m in &hits {
            let Some(rule_ids) = self.keyword_rules.get(m.keyword) else {
                continue;
            };
            if done.is_empty() {
                done = vec![usize::MAX; self.rules.len()];
            }
            for &r in rule_ids {
                let (Some(rule), Some(last)) = (self.rules.get(r), done.get_mut(r)) else {
                    continue;
                };
                if rule.multiline {
                    if *last == usize::MAX {
                        *last = 0;
                        self.run_rule(r, content, 0, &mut cands);
                    }
                    continue;
                }
                if !self.gate_passes(rule, content, m.end) {
                    continue;
                }
                // Hits come in order, so the line is found by looking back at most to
                // the previous hit's line.
                if !(line.0 <= m.start && m.start < line.1) {
                    let from = if m.start >= line.1 { line.1 } else { 0 };
                    line = line_bounds(content, m.start, from);
                }
                if *last == line.0 {
                    continue;
                }
                *last = line.0;
                // A context rule's value may stand on the next line (`key: |`, `<key>`).
                let end = if rule.gate == Gate::Context {
                    content
                        .get(line.1 + 1..)
                        .and_then(|rest| memchr::memchr(b'\n', rest))
                        .map_or(content.len(), |i| line.1 + 1 + i)
                } else {
                    line.1
                };
                let hay = content.get(line.0..end).unwrap_or_default();
                self.run_rule(r, hay, line.0, &mut cands);
            }
        }
        for &r in &self.unkeyed {
            if done.get(r).is_none_or(|&d| d == usize::MAX) {
                self.run_rule(r, content, 0, &mut cands);
            }
        }
        if cands.is_empty() {
            return Vec::new();
        }
        self.findings(path, content, cands, keep_before, first_line)
    }

    fn run_rule(&self, r: usize, hay: &[u8], base: usize, out: &mut Vec<Candidate>) {
        let Some(rule) = self.rules.get(r) else {
            return;
        };
        // Most keyword lines hold no match; the DFA-only check is much cheaper than
        // collecting capture groups.
        if !rule.regex.is_match(hay) {
            return;
        }
        for caps in rule.regex.captures_iter(hay) {
            let Some(whole) = caps.get(0) else {
                continue;
            };
            let secret = caps.get(rule.secret_group).unwrap_or(whole);
            if rule.check == Check::NotWorkingDir && names_working_dir(hay, whole.start()) {
                continue;
            }
            if rule.check == Check::NotHolder && names_a_holder(hay, whole.start()) {
                continue;
            }
            let user = rule.user_group.and_then(|g| caps.get(g));
            if !self.accept(
                rule,
                secret.as_bytes(),
                whole.as_bytes(),
                user.map(|u| u.as_bytes()),
            ) {
                continue;
            }
            out.push(Candidate {
                rule: r,
                fallback: rule.fallback,
                loose: rule.loose,
                start: base + secret.start(),
                end: base + secret.end(),
                match_start: base + whole.start(),
            });
        }
    }

    /// Whether the text after a keyword hit ending at `at` can start a match of `rule`
    /// that [`SecretScanner::accept`] keeps. It may pass text the regex then rejects,
    /// never the reverse.
    fn gate_passes(&self, rule: &CompiledRule, content: &[u8], at: usize) -> bool {
        match rule.gate {
            // The gate finds the very value the regex would capture, so the value checks
            // can run before the regex does.
            Gate::AssignValue(shape) => assigned_values(shape, content, at)
                .into_iter()
                .flatten()
                .any(|value| self.plausible(rule, value)),
            gate => gate_passes(gate, content, at),
        }
    }

    /// The checks of [`SecretScanner::accept`] that look at the value alone.
    fn plausible(&self, rule: &CompiledRule, value: &[u8]) -> bool {
        // Cheapest and most selective checks first.
        !(value.is_empty()
            || rule.entropy.is_some_and(|min| shannon_entropy(value) < min)
            || is_placeholder(value)
            || rule.loose && is_loose_non_secret(value))
    }

    fn accept(&self, rule: &CompiledRule, value: &[u8], whole: &[u8], user: Option<&[u8]>) -> bool {
        if !self.plausible(rule, value) {
            return false;
        }
        if user.is_some_and(|u| u == value) {
            return false;
        }
        if rule.check == Check::Base64UserPass && !is_base64_user_pass(value) {
            return false;
        }
        if matches!(rule.check, Check::NotJwt | Check::NotHolder)
            && value.starts_with(b"ey")
            && value.contains(&b'.')
        {
            return false;
        }
        if rule.check == Check::UserPass && !is_user_pass(value) {
            return false;
        }
        if rule.check == Check::PrefixedOrNamed
            && whole.len() == value.len()
            && !value.contains(&b'_')
        {
            return false;
        }
        !self
            .allow_regexes
            .iter()
            .any(|re| re.is_match(value) || re.is_match(whole))
    }

    /// Keeps one candidate per span (token rules before free-form ones such as an
    /// `Authorization` header or `password =`, generic rules last, then table order), and
    /// turns the survivors into masked findings in file order.
    fn findings(
        &self,
        path: &str,
        content: &[u8],
        cands: Vec<Candidate>,
        keep_before: usize,
        first_line: usize,
    ) -> Vec<Finding> {
        let mut order: Vec<&Candidate> = cands.iter().collect();
        order.sort_by_key(|c| (c.fallback, c.loose, c.rule, c.start));
        let mut taken: BTreeMap<usize, usize> = BTreeMap::new();
        let mut kept: Vec<&Candidate> = Vec::new();
        for c in order {
            let overlaps = taken
                .range(..c.end)
                .next_back()
                .is_some_and(|(_, &end)| end > c.start);
            if !overlaps {
                taken.insert(c.start, c.end);
                kept.push(c);
            }
        }
        kept.sort_by_key(|c| (c.match_start, c.start, c.rule));

        // Every candidate's range is masked in every message, including those that lost
        // to a more specific rule, so no excerpt shows any part of a secret in clear.
        let mut ranges: Vec<(usize, usize)> = cands.iter().map(|c| (c.start, c.end)).collect();
        ranges.sort_unstable();
        let ranges = merge(ranges);

        let mut findings = Vec::with_capacity(kept.len());
        let mut counted_to = 0usize;
        let mut line_no = first_line;
        for c in kept {
            if c.match_start >= keep_before {
                break;
            }
            let Some(rule) = self.rules.get(c.rule) else {
                continue;
            };
            if c.match_start >= counted_to {
                let seg = content.get(counted_to..c.match_start).unwrap_or_default();
                line_no = line_no.saturating_add(memchr::memchr_iter(b'\n', seg).count());
                counted_to = c.match_start;
            }
            // The excerpt looks for the line's ends only as far as it reaches, so a single
            // huge line with many secrets stays linear.
            let lo = c.start.saturating_sub(CONTEXT);
            let hi = c.end.saturating_add(CONTEXT).min(content.len());
            let before = content.get(lo..c.start).unwrap_or_default();
            let ls = memchr::memrchr(b'\n', before).map_or(lo, |i| lo + i + 1);
            let after = content.get(c.start..hi).unwrap_or_default();
            let le = memchr::memchr(b'\n', after).map_or(hi, |i| c.start + i);
            let from = char_floor(content, ls);
            let to = char_floor(content, le);
            let mut excerpt = masked_excerpt(content, from, to, &ranges);
            if from > 0 && content.get(from - 1) != Some(&b'\n') {
                excerpt.insert(0, '…');
            }
            if to < content.len() && !matches!(content.get(to), Some(b'\n' | b'\r')) {
                excerpt.push('…');
            }
            let secret = String::from_utf8_lossy(content.get(c.start..c.end).unwrap_or_default());
            findings.push(Finding {
                id: rule.id.clone(),
                scanner: Scanner::Secret,
                severity: rule.severity,
                section: Section::EmbeddedClearTextSecrets,
                title: rule.title.clone(),
                message: Some(format!("`{}` in: {excerpt}", mask(&secret))),
                location: Location::path(path)
                    .with_line(u32::try_from(line_no).unwrap_or(u32::MAX)),
                remediation: rule.remediation.clone(),
                references: Vec::new(),
                vulnerability: None,
            });
        }
        findings
    }
}

fn compile(spec: &RuleSpec<'_>) -> Result<CompiledRule, SecretError> {
    let regex = RegexBuilder::new(spec.regex)
        .unicode(false)
        .build()
        .map_err(|source| SecretError::InvalidRegex {
            id: spec.id.to_owned(),
            regex: spec.regex.to_owned(),
            source: Box::new(source),
        })?;
    let named = |name: &str| regex.capture_names().position(|n| n == Some(name));
    let secret_group = named("secret").unwrap_or(if regex.captures_len() > 1 { 1 } else { 0 });
    let user_group = named("user");
    Ok(CompiledRule {
        id: spec.id.to_owned(),
        title: spec.title.to_owned(),
        severity: spec.severity,
        regex,
        secret_group,
        user_group,
        entropy: spec.entropy,
        multiline: spec.multiline,
        fallback: spec.fallback,
        loose: spec.loose,
        check: spec.check,
        gate: spec.gate,
        remediation: remediation(spec.revoke),
    })
}

/// True when `content` looks binary: a NUL byte in the first 8 KiB, or more than 10%
/// of those bytes outside valid UTF-8. Binaries are skipped; their strings are better
/// served by dedicated extractors than by line-oriented rules.
pub fn is_binary(content: &[u8]) -> bool {
    let head = content.get(..SNIFF_LEN).unwrap_or(content);
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let mut invalid = 0usize;
    let mut rest = head;
    while let Err(e) = std::str::from_utf8(rest) {
        // `None` means a sequence cut off by the sniff window, not an invalid one.
        let Some(len) = e.error_len() else {
            break;
        };
        invalid = invalid.saturating_add(len);
        rest = rest
            .get(e.valid_up_to().saturating_add(len)..)
            .unwrap_or_default();
    }
    invalid.saturating_mul(10) > head.len()
}

/// How far past `://` the URL gate looks for the `@`: beyond the longest
/// `user:password@` the URL rules accept.
const URL_REACH: usize = 256;

/// The longest value the value gates judge: one more than the generic rules accept, so
/// a longer run is rejected without counting it all.
const VALUE_REACH: usize = 129;

/// Whether the text after a keyword hit ending at `at` can start a match of a rule with
/// this gate. A gate may pass text the regex then rejects, never the reverse.
/// [`Gate::AssignValue`] is judged by [`assigned_values`] instead.
fn gate_passes(gate: Gate, content: &[u8], at: usize) -> bool {
    let rest = content.get(at..).unwrap_or_default();
    match gate {
        Gate::None => true,
        // The `user:password@` of a URL holds no blank, slash, quote or angle bracket.
        // The keyword is `://` or a scheme such as `postgres`, whose rest is skipped.
        Gate::At => {
            let scheme = rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
                .count();
            let rest = rest.get(scheme..).unwrap_or_default();
            let rest = rest.strip_prefix(b"://").unwrap_or(rest);
            rest.iter()
                .take(URL_REACH)
                .find(|&&b| {
                    b == b'@'
                        || b.is_ascii_whitespace()
                        || matches!(b, b'/' | b'"' | b'\'' | b'`' | b'<' | b'>')
                })
                .is_some_and(|&b| b == b'@')
        }
        Gate::Assign | Gate::AssignValue(_) => after_separator(rest).is_some(),
        Gate::Context => after_operator(rest),
    }
}

/// Whether `rest`, starting right after a keyword that is part of a name, goes on to
/// one of the operators of the `ctx!` shape: the rest of the name (up to 70 bytes of
/// `[A-Za-z0-9_.-]` and blanks), an optional run of backslashes and quotes, blanks,
/// then `=`, `:`, `>`, `,`, `(`, `|`, or `<`, `?`, `+` before `=`.
fn after_operator(rest: &[u8]) -> bool {
    let name = rest
        .iter()
        .take(70)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b' ' | b'\t'))
        .count();
    let quoted = rest
        .get(name..)
        .unwrap_or_default()
        .iter()
        .take(8)
        .take_while(|b| matches!(b, b'\\' | b'"' | b'\'' | b'`' | b' ' | b'\t'))
        .count();
    matches!(
        rest.get(name + quoted..).unwrap_or_default(),
        [b'=' | b':' | b'>' | b',' | b'(' | b'|', ..] | [b'<' | b'?' | b'+', b'=', ..]
    )
}

/// The values a rule with an `assign!` regex and a value of this shape would capture
/// after a keyword hit ending at `at`: the value after a one-byte separator, and the one
/// after a two-byte separator (`=>`, `:=`), as both parses are open to the regex.
fn assigned_values(value: Value, content: &[u8], at: usize) -> [Option<&[u8]>; 2] {
    let rest = content.get(at..).unwrap_or_default();
    let Some(value_at) = after_separator(rest) else {
        return [None, None];
    };
    let after = rest.get(value_at..).unwrap_or_default();
    let second = match after.first() {
        Some(b'>' | b'=') => after.get(1..),
        _ => None,
    };
    [
        value_fitting(value, after),
        second.and_then(|a| value_fitting(value, a)),
    ]
}

/// Where the text after the `=` or `:` of `NAME = value` starts, for `rest` starting
/// right after a keyword that is part of `NAME` (the `assign!` shape of the rules).
fn after_separator(rest: &[u8]) -> Option<usize> {
    let name = rest
        .iter()
        .take(64)
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    let mut at = name;
    if matches!(rest.get(at), Some(b'"' | b'\'' | b'`')) {
        at += 1;
    }
    at += blanks(rest.get(at..).unwrap_or_default());
    matches!(rest.get(at), Some(b'=' | b':')).then_some(at + 1)
}

/// The value of this shape that `after` (what follows a separator) holds after blanks
/// and an optional quote, exactly as the generic rules' regexes capture it: the value
/// bytes run to a byte outside them, which must end the line or be a blank, a quote,
/// `,`, `;` or a closing bracket.
fn value_fitting(value: Value, after: &[u8]) -> Option<&[u8]> {
    let mut at = blanks(after);
    if matches!(after.get(at), Some(b'"' | b'\'' | b'`')) {
        at += 1;
    }
    let text = after.get(at..).unwrap_or_default();
    let (min, in_value): (usize, fn(u8) -> bool) = match value {
        Value::Key => (16, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'+' | b'/' | b'~' | b'=' | b'-')
        }),
        Value::AwsSecret => (40, |b| {
            b.is_ascii_alphanumeric() || matches!(b, b'/' | b'+')
        }),
        Value::Password => (6, |b| {
            !(b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'"' | b'\'' | b'`' | b',' | b';' | b'(' | b')' | b'{' | b'}' | b'[' | b']'
                ))
        }),
    };
    if value == Value::Password
        && text.first().is_some_and(|b| {
            matches!(
                b,
                b':' | b'$' | b'%' | b'<' | b'>' | b'!' | b'&' | b'*' | b'@' | b'#' | b'='
            )
        })
    {
        return None;
    }
    let len = text
        .iter()
        .take(VALUE_REACH)
        .take_while(|&&b| in_value(b))
        .count();
    let (fits, ended) = match value {
        // 40 bytes, then anything but `=` (base64 padding would make it something else).
        Value::AwsSecret => (len == 40, text.get(len) != Some(&b'=')),
        Value::Key | Value::Password => (
            len >= min && len < VALUE_REACH,
            text.get(len).is_none_or(|&b| {
                b.is_ascii_whitespace()
                    || matches!(b, b'"' | b'\'' | b'`' | b',' | b';' | b')' | b']' | b'}')
            }),
        ),
    };
    (fits && ended).then(|| text.get(..len)).flatten()
}

/// Whether `value` (`user:password`, either part possibly quoted or empty) holds a
/// password worth reporting: not the user repeated, not a word documentation uses in
/// its place, not a run of `x` or `*`.
fn is_user_pass(value: &[u8]) -> bool {
    let unquote = |s: &[u8]| -> Vec<u8> {
        s.iter()
            .filter(|b| !matches!(b, b'"' | b'\''))
            .map(u8::to_ascii_lowercase)
            .collect()
    };
    let Some(colon) = value.iter().position(|&b| b == b':') else {
        return false;
    };
    let user = unquote(value.get(..colon).unwrap_or_default());
    let pass = unquote(value.get(colon + 1..).unwrap_or_default());
    // With one part empty (`:secret`, `secret:`), the other is the credential.
    let secret = if pass.is_empty() { &user } else { &pass };
    const WORDS: &[&[u8]] = &[
        b"changeit",
        b"changeme",
        b"pass",
        b"passwd",
        b"password",
        b"pwd",
        b"secret",
        b"test",
        b"token",
    ];
    !(secret.is_empty()
        || (!pass.is_empty() && pass == user)
        || WORDS.contains(&secret.as_slice())
        || secret.iter().all(|&b| b == b'x' || b == b'*'))
}

/// Whether the assignment whose name part starts at `at` in `hay` (at the keyword)
/// names the shell's working directory: `PWD`, `OLDPWD`, `$pwd`, `${PWD}`.
fn names_working_dir(hay: &[u8], at: usize) -> bool {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let before = hay.get(..at).unwrap_or_default();
    let prefix_len = before.iter().rev().take_while(|b| is_name(b)).count();
    let after = hay.get(at..).unwrap_or_default();
    let rest_len = after.iter().take_while(|b| is_name(b)).count();
    let name: Vec<u8> = before
        .get(before.len() - prefix_len..)
        .unwrap_or_default()
        .iter()
        .chain(after.get(..rest_len).unwrap_or_default())
        .map(u8::to_ascii_lowercase)
        .collect();
    matches!(name.as_slice(), b"pwd" | b"oldpwd")
}

/// Whether the name around the keyword at `at` in `hay` (the name runs back and forth
/// over letters, digits and `_.-`) names something other than the secret it holds.
fn names_a_holder(hay: &[u8], at: usize) -> bool {
    let is_name = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
    let before = hay.get(..at).unwrap_or_default();
    let start = at - before.iter().rev().take_while(|b| is_name(b)).count();
    let rest = hay.get(at..).unwrap_or_default();
    let end = at + rest.iter().take_while(|b| is_name(b)).count();
    let name: Vec<u8> = hay
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .filter(|b| b.is_ascii_alphanumeric())
        .map(u8::to_ascii_lowercase)
        .collect();
    const ENDS: &[&[u8]] = &[
        b"id",
        b"ids",
        b"name",
        b"names",
        b"url",
        b"uri",
        b"file",
        b"path",
        b"dir",
        b"length",
        b"size",
        b"type",
        b"endpoint",
        b"secrets",
        b"tokens",
    ];
    const HOLDS: &[&[u8]] = &[b"public", b"csrf", b"xsrf", b"jsonwebtoken"];
    ENDS.iter().any(|e| name.ends_with(e))
        || HOLDS.iter().any(|h| name.windows(h.len()).any(|w| w == *h))
}

/// How many blanks (not line breaks) `text` starts with: `\s` in a regex that runs on
/// one line.
fn blanks(text: &[u8]) -> usize {
    text.iter()
        .take_while(|&&b| matches!(b, b' ' | b'\t' | b'\r' | 0x0b | 0x0c))
        .count()
}

/// True when `keyword` occurs verbatim in a regex without case-insensitive groups, so
/// the regex can only match where the keyword occurs in exactly this case.
fn is_case_exact(regex: &str, keyword: &str) -> bool {
    if regex.contains("(?i") || !keyword.bytes().any(|b| b.is_ascii_alphabetic()) {
        return false;
    }
    let mut plain = String::with_capacity(regex.len());
    let mut chars = regex.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) if n.is_ascii_punctuation() => plain.push(n),
                // `\b`, `\s` and the like are no literal text.
                _ => plain.push('\0'),
            },
            c => plain.push(c),
        }
    }
    plain.contains(keyword)
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The line around `pos` as `[start, end)` without its newline; `from` is a known line
/// start at or before `pos`, so a long file is not searched backwards repeatedly.
fn line_bounds(content: &[u8], pos: usize, from: usize) -> (usize, usize) {
    let before = content.get(from..pos).unwrap_or_default();
    let start = memchr::memrchr(b'\n', before).map_or(from, |i| from + i + 1);
    let after = content.get(pos..).unwrap_or_default();
    let end = memchr::memchr(b'\n', after).map_or(content.len(), |i| pos + i);
    (start, end)
}

/// Moves `pos` back to the start of the UTF-8 character it falls in.
fn char_floor(content: &[u8], mut pos: usize) -> usize {
    while pos > 0 && content.get(pos).is_some_and(|b| (0x80..0xC0).contains(b)) {
        pos -= 1;
    }
    pos
}

fn merge(ranges: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match out.last_mut() {
            Some(last) if s < last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_exact_keywords() {
        assert!(is_case_exact(
            r"\b(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})\b",
            "ASIA"
        ));
        assert!(is_case_exact(r"\b(?P<secret>SG\.[A-Za-z0-9_-]{22})", "SG."));
        assert!(!is_case_exact(r"(?i:aws)[\w.-]{0,20}?secret", "aws"));
        assert!(!is_case_exact(r"https?://x", "://"));
        assert!(!is_case_exact(r"\bsk_live_", "SK_LIVE_"));
    }

    #[test]
    fn gates() {
        let pass = |gate, text: &str, kw: &str| {
            let at = text.find(kw).unwrap() + kw.len();
            gate_passes(gate, text.as_bytes(), at)
        };
        assert!(pass(Gate::Assign, "DB_PASSWORD=x", "PASSWORD"));
        assert!(pass(Gate::Assign, "\"client_secret\" : \"x\"", "secret"));
        assert!(pass(Gate::Assign, "aws_secret_access_key = x", "aws"));
        assert!(pass(Gate::Assign, "$password => 'x'", "password"));
        assert!(!pass(Gate::Assign, "hash_password(&input)", "password"));
        assert!(!pass(Gate::Assign, "the secret is safe", "secret"));
        assert!(pass(Gate::At, "https://u:p@host", "://"));
        assert!(!pass(Gate::At, "https://host/path", "://"));
        assert!(pass(Gate::None, "anything", "any"));
        // The URL gate stops at the end of the authority.
        assert!(!pass(Gate::At, "https://host/a@b", "://"));
        assert!(!pass(Gate::At, "http://host mail@example.org", "://"));
        assert!(pass(Gate::At, "postgresql+psycopg2://u:p@db", "postgres"));
        assert!(!pass(Gate::At, "postgres://db/x@y", "postgres"));
    }

    #[test]
    fn value_gates() {
        let key = Value::Key;
        let password = Value::Password;
        let pass = |value, text: &str, kw: &str| {
            let at = text.find(kw).unwrap() + kw.len();
            assigned_values(value, text.as_bytes(), at)
                .iter()
                .any(Option::is_some)
        };
        assert!(pass(key, "API_KEY=0123456789abcdef", "API_KEY"));
        assert!(pass(key, "api_key: '0123456789abcdef', x", "api_key"));
        assert!(pass(key, "$secret => \"0123456789abcdef\";", "secret"));
        assert!(pass(key, "secret:=0123456789abcdef\n", "secret"));
        assert!(!pass(key, "secret_key = os.environ.get(\"X\")", "secret"));
        assert!(!pass(key, "secret = short", "secret"));
        assert!(!pass(
            key,
            &format!("secret = {}", "a".repeat(200)),
            "secret"
        ));
        assert!(pass(password, "password = hunter22", "password"));
        assert!(pass(password, "PASSWORD:=hunter2", "PASSWORD"));
        // `===` compares; a value does not start with `=`.
        assert!(!pass(password, "password===e.type", "password"));
        assert!(pass(password, "\"password\" => \"s3cr3t!\"", "password"));
        assert!(!pass(password, "password = None", "password"));
        assert!(!pass(
            password,
            "password_hash = hash_password(&x)",
            "password"
        ));
        assert!(!pass(password, "password = ${DB_PASSWORD}", "password"));
        assert!(!pass(password, "password\n= hunter22", "password"));
        let aws = Value::AwsSecret;
        let forty = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY";
        assert!(pass(
            aws,
            &format!("aws_secret_access_key = {forty}"),
            "secret"
        ));
        assert!(pass(aws, &format!("\"secret\": \"{forty}\","), "secret"));
        assert!(!pass(aws, &format!("secret = {forty}="), "secret"));
        assert!(!pass(aws, &format!("secret = {forty}A"), "secret"));
        assert!(!pass(aws, "secret_key = os.environ.get('X')", "secret"));
    }

    #[test]
    fn case_exact_keywords_skip_other_cases() {
        let s = SecretScanner::new(&SecretConfig::default()).unwrap();
        let text = format!("\"tz\":\"Asia/Tokyo\" {}{}", "ASIA", "Q3ZT7WXKR2LPMN5V");
        let ids: Vec<_> = s
            .scan("a.log", text.as_bytes())
            .into_iter()
            .map(|f| f.id)
            .collect();
        assert_eq!(ids, ["aws-access-key-id"]);
    }
}
