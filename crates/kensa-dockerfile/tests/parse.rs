//! The parser on tricky valid Dockerfiles and on broken ones.
#![allow(clippy::unwrap_used, reason = "test code")]

use kensa_dockerfile::parse;
use kensa_dockerfile::parse::{Args, ImageRef, Keyword, ParseErrorKind};

fn kinds(src: &str) -> Vec<(Keyword, u32, u32)> {
    parse(src)
        .unwrap()
        .instructions
        .iter()
        .map(|i| (i.keyword, i.line, i.end_line))
        .collect()
}

#[test]
fn escape_directive_with_backtick() {
    let src = "# escape=`\n# syntax=docker/dockerfile:1\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\nRUN dir C:\\ `\n    && echo done\nCOPY . C:\\app\\\n";
    let df = parse(src).unwrap();
    assert_eq!(df.directives.escape, '`');
    assert_eq!(df.directives.syntax.as_deref(), Some("docker/dockerfile:1"));
    let run = &df.instructions[2];
    assert_eq!((run.line, run.end_line), (5, 6));
    assert_eq!(run.shell_text(), Some("dir C:\\     && echo done"));
    // With a backtick escape, a trailing backslash is an ordinary character.
    assert_eq!(df.instructions[3].words, vec![".", "C:\\app\\"]);
    assert_eq!(df.instructions[1].words, vec!["C:\\app"]);
}

#[test]
fn directive_after_comment_is_a_comment() {
    let df = parse("# a comment\n# escape=`\nFROM x:1\nRUN a \\\n b\n").unwrap();
    assert_eq!(df.directives.escape, '\\');
    assert_eq!(df.instructions[1].shell_text(), Some("a  b"));
    assert_eq!(df.comments.len(), 2);
}

#[test]
fn continuation_with_comments_and_blank_lines() {
    let src = "FROM debian:12\nRUN apt-get update \\\n# install tools\n    && apt-get install -y \\\n\n      curl \\\n    # trailing comment\n      git\nUSER app\n";
    let df = parse(src).unwrap();
    assert_eq!(
        kinds(src),
        vec![
            (Keyword::From, 1, 1),
            (Keyword::Run, 2, 8),
            (Keyword::User, 9, 9)
        ]
    );
    assert_eq!(
        df.instructions[1].shell_text(),
        Some("apt-get update     && apt-get install -y       curl       git")
    );
    // Comments inside the continuation are not pragmas for later instructions.
    assert!(df.comments.is_empty());
}

#[test]
fn heredocs_single_multiple_dash_and_quoted() {
    let src = "FROM debian:12\nRUN <<EOF\nset -e\napt-get update\nEOF\nCOPY <<-\"A\" /a.txt <<'B' /b.txt\n\tindented $HOME\n\tA\nplain\nB\nRUN cat <<x <<y > /out\n1\nx\n2\ny\nRUN echo '<<NOT' \"<<NOPE\"\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nUSER app\n";
    let df = parse(src).unwrap();
    let run = &df.instructions[1];
    assert_eq!((run.line, run.end_line), (2, 5));
    assert_eq!(run.heredocs[0].delimiter, "EOF");
    assert_eq!(run.heredocs[0].body, "set -e\napt-get update\n");
    assert_eq!(run.heredocs[0].line, 3);
    let copy = &df.instructions[2];
    assert_eq!((copy.line, copy.end_line), (6, 10));
    assert_eq!(copy.heredocs.len(), 2);
    assert!(copy.heredocs[0].strip_tabs && copy.heredocs[0].quoted);
    assert_eq!(copy.heredocs[0].body, "indented $HOME\n");
    assert_eq!(copy.heredocs[1].body, "plain\n");
    let multi = &df.instructions[3];
    assert_eq!(
        multi
            .heredocs
            .iter()
            .map(|h| h.body.as_str())
            .collect::<Vec<_>>(),
        vec!["1\n", "2\n"]
    );
    assert_eq!((multi.line, multi.end_line), (11, 15));
    assert!(df.instructions[4].heredocs.is_empty());
    assert!(df.instructions[5].heredocs.is_empty());
    assert_eq!(df.instructions[6].keyword, Keyword::User);
}

