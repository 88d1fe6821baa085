//! DL3020: ADD used for plain files or folders.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3020;

static META: RuleMeta = RuleMeta {
    id: "DL3020",
    title: "ADD used for plain files or folders",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"ADD has extra behaviour (remote URLs, automatic archive extraction) that surprises readers and can unpack attacker-controlled archives; COPY does only what it says."#,
    fix: r#"Use `COPY` instead of `ADD` for files and folders; keep `ADD` for remote URLs and local archives to extract."#,
    links: wiki!("DL3020"),
};

impl DockerfileRule for Dl3020 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Add) {
            if !inst.heredocs.is_empty() {
                continue;
            }
            let srcs = inst.words.split_last().map_or(&[][..], |(_, s)| s);
            let plain: Vec<&str> = srcs
                .iter()
                .map(String::as_str)
                .filter(|s| !(is_url(s) || is_archive(s)))
                .collect();
            if !plain.is_empty() {
                out.push(Hit::msg(inst, format!("`ADD {}`", plain.join(" "))));
            }
        }
    }
}

pub(crate) const ARCHIVES: &[&str] = &[
    ".tar",
    ".tar.bz2",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tar.gz",
    ".tgz",
    ".tpz",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".tar.xz",
    ".txz",
    ".tar.Z",
    ".tZ",
    ".tar.zst",
    ".gz",
    ".bz2",
    ".lz",
    ".lzma",
    ".xz",
    ".Z",
    ".zst",
];

fn is_archive(s: &str) -> bool {
    ARCHIVES.iter().any(|a| s.ends_with(a))
}

fn is_url(s: &str) -> bool {
    s.starts_with("https://") || s.starts_with("http://") || s.starts_with("git@")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_plain_file() {
        assert_eq!(
            lines(&Dl3020, "FROM debian:12\nADD app.py /app/\n"),
            vec![2]
        );
    }

    #[test]
    fn urls_and_archives_are_clean() {
        let src = "FROM debian:12\nADD --checksum=sha256:abc https://example.com/x.bin /x\nADD rootfs.tar.xz /\nADD git@github.com:o/r.git /src\n";
        assert!(lines(&Dl3020, src).is_empty());
    }

    #[test]
    fn chmod_flag_and_exec_form() {
        assert_eq!(
            lines(
                &Dl3020,
                "FROM debian:12\nADD --chmod=755 [\"run.sh\", \"/usr/local/bin/\"]\n"
            ),
            vec![2]
        );
    }
}
