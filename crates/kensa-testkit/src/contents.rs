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

/// One installed Debian package, for [`dpkg_status`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebPackage<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub architecture: &'a str,
    /// The `Source:` field: `"glibc"`, or `"glibc (2.36-9)"` when the source version differs.
    pub source: Option<&'a str>,
}

impl<'a> DebPackage<'a> {
    /// An `amd64` package that is its own source.
    pub fn new(name: &'a str, version: &'a str) -> Self {
        Self {
            name,
            version,
            architecture: "amd64",
            source: None,
        }
    }

    /// Sets the `Source:` field.
    pub fn source(mut self, source: &'a str) -> Self {
        self.source = Some(source);
        self
    }
}

/// `/var/lib/dpkg/status` with one stanza per package, fields in the order dpkg writes them.
pub fn dpkg_status(pkgs: &[DebPackage<'_>]) -> String {
    pkgs.iter().fold(String::new(), |mut out, p| {
        let _ = writeln!(out, "Package: {}", p.name);
        let _ = writeln!(out, "Status: install ok installed");
        let _ = writeln!(out, "Priority: optional");
        let _ = writeln!(out, "Installed-Size: 1024");
        let _ = writeln!(
            out,
            "Maintainer: Debian Developers <debian-devel@lists.debian.org>"
        );
        let _ = writeln!(out, "Architecture: {}", p.architecture);
        if let Some(src) = p.source {
            let _ = writeln!(out, "Source: {src}");
        }
        let _ = writeln!(out, "Version: {}", p.version);
        let _ = writeln!(out, "Description: {} (kensa-testkit)", p.name);
        let _ = writeln!(out, " Built by kensa-testkit for tests.");
        out.push('\n');
        out
    })
}

/// One installed Alpine package, for [`apk_installed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApkPackage<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub architecture: &'a str,
    /// The `o:` (origin, i.e. source package) field; defaults to the name.
    pub origin: Option<&'a str>,
    pub license: &'a str,
}

impl<'a> ApkPackage<'a> {
    /// An `x86_64`, MIT-licensed package that is its own origin.
    pub fn new(name: &'a str, version: &'a str) -> Self {
        Self {
            name,
            version,
            architecture: "x86_64",
            origin: None,
            license: "MIT",
        }
    }

    /// Sets the origin (source package).
    pub fn origin(mut self, origin: &'a str) -> Self {
        self.origin = Some(origin);
        self
    }
}

/// `/lib/apk/db/installed` with one record per package, fields in the order apk writes them.
pub fn apk_installed(pkgs: &[ApkPackage<'_>]) -> String {
    pkgs.iter().fold(String::new(), |mut out, p| {
        let _ = writeln!(out, "C:Q1{}=", fake_sha1_base64(p.name, p.version));
        let _ = writeln!(out, "P:{}", p.name);
        let _ = writeln!(out, "V:{}", p.version);
        let _ = writeln!(out, "A:{}", p.architecture);
        let _ = writeln!(out, "S:4096");
        let _ = writeln!(out, "I:16384");
        let _ = writeln!(out, "T:{} (kensa-testkit)", p.name);
        let _ = writeln!(out, "U:https://example.invalid/{}", p.name);
        let _ = writeln!(out, "L:{}", p.license);
        let _ = writeln!(out, "o:{}", p.origin.unwrap_or(p.name));
        let _ = writeln!(out, "m:kensa-testkit <testkit@example.invalid>");
        let _ = writeln!(out, "t:1704067200");
        out.push('\n');
        out
    })
}

/// 27 base64 characters, like the `Q1…=` sha1 apk records; derived from the package so records
/// differ and stay reproducible.
fn fake_sha1_base64(name: &str, version: &str) -> String {
    use sha2::{Digest as _, Sha256};
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digest = Sha256::digest(format!("{name}-{version}").as_bytes());
    digest
        .iter()
        .take(27)
        .map(|b| char::from(ALPHABET.get(usize::from(b % 64)).copied().unwrap_or(b'A')))
        .collect()
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
    fn dpkg_status_stanzas() {
        insta::assert_snapshot!(dpkg_status(&[
            DebPackage::new("libc6", "2.36-9+deb12u4").source("glibc"),
            DebPackage::new("openssl", "3.0.11-1~deb12u2"),
        ]));
    }

    #[test]
    fn apk_installed_records() {
        insta::assert_snapshot!(apk_installed(&[
            ApkPackage::new("musl", "1.2.4_git20230717-r4"),
            ApkPackage::new("libcrypto3", "3.1.4-r5").origin("openssl"),
        ]));
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
