//! Realistic contents of well-known files, for layers that look like real distributions.

use std::fmt::Write as _;

/// `/etc/os-release` (also `/usr/lib/os-release`) of Debian, e.g. `("12", "bookworm")`.
pub fn os_release_debian(version_id: &str, codename: &str) -> String {
    format!(
        r#"PRETTY_NAME="Debian GNU/Linux {version_id} ({codename})"
NAME="Debian GNU/Linux"
VERSION_ID="{version_id}"
VERSION="{version_id} ({codename})"
VERSION_CODENAME={codename}
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
"#
    )
}

/// `/etc/os-release` of Alpine, e.g. `"3.19.1"`; `PRETTY_NAME` carries only `major.minor`, as
/// Alpine writes it.
pub fn os_release_alpine(version: &str) -> String {
    let branch = version.splitn(3, '.').take(2).collect::<Vec<_>>().join(".");
    format!(
        r#"NAME="Alpine Linux"
ID=alpine
VERSION_ID={version}
PRETTY_NAME="Alpine Linux v{branch}"
HOME_URL="https://alpinelinux.org/"
BUG_REPORT_URL="https://gitlab.alpinelinux.org/alpine/aports/-/issues"
"#
    )
}

/// `/etc/passwd` with one line per `(name, uid, gid)`. Home is `/root` for uid 0 and
/// `/home/<name>` otherwise; system accounts (uid 1–999) and `nobody` (65534) get
/// `/usr/sbin/nologin`, the rest `/bin/sh`, as Debian's base files do.
pub fn passwd(entries: &[(&str, u32, u32)]) -> String {
    entries
        .iter()
        .fold(String::new(), |mut out, &(name, uid, gid)| {
            let home = if uid == 0 {
                "/root".to_owned()
            } else {
                format!("/home/{name}")
            };
            let shell = if (1..1000).contains(&uid) || uid == 65534 {
                "/usr/sbin/nologin"
            } else {
                "/bin/sh"
            };
            let _ = writeln!(out, "{name}:x:{uid}:{gid}:{name}:{home}:{shell}");
            out
        })
}

/// `/etc/group` with one line per `(name, gid)` and no members.
pub fn group(entries: &[(&str, u32)]) -> String {
    entries.iter().fold(String::new(), |mut out, &(name, gid)| {
        let _ = writeln!(out, "{name}:x:{gid}:");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_release_debian_bookworm() {
        insta::assert_snapshot!(os_release_debian("12", "bookworm"));
    }

    #[test]
    fn os_release_alpine_pretty_name_drops_the_patch_level() {
        let s = os_release_alpine("3.19.1");
        assert!(s.contains("VERSION_ID=3.19.1\n"));
        assert!(s.contains("PRETTY_NAME=\"Alpine Linux v3.19\"\n"));
    }

    #[test]
    fn passwd_lines() {
        let p = passwd(&[("root", 0, 0), ("daemon", 1, 1), ("app", 1000, 1000)]);
        assert_eq!(
            p,
            "root:x:0:0:root:/root:/bin/sh\n\
             daemon:x:1:1:daemon:/home/daemon:/usr/sbin/nologin\n\
             app:x:1000:1000:app:/home/app:/bin/sh\n"
        );
        assert_eq!(
            group(&[("root", 0), ("app", 1000)]),
            "root:x:0:\napp:x:1000:\n"
        );
    }
}
