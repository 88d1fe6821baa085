//! Every analyzer (dpkg status and status.d, apk, rpm with its three databases, every
//! lockfile and package-metadata parser, Go and Rust binaries, jars, OS release files,
//! content rules, Dockerfiles, secrets), driven through the `Analyzer` trait: the first
//! bytes pick the analyzer and one of its paths, the rest is the file.
#![no_main]

use kensa_fuzz::{analyzer_input, run_analyzer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(d) = analyzer_input::decode(data) {
        run_analyzer(d.analyzer, &d.path, &d.meta, d.content);
    }
});
