//! The JSON report: the [`Report`] as pretty-printed JSON, the format documented in
//! `docs/report-format.md` and versioned by `schema_version`.

use std::io::{self, Write};

use kensa_core::Report;

use crate::RenderOptions;

/// Writes the whole report, whatever the options say: JSON is for machines, and a
/// reader that gets fewer fields because of a display flag would be surprised.
pub(crate) fn render(
    report: &Report,
    w: &mut dyn Write,
    _options: &RenderOptions,
) -> io::Result<()> {
    crate::write_json(w, report)
}
