//! Java archives (zip): manifests, `pom.properties`, nested jars. The first byte picks the
//! file extension.
#![no_main]

use kensa_fuzz::{file_meta, run_analyzer};
use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &["app/lib/x.jar", "app/x.war", "app/x.ear", "plugins/x.hpi"];

fuzz_target!(|data: &[u8]| {
    let [pick, content @ ..] = data else {
        return;
    };
    let path = NAMES[usize::from(*pick) % NAMES.len()];
    run_analyzer(
        &kensa_pkg::lang::java_archive::JavaArchive,
        path,
        &file_meta(false, content.len()),
        content,
    );
});
