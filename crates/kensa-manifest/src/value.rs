//! Reading typed settings out of [`Node`]s, per dialect: CloudFormation intrinsics and
//! Compose `${VAR}` interpolation are recognised here, so the formats and the rules never
//! mistake `!Ref Image` for an image named `Image`.

use crate::model::{At, Dialect, Field, Val};
use crate::yaml::{Node, Value};

/// The node as a string setting.
pub(crate) fn string(node: &Node, dialect: Dialect) -> Val<String> {
    if let Some(expr) = unresolved(node, dialect) {
        return Val::Unresolved(expr);
    }
    match node.scalar_text() {
        Some(text) if dialect == Dialect::Compose && text.contains('$') => interpolate(&text),
        Some(text) => Val::Known(text),
        None => Val::Unresolved(render(node)),
    }
}

/// The node as a boolean setting (`"true"` strings count: ECS JSON written by hand and
/// Compose files quote them).
pub(crate) fn boolean(node: &Node, dialect: Dialect) -> Val<bool> {
    if let Value::Bool(b) = node.value {
        return Val::Known(b);
    }
    match string(node, dialect) {
        Val::Known(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" => Val::Known(true),
            "false" | "no" | "off" => Val::Known(false),
            _ => Val::Unresolved(s),
        },
        Val::Unresolved(e) => Val::Unresolved(e),
    }
}

/// The node as an integer setting.
pub(crate) fn int(node: &Node, dialect: Dialect) -> Val<i64> {
    if let Value::Int(i) = node.value {
        return Val::Known(i);
    }
    match string(node, dialect) {
        Val::Known(s) => s
            .trim()
            .parse()
            .map_or_else(|_| Val::Unresolved(s), Val::Known),
        Val::Unresolved(e) => Val::Unresolved(e),
    }
}

/// A string field at `at`.
pub(crate) fn str_field(node: &Node, at: At, dialect: Dialect) -> Field<String> {
    Field {
        value: string(node, dialect),
        at,
    }
}

/// A boolean field at `at`.
pub(crate) fn bool_field(node: &Node, at: At, dialect: Dialect) -> Field<bool> {
    Field {
        value: boolean(node, dialect),
        at,
    }
}

/// An integer field at `at`.
pub(crate) fn int_field(node: &Node, at: At, dialect: Dialect) -> Field<i64> {
    Field {
        value: int(node, dialect),
        at,
    }
}

/// A CloudFormation intrinsic (`!Ref X`, `{"Ref": "X"}`, `{"Fn::Sub": …}`), as written.
fn unresolved(node: &Node, dialect: Dialect) -> Option<String> {
    if let Value::Tagged(..) = node.value {
        return Some(render(node));
    }
    if dialect != Dialect::EcsCloudFormation {
        return None;
    }
    let map = node.as_map()?;
    let [(key, _)] = map else {
        return None;
    };
    let key = key.as_str()?;
    (key == "Ref" || key == "Condition" || key.starts_with("Fn::")).then(|| render(node))
}

/// A compact one-line rendering of a node, for messages (`!Ref ImageTag`).
pub(crate) fn render(node: &Node) -> String {
    let mut out = String::new();
    render_into(node, &mut out, 0);
    out
}

fn render_into(node: &Node, out: &mut String, depth: usize) {
    if depth > 6 || out.len() > 200 {
        out.push('…');
        return;
    }
    match &node.value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(&b.to_string()),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&f.to_string()),
        Value::Str(s) => out.push_str(s),
        Value::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(item, out, depth + 1);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_into(k, out, depth + 1);
                out.push_str(": ");
                render_into(v, out, depth + 1);
            }
            out.push('}');
        }
        Value::Tagged(tag, inner) => {
            out.push_str(tag);
            out.push(' ');
            render_into(inner, out, depth + 1);
        }
    }
}

/// Compose interpolation, left unexpanded but understood: `${VAR:-default}` and
/// `${VAR-default}` read as their default (what the file says happens when nothing is
/// set), `$$` as `$`; a variable with no default (`${TAG}`, `$TAG`, `${TAG:?}`) leaves
/// the value unresolved.
pub(crate) fn interpolate(text: &str) -> Val<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let Some(end) = body.find('}') else {
                return Val::Unresolved(text.to_owned());
            };
            let expr = &body[..end];
            let default = expr
                .split_once(":-")
                .or_else(|| expr.split_once('-'))
                .map(|(_, d)| d);
            match default {
                Some(d) if !d.contains('$') => out.push_str(d),
                _ => return Val::Unresolved(text.to_owned()),
            }
            rest = &body[end + 1..];
        } else if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
            return Val::Unresolved(text.to_owned());
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Val::Known(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interpolation_uses_defaults_and_leaves_the_rest() {
        assert_eq!(
            interpolate("nginx:${TAG:-1.27}"),
            Val::Known("nginx:1.27".into())
        );
        assert_eq!(interpolate("${U-0}"), Val::Known("0".into()));
        assert_eq!(interpolate("cost $$5"), Val::Known("cost $5".into()));
        assert_eq!(
            interpolate("app:${TAG}"),
            Val::Unresolved("app:${TAG}".into())
        );
        assert_eq!(interpolate("$HOME/x"), Val::Unresolved("$HOME/x".into()));
        assert_eq!(
            interpolate("${X:?set X}"),
            Val::Unresolved("${X:?set X}".into())
        );
    }

    #[test]
    fn intrinsics_are_unresolved() {
        let docs = crate::yaml::parse_documents(
            "a: !Ref Image\nb: {\"Fn::Sub\": \"${AWS::AccountId}.dkr.ecr/x:1\"}\nc: app:1\n",
        )
        .unwrap();
        let d = &docs[0];
        let cfn = Dialect::EcsCloudFormation;
        assert_eq!(
            string(d.get("a").unwrap(), cfn),
            Val::Unresolved("!Ref Image".into())
        );
        assert!(
            matches!(string(d.get("b").unwrap(), cfn), Val::Unresolved(s) if s.starts_with("{Fn::Sub"))
        );
        assert_eq!(string(d.get("c").unwrap(), cfn), Val::Known("app:1".into()));
    }
}
