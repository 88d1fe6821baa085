use std::collections::BTreeMap;

use kensa_core::{AnalysisOutput, AnalyzeError, Analyzer, FileInput, Location, PathSpec};
use kensa_core::{Scanner, Section, Severity};

use super::{line_no, note_unread_lines};
use crate::{ContentRule, RuleMeta};

/// Two entries of `/etc/passwd` or `/etc/group` with the same name or numeric id.
pub struct DuplicateIds;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-016",
    title: "Duplicate user or group ids or names",
    severity: Severity::Medium,
    section: Section::ImageConfigurationDefects,
    why: r#"The kernel knows users and groups by number only: two accounts with one UID
share every file and every permission, so a second UID 0 account is a second root, and
file ownership no longer says who owns a file. Duplicate names make `USER name` and
`chown name` ambiguous. Dockle DKL-LI-0002."#,
    fix: r#"Give every account and group its own name and id; create them with
`useradd`/`groupadd` (which refuse duplicates) instead of appending lines to
`/etc/passwd` or `/etc/group`, and remove the extra entry."#,
    links: &[],
};

impl Analyzer for DuplicateIds {
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
        &[PathSpec::Exact("etc/group"), PathSpec::Exact("etc/passwd")]
    }

    fn max_file_size(&self) -> u64 {
        4 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let id_kind = if file.path.ends_with("group") {
            "gid"
        } else {
            "uid"
        };
        let text = String::from_utf8_lossy(file.content);
        // First line of each name and id.
        let mut names: BTreeMap<&str, u32> = BTreeMap::new();
        let mut ids: BTreeMap<&str, (&str, u32)> = BTreeMap::new();
        let mut unread = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with(['#', '+', '-']) {
                continue;
            }
            let fields: Vec<&str> = line.split(':').collect();
            let (Some(name), Some(id)) = (fields.first(), fields.get(2)) else {
                unread.push(line_no(i));
                continue;
            };
            let n = line_no(i);
            let location = || Location::path(file.path).with_line(n);
            if let Some(first) = names.get(name) {
                let message = format!(
                    "name `{name}` is defined again in `/{}` (first on line {first})",
                    file.path
                );
                out.findings
                    .push(META.finding(Scanner::Config, location(), Some(message)));
            } else {
                names.insert(name, n);
            }
            if let Some((owner, first)) = ids.get(id) {
                if owner != name {
                    let message = format!(
                        "{id_kind} `{id}` of `{name}` is also `{owner}`'s in `/{}` (line {first})",
                        file.path
                    );
                    out.findings
                        .push(META.finding(Scanner::Config, location(), Some(message)));
                }
            } else {
                ids.insert(id, (name, n));
            }
        }
        note_unread_lines(out, META.id, file.path, &unread);
        Ok(())
    }
}

impl ContentRule for DuplicateIds {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{analyze, wants};

    fn messages(out: &AnalysisOutput) -> Vec<&str> {
        out.findings
            .iter()
            .map(|f| f.message.as_deref().unwrap())
            .collect()
    }

    #[test]
    fn wants_passwd_and_group() {
        assert!(wants(&DuplicateIds, "etc/passwd"));
        assert!(wants(&DuplicateIds, "etc/group"));
        assert!(!wants(&DuplicateIds, "etc/gshadow"));
    }

    #[test]
    fn fires_on_a_second_root_and_repeated_names() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\ntoor:x:0:0::/root:/bin/sh\ndaemon:x:2:2::/:/bin/false\n";
        let out = analyze(&DuplicateIds, "etc/passwd", passwd);
        assert_eq!(
            messages(&out),
            [
                "uid `0` of `toor` is also `root`'s in `/etc/passwd` (line 1)",
                "name `daemon` is defined again in `/etc/passwd` (first on line 2)",
            ]
        );
        assert_eq!(out.findings[0].location.line, Some(3));
        let group = "root:x:0:\nstaff:x:50:\nadmins:x:50:app\n";
        let out = analyze(&DuplicateIds, "etc/group", group);
        assert_eq!(
            messages(&out),
            ["gid `50` of `admins` is also `staff`'s in `/etc/group` (line 2)"]
        );
    }

    #[test]
    fn clean_for_a_stock_file() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
        let out = analyze(&DuplicateIds, "etc/passwd", passwd);
        assert!(out.findings.is_empty() && out.notes.is_empty(), "{out:?}");
    }

    #[test]
    fn short_lines_are_noted_and_nis_entries_skipped() {
        let out = analyze(&DuplicateIds, "etc/passwd", "+::::::\n+::::::\nbroken:x\n");
        assert!(out.findings.is_empty());
        assert_eq!(out.notes.len(), 1);
        assert_eq!(out.notes[0].location.line, Some(3));
    }
}
