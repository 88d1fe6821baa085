//! The `image` fields of YAML and JSON deployment files, each with its span in the text:
//! Kubernetes (`containers[].image`), Compose (`services.*.image`), ECS task definitions
//! (`containerDefinitions[].image`) and CloudFormation (`ContainerDefinitions[].Image`).
//!
//! The document is read with kensa-manifest's bounded parser, which knows each value's
//! line; the value is then found on that line in the text, so the edit replaces the
//! scalar's own characters and nothing else (re-serializing would lose comments, quoting
//! and key order). Every key named `image` in any case is taken: the formats differ only
//! in where the field sits, and a value that is not an image reference is left alone.

use kensa_core::pinning::is_pinned_by_digest;
use kensa_manifest::yaml::{self, Node, Value};

use crate::PinError;
use crate::plan::{LineIndex, Site, Skipped};

/// The image references of `text` that a digest could pin, and those left alone.
pub fn find(file: &str, text: &str) -> Result<(Vec<Site>, Vec<Skipped>), PinError> {
    let documents = yaml::parse_documents(text).map_err(|e| PinError::Parse {
        file: file.to_owned(),
        line: e.line,
        message: e.message,
    })?;
    let index = LineIndex::new(text);
    let mut sites: Vec<Site> = Vec::new();
    let mut skipped = Vec::new();
    // The parser bounds the depth; the walk keeps its own stack all the same.
    let mut stack: Vec<&Node> = documents.iter().rev().collect();
    while let Some(node) = stack.pop() {
        match &node.value {
            Value::Map(entries) => {
                for (key, value) in entries.iter().rev() {
                    if key
                        .as_str()
                        .is_some_and(|k| k.eq_ignore_ascii_case("image"))
                    {
                        image_field(&index, text, key, value, &mut sites, &mut skipped);
                    }
                    stack.push(value);
                }
            }
            Value::Seq(items) => stack.extend(items.iter().rev()),
            Value::Tagged(_, inner) => stack.push(inner),
            _ => {}
        }
    }
    sites.sort_by_key(|s| s.span.start);
    Ok((sites, skipped))
}

fn image_field(
    index: &LineIndex,
    text: &str,
    key: &Node,
    value: &Node,
    sites: &mut Vec<Site>,
    skipped: &mut Vec<Skipped>,
) {
    let skip = |reference: &str, why: &str| Skipped {
        line: value.line,
        reference: reference.to_owned(),
        why: why.to_owned(),
    };
    let reference = match &value.value {
        Value::Str(s) => s.as_str(),
        Value::Tagged(tag, _) => {
            skipped.push(skip(
                tag,
                "is an expression, not a literal reference; pin what it evaluates to",
            ));
            return;
        }
        Value::Map(_) => {
            skipped.push(skip(
                "(a mapping)",
                "is not a string; if it is an intrinsic function, pin what it evaluates to",
            ));
            return;
        }
        _ => return,
    };
    if reference.trim().is_empty() {
        return;
    }
    if reference.contains('$') {
        skipped.push(skip(reference, "holds a variable; pin the value it takes"));
    } else if is_pinned_by_digest(reference) {
        skipped.push(skip(reference, "is already pinned by digest"));
    } else if let Err(e) = kensa_registry::Reference::parse(reference) {
        skipped.push(skip(reference, &format!("is not an image reference: {e}")));
    } else {
        let from = if key.line == value.line {
            // Past the key, so a value equal to the key's text is not the key.
            index
                .line(key.line)
                .and_then(|r| text.get(r.clone()).map(|l| (r.start, l)))
                .and_then(|(start, l)| {
                    l.to_ascii_lowercase()
                        .find("image")
                        .map(|at| start + at + "image".len())
                })
        } else {
            None
        };
        match locate(index, text, value.line, from, reference, sites) {
            Some(span) => sites.push(Site {
                line: value.line,
                span,
                reference: reference.to_owned(),
            }),
            None => skipped.push(skip(
                reference,
                "could not be found as written on its line (a multi-line or escaped \
                 scalar); pin it by hand",
            )),
        }
    }
}

/// Characters that continue an image reference: a match next to one is part of a
/// longer word.
fn continues(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/' | ':' | '@')
}

/// The first occurrence of `reference` on `line`, at or after `from`, standing alone
/// and not already taken by another site (two fields on one line of flow YAML).
fn locate(
    index: &LineIndex,
    text: &str,
    line: u32,
    from: Option<usize>,
    reference: &str,
    taken: &[Site],
) -> Option<std::ops::Range<usize>> {
    let range = index.line(line)?;
    let mut at = from.unwrap_or(range.start).max(range.start);
    while at < range.end {
        let found = at + text.get(at..range.end)?.find(reference)?;
        let end = found + reference.len();
        let before = text.get(..found).and_then(|t| t.chars().next_back());
        let after = text.get(end..).and_then(|t| t.chars().next());
        let alone = !before.is_some_and(continues) && !after.is_some_and(continues);
        if alone && !taken.iter().any(|s| s.span.start == found) {
            return Some(found..end);
        }
        at = found + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Lines;

    fn found(text: &str) -> (Lines, Lines) {
        crate::plan::lines_of(text, find("m.yaml", text).unwrap())
    }

    #[test]
    fn kubernetes_compose_and_quoted_values() {
        let text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      \
                    image: \"registry.example:5000/app:1.0\" # the app\n    - name: b\n      \
                    image: 'nginx'\n---\nservices:\n  web:\n    image: ${IMAGE:-web}:1\n  \
                    db: {image: image}\n";
        let (sites, skipped) = found(text);
        assert_eq!(
            sites,
            vec![
                (6, "registry.example:5000/app:1.0".to_owned()),
                (8, "nginx".to_owned()),
                (13, "image".to_owned())
            ]
        );
        assert_eq!(skipped, vec![(12, "${IMAGE:-web}:1".to_owned())]);
        // The value `image` is found past the key `image`.
        let (sites, _) = find("m.yaml", text).unwrap();
        assert!(text[sites[2].span.start - 2..].starts_with(": image}"));
    }

    #[test]
    fn ecs_json_and_cloudformation() {
        let text = r#"{"containerDefinitions": [{"name": "web", "image": "app:2", "essential": true}],
 "Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [
   {"Image": {"Fn::Sub": "${Repo}:1"}}, {"Image": "alpine:3.20"}]}}}}"#;
        let (sites, skipped) = found(text);
        assert_eq!(
            sites,
            vec![(1, "app:2".to_owned()), (3, "alpine:3.20".to_owned())]
        );
        assert_eq!(skipped.len(), 1);
        let yaml = "Resources:\n  T:\n    Properties:\n      ContainerDefinitions:\n        - Image: !Sub '${Repo}:1'\n";
        let (sites, skipped) = found(yaml);
        assert!(sites.is_empty());
        assert_eq!(skipped, vec![(5, "!Sub".to_owned())]);
    }

    #[test]
    fn pinned_and_non_references_are_left_alone() {
        let text = format!(
            "a:\n  image: app@sha256:{}\nb:\n  image: Not A Ref\n",
            "c".repeat(64)
        );
        let (sites, skipped) = found(&text);
        assert!(sites.is_empty());
        assert_eq!(skipped.len(), 2);
    }

    #[test]
    fn a_parse_error_names_the_file() {
        let e = find("m.yaml", "a: [\n").unwrap_err();
        assert!(e.to_string().starts_with("`m.yaml`"), "{e}");
    }
}
