//! The base images of a Dockerfile's `FROM` lines, each with its span in the text.

use kensa_core::pinning::is_pinned_by_digest;

use crate::PinError;
use crate::plan::{LineIndex, Site, Skipped};

/// The external base images of `text` that a digest could pin, and those left alone
/// (already pinned, `scratch`, a build stage, a build argument), each with why.
pub fn find(file: &str, text: &str) -> Result<(Vec<Site>, Vec<Skipped>), PinError> {
    let parsed = kensa_dockerfile::parse(text).map_err(|e| PinError::Parse {
        file: file.to_owned(),
        line: Some(e.line),
        message: e.kind.to_string(),
    })?;
    let index = LineIndex::new(text);
    let mut sites = Vec::new();
    let mut skipped = Vec::new();
    let mut stages: Vec<String> = Vec::new();
    for stage in &parsed.stages {
        let raw = stage.image_raw.as_str();
        let skip = |why: String| Skipped {
            line: stage.line,
            reference: raw.to_owned(),
            why,
        };
        let lower = raw.to_ascii_lowercase();
        if raw.contains('$') {
            skipped.push(skip(
                "goes through a build argument; pin the `ARG`'s value instead".to_owned(),
            ));
        } else if lower == "scratch" {
            skipped.push(skip(
                "is `scratch`, the empty image, not a reference".to_owned(),
            ));
        } else if stages.contains(&lower) {
            skipped.push(skip(format!("names the build stage `{lower}`")));
        } else if is_pinned_by_digest(raw) {
            skipped.push(skip("is already pinned by digest".to_owned()));
        } else {
            let last = parsed
                .instructions
                .get(stage.instruction)
                .map_or(stage.line, |i| i.end_line.max(stage.line));
            match locate(&index, text, stage.line, last, raw) {
                Some((line, span)) => sites.push(Site {
                    line,
                    span,
                    reference: raw.to_owned(),
                }),
                None => skipped.push(skip(
                    "could not be found as written in the `FROM` text; pin it by hand".to_owned(),
                )),
            }
        }
        if let Some(alias) = &stage.alias {
            stages.push(alias.to_ascii_lowercase());
        }
    }
    Ok((sites, skipped))
}

/// The first whitespace-delimited word equal to `raw` on lines `first..=last`, after
/// the `FROM` keyword: the instruction may continue over lines with `\`.
fn locate(
    index: &LineIndex,
    text: &str,
    first: u32,
    last: u32,
    raw: &str,
) -> Option<(u32, std::ops::Range<usize>)> {
    for line in first..=last {
        let range = index.line(line)?;
        let body = text.get(range.clone())?;
        let mut keyword_seen = line != first;
        let mut pos = 0;
        // Each separator is one ASCII byte, so `pos` stays the word's byte offset.
        for word in body.split(|c: char| c.is_ascii_whitespace()) {
            let start = pos;
            pos += word.len() + 1;
            if word.is_empty() {
                continue;
            }
            if !keyword_seen {
                keyword_seen = true;
                continue;
            }
            if word == raw {
                let start = range.start + start;
                return Some((line, start..start + raw.len()));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Lines;

    fn found(text: &str) -> (Lines, Lines) {
        crate::plan::lines_of(text, find("Dockerfile", text).unwrap())
    }

    #[test]
    fn finds_external_bases_with_their_spans() {
        let digest = format!("sha256:{}", "b".repeat(64));
        let text = format!(
            "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Builder\n\
             FROM builder AS test\nFROM scratch\nARG BASE=debian:12\nFROM $BASE\n\
             FROM alpine@{digest}\nFROM \\\n  registry.example:5000/team/app\n"
        );
        let (sites, skipped) = found(&text);
        assert_eq!(
            sites,
            vec![
                (2, "golang:1.22".to_owned()),
                (9, "registry.example:5000/team/app".to_owned())
            ]
        );
        let lines: Vec<u32> = skipped.iter().map(|s| s.0).collect();
        assert_eq!(lines, vec![3, 4, 6, 7]);
    }

    #[test]
    fn a_word_that_only_contains_the_image_is_not_it() {
        let (sites, _) = found("FROM   nginx:1.25   as  nginx\n");
        assert_eq!(sites, vec![(1, "nginx:1.25".to_owned())]);
    }

    #[test]
    fn a_parse_error_names_the_line() {
        let e = find("Dockerfile", "FROM alpine\nBOGUS x\n").unwrap_err();
        assert!(e.to_string().starts_with("`Dockerfile`:2:"), "{e}");
    }
}
