//! The Dockerfile parser: directives, continuations, heredocs, exec vs shell form, flags,
//! stages and `ARG`/`ENV` substitution, with 1-based line spans on every instruction.
//!
//! Hand-written because the crates on crates.io do not fit: `dockerfile-parser` (pest)
//! has had no release since 2022 and knows neither heredocs nor BuildKit's comments
//! inside continuations, and none of the others keeps end lines or the escape directive.

use std::collections::BTreeMap;
use std::fmt;

/// A syntax error, with the 1-based line and column where it was noticed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ParseError {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// The kinds of syntax error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// A word that is not a Dockerfile instruction.
    #[error("unknown instruction `{0}`")]
    UnknownInstruction(String),
    /// A heredoc whose terminator never came.
    #[error("heredoc `{0}` is not terminated")]
    UnterminatedHeredoc(String),
    /// Arguments that start like a JSON array but are not a JSON array of strings.
    #[error(
        "`{keyword}` arguments `{text}` look like a JSON array but are not valid JSON: {reason}"
    )]
    BadJson {
        /// The instruction.
        keyword: String,
        /// The argument text, shortened.
        text: String,
        /// Why the JSON was rejected.
        reason: String,
    },
    /// An instruction with no arguments.
    #[error("`{0}` needs at least one argument")]
    MissingArguments(String),
    /// An `escape` directive with a value other than `\` or a backtick.
    #[error("invalid escape directive `{0}` (expected `\\` or a backtick)")]
    BadEscape(String),
    /// `ONBUILD` without a valid trigger.
    #[error("`ONBUILD` trigger `{0}` is not allowed")]
    BadOnbuild(String),
}

/// Dockerfile instructions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Keyword {
    /// `ADD`
    Add,
    /// `ARG`
    Arg,
    /// `CMD`
    Cmd,
    /// `COPY`
    Copy,
    /// `ENTRYPOINT`
    Entrypoint,
    /// `ENV`
    Env,
    /// `EXPOSE`
    Expose,
    /// `FROM`
    From,
    /// `HEALTHCHECK`
    Healthcheck,
    /// `LABEL`
    Label,
    /// `MAINTAINER`
    Maintainer,
    /// `ONBUILD`
    Onbuild,
    /// `RUN`
    Run,
    /// `SHELL`
    Shell,
    /// `STOPSIGNAL`
    Stopsignal,
    /// `USER`
    User,
    /// `VOLUME`
    Volume,
    /// `WORKDIR`
    Workdir,
}

impl Keyword {
    const ALL: [(&'static str, Keyword); 18] = [
        ("ADD", Keyword::Add),
        ("ARG", Keyword::Arg),
        ("CMD", Keyword::Cmd),
        ("COPY", Keyword::Copy),
        ("ENTRYPOINT", Keyword::Entrypoint),
        ("ENV", Keyword::Env),
        ("EXPOSE", Keyword::Expose),
        ("FROM", Keyword::From),
        ("HEALTHCHECK", Keyword::Healthcheck),
        ("LABEL", Keyword::Label),
        ("MAINTAINER", Keyword::Maintainer),
        ("ONBUILD", Keyword::Onbuild),
        ("RUN", Keyword::Run),
        ("SHELL", Keyword::Shell),
        ("STOPSIGNAL", Keyword::Stopsignal),
        ("USER", Keyword::User),
        ("VOLUME", Keyword::Volume),
        ("WORKDIR", Keyword::Workdir),
    ];

    fn parse(word: &str) -> Option<Keyword> {
        Keyword::ALL
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map(|(_, k)| *k)
    }

    /// The upper-case name.
    pub fn as_str(self) -> &'static str {
        Keyword::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(name, _)| name)
    }

    /// Whether Docker expands `$VAR` in this instruction's arguments at build time.
    fn expands(self) -> bool {
        matches!(
            self,
            Keyword::Add
                | Keyword::Copy
                | Keyword::Env
                | Keyword::Expose
                | Keyword::From
                | Keyword::Label
                | Keyword::Stopsignal
                | Keyword::User
                | Keyword::Volume
                | Keyword::Workdir
                | Keyword::Arg
        )
    }

    /// Whether a leading `[` means exec (JSON) form.
    fn has_exec_form(self) -> bool {
        matches!(
            self,
            Keyword::Run
                | Keyword::Cmd
                | Keyword::Entrypoint
                | Keyword::Shell
                | Keyword::Copy
                | Keyword::Add
                | Keyword::Volume
        )
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parser directives from the top of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directives {
    /// `# syntax=`.
    pub syntax: Option<String>,
    /// `# escape=`, `\` by default.
    pub escape: char,
    /// `# check=`.
    pub check: Option<String>,
}

impl Default for Directives {
    fn default() -> Self {
        Directives {
            syntax: None,
            escape: '\\',
            check: None,
        }
    }
}

/// A `--name[=value]` flag of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name, without dashes.
    pub name: String,
    /// The value, quotes removed and variables expanded where Docker expands them.
    pub value: Option<String>,
}

