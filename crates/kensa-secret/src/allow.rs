//! Built-in allowlists and value checks: what looks like a secret but is not one.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

/// Paths never scanned: test fixtures, documentation and toolchain sources shipped by
/// packages, whose keys are published on purpose (the Go distribution's tests carry
/// TLS keys, TypeScript declarations carry example URLs). Matched against
/// image-relative paths.
pub const ALLOW_PATHS: &[&str] = &[
    "**/dist-packages/**/test/**",
    "**/dist-packages/**/tests/**",
    "**/node_modules/**/__tests__/**",
    "**/node_modules/**/example/**",
    "**/node_modules/**/examples/**",
    "**/node_modules/**/test/**",
    "**/node_modules/**/tests/**",
    "**/site-packages/**/test/**",
    "**/site-packages/**/tests/**",
    "**/node_modules/@types/**",
    "**/testdata/**",
    "usr/lib/go-*/**",
    "usr/lib/python*/test/**",
    "usr/local/go/**",
    "usr/share/doc/**",
    "usr/share/go-*/**",
    "usr/share/nodejs/@types/**",
];

/// Whether `path` (image-relative) is on the built-in [`ALLOW_PATHS`]: files that
/// packages ship as fixtures, documentation or toolchain sources. Other content rules
/// (credential files, the Dockerfile linter) skip them too.
pub fn is_builtin_allowed_path(path: &str) -> bool {
    static GLOBS: LazyLock<Option<globset::GlobSet>> = LazyLock::new(|| {
        let mut set = globset::GlobSetBuilder::new();
        for glob in ALLOW_PATHS {
            set.add(
                globset::GlobBuilder::new(glob)
                    .literal_separator(true)
                    .build()
                    .ok()?,
            );
        }
        set.build().ok()
    });
    GLOBS
        .as_ref()
        .is_some_and(|set| set.is_match(path.trim_start_matches('/')))
}

/// Values published in vendors' documentation, reported by no rule.
pub const EXAMPLE_VALUES: &[&str] = &[
    // AWS documentation's access key pair.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // The token shown on jwt.io.
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
];

/// The length of an alphabet run (`abcdefgh`, either case) that marks a value as typed by
/// hand: a random token of 40 characters holds one with a chance of about 40 in 26^7.
const ALPHABET_RUN: usize = 8;

/// Words that mark a value as a placeholder for every rule (ASCII, lowercase; matched
/// case-insensitively anywhere in the value). Random token bodies practically never
/// contain them.
pub(crate) const PLACEHOLDER_WORDS: &[&str] = &[
    "${",
    "{{",
    "<",
    ">",
    "*****",
    "changeme",
    "change-me",
    "change_me",
    "dummy",
    "example",
    "placeholder",
    "redacted",
    "xxxxx",
];

/// Extra words for free-form assignments (`password = ...`), where people write
/// instructions and defaults instead of credentials.
pub(crate) const LOOSE_PLACEHOLDER_WORDS: &[&str] = &[
    "changeit", "enter", "fake", "foobar", "insert", "passw", "replace", "sample", "secret",
    "test", "todo", "your",
];

/// Whole values that are defaults or type names, not credentials (lowercase).
pub(crate) const LOOSE_PLACEHOLDER_VALUES: &[&str] = &[
    "admin",
    "boolean",
    "default",
    "disabled",
    "empty",
    "enabled",
    "false",
    "guest",
    "hidden",
    "missing",
    "none",
    "notset",
    "null",
    "optional",
    "pass",
    "required",
    "root",
    "string",
    "token",
    "true",
    "undefined",
    "unknown",
    "unset",
    "user",
    "username",
    "value",
];

/// True when `value` is a documentation example or a placeholder for any rule.
pub(crate) fn is_placeholder(value: &[u8]) -> bool {
    EXAMPLE_VALUES.iter().any(|v| v.as_bytes() == value)
        || contains_any(value, &PLACEHOLDER_AUTOMATON)
        || has_alphabet_run(value)
}

