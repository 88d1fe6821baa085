//! Reading build history: a `created_by` string back into its Dockerfile instruction,
//! and a `RUN` script into simple commands.
//!
//! Builders write history differently: the classic builder records
//! `/bin/sh -c #(nop)  ENV A=b` for metadata steps and `|2 A=1 B=2 /bin/sh -c make`
//! for a `RUN` that saw build arguments; BuildKit records `ENV A=b`,
//! `RUN |1 A=1 /bin/sh -c make # buildkit` and `ADD app.tar.gz /app # buildkit`. The
//! reading here is deliberately forgiving: history is free text, so anything it does
//! not recognise is a `RUN` script that matches no rule, never an error.

/// One build step read back from its `created_by`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step<'a> {
    /// The instruction keyword, uppercase (`RUN`, `ADD`, `ENV`, …).
    pub(crate) keyword: String,
    /// For `RUN`, the script; otherwise the instruction's arguments.
    pub(crate) args: &'a str,
    /// Build arguments recorded for a `RUN` (`|2 A=1 B=2`).
    pub(crate) build_args: Vec<(&'a str, &'a str)>,
}

/// Reads a history `created_by`.
pub(crate) fn parse(created_by: &str) -> Step<'_> {
    let mut s = created_by.trim();
    if let Some(rest) = s.strip_suffix("# buildkit") {
        s = rest.trim_end();
    }
    let (first, rest) = split_word(s);
    if is_keyword(first) && first != "RUN" {
        return Step {
            keyword: first.to_owned(),
            args: rest,
            build_args: Vec::new(),
        };
    }
    let run = if first == "RUN" { rest } else { s };
    let (build_args, run) = strip_build_args(run);
    let script = strip_shell(run);
    if let Some(nop) = script.strip_prefix("#(nop)") {
        let (keyword, args) = split_word(nop.trim_start());
        return Step {
            keyword: keyword.to_ascii_uppercase(),
            args,
            build_args,
        };
    }
    Step {
        keyword: "RUN".to_owned(),
        args: script,
        build_args,
    }
}

fn is_keyword(word: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ];
    KEYWORDS.contains(&word)
}

/// The first whitespace-separated word and the trimmed rest.
fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (
            s.get(..i).unwrap_or(s),
            s.get(i..).unwrap_or("").trim_start(),
        ),
        None => (s, ""),
    }
}

/// Splits `|2 A=1 B=2 rest` into the assignments and `rest`.
fn strip_build_args(s: &str) -> (Vec<(&str, &str)>, &str) {
    let Some(count) = s.strip_prefix('|') else {
        return (Vec::new(), s);
    };
    let (n, mut rest) = split_word(count);
    let Ok(n) = n.parse::<usize>() else {
        return (Vec::new(), s);
    };
    let mut args = Vec::new();
    for _ in 0..n {
        let (word, after) = split_word(rest);
        let Some((name, value)) = word.split_once('=') else {
            break;
        };
        args.push((name, value));
        rest = after;
    }
    (args, rest)
}

/// Strips a leading `/bin/sh -c` (or `bash -o pipefail -c`, `cmd /S /C`) from a script.
fn strip_shell(s: &str) -> &str {
    let (first, mut rest) = split_word(s);
    let name = first.rsplit('/').next().unwrap_or(first);
    let posix = matches!(name, "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh");
    let windows = name.eq_ignore_ascii_case("cmd") || name.eq_ignore_ascii_case("cmd.exe");
    if !posix && !windows {
        return s;
    }
    // Options before `-c` (`-o pipefail`, `-e`, `-x`, `/S`) are skipped; a shell run
    // without `-c` is a plain command and stays as it is.
    for _ in 0..8 {
        let (word, after) = split_word(rest);
        if word == "-c" || word.eq_ignore_ascii_case("/c") {
            return after;
        }
        if !(word.starts_with('-') || word.starts_with('/') || word == "pipefail") {
            break;
        }
        rest = after;
    }
    s
}

