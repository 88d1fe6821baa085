//! The manifest parsers: YAML and JSON into nodes (bounds on size, depth, aliases,
//! duplicate keys), the Kubernetes, ECS and Compose readers, Compose `extends` across
//! files (served from the input itself, never the disk), and every manifest rule over
//! what they read. Input: `[mode]` + files separated by `\n@@@\n`; the first is
//! `deploy/m.yaml`, the others `deploy/f1.yaml`, `deploy/f2.yaml`, …, which an
//! `extends.file` may name (`f1.yaml`, `../deploy/f2.yaml`). Mode bit 0 runs the secret
//! rules on the environment.
#![no_main]

use kensa_fuzz::manifest_input;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(input) = manifest_input::decode(data) else {
        return;
    };
    let inputs = [kensa_manifest::Input::new("deploy/m.yaml", input.main)];
    let loader = manifest_input::Files(input.others);
    let Ok(m) = kensa_manifest::read_manifests_with(&inputs, &loader) else {
        return;
    };
    let secrets = if input.secrets {
        kensa_secret::default_scanner().ok()
    } else {
        None
    };
    let ctx = kensa_manifest::Context {
        secrets: secrets.map(|s| s as &dyn kensa_core::TextScanner),
        ..kensa_manifest::Context::default()
    };
    let _ = kensa_manifest::check(&m, &ctx);
});