/// The arguments of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// Exec (JSON array) form.
    Exec(Vec<String>),
    /// Shell form: the text after the flags, continuations joined.
    Shell(String),
}

/// A heredoc attached to `RUN`, `COPY` or `ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word, without quotes.
    pub delimiter: String,
    /// `<<-`: leading tabs are stripped from the body.
    pub strip_tabs: bool,
    /// The delimiter was quoted, so the body is not expanded.
    pub quoted: bool,
    /// The body, one `\n`-terminated line per source line.
    pub body: String,
    /// The 1-based line of the first body line.
    pub line: u32,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Which instruction.
    pub keyword: Keyword,
    /// 1-based first line.
    pub line: u32,
    /// 1-based last line, heredoc bodies and continuations included.
    pub end_line: u32,
    /// Leading `--flags`.
    pub flags: Vec<Flag>,
    /// The arguments, as written.
    pub args: Args,
    /// For instructions that Docker expands: the arguments split into words, quotes
    /// removed and `ARG`/`ENV` variables substituted; otherwise the plain words.
    pub words: Vec<String>,
    /// Some variable in `words` had no value at this point of the file.
    pub unresolved: bool,
    /// Heredocs, in order.
    pub heredocs: Vec<Heredoc>,
    /// The build stage (index into [`Dockerfile::stages`]); `None` before the first `FROM`.
    pub stage: Option<usize>,
    /// The trigger of an `ONBUILD`.
    pub trigger: Option<Box<Instruction>>,
}

impl Instruction {
    /// The flag's value, if the flag is present (`Some(None)` for a bare flag).
    pub fn flag(&self, name: &str) -> Option<Option<&str>> {
        self.flags
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_deref())
    }

    /// The values of every occurrence of a flag (`--mount` may repeat).
    pub fn flag_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.flags
            .iter()
            .filter(move |f| f.name == name)
            .filter_map(|f| f.value.as_deref())
    }

    /// The shell-form text, if the instruction is in shell form.
    pub fn shell_text(&self) -> Option<&str> {
        match &self.args {
            Args::Shell(s) => Some(s),
            Args::Exec(_) => None,
        }
    }

    /// `KEY=VALUE` pairs of `ENV`, `LABEL` and `ARG` (value `None` for a bare `ARG NAME`),
    /// with variables expanded. The legacy `ENV KEY value words` form gives one pair.
    pub fn pairs(&self) -> Vec<(String, Option<String>)> {
        pairs_of(self.keyword, &self.words)
    }

    /// The same pairs before substitution, with quotes removed.
    pub fn raw_pairs(&self) -> Vec<(String, Option<String>)> {
        let text = self.shell_text().unwrap_or_default();
        let (words, _) = split_words(text, '\\', None);
        pairs_of(self.keyword, &words)
    }
}

