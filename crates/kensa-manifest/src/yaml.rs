//! YAML (and JSON, a subset of it) read into a tree of [`Node`]s that keep their line.
//!
//! serde-saphyr's event parser (`granit_parser`, re-exported by it) does the parsing;
//! kensa builds the tree from its events, so each node keeps its line and its tag
//! (`!Ref`, `!Sub`: CloudFormation's short forms). Going through serde's data model
//! (`Spanned<Tagged<…>>` per node) cost four times the parse itself, which a rendered
//! chart of thousands of objects cannot afford. Building here also puts every bound in
//! one place: file size, nesting depth (the builder keeps its own stack, so nesting costs
//! heap, never call stack), nodes, scalar size, and the nodes aliases may copy, so a
//! billion-laughs document or a 10,000-level nesting is an error naming the line, not an
//! allocation. Merge keys (`<<`) are applied and duplicate keys refused, naming both
//! lines.

use std::fmt;

/// Largest manifest file read (a rendered Helm chart of thousands of objects fits).
pub const MAX_FILE_BYTES: usize = 64 << 20;
/// Deepest nesting accepted; real manifests stay under 30 (CRD schemas included).
pub const MAX_DEPTH: usize = 64;
/// Most documents in one file.
pub const MAX_DOCUMENTS: usize = 200_000;
/// Most bytes of one scalar.
pub const MAX_SCALAR_BYTES: usize = 1 << 20;

/// One YAML node and the 1-based line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The line, 0 when unknown.
    pub line: u32,
    /// Which file the node was read from when a document merges in others (Compose
    /// `extends.file`): 0 is the document's own file. It fits in the padding after
    /// `line`, so it costs no memory.
    pub src: u16,
    /// The value.
    pub value: Value,
}

/// A YAML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
    /// A node with an application tag (`!Ref Name`), which kensa does not resolve.
    Tagged(String, Box<Node>),
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// The line, when the parser knows it.
    pub line: Option<u32>,
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl Node {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value as text, for scalars (numbers and booleans as written in YAML 1.2).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    /// The mapping's entries, if this is one.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The sequence's items, if this is one.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping, with the key's spelling.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The entry under `key` (key node and value) in a mapping.
    pub fn entry(&self, key: &str) -> Option<(&Node, &Node)> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(k, v)| (k, v))
    }

    /// The entry whose key equals `key` ignoring ASCII case (ECS JSON is camelCase,
    /// CloudFormation PascalCase), with the key as spelt in the document.
    pub fn entry_ci(&self, key: &str) -> Option<(&str, &Node)> {
        self.as_map()?.iter().find_map(|(k, v)| {
            k.as_str()
                .filter(|s| s.eq_ignore_ascii_case(key))
                .map(|s| (s, v))
        })
    }

    /// Whether this is null (or an empty document).
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
}

/// Most nodes one document may expand to through aliases, so that a billion-laughs
/// document is refused before it is built.
pub const MAX_ALIAS_NODES: usize = 100_000;
/// Most nodes one file may hold.
pub const MAX_NODES: usize = 20_000_000;

/// Parses every document of `text`. JSON is held to JSON first (YAML accepts trailing
/// commas and comments that JSON does not) and then read by the same parser, so its
/// nodes carry lines too; a JSON file indented with tabs, which YAML forbids, is read
/// with each tab replaced by a space, which changes nothing in valid JSON, where a raw
/// tab can only be whitespace.
///
/// A multi-document stream is cut at its `---` lines and the pieces parsed in parallel:
/// YAML forbids a line starting with `---` inside any node, so every such line starts a
/// document, and anchors do not reach across documents.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    Ok(parse_chunked(text)?.into_iter().flatten().collect())
}

