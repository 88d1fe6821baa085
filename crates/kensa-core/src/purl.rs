//! Package URLs (<https://github.com/package-url/purl-spec>): the one type that builds,
//! prints and parses them, so inventory, SBOMs and VEX matching agree on every byte.
//!
//! Printing gives the canonical form: the type lowercased, each namespace and subpath
//! segment, the name, the version and each qualifier value percent-encoded on its own,
//! qualifiers sorted by key with empty values left out. Only the characters the spec
//! leaves bare stay bare: ASCII letters and digits, `.`, `-`, `_`, `~`, and the colon,
//! which the spec says is never encoded (it separates nothing after `pkg:`, and Debian
//! epochs and Maven checksums are full of them). Everything else, `/`, `@`, `?`, `#`,
//! `+` and `%` included, becomes `%XX` with upper-case hex, so no component can be
//! mistaken for a separator.
//!
//! Parsing follows the spec's right-to-left order (subpath, qualifiers, scheme, type,
//! version, name, namespace) and accepts what real documents write: `pkg://`, a scope's
//! `@` left unencoded (`pkg:npm/@babel/core`), lower-case hex.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::Ecosystem;

/// A parsed package URL; fields hold decoded text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Purl {
    /// The package type (`deb`, `npm`, `maven`), lower case.
    pub ty: String,
    /// Namespace segments (`["@babel"]`, `["github.com", "gorilla"]`); empty when none.
    pub namespace: Vec<String>,
    /// The name.
    pub name: String,
    /// The version, when there is one.
    pub version: Option<String>,
    /// Qualifiers by lower-case key; values are never empty.
    pub qualifiers: BTreeMap<String, String>,
    /// Subpath segments, without `.`, `..` or empty ones.
    pub subpath: Vec<String>,
}