fn pairs_of(keyword: Keyword, words: &[String]) -> Vec<(String, Option<String>)> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if keyword != Keyword::Arg && !first.contains('=') {
        let rest = words.get(1..).unwrap_or_default().join(" ");
        return vec![(first.clone(), Some(rest))];
    }
    words
        .iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (w.clone(), None),
        })
        .collect()
}

/// A build stage, opened by `FROM`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// Index of the `FROM` in [`Dockerfile::instructions`].
    pub instruction: usize,
    /// The 1-based line of the `FROM`.
    pub line: u32,
    /// The base image as written.
    pub image_raw: String,
    /// The base image after substitution of global `ARG`s.
    pub image: ImageRef,
    /// The `AS name`, lower-cased as BuildKit does.
    pub alias: Option<String>,
    /// `--platform`.
    pub platform: Option<String>,
    /// The image still holds a variable without a value.
    pub unresolved: bool,
}

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImageRef {
    /// The registry host, when the first path component names one.
    pub registry: Option<String>,
    /// The repository path without the registry.
    pub name: String,
    /// The tag.
    pub tag: Option<String>,
    /// The `@sha256:…` digest.
    pub digest: Option<String>,
}

impl ImageRef {
    /// Splits `[registry/]name[:tag][@digest]`.
    pub fn parse(text: &str) -> ImageRef {
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (text, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first.to_owned()), path)
            }
            _ => (None, rest),
        };
        let last_slash = path.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match path.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(colon) => {
                let at = last_slash + colon;
                (
                    path.get(..at).unwrap_or_default().to_owned(),
                    path.get(at + 1..).map(str::to_owned),
                )
            }
            None => (path.to_owned(), None),
        };
        ImageRef {
            registry,
            name,
            tag,
            digest,
        }
    }
}

/// A comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// 1-based line.
    pub line: u32,
    /// The text after `#`, trimmed.
    pub text: String,
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dockerfile {
    /// Parser directives.
    pub directives: Directives,
    /// Instructions, in order.
    pub instructions: Vec<Instruction>,
    /// Build stages, in order.
    pub stages: Vec<Stage>,
    /// Comment lines outside instructions (directives excluded).
    pub comments: Vec<Comment>,
}

impl Dockerfile {
    /// The instructions of one stage.
    pub fn stage_instructions(&self, stage: usize) -> impl Iterator<Item = &Instruction> {
        self.instructions
            .iter()
            .filter(move |i| i.stage == Some(stage))
    }
}

/// Variables visible at a point of the file: `Some(value)` when set, `None` for an
/// `ARG` declared without a value.
type Vars = BTreeMap<String, Option<String>>;

fn line_no(index: usize) -> u32 {
    u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1))
}

fn col_no(text: &str, byte: usize) -> u32 {
    let chars = text.get(..byte).map_or(0, |t| t.chars().count());
    u32::try_from(chars).map_or(u32::MAX, |c| c.saturating_add(1))
}

