//! A small box-drawn text table that fits a width budget by wrapping or truncating.
//!
//! Written by hand rather than with `comfy-table` for three reasons: every cell must
//! pass through [`sanitize_for_terminal`] before it is measured, which is easiest to
//! guarantee when the table itself does it; colour is applied after layout, so styled
//! and plain output have identical geometry (a test strips the colour and compares);
//! and findings need a full-width row (the fix) under their cells, which comfy-table
//! has no notion of. The whole thing is a few hundred lines with no dependency beyond
//! `unicode-width`.

use std::borrow::Cow;
use std::fmt::{self, Write};

use anstyle::Style;
use unicode_width::UnicodeWidthChar;

use crate::sanitize::sanitize_for_terminal;

/// Lines a full-width row may take, per paragraph.
const MAX_SPAN_LINES: usize = 6;

/// How one column behaves when the table must fit the width budget.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Column {
    pub(crate) header: &'static str,
    /// The column never shrinks below this (or below its content, if narrower).
    pub(crate) min: usize,
    /// The column never grows beyond this.
    pub(crate) max: usize,
    pub(crate) fit: Fit,
}

/// What a column does with a line wider than itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Cut each line with `…`: for short values where the start says it all.
    Truncate,
    /// Word-wrap, taking at most this many lines in all before cutting with `…`.
    Wrap(usize),
}

/// One cell: raw (unsanitized) lines and an optional style.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cell {
    lines: Vec<String>,
    style: Option<Style>,
}

impl Cell {
    pub(crate) fn new(text: impl Into<String>) -> Self {
        Cell {
            lines: vec![text.into()],
            style: None,
        }
    }

    pub(crate) fn lines(lines: Vec<String>) -> Self {
        Cell { lines, style: None }
    }

    pub(crate) fn styled(mut self, style: Style) -> Self {
        self.style = Some(style);
        self
    }
}

#[derive(Clone, Debug)]
enum Row {
    Cells(Vec<Cell>),
    /// Paragraphs printed across the whole table width.
    Span(Vec<String>),
}

/// A table under construction.
#[derive(Clone, Debug)]
pub(crate) struct Grid {
    columns: Vec<Column>,
    rows: Vec<Row>,
}

