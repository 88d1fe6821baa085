//! Masking: a report shows where a secret is and which one, never the secret itself.

/// Masks a secret: a short prefix (enough to recognise `ghp_` or `AKIA`), then `****`.
/// The prefix shrinks for short values and the mask length is fixed, so neither the
/// value nor its length can be read back.
pub fn mask(secret: &str) -> String {
    let len = secret.chars().count();
    let keep = match len {
        0..8 => 0,
        8..16 => 2,
        _ => 4,
    };
    let mut out: String = secret
        .chars()
        .take(keep)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    out.push_str("****");
    out
}

/// Renders `text[from..to]` with every range in `secrets` (sorted, disjoint, absolute
/// offsets into `text`) replaced by its mask, control characters made visible, and the
/// result trimmed.
pub(crate) fn masked_excerpt(
    text: &[u8],
    from: usize,
    to: usize,
    secrets: &[(usize, usize)],
) -> String {
    let mut out = String::new();
    let mut pos = from;
    // Only the ranges that reach into the excerpt, so a file with many secrets is not
    // walked once per finding.
    let first = secrets.partition_point(|&(_, end)| end <= from);
    for &(start, end) in secrets.get(first..).unwrap_or_default() {
        if start >= to {
            break;
        }
        push_plain(&mut out, text.get(pos..start.max(pos)).unwrap_or_default());
        // The mask keeps the prefix of the whole secret even when the excerpt starts
        // inside it, so no middle part of a value is ever shown.
        let secret = String::from_utf8_lossy(text.get(start..end).unwrap_or_default());
        out.push_str(&mask(&secret));
        pos = end;
        if pos >= to {
            break;
        }
    }
    if pos < to {
        push_plain(&mut out, text.get(pos..to).unwrap_or_default());
    }
    out.trim().to_owned()
}

fn push_plain(out: &mut String, bytes: &[u8]) {
    for c in String::from_utf8_lossy(bytes).chars() {
        match c {
            '\t' => out.push(' '),
            c if c.is_control() => out.push('?'),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_short_prefix_only() {
        assert_eq!(mask("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"), "ghp_****");
        assert_eq!(mask("hunter22"), "hu****");
        assert_eq!(mask("abc"), "****");
        assert_eq!(mask(""), "****");
    }

    #[test]
    fn excerpt_masks_every_secret_in_range() {
        let text = b"A=secretvalue1234 B=othervalue98765";
        let ranges = [(2, 17), (20, 35)];
        assert_eq!(
            masked_excerpt(text, 0, text.len(), &ranges),
            "A=se**** B=ot****"
        );
        assert_eq!(masked_excerpt(text, 18, text.len(), &ranges), "B=ot****");
    }
}