/// Parses a Dockerfile.
pub fn parse(source: &str) -> Result<Dockerfile, ParseError> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let lines: Vec<&str> = source
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut df = Dockerfile::default();
    let mut i = parse_directives(&lines, &mut df.directives)?;
    let escape = df.directives.escape;

    let mut global: Vars = Vars::new();
    let mut stage_vars: Vars = Vars::new();
    while let Some(&line) = lines.get(i) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            i += 1;
            continue;
        }
        if let Some(text) = trimmed.strip_prefix('#') {
            df.comments.push(Comment {
                line: line_no(i),
                text: text.trim().to_owned(),
            });
            i += 1;
            continue;
        }
        let start = i;
        let indent = line.len() - trimmed.len();
        let (logical, next) = join_continuation(&lines, i, escape);
        i = next;
        let mut inst = parse_instruction(&logical, start, indent, escape, false)?;
        // BuildKit reads heredocs only in shell form; in exec form `<<` is plain text.
        if matches!(inst.keyword, Keyword::Run | Keyword::Copy | Keyword::Add)
            && matches!(inst.args, Args::Shell(_))
        {
            let markers = heredoc_markers(&logical);
            for (delimiter, strip_tabs, quoted, byte) in markers {
                let body_line = i;
                let mut body = String::new();
                let mut closed = false;
                while let Some(&l) = lines.get(i) {
                    i += 1;
                    let candidate = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if candidate == delimiter {
                        closed = true;
                        break;
                    }
                    body.push_str(candidate);
                    body.push('\n');
                }
                if !closed {
                    return Err(ParseError {
                        line: line_no(start),
                        column: col_no(&logical, byte)
                            .saturating_add(u32::try_from(indent).unwrap_or(0)),
                        kind: ParseErrorKind::UnterminatedHeredoc(delimiter),
                    });
                }
                inst.heredocs.push(Heredoc {
                    delimiter,
                    strip_tabs,
                    quoted,
                    body,
                    line: line_no(body_line),
                });
            }
        }
        inst.end_line = line_no(i.saturating_sub(1)).max(inst.line);

        // An instruction other than `ARG` before the first `FROM` is kept (with no stage):
        // DL3061 reports it and the other rules still see the rest of the file, as
        // hadolint does.
        let index = df.instructions.len();
        if inst.keyword == Keyword::From {
            let stage = open_stage(&mut inst, &global, index, &df.stages);
            stage_vars = Vars::new();
            df.stages.push(stage);
        }
        inst.stage = df.stages.len().checked_sub(1);
        if inst.keyword != Keyword::From {
            let empty = Vars::new();
            let (vars, outer) = if inst.stage.is_some() {
                (&mut stage_vars, &global)
            } else {
                (&mut global, &empty)
            };
            expand_instruction(&mut inst, vars, escape, outer);
            if let Some(trigger) = inst.trigger.as_deref_mut() {
                trigger.stage = inst.stage;
                expand_instruction(trigger, &mut vars.clone(), escape, outer);
            }
        }
        df.instructions.push(inst);
    }
    Ok(df)
}

fn parse_directives(lines: &[&str], out: &mut Directives) -> Result<usize, ParseError> {
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let Some(body) = line.trim_start().strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = body.split_once('=') else {
            break;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            break;
        }
        let value = value.trim();
        match key.to_ascii_lowercase().as_str() {
            "syntax" => out.syntax = Some(value.to_owned()),
            "check" => out.check = Some(value.to_owned()),
            "escape" => {
                out.escape = match value {
                    "\\" => '\\',
                    "`" => '`',
                    _ => {
                        return Err(ParseError {
                            line: line_no(i),
                            column: col_no(line, line.find('=').map_or(0, |p| p + 1)),
                            kind: ParseErrorKind::BadEscape(value.to_owned()),
                        });
                    }
                }
            }
            // An unknown directive is an ordinary comment, and a comment ends the
            // directive block.
            _ => break,
        }
        i += 1;
    }
    Ok(i)
}

/// Joins a logical line: a line ending in the escape character continues on the next
/// line; comment lines and blank lines inside a continuation are dropped, as BuildKit
/// does. Returns the joined text (from the first non-blank character) and the index of
/// the next unread line.
fn join_continuation(lines: &[&str], start: usize, escape: char) -> (String, usize) {
    let mut out = String::new();
    let mut i = start;
    let mut first = true;
    while let Some(&line) = lines.get(i) {
        i += 1;
        let piece = if first { line.trim_start() } else { line };
        if !first {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') {
                continue;
            }
        }
        first = false;
        let trimmed_end = piece.trim_end();
        match trimmed_end.strip_suffix(escape) {
            Some(before) => out.push_str(before),
            None => {
                out.push_str(piece);
                return (out, i);
            }
        }
    }
    (out, i)
}

