//! Makes untrusted text safe to print on a terminal.
//!
//! Paths, labels, package names and messages come from the image, which is hostile
//! input. Printed raw, an ESC could recolour or rewrite the screen (or, on some
//! terminals, set the window title or a clipboard), a carriage return could overwrite a
//! finding with harmless text, and a bidi override could make `evil.sh` read as
//! `hs.live` (CVE-2021-42574, "Trojan Source"). So each such character is replaced by a
//! visible escape instead of being dropped: the reader sees that something odd is there.

use std::borrow::Cow;

/// Replaces every character that a terminal would interpret rather than show with a
/// visible escape; returns the input unchanged (borrowed) when there is none.
///
/// Escaped: all C0 controls (`\n` as `\n`, `\t` as `\t`, `\r` as `\r`, others as
/// `\x1b`-style), DEL (`\x7f`), C1 controls (`\u{9b}`), the bidi embeddings,
/// overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)
/// and the Unicode line and paragraph separators (U+2028, U+2029).
pub fn sanitize_for_terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len().saturating_add(16));
    for c in s.chars() {
        if needs_escape(c) {
            push_escape(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    // `is_control` is the Cc category: C0, DEL and C1.
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
        )
}

fn push_escape(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if u32::from(c) <= 0x7f => out.push_str(&format!("\\x{:02x}", u32::from(c))),
        c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        for s in [
            "",
            "usr/lib/python3.11/site-packages",
            "日本語 ✓ café",
            "a\\x1b",
        ] {
            assert!(matches!(sanitize_for_terminal(s), Cow::Borrowed(b) if b == s));
        }
    }

    #[test]
    fn escapes_c0_del_and_c1() {
        assert_eq!(
            sanitize_for_terminal("a\x1b[31mred\x1b[0m"),
            "a\\x1b[31mred\\x1b[0m"
        );
        assert_eq!(
            sanitize_for_terminal("ok\rFAKE\n\tx\0\x07"),
            "ok\\rFAKE\\n\\tx\\x00\\x07"
        );
        assert_eq!(sanitize_for_terminal("del\x7f"), "del\\x7f");
        // U+009B is the 8-bit CSI: `\u{9b}31m` is an escape sequence on some terminals.
        assert_eq!(
            sanitize_for_terminal("\u{9b}31m\u{85}"),
            "\\u{9b}31m\\u{85}"
        );
    }

    #[test]
    fn escapes_bidi_controls_and_separators() {
        assert_eq!(
            sanitize_for_terminal("evil\u{202E}hs.\u{2066}x\u{2069}"),
            "evil\\u{202e}hs.\\u{2066}x\\u{2069}"
        );
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2067}', '\u{2068}',
        ] {
            let out = sanitize_for_terminal(&c.to_string()).into_owned();
            assert!(out.starts_with("\\u{"), "{c:?} gave {out}");
        }
        assert_eq!(
            sanitize_for_terminal("\u{200E}\u{200F}\u{061C}\u{2028}\u{2029}"),
            "\\u{200e}\\u{200f}\\u{61c}\\u{2028}\\u{2029}"
        );
    }

    #[test]
    fn output_never_holds_a_character_that_needs_escaping() {
        let every_low: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let out = sanitize_for_terminal(&every_low);
        assert!(!out.chars().any(needs_escape));
        // Printable neighbours of the escaped ranges survive.
        for keep in [' ', '~', '\u{a0}', '\u{2027}', '\u{202F}', '\u{206A}'] {
            assert!(out.contains(keep), "{keep:?} was lost");
        }
    }
}
