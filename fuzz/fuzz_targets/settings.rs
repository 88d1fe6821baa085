//! The settings file (`kensa.yaml`) and hadolint's `.hadolint.yaml`. The settings struct
//! lives in the binary crate (`crates/kensa/src/config.rs`), so this target mirrors it
//! and fuzzes the library entry points it is made of: YAML into `LintConfig` and
//! `SecretConfig` (serde), `LintConfig::from_hadolint_yaml`, compiling the secret settings
//! with `SecretScanner::new`, and linting with the lint settings. The first byte picks
//! the file.
#![no_main]

use kensa_dockerfile::LintConfig;
use kensa_secret::{SecretConfig, SecretScanner};
use libfuzzer_sys::fuzz_target;

/// The shape of `kensa.yaml`, as `crates/kensa/src/config.rs` reads it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    dockerfile: Option<LintConfig>,
    secret: SecretConfig,
}

const DOCKERFILE: &str = "FROM registry.corp.example/base:1.2\nLABEL maintainer=\"a@b.c\" version=\"1.0.0\"\nRUN apt-get install -y curl\nUSER app\n";

fuzz_target!(|data: &[u8]| {
    let [kind, rest @ ..] = data else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let lint = if kind & 1 == 0 {
        let Ok(settings) = serde_saphyr::from_str::<Settings>(text) else {
            return;
        };
        if let Ok(scanner) = SecretScanner::new(&settings.secret) {
            let _ = scanner.scan(
                "srv/app/.env",
                b"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
            );
        }
        settings.dockerfile.unwrap_or_default()
    } else {
        let Ok(config) = LintConfig::from_hadolint_yaml(text) else {
            return;
        };
        config
    };
    let _ = kensa_dockerfile::lint("Dockerfile", DOCKERFILE, &lint);
});