/// Text that is not a package URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a valid package URL: {reason}")]
pub struct PurlError {
    /// The rejected text, shortened when long.
    pub input: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Purl {
    /// A purl of type `ty` for `name`, with nothing else set.
    pub fn new(ty: &str, name: &str) -> Purl {
        Purl {
            ty: ty.to_ascii_lowercase(),
            name: name.to_owned(),
            ..Purl::default()
        }
    }

    /// The purl of a package of `ecosystem` named as the ecosystem writes it, split into
    /// namespace and name by the purl type's rules:
    ///
    /// | ecosystem | name | purl |
    /// |---|---|---|
    /// | npm | `@scope/name` | namespace `@scope`, name `name` |
    /// | Go | `host/path/name` | namespace `host`, `path`; name `name` |
    /// | Maven | `group:artifact` | namespace `group`, name `artifact` |
    /// | Packagist | `vendor/name` | namespace `vendor`, name `name` |
    /// | others | any | name |
    ///
    /// Names are in the form [`Ecosystem::normalise_name`] gives, which is what the purl
    /// type definitions ask for (PEP 503 for `pypi`; lower case for `npm`, `golang` and
    /// `composer`), except NuGet's: its names compare case-insensitively, but the `nuget`
    /// type asks for no normalisation and its examples keep the registered casing.
    ///
    /// OS packages get no namespace here: it is the distribution, which the caller knows.
    /// An empty version is left out.
    pub fn for_package(ecosystem: Ecosystem, name: &str, version: &str) -> Purl {
        let ty = ecosystem.purl_type();
        let name = match ecosystem {
            Ecosystem::Nuget => name.trim().to_owned(),
            _ => ecosystem.normalise_name(name),
        };
        let purl = match ecosystem {
            Ecosystem::Npm => match name.split_once('/') {
                Some((scope, n)) if scope.starts_with('@') => {
                    Purl::new(ty, n).with_namespace([scope])
                }
                _ => Purl::new(ty, &name),
            },
            Ecosystem::Go => match name.rsplit_once('/') {
                Some((path, n)) => Purl::new(ty, n).with_namespace(path.split('/')),
                None => Purl::new(ty, &name),
            },
            Ecosystem::Maven => match name.split_once(':') {
                Some((group, artifact)) => Purl::new(ty, artifact).with_namespace([group]),
                None => Purl::new(ty, &name),
            },
            Ecosystem::Composer => match name.split_once('/') {
                Some((vendor, n)) => Purl::new(ty, n).with_namespace([vendor]),
                None => Purl::new(ty, &name),
            },
            Ecosystem::Pypi
            | Ecosystem::Deb
            | Ecosystem::Apk
            | Ecosystem::Rpm
            | Ecosystem::Cargo
            | Ecosystem::Gem
            | Ecosystem::Nuget => Purl::new(ty, &name),
        };
        purl.with_version(version)
    }

    /// Sets the namespace; empty segments are dropped.
    pub fn with_namespace<S: AsRef<str>>(mut self, segments: impl IntoIterator<Item = S>) -> Purl {
        self.namespace = segments
            .into_iter()
            .map(|s| s.as_ref().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        self
    }

    /// Sets the version; an empty one means none.
    pub fn with_version(mut self, version: &str) -> Purl {
        self.version = (!version.is_empty()).then(|| version.to_owned());
        self
    }

    /// Sets a qualifier (the key is lower-cased); an empty value removes it, as the spec
    /// treats an empty value as absent.
    pub fn with_qualifier(mut self, key: &str, value: &str) -> Purl {
        let key = key.to_ascii_lowercase();
        if value.is_empty() {
            self.qualifiers.remove(&key);
        } else {
            self.qualifiers.insert(key, value.to_owned());
        }
        self
    }

    /// The package name as its ecosystem writes it: namespace and name joined by `:` for
    /// Maven and by `/` for npm, Go and Packagist. Other types' namespaces (a
    /// distribution, a vendor) are not part of the name.
    pub fn package_name(&self) -> String {
        let joined = || {
            let mut s = self.namespace.join("/");
            s.push('/');
            s.push_str(&self.name);
            s
        };
        match self.ty.as_str() {
            _ if self.namespace.is_empty() => self.name.clone(),
            "maven" => format!("{}:{}", self.namespace.join("/"), self.name),
            "npm" | "golang" | "composer" => joined(),
            _ => self.name.clone(),
        }
    }

    /// Parses a package URL.
    pub fn parse(s: &str) -> Result<Purl, PurlError> {
        let err = |reason| PurlError {
            input: shorten(s),
            reason,
        };
        let s = s.trim();
        let (rest, subpath) = match s.rsplit_once('#') {
            Some((rest, sub)) => (rest, segments(sub).collect()),
            None => (s, Vec::new()),
        };
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((rest, query)) => (rest, parse_qualifiers(query).map_err(err)?),
            None => (rest, BTreeMap::new()),
        };
        let (scheme, rest) = rest
            .split_once(':')
            .ok_or_else(|| err("no `pkg:` scheme"))?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(err("the scheme is not `pkg`"));
        }
        let rest = rest.trim_matches('/');
        let (ty, rest) = rest.split_once('/').ok_or_else(|| err("no name"))?;
        if !valid_type(ty) {
            return Err(err(
                "the type must be ASCII letters, digits, `.`, `+` or `-`, not starting with a digit",
            ));
        }
        let rest = rest.trim_end_matches('/');
        let (path, name) = rest.rsplit_once('/').unwrap_or(("", rest));
        let (name, version) = match name.rsplit_once('@') {
            Some((name, version)) => (name, Some(decode(version))),
            None => (name, None),
        };
        let name = decode(name);
        if name.is_empty() {
            return Err(err("no name"));
        }
        Ok(Purl {
            ty: ty.to_ascii_lowercase(),
            namespace: segments(path).collect(),
            name,
            version: version.filter(|v| !v.is_empty()),
            qualifiers,
            subpath,
        })
    }
}

impl FromStr for Purl {
    type Err = PurlError;

    fn from_str(s: &str) -> Result<Purl, PurlError> {
        Purl::parse(s)
    }
}

impl fmt::Display for Purl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        for segment in self.namespace.iter().filter(|s| !s.is_empty()) {
            write!(f, "{}/", Encoded(segment))?;
        }
        write!(f, "{}", Encoded(&self.name))?;
        if let Some(version) = self.version.as_deref().filter(|v| !v.is_empty()) {
            write!(f, "@{}", Encoded(version))?;
        }
        let mut sep = '?';
        for (key, value) in &self.qualifiers {
            if !value.is_empty() {
                write!(f, "{sep}{key}={}", Encoded(value))?;
                sep = '&';
            }
        }
        let mut sep = '#';
        for segment in &self.subpath {
            if !matches!(segment.as_str(), "" | "." | "..") {
                write!(f, "{sep}{}", Encoded(segment))?;
                sep = '/';
            }
        }
        Ok(())
    }
}

/// Displays a component percent-encoded by the spec's rules.
struct Encoded<'a>(&'a str);

