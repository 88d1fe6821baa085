//! Maven versions, ordered as Maven 3.9's `ComparableVersion` orders them (the POM reference's
//! "version order specification").
//!
//! A version is split at `.`, `-` and digit/letter transitions into numbers and qualifiers; a
//! `-` or a transition opens a nested list. Trailing zeros are dropped (`1.0` == `1`). Known
//! qualifiers order `alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release
//! < sp`; unknown ones sort after them, alphabetically, case-insensitively.
//!
//! The release qualifiers `ga`, `final` and `release` order as the release but, since
//! MNG-7714, stay as items instead of being dropped like a trailing zero: dropping them moved
//! what follows up one level, where it met the other version's qualifier, which put
//! `1.0.final-redhat` after `1.0.sp1-redhat` (`redhat` against `sp`). For the same reason a
//! qualifier after a `.` and before a `-` opens a sub-list, as it does before a digit or at
//! the end (MNG-7644's `.X` = `-X`): `1.0.Final-redhat-1` is `1-final-redhat-1`, between
//! `1.0.CR1-redhat-1` and `1.0.SP1-redhat-1`. Maven 3.8.7 still has the old order.
//!
//! Only ASCII digits count as digits; Java's `Character.isDigit` also accepts other Unicode
//! decimal digits, which no real Maven version uses.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use super::{Scheme, VersionError, check_len, cmp_decimal};

/// A parsed Maven version. Every string is a valid Maven version except the empty one.
#[derive(Clone, Debug)]
pub struct MavenVersion {
    raw: Box<str>,
    items: Vec<Item>,
}

#[derive(Clone, Debug)]
enum Item {
    /// Digits without leading zeros; `0` for zero.
    Int(Box<str>),
    /// A qualifier, lowercased, with aliases applied (`cr` → `rc`, `a1` → `alpha`); the
    /// release qualifiers stay as written.
    Str(Box<str>),
    List(Vec<Item>),
}