/// True when `value` holds [`ALPHABET_RUN`] letters in alphabetical order, one after the
/// other (`AIzaSyabcdefghijklmnop…`, `sk_test_abcdefghijkl`): a filler, not a key.
fn has_alphabet_run(value: &[u8]) -> bool {
    let mut run = 0;
    let mut previous = 0u8;
    for &b in value {
        let letter = b.to_ascii_lowercase();
        run = if !letter.is_ascii_lowercase() {
            0
        } else if run > 0 && letter == previous.wrapping_add(1) {
            run + 1
        } else {
            1
        };
        if run >= ALPHABET_RUN {
            return true;
        }
        previous = letter;
    }
    false
}

/// True when a free-form assigned value is a placeholder, a reference to something else
/// (`$VAR`, `%(x)s`, `settings.API_KEY`, `getenv(...)`) or a plain identifier.
pub(crate) fn is_loose_non_secret(value: &[u8]) -> bool {
    if contains_any(value, &LOOSE_PLACEHOLDER_AUTOMATON) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if LOOSE_PLACEHOLDER_VALUES
        .iter()
        .any(|v| v.as_bytes() == lower)
    {
        return true;
    }
    if let Some(first) = value.first()
        && b"$%{<([!&*@#:".contains(first)
    {
        return true;
    }
    // Documented alternatives: `true|false`, `on|off|auto`.
    if value.contains(&b'|')
        && value
            .split(|&b| b == b'|')
            .all(|w| !w.is_empty() && w.iter().all(u8::is_ascii_alphabetic))
    {
        return true;
    }
    // Calls, indexing, templates and paths: `getenv("X")`, `env['X']`, `{{ .Values.x }}`,
    // `windows_sys::core::PWSTR`.
    if value.iter().any(|b| b"()[]{}".contains(b)) || value.windows(2).any(|w| w == b"::") {
        return true;
    }
    // A value of letters alone (`CString`, `sekrit`, `DBPROPENUM`) is far more often a
    // type, a name or a documentation example than a credential.
    if !value
        .iter()
        .any(|b| b.is_ascii_digit() || !(b.is_ascii_alphabetic() || b"_.-".contains(b)))
    {
        return true;
    }
    looks_like_identifier(value) || is_constant_name(value)
}

/// `WIN32_ERROR`, `HTTP2_SETTINGS`: constants, not values.
fn is_constant_name(value: &[u8]) -> bool {
    value.first().is_some_and(u8::is_ascii_uppercase)
        && value.contains(&b'_')
        && value
            .iter()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
}

/// `settings.API_KEY`, `db_password`, `userPassword`: names of things, not values.
fn looks_like_identifier(value: &[u8]) -> bool {
    if !value
        .iter()
        .all(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'.' || *b == b'-')
    {
        return false;
    }
    let separated = value.iter().any(|b| matches!(b, b'_' | b'.' | b'-'));
    let camel = value
        .windows(2)
        .any(|w| matches!(w, [a, b] if a.is_ascii_lowercase() && b.is_ascii_uppercase()));
    separated || camel
}

/// Whether `value` contains one of the (lowercase) `words` of `automaton` in any ASCII
/// case. Values are checked on every regex match, so each word list is compiled once.
fn contains_any(value: &[u8], automaton: &LazyLock<Option<AhoCorasick>>) -> bool {
    automaton
        .as_ref()
        .is_some_and(|automaton| automaton.is_match(value))
}

fn compile_words(words: &[&str]) -> Option<AhoCorasick> {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(words)
        .ok()
}

static PLACEHOLDER_AUTOMATON: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| compile_words(PLACEHOLDER_WORDS));
static LOOSE_PLACEHOLDER_AUTOMATON: LazyLock<Option<AhoCorasick>> =
    LazyLock::new(|| compile_words(LOOSE_PLACEHOLDER_WORDS));