/// [`parse_documents`], the documents grouped by the piece of the stream they were cut
/// from (in order), so that a caller can go on working on each piece in parallel.
pub fn parse_chunked(text: &str) -> Result<Vec<Vec<Node>>, YamlError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            line: None,
            message: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    let json_like = text.trim_start().starts_with(['{', '[']);
    if json_like {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            let full = e.to_string();
            let message = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m);
            return Err(YamlError {
                line: u32::try_from(e.line()).ok().filter(|l| *l > 0),
                message: format!("not valid JSON: {message} (column {})", e.column()),
            });
        }
        if text.contains('\t') {
            return Ok(vec![Builder::parse(&text.replace('\t', " "), 0)?]);
        }
        return Ok(vec![Builder::parse(text, 0)?]);
    }
    let chunks = split_documents(text);
    if chunks.len() < 2 {
        return Ok(vec![Builder::parse(text, 0)?]);
    }
    use rayon::prelude::*;
    let parsed: Vec<Vec<Node>> = chunks
        .par_iter()
        .map(|(offset, chunk)| Builder::parse(chunk, *offset))
        .collect::<Result<_, _>>()?;
    let documents: usize = parsed.iter().map(Vec::len).sum();
    if documents > MAX_DOCUMENTS {
        return Err(YamlError {
            line: None,
            message: format!("more than {MAX_DOCUMENTS} documents"),
        });
    }
    Ok(parsed)
}

/// `text` cut before each line that starts with `---` followed by a blank or the end of
/// the line, each piece with the number of lines before it. Directives (`%YAML`) stay
/// with the document they precede, which they are written before.
fn split_documents(text: &str) -> Vec<(u32, &str)> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut start_line = 0u32;
    let mut line = 0u32;
    let mut pos = 0;
    // Where the run of directive lines (`%YAML`, `%TAG`) just before `pos` begins.
    let mut directives: Option<(usize, u32)> = None;
    let bytes = text.as_bytes();
    while pos < bytes.len() {
        let rest = &bytes[pos..];
        let is_marker = rest.starts_with(b"---")
            && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
        if is_marker {
            let (cut, cut_line) = directives.unwrap_or((pos, line));
            if cut > start {
                chunks.push((start_line, &text[start..cut]));
                start = cut;
                start_line = cut_line;
            }
            directives = None;
        } else if rest.starts_with(b"%") {
            directives.get_or_insert((pos, line));
        } else if !rest.starts_with(b"#") && !rest.starts_with(b"\n") {
            directives = None;
        }
        match memchr_newline(rest) {
            Some(i) => {
                pos += i + 1;
                line += 1;
            }
            None => break,
        }
    }
    chunks.push((start_line, &text[start..]));
    chunks
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|b| *b == b'\n')
}

/// A collection being built.
enum Frame {
    Seq {
        line: u32,
        anchor: usize,
        tag: Option<String>,
        items: Vec<Node>,
    },
    Map {
        line: u32,
        anchor: usize,
        tag: Option<String>,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Values of `<<` keys, merged when the mapping ends.
        merges: Vec<Node>,
    },
}

/// Builds [`Node`]s from the parser's events without recursion, so nesting costs heap,
/// bounded by [`MAX_DEPTH`], and never stack.
struct Builder {
    stack: Vec<Frame>,
    /// Anchored nodes of the current document by anchor id, with their node counts.
    anchors: Vec<Option<(Node, usize)>>,
    alias_nodes: usize,
    nodes: usize,
    docs: Vec<Node>,
    root: Option<Node>,
}

