//! Running the independent validators the format tests install (from PyPI, npm): what
//! to do when a tool cannot be set up, so every such test skips the same loud way.

use std::process::{Command, Output};

/// Why the validators could not be set up; the test then skips, loudly.
pub(crate) struct Unavailable(pub(crate) String);

pub(crate) fn run(cmd: &mut Command) -> Result<Output, Unavailable> {
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .map_err(|e| Unavailable(format!("cannot run {shown}: {e}")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(Unavailable(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

/// Skips a test whose validator is unavailable, saying why, unless
/// `KENSA_REQUIRE_VALIDATORS` is set (then it fails).
#[expect(
    clippy::print_stderr,
    reason = "a skipped test must say why it skipped"
)]
pub(crate) fn skip(what: &str, why: &Unavailable) {
    assert!(
        std::env::var_os("KENSA_REQUIRE_VALIDATORS").is_none(),
        "KENSA_REQUIRE_VALIDATORS is set but the {what} are unavailable: {}",
        why.0
    );
    eprintln!(
        "SKIPPED {what}: {}\n(set KENSA_REQUIRE_VALIDATORS=1 to make this a failure)",
        why.0
    );
}