/// Shannon entropy of `bytes` in bits per byte.
pub(crate) fn shannon_entropy(bytes: &[u8]) -> f32 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        let slot = &mut counts[usize::from(b)];
        *slot = slot.saturating_add(1);
    }
    let len = bytes.len() as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / len;
            -p * p.log2()
        })
        .sum()
}

/// True when `value` is standard base64 of `user:password` with both parts non-empty.
pub(crate) fn is_base64_user_pass(value: &[u8]) -> bool {
    let Some(decoded) = base64_decode(value) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&decoded) else {
        return false;
    };
    matches!(text.split_once(':'), Some((user, pass)) if !user.is_empty() && !pass.is_empty()
        && !text.chars().any(char::is_control))
}

/// Decodes standard base64 (padding optional); `None` on any other byte.
fn base64_decode(input: &[u8]) -> Option<Vec<u8>> {
    let trimmed = input
        .iter()
        .rposition(|&b| b != b'=')
        .map_or(&input[..0], |last| input.get(..=last).unwrap_or(input));
    let mut out = Vec::with_capacity(trimmed.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &c in trimmed {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_separates_words_from_random_strings() {
        assert_eq!(shannon_entropy(b"aaaaaaaa"), 0.0);
        assert!((shannon_entropy(b"abcd") - 2.0).abs() < 1e-6);
        assert!(shannon_entropy(b"password") < 3.0);
        assert!(shannon_entropy(b"q8Xv3LpZ0rTn7WmKc2Ys") > 4.0);
    }

    #[test]
    fn base64_user_pass() {
        // "robot:s3cret" and "no-colon-here".
        assert!(is_base64_user_pass(b"cm9ib3Q6czNjcmV0"));
        assert!(!is_base64_user_pass(b"bm8tY29sb24taGVyZQ=="));
        assert!(!is_base64_user_pass(b"not base64!"));
        assert_eq!(base64_decode(b"YWI=").as_deref(), Some(&b"ab"[..]));
    }

    #[test]
    fn loose_values() {
        for v in [
            "${DB_PASSWORD}",
            "settings.API_KEY",
            "os.getenv(\"X\")",
            "db_password",
            "userPassword",
            "true",
            "Your-Password-Here",
            "%(password)s",
            "windows_sys::core::PWSTR",
            "CString",
            "WIN32_ERROR",
            "sekrit",
        ] {
            assert!(is_loose_non_secret(v.as_bytes()), "{v}");
        }
        for v in [
            "Tr0ub4dor&3",
            "hunter22",
            "8fK2mQ9xLp",
            "p4ss_w0rd-2024",
            "S3CR3T_V4LU3x",
        ] {
            assert!(!is_loose_non_secret(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder(b"AKIAIOSFODNN7EXAMPLE"));
        assert!(is_placeholder(b"sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"));
        assert!(is_placeholder(b"${GITHUB_TOKEN}"));
        assert!(!is_placeholder(b"q8Xv3LpZ0rTn7WmKc2Ys"));
    }

    #[test]
    fn alphabet_runs_are_fillers() {
        assert!(is_placeholder(b"AIzaSyXabcdefghijklmnopqrstuvw012345678"));
        assert!(is_placeholder(b"tok_QRSTUVWX_9f2"));
        assert!(is_placeholder(b"key-mnOPqrSTu"));
        // Seven in a row, or a run broken by a digit or a repeat, is ordinary randomness.
        assert!(!is_placeholder(b"AIzaSyQ3abcdefgZk9Lm2Np4Rs6Tv8Wx0Yz1Bc3"));
        assert!(!is_placeholder(b"abcd1efghijk"));
        assert!(!is_placeholder(b"abcdeefghijk"));
        assert!(!is_placeholder(b"zabcdefg"));
    }

    #[test]
    fn example_values_are_placeholders() {
        for value in EXAMPLE_VALUES {
            assert!(is_placeholder(value.as_bytes()), "{value}");
        }
    }
}
