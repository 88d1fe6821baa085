//! The Dockerfile rules: one file per rule, listed once in [`RULES`].

use kensa_core::docs::RuleLayout;
use kensa_core::{RuleDoc, RuleGroup, RuleSet, Scanner};

use crate::LintConfig;
use crate::parse::{Args, Dockerfile, Instruction, Keyword};
use crate::shell::{self, Script};

/// The rule model every family shares, re-exported so a rule file names it from here.
pub use kensa_core::RuleMeta;

/// One place where a rule fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// 1-based line.
    pub line: u32,
    /// Specifics for this occurrence.
    pub message: Option<String>,
}

impl Hit {
    /// A hit at an instruction, with no message.
    pub fn at(inst: &Instruction) -> Hit {
        Hit {
            line: inst.line,
            message: None,
        }
    }

    /// A hit at an instruction, with a message.
    pub fn msg(inst: &Instruction, message: impl Into<String>) -> Hit {
        Hit {
            line: inst.line,
            message: Some(message.into()),
        }
    }
}

/// A Dockerfile rule.
pub trait DockerfileRule: Sync {
    /// Static metadata.
    fn meta(&self) -> &'static RuleMeta;
    /// Off unless a severity override names it (hadolint's "ignore" level).
    fn enabled_by_default(&self) -> bool {
        true
    }
    /// Pushes a [`Hit`] for every problem found.
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>);
}

/// A `RUN` (or an `ONBUILD RUN` trigger) with its script parsed.
#[derive(Debug)]
pub struct RunView<'a> {
    /// The `RUN` itself (the trigger, for `ONBUILD RUN`).
    pub inst: &'a Instruction,
    /// The line to report.
    pub line: u32,
    /// The stage.
    pub stage: Option<usize>,
    /// The parsed shell commands.
    pub script: Script,
    /// The same commands as [`Script::tools`] gives them, computed once for all rules.
    pub tools: Vec<shell::Command>,
    /// Whether this is an `ONBUILD` trigger.
    pub onbuild: bool,
}

impl RunView<'_> {
    /// A hit on this `RUN`.
    pub fn hit(&self, message: Option<String>) -> Hit {
        Hit {
            line: self.line,
            message,
        }
    }

    /// Whether a `--mount=type=cache` or `tmpfs` mount targets `path`.
    pub fn has_cache_mount(&self, path: &str) -> bool {
        self.inst.flag_values("mount").any(|m| {
            let mut kind = "bind";
            let mut target = "";
            for part in m.split(',') {
                match part.split_once('=') {
                    Some(("type", v)) => kind = v,
                    Some(("target" | "dst" | "destination", v)) => target = v,
                    _ => {}
                }
            }
            matches!(kind, "cache" | "tmpfs") && target.trim_end_matches('/') == path
        })
    }
}

/// Everything a rule may look at.
#[derive(Debug)]
pub struct Context<'a> {
    /// The parsed file.
    pub file: &'a Dockerfile,
    /// The configuration.
    pub config: &'a LintConfig,
    runs: Vec<RunView<'a>>,
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh"];

fn script_of(inst: &Instruction) -> Script {
    match &inst.args {
        Args::Exec(words) => {
            let first = words.first().map_or("", |w| shell::basename(w));
            if SHELLS.contains(&first) && words.get(1).map(String::as_str) == Some("-c") {
                return shell::parse(words.get(2).map_or("", String::as_str));
            }
            let mut script = shell::parse("");
            if !words.is_empty() {
                script.commands.push(shell::Command {
                    words: words.clone(),
                    sep: shell::Sep::Seq,
                });
            }
            script
        }
        Args::Shell(text) => {
            let mut script = shell::parse(text);
            let runs_body = script
                .commands
                .first()
                .is_none_or(|c| SHELLS.contains(&c.name()));
            if runs_body {
                for h in &inst.heredocs {
                    let shebang = h.body.lines().next().and_then(|l| l.strip_prefix("#!"));
                    let is_shell = shebang.is_none_or(|s| {
                        s.split_whitespace()
                            .any(|w| SHELLS.contains(&shell::basename(w)))
                    });
                    if is_shell {
                        script.commands.extend(shell::parse(&h.body).commands);
                    }
                }
            }
            script
        }
    }
}

