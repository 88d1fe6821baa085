//! Test helpers shared by the scheme modules, and tests across every scheme.

use std::cmp::Ordering;
use std::fmt::Debug;
use std::str::FromStr;

use super::{Scheme, Version, VersionError};

/// Asserts that every earlier entry is strictly less than every later one, in both
/// directions, and that each entry equals itself.
pub(super) fn assert_ascending<T>(list: &[&str])
where
    T: FromStr<Err = VersionError> + Ord + Debug,
{
    let parsed: Vec<T> = list
        .iter()
        .map(|s| {
            s.parse()
                .unwrap_or_else(|e| panic!("`{s}` should parse: {e}"))
        })
        .collect();
    for (i, a) in parsed.iter().enumerate() {
        assert_eq!(a.cmp(a), Ordering::Equal, "{} == itself", list[i]);
        for (j, b) in parsed.iter().enumerate().skip(i + 1) {
            assert_eq!(a.cmp(b), Ordering::Less, "{} < {}", list[i], list[j]);
            assert_eq!(b.cmp(a), Ordering::Greater, "{} > {}", list[j], list[i]);
        }
    }
}

/// Asserts that each pair parses to equal values, both ways.
pub(super) fn assert_equal<T>(pairs: &[(&str, &str)])
where
    T: FromStr<Err = VersionError> + Ord + Debug,
{
    for (a, b) in pairs {
        let x: T = a
            .parse()
            .unwrap_or_else(|e| panic!("`{a}` should parse: {e}"));
        let y: T = b
            .parse()
            .unwrap_or_else(|e| panic!("`{b}` should parse: {e}"));
        assert_eq!(x.cmp(&y), Ordering::Equal, "{a:?} == {b:?}");
        assert_eq!(y.cmp(&x), Ordering::Equal, "{b:?} == {a:?}");
        assert_eq!(x, y, "{a:?} eq {b:?}");
    }
}

/// Asserts that each input is rejected with a reason containing the given text, and that the
/// message names the input.
pub(super) fn assert_rejected<T>(cases: &[(&str, &str)])
where
    T: FromStr<Err = VersionError> + Debug,
{
    for (input, reason) in cases {
        let err = input
            .parse::<T>()
            .expect_err(&format!("`{input}` should be rejected"));
        assert!(
            err.reason.contains(reason),
            "`{input}`: reason `{}` should contain `{reason}`",
            err.reason
        );
        assert_eq!(err.input, *input);
        assert!(
            err.to_string()
                .starts_with(&format!("`{input}` is not a valid "))
        );
    }
}

fn ascending_lists() -> [(Scheme, &'static [&'static str]); 10] {
    [
        (Scheme::Deb, super::deb::tests::ASCENDING),
        (Scheme::Rpm, super::rpm::tests::ASCENDING),
        (Scheme::Apk, super::apk::tests::ASCENDING),
        (Scheme::Pep440, super::pep440::tests::ASCENDING),
        (Scheme::Semver, super::semver::tests::ASCENDING),
        (Scheme::Go, super::go::tests::ASCENDING),
        (Scheme::Maven, super::maven::tests::ASCENDING),
        (Scheme::Gem, super::gem::tests::ASCENDING),
        (Scheme::Nuget, super::nuget::tests::ASCENDING),
        (Scheme::Packagist, super::packagist::tests::ASCENDING),
    ]
}

#[test]
fn every_scheme_has_an_ascending_list() {
    let schemes: Vec<Scheme> = ascending_lists().iter().map(|(s, _)| *s).collect();
    assert_eq!(schemes, Scheme::ALL);
}

/// A deterministic shuffle (xorshift), so a failure reproduces.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let j = usize::try_from(seed % (i as u64 + 1)).unwrap();
        items.swap(i, j);
    }
}

#[test]
fn sorting_a_shuffled_list_restores_it() {
    for (scheme, list) in ascending_lists() {
        for seed in [1, 0x9e37_79b9_7f4a_7c15, 42] {
            let mut versions: Vec<Version> =
                list.iter().map(|s| scheme.parse(s).unwrap()).collect();
            shuffle(&mut versions, seed);
            versions.sort_by(|a, b| a.compare(b).unwrap());
            let sorted: Vec<String> = versions.iter().map(ToString::to_string).collect();
            assert_eq!(sorted, *list, "{scheme} with seed {seed}");
        }
    }
}

