//! KS-DF-006: `ADD` of a remote URL without `--checksum`.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};

pub(crate) struct KsDf006;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-006",
    title: "Remote ADD without a checksum",
    severity: Severity::Medium,
    section: Section::UntrustedImages,
    why: r#"`ADD https://…` fetches whatever the server returns at build time and puts it in the image unverified: a compromised host, a moved release or a spoofed download ends up in every build, and two builds of the same Dockerfile may hold different files."#,
    fix: r#"Pin the content: `ADD --checksum=sha256:<digest> https://… /dest` (Dockerfile syntax 1.6+), or `ADD` a git URL at a commit (`https://…git#<commit>`), or download in a `RUN` and verify with `sha256sum -c`."#,
    links: &["https://docs.docker.com/reference/dockerfile/#add---checksum"],
};

impl DockerfileRule for KsDf006 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Add) {
            if inst.flag("checksum").is_some() {
                continue;
            }
            let Some((_, sources)) = inst.words.split_last() else {
                continue;
            };
            for src in sources {
                let remote = src.starts_with("https://") || src.starts_with("http://");
                // A git source pinned to a commit is content-addressed already.
                let pinned_git = src.contains(".git#")
                    && src
                        .rsplit('#')
                        .next()
                        .is_some_and(|r| r.len() == 40 && r.bytes().all(|b| b.is_ascii_hexdigit()));
                if remote && !pinned_git {
                    out.push(Hit::msg(inst, format!("`{src}`")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_unverified_urls() {
        let src = "FROM debian:12\nADD https://example.com/app.tgz /opt/\nADD http://example.com/a http://example.com/b /opt/\nADD https://github.com/o/r.git#v1.0 /src\n";
        assert_eq!(lines(&KsDf006, src), vec![2, 3, 3, 4]);
    }

    #[test]
    fn checksums_local_files_and_pinned_commits_are_clean() {
        let src = "FROM debian:12\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/app.tgz /opt/\nADD app.tgz /opt/\nADD https://github.com/o/r.git#0123456789abcdef0123456789abcdef01234567 /src\n";
        assert!(lines(&KsDf006, src).is_empty());
    }
}
