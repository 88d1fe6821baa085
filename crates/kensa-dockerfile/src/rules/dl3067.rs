//! DL3067: the whole filesystem of another stage or image copied in.

use kensa_core::{Section, Severity};

use crate::parse::Keyword;
use crate::rules::{Context, DockerfileRule, Hit, RuleMeta, wiki};

pub(crate) struct Dl3067;

static META: RuleMeta = RuleMeta {
    id: "DL3067",
    title: "Entire filesystem copied from another stage",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"`COPY --from=build / /` carries everything the other stage holds into this one: compilers, package caches, build secrets left in files and the other stage's `/etc`, which defeats the point of a multi-stage build and overwrites this stage's own system files."#,
    fix: r#"Copy only the artifacts the image needs (`COPY --from=build /out/app /usr/local/bin/app`)."#,
    links: wiki!("DL3067"),
};

impl DockerfileRule for Dl3067 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        for inst in ctx.all(Keyword::Copy) {
            let Some(Some(from)) = inst.flag("from") else {
                continue;
            };
            // `COPY --from=x / /`: the whole filesystem onto the root; the root copied
            // into a directory (`/ /rootfs`) is a deliberate snapshot, as hadolint
            // also judges.
            let Some((dest, sources)) = inst.words.split_last() else {
                continue;
            };
            if dest.trim_matches('"') == "/" && sources.iter().any(|s| s.trim_matches('"') == "/") {
                out.push(Hit::msg(inst, format!("`/` of `{from}`")));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_the_root_of_another_stage() {
        let src = "FROM debian:12 AS b\nFROM debian:12\nCOPY --from=b / /\nCOPY --from=debian:12 --chown=1 / /\n";
        assert_eq!(lines(&Dl3067, src), vec![3, 4]);
    }

    #[test]
    fn single_paths_and_the_build_context_are_clean() {
        let src = "FROM debian:12 AS b\nFROM debian:12\nCOPY --from=b /out/app /usr/local/bin/\nCOPY / /src\n";
        assert!(lines(&Dl3067, src).is_empty());
    }

    #[test]
    fn issue_15_root_into_a_directory_is_clean() {
        let src =
            "FROM debian:12 AS b\nFROM debian:12\nCOPY --from=b / /rootfs\nCOPY --from=b /app /\n";
        assert!(lines(&Dl3067, src).is_empty());
    }
}
