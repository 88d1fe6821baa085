//! One fix-first rank per vulnerability finding, from exploitation evidence, EPSS,
//! severity and whether a fix exists. `docs/prioritisation.md` is the user's copy of these
//! rules; a change here changes that page.
//!
//! | rank | when |
//! |---|---|
//! | 1 | in CISA KEV, or a CVE record's SSVC `Exploitation` is `active` |
//! | 2 | EPSS ≥ 0.1, or CRITICAL, or a public proof of concept (`poc`) and HIGH |
//! | 3 | HIGH, or a public proof of concept |
//! | 4 | MEDIUM |
//! | 5 | LOW or UNKNOWN |
//!
//! Within a rank, findings with a fix come first (an upgrade is a change a team can make
//! today), then higher EPSS, then higher CVSS score.

use std::cmp::Reverse;

use kensa_core::{Priority, Severity, VulnDetails};

use crate::cve::exploitation_rank;

/// The EPSS probability at and above which a finding is rank 2: FIRST's own guidance
/// names 0.1 as a threshold that catches most exploited CVEs with few false alarms.
pub const EPSS_HIGH: f64 = 0.1;

/// The rank of a finding with these facts.
pub fn priority(
    kev: bool,
    exploitation: Option<&str>,
    epss: Option<f64>,
    severity: Severity,
    has_fix: bool,
) -> Priority {
    let exploit = exploitation.map_or(0, exploitation_rank);
    let (rank, mut reason) = if kev {
        (
            1,
            "in CISA's Known Exploited Vulnerabilities catalog".to_owned(),
        )
    } else if exploit == 3 {
        (
            1,
            "its CVE record says it is exploited (SSVC `active`)".to_owned(),
        )
    } else if let Some(p) = epss.filter(|p| *p >= EPSS_HIGH) {
        (
            2,
            format!(
                "EPSS {:.1}% chance of exploitation within 30 days",
                p * 100.0
            ),
        )
    } else if severity == Severity::Critical {
        (2, "CRITICAL severity".to_owned())
    } else if exploit == 2 && severity == Severity::High {
        (2, "public proof of concept and HIGH severity".to_owned())
    } else if severity == Severity::High {
        (3, "HIGH severity".to_owned())
    } else if exploit == 2 {
        (3, "public proof of concept".to_owned())
    } else if severity == Severity::Medium {
        (4, "MEDIUM severity".to_owned())
    } else {
        (5, format!("{} severity", severity.as_str()))
    };
    if !has_fix {
        reason.push_str("; no fix yet");
    }
    Priority { rank, reason }
}

/// The order `--sort-by priority` shows findings in (smallest key first).
pub fn priority_sort_key(
    severity: Severity,
    v: &VulnDetails,
) -> (u8, bool, Reverse<u64>, Reverse<u64>, Reverse<Severity>) {
    let rank = v.priority.as_ref().map_or(5, |p| p.rank);
    let epss = v.epss.as_ref().map_or(0.0, |e| e.score);
    let score = v.cvss_score.unwrap_or(0.0);
    (
        rank,
        v.fixed_versions.is_empty(),
        Reverse(fixed_point(epss)),
        Reverse(fixed_point(score)),
        Reverse(severity),
    )
}

/// A non-negative score as an integer in millionths, so keys order totally.
fn fixed_point(x: f64) -> u64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "scores are between 0 and 10, checked at import"
    )]
    let v = (x.clamp(0.0, 10.0) * 1_000_000.0).round() as u64;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_follow_the_documented_table() {
        let p = |kev, ex, epss, sev, fix| priority(kev, ex, epss, sev, fix).rank;
        assert_eq!(p(true, None, None, Severity::Low, true), 1);
        assert_eq!(p(false, Some("active"), None, Severity::Unknown, true), 1);
        assert_eq!(p(false, None, Some(0.1), Severity::Low, true), 2);
        assert_eq!(p(false, None, Some(0.09), Severity::Low, true), 5);
        assert_eq!(p(false, None, None, Severity::Critical, true), 2);
        assert_eq!(p(false, Some("poc"), None, Severity::High, true), 2);
        assert_eq!(p(false, None, None, Severity::High, true), 3);
        assert_eq!(p(false, Some("poc"), None, Severity::Low, true), 3);
        assert_eq!(p(false, Some("none"), None, Severity::Medium, true), 4);
        assert_eq!(p(false, None, None, Severity::Unknown, false), 5);
        assert_eq!(
            priority(true, None, None, Severity::High, false).reason,
            "in CISA's Known Exploited Vulnerabilities catalog; no fix yet"
        );
    }

    #[test]
    fn fixable_first_within_a_rank_then_epss() {
        let details = |rank, fixed: &[&str], epss: Option<f64>| VulnDetails {
            priority: Some(Priority {
                rank,
                reason: String::new(),
            }),
            fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
            epss: epss.map(|score| kensa_core::EpssScore {
                cve: "CVE-2099-0001".into(),
                score,
                percentile: 0.5,
                date: "2099-01-01".into(),
            }),
            ..VulnDetails::default()
        };
        let mut v = [
            details(3, &[], Some(0.5)),
            details(3, &["1.1"], Some(0.01)),
            details(3, &["1.1"], Some(0.02)),
            details(1, &[], None),
        ];
        v.sort_by_key(|d| priority_sort_key(Severity::High, d));
        let order: Vec<(u8, usize, f64)> = v
            .iter()
            .map(|d| {
                (
                    d.priority.as_ref().unwrap().rank,
                    d.fixed_versions.len(),
                    d.epss.as_ref().map_or(0.0, |e| e.score),
                )
            })
            .collect();
        assert_eq!(
            order,
            [(1, 0, 0.0), (3, 1, 0.02), (3, 1, 0.01), (3, 0, 0.5)]
        );
    }
}
