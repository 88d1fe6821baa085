//! A small POSIX-shell reader for `RUN`: enough to split a script into simple commands
//! and their words, which is what the rules look at. It does not execute or expand
//! anything; `$(…)` and backquotes stay inside the word they appear in.

/// How a command is joined to the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sep {
    /// `&&`
    And,
    /// `||`
    Or,
    /// `|` or `|&`
    Pipe,
    /// `;`, `&`, a newline, a bracket, or the end of the script.
    Seq,
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The words, quotes removed, redirections and leading `NAME=value` assignments and
    /// shell keywords dropped.
    pub words: Vec<String>,
    /// What follows this command.
    pub sep: Sep,
}

/// Commands that run the rest of their arguments as another command.
const WRAPPERS: &[&str] = &[
    "command", "env", "exec", "nice", "nohup", "sudo", "time", "xargs",
];

impl Command {
    /// The program's base name (`/usr/bin/pip3` → `pip3`).
    pub fn name(&self) -> &str {
        self.words.first().map_or("", |w| basename(w))
    }

    /// The command with `sudo`, `env`, `exec`, … and their options peeled off, so that
    /// `sudo -E apt-get install` is seen as `apt-get install`.
    pub fn unwrapped(&self) -> Command {
        let mut words: &[String] = &self.words;
        while let Some(first) = words.first() {
            if !WRAPPERS.contains(&basename(first)) {
                break;
            }
            let takes_value = matches!(basename(first), "sudo");
            let mut k = 1;
            while let Some(w) = words.get(k) {
                if w.starts_with('-') {
                    k += 1;
                    if takes_value && matches!(w.as_str(), "-u" | "-g" | "-C" | "-h" | "-p") {
                        k += 1;
                    }
                } else if w.contains('=') && !w.starts_with('=') {
                    k += 1;
                } else {
                    break;
                }
            }
            words = words.get(k..).unwrap_or_default();
        }
        Command {
            words: words.to_vec(),
            sep: self.sep,
        }
    }

    /// Whether this is `name` (after unwrapping) and, when `sub` is not empty, whether
    /// one of `sub` appears among its non-flag arguments.
    pub fn is(&self, name: &str, sub: &[&str]) -> bool {
        self.name() == name && (sub.is_empty() || self.args_no_flags().any(|a| sub.contains(&a)))
    }

    /// The arguments after the program name.
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.words.iter().skip(1).map(String::as_str)
    }

    /// The arguments that are not flags (do not start with `-`).
    pub fn args_no_flags(&self) -> impl Iterator<Item = &str> {
        self.args().filter(|a| !a.starts_with('-'))
    }

    /// The non-flag arguments, skipping the values of the flags in `with_value`
    /// (`-t bookworm`, `--virtual .deps`).
    pub fn operands(&self, with_value: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut args = self.args();
        while let Some(a) = args.next() {
            if a == "--" {
                out.extend(args.by_ref());
                break;
            }
            if let Some(flag) = a.strip_prefix("--") {
                if !flag.contains('=') && with_value.contains(&flag) {
                    args.next();
                }
            } else if let Some(flag) = a.strip_prefix('-') {
                if flag.len() == 1 && with_value.contains(&flag) {
                    args.next();
                }
            } else {
                out.push(a);
            }
        }
        out
    }

    /// Whether a flag is present: a one-letter name matches `-x` and clusters like
    /// `-xyz`; a longer name matches `--name` and `--name=…`.
    pub fn has_flag(&self, name: &str) -> bool {
        self.args()
            .take_while(|a| *a != "--")
            .any(|a| flag_matches(a, name))
    }

    /// Whether any of the flags is present.
    pub fn has_any_flag(&self, names: &[&str]) -> bool {
        names.iter().any(|n| self.has_flag(n))
    }

    /// How many times a flag appears (`-qq` counts `q` twice).
    pub fn count_flag(&self, name: &str) -> usize {
        self.args()
            .take_while(|a| *a != "--")
            .map(|a| {
                if name.len() == 1 {
                    match a.strip_prefix('-') {
                        Some(cluster) if !cluster.starts_with('-') => cluster.matches(name).count(),
                        _ => 0,
                    }
                } else {
                    usize::from(flag_matches(a, name))
                }
            })
            .sum()
    }

    /// The value of a flag: `-u 1000`, `-u1000`, `--uid 1000`, `--uid=1000`.
    pub fn flag_value(&self, short: &str, long: &str) -> Option<&str> {
        let mut args = self.args();
        while let Some(a) = args.next() {
            if let Some(v) = a.strip_prefix("--").and_then(|f| f.strip_prefix(long)) {
                if let Some(v) = v.strip_prefix('=') {
                    return Some(v);
                }
                if v.is_empty() {
                    return args.next();
                }
            } else if let Some(v) = a.strip_prefix('-').and_then(|f| f.strip_prefix(short))
                && !a.starts_with("--")
                && !short.is_empty()
            {
                return if v.is_empty() { args.next() } else { Some(v) };
            }
        }
        None
    }

    /// Whether the arguments contain `arg` exactly.
    pub fn has_arg(&self, arg: &str) -> bool {
        self.args().any(|a| a == arg)
    }
}

