//! Java archives (`.jar`, `.war`, `.ear`, `.par`, Jenkins `.jpi`/`.hpi`) and the archives
//! nested in them.

use std::io::{Cursor, Read};

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Ecosystem, FileInput, Location, NoteLevel, Package,
    PathSpec, Purl, ScanNote, Scanner,
};
use sha1::{Digest as _, Sha1};

use super::package;

/// Reads `META-INF/maven/**/pom.properties` (falling back to `META-INF/MANIFEST.MF`) of
/// an archive and of the archives nested in it (`WEB-INF/lib`, `BOOT-INF/lib`, `lib/`).
///
/// Package has no hash field, so the SHA-1 of the archive that holds a package goes into
/// its purl as the purl spec's `checksum` qualifier (`?checksum=sha1:…`), which is what
/// Maven Central's search keys on.
pub struct JavaArchive;

/// Archives nested deeper than this are not opened (a `.ear` holds `.war`s holding
/// `.jar`s: three levels cover real deployments).
const MAX_DEPTH: u32 = 3;
/// Total bytes of nested archives inflated for one top-level archive; bounds the memory
/// a zip bomb of nested archives can take.
const NESTED_BUDGET: u64 = 256 * 1024 * 1024;
/// `pom.properties` and `MANIFEST.MF` are a few hundred bytes; more is not metadata.
const MAX_METADATA: u64 = 1024 * 1024;

const EXTENSIONS: &[&str] = &[".jar", ".war", ".ear", ".par", ".jpi", ".hpi"];

impl Analyzer for JavaArchive {
    fn id(&self) -> &'static str {
        "java-archive"
    }

    fn version(&self) -> u32 {
        2
    }

    fn scanner(&self) -> Option<Scanner> {
        None
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[
            PathSpec::Suffix(".ear"),
            PathSpec::Suffix(".hpi"),
            PathSpec::Suffix(".jar"),
            PathSpec::Suffix(".jpi"),
            PathSpec::Suffix(".par"),
            PathSpec::Suffix(".war"),
        ]
    }

    fn max_file_size(&self) -> u64 {
        256 * 1024 * 1024
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let mut scan = Scan {
            found_by: self.id(),
            path: file.path,
            budget: NESTED_BUDGET,
            out,
        };
        scan.archive(
            file.content,
            file.path.rsplit('/').next().unwrap_or(file.path),
            0,
        )
    }
}

struct Scan<'a, 'o> {
    found_by: &'static str,
    path: &'a str,
    budget: u64,
    out: &'o mut AnalysisOutput,
}

