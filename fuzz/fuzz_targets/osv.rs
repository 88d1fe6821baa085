//! OSV records through the importer, and the version schemes they are compared in. Mode 0:
//! a JSON document for the importer (OSV record, CVE JSON 5 record or KEV catalog, told
//! apart by the importer), and the same bytes as an EPSS CSV. Mode 1: `[scheme] a \n b`, two versions of one scheme, whose
//! ordering must be antisymmetric and reflexive.
#![no_main]

use std::cmp::Ordering;

use kensa_vuln::version::Scheme;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [mode, rest @ ..] = data else {
        return;
    };
    if mode & 1 == 0 {
        let _ = kensa_vuln::osv::parse_record(rest);
        let mut b = kensa_vuln::DbBuilder::new();
        b.add_json("fuzz.json", rest);
        if let Ok(text) = std::str::from_utf8(rest) {
            let _ = kensa_enrich::epss::parse(text);
        }
        return;
    }
    let [scheme, rest @ ..] = rest else {
        return;
    };
    let scheme = Scheme::ALL[usize::from(*scheme) % Scheme::ALL.len()];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (a, b) = text.split_once('\n').unwrap_or((text, ""));
    let (Ok(va), Ok(vb)) = (scheme.parse(a), scheme.parse(b)) else {
        return;
    };
    assert_eq!(va.compare(&va), Some(Ordering::Equal), "{scheme:?} `{a}`");
    let ab = va.compare(&vb);
    let ba = vb.compare(&va);
    assert_eq!(ab, ba.map(Ordering::reverse), "{scheme:?} `{a}` vs `{b}`");
});