fn flag_matches(arg: &str, name: &str) -> bool {
    if let Some(long) = arg.strip_prefix("--") {
        return long == name || long.strip_prefix(name).is_some_and(|r| r.starts_with('='));
    }
    match arg.strip_prefix('-') {
        Some(cluster) if name.len() == 1 && !cluster.is_empty() => {
            cluster.chars().all(|c| c.is_ascii_alphanumeric()) && cluster.contains(name)
        }
        _ => false,
    }
}

/// The last `/`-separated part.
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

/// A parsed script.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Script {
    /// Commands in order, wrappers like `sudo` still in place.
    pub commands: Vec<Command>,
}

impl Script {
    /// The commands with wrappers peeled off, plus `python -m pip` rewritten as `pip`.
    pub fn tools(&self) -> impl Iterator<Item = Command> + '_ {
        self.commands.iter().map(|c| {
            let mut u = c.unwrapped();
            if u.name().starts_with("python") && u.words.get(1).map(String::as_str) == Some("-m") {
                u.words.drain(..2);
            }
            u
        })
    }

    /// Whether any command pipes into another.
    pub fn has_pipe(&self) -> bool {
        self.commands.iter().any(|c| c.sep == Sep::Pipe)
    }

    /// The position of the first command matching `f`.
    pub fn position(&self, f: impl Fn(&Command) -> bool) -> Option<usize> {
        self.tools().position(|c| f(&c))
    }
}

const KEYWORDS: &[&str] = &[
    "!", "{", "}", "do", "done", "elif", "else", "esac", "fi", "if", "then", "until", "while",
];