/// Splits a shell script into simple commands, each a list of words with quotes
/// removed. Separators are `&&`, `||`, `;`, `|`, `&`, newlines and parentheses;
/// backslash-newline continues a line. Words inside `$(…)` and backticks are not read
/// as commands of their own.
pub(crate) fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut cmd: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let end_word = |word: &mut String, in_word: &mut bool, cmd: &mut Vec<String>| {
        if *in_word {
            cmd.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('\n') => end_word(&mut word, &mut in_word, &mut cmd),
                Some(e) => {
                    word.push(e);
                    in_word = true;
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            }
            '"' => {
                in_word = true;
                while let Some(q) = chars.next() {
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                word.push(e);
                            }
                        }
                        _ => word.push(q),
                    }
                }
            }
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                end_word(&mut word, &mut in_word, &mut cmd);
                if !cmd.is_empty() {
                    out.push(std::mem::take(&mut cmd));
                }
            }
            c if c.is_whitespace() => end_word(&mut word, &mut in_word, &mut cmd),
            '#' if !in_word => {
                // A comment runs to the end of the line.
                for q in chars.by_ref() {
                    if q == '\n' {
                        break;
                    }
                }
                end_word(&mut word, &mut in_word, &mut cmd);
                if !cmd.is_empty() {
                    out.push(std::mem::take(&mut cmd));
                }
            }
            _ => {
                word.push(c);
                in_word = true;
            }
        }
    }
    end_word(&mut word, &mut in_word, &mut cmd);
    if !cmd.is_empty() {
        out.push(cmd);
    }
    out
}

/// The program a simple command runs and its arguments, past leading `NAME=value`
/// assignments and wrappers that run another command (`sudo`, `env`, `nice`, …).
/// The program is given by its file name (`/usr/bin/apt-get` is `apt-get`).
pub(crate) fn program(cmd: &[String]) -> Option<(&str, &[String])> {
    let mut rest = cmd;
    loop {
        let (first, tail) = rest.split_first()?;
        if is_assignment(first) {
            rest = tail;
            continue;
        }
        let name = first.rsplit('/').next().unwrap_or(first);
        if !matches!(
            name,
            "sudo" | "env" | "nice" | "nohup" | "time" | "exec" | "command" | "doas"
        ) {
            return Some((name, tail));
        }
        rest = skip_wrapper_options(name, tail);
    }
}

/// True when the command runs `sudo` (or `doas`) anywhere in its wrapper chain.
pub(crate) fn runs_sudo(cmd: &[String]) -> bool {
    let mut rest = cmd;
    while let Some((first, tail)) = rest.split_first() {
        if is_assignment(first) {
            rest = tail;
            continue;
        }
        let name = first.rsplit('/').next().unwrap_or(first);
        match name {
            "sudo" | "doas" => return true,
            "env" | "nice" | "nohup" | "time" | "exec" | "command" => {
                rest = skip_wrapper_options(name, tail);
            }
            _ => return false,
        }
    }
    false
}