#[test]
fn exec_and_shell_forms() {
    let src = "FROM x:1\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\nENTRYPOINT /entry.sh --flag\nRUN [ -f /etc/os-release ] && cat /etc/os-release\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n";
    let df = parse(src).unwrap();
    assert_eq!(
        df.instructions[1].args,
        Args::Exec(vec!["nginx".into(), "-g".into(), "daemon off;".into()])
    );
    assert_eq!(
        df.instructions[2].args,
        Args::Shell("/entry.sh --flag".into())
    );
    assert!(matches!(df.instructions[3].args, Args::Shell(_)));
    assert!(matches!(df.instructions[4].args, Args::Exec(_)));
}

#[test]
fn variable_substitution_forms() {
    let src = "ARG REG=registry.example.com\nARG TAG\nFROM ${REG}/base:${TAG:-1.0} AS Base\nARG TAG\nENV A=x EMPTY=\nENV B=${A}y C=${MISSING:-dflt} D=${A:+alt} E=${EMPTY-keep} F=${EMPTY:-fallback} G='$A' H=\\$A\nWORKDIR /srv/$A\nUSER ${UID:-10001}\nLABEL version=\"${TAG}\"\n";
    let df = parse(src).unwrap();
    let stage = &df.stages[0];
    assert_eq!(
        stage.image.registry.as_deref(),
        Some("registry.example.com")
    );
    assert_eq!(stage.image.name, "base");
    assert_eq!(stage.image.tag.as_deref(), Some("1.0"));
    assert_eq!(stage.alias.as_deref(), Some("base"));
    let env = &df.instructions[5];
    let pairs: Vec<(String, String)> = env
        .pairs()
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    assert_eq!(get("B"), Some("xy"));
    assert_eq!(get("C"), Some("dflt"));
    assert_eq!(get("D"), Some("alt"));
    assert_eq!(get("E"), Some(""));
    assert_eq!(get("F"), Some("fallback"));
    assert_eq!(get("G"), Some("$A"));
    assert_eq!(get("H"), Some("$A"));
    assert_eq!(df.instructions[6].words, vec!["/srv/x"]);
    assert_eq!(df.instructions[7].words, vec!["10001"]);
    // `ARG TAG` re-declared in the stage without a value keeps the global (unset) value.
    assert_eq!(df.instructions[8].words, vec!["version="]);
    assert!(df.instructions[8].unresolved);
}

#[test]
fn multi_stage_flags_and_onbuild() {
    let src = "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\nRUN --mount=type=cache,target=/root/.cache/go-build --mount=type=secret,id=npmrc --network=none go build ./...\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build --chmod=755 /out/app /app\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/a.tgz /a.tgz\nHEALTHCHECK --interval=30s --timeout=3s CMD [\"/app\", \"health\"]\nONBUILD RUN echo hi\nSTOPSIGNAL SIGTERM\n";
    let df = parse(src).unwrap();
    assert_eq!(df.stages.len(), 2);
    assert_eq!(df.stages[0].platform.as_deref(), Some("$BUILDPLATFORM"));
    let run = &df.instructions[1];
    assert_eq!(run.flag_values("mount").count(), 2);
    assert_eq!(run.flag("network"), Some(Some("none")));
    assert_eq!(run.stage, Some(0));
    let copy = &df.instructions[3];
    assert_eq!(copy.flag("from"), Some(Some("build")));
    assert_eq!(copy.flag("chmod"), Some(Some("755")));
    assert_eq!(copy.stage, Some(1));
    assert_eq!(
        df.stages[1].image,
        ImageRef {
            registry: Some("gcr.io".into()),
            name: "distroless/static".into(),
            tag: Some("nonroot".into()),
            digest: None
        }
    );
    let hc = &df.instructions[5];
    assert_eq!(hc.flag("interval"), Some(Some("30s")));
    let onbuild = &df.instructions[6];
    let trigger = onbuild.trigger.as_deref().unwrap();
    assert_eq!(trigger.keyword, Keyword::Run);
    assert_eq!(trigger.shell_text(), Some("echo hi"));
}

