//! The Dockerfile parser and every lint rule over what it parses.
#![no_main]

use kensa_dockerfile::LintConfig;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(file) = kensa_dockerfile::parse(text) {
        let config = LintConfig {
            strict_labels: true,
            trusted_registries: vec!["docker.io".into(), "*.corp.example".into()],
            ..LintConfig::default()
        };
        let _ = kensa_dockerfile::lint_parsed("Dockerfile", &file, &LintConfig::default());
        let _ = kensa_dockerfile::lint_parsed("Dockerfile", &file, &config);
    }
});
