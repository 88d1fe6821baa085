//! Renderers that turn a report into table, JSON and the other output formats.
//!
//! Every format is one private module with the same
//! `fn render(&Report, &mut dyn Write, &RenderOptions) -> io::Result<()>` and one line in
//! the `formats!` list below, which generates the [`Format`] variant, its name, its
//! place in [`Format::ALL`] and the dispatch in [`render`]. Renderers are pure: they
//! only write to the writer they are given, so the CLI decides where stdout goes.
//! Everything printed for people passes through [`sanitize_for_terminal`] (K10).

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

use kensa_core::Report;

mod cyclonedx;
mod grid;
mod json;
mod markdown;
pub mod sanitize;
mod sarif;
mod spdx;
mod table;

pub use sanitize::sanitize_for_terminal;

/// Display choices that only some formats use; machine formats ignore them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Colour severities with ANSI escapes. The caller decides (TTY, `NO_COLOR`,
    /// `--color`); renderers never look at the environment.
    pub color: bool,
    /// Add the package inventory to human-readable output.
    pub list_packages: bool,
    /// The order of vulnerability findings in the table.
    pub sort_by: SortBy,
    /// Group vulnerability findings under the one package upgrade that fixes them.
    pub group_by_fix: bool,
}

/// How the table orders vulnerability findings (`--sort-by`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SortBy {
    /// `priority` when any finding carries exploitation data (KEV, EPSS, SSVC) or a
    /// severity from a CVE record, else `severity`.
    #[default]
    Auto,
    /// Most severe first.
    Severity,
    /// Highest EPSS score first.
    Epss,
    /// Known exploited (KEV) first, most recently added first.
    Kev,
    /// Fix-first rank (`docs/prioritisation.md`).
    Priority,
}

impl SortBy {
    /// The values `--sort-by` takes.
    pub const ALL: &'static [SortBy] = &[
        SortBy::Severity,
        SortBy::Epss,
        SortBy::Kev,
        SortBy::Priority,
    ];

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            SortBy::Auto => "auto",
            SortBy::Severity => "severity",
            SortBy::Epss => "epss",
            SortBy::Kev => "kev",
            SortBy::Priority => "priority",
        }
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for SortBy {
    fn value_variants<'a>() -> &'a [Self] {
        SortBy::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

macro_rules! formats {
    ($($(#[doc = $doc:literal])* $variant:ident => $module:ident, $name:literal, human: $human:literal, sbom: $sbom:literal;)*) => {
        /// An output format, chosen with `--format`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Format {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Format {
            /// Every format, in the order `--help` lists them.
            pub const ALL: &'static [Format] = &[$(Format::$variant),*];

            /// The name used on the command line and in config files.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Format::$variant => $name,)*
                }
            }

            /// One line saying what the format is for, as `--help` shows it.
            pub fn description(self) -> &'static str {
                match self {
                    $(Format::$variant => concat!($($doc),*).trim_ascii(),)*
                }
            }

            /// True for the software-bill-of-materials formats `kensa sbom` writes.
            pub fn is_sbom(self) -> bool {
                match self {
                    $(Format::$variant => $sbom,)*
                }
            }

            /// True for formats meant for people rather than programs; the CLI uses it
            /// to decide on colour and to keep progress output off a piped report.
            pub fn is_human_readable(self) -> bool {
                match self {
                    $(Format::$variant => $human,)*
                }
            }
        }

        /// Writes `report` in `format` to `w`.
        ///
        /// Errors are the writer's. A `BrokenPipe` (as from `kensa … | head`) is passed
        /// up unchanged for the CLI to treat as success.
        pub fn render(
            report: &Report,
            format: Format,
            w: &mut dyn Write,
            options: &RenderOptions,
        ) -> io::Result<()> {
            match format {
                $(Format::$variant => $module::render(report, w, options),)*
            }
        }
    };
}

formats! {
    /// A readable terminal table, the default.
    Table => table, "table", human: true, sbom: false;
    /// The JSON report, documented in `docs/report-format.md`.
    Json => json, "json", human: false, sbom: false;
    /// A CycloneDX 1.6 JSON SBOM of the package inventory.
    CycloneDx => cyclonedx, "cyclonedx", human: false, sbom: true;
    /// An SPDX 2.3 JSON SBOM of the package inventory.
    SpdxJson => spdx, "spdx-json", human: false, sbom: true;
    /// SARIF 2.1.0, for code scanning (GitHub, Azure DevOps).
    Sarif => sarif, "sarif", human: false, sbom: false;
    /// GitHub-flavoured Markdown, for a pull-request comment.
    Markdown => markdown, "markdown", human: false, sbom: false;
}

/// A `--format` value that names no format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format `{0}` (expected one of {names})", names = Format::names())]
pub struct FormatError(pub String);

impl Format {
    /// The valid names, comma-separated, for help and error text.
    pub fn names() -> String {
        Format::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl FromStr for Format {
    type Err = FormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| FormatError(s.chars().take(64).collect()))
    }
}

#[cfg(feature = "clap")]
impl clap::ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        Format::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()).help(self.description()))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Pretty-printed JSON and a newline, for every JSON format. serde_json writes a report
/// in millions of small pieces (a manifest check's 100,000 findings are 90 MB); through
/// `dyn Write` each would be a virtual call into the caller's buffer, so they go into a
/// buffer of ours first, which passes 64 KiB at a time on.
pub(crate) fn write_json(w: &mut dyn io::Write, value: &impl serde::Serialize) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(64 * 1024, w);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    // A trailing newline keeps `kensa … --format json > out.json` a well-formed text file
    // and stops shells from gluing the prompt onto the closing brace.
    buffered.write_all(b"\n")?;
    buffered.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &format in Format::ALL {
            assert!(seen.insert(format.as_str()), "duplicate {format}");
            assert_eq!(format.as_str().parse::<Format>().unwrap(), format);
            assert_eq!(format.as_str(), format.as_str().to_ascii_lowercase());
        }
        assert_eq!(" JSON ".parse::<Format>().unwrap(), Format::Json);
    }

    #[test]
    fn unknown_format_error_lists_the_valid_names() {
        let err = "sarif2".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown format `sarif2` (expected one of table, json, cyclonedx, spdx-json, sarif, markdown)"
        );
    }

    #[test]
    fn only_the_table_is_for_people() {
        assert!(Format::Table.is_human_readable());
        assert!(!Format::Json.is_human_readable());
        assert!(!Format::CycloneDx.is_human_readable());
        assert!(!Format::SpdxJson.is_human_readable());
    }
}