/// Parses a shell script into simple commands.
pub fn parse(script: &str) -> Script {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut skip_next_word = false;
    let chars: Vec<char> = script.chars().collect();
    let mut k = 0;

    let finish_word =
        |cur: &mut String, in_word: &mut bool, words: &mut Vec<String>, skip: &mut bool| {
            if *in_word {
                let w = std::mem::take(cur);
                if *skip {
                    *skip = false;
                } else {
                    words.push(w);
                }
                *in_word = false;
            }
        };
    let finish_cmd = |words: &mut Vec<String>, sep: Sep, commands: &mut Vec<Command>| {
        let mut start = 0;
        while let Some(w) = words.get(start) {
            let is_assign = w.split_once('=').is_some_and(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            if KEYWORDS.contains(&w.as_str()) || is_assign {
                start += 1;
            } else {
                break;
            }
        }
        let rest: Vec<String> = words.drain(..).skip(start).collect();
        if !rest.is_empty() {
            commands.push(Command { words: rest, sep });
        } else if sep == Sep::Pipe
            && let Some(last) = commands.last_mut()
        {
            last.sep = Sep::Pipe;
        }
    };

    while let Some(&c) = chars.get(k) {
        let next = chars.get(k + 1).copied();
        match c {
            '\\' => {
                match next {
                    Some('\n') => {}
                    Some(n) => {
                        cur.push(n);
                        in_word = true;
                    }
                    None => {}
                }
                k += 2;
                continue;
            }
            '\'' => {
                in_word = true;
                k += 1;
                while let Some(&q) = chars.get(k) {
                    k += 1;
                    if q == '\'' {
                        break;
                    }
                    cur.push(q);
                }
                continue;
            }
            '"' => {
                in_word = true;
                k += 1;
                while let Some(&q) = chars.get(k) {
                    k += 1;
                    match q {
                        '"' => break,
                        '\\' => {
                            if let Some(&e) = chars.get(k) {
                                if !matches!(e, '"' | '\\' | '$' | '`' | '\n') {
                                    cur.push('\\');
                                }
                                if e != '\n' {
                                    cur.push(e);
                                }
                                k += 1;
                            }
                        }
                        _ => cur.push(q),
                    }
                }
                continue;
            }
            '`' => {
                in_word = true;
                cur.push(c);
                k += 1;
                while let Some(&q) = chars.get(k) {
                    k += 1;
                    cur.push(q);
                    if q == '`' {
                        break;
                    }
                }
                continue;
            }
            '$' if next == Some('(') || next == Some('{') => {
                in_word = true;
                let (open, close) = if next == Some('(') {
                    ('(', ')')
                } else {
                    ('{', '}')
                };
                cur.push('$');
                cur.push(open);
                k += 2;
                let mut depth = 1u32;
                while let Some(&q) = chars.get(k) {
                    k += 1;
                    cur.push(q);
                    if q == open {
                        depth = depth.saturating_add(1);
                    } else if q == close {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            break;
                        }
                    }
                }
                continue;
            }
            '#' if !in_word => {
                while chars.get(k).is_some_and(|&q| q != '\n') {
                    k += 1;
                }
                continue;
            }
            '<' | '>' => {
                if in_word && cur.chars().all(|d| d.is_ascii_digit()) {
                    cur.clear();
                    in_word = false;
                } else {
                    finish_word(&mut cur, &mut in_word, &mut words, &mut skip_next_word);
                }
                k += 1;
                while chars
                    .get(k)
                    .is_some_and(|&q| matches!(q, '<' | '>' | '&' | '|' | '-'))
                {
                    k += 1;
                }
                skip_next_word = true;
                continue;
            }
            '&' if next == Some('>') => {
                finish_word(&mut cur, &mut in_word, &mut words, &mut skip_next_word);
                k += 1;
                continue;
            }
            c if c.is_whitespace() && c != '\n' => {
                finish_word(&mut cur, &mut in_word, &mut words, &mut skip_next_word);
                k += 1;
                continue;
            }
            '&' | '|' | ';' | '\n' | '(' | ')' => {
                finish_word(&mut cur, &mut in_word, &mut words, &mut skip_next_word);
                let (sep, len) = match (c, next) {
                    ('&', Some('&')) => (Sep::And, 2),
                    ('|', Some('|')) => (Sep::Or, 2),
                    ('|', Some('&')) => (Sep::Pipe, 2),
                    ('|', _) => (Sep::Pipe, 1),
                    (';', Some(';')) => (Sep::Seq, 2),
                    _ => (Sep::Seq, 1),
                };
                finish_cmd(&mut words, sep, &mut commands);
                k += len;
                continue;
            }
            _ => {
                in_word = true;
                cur.push(c);
                k += 1;
            }
        }
    }
    finish_word(&mut cur, &mut in_word, &mut words, &mut skip_next_word);
    finish_cmd(&mut words, Sep::Seq, &mut commands);
    Script { commands }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        parse(script)
            .commands
            .into_iter()
            .map(|c| c.words)
            .collect()
    }

    #[test]
    fn splits_on_operators_and_respects_quotes() {
        let got = words(
            r#"apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "curl" 'a b' ; echo "x && y" | tee /log || true"#,
        );
        assert_eq!(
            got,
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "curl", "a b"],
                vec!["echo", "x && y"],
                vec!["tee", "/log"],
                vec!["true"],
            ]
        );
    }

    #[test]
    fn drops_redirections_comments_and_keywords() {
        let got = words("if [ -f x ]; then cat a 2>&1 >/dev/null; fi # done\nrm -rf /tmp/*");
        assert_eq!(
            got,
            vec![
                vec!["[", "-f", "x", "]"],
                vec!["cat", "a"],
                vec!["rm", "-rf", "/tmp/*"]
            ]
        );
    }

    #[test]
    fn keeps_substitutions_in_one_word_and_records_pipes() {
        let s = parse(
            "echo $(curl -s https://x | sh) `id -u` && curl -fsSL https://get.example | bash",
        );
        assert_eq!(
            s.commands.first().map(|c| c.words.clone()),
            Some(vec![
                "echo".to_owned(),
                "$(curl -s https://x | sh)".to_owned(),
                "`id -u`".to_owned()
            ])
        );
        assert!(s.has_pipe());
        assert_eq!(s.commands.get(1).map(|c| c.sep), Some(Sep::Pipe));
    }

    #[test]
    fn unwraps_sudo_and_python_m_pip() {
        let s = parse("sudo -u root -E apt-get install x && python3 -m pip install flask");
        let tools: Vec<String> = s.tools().map(|c| c.name().to_owned()).collect();
        assert_eq!(tools, vec!["apt-get", "pip"]);
    }

    #[test]
    fn flags() {
        let s = parse(
            "apt-get -qq install --no-install-recommends -o Dpkg::Options=x -t bookworm curl",
        );
        let c = s.commands.first().cloned().unwrap_or(Command {
            words: vec![],
            sep: Sep::Seq,
        });
        assert!(c.has_flag("q") && c.has_flag("no-install-recommends") && !c.has_flag("y"));
        assert_eq!(c.count_flag("q"), 2);
        assert_eq!(c.operands(&["o", "t"]), vec!["install", "curl"]);
        let u = parse("useradd -u1000001 app").commands.into_iter().next();
        assert_eq!(
            u.as_ref().and_then(|c| c.flag_value("u", "uid")),
            Some("1000001")
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for s in [
            "\\",
            "'",
            "\"\\",
            "$(",
            "${",
            "`",
            "<",
            "2>",
            "&>",
            "|",
            "((((",
            "\u{0}\u{ffff}",
        ] {
            let _ = parse(s);
        }
    }
}