impl fmt::Display for Encoded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~' | b':') {
                write!(f, "{}", char::from(b))?;
            } else {
                write!(f, "%{b:02X}")?;
            }
        }
        Ok(())
    }
}

/// Percent-encodes one component (a namespace segment, name, version, qualifier value or
/// subpath segment) by the spec's rules.
pub fn encode_component(s: &str) -> String {
    Encoded(s).to_string()
}

/// Percent-decodes a component. A `%` not followed by two hex digits is kept as written,
/// and bytes that do not decode to UTF-8 are replaced: a VEX document's sloppy purl should
/// still match by its readable parts.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `/`-separated segments of a namespace or subpath, without empty, `.` or
/// `..` ones.
fn segments(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split('/')
        .filter(|seg| !matches!(*seg, "" | "." | ".."))
        .map(decode)
}

fn parse_qualifiers(query: &str) -> Result<BTreeMap<String, String>, &'static str> {
    let mut out = BTreeMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').ok_or("a qualifier has no `=`")?;
        let key = key.to_ascii_lowercase();
        if !valid_key(&key) {
            return Err("a qualifier key must be ASCII letters, digits, `.`, `-` or `_`");
        }
        let value = decode(value);
        if value.is_empty() {
            continue;
        }
        if out.insert(key, value).is_some() {
            return Err("a qualifier key appears twice");
        }
    }
    Ok(out)
}

fn valid_type(ty: &str) -> bool {
    ty.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'+' | b'-'))
}