#[test]
fn crlf_bom_and_lower_case_keywords() {
    let src = "\u{feff}from alpine:3.19\r\nrun apk add --no-cache curl \\\r\n  git\r\n";
    assert_eq!(
        kinds(src),
        vec![(Keyword::From, 1, 1), (Keyword::Run, 2, 3)]
    );
}

fn err(src: &str) -> (u32, u32, ParseErrorKind) {
    let e = parse(src).unwrap_err();
    (e.line, e.column, e.kind)
}

#[test]
fn unknown_instruction() {
    assert_eq!(
        err("FROM x:1\n  RUNN echo\n"),
        (2, 3, ParseErrorKind::UnknownInstruction("RUNN".into()))
    );
}

#[test]
fn unterminated_heredoc() {
    let (line, col, kind) = err("FROM x:1\nRUN cat <<EOF > /x\nhello\n");
    assert_eq!((line, col), (2, 9));
    assert_eq!(kind, ParseErrorKind::UnterminatedHeredoc("EOF".into()));
}

#[test]
fn shell_tests_with_quotes_are_shell_form() {
    let file =
        parse("FROM x:1\nRUN [ \"$(sha256sum f | cut -c1-64)\" = \"abc\" ] && echo ok\n").unwrap();
    assert!(matches!(file.instructions[1].args, Args::Shell(_)));
}

#[test]
fn bad_json_form() {
    let (line, col, kind) = err("FROM x:1\nCMD [\"a\", 'b']\n");
    assert_eq!((line, col), (2, 5));
    assert!(matches!(kind, ParseErrorKind::BadJson { .. }));
    let e = parse("FROM x:1\nENTRYPOINT ['/bin/sh']\n").unwrap_err();
    assert!(
        e.to_string()
            .starts_with("line 2, column 12: `ENTRYPOINT` arguments")
    );
}

#[test]
fn instruction_before_from_is_kept_without_a_stage() {
    let file = parse("ARG V=1\n# c\nRUN echo\nFROM x:1\n").unwrap();
    let run = &file.instructions[1];
    assert_eq!((run.keyword, run.line, run.stage), (Keyword::Run, 3, None));
    assert_eq!(file.instructions[2].stage, Some(0));
}

#[test]
fn missing_arguments_and_bad_escape() {
    assert_eq!(
        err("FROM x:1\nRUN\n"),
        (2, 1, ParseErrorKind::MissingArguments("RUN".into()))
    );
    assert_eq!(
        err("# escape=x\nFROM x:1\n"),
        (1, 10, ParseErrorKind::BadEscape("x".into()))
    );
    assert!(matches!(
        err("FROM x:1\nONBUILD\n").2,
        ParseErrorKind::MissingArguments(_)
    ));
}

#[test]
fn hostile_inputs_never_panic() {
    let mut cases: Vec<String> = [
        "",
        "\\",
        "FROM",
        "FROM \\",
        "FROM x\nRUN <<",
        "FROM x\nRUN <<-\"",
        "FROM x\nCMD [",
        "FROM x\nCMD [\"",
        "FROM ${",
        "FROM ${A:-${B:-",
        "FROM x\nENV =",
        "FROM x\nENV a=${",
        "FROM x\nEXPOSE 99999999999999999999",
        "FROM x\nONBUILD ONBUILD ONBUILD RUN x",
        "FROM x\nCOPY --from= a b",
        "FROM x\nRUN --mount= x",
        "\u{feff}",
        "\r\n\r\n",
        "FROM é:ü\nUSER 😀",
        "FROM x\nRUN a \\",
        "# escape=`\nFROM x\nRUN a `",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    cases.push(format!("FROM x\nRUN {}", "$(".repeat(5000)));
    cases.push(format!("FROM x\nENV A={}", "${A:-".repeat(2000)));
    for c in &cases {
        if let Ok(df) = parse(c) {
            let _ = kensa_dockerfile::lint_parsed("Dockerfile", &df, &Default::default());
        }
    }
}