impl<'a> Context<'a> {
    /// Prepares the shared views (parsed `RUN` scripts) once for all rules.
    pub fn new(file: &'a Dockerfile, config: &'a LintConfig) -> Context<'a> {
        let mut runs = Vec::new();
        for inst in &file.instructions {
            let (run, onbuild) = match (&inst.keyword, inst.trigger.as_deref()) {
                (Keyword::Run, _) => (inst, false),
                (Keyword::Onbuild, Some(t)) if t.keyword == Keyword::Run => (t, true),
                _ => continue,
            };
            let script = script_of(run);
            runs.push(RunView {
                inst: run,
                line: inst.line,
                stage: inst.stage,
                tools: script.tools().collect(),
                script,
                onbuild,
            });
        }
        Context { file, config, runs }
    }

    /// Every `RUN`, `ONBUILD RUN` triggers included.
    pub fn runs(&self) -> &[RunView<'a>] {
        &self.runs
    }

    /// Runs `f` on every command of every `RUN` (wrappers such as `sudo` peeled off) and
    /// reports each `RUN` once, with the message of its first offending command.
    pub fn check_commands(
        &self,
        out: &mut Vec<Hit>,
        f: impl Fn(&shell::Command) -> Option<String>,
    ) {
        for run in &self.runs {
            if let Some(message) = run.tools.iter().find_map(&f) {
                out.push(run.hit(Some(message)));
            }
        }
    }

    /// Instructions of a keyword, `ONBUILD` triggers excluded.
    pub fn all(&self, keyword: Keyword) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.file
            .instructions
            .iter()
            .filter(move |i| i.keyword == keyword)
    }

    /// `stage` and the earlier stages it builds on (`FROM <alias>`), nearest first: the
    /// stages whose `ENV`s a `RUN` in `stage` sees.
    pub fn lineage(&self, stage: usize) -> Vec<usize> {
        let stages = &self.file.stages;
        let mut chain = vec![stage];
        let mut current = stage;
        while let Some(base) = stages.get(current).and_then(|s| {
            let img = &s.image;
            (img.registry.is_none())
                .then(|| {
                    stages
                        .iter()
                        .take(current)
                        .rposition(|earlier| earlier.alias.as_deref() == Some(img.name.as_str()))
                })
                .flatten()
        }) {
            chain.push(base);
            current = base;
        }
        chain
    }

    /// The stages whose `FROM` names an image to pull: not `scratch`, not an earlier
    /// stage's alias, and with every variable resolved (an unresolved one cannot be judged).
    pub fn external_bases(&self) -> Vec<&'a crate::parse::Stage> {
        let mut aliases: Vec<&str> = Vec::new();
        let mut bases = Vec::new();
        for stage in &self.file.stages {
            let img = &stage.image;
            let is_stage = img.registry.is_none() && aliases.contains(&img.name.as_str());
            if img.name != "scratch" && !is_stage && !stage.unresolved && !img.name.is_empty() {
                bases.push(stage);
            }
            if let Some(a) = &stage.alias {
                aliases.push(a);
            }
        }
        bases
    }

    /// The index of the last stage.
    pub fn last_stage(&self) -> Option<usize> {
        self.file.stages.len().checked_sub(1)
    }
}

mod dl3000;
mod dl3001;
mod dl3002;
mod dl3003;
mod dl3004;
mod dl3006;
mod dl3007;
mod dl3008;
mod dl3009;
mod dl3010;
mod dl3011;
mod dl3012;
mod dl3013;
mod dl3014;
mod dl3015;
mod dl3016;
mod dl3018;
mod dl3019;
mod dl3020;
mod dl3021;
mod dl3022;
mod dl3023;
mod dl3024;
mod dl3025;
mod dl3026;
mod dl3027;
mod dl3028;
mod dl3029;
mod dl3030;
mod dl3032;
mod dl3033;
mod dl3034;
mod dl3035;
mod dl3036;
mod dl3037;
mod dl3038;
mod dl3040;
mod dl3041;
mod dl3042;
mod dl3043;
mod dl3044;
mod dl3045;
mod dl3046;
mod dl3047;
mod dl3048;
mod dl3049;
mod dl3050;
mod dl3051;
mod dl3052;
mod dl3053;
mod dl3054;
mod dl3055;
mod dl3056;
mod dl3057;
mod dl3058;
mod dl3059;
mod dl3060;
mod dl3061;
mod dl3062;
mod dl3063;
mod dl3065;
mod dl3066;
mod dl3067;
mod dl4000;
mod dl4001;
mod dl4003;
mod dl4004;
mod dl4005;
mod dl4006;
mod ks_df_001;
mod ks_df_002;
mod ks_df_003;
mod ks_df_004;
mod ks_df_005;
mod ks_df_006;