fn valid_key(key: &str) -> bool {
    key.bytes().next().is_some_and(|b| !b.is_ascii_digit())
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn shorten(s: &str) -> String {
    const SHOWN: usize = 120;
    match s.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{}…", s.get(..end).unwrap_or_default()),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Purl {
        Purl::parse(s).unwrap()
    }

    /// Characters the spec leaves bare stay bare in every component; the colon is one of
    /// them wherever it appears.
    #[test]
    fn unreserved_characters_and_the_colon_are_not_encoded() {
        let purl = Purl::new("deb", "libc6.so_x~1-2")
            .with_namespace(["debian"])
            .with_version("1:2.36-9")
            .with_qualifier("checksum", "sha1:ab");
        assert_eq!(
            purl.to_string(),
            "pkg:deb/debian/libc6.so_x~1-2@1:2.36-9?checksum=sha1:ab"
        );
    }

    /// Separators and everything else outside the unreserved set are encoded inside a
    /// component, with upper-case hex; so is `%` itself and non-ASCII text, byte by byte.
    #[test]
    fn separators_and_other_characters_are_encoded_per_component() {
        let purl = Purl::new("generic", "a/b@c?d#e")
            .with_namespace(["x y", "+&="])
            .with_version("1+2%3")
            .with_qualifier("k", "v&w=z/é");
        assert_eq!(
            purl.to_string(),
            "pkg:generic/x%20y/%2B%26%3D/a%2Fb%40c%3Fd%23e@1%2B2%253?k=v%26w%3Dz%2F%C3%A9"
        );
        assert_eq!(p(&purl.to_string()), purl);
    }

    /// Qualifiers print sorted by key, keys lower case, empty values left out; the subpath
    /// keeps its `/` between segments and drops `.` and `..`.
    #[test]
    fn qualifiers_sort_and_subpaths_are_segmented() {
        let mut purl = Purl::new("NPM", "core")
            .with_qualifier("Vcs_url", "git")
            .with_qualifier("arch", "x")
            .with_qualifier("empty", "");
        purl.subpath = vec!["lib".into(), ".".into(), "a b".into()];
        assert_eq!(
            purl.to_string(),
            "pkg:npm/core?arch=x&vcs_url=git#lib/a%20b"
        );
    }

    #[test]
    fn parsing_reads_every_component_right_to_left() {
        let purl = p("pkg:maven/org.apache/commons-lang3@3.12.0?type=jar&Classifier=src#a/../b");
        assert_eq!(purl.ty, "maven");
        assert_eq!(purl.namespace, ["org.apache"]);
        assert_eq!(purl.name, "commons-lang3");
        assert_eq!(purl.version.as_deref(), Some("3.12.0"));
        assert_eq!(
            purl.qualifiers.iter().collect::<Vec<_>>(),
            [
                (&"classifier".to_owned(), &"src".to_owned()),
                (&"type".to_owned(), &"jar".to_owned())
            ]
        );
        assert_eq!(purl.subpath, ["a", "b"]);
        assert_eq!(purl.package_name(), "org.apache:commons-lang3");
    }

    /// What real documents write: `pkg://`, an unencoded npm scope, lower-case hex, an
    /// `@` in the namespace that is not a version, empty qualifier values.
    #[test]
    fn lenient_forms_parse_to_the_canonical_one() {
        assert_eq!(
            p("PKG://npm/@babel/core@7.0.0").to_string(),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(p("pkg:npm/@babel/core").version, None);
        assert_eq!(p("pkg:npm/%40babel/core").package_name(), "@babel/core");
        assert_eq!(
            p("pkg:deb/debian/a%2bb@1%3a2?arch=").to_string(),
            "pkg:deb/debian/a%2Bb@1:2"
        );
        assert_eq!(
            p("pkg:golang/github.com/gin-gonic/gin@v1.5.0").package_name(),
            "github.com/gin-gonic/gin"
        );
        assert_eq!(p("pkg:deb/debian/curl").package_name(), "curl");
        assert_eq!(p("pkg:x/a%zzb").name, "a%zzb");
    }

    #[test]
    fn invalid_purls_are_rejected_with_a_reason() {
        for (bad, reason) in [
            ("CVE-2024-1", "no `pkg:` scheme"),
            ("http://x/y", "the scheme is not `pkg`"),
            ("pkg:deb", "no name"),
            ("pkg:deb/debian/@1.0", "no name"),
            (
                "pkg:1deb/x",
                "the type must be ASCII letters, digits, `.`, `+` or `-`, not starting with a digit",
            ),
            ("pkg:deb/x?a", "a qualifier has no `=`"),
            ("pkg:deb/x?a=1&A=2", "a qualifier key appears twice"),
            (
                "pkg:deb/x?a%20b=1",
                "a qualifier key must be ASCII letters, digits, `.`, `-` or `_`",
            ),
        ] {
            assert_eq!(Purl::parse(bad).map_err(|e| e.reason), Err(reason), "{bad}");
        }
    }

    #[test]
    fn packages_split_into_namespace_and_name_by_ecosystem() {
        let cases = [
            (
                Ecosystem::Pypi,
                "Django_REST.framework",
                "3.14.0",
                "pkg:pypi/django-rest-framework@3.14.0",
            ),
            (
                Ecosystem::Npm,
                "@babel/core",
                "7.23.0",
                "pkg:npm/%40babel/core@7.23.0",
            ),
            (
                Ecosystem::Npm,
                "lodash",
                "4.17.21",
                "pkg:npm/lodash@4.17.21",
            ),
            (
                Ecosystem::Go,
                "github.com/gorilla/mux",
                "v1.8.0+incompatible",
                "pkg:golang/github.com/gorilla/mux@v1.8.0%2Bincompatible",
            ),
            (
                Ecosystem::Go,
                "stdlib",
                "go1.22.1",
                "pkg:golang/stdlib@go1.22.1",
            ),
            (
                Ecosystem::Maven,
                "org.apache.commons:commons-lang3",
                "3.12.0",
                "pkg:maven/org.apache.commons/commons-lang3@3.12.0",
            ),
            (Ecosystem::Maven, "guava", "33.0", "pkg:maven/guava@33.0"),
            (
                Ecosystem::Composer,
                "Symfony/Console",
                "v6.3.4",
                "pkg:composer/symfony/console@v6.3.4",
            ),
            (Ecosystem::Gem, "rails", "", "pkg:gem/rails"),
            (
                Ecosystem::Cargo,
                "serde_json",
                "1.0.0",
                "pkg:cargo/serde_json@1.0.0",
            ),
            (
                Ecosystem::Nuget,
                "Newtonsoft.Json",
                "13.0.1",
                "pkg:nuget/Newtonsoft.Json@13.0.1",
            ),
            (
                Ecosystem::Deb,
                "curl",
                "7.88.1-10+deb12u5",
                "pkg:deb/curl@7.88.1-10%2Bdeb12u5",
            ),
        ];
        for (eco, name, version, want) in cases {
            let purl = Purl::for_package(eco, name, version);
            assert_eq!(purl.to_string(), want);
            assert_eq!(p(want), purl, "{want} round-trips");
        }
        assert_eq!(
            Purl::for_package(Ecosystem::Maven, "org.apache.commons:commons-lang3", "1")
                .package_name(),
            "org.apache.commons:commons-lang3"
        );
    }
}