impl Builder {
    fn parse(text: &str, offset: u32) -> Result<Vec<Node>, YamlError> {
        use serde_saphyr::granit_parser::{Event, Parser};
        let mut b = Builder {
            stack: Vec::new(),
            anchors: Vec::new(),
            alias_nodes: 0,
            nodes: 0,
            docs: Vec::new(),
            root: None,
        };
        for event in Parser::new_from_str(text) {
            let (event, span) = event.map_err(|e| YamlError {
                line: u32::try_from(e.marker().line())
                    .ok()
                    .map(|l| l.saturating_add(offset)),
                message: format!("{} (column {})", e.info(), e.marker().col() + 1),
            })?;
            let line = u32::try_from(span.start.line())
                .unwrap_or(u32::MAX)
                .saturating_add(offset);
            match event {
                Event::DocumentStart(..) => {
                    b.anchors.clear();
                    b.alias_nodes = 0;
                    b.root = None;
                }
                Event::DocumentEnd => {
                    let root = b.root.take().unwrap_or(Node {
                        line: line.max(1),
                        src: 0,
                        value: Value::Null,
                    });
                    b.docs.push(root);
                    if b.docs.len() > MAX_DOCUMENTS {
                        return Err(b.fail(line, format!("more than {MAX_DOCUMENTS} documents")));
                    }
                }
                Event::Alias(id) => {
                    let Some(Some((node, count))) = b.anchors.get(id) else {
                        return Err(b.fail(line, "an alias to an unknown anchor".to_owned()));
                    };
                    let count = *count;
                    b.alias_nodes = b.alias_nodes.saturating_add(count);
                    if b.alias_nodes > MAX_ALIAS_NODES {
                        return Err(b.fail(
                            line,
                            format!(
                                "aliases expand to more than {MAX_ALIAS_NODES} nodes (an alias bomb?)"
                            ),
                        ));
                    }
                    let mut node = node.clone();
                    node.line = line;
                    b.nodes = b.nodes.saturating_add(count);
                    b.finish(node, line)?;
                }
                Event::Scalar(text, style, anchor, tag) => {
                    if text.len() > MAX_SCALAR_BYTES {
                        return Err(b.fail(
                            line,
                            format!(
                                "a scalar of {} bytes, more than the {MAX_SCALAR_BYTES} a manifest value may hold",
                                text.len()
                            ),
                        ));
                    }
                    let tag = tag.map(|t| tag_text(&t));
                    let value = scalar(&text, style, tag.as_deref());
                    let node = wrap(
                        Node {
                            line,
                            src: 0,
                            value,
                        },
                        tag,
                    );
                    b.count(line)?;
                    b.remember(anchor, &node, 1);
                    b.finish(node, line)?;
                }
                Event::SequenceStart(_, anchor, tag) => {
                    b.open(line)?;
                    b.stack.push(Frame::Seq {
                        line,
                        anchor,
                        tag: tag.map(|t| tag_text(&t)),
                        items: Vec::new(),
                    });
                }
                Event::MappingStart(_, anchor, tag) => {
                    b.open(line)?;
                    b.stack.push(Frame::Map {
                        line,
                        anchor,
                        tag: tag.map(|t| tag_text(&t)),
                        entries: Vec::new(),
                        key: None,
                        merges: Vec::new(),
                    });
                }
                Event::SequenceEnd => {
                    if let Some(Frame::Seq {
                        line,
                        anchor,
                        tag,
                        items,
                    }) = b.stack.pop()
                    {
                        let node = wrap(
                            Node {
                                line,
                                src: 0,
                                value: Value::Seq(items),
                            },
                            tag,
                        );
                        b.close(anchor, node, line)?;
                    }
                }
                Event::MappingEnd => {
                    if let Some(Frame::Map {
                        line,
                        anchor,
                        tag,
                        entries,
                        merges,
                        ..
                    }) = b.stack.pop()
                    {
                        let entries = merge_keys(entries, merges);
                        check_duplicates(&entries).map_err(|(l, m)| b.fail(l, m))?;
                        let node = wrap(
                            Node {
                                line,
                                src: 0,
                                value: Value::Map(entries),
                            },
                            tag,
                        );
                        b.close(anchor, node, line)?;
                    }
                }
                _ => {}
            }
        }
        Ok(b.docs)
    }

    fn fail(&self, line: u32, message: String) -> YamlError {
        YamlError {
            line: Some(line.max(1)),
            message,
        }
    }