impl Grid {
    pub(crate) fn new(columns: &[Column]) -> Self {
        Grid {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank and extra cells are ignored.
    pub(crate) fn row(&mut self, cells: Vec<Cell>) {
        self.rows.push(Row::Cells(cells));
    }

    /// Adds a full-width row of word-wrapped paragraphs.
    pub(crate) fn span(&mut self, paragraphs: Vec<String>) {
        self.rows.push(Row::Span(paragraphs));
    }

    /// Column widths that fit `budget` display columns including borders, shrinking
    /// the columns with the most slack first.
    fn widths(&self, budget: usize) -> Vec<usize> {
        let overhead = self.columns.len().saturating_mul(3).saturating_add(1);
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| display_width(c.header).max(1))
            .collect();
        for row in &self.rows {
            let Row::Cells(cells) = row else { continue };
            for (w, cell) in widths.iter_mut().zip(cells) {
                for line in &cell.lines {
                    *w = (*w).max(display_width(&sanitize_for_terminal(line)));
                }
            }
        }
        let floors: Vec<usize> = widths
            .iter_mut()
            .zip(&self.columns)
            .map(|(w, c)| {
                *w = (*w).min(c.max.max(1));
                c.min.min(*w)
            })
            .collect();
        while widths.iter().sum::<usize>().saturating_add(overhead) > budget {
            let widest = widths
                .iter_mut()
                .zip(&floors)
                .filter(|(w, floor)| **w > **floor)
                .max_by_key(|(w, floor)| **w - **floor);
            match widest {
                Some((w, _)) => *w -= 1,
                None => break,
            }
        }
        widths
    }

    /// Writes the table; `color` enables the cells' styles and a bold header.
    pub(crate) fn write(&self, out: &mut String, budget: usize, color: bool) -> fmt::Result {
        let widths = self.widths(budget);
        let inner = widths
            .iter()
            .sum::<usize>()
            .saturating_add(widths.len().saturating_sub(1).saturating_mul(3));
        rule(out, &widths, '┌', '┬', '┐')?;
        let header: Vec<Cell> = self
            .columns
            .iter()
            .map(|c| Cell::new(c.header).styled(Style::new().bold()))
            .collect();
        self.write_cells(out, &widths, &header, color)?;
        let mut previous_was_span = false;
        for row in &self.rows {
            match row {
                Row::Cells(cells) => {
                    if previous_was_span {
                        rule(out, &widths, '├', '┬', '┤')?;
                    } else {
                        rule(out, &widths, '├', '┼', '┤')?;
                    }
                    self.write_cells(out, &widths, cells, color)?;
                    previous_was_span = false;
                }
                Row::Span(paragraphs) => {
                    if previous_was_span {
                        rule(out, &[inner], '├', '─', '┤')?;
                    } else {
                        rule(out, &widths, '├', '┴', '┤')?;
                    }
                    for paragraph in paragraphs {
                        for line in wrap(paragraph, inner, MAX_SPAN_LINES, Breaks::Whitespace) {
                            let pad = inner.saturating_sub(display_width(&line));
                            writeln!(out, "│ {line}{:pad$} │", "")?;
                        }
                    }
                    previous_was_span = true;
                }
            }
        }
        if previous_was_span {
            rule(out, &[inner], '└', '─', '┘')
        } else {
            rule(out, &widths, '└', '┴', '┘')
        }
    }

    fn write_cells(
        &self,
        out: &mut String,
        widths: &[usize],
        cells: &[Cell],
        color: bool,
    ) -> fmt::Result {
        let blank = Cell::default();
        let laid_out: Vec<(Vec<String>, Option<Style>)> = self
            .columns
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (column, &width))| {
                let cell = cells.get(i).unwrap_or(&blank);
                let lines = match column.fit {
                    Fit::Wrap(max_lines) => {
                        let mut lines: Vec<String> = cell
                            .lines
                            .iter()
                            .flat_map(|l| wrap(l, width, max_lines, Breaks::Spaces))
                            .collect();
                        if lines.len() > max_lines {
                            lines.truncate(max_lines);
                            if let Some(last) = lines.last_mut() {
                                *last = ellipsize(last, width);
                            }
                        }
                        lines
                    }
                    Fit::Truncate => cell
                        .lines
                        .iter()
                        .map(|l| truncate(&sanitize_for_terminal(l), width).into_owned())
                        .collect(),
                };
                (lines, cell.style.filter(|_| color))
            })
            .collect();
        let height = laid_out.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for i in 0..height.max(1) {
            out.push('│');
            for ((lines, style), &width) in laid_out.iter().zip(widths) {
                let line = lines.get(i).map_or("", String::as_str);
                let pad = width.saturating_sub(display_width(line));
                match style {
                    Some(style) if !line.is_empty() => {
                        write!(
                            out,
                            " {}{line}{} {:pad$}│",
                            style.render(),
                            style.render_reset(),
                            ""
                        )?;
                    }
                    _ => write!(out, " {line}{:pad$} │", "")?,
                }
            }
            out.push('\n');
        }
        Ok(())
    }
}

fn rule(out: &mut String, widths: &[usize], left: char, joint: char, right: char) -> fmt::Result {
    out.push(left);
    for (i, &w) in widths.iter().enumerate() {
        if i > 0 {
            out.push(joint);
        }
        for _ in 0..w.saturating_add(2) {
            out.push('─');
        }
    }
    out.push(right);
    writeln!(out)
}

/// The number of terminal columns `s` takes. Characters without a width (controls,
/// which sanitizing has already removed) count as zero.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Cuts `s` to at most `width` columns, ending with `…` when something was cut.
pub(crate) fn truncate(s: &str, width: usize) -> Cow<'_, str> {
    if display_width(s) <= width {
        return Cow::Borrowed(s);
    }
    if width == 0 {
        return Cow::Borrowed("");
    }
    let mut out = take_width(s, width.saturating_sub(1));
    out.push('…');
    Cow::Owned(out)
}

/// The longest prefix of `s` that fits in `width` columns.
fn take_width(s: &str, width: usize) -> String {
    let mut out = String::new();
    let mut used = 0usize;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used.saturating_add(w) > width {
            break;
        }
        out.push(c);
        used = used.saturating_add(w);
    }
    out
}

/// Marks `line` as continued: appends `…`, cutting the line if there is no room.
fn ellipsize(line: &str, width: usize) -> String {
    if line.ends_with('…') {
        return line.to_owned();
    }
    let mut out = if display_width(line) < width {
        line.to_owned()
    } else {
        take_width(line, width.saturating_sub(1))
    };
    out.push('…');
    out
}