impl Scan<'_, '_> {
    /// Reports the packages of one archive, then of the archives inside it. `inner` names
    /// the archive for messages (`app.war!/WEB-INF/lib/x.jar`).
    fn archive(&mut self, bytes: &[u8], inner: &str, depth: u32) -> Result<(), AnalyzeError> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
            AnalyzeError::new(format!("`{inner}` is not a readable zip archive: {e}"))
        })?;
        let sha1 = hex::encode(Sha1::digest(bytes));
        let names: Vec<String> = zip
            .file_names()
            .filter_map(Result::ok)
            .map(std::borrow::Cow::into_owned)
            .collect();
        let mut found = Vec::new();
        for name in names.iter().filter(|n| is_pom_properties(n)) {
            let props = read_bytes(&mut zip, name).map_err(|e| self.err(inner, name, &e))?;
            // Properties files are ISO-8859-1 by specification, with `\uXXXX` escapes
            // for everything else.
            let props: String = props.iter().map(|&b| char::from(b)).collect();
            let get = |k: &str| property(&props, k);
            match (get("groupId"), get("artifactId"), get("version")) {
                (Some(g), Some(a), Some(v)) => found.push(self.maven(&g, &a, &v, &sha1)),
                _ => self.note(format!(
                    "`{inner}!/{name}` lacks `groupId`, `artifactId` or `version`"
                )),
            }
        }
        if found.is_empty() {
            // Archives built without Maven (Gradle, Ant, OSGi bundles) carry only their
            // manifest.
            if let Some(name) = names
                .iter()
                .find(|n| n.eq_ignore_ascii_case("META-INF/MANIFEST.MF"))
            {
                let mf = read_bytes(&mut zip, name).map_err(|e| self.err(inner, name, &e))?;
                // Manifests are UTF-8 by specification.
                let mf = String::from_utf8_lossy(&mf);
                if let Some(p) = self.manifest_package(&mf, &sha1) {
                    found.push(p);
                }
            }
        }
        if found.is_empty() {
            self.note(format!(
                "`{inner}` has neither Maven `pom.properties` nor a manifest naming its title and version"
            ));
        }
        self.out.packages.extend(found);
        if depth >= MAX_DEPTH {
            if names.iter().any(|n| is_archive(n)) {
                self.note(format!(
                    "archives nested in `{inner}` were not opened: they are deeper than `{MAX_DEPTH}` levels"
                ));
            }
            return Ok(());
        }
        for name in names.iter().filter(|n| is_archive(n)) {
            let nested_name = format!("{inner}!/{name}");
            let nested = match self.read_nested(&mut zip, name) {
                Ok(Some(b)) => b,
                Ok(None) => {
                    self.note(format!(
                        "`{nested_name}` was not opened: nested archives of this file exceed `{NESTED_BUDGET}` bytes"
                    ));
                    continue;
                }
                Err(e) => {
                    self.note(format!("`{nested_name}` could not be read: {e}"));
                    continue;
                }
            };
            // A broken nested archive is one file among many; the rest still count.
            if let Err(e) = self.archive(&nested, &nested_name, depth + 1) {
                self.note(e.to_string());
            }
        }
        Ok(())
    }

    fn read_nested(
        &mut self,
        zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
        name: &str,
    ) -> Result<Option<Vec<u8>>, zip::result::ZipError> {
        let entry = zip.by_name(name)?;
        if entry.size() > self.budget {
            return Ok(None);
        }
        let mut buf = Vec::new();
        // The declared size can lie; the budget is enforced on what inflates.
        entry.take(self.budget + 1).read_to_end(&mut buf)?;
        let used = buf.len() as u64;
        if used > self.budget {
            self.budget = 0;
            return Ok(None);
        }
        self.budget -= used;
        Ok(Some(buf))
    }

    fn maven(&self, group: &str, artifact: &str, version: &str, sha1: &str) -> Package {
        self.with_checksum(
            package(
                Ecosystem::Maven,
                &format!("{group}:{artifact}"),
                version,
                self.found_by,
                self.path,
            ),
            sha1,
        )
    }

    /// Adds the archive's SHA-1 as the purl's `checksum` qualifier.
    fn with_checksum(&self, mut p: Package, sha1: &str) -> Package {
        let purl = Purl::for_package(p.ecosystem, &p.name, &p.version)
            .with_qualifier("checksum", &format!("sha1:{sha1}"));
        p.purl = Some(purl.to_string());
        p
    }

    /// The artifact, version and group a manifest states, looked up in the order the
    /// tools users compare kensa with use: `Implementation-Title`, `Specification-Title`,
    /// `Bundle-Name` (or the whole `Bundle-SymbolicName`) for the artifact; the
    /// `Implementation-`, `Specification-` and `Bundle-Version`; and for the group
    /// `Implementation-Vendor-Id`, the `Bundle-SymbolicName` up to its last dot
    /// (`com.fasterxml.jackson.core.jackson-databind`), or a vendor that reads like a
    /// group id. Without a group the package is named by its artifact alone.
    fn manifest_package(&self, mf: &str, sha1: &str) -> Option<Package> {
        let attrs = manifest_main_section(mf);
        let get = |k: &str| {
            attrs
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
        };
        // `org.example.bundle;singleton:=true`
        let symbolic = get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
        let titled = get("Implementation-Title")
            .or_else(|| get("Specification-Title"))
            .or_else(|| get("Bundle-Name").filter(|n| !n.contains(char::is_whitespace)));
        let name = titled.or(symbolic)?;
        let version = get("Implementation-Version")
            .or_else(|| get("Specification-Version"))
            .or_else(|| get("Bundle-Version"))?;
        let looks_like_group =
            |g: &&str| g.contains('.') && !g.contains(char::is_whitespace) && !g.contains(':');
        let group = get("Implementation-Vendor-Id")
            // A symbolic name that is the artifact itself says nothing about the group.
            .or_else(|| {
                let symbolic = symbolic.filter(|_| titled.is_some())?;
                symbolic.rsplit_once('.').map(|(g, _)| g)
            })
            .or_else(|| get("Implementation-Vendor").filter(looks_like_group))
            .or_else(|| get("Specification-Vendor").filter(looks_like_group));
        Some(match group {
            Some(group) => self.maven(group, name, version, sha1),
            None => self.with_checksum(
                package(Ecosystem::Maven, name, version, self.found_by, self.path),
                sha1,
            ),
        })
    }

    fn err(&self, inner: &str, entry: &str, e: &str) -> AnalyzeError {
        AnalyzeError::new(format!("`{inner}!/{entry}` could not be read: {e}"))
    }

    fn note(&mut self, message: String) {
        self.out.notes.push(ScanNote {
            level: NoteLevel::Warning,
            found_by: self.found_by.to_owned(),
            location: Location::path(self.path),
            message,
        });
    }
}

