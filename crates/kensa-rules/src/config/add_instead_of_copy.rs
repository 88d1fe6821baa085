use kensa_core::{Finding, Scanner, Section, Severity};

use crate::history::parse;
use crate::{ConfigRule, ImageContext, RuleMeta};

/// `ADD` of local files, where `COPY` does the same without `ADD`'s extra behaviour.
pub struct AddInsteadOfCopy;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-004",
    title: "ADD used where COPY would do",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"`ADD` also fetches URLs and unpacks local archives, so what ends up in the
image depends on the source's shape: a file that happens to be a tar is extracted, and
a remote source is not verified. `COPY` only copies, which makes the build's effect
plain to read and review. CIS Docker Benchmark 4.9; Dockle CIS-DI-0009."#,
    fix: r#"Replace `ADD src dest` by `COPY src dest` for local files and directories.
Keep `ADD` only to unpack a local archive, and fetch remote files with
`ADD --checksum=sha256:…` or `curl` followed by a checksum check."#,
    links: &[],
};

/// Extensions `ADD` unpacks; adding such a file is a legitimate use of `ADD`.
const ARCHIVES: &[&str] = &[
    ".tar",
    ".tar.bz2",
    ".tar.gz",
    ".tar.lz",
    ".tar.lzma",
    ".tar.xz",
    ".tar.z",
    ".tar.zst",
    ".taz",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".txz",
    ".tz2",
    ".tzst",
];

impl ConfigRule for AddInsteadOfCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        let mut layered_seen = false;
        for (i, h) in image.config.history.iter().enumerate() {
            let first_layer = !h.empty_layer && !layered_seen;
            layered_seen |= !h.empty_layer;
            let Some(created_by) = h.created_by.as_deref() else {
                continue;
            };
            let step = parse(created_by);
            if step.keyword != "ADD" {
                continue;
            }
            // The base image's root filesystem is always an `ADD rootfs.tar.xz /` that
            // the classic builder records as `ADD file:<hash> in /`.
            if first_layer && step.args.contains(" in ") {
                continue;
            }
            if let Some(sources) = copyable_sources(step.args) {
                let message = format!("`ADD` of {sources} could be `COPY`");
                out.push(META.finding(Scanner::Config, image.history_location(i), Some(message)));
            }
        }
    }
}

/// The sources of an `ADD` that `COPY` could take, or `None` when one of them needs
/// `ADD` (a URL, a git repository, an archive to unpack).
fn copyable_sources(args: &str) -> Option<String> {
    // Classic builder: `file:<hash> in <dest>`, `dir:<hash> in <dest>`,
    // `multi:<hash> in <dest>`. The hash hides the source name, but a remote source
    // is recorded as its URL, so these are local.
    if let Some((source, _dest)) = args.split_once(" in ") {
        let source = source.trim();
        let kind = source.split_once(':').map_or("", |(k, _)| k);
        return matches!(kind, "file" | "dir" | "multi").then(|| format!("`{source}`"));
    }
    let words: Vec<&str> = args
        .split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .collect();
    let (_dest, sources) = words.split_last()?;
    if sources.is_empty() {
        return None;
    }
    let needs_add = sources.iter().any(|s| {
        let lower = s.to_ascii_lowercase();
        lower.contains("://")
            || lower.starts_with("git@")
            || ARCHIVES.iter().any(|ext| lower.ends_with(ext))
    });
    if needs_add {
        return None;
    }
    let quoted: Vec<String> = sources.iter().map(|s| format!("`{s}`")).collect();
    Some(quoted.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::check_history;

    #[test]
    fn fires_for_local_files() {
        let f = check_history(
            &AddInsteadOfCopy,
            &[
                "/bin/sh -c #(nop) ADD file:5a1c0e in / ",
                "/bin/sh -c #(nop) ADD dir:9f2e1 in /app ",
                "ADD --chown=app:app src/ config.yaml /app/ # buildkit",
            ],
        );
        let messages: Vec<_> = f.iter().map(|f| f.message.as_deref().unwrap()).collect();
        assert_eq!(
            messages,
            [
                "`ADD` of `dir:9f2e1` could be `COPY`",
                "`ADD` of `src/`, `config.yaml` could be `COPY`"
            ]
        );
        assert_eq!(f[0].location.layer_index, None, "no rootfs.diff_ids given");
        assert_eq!(
            f[0].location.created_by.as_deref(),
            Some("/bin/sh -c #(nop) ADD dir:9f2e1 in /app ")
        );
    }

    #[test]
    fn clean_for_copy_urls_and_archives() {
        let f = check_history(
            &AddInsteadOfCopy,
            &[
                "/bin/sh -c #(nop) ADD file:5a1c0e in / ",
                "COPY app /app # buildkit",
                "ADD https://example.com/tool-1.2.bin /usr/local/bin/tool # buildkit",
                "ADD --checksum=sha256:abc https://example.com/x /x # buildkit",
                "ADD vendor.tar.gz /opt/ # buildkit",
                "ADD git@github.com:moby/buildkit.git#v0.10.1 /src # buildkit",
            ],
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn only_the_base_rootfs_is_exempt() {
        // A later `ADD file:… in /` is the image's own step, not the base root filesystem.
        let f = check_history(
            &AddInsteadOfCopy,
            &[
                "/bin/sh -c #(nop) ADD file:aaa in / ",
                "/bin/sh -c #(nop) ADD file:bbb in / ",
                "ADD /app # buildkit",
            ],
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message.as_deref(),
            Some("`ADD` of `file:bbb` could be `COPY`")
        );
    }
}