/// Where [`wrap`] may break raw text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Breaks {
    /// Only at spaces: every other character, newlines included, is shown (escaped if
    /// need be). For cells, which hold image-derived paths and messages, where a raw
    /// newline or carriage return is exactly what a reader must see.
    Spaces,
    /// At any whitespace, so newlines and tabs become breaks. For authored prose
    /// (remediation), which rules write as multi-line raw strings.
    Whitespace,
}

/// Word-wraps raw text into at most `max_lines` lines of `width` columns.
///
/// Every word is sanitized before it is measured. A word wider than the line (a long
/// path, a package version) is broken after a `/` where one fits, else by character.
/// When text is left over, the last line ends with `…`.
pub(crate) fn wrap(text: &str, width: usize, max_lines: usize, breaks: Breaks) -> Vec<String> {
    let mut lines = Lines {
        done: Vec::new(),
        current: String::new(),
        current_width: 0,
        width: width.max(1),
        max_lines,
        cut: false,
    };
    let words: Box<dyn Iterator<Item = &str>> = match breaks {
        Breaks::Spaces => Box::new(text.split(' ').filter(|w| !w.is_empty())),
        Breaks::Whitespace => Box::new(text.split_whitespace()),
    };
    'words: for raw_word in words {
        let word = sanitize_for_terminal(raw_word);
        let word_width = display_width(&word);
        if lines.current_width > 0 && lines.fits(word_width.saturating_add(1)) {
            lines.push(" ", 1);
            lines.push(&word, word_width);
            continue;
        }
        if lines.current_width > 0 && !lines.newline() {
            break;
        }
        if lines.fits(word_width) {
            lines.push(&word, word_width);
            continue;
        }
        for piece in word.split_inclusive('/') {
            let piece_width = display_width(piece);
            if lines.fits(piece_width) {
                lines.push(piece, piece_width);
                continue;
            }
            if lines.current_width > 0 && !lines.newline() {
                break 'words;
            }
            for c in piece.chars() {
                let w = c.width().unwrap_or(0);
                if !lines.fits(w) && !lines.newline() {
                    break 'words;
                }
                lines.current.push(c);
                lines.current_width = lines.current_width.saturating_add(w);
            }
        }
    }
    lines.finish()
}

/// The lines of [`wrap`] being filled.
struct Lines {
    done: Vec<String>,
    current: String,
    current_width: usize,
    width: usize,
    max_lines: usize,
    cut: bool,
}

impl Lines {
    fn fits(&self, w: usize) -> bool {
        self.current_width.saturating_add(w) <= self.width
    }

    fn push(&mut self, s: &str, w: usize) {
        self.current.push_str(s);
        self.current_width = self.current_width.saturating_add(w);
    }

    /// Starts a new line; false (and marks the text as cut) when no line is left.
    fn newline(&mut self) -> bool {
        if self.done.len().saturating_add(1) >= self.max_lines {
            self.cut = true;
            return false;
        }
        self.done.push(std::mem::take(&mut self.current));
        self.current_width = 0;
        true
    }