#[test]
fn versions_of_different_schemes_do_not_compare() {
    let deb = Scheme::Deb.parse("1.0").unwrap();
    let rpm = Scheme::Rpm.parse("1.0").unwrap();
    assert_eq!(deb.compare(&rpm), None);
    assert_eq!(
        deb.compare(&Scheme::Deb.parse("1.0-0").unwrap()),
        Some(Ordering::Equal)
    );
    assert_eq!(deb.scheme(), Scheme::Deb);
    let module = Scheme::Go.parse("v1.21.0").unwrap();
    let toolchain = Scheme::Go.parse("go1.21.0").unwrap();
    assert_eq!(module.compare(&toolchain), None);
}

#[test]
fn osv_ecosystems_map_to_schemes() {
    let cases = [
        ("Debian", Some(Scheme::Deb)),
        ("Debian:11", Some(Scheme::Deb)),
        ("Ubuntu:22.04:LTS", Some(Scheme::Deb)),
        ("Ubuntu:Pro:18.04:LTS", Some(Scheme::Deb)),
        ("Alpine:v3.10", Some(Scheme::Apk)),
        ("Wolfi", Some(Scheme::Apk)),
        ("Chainguard", Some(Scheme::Apk)),
        ("Red Hat:enterprise_linux:9::appstream", Some(Scheme::Rpm)),
        ("AlmaLinux:9", Some(Scheme::Rpm)),
        ("Rocky Linux:9", Some(Scheme::Rpm)),
        ("SUSE:Linux Enterprise Server 15 SP5", Some(Scheme::Rpm)),
        ("openSUSE:Leap 15.5", Some(Scheme::Rpm)),
        ("Mageia:9", Some(Scheme::Rpm)),
        ("Photon OS:5.0", Some(Scheme::Rpm)),
        ("Azure Linux:3", Some(Scheme::Rpm)),
        ("PyPI", Some(Scheme::Pep440)),
        ("crates.io", Some(Scheme::Semver)),
        ("npm", Some(Scheme::Semver)),
        ("Go", Some(Scheme::Go)),
        ("Maven", Some(Scheme::Maven)),
        ("RubyGems", Some(Scheme::Gem)),
        ("NuGet", Some(Scheme::Nuget)),
        ("Packagist", Some(Scheme::Packagist)),
        ("Hackage", None),
        ("GitHub Actions", None),
        ("pypi", None),
        ("", None),
    ];
    for (name, expected) in cases {
        assert_eq!(Scheme::for_osv_ecosystem(name), expected, "{name}");
    }
}

