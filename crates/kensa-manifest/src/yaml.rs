//! YAML (and JSON, a subset of it) read into a tree of [`Node`]s that keep their line.
//!
//! serde-saphyr does the parsing: anchors, aliases and merge keys are expanded by it, and
//! its budget bounds what a hostile document can cost (size, depth, node count, alias
//! replay), so a billion-laughs document or a 10,000-level nesting is an error naming the
//! line, not an allocation. What kensa adds is a generic value that remembers each node's
//! line (`Spanned`) and its tag (`!Ref`, `!Sub`: CloudFormation's short forms), and a
//! duplicate-key check that names both lines.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Spanned, Tagged};

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

/// Parses every document of `text`. JSON is read by the same parser, so its errors and
/// nodes carry lines too; a JSON file indented with tabs (which YAML forbids) is read
/// with each tab replaced by a space, which changes nothing in valid JSON, where a raw
/// tab can only be whitespace.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    with_parser_stack(|| parse_on_this_stack(text))
}

/// Stack for the parser's thread. Nesting is bounded by [`MAX_DEPTH`], but the
/// deserializer's frames are large (tens of KiB per level in a debug build), so parsing
/// runs on a thread whose stack holds the deepest document allowed many times over; it
/// is virtual memory, touched only as deep as a document goes.
const PARSER_STACK_BYTES: usize = 256 << 20;

/// Runs `f` on a thread with [`PARSER_STACK_BYTES`] of stack.
pub(crate) fn with_parser_stack<T: Send>(
    f: impl FnOnce() -> Result<T, YamlError> + Send,
) -> Result<T, YamlError> {
    let failed = |message: String| YamlError {
        line: None,
        message,
    };
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .name("kensa-yaml".to_owned())
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, f)
            .map_err(|e| failed(format!("cannot start the parser thread: {e}")))?;
        handle
            .join()
            .map_err(|_| failed("the YAML parser failed on this input".to_owned()))?
    })
}

/// [`parse_documents`] on the caller's stack, which must be [`with_parser_stack`]'s.
pub(crate) fn parse_on_this_stack(text: &str) -> Result<Vec<Node>, YamlError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            line: None,
            message: format!("larger than {MAX_FILE_BYTES} bytes"),
        });
    }
    let json_like = text.trim_start().starts_with(['{', '[']);
    if json_like {
        // YAML accepts what JSON does not (trailing commas, comments, single quotes),
        // so a JSON document is held to JSON first.
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
    }
    if json_like && text.contains('\t') {
        return parse_with_saphyr(&text.replace('\t', " "));
    }
    parse_with_saphyr(text)
}

fn options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_documents: MAX_DOCUMENTS,
            max_events: 40_000_000,
            max_nodes: 20_000_000,
            max_total_scalar_bytes: MAX_FILE_BYTES,
            max_aliases: 10_000,
            max_anchors: 10_000,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 100_000,
            max_replay_stack_depth: 16,
        },
        // kensa sees every entry and reports duplicates itself, with both lines.
        duplicate_keys: serde_saphyr::options::DuplicateKeyPolicy::PassThrough,
        with_snippet: false,
    }
}

fn parse_with_saphyr(text: &str) -> Result<Vec<Node>, YamlError> {
    let docs: Vec<Node> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| error_of(&e))?;
    for doc in &docs {
        check_duplicates(doc)?;
    }
    Ok(docs)
}

/// Duplicate keys are kept by the parser and refused here, naming both lines: which one
/// counts depends on the tool that reads the file, so kensa cannot judge it.
fn check_duplicates(node: &Node) -> Result<(), YamlError> {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for (i, (key, value)) in entries.iter().enumerate() {
                    if let Some(name) = key.as_str()
                        && let Some((first, _)) =
                            entries[..i].iter().find(|(k, _)| k.as_str() == Some(name))
                    {
                        return Err(YamlError {
                            line: Some(key.line),
                            message: format!(
                                "duplicate key `{name}` (first on line {}); which one counts depends on the tool that reads it",
                                first.line
                            ),
                        });
                    }
                    stack.push(value);
                }
            }
            Value::Seq(items) => stack.extend(items),
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
    Ok(())
}

fn error_of(e: &serde_saphyr::Error) -> YamlError {
    let message = e.to_string();
    let line = e
        .location()
        .map(|l| l.line())
        .and_then(|l| u32::try_from(l).ok());
    let line = line.filter(|l| *l > 0);
    let message = message.lines().next().unwrap_or_default();
    if message.starts_with("budget breached: Depth") {
        return YamlError {
            line,
            message: format!("nested more than {MAX_DEPTH} levels deep"),
        };
    }
    // The parser ends its messages with the position, which the error already carries.
    let message = match message.rsplit_once(" at line ") {
        Some((what, place))
            if place
                .split_once(", column ")
                .is_some_and(|(l, c)| l.parse::<u64>().is_ok() && c.parse::<u64>().is_ok()) =>
        {
            let column = place.split_once(", column ").map_or("", |(_, c)| c);
            format!("{what} (column {column})")
        }
        _ => message.to_owned(),
    };
    YamlError { line, message }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        let spanned = Spanned::<Tagged<Value>>::deserialize(deserializer)?;
        let line = u32::try_from(spanned.referenced.line()).unwrap_or(u32::MAX);
        let Tagged(value, tag) = spanned.value;
        let value = match tag {
            Some(tag) if !is_core_tag(&tag) => Value::Tagged(tag, Box::new(Node { line, value })),
            _ => value,
        };
        Ok(Node { line, value })
    }
}

/// YAML's own tags (`!!str`, `!!int`, …) change how a scalar reads, not what it is.
fn is_core_tag(tag: &str) -> bool {
    tag.starts_with("!!") || tag.starts_with("tag:yaml.org,2002:")
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::Str(v.to_string()), Value::Int))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::Str(v.to_string()), Value::Int))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or_else(|_| Value::Str(v.to_string()), Value::Int))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        if v.len() > MAX_SCALAR_BYTES {
            return Err(E::custom(format!(
                "a scalar of {} bytes, more than the {MAX_SCALAR_BYTES} a manifest value may hold",
                v.len()
            )));
        }
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        if v.len() > MAX_SCALAR_BYTES {
            return self.visit_str(&v);
        }
        Ok(Value::Str(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(Node, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
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
        assert!(e.message.contains("alias replay limit"), "{e}");
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