fn parse_instruction(
    text: &str,
    line_index: usize,
    indent: usize,
    escape: char,
    nested: bool,
) -> Result<Instruction, ParseError> {
    let line = line_no(line_index);
    let kw_end = text.find(char::is_whitespace).unwrap_or(text.len());
    let word = text.get(..kw_end).unwrap_or_default();
    let base_col = u32::try_from(indent).unwrap_or(0);
    let keyword = Keyword::parse(word).ok_or_else(|| ParseError {
        line,
        column: base_col.saturating_add(1),
        kind: ParseErrorKind::UnknownInstruction(word.chars().take(40).collect()),
    })?;
    let mut rest = text.get(kw_end..).unwrap_or_default().trim_start();
    let rest_col = |rest: &str| base_col.saturating_add(col_no(text, text.len() - rest.len()));

    if keyword == Keyword::Onbuild {
        if rest.trim().is_empty() {
            return Err(ParseError {
                line,
                column: base_col.saturating_add(1),
                kind: ParseErrorKind::MissingArguments(keyword.as_str().to_owned()),
            });
        }
        let col = rest_col(rest);
        // `ONBUILD ONBUILD …` is kept as one level (DL3043 reports it); not recursing
        // further keeps hostile chains from exhausting the stack.
        let trigger = if nested {
            None
        } else {
            Some(Box::new(parse_instruction(
                rest,
                line_index,
                usize::try_from(col.saturating_sub(1)).unwrap_or(0),
                escape,
                true,
            )?))
        };
        return Ok(Instruction {
            keyword,
            line,
            end_line: line,
            flags: Vec::new(),
            args: Args::Shell(rest.trim_end().to_owned()),
            words: Vec::new(),
            unresolved: false,
            heredocs: Vec::new(),
            stage: None,
            trigger,
        });
    }

    let mut flags = Vec::new();
    if matches!(
        keyword,
        Keyword::From | Keyword::Run | Keyword::Copy | Keyword::Add | Keyword::Healthcheck
    ) {
        while let Some(after) = rest.strip_prefix("--") {
            let end = after.find(char::is_whitespace).unwrap_or(after.len());
            let flag = after.get(..end).unwrap_or_default();
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_owned(), Some(unquote(v))),
                None => (flag.to_owned(), None),
            };
            flags.push(Flag { name, value });
            rest = after.get(end..).unwrap_or_default().trim_start();
        }
    }
    let rest = rest.trim_end();
    if rest.is_empty() {
        return Err(ParseError {
            line,
            column: base_col.saturating_add(1),
            kind: ParseErrorKind::MissingArguments(keyword.as_str().to_owned()),
        });
    }
    let args = if keyword.has_exec_form() && rest.starts_with('[') {
        match serde_json::from_str::<Vec<String>>(rest) {
            Ok(v) => Args::Exec(v),
            Err(e) => {
                // `["a", 'b']` is an exec form gone wrong (Docker would run it as a
                // shell command that fails); `[ "$x" = y ]`, with the blank the shell's
                // `[` needs, is a shell test.
                let after = rest.get(1..).unwrap_or_default();
                if after.starts_with('"') || after.starts_with('\'') {
                    return Err(ParseError {
                        line,
                        column: rest_col(rest),
                        kind: ParseErrorKind::BadJson {
                            keyword: keyword.as_str().to_owned(),
                            text: rest.chars().take(60).collect(),
                            reason: e.to_string(),
                        },
                    });
                }
                // `RUN [ -f x ] && …` is a shell test, not a broken exec form.
                Args::Shell(rest.to_owned())
            }
        }
    } else {
        Args::Shell(rest.to_owned())
    };
    let words = match &args {
        Args::Exec(v) => v.clone(),
        Args::Shell(s) => split_words(s, escape, None).0,
    };
    Ok(Instruction {
        keyword,
        line,
        end_line: line,
        flags,
        args,
        words,
        unresolved: false,
        heredocs: Vec::new(),
        stage: None,
        trigger: None,
    })
}

