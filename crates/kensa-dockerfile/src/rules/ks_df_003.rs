//! KS-DF-003: Single-stage build ships compilers and build tools.

use kensa_core::{Section, Severity};

use crate::rules::{Context, DockerfileRule, Hit, RuleMeta};

pub(crate) struct KsDf003;

static META: RuleMeta = RuleMeta {
    id: "KS-DF-003",
    title: "Single-stage build ships compilers and build tools",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"Compilers, build systems and -dev headers installed in the only stage stay in the final image: they add size and give an attacker who gets code execution a ready toolchain."#,
    fix: r#"Use a multi-stage build: compile in a builder stage (`FROM … AS build`) and `COPY --from=build` only the artifacts into a slim runtime stage; or remove the tools in the same `RUN` that installed them."#,
    links: &[],
};

impl DockerfileRule for KsDf003 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Hit>) {
        if ctx.file.stages.len() != 1 {
            return;
        }
        for run in ctx.runs() {
            let tools: Vec<_> = run.tools.iter().collect();
            let removes = tools.iter().any(|c| {
                c.is("apk", &["del"])
                    || ["apt-get", "apt"]
                        .iter()
                        .any(|t| c.is(t, &["purge", "remove", "autoremove"]))
                    || ["yum", "dnf", "microdnf"]
                        .iter()
                        .any(|t| c.is(t, &["remove", "erase", "autoremove"]))
                    || c.is("zypper", &["remove", "rm"])
            });
            if removes {
                continue;
            }
            let found: Vec<&str> = tools
                .iter()
                .filter(|c| {
                    INSTALLERS.iter().any(|(tool, sub)| {
                        c.name() == *tool && c.args_no_flags().next() == Some(*sub)
                            || (c.name() == *tool && c.is(tool, &[sub]))
                    })
                })
                .flat_map(|c| c.args_no_flags().skip(1))
                .filter(|p| {
                    let name = p.split(['=', '~', '>', '<']).next().unwrap_or_default();
                    BUILD_TOOLS.binary_search(&name).is_ok()
                })
                .collect();
            if !found.is_empty() {
                out.push(run.hit(Some(format!(
                    "installs `{}` in the only stage",
                    found.join("`, `")
                ))));
            }
        }
    }
}

const INSTALLERS: &[(&str, &str)] = &[
    ("apk", "add"),
    ("apt", "install"),
    ("apt-get", "install"),
    ("dnf", "install"),
    ("microdnf", "install"),
    ("yum", "install"),
    ("zypper", "install"),
    ("zypper", "in"),
];

/// Package names that are build tooling; sorted for binary search.
const BUILD_TOOLS: &[&str] = &[
    "autoconf",
    "automake",
    "build-base",
    "build-essential",
    "cargo",
    "clang",
    "cmake",
    "g++",
    "gcc",
    "gcc-c++",
    "golang",
    "libc6-dev",
    "libtool",
    "make",
    "maven",
    "musl-dev",
    "python3-dev",
    "rust",
    "rustc",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::lines;

    #[test]
    fn fires_on_gcc_in_single_stage() {
        assert_eq!(
            lines(
                &KsDf003,
                "FROM debian:12\nRUN apt-get install -y --no-install-recommends build-essential=12.9 curl\n"
            ),
            vec![2]
        );
    }

    #[test]
    fn multi_stage_is_clean() {
        assert!(lines(&KsDf003, "FROM golang:1.22 AS b\nRUN apk add gcc\nFROM alpine:3.19\nCOPY --from=b /app /app\n").is_empty());
    }

    #[test]
    fn removing_in_same_run_is_clean() {
        let src =
            "FROM alpine:3.19\nRUN apk add --virtual .deps gcc musl-dev && make && apk del .deps\n";
        assert!(lines(&KsDf003, src).is_empty());
    }

    #[test]
    fn build_tools_are_sorted() {
        assert!(BUILD_TOOLS.windows(2).all(|w| w.first() < w.get(1)));
    }
}