/// Every Dockerfile rule, sorted by id.
pub const RULES: &[&dyn DockerfileRule] = &[
    &dl3000::Dl3000,
    &dl3001::Dl3001,
    &dl3002::Dl3002,
    &dl3003::Dl3003,
    &dl3004::Dl3004,
    &dl3006::Dl3006,
    &dl3007::Dl3007,
    &dl3008::Dl3008,
    &dl3009::Dl3009,
    &dl3010::Dl3010,
    &dl3011::Dl3011,
    &dl3012::Dl3012,
    &dl3013::Dl3013,
    &dl3014::Dl3014,
    &dl3015::Dl3015,
    &dl3016::Dl3016,
    &dl3018::Dl3018,
    &dl3019::Dl3019,
    &dl3020::Dl3020,
    &dl3021::Dl3021,
    &dl3022::Dl3022,
    &dl3023::Dl3023,
    &dl3024::Dl3024,
    &dl3025::Dl3025,
    &dl3026::Dl3026,
    &dl3027::Dl3027,
    &dl3028::Dl3028,
    &dl3029::Dl3029,
    &dl3030::Dl3030,
    &dl3032::Dl3032,
    &dl3033::Dl3033,
    &dl3034::Dl3034,
    &dl3035::Dl3035,
    &dl3036::Dl3036,
    &dl3037::Dl3037,
    &dl3038::Dl3038,
    &dl3040::Dl3040,
    &dl3041::Dl3041,
    &dl3042::Dl3042,
    &dl3043::Dl3043,
    &dl3044::Dl3044,
    &dl3045::Dl3045,
    &dl3046::Dl3046,
    &dl3047::Dl3047,
    &dl3048::Dl3048,
    &dl3049::Dl3049,
    &dl3050::Dl3050,
    &dl3051::Dl3051,
    &dl3052::Dl3052,
    &dl3053::Dl3053,
    &dl3054::Dl3054,
    &dl3055::Dl3055,
    &dl3056::Dl3056,
    &dl3057::Dl3057,
    &dl3058::Dl3058,
    &dl3059::Dl3059,
    &dl3060::Dl3060,
    &dl3061::Dl3061,
    &dl3062::Dl3062,
    &dl3063::Dl3063,
    &dl3065::Dl3065,
    &dl3066::Dl3066,
    &dl3067::Dl3067,
    &dl4000::Dl4000,
    &dl4001::Dl4001,
    &dl4003::Dl4003,
    &dl4004::Dl4004,
    &dl4005::Dl4005,
    &dl4006::Dl4006,
    &ks_df_001::KsDf001,
    &ks_df_002::KsDf002,
    &ks_df_003::KsDf003,
    &ks_df_004::KsDf004,
    &ks_df_005::KsDf005,
    &ks_df_006::KsDf006,
];

/// The Dockerfile rules as one family.
pub struct DockerfileRules;

/// The Dockerfile rule family, for the scan's registry (`kensa rule`,
/// `docs/dockerfile-rules.md`).
pub static DOCKERFILE_RULES: DockerfileRules = DockerfileRules;

impl RuleSet for DockerfileRules {
    fn family(&self) -> &'static str {
        "dockerfile"
    }

    fn scanner(&self) -> Scanner {
        Scanner::Config
    }

    fn groups(&self) -> Vec<RuleGroup> {
        vec![RuleGroup {
            title: "Dockerfile",
            about: "Checked on Dockerfiles named to `kensa dockerfile` and on those found in \
                    images, root filesystems and source trees (the `config` scanner). \
                    Severities follow hadolint's levels: error → HIGH, warning → MEDIUM, info \
                    and style → LOW.",
            rules: RULES.iter().map(|r| r.meta()).collect(),
        }]
    }

    /// hadolint rules that a kensa rule covers, so that ignores written for hadolint keep
    /// silencing the same finding: hadolint's DL3064 flags secret-looking ARG/ENV names,
    /// which KS-DF-004 reports (by name and by value).
    fn aliases(&self) -> &'static [(&'static str, &'static str)] {
        &[("DL3064", "KS-DF-004")]
    }

    fn doc(&self) -> RuleDoc {
        RuleDoc {
            path: "docs/dockerfile-rules.md",
            title: "Dockerfile rules",
            intro: "Hadolint's DL rules, which answer to the same ids and pragmas (`# hadolint \
                    ignore=DL3008`), and kensa's own KS-DF rules. `kensa rule ID` prints the \
                    same text.",
            layout: RuleLayout::Sections,
        }
    }

    fn details(&self, meta: &RuleMeta) -> Vec<(&'static str, String)> {
        let mut details = Vec::new();
        if rule(meta.id).is_some_and(|r| !r.enabled_by_default()) {
            details.push((
                "default",
                "off until `severity_overrides` (or hadolint's `override`) names it".to_owned(),
            ));
        }
        details
    }
}