    fn count(&mut self, line: u32) -> Result<(), YamlError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(self.fail(line, format!("more than {MAX_NODES} nodes")));
        }
        Ok(())
    }

    fn open(&mut self, line: u32) -> Result<(), YamlError> {
        self.count(line)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.fail(line, format!("nested more than {MAX_DEPTH} levels deep")));
        }
        Ok(())
    }

    fn close(&mut self, anchor: usize, node: Node, line: u32) -> Result<(), YamlError> {
        if anchor != 0 {
            let size = size_of_tree(&node);
            self.remember(anchor, &node, size);
        }
        self.finish(node, line)
    }

    fn remember(&mut self, anchor: usize, node: &Node, size: usize) {
        if anchor == 0 {
            return;
        }
        if self.anchors.len() <= anchor {
            self.anchors.resize(anchor + 1, None);
        }
        if let Some(slot) = self.anchors.get_mut(anchor) {
            *slot = Some((node.clone(), size));
        }
    }

    /// Puts a finished node where it belongs: an item, a key, a value, or the root.
    fn finish(&mut self, node: Node, _line: u32) -> Result<(), YamlError> {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                key,
                merges,
                ..
            }) => match key.take() {
                None => *key = Some(node),
                Some(k) if k.as_str() == Some("<<") && !matches!(k.value, Value::Tagged(..)) => {
                    merges.push(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
        Ok(())
    }
}

/// A tag as written: `!Ref`, or `!!str` for YAML's own.
fn tag_text(tag: &serde_saphyr::granit_parser::Tag) -> String {
    match tag.handle() {
        "tag:yaml.org,2002:" => format!("!!{}", tag.suffix()),
        handle => format!("{handle}{}", tag.suffix()),
    }
}

/// A node with an application tag becomes [`Value::Tagged`]; YAML's own tags were
/// applied when the scalar was read.
fn wrap(node: Node, tag: Option<String>) -> Node {
    match tag {
        Some(tag) if !is_core_tag(&tag) => Node {
            line: node.line,
            src: node.src,
            value: Value::Tagged(tag, Box::new(node)),
        },
        _ => node,
    }
}

/// The value of a scalar by YAML 1.2's core schema: plain scalars may be null, booleans
/// or numbers, quoted and block scalars are strings, `!!str` forces a string.
fn scalar(text: &str, style: serde_saphyr::granit_parser::ScalarStyle, tag: Option<&str>) -> Value {
    use serde_saphyr::granit_parser::ScalarStyle;
    if tag == Some("!!str") || style != ScalarStyle::Plain {
        return Value::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    let first = text.as_bytes().first().copied().unwrap_or(b'a');
    if first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.') {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        if let Some(hex) = text.strip_prefix("0x")
            && let Ok(i) = i64::from_str_radix(hex, 16)
        {
            return Value::Int(i);
        }
        if let Some(oct) = text.strip_prefix("0o")
            && let Ok(i) = i64::from_str_radix(oct, 8)
        {
            return Value::Int(i);
        }
        let looks_float = text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
        if looks_float && let Ok(f) = text.parse::<f64>() {
            return Value::Float(f);
        }
    }
    Value::Str(text.to_owned())
}

/// Nodes in a tree, to charge an alias for everything it copies.
fn size_of_tree(node: &Node) -> usize {
    let mut count = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        count += 1;
        match &n.value {
            Value::Seq(items) => stack.extend(items),
            Value::Map(entries) => {
                for (k, v) in entries {
                    stack.push(k);
                    stack.push(v);
                }
            }
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
    count
}

/// YAML merge keys: the mappings under `<<` (one, or a sequence of them, earlier ones
/// first) supply the keys the mapping does not set itself.
fn merge_keys(mut entries: Vec<(Node, Node)>, merges: Vec<Node>) -> Vec<(Node, Node)> {
    if merges.is_empty() {
        return entries;
    }
    let sources: Vec<Node> = merges
        .into_iter()
        .flat_map(|m| match m.value {
            Value::Seq(items) => items,
            _ => vec![m],
        })
        .collect();
    for source in sources {
        if let Value::Map(merged) = source.value {
            for (k, v) in merged {
                if !entries.iter().any(|(e, _)| e.value == k.value) {
                    entries.push((k, v));
                }
            }
        }
    }
    entries
}

/// Duplicate keys are refused, naming both lines: which one counts depends on the tool
/// that reads the file, so kensa cannot judge it.
fn check_duplicates(entries: &[(Node, Node)]) -> Result<(), (u32, String)> {
    let duplicate = |i: usize, key: &Node| {
        entries[..i]
            .iter()
            .find(|(k, _)| k.value == key.value)
            .map(|(first, _)| first.line)
    };
    if entries.len() <= 32 {
        for (i, (key, _)) in entries.iter().enumerate() {
            if let Some(first) = duplicate(i, key) {
                return Err(duplicate_error(key, first));
            }
        }
        return Ok(());
    }
    let mut seen = std::collections::HashMap::new();
    for (key, _) in entries {
        if let Some(name) = key.scalar_text()
            && let Some(first) = seen.insert(name, key.line)
        {
            return Err(duplicate_error(key, first));
        }
    }
    Ok(())
}

fn duplicate_error(key: &Node, first: u32) -> (u32, String) {
    let name = key
        .scalar_text()
        .unwrap_or_else(|| "(a collection)".to_owned());
    (
        key.line,
        format!(
            "duplicate key `{name}` (first on line {first}); which one counts depends on the tool that reads it"
        ),
    )
}

/// YAML's own tags (`!!str`, `!!int`, …) change how a scalar reads, not what it is.
fn is_core_tag(tag: &str) -> bool {
    tag.starts_with("!!") || tag.starts_with("tag:yaml.org,2002:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_tags_and_merges() {
        let docs = parse_documents(
            "a: 1\nb:\n  - x\n  - !Ref Foo\nbase: &b {k: v}\nc:\n  <<: *b\n  z: 'true'\n---\nkind: Pod\n",
        )
        .unwrap();
        assert_eq!(docs.len(), 2);
        let d = &docs[0];
        assert_eq!(d.get("a").unwrap().value, Value::Int(1));
        let b = d.get("b").unwrap().as_seq().unwrap();
        assert_eq!(b[0].line, 3);
        assert_eq!(b[1].line, 4);
        assert!(
            matches!(&b[1].value, Value::Tagged(t, inner) if t == "!Ref" && inner.as_str() == Some("Foo"))
        );
        let c = d.get("c").unwrap();
        assert_eq!(c.get("k").unwrap().as_str(), Some("v"));
        assert_eq!(c.get("z").unwrap().as_str(), Some("true"));
        assert_eq!(docs[1].get("kind").unwrap().line, 10);
    }

    #[test]
    fn streams_are_cut_only_where_documents_start() {
        let text = "a: |\n  ---\n  x\n---\nb: 1\n...\n%YAML 1.2\n---\nc: 2\n";
        let docs = parse_documents(text).unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].get("a").unwrap().as_str(), Some("---\nx\n"));
        assert_eq!(docs[1].get("b").unwrap().line, 5);
        assert_eq!(docs[2].get("c").unwrap().line, 9);
    }

    #[test]
    fn json_with_tabs_and_lines() {
        let docs = parse_documents("{\n\t\"a\": {\n\t\t\"b\": true\n\t}\n}\n").unwrap();
        assert_eq!(docs[0].get("a").unwrap().get("b").unwrap().line, 3);
    }

    #[test]
    fn hostile_documents_are_errors_with_lines() {
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            bomb.push_str(&format!(
                "{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n",
                n = (b'a' + i as u8) as char,
                p = (b'a' + p as u8) as char
            ));
        }
        let e = parse_documents(&bomb).unwrap_err();
        assert!(e.message.contains("alias bomb"), "{e}");
        let deep = "[".repeat(10_000);
        let e = parse_documents(&deep).unwrap_err();
        assert!(e.message.contains("not valid JSON"), "{e}");
        let block: String = (0..200).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
        let e = parse_documents(&block).unwrap_err();
        assert!(e.line.is_some(), "{e}");
        let huge = format!("a: {}\n", "x".repeat(MAX_SCALAR_BYTES + 1));
        let e = parse_documents(&huge).unwrap_err();
        assert!(e.message.contains("scalar of"), "{e}");
        let e = parse_documents("a: 1\nb: 2\na: 3\n").unwrap_err();
        assert!(e.message.contains("duplicate key `a`"), "{e}");
        assert_eq!(e.line, Some(3), "{e}");
        let e = parse_documents("{\"a\": [1, 2,\n}").unwrap_err();
        assert!(e.line.is_some(), "{e}");
    }
}