fn skip_wrapper_options<'a>(wrapper: &str, mut args: &'a [String]) -> &'a [String] {
    // Options of sudo and nice that take a separate value.
    let takes_value: &[&str] = match wrapper {
        "sudo" => &["-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"],
        "nice" => &["-n"],
        "doas" => &["-u", "-C"],
        _ => &[],
    };
    while let Some((first, tail)) = args.split_first() {
        if first == "--" {
            return tail;
        }
        if !first.starts_with('-') {
            break;
        }
        args = tail;
        if takes_value.contains(&first.as_str()) {
            args = args.split_first().map_or(args, |(_, t)| t);
        }
    }
    args
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// The first argument that is not an option, for tools whose subcommand may follow
/// options (`apt-get -y -o Foo=1 upgrade`); `value_options` take a separate value.
pub(crate) fn subcommand<'a>(args: &'a [String], value_options: &[&str]) -> Option<&'a str> {
    let mut rest = args;
    while let Some((first, tail)) = rest.split_first() {
        if !first.starts_with('-') {
            return Some(first);
        }
        rest = tail;
        if value_options.contains(&first.as_str()) {
            rest = rest.split_first().map_or(rest, |(_, t)| t);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(s: &str) -> (String, &str, Vec<(&str, &str)>) {
        let p = parse(s);
        (p.keyword, p.args, p.build_args)
    }

    #[test]
    fn reads_classic_and_buildkit_history() {
        assert_eq!(
            step("/bin/sh -c #(nop)  ENV GOSU_VERSION=1.17"),
            ("ENV".into(), "GOSU_VERSION=1.17", vec![])
        );
        assert_eq!(
            step("/bin/sh -c #(nop) ADD file:5a1c in / "),
            ("ADD".into(), "file:5a1c in /", vec![])
        );
        assert_eq!(
            step("/bin/sh -c apt-get update"),
            ("RUN".into(), "apt-get update", vec![])
        );
        assert_eq!(
            step("|2 TOKEN=abc V=1 /bin/sh -c make install"),
            (
                "RUN".into(),
                "make install",
                vec![("TOKEN", "abc"), ("V", "1")]
            )
        );
        assert_eq!(
            step("RUN |1 NPM_TOKEN=x /bin/sh -c npm ci # buildkit"),
            ("RUN".into(), "npm ci", vec![("NPM_TOKEN", "x")])
        );
        assert_eq!(
            step("RUN /bin/bash -o pipefail -c curl -f x | sh # buildkit"),
            ("RUN".into(), "curl -f x | sh", vec![])
        );
        assert_eq!(
            step("COPY . /app # buildkit"),
            ("COPY".into(), ". /app", vec![])
        );
        assert_eq!(step("ENV A=b"), ("ENV".into(), "A=b", vec![]));
    }

    #[test]
    fn unknown_text_is_a_run_script() {
        assert_eq!(step(""), ("RUN".into(), "", vec![]));
        assert_eq!(step("|x oops"), ("RUN".into(), "|x oops", vec![]));
        assert_eq!(step("|9 A=1"), ("RUN".into(), "", vec![("A", "1")]));
    }

    #[test]
    fn splits_commands_and_words() {
        let cmds = commands(
            "set -e; apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \\\n  'a b' \"c\\\"d\" # note && rm -rf x\n echo $(id) | tee f",
        );
        let words: Vec<Vec<&str>> = cmds
            .iter()
            .map(|c| c.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            words,
            [
                vec!["set", "-e"],
                vec!["apt-get", "update"],
                vec![
                    "DEBIAN_FRONTEND=noninteractive",
                    "apt-get",
                    "install",
                    "-y",
                    "a b",
                    "c\"d"
                ],
                vec!["echo", "$"],
                vec!["id"],
                vec!["tee", "f"],
            ]
        );
    }

    #[test]
    fn finds_the_program_past_wrappers() {
        let cmd: Vec<String> = [
            "A=1",
            "sudo",
            "-u",
            "app",
            "env",
            "-i",
            "/usr/bin/apt-get",
            "x",
        ]
        .map(String::from)
        .to_vec();
        let (name, args) = program(&cmd).unwrap();
        assert_eq!((name, args.len()), ("apt-get", 1));
        assert!(runs_sudo(&cmd));
        let plain: Vec<String> = ["apt-get", "install", "sudo"].map(String::from).to_vec();
        assert!(!runs_sudo(&plain));
        assert_eq!(program(&["A=1".to_owned()]), None);
        let apt: Vec<String> = ["-o", "Dpkg::Options::=--force-confold", "-y", "upgrade"]
            .map(String::from)
            .to_vec();
        assert_eq!(subcommand(&apt, &["-o"]), Some("upgrade"));
    }
}