fn unquote(v: &str) -> String {
    let v = v.trim();
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner.to_owned();
        }
    }
    v.to_owned()
}

/// Finds `<<EOF`, `<<-EOF`, `<<"EOF"` and `<<'EOF'` outside quotes. Returns
/// `(delimiter, strip_tabs, quoted, byte offset)`.
fn heredoc_markers(text: &str) -> Vec<(String, bool, bool, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut quote: Option<u8> = None;
    let mut k = 0;
    while let Some(&b) = bytes.get(k) {
        match quote {
            Some(q) => {
                if b == q {
                    quote = None;
                }
                k += 1;
            }
            None if b == b'\'' || b == b'"' => {
                quote = Some(b);
                k += 1;
            }
            None if b == b'<'
                && bytes.get(k + 1) == Some(&b'<')
                && bytes.get(k + 2) != Some(&b'<') =>
            {
                let at = k;
                let mut j = k + 2;
                let strip_tabs = bytes.get(j) == Some(&b'-');
                if strip_tabs {
                    j += 1;
                }
                let q = match bytes.get(j) {
                    Some(&c @ (b'"' | b'\'')) => {
                        j += 1;
                        Some(c)
                    }
                    _ => None,
                };
                let word_start = j;
                while bytes
                    .get(j)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
                {
                    j += 1;
                }
                let word = text.get(word_start..j).unwrap_or_default();
                if let Some(qc) = q
                    && bytes.get(j) == Some(&qc)
                {
                    j += 1;
                }
                if !word.is_empty() {
                    out.push((word.to_owned(), strip_tabs, q.is_some(), at));
                }
                k = j.max(k + 2);
            }
            None => k += 1,
        }
    }
    out
}

fn open_stage(inst: &mut Instruction, global: &Vars, index: usize, stages: &[Stage]) -> Stage {
    let raw_words = inst.words.clone();
    let (image_raw, alias) = match raw_words.as_slice() {
        [image, as_kw, alias, ..] if as_kw.eq_ignore_ascii_case("as") => {
            (image.clone(), Some(alias.to_ascii_lowercase()))
        }
        [image, ..] => (image.clone(), None),
        [] => (String::new(), None),
    };
    let mut unresolved = false;
    let image = expand(&image_raw, global, '\\', &mut unresolved);
    let platform = inst.flag("platform").flatten().map(str::to_owned);
    inst.unresolved = unresolved;
    let _ = stages;
    Stage {
        instruction: index,
        line: inst.line,
        image_raw,
        image: ImageRef::parse(&image),
        alias,
        platform,
        unresolved,
    }
}

fn expand_instruction(inst: &mut Instruction, vars: &mut Vars, escape: char, global: &Vars) {
    if !inst.keyword.expands() {
        return;
    }
    let mut unresolved = false;
    match &inst.args {
        Args::Shell(text) => {
            let (words, u) = split_words(text, escape, Some(vars));
            inst.words = words;
            unresolved |= u;
        }
        Args::Exec(v) => {
            inst.words = v
                .iter()
                .map(|w| expand(w, vars, escape, &mut unresolved))
                .collect();
        }
    }
    for flag in &mut inst.flags {
        if let Some(v) = &flag.value {
            flag.value = Some(expand(v, vars, escape, &mut unresolved));
        }
    }
    inst.unresolved = unresolved;
    match inst.keyword {
        Keyword::Arg => {
            for (k, v) in inst.pairs() {
                let value = v.or_else(|| global.get(&k).cloned().flatten());
                vars.insert(k, value);
            }
        }
        Keyword::Env => {
            for (k, v) in inst.pairs() {
                vars.insert(k, v);
            }
        }
        _ => {}
    }
}