fn is_pom_properties(name: &str) -> bool {
    // META-INF/maven/<groupId>/<artifactId>/pom.properties
    name.strip_prefix("META-INF/maven/")
        .and_then(|r| r.strip_suffix("/pom.properties"))
        .is_some_and(|r| r.split('/').count() == 2)
}

fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

fn read_bytes(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Vec<u8>, String> {
    let entry = zip.by_name(name).map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    entry
        .take(MAX_METADATA + 1)
        .read_to_end(&mut buf)
        .map_err(|e| e.to_string())?;
    if buf.len() as u64 > MAX_METADATA {
        return Err(format!("larger than `{MAX_METADATA}` bytes"));
    }
    Ok(buf)
}

/// A key of a Java properties file (`key=value`, `key: value`, `key value`), its value
/// unescaped (`\u00e9`, `\:`, `\\`).
fn property(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim_start();
        if line.starts_with(['#', '!']) {
            return None;
        }
        let rest = line.strip_prefix(key)?;
        let rest = rest.trim_start();
        let value = rest
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix(':'))
            .unwrap_or(rest);
        // `keyExtra=…` must not match `key`.
        if value.len() == rest.len()
            && !line
                .get(key.len()..)
                .is_some_and(|r| r.starts_with([' ', '\t']))
        {
            return None;
        }
        Some(unescape(value.trim())).filter(|v| !v.is_empty())
    })
}