/// Looks a rule up by id.
pub fn rule(id: &str) -> Option<&'static dyn DockerfileRule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// DL3033/DL3041: the unpinned packages of an rpm package manager's `install`, when
/// `managers` names the command being run.
pub(crate) fn rpm_unpinned(c: &crate::shell::Command, managers: &[&str]) -> Option<String> {
    if !managers.contains(&c.name()) {
        return None;
    }
    let ops = c.operands(&[]);
    // A package group (`dnf group install "Development Tools"`) has no version to pin.
    if ops.first() == Some(&"group") {
        return None;
    }
    let module = ops.contains(&"module");
    if !ops.contains(&"install") {
        return None;
    }
    let unpinned: Vec<&str> = ops
        .into_iter()
        .filter(|p| !matches!(*p, "install" | "module"))
        .filter(|p| {
            if module {
                !p.contains(':')
            } else {
                !rpm_version_fixed(p)
            }
        })
        .collect();
    (!unpinned.is_empty()).then(|| format!("unpinned: `{}`", unpinned.join("`, `")))
}

/// Hadolint's test: a dash-separated tail made of version characters with at least
/// one part starting with a digit; `.rpm` files and variables count as pinned.
fn rpm_version_fixed(p: &str) -> bool {
    if p.ends_with(".rpm") || p.contains('$') {
        return true;
    }
    let mut parts = p.split('-');
    parts.next();
    let rest: Vec<&str> = parts.collect();
    !rest.is_empty()
        && rest.iter().all(|part| {
            part.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '~' | '^' | '_' | ':' | '+')
            })
        })
        && rest
            .iter()
            .any(|part| part.starts_with(|c: char| c.is_ascii_digit()))
}

/// The label-schema rules (DL3053–DL3058): every `LABEL` whose key the schema types as
/// `kind` must hold a value of that kind.
pub(crate) fn check_label_type(
    ctx: &Context<'_>,
    kind: crate::LabelType,
    what: &str,
    out: &mut Vec<Hit>,
) {
    for inst in ctx.all(crate::parse::Keyword::Label) {
        for (k, v) in inst.pairs() {
            let v = v.unwrap_or_default();
            if ctx.config.label_schema.get(&k) == Some(&kind) && !kind.accepts(&v) {
                out.push(Hit::msg(inst, format!("label `{k}` is not {what}: `{v}`")));
            }
        }
    }
}

/// Hadolint's wiki page for a rule.
macro_rules! wiki {
    ($id:literal) => {
        &[concat!("https://github.com/hadolint/hadolint/wiki/", $id)]
    };
}
pub(crate) use wiki;

#[cfg(test)]
pub(crate) fn lines_with(rule: &dyn DockerfileRule, src: &str, config: &LintConfig) -> Vec<u32> {
    let file = crate::parse(src).unwrap_or_else(|e| panic!("test Dockerfile must parse: {e}"));
    let ctx = Context::new(&file, config);
    let mut out = Vec::new();
    rule.check(&ctx, &mut out);
    out.iter().map(|h| h.line).collect()
}

#[cfg(test)]
pub(crate) fn lines(rule: &dyn DockerfileRule, src: &str) -> Vec<u32> {
    lines_with(rule, src, &LintConfig::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_unique_and_complete() {
        assert_eq!(
            kensa_core::check_rule_set(&DOCKERFILE_RULES),
            Vec::<String>::new()
        );
        for r in RULES {
            let m = r.meta();
            let wiki = format!("https://github.com/hadolint/hadolint/wiki/{}", m.id);
            if m.id.starts_with("DL") {
                assert_eq!(m.links, [wiki.as_str()]);
            } else {
                assert!(m.id.starts_with("KS-DF-"), "{}", m.id);
            }
        }
    }

    #[test]
    fn rule_ids_are_frozen() {
        let ids: Vec<String> = RULES
            .iter()
            .map(|r| {
                let m = r.meta();
                format!("{} {} {}", m.id, m.severity, m.section.code())
            })
            .collect();
        insta::assert_snapshot!("rule_ids", ids.join("\n"));
    }

    #[test]
    fn lookup_by_id() {
        assert_eq!(rule("DL3008").map(|r| r.meta().id), Some("DL3008"));
        assert!(rule("DL9999").is_none());
    }
}