/// Strings no parser should choke on: empty, separators only, unicode, control characters,
/// numbers far beyond `u64`, and near-misses of every scheme's grammar.
fn odd_strings() -> Vec<String> {
    let mut odd: Vec<String> = [
        "",
        " ",
        "\t",
        "\n",
        "\0",
        ".",
        "..",
        "-",
        "--",
        "_",
        "~",
        "^",
        "+",
        ":",
        "::",
        "~~",
        "^^",
        "-.",
        ".-",
        "_-_",
        "+.+",
        "-r",
        "-r-r",
        "v",
        "V",
        "go",
        "gov",
        "vv",
        "v.",
        "v-",
        "v+",
        "0",
        "00",
        "000",
        "0.0",
        "0.",
        ".0",
        "0-",
        "-0",
        "0:",
        ":0",
        "0:0",
        "0:-",
        "0~",
        "0^",
        "1!",
        "!1",
        "1!!1",
        "1+",
        "1++",
        "1.0+",
        "1.0-",
        "1.0_",
        "1.0~",
        "1.0^",
        "1..0",
        "1.-0",
        "é",
        "1.0é",
        "é1.0",
        "１.０",
        "١.٠",
        "1.0\u{200b}",
        "\u{feff}1.0",
        "🦀",
        "1.🦀",
        "1.0-🦀",
        "ß",
        "İ",
        "1.0-İ",
        "ǅ",
        "\u{0301}",
        "1\u{0301}.0",
        "99999999999999999999999",
        "99999999999999999999999.99999999999999999999999",
        "v99999999999999999999999.0.0",
        "go99999999999999999999999",
        "1.99999999999999999999999",
        "99999999999999999999999:1.0",
        "1:99999999999999999999999",
        "1.0-99999999999999999999999",
        "1.0-r99999999999999999999999",
        "1.0_p99999999999999999999999",
        "1.0a99999999999999999999999",
        "1.0.0-99999999999999999999999",
        "00000000000000000000000001",
        "18446744073709551616",
        "18446744073709551615",
        "4294967296",
        "2147483648",
        "-1",
        "-1.0",
        "1.-1",
        "+1",
        "1e10",
        "0x10",
        "NaN",
        "inf",
        "null",
        "None",
        "true",
        "latest",
        "*",
        "x",
        "1.x",
        "1.*",
        ">=1.0",
        "<1.0",
        "~1.0",
        "^1.0",
        "1.0 || 2.0",
        "1.0,2.0",
        "[1.0,2.0)",
        "(,1.0]",
        "1.0 as 2.0",
        " as ",
        "dev-",
        "dev-master",
        "master",
        "1.0-dev",
        "1.0.x-dev",
        "x-dev",
        "-dev",
        "dev",
        "stable",
        "1.0-stable",
        "1.0-pl",
        "1.0-SNAPSHOT",
        "SNAPSHOT",
        "1-",
        "1--1",
        "1-.-1",
        "1.0-alpha-",
        "alpha",
        "a1",
        "1a1a1",
        "1.0a1.post1.dev1+local",
        "1!1.0a1",
        "1.0.post",
        "1.0.dev",
        "1.0+local..x",
        "1.0+",
        "v1.0.0+incompatible",
        "v0.0.0-20191109021931-daa7c04131f5",
        "v0.0.0-",
        "v1.0.0-+",
        "go1.21rc",
        "go1.21.3rc1",
        "1.21.",
        "go.1",
        "go1..1",
        "1.0~1234",
        "1.0~",
        "1.0~xyz",
        "1.0_alpha_beta_rc_p_pre",
        "1.0_",
        "1.0__",
        "1.0-r0-r0",
        "1a.1",
        "1.0bc",
        "2:1.0-1.el8_9",
        "1.0-1-",
        "1:1:1",
        "1:",
        ":",
        "a:b:c",
        "0:0:0-0-0",
        "1.2.3.4.5.6.7.8.9.10",
        "1.0.0.0.0",
        "1-2-3-4-5",
        "1_2_3",
        "1+2+3",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Long and repetitive inputs, at and over the length cap.
    for unit in ["1.", "1-", "a1", "0", "-r1", "~", "^", ".", "1-a-", "é"] {
        odd.push(unit.repeat(200));
        odd.push(unit.repeat(1000));
    }
    odd.push("9".repeat(super::MAX_VERSION_LEN));
    odd.push(format!("1.{}", "0".repeat(super::MAX_VERSION_LEN - 2)));
    // Every byte value as a one-character suffix.
    for c in (0u8..=127).map(char::from) {
        odd.push(format!("1.0{c}1"));
    }
    odd
}

#[test]
fn odd_inputs_never_panic() {
    let odd = odd_strings();
    assert!(odd.len() > 300, "{} odd strings", odd.len());
    for &scheme in Scheme::ALL {
        let parsed: Vec<Version> = odd.iter().filter_map(|s| scheme.parse(s).ok()).collect();
        for a in &parsed {
            for b in &parsed {
                let ab = a.compare(b);
                let ba = b.compare(a);
                assert_eq!(ab.map(Ordering::reverse), ba, "{scheme}: `{a}` vs `{b}`");
            }
            let _ = a.to_string();
        }
        for s in &odd {
            if let Err(e) = scheme.parse(s) {
                assert_eq!(e.scheme, scheme);
                assert!(!e.reason.is_empty());
                assert!(e.input.chars().count() <= 81, "error input is shortened");
            }
        }
    }
}

#[test]
fn huge_numbers_compare_by_value() {
    let cases = [
        (
            Scheme::Deb,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Rpm,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Apk,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Go,
            "v1.99999999999999999999999.0",
            "v1.100000000000000000000000.0",
        ),
        (
            Scheme::Go,
            "go1.99999999999999999999999",
            "go1.100000000000000000000000",
        ),
        (
            Scheme::Maven,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Gem,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Nuget,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Packagist,
            "1.99999999999999999999999",
            "1.100000000000000000000000",
        ),
        (
            Scheme::Semver,
            "1.0.0-99999999999999999999999",
            "1.0.0-100000000000000000000000",
        ),
    ];
    for (scheme, small, big) in cases {
        let a = scheme.parse(small).unwrap();
        let b = scheme.parse(big).unwrap();
        assert_eq!(
            a.compare(&b),
            Some(Ordering::Less),
            "{scheme}: {small} < {big}"
        );
    }
}

#[test]
fn over_long_input_is_rejected_with_a_short_message() {
    let long = "1".repeat(super::MAX_VERSION_LEN + 1);
    for &scheme in Scheme::ALL {
        let err = scheme.parse(&long).unwrap_err();
        assert!(
            err.reason.contains("longer than 512 bytes"),
            "{scheme}: {}",
            err.reason
        );
        assert!(err.to_string().len() < 200);
    }
}