/// The escapes of `java.util.Properties`: `\uXXXX`, `\t`, `\n`, `\r`, `\f`, and `\x` for
/// any other `x`. A malformed `\u` is kept as written.
fn unescape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('u') => {
                let hex: String = chars.clone().take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        out.push(ch);
                        chars.nth(3);
                    }
                    _ => out.push_str("\\u"),
                }
            }
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('f') => out.push('\u{c}'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// The main section of a manifest: `Name: value` lines up to the first blank line, each
/// continued by lines that start with one space (manifests wrap at 72 bytes).
fn manifest_main_section(text: &str) -> Vec<(&str, String)> {
    let mut attrs: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some((_, v)) = attrs.last_mut() {
                v.push_str(cont);
            }
        } else if let Some((k, v)) = line.split_once(':') {
            attrs.push((k.trim(), v.trim_start().to_owned()));
        }
    }
    attrs
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;

    use zip::write::SimpleFileOptions;

    use super::*;
    use crate::lang::testing::{assert_wants, nv, run};

    pub(crate) fn jar(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in entries {
            // Nested archives are stored, as Spring Boot requires; the rest deflated.
            let method = if is_archive(name) {
                zip::CompressionMethod::Stored
            } else {
                zip::CompressionMethod::Deflated
            };
            w.start_file(
                *name,
                SimpleFileOptions::default().compression_method(method),
            )
            .unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    pub(crate) fn pom(group: &str, artifact: &str, version: &str) -> Vec<u8> {
        format!(
            "#Generated by Maven\r\n#Tue Oct 10 10:10:10 UTC 2023\r\nartifactId={artifact}\r\ngroupId={group}\r\nversion={version}\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn wants_java_archives() {
        assert_wants(
            &JavaArchive,
            &[
                "app/app.jar",
                "opt/tomcat/webapps/shop.war",
                "opt/x.ear",
                "var/jenkins/plugins/git.jpi",
            ],
            &["app/app.jar.sha1", "app/classes/Main.class", "app/JAR"],
        );
    }

    #[test]
    fn reads_war_with_nested_jars_and_manifest_fallback() {
        let guava = jar(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\r\n"),
            (
                "META-INF/maven/com.google.guava/guava/pom.properties",
                &pom("com.google.guava", "guava", "32.1.3-jre"),
            ),
            (
                "META-INF/maven/com.google.guava/guava/pom.xml",
                b"<project/>",
            ),
        ]);
        let osgi = jar(&[(
            "META-INF/MANIFEST.MF",
            b"Manifest-Version: 1.0\r\nBundle-SymbolicName: org.eclipse.osgi;singleton:=true\r\nBundle-Version: 3.18.0.v2022\r\n 0830-1420\r\n\r\nName: x\r\nImplementation-Title: ignored\r\n",
        )]);
        let war = jar(&[
            ("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
            (
                "META-INF/maven/com.example/shop/pom.properties",
                &pom("com.example", "shop", "1.0.0"),
            ),
            ("WEB-INF/lib/guava-32.1.3-jre.jar", &guava),
            ("WEB-INF/lib/org.eclipse.osgi.jar", &osgi),
            ("WEB-INF/classes/Main.class", b"\xca\xfe\xba\xbe"),
        ]);
        let out = run(&JavaArchive, "opt/tomcat/webapps/shop.war", &war).unwrap();
        assert_eq!(
            nv(&out),
            [
                ("com.example:shop".into(), "1.0.0".into()),
                ("com.google.guava:guava".into(), "32.1.3-jre".into()),
                ("org.eclipse.osgi".into(), "3.18.0.v20220830-1420".into()),
            ]
        );
        let sha1 = |b: &[u8]| hex::encode(Sha1::digest(b));
        assert_eq!(
            out.packages[0].purl,
            Some(format!(
                "pkg:maven/com.example/shop@1.0.0?checksum=sha1:{}",
                sha1(&war)
            ))
        );
        assert_eq!(
            out.packages[1].purl,
            Some(format!(
                "pkg:maven/com.google.guava/guava@32.1.3-jre?checksum=sha1:{}",
                sha1(&guava)
            ))
        );
        assert!(out.notes.is_empty(), "{:?}", out.notes);
    }

    #[test]
    fn nesting_is_bounded() {
        let mut inner = jar(&[("META-INF/maven/g/a4/pom.properties", &pom("g", "a4", "4"))]);
        for level in (0..4).rev() {
            let props = pom("g", &format!("a{level}"), &level.to_string());
            let path = format!("META-INF/maven/g/a{level}/pom.properties");
            inner = jar(&[(path.as_str(), &props), ("lib/inner.jar", &inner)]);
        }
        let out = run(&JavaArchive, "app.ear", &inner).unwrap();
        // Levels 0..=3 are read; level 4 is past MAX_DEPTH.
        let names: Vec<_> = out.packages.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["g:a0", "g:a1", "g:a2", "g:a3"]);
        assert_eq!(out.notes.len(), 1);
        assert!(
            out.notes[0].message.contains("deeper than `3` levels"),
            "{:?}",
            out.notes
        );
    }

    #[test]
    fn broken_archives_are_errors_or_notes() {
        let err = run(&JavaArchive, "app.jar", b"PK\x03\x04 truncated").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("`app.jar` is not a readable zip archive"),
            "{err}"
        );
        let outer = jar(&[
            ("META-INF/maven/g/a/pom.properties", &pom("g", "a", "1")),
            ("lib/broken.jar", b"not a zip at all"),
            ("META-INF/maven/g/b/pom.properties", b"groupId=g\n"),
        ]);
        let out = run(&JavaArchive, "app.jar", &outer).unwrap();
        assert_eq!(nv(&out), [("g:a".into(), "1".into())]);
        let notes: Vec<_> = out.notes.iter().map(|n| n.message.as_str()).collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("`app.jar!/META-INF/maven/g/b/pom.properties` lacks"));
        assert!(notes[1].starts_with("`app.jar!/lib/broken.jar` is not a readable zip archive"));
        let bare = jar(&[("Main.class", b"\xca\xfe")]);
        let out = run(&JavaArchive, "app.jar", &bare).unwrap();
        assert!(out.packages.is_empty());
        assert_eq!(out.notes.len(), 1);
        let huge = jar(&[(
            "META-INF/MANIFEST.MF",
            &vec![b'x'; (MAX_METADATA + 1) as usize],
        )]);
        assert!(run(&JavaArchive, "app.jar", &huge).is_err());
    }

    #[test]
    fn issue_15_manifest_without_a_vendor_id_names_the_group_as_peers_do() {
        let jar_with = |mf: &str| jar(&[("META-INF/MANIFEST.MF", mf.as_bytes())]);
        let cases = [
            // The group from the symbolic name, the artifact from the title.
            (
                "Manifest-Version: 1.0\r\nImplementation-Title: jackson-databind\r\nImplementation-Version: 2.15.2\r\nBundle-SymbolicName: com.fasterxml.jackson.core.jackson-databind\r\n\r\n",
                ("com.fasterxml.jackson.core:jackson-databind", "2.15.2"),
            ),
            // Specification fields when the implementation ones are missing; a vendor
            // that reads like a group id.
            (
                "Specification-Title: mylib\r\nSpecification-Version: 3.1\r\nImplementation-Vendor: org.example\r\n",
                ("org.example:mylib", "3.1"),
            ),
            // A vendor in prose is no group: the artifact alone.
            (
                "Implementation-Title: commons-text\r\nImplementation-Version: 1.10.0\r\nImplementation-Vendor: The Apache Software Foundation\r\n",
                ("commons-text", "1.10.0"),
            ),
        ];
        for (mf, want) in cases {
            let out = run(&JavaArchive, "app.jar", &jar_with(mf)).unwrap();
            assert_eq!(nv(&out), [(want.0.into(), want.1.into())], "{mf}");
        }
    }

    #[test]
    fn issue_15_pom_properties_are_latin1_with_java_escapes() {
        let pom = b"groupId=org.caf\\u00e9\r\nartifactId=na\xefve\r\nversion=1.0\r\n";
        let out = run(
            &JavaArchive,
            "app.jar",
            &jar(&[("META-INF/maven/g/a/pom.properties", pom)]),
        )
        .unwrap();
        assert_eq!(nv(&out), [("org.café:naïve".into(), "1.0".into())]);
    }

    #[test]
    fn properties_and_manifest_syntax() {
        let p = "# c\n! c\ngroupIdX=no\ngroupId : org.x\nversion 1.2\nartifactId=\n";
        assert_eq!(property(p, "groupId").as_deref(), Some("org.x"));
        assert_eq!(property(p, "version").as_deref(), Some("1.2"));
        assert_eq!(property(p, "artifactId"), None);
        let escaped = "artifactId=caf\\u00e9\\:x\nversion=1.0\\u\n";
        assert_eq!(property(escaped, "artifactId").as_deref(), Some("café:x"));
        assert_eq!(property(escaped, "version").as_deref(), Some("1.0\\u"));
        let mf = manifest_main_section("Implementation-Title: very-long-na\n me\nX: y\n\nA: b\n");
        assert_eq!(
            mf,
            [
                ("Implementation-Title", "very-long-name".to_owned()),
                ("X", "y".to_owned())
            ]
        );
    }
}
