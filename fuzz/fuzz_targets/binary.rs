//! Executables: Go build info (inline and pointer layouts, in ELF sections) and
//! cargo-auditable `.dep-v0` sections. The first byte picks the analyzer.
#![no_main]

use kensa_core::Analyzer;
use kensa_fuzz::{file_meta, run_analyzer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let [pick, content @ ..] = data else {
        return;
    };
    let analyzer: &dyn Analyzer = if pick & 1 == 0 {
        &kensa_pkg::lang::go_binary::GoBinary
    } else {
        &kensa_pkg::lang::cargo_auditable::CargoAuditable
    };
    run_analyzer(
        analyzer,
        "usr/local/bin/app",
        &file_meta(true, content.len()),
        content,
    );
});
