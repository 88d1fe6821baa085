use kensa_core::{FileKind, Finding, Location, Scanner, Section, Severity};

use crate::{ConfigRule, ImageContext, RuleMeta};

/// Regular files with the setuid or setgid bit.
pub struct SetuidFiles;

static META: RuleMeta = RuleMeta {
    id: "KS-IMG-003",
    title: "Image has setuid or setgid files",
    severity: Severity::Low,
    section: Section::ImageConfigurationDefects,
    why: r#"A setuid or setgid executable runs with its owner's or group's privileges
whoever starts it. In a container that runs as an unprivileged user, these files
(`su`, `passwd`, `mount`, …) are the usual way back to root after a foothold, and a
container rarely needs any of them. CIS Docker Benchmark 4.8; Dockle CIS-DI-0008."#,
    fix: r#"Remove the bits in the Dockerfile, e.g.
`RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +`, or remove the packages
that ship the files. Run containers with `--security-opt no-new-privileges` so that
any bit left cannot raise privileges."#,
    links: &[],
};

/// Files the message names before it summarises the rest.
const LISTED: usize = 50;

impl ConfigRule for SetuidFiles {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, image: &ImageContext<'_>, out: &mut Vec<Finding>) {
        let found: Vec<String> = image
            .files
            .iter()
            .filter(|(_, _, meta)| {
                matches!(meta.kind, FileKind::Regular | FileKind::Hardlink)
                    && meta.mode & 0o6000 != 0
            })
            .map(|(path, _, meta)| {
                let bits = match (meta.mode & 0o4000 != 0, meta.mode & 0o2000 != 0) {
                    (true, true) => "setuid+setgid",
                    (true, false) => "setuid",
                    _ => "setgid",
                };
                format!("/{path} ({bits}, mode {:04o})", meta.mode & 0o7777)
            })
            .collect();
        if found.is_empty() {
            return;
        }
        let mut message = format!("{} file(s): {}", found.len(), {
            let shown: Vec<&str> = found.iter().take(LISTED).map(String::as_str).collect();
            shown.join(", ")
        });
        if found.len() > LISTED {
            message.push_str(&format!(", and {} more", found.len() - LISTED));
        }
        out.push(META.finding(Scanner::Config, Location::default(), Some(message)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{check_image_json, entry, layer};
    use kensa_image::LayerIndex;
    use serde_json::json;

    fn check(layers: &[LayerIndex]) -> Vec<Finding> {
        check_image_json(&SetuidFiles, json!({}), layers, &[])
    }

    #[test]
    fn lists_setuid_and_setgid_files() {
        let base = LayerIndex {
            entries: vec![
                entry("usr/bin/su", FileKind::Regular, 0o4755),
                entry("usr/bin/chage", FileKind::Regular, 0o2755),
                entry("usr/bin/ls", FileKind::Regular, 0o755),
            ],
            ..LayerIndex::default()
        };
        let f = check(&[base]);
        assert_eq!(f.len(), 1);
        assert_eq!(
            f[0].message.as_deref(),
            Some("2 file(s): /usr/bin/chage (setgid, mode 2755), /usr/bin/su (setuid, mode 4755)")
        );
    }

    #[test]
    fn clean_without_special_bits() {
        assert!(check(&[layer(&["usr/bin/ls", "etc/"])]).is_empty());
    }

    #[test]
    fn setgid_directories_and_removed_files_do_not_count() {
        let base = LayerIndex {
            entries: vec![
                entry("var/mail", FileKind::Dir, 0o2775),
                entry("usr/bin/passwd", FileKind::Regular, 0o4755),
            ],
            ..LayerIndex::default()
        };
        let top = LayerIndex {
            whiteouts: vec!["usr/bin/passwd".into()],
            ..LayerIndex::default()
        };
        assert!(check(&[base, top]).is_empty());
    }

    #[test]
    fn long_lists_are_summarised() {
        let base = LayerIndex {
            entries: (0..60)
                .map(|i| entry(&format!("bin/s{i:02}"), FileKind::Regular, 0o4755))
                .collect(),
            ..LayerIndex::default()
        };
        let f = check(&[base]);
        let msg = f[0].message.as_deref().unwrap();
        assert!(msg.starts_with("60 file(s): /bin/s00 "), "{msg}");
        assert!(msg.ends_with(", and 10 more"), "{msg}");
    }
}