    fn finish(mut self) -> Vec<String> {
        if !self.current.is_empty() || self.done.is_empty() {
            self.done.push(self.current);
        }
        if self.cut
            && let Some(last) = self.done.last_mut()
        {
            *last = ellipsize(last, self.width);
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_display_width() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly10c", 10), "exactly10c");
        assert_eq!(truncate("eleven chars", 10), "eleven ch…");
        // Wide characters take two columns: four of them do not fit in 7.
        let cut = truncate("日本語日本語", 7);
        assert_eq!(cut, "日本語…");
        assert!(display_width(&cut) <= 7);
        assert_eq!(truncate("abc", 0), "");
    }

    #[test]
    fn wrap_breaks_on_words_and_cuts_with_ellipsis() {
        assert_eq!(
            wrap("run as a non-root user", 10, 5, Breaks::Spaces),
            ["run as a", "non-root", "user"]
        );
        assert_eq!(
            wrap("aaaaaaaaaaaaaaaaaaaaaaaa", 10, 5, Breaks::Spaces),
            ["aaaaaaaaaa", "aaaaaaaaaa", "aaaa"]
        );
        let cut = wrap("one two three four five six", 9, 2, Breaks::Spaces);
        assert_eq!(cut, ["one two", "three…"]);
        let cut = wrap("abcdefghijklmnopqrstuvwxyz", 5, 2, Breaks::Spaces);
        assert_eq!(cut, ["abcde", "fghi…"]);
        assert_eq!(wrap("", 10, 3, Breaks::Spaces), [""]);
        assert_eq!(
            wrap(
                "usr/local/lib/python3.11/site-packages/x.dist-info/METADATA",
                20,
                5,
                Breaks::Spaces
            ),
            [
                "usr/local/lib/",
                "python3.11/",
                "site-packages/",
                "x.dist-info/METADATA"
            ]
        );
    }

    #[test]
    fn wrap_breaks_prose_at_any_whitespace_but_cells_only_at_spaces() {
        let text = "line one\nline\ttwo\rthree \x1b[2J";
        assert_eq!(
            wrap(text, 40, 3, Breaks::Whitespace),
            ["line one line two three \\x1b[2J"]
        );
        assert_eq!(
            wrap(text, 40, 3, Breaks::Spaces),
            ["line one\\nline\\ttwo\\rthree \\x1b[2J"]
        );
    }

    #[test]
    fn table_fits_the_budget_and_keeps_borders_aligned() {
        let columns = [
            Column {
                header: "ID",
                min: 4,
                max: 12,
                fit: Fit::Truncate,
            },
            Column {
                header: "Message",
                min: 10,
                max: 200,
                fit: Fit::Wrap(4),
            },
        ];
        let mut grid = Grid::new(&columns);
        grid.row(vec![Cell::new("KS-IMG-001"), Cell::new("word ".repeat(60))]);
        grid.span(vec!["Fix: ".to_owned() + &"change ".repeat(20)]);
        grid.row(vec![Cell::new("a-very-long-identifier"), Cell::new("x")]);
        let mut out = String::new();
        grid.write(&mut out, 40, false).unwrap();
        let widths: Vec<usize> = out.lines().map(display_width).collect();
        assert!(widths.iter().all(|&w| w == 40), "{out}");
        assert!(out.contains("a-very-long…"), "{out}");
        assert!(out.contains("├──────────────┴"), "{out}");
    }

    /// Deterministic pseudo-random cells (wide, combining and control characters, long
    /// words, empty lines) at many budgets: no panic, every line of a table as wide as
    /// the others and within the budget, and no control character in the output.
    #[test]
    fn arbitrary_cells_never_break_the_layout() {
        const PALETTE: &[&str] = &[
            "a",
            "Z",
            " ",
            "/",
            "-",
            "日",
            "é",
            "e\u{301}",
            "\x1b",
            "\n",
            "\r",
            "\t",
            "\u{202e}",
            "\u{9b}",
            "…",
            "🦀",
            "path/to/some/deeply/nested/file",
            "averyveryverylongwordwithoutspaces",
        ];
        struct Lcg(u64);
        impl Lcg {
            fn below(&mut self, n: usize) -> usize {
                self.0 = self
                    .0
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                usize::try_from(self.0 >> 33).unwrap() % n
            }
            fn text(&mut self) -> String {
                (0..self.below(30))
                    .map(|_| PALETTE[self.below(PALETTE.len())])
                    .collect()
            }
        }
        let mut rng = Lcg(0x9E37_79B9_7F4A_7C15);
        let columns = [
            Column {
                header: "ID",
                min: 6,
                max: 20,
                fit: Fit::Truncate,
            },
            Column {
                header: "Sev",
                min: 3,
                max: 8,
                fit: Fit::Truncate,
            },
            Column {
                header: "Where",
                min: 8,
                max: 30,
                fit: Fit::Wrap(3),
            },
            Column {
                header: "What",
                min: 8,
                max: 60,
                fit: Fit::Wrap(4),
            },
        ];
        for budget in [42, 57, 80, 100, 133] {
            let mut grid = Grid::new(&columns);
            for _ in 0..40 {
                let cells = (0..rng.below(6))
                    .map(|_| Cell::lines(vec![rng.text(), rng.text()]))
                    .collect();
                grid.row(cells);
                if rng.below(3) == 0 {
                    grid.span(vec![rng.text(), rng.text()]);
                }
            }
            let mut out = String::new();
            grid.write(&mut out, budget, true).unwrap();
            let mut table_width = None;
            for line in out.lines() {
                let plain = line.replace("\x1b[1m", "").replace("\x1b[0m", "");
                let width = *table_width.get_or_insert(display_width(&plain));
                assert!(width <= budget, "{line:?}");
                assert_eq!(display_width(&plain), width, "{line:?}");
                assert!(!plain.chars().any(|c| c.is_control()), "{line:?}");
            }
        }
    }
}
