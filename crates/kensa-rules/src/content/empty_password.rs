use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, Location, PathSpec};
use kensa_core::{Scanner, Section, Severity};

use super::{line_no, note_unread_lines};
use crate::{ContentRule, RuleMeta};

/// An account with an empty password field in `/etc/shadow` or `/etc/passwd`.
pub struct EmptyPassword;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-015",
    title: "Account has an empty password",
    severity: Severity::High,
    section: Section::ImageConfigurationDefects,
    why: r#"An empty password field lets anyone log in as that account without a
password wherever password authentication is accepted (`su`, `login`, an SSH daemon
configured with `PermitEmptyPasswords`), which is a step to root from any foothold in
the container. A locked account has `!` or `*` in that field. Dockle DKL-LI-0001."#,
    fix: r#"Lock the account (`passwd -l NAME` or `usermod -L NAME`) or delete it, in the
Dockerfile step that creates it; accounts in containers need no password."#,
    links: &[],
};

impl Analyzer for EmptyPassword {
    fn id(&self) -> &'static str {
        META.id
    }

    fn version(&self) -> u32 {
        1
    }

    fn scanner(&self) -> Option<Scanner> {
        Some(Scanner::Config)
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::Exact("etc/passwd"), PathSpec::Exact("etc/shadow")]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let text = String::from_utf8_lossy(file.content);
        let mut unread = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            // NIS `+`/`-` entries and comments are not accounts.
            if line.trim().is_empty() || line.starts_with(['#', '+', '-']) {
                continue;
            }
            let mut fields = line.split(':');
            let (Some(name), Some(password)) = (fields.next(), fields.next()) else {
                unread.push(line_no(i));
                continue;
            };
            if password.is_empty() {
                let message = format!("`{name}` in `/{}` has no password", file.path);
                let location = Location::path(file.path).with_line(line_no(i));
                out.findings
                    .push(META.finding(Scanner::Config, location, Some(message)));
            }
        }
        note_unread_lines(out, META.id, file.path, &unread);
        Ok(())
    }
}

impl ContentRule for EmptyPassword {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analyze, wants};

    #[test]
    fn wants_exactly_the_account_files() {
        assert!(wants(&EmptyPassword, "etc/shadow"));
        assert!(wants(&EmptyPassword, "etc/passwd"));
        assert!(!wants(&EmptyPassword, "etc/shadow-"));
        assert!(!wants(&EmptyPassword, "usr/share/base-files/etc/shadow"));
    }

    #[test]
    fn fires_on_empty_fields() {
        let shadow =
            "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nguest::19000:0:99999:7:::\n";
        let out = analyze(&EmptyPassword, "etc/shadow", shadow);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(
            out.findings[0].message.as_deref(),
            Some("`guest` in `/etc/shadow` has no password")
        );
        assert_eq!(out.findings[0].location.line, Some(3));
        let passwd = "root:x:0:0:root:/root:/bin/bash\nops::0:0::/root:/bin/sh\n";
        let out = analyze(&EmptyPassword, "etc/passwd", passwd);
        assert_eq!(out.findings.len(), 1);
        assert_eq!(out.findings[0].location.line, Some(2));
    }

    #[test]
    fn clean_for_locked_and_hashed_passwords() {
        let shadow =
            "root:!:19000::::::\napp:!!:19000::::::\nsvc:$y$j9T$abc$def:19000:0:99999:7:::\n";
        let out = analyze(&EmptyPassword, "etc/shadow", shadow);
        assert!(out.findings.is_empty() && out.notes.is_empty(), "{out:?}");
    }

    #[test]
    fn garbage_lines_are_noted_not_checked() {
        let out = analyze(
            &EmptyPassword,
            "etc/shadow",
            "# comment\n\nnot a record\n\u{0}\u{ff}\r\n",
        );
        assert!(out.findings.is_empty());
        assert_eq!(out.notes.len(), 1);
        assert_eq!(out.notes[0].location.line, Some(3));
        assert!(
            out.notes[0].message.starts_with("2 line(s)"),
            "{}",
            out.notes[0].message
        );
    }
}
