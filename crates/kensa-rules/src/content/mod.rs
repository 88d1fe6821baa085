//! Rules that read file content (`/etc/shadow`, `/etc/passwd`, `.npmrc`, key files),
//! one module each. Each is an [`Analyzer`](kensa_core::Analyzer) the layer walker runs
//! on the paths it wants; the scan keeps a finding only when its file survives in the
//! final image.

pub mod duplicate_ids;
pub mod empty_password;
pub mod private_key_files;
pub mod registry_credentials;

use kensa_core::{AnalysisOutput, Location, NoteLevel, ScanNote};

/// The 1-based line number of a 0-based line index, saturating on absurd inputs.
pub(crate) fn line_no(index: usize) -> u32 {
    u32::try_from(index.saturating_add(1)).unwrap_or(u32::MAX)
}

/// Says out loud that some lines of `path` were not understood and so not checked.
pub(crate) fn note_unread_lines(
    out: &mut AnalysisOutput,
    found_by: &str,
    path: &str,
    lines: &[u32],
) {
    let Some(first) = lines.first() else {
        return;
    };
    out.notes.push(ScanNote {
        level: NoteLevel::Warning,
        found_by: found_by.to_owned(),
        location: Location::path(path).with_line(*first),
        message: format!(
            "{} line(s) of `/{path}` are not `name:…` records and were not checked",
            lines.len()
        ),
    });
}