/// Splits text into words as Docker's word lexer does: unquoted whitespace separates,
/// quotes are removed, the escape character escapes, and (when `vars` is given)
/// `$VAR` forms are substituted outside single quotes. Returns the words and whether
/// a variable had no value.
pub(crate) fn split_words(text: &str, escape: char, vars: Option<&Vars>) -> (Vec<String>, bool) {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut unresolved = false;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') | (Some('"'), '"') => quote = None,
            (Some('\''), _) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (_, c) if c == escape => {
                in_word = true;
                match chars.next() {
                    Some(n) if quote.is_some() && !matches!(n, '"' | '$') && n != escape => {
                        cur.push(c);
                        cur.push(n);
                    }
                    Some(n) => cur.push(n),
                    None => cur.push(c),
                }
            }
            (_, '$') if vars.is_some() => {
                in_word = true;
                let (value, u) = match vars {
                    Some(v) => expand_var(&mut chars, v, escape, 0),
                    None => (String::new(), false),
                };
                unresolved |= u;
                cur.push_str(&value);
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            _ => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    (words, unresolved)
}

/// Expands variables in one word (exec-form element or image name); no word splitting
/// and no quote removal.
fn expand(text: &str, vars: &Vars, escape: char, unresolved: &mut bool) -> String {
    expand_at(text, vars, escape, unresolved, 0)
}

/// Nested `${A:-${B:-…}}` defaults recurse; past this depth the text is kept as written
/// so that hostile input cannot exhaust the stack.
const MAX_DEPTH: u8 = 16;

fn expand_at(text: &str, vars: &Vars, escape: char, unresolved: &mut bool, depth: u8) -> String {
    if depth > MAX_DEPTH {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == escape && chars.peek() == Some(&'$') {
            out.push('$');
            chars.next();
        } else if c == '$' {
            let (v, u) = expand_var(&mut chars, vars, escape, depth);
            *unresolved |= u;
            out.push_str(&v);
        } else {
            out.push(c);
        }
    }
    out
}

/// Reads one variable reference after a `$` and returns its value.
fn expand_var(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    vars: &Vars,
    escape: char,
    depth: u8,
) -> (String, bool) {
    let lookup = |name: &str| vars.get(name).cloned().flatten();
    match chars.peek() {
        Some('{') => {
            chars.next();
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            let mut op = String::new();
            if chars.peek() == Some(&':') {
                op.push(':');
                chars.next();
            }
            let mut word = String::new();
            let mut has_op = false;
            if let Some(&c) = chars.peek()
                && matches!(c, '-' | '+' | '?')
            {
                op.push(c);
                has_op = true;
                chars.next();
            }
            let mut braces = 0u32;
            for c in chars.by_ref() {
                match c {
                    '{' => braces = braces.saturating_add(1),
                    '}' if braces == 0 => break,
                    '}' => braces = braces.saturating_sub(1),
                    _ => {}
                }
                word.push(c);
            }
            let value = lookup(&name);
            if !has_op {
                return (value.clone().unwrap_or_default(), value.is_none());
            }
            let mut u = false;
            let mut alt = || expand_at(&word, vars, escape, &mut u, depth.saturating_add(1));
            let result = match op.as_str() {
                ":-" => match value {
                    Some(v) if !v.is_empty() => v,
                    _ => alt(),
                },
                "-" => match value {
                    Some(v) => v,
                    None => alt(),
                },
                ":+" => match value {
                    Some(v) if !v.is_empty() => alt(),
                    _ => String::new(),
                },
                "+" => match value {
                    Some(_) => alt(),
                    None => String::new(),
                },
                _ => return (value.clone().unwrap_or_default(), value.is_none()),
            };
            (result, u)
        }
        Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
            let mut name = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_ascii_alphanumeric() || c == '_' {
                    name.push(c);
                    chars.next();
                } else {
                    break;
                }
            }
            let value = lookup(&name);
            (value.clone().unwrap_or_default(), value.is_none())
        }
        _ => ("$".to_owned(), false),
    }
}