/// Known qualifiers in order; the empty string is the release.
const QUALIFIERS: &[&str] = &["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];

/// `ComparableVersion.comparableQualifier`: the qualifier's index among [`QUALIFIERS`], or
/// `7-<qualifier>` so that unknown qualifiers sort after known ones, alphabetically.
fn comparable_qualifier(q: &str) -> String {
    if RELEASE_QUALIFIERS.contains(&q) {
        return RELEASE_INDEX.to_owned();
    }
    match QUALIFIERS.iter().position(|k| *k == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

/// The comparable value of the release (empty) qualifier.
const RELEASE_INDEX: &str = "5";

/// Qualifiers that order as the release without being empty, so no normalisation drops them.
const RELEASE_QUALIFIERS: &[&str] = &["ga", "final", "release"];

impl Item {
    fn string(value: &str, followed_by_digit: bool) -> Item {
        let mut chars = value.chars();
        let value = match (chars.next(), chars.next(), followed_by_digit) {
            (Some('a'), None, true) => "alpha",
            (Some('b'), None, true) => "beta",
            (Some('m'), None, true) => "milestone",
            _ => value,
        };
        let value = if value == "cr" { "rc" } else { value };
        Item::Str(value.into())
    }

    fn parse(is_digit: bool, buf: &str) -> Item {
        if is_digit {
            let trimmed = buf.trim_start_matches('0');
            Item::Int(if trimmed.is_empty() { "0" } else { trimmed }.into())
        } else {
            Item::string(buf, false)
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => &**n == "0",
            Item::Str(s) => s.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }

    /// `Item.compareTo`, where `None` is the padding of the shorter list.
    fn compare(&self, other: Option<&Item>) -> Ordering {
        match (self, other) {
            (Item::Int(n), None) => {
                if &**n == "0" {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            (Item::Int(a), Some(Item::Int(b))) => cmp_decimal(a, b),
            (Item::Int(_), Some(Item::Str(_) | Item::List(_))) => Ordering::Greater,
            (Item::Str(s), None) => comparable_qualifier(s).as_str().cmp(RELEASE_INDEX),
            (Item::Str(_), Some(Item::Int(_) | Item::List(_))) => Ordering::Less,
            (Item::Str(a), Some(Item::Str(b))) => {
                comparable_qualifier(a).cmp(&comparable_qualifier(b))
            }
            (Item::List(l), None) => l
                .iter()
                .map(|i| i.compare(None))
                .find(|o| *o != Ordering::Equal)
                .unwrap_or(Ordering::Equal),
            (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
            (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
            (Item::List(a), Some(Item::List(b))) => compare_lists(a, b),
        }
    }
}

fn compare_lists(a: &[Item], b: &[Item]) -> Ordering {
    for k in 0..a.len().max(b.len()) {
        let ord = match (a.get(k), b.get(k)) {
            (Some(l), r) => l.compare(r),
            (None, Some(r)) => r.compare(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// `ListItem.normalize`: drop null items (0, empty list) from the end, looking through
/// trailing sub-lists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        match list.get(i) {
            Some(item) if item.is_null() => {
                list.remove(i);
            }
            Some(Item::List(_)) => {}
            _ => break,
        }
    }
}

/// `ComparableVersion.parseVersion`.
fn parse_items(version: &str) -> Vec<Item> {
    let v = version.to_lowercase();
    // Each new list is appended to the current one and becomes current, so the lists form a
    // chain: the stack holds it, innermost last.
    let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
    let mut is_digit = false;
    let mut start = 0;
    let slice = |from: usize, to: usize| v.get(from..to).unwrap_or_default();
    for (i, c) in v.char_indices() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::Int("0".into())
            } else {
                // `1.0.final-x` is `1-final-x`, as `.X` already is `-X` before a digit and
                // at the end (MNG-7644); otherwise `final` would stay one level up.
                if c == '-' && !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
                    stack.push(Vec::new());
                }
                Item::parse(is_digit, slice(start, i))
            };
            push(&mut stack, item);
            start = i + 1;
            if c == '-' {
                stack.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                // 1.0.0.X1 < 1.0.0-X2: treat .X as -X for any qualifier X.
                if stack.last().is_some_and(|l| !l.is_empty()) {
                    stack.push(Vec::new());
                }
                push(&mut stack, Item::string(slice(start, i), true));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                push(&mut stack, Item::parse(true, slice(start, i)));
                start = i;
                stack.push(Vec::new());
            }
            is_digit = false;
        }
    }
    if v.len() > start {
        if !is_digit && stack.last().is_some_and(|l| !l.is_empty()) {
            stack.push(Vec::new());
        }
        push(&mut stack, Item::parse(is_digit, slice(start, v.len())));
    }
    let mut child: Option<Vec<Item>> = None;
    while let Some(mut list) = stack.pop() {
        if let Some(c) = child.take() {
            list.push(Item::List(c));
        }
        normalize(&mut list);
        child = Some(list);
    }
    child.unwrap_or_default()
}

fn push(stack: &mut [Vec<Item>], item: Item) {
    if let Some(list) = stack.last_mut() {
        list.push(item);
    }
}

impl FromStr for MavenVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, VersionError> {
        check_len(Scheme::Maven, s)?;
        if s.trim().is_empty() {
            return Err(VersionError::new(Scheme::Maven, s, "version is empty"));
        }
        Ok(MavenVersion {
            raw: s.into(),
            items: parse_items(s),
        })
    }
}

impl MavenVersion {
    /// `ComparableVersion.getCanonical`: the normalised form, e.g. `1-alpha-1` for `1.0a1`.
    pub fn canonical(&self) -> String {
        fn write(items: &[Item], out: &mut String) {
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(if matches!(item, Item::List(_)) {
                        '-'
                    } else {
                        '.'
                    });
                }
                match item {
                    Item::Int(s) | Item::Str(s) => out.push_str(s),
                    Item::List(l) => write(l, out),
                }
            }
        }
        let mut out = String::new();
        write(&self.items, &mut out);
        out
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_lists(&self.items, &other.items)
    }
}

impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for MavenVersion {}

impl fmt::Display for MavenVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::version::tests::{assert_ascending, assert_equal, assert_rejected};

    /// `VERSIONS_QUALIFIER` of Maven's `ComparableVersionTest`.
    pub(crate) const ASCENDING: &[&str] = &[
        "1-alpha2snapshot",
        "1-alpha2",
        "1-alpha-123",
        "1-beta-2",
        "1-beta123",
        "1-m2",
        "1-m11",
        "1-rc",
        "1-cr2",
        "1-rc123",
        "1-SNAPSHOT",
        "1",
        "1-sp",
        "1-sp2",
        "1-sp123",
        "1-abc",
        "1-def",
        "1-pom-1",
        "1-1-snapshot",
        "1-1",
        "1-2",
        "1-123",
    ];

    /// `VERSIONS_NUMBER` of Maven 3.9's `ComparableVersionTest` (where `2.0.a` sorts before
    /// `2-1` since MNG-7644 treats `.X` like `-X`).
    const NUMBERS_ASCENDING: &[&str] = &[
        "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
        "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11", "11",
        "11.a", "11b", "11c", "11m",
    ];

    #[test]
    fn ascending() {
        assert_ascending::<MavenVersion>(ASCENDING);
        assert_ascending::<MavenVersion>(NUMBERS_ASCENDING);
    }

    /// `testVersionComparing`, MNG-5568, MNG-6572 and MNG-6964 of `ComparableVersionTest`.
    #[test]
    fn reference_pairs() {
        let less = [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.1", "1.2"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            ("1-0.alpha", "1-0.beta"),
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
        ];
        for (a, b) in less {
            assert_ascending::<MavenVersion>(&[a, b]);
        }
    }

    /// `testVersionsEqual` of `ComparableVersionTest`, plus `release` (a 3.9 alias).
    #[test]
    fn reference_equalities() {
        assert_equal::<MavenVersion>(&[
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1.0", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1.0", "1.0-0"),
            ("1a", "1.a"),
            ("1a", "1-a"),
            ("1.0a", "1.0.a"),
            ("1.0.0a", "1.0.0.a"),
            ("1x", "1.x"),
            ("1a", "1.0-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1x", "1-x"),
            ("1x", "1.0-x"),
            ("1x", "1.0.0-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1A", "1a"),
            ("1B", "1b"),
            ("1M", "1m"),
            ("1Ga", "1"),
            ("1GA", "1"),
            ("1RELEASE", "1"),
            ("1Final", "1"),
            ("1FinaL", "1"),
            ("1FINAL", "1"),
            ("1Cr", "1Rc"),
            ("1cR", "1rC"),
            ("1m3", "1Milestone3"),
            ("1m3", "1MileStone3"),
            ("1m3", "1MILESTONE3"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
            ("0000000000000000001", "1"),
            ("1.0.0-00000000000000000000", "1"),
        ]);
    }

    #[test]
    fn canonical_forms() {
        for (input, canonical) in [
            ("1.0.0", "1"),
            ("1.0a1", "1-alpha-1"),
            ("1.0-SNAPSHOT", "1-snapshot"),
            ("2.0.1-xyz", "2.0.1-xyz"),
            ("1-1.foo-bar1baz-.1", "1-1-foo-bar-1-baz-0.1"),
            ("1.0.Final", "1-final"),
            ("1.0.Final-redhat-00001", "1-final-redhat-1"),
        ] {
            let v: MavenVersion = input.parse().unwrap();
            assert_eq!(v.canonical(), canonical, "{input}");
        }
    }

    /// MNG-7714: a release qualifier followed by more of the version orders as the release,
    /// below the service packs of the same release, whatever suffix a vendor adds.
    #[test]
    fn release_qualifier_with_suffix_orders_below_service_pack() {
        for (release, service_pack) in [
            ("2.4.final-acme", "2.4-sp1-acme"),
            ("2.4.final-acme", "2.4.sp1-acme"),
            ("2.4.final-acme", "2.4-sp-1-acme"),
            ("2.4.final-acme", "2.4-sp.1-acme"),
            ("2.4.GA-acme-7", "2.4.SP2-acme-7"),
            ("2.4.0.RELEASE-acme", "2.4.0.SP1-acme"),
            ("2.4.Final-acme-00009", "2.4.SP1-acme-00001"),
        ] {
            assert_ascending::<MavenVersion>(&[release, service_pack]);
        }
    }

    /// A vendor's rebuilds of one upstream line, each step of the qualifier ladder carrying
    /// the same suffix.
    #[test]
    fn qualifier_ladder_with_vendor_suffix() {
        assert_ascending::<MavenVersion>(&[
            "3.1.Alpha2-acme-1",
            "3.1.Beta1-acme-1",
            "3.1.CR1-acme-1",
            "3.1.CR2-acme-1",
            "3.1.Final-acme-1",
            "3.1.Final-acme-2",
            "3.1.SP1-acme-1",
            "3.1.SP2-acme-1",
            "3.1.1.Beta1-acme-1",
            "3.1.1.Final-acme-1",
        ]);
        assert_ascending::<MavenVersion>(&["3.1.CR1", "3.1.Final", "3.1.Final-acme-1", "3.1.SP1"]);
    }

    /// `ga`, `final` and `release` are one rank, equal to no qualifier at all, with or without
    /// what follows them.
    #[test]
    fn release_qualifiers_rank_as_the_release() {
        assert_equal::<MavenVersion>(&[
            ("5.2.GA-acme-1", "5.2.Final-acme-1"),
            ("5.2.Final-acme-1", "5.2.RELEASE-acme-1"),
            ("5.2.Final", "5.2"),
            ("5.2.0.GA", "5.2"),
            ("5.2-release", "5.2"),
            ("5.2.foo-1", "5.2-foo-1"),
        ]);
        assert_ascending::<MavenVersion>(&["5.2.Final", "5.2.Final-1", "5.2.SP1", "5.2.1"]);
    }

    #[test]
    fn rejects_empty() {
        assert_rejected::<MavenVersion>(&[("", "version is empty"), (" ", "version is empty")]);
    }
}
