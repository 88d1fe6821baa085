//! Turns parsed arguments into a validated scan configuration before any work starts;
//! every error names the flag at fault.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use kensa_core::Severity;
use kensa_image::{Platform, WalkOptions};
use kensa_report::{Format, RenderOptions};
use kensa_scan::{ScanOptions, VulnOptions};

use crate::cli::CommonArgs;

/// Everything a scan command needs, validated.
pub(crate) struct ScanConfig {
    pub(crate) scan: ScanOptions,
    pub(crate) format: Format,
    pub(crate) render: RenderOptions,
    pub(crate) output: Option<PathBuf>,
    pub(crate) severities: Option<Vec<Severity>>,
    /// `(threshold, exit code)` when findings should fail the run.
    pub(crate) fail: Option<(Severity, u8)>,
    /// `--fail-on-kev` / `--fail-on-epss`, beside `--fail-on`.
    pub(crate) fail_exploited: Option<ExploitGate>,
    pub(crate) progress: bool,
    /// Trusted public keys from the settings file (`signature.keys`).
    pub(crate) signature_keys: Vec<PathBuf>,
}

/// The exploitation gates: a run fails when a reported vulnerability is known exploited
/// or likely to be.
pub(crate) struct ExploitGate {
    kev: bool,
    epss: Option<f64>,
    code: u8,
}

impl ExploitGate {
    /// The exit code when some reported finding trips a gate.
    pub(crate) fn fails(&self, report: &kensa_core::Report) -> Option<u8> {
        report
            .findings()
            .filter_map(|f| f.vulnerability.as_ref())
            .any(|v| {
                (self.kev && v.kev.is_some())
                    || self
                        .epss
                        .is_some_and(|t| v.epss.as_ref().is_some_and(|e| e.score >= t))
            })
            .then_some(self.code)
    }
}

impl ScanConfig {
    pub(crate) fn resolve(args: &CommonArgs, platform: Option<&str>) -> Result<ScanConfig> {
        let mut scanners = Vec::new();
        for &scanner in args.scanners.iter().flat_map(|list| &list.0) {
            if !scanner.is_available() {
                bail!(
                    "`--scanners`: the `{scanner}` scanner is not available in this version of kensa"
                );
            }
            if !scanners.contains(&scanner) {
                scanners.push(scanner);
            }
        }
        if (!args.malware_db.is_empty() || !args.yara.is_empty())
            && !scanners.contains(&kensa_core::Scanner::Malware)
        {
            scanners.push(kensa_core::Scanner::Malware);
        }
        let format = args.format;
        let severities = (!args.severity.is_empty()).then(|| args.severity.clone());
        if args.exit_code == 2 {
            bail!("`--exit-code`: 2 is reserved for errors; choose another code, such as 1");
        }
        if let Some(t) = args.fail_on_epss
            && !(0.0..=1.0).contains(&t)
        {
            bail!(
                "`--fail-on-epss`: {t} is not a probability; give a number from 0 to 1, such as 0.1"
            );
        }
        let fail_exploited =
            (args.fail_on_kev || args.fail_on_epss.is_some()).then_some(ExploitGate {
                kev: args.fail_on_kev,
                epss: args.fail_on_epss,
                code: if args.exit_code == 0 {
                    1
                } else {
                    args.exit_code
                },
            });
        let threshold = args.fail_on;
        let fail = match (args.exit_code, threshold) {
            (0, None) => None,
            (0, Some(t)) => Some((t, 1)),
            (code, t) => Some((t.unwrap_or(Severity::Unknown), code)),
        };
        let platform = platform
            .map(|p| p.parse::<Platform>().context("`--platform`"))
            .transpose()?;
        if args.max_layer_ratio == 0 {
            bail!("`--max-layer-ratio` must be at least 1");
        }
        let cache_dir = if args.no_cache {
            None
        } else {
            Some(match &args.cache_dir {
                Some(dir) => dir.clone(),
                None => default_cache_dir()?,
            })
        };
        let settings = Settings::load(args.config.as_deref())?;
        let stderr_tty = std::io::stderr().is_terminal();
        let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
        let color =
            to_terminal && format.is_human_readable() && std::env::var_os("NO_COLOR").is_none();
        Ok(ScanConfig {
            scan: ScanOptions {
                scanners,
                cache_dir,
                platform,
                walk: WalkOptions {
                    max_layer_ratio: args.max_layer_ratio,
                    ..WalkOptions::default()
                },
                vuln: VulnOptions {
                    db_dir: match &args.db_dir {
                        Some(dir) => dir.clone(),
                        None => default_db_dir()?,
                    },
                    ignore_file: match &args.ignorefile {
                        Some(path) => Some(path.clone()),
                        None => Some(PathBuf::from(".kensaignore")).filter(|p| p.is_file()),
                    },
                    vex: args.vex.clone(),
                    ignore_unfixed: args.ignore_unfixed,
                    max_db_age_days: args.db_max_age,
                    severity_sources: settings.severity_sources,
                },
                dockerfile: settings.dockerfile,
                secret: settings.secret,
                ignore_files: true,
                include_dev_deps: args.include_dev_deps,
                manifest: settings.manifest,
                manifest_images: Vec::new(),
                malware: kensa_malware::MalwareConfig {
                    databases: settings
                        .malware
                        .databases
                        .iter()
                        .chain(&args.malware_db)
                        .cloned()
                        .collect(),
                    yara: settings
                        .malware
                        .yara
                        .iter()
                        .chain(&args.yara)
                        .cloned()
                        .collect(),
                    severity: settings.malware.severity,
                },
            },
            format,
            render: RenderOptions {
                color,
                list_packages: args.list_packages,
                sort_by: args.sort_by.unwrap_or_default(),
                group_by_fix: args.group_by == Some(crate::cli::GroupBy::Fix),
            },
            output: args.output.clone(),
            severities,
            fail,
            fail_exploited,
            progress: stderr_tty && !args.quiet,
            signature_keys: settings.signature_keys,
        })
    }
}

/// `$XDG_CACHE_HOME/kensa`, else `~/.cache/kensa`.
/// The settings file, `kensa.yaml`:
///
/// ```yaml
/// dockerfile:          # as hadolint's ignored / trusted registries / label schema
///   ignored: [DL3008]
///   severity_overrides: {DL3007: HIGH}
///   trusted_registries: [docker.io, "*.corp.example"]
/// secret:
///   disable_rules: [generic-password]
///   allow_paths: ["tests/**"]
///   allow_regexes: ["^dev-"]
/// registries:          # per registry host, as references name it
///   "registry.internal:5000": {insecure: true, ca_cert: [certs/internal-ca.pem]}
///   custom_rules:
///     - {id: acme-token, title: ACME token, severity: HIGH, keywords: [acme_],
///        regex: 'acme_[a-z0-9]{32}'}
/// vuln:
///   severity_sources: [cna, adp, advisory]   # default: advisory, cna, adp
/// manifest:
///   ignore: {KS-MF-017: "CPU limits come from the namespace's LimitRange"}
/// malware:
///   databases: [/var/lib/clamav]
///   yara: [rules/webshells.yar]
///   severity: {"PUA.": LOW}
/// signature:
///   keys: [keys/release.pub]   # trusted by `kensa verify` and `kensa image`
/// ```
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Settings {
    /// Lint settings; without them, a `.hadolint.yaml` in the current directory is
    /// read, so hadolint users' ignores keep working.
    dockerfile: Option<kensa_dockerfile::LintConfig>,
    secret: kensa_secret::SecretConfig,
    /// Manifest rules to ignore, with why.
    manifest: kensa_manifest::ManifestConfig,
    vuln: VulnSettings,
    /// How registries are reached, by host (`registry.example`, `host:5000`).
    registries: std::collections::BTreeMap<String, RegistrySettings>,
    malware: kensa_malware::MalwareConfig,
    signature: SignatureSettings,
}

/// The `vuln` section of the settings file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct VulnSettings {
    /// Where a finding's severity may come from, first match wins.
    severity_sources: Vec<kensa_core::SourceKind>,
}

/// One registry's entry under `registries:`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RegistrySettings {
    /// Plain HTTP to this registry, as `--insecure` for it alone.
    insecure: bool,
    /// CA certificates (PEM) to trust, as `--ca-cert`.
    ca_cert: Vec<PathBuf>,
}

/// `signature:`: what `kensa verify` and `kensa image` trust.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SignatureSettings {
    /// Public key files (PEM), relative to the settings file; any one suffices.
    keys: Vec<PathBuf>,
}

/// The settings a scan runs with.
struct Resolved {
    dockerfile: kensa_dockerfile::LintConfig,
    secret: kensa_secret::SecretConfig,
    severity_sources: Vec<kensa_core::SourceKind>,
    manifest: kensa_manifest::ManifestConfig,
    malware: kensa_malware::MalwareConfig,
    signature_keys: Vec<PathBuf>,
}

impl Settings {
    /// Reads and parses `path` (`--config`), else `kensa.yaml` when present; the name to
    /// show in errors comes with it.
    fn read(path: Option<&Path>) -> Result<(Settings, String)> {
        let (text, shown) = match path {
            Some(path) => (
                Some(
                    fs_err::read_to_string(path)
                        .with_context(|| format!("`--config`: cannot read `{}`", path.display()))?,
                ),
                path.display().to_string(),
            ),
            None => {
                let default = Path::new("kensa.yaml");
                let text = default
                    .is_file()
                    .then(|| fs_err::read_to_string(default))
                    .transpose()?;
                (text, "kensa.yaml".to_owned())
            }
        };
        let settings: Settings = match text.as_deref().map(str::trim) {
            None | Some("") => Settings::default(),
            Some(text) => serde_saphyr::from_str(text)
                .map_err(|e| anyhow::anyhow!("`{shown}`: invalid settings: {e}"))?,
        };
        Ok((settings, shown))
    }

    /// Reads the settings, then fills the lint settings from `.hadolint.yaml` when the
    /// file had none.
    fn load(path: Option<&Path>) -> Result<Resolved> {
        let (settings, shown) = Settings::read(path)?;
        let base = path
            .and_then(Path::parent)
            .map(Path::to_owned)
            .unwrap_or_default();
        let dockerfile = match settings.dockerfile {
            Some(config) => config,
            None => hadolint_settings()?,
        };
        // Compile the secret settings now, so a bad custom rule is reported as the
        // settings file's fault before any scanning starts. (The built-in rules are
        // compiled only when a scan needs them: a warm rescan does not.)
        if settings.secret != kensa_secret::SecretConfig::default() {
            kensa_secret::SecretScanner::new(&settings.secret)
                .map_err(|e| anyhow::anyhow!("`{shown}`: `secret`: {e}"))?;
        }
        let mut seen = Vec::new();
        for kind in &settings.vuln.severity_sources {
            if seen.contains(kind) {
                bail!("`{shown}`: `vuln.severity_sources`: `{kind}` is listed twice");
            }
            seen.push(*kind);
        }
        let signature_keys = settings
            .signature
            .keys
            .iter()
            .map(|k| base.join(k))
            .collect();
        Ok(Resolved {
            dockerfile,
            secret: settings.secret,
            severity_sources: settings.vuln.severity_sources,
            manifest: settings.manifest,
            malware: settings.malware,
            signature_keys,
        })
    }
}

/// The trusted keys `kensa verify` uses besides `--key`: `signature.keys` of the
/// settings file (`--config`, else `kensa.yaml` when present).
pub(crate) fn signature_keys(path: Option<&Path>) -> Result<Vec<PathBuf>> {
    Ok(Settings::load(path)?.signature_keys)
}

/// hadolint's settings file in the current directory, if any.
fn hadolint_settings() -> Result<kensa_dockerfile::LintConfig> {
    for name in [".hadolint.yaml", ".hadolint.yml"] {
        let path = Path::new(name);
        if path.is_file() {
            let text = fs_err::read_to_string(path)?;
            return kensa_dockerfile::LintConfig::from_hadolint_yaml(&text)
                .map_err(|e| anyhow::anyhow!("`{name}`: {e}"));
        }
    }
    Ok(kensa_dockerfile::LintConfig::default())
}

pub(crate) fn default_cache_dir() -> Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("kensa"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".cache").join("kensa")),
        None => bail!(
            "no cache directory: set `--cache-dir`, `KENSA_CACHE_DIR` or `XDG_CACHE_HOME`, or pass `--no-cache`"
        ),
    }
}

/// `$XDG_DATA_HOME/kensa/db`, else `~/.local/share/kensa/db`.
pub(crate) fn default_db_dir() -> Result<PathBuf> {
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
        return Ok(PathBuf::from(xdg).join("kensa").join("db"));
    }
    match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
        Some(home) => Ok(PathBuf::from(home).join(".local/share/kensa/db")),
        None => bail!("no database directory: set `--db-dir`, `KENSA_DB_DIR` or `XDG_DATA_HOME`"),
    }
}

/// The registry client's options from `--insecure`, `--ca-cert`, `--timeout`,
/// `--username`/`--password-stdin`, else `KENSA_USERNAME`/`KENSA_PASSWORD`.
pub(crate) fn registry_options(
    args: &crate::cli::RegistryArgs,
    settings_file: Option<&Path>,
) -> Result<kensa_registry::ClientOptions> {
    use kensa_registry::{Credentials, Secret};
    let (settings, shown) = Settings::read(settings_file)?;
    let mut ca_certs = args.ca_cert.clone();
    let mut insecure_registries = Vec::new();
    for (host, registry) in settings.registries {
        for path in registry.ca_cert {
            if !path.is_file() {
                bail!(
                    "`{shown}`: `registries.{host}.ca_cert`: `{}` is not a file",
                    path.display()
                );
            }
            ca_certs.push(path);
        }
        if registry.insecure {
            insecure_registries.push(host);
        }
    }
    if args.timeout == 0 {
        bail!("`--timeout` must be at least 1 second");
    }
    for path in &args.ca_cert {
        if !path.is_file() {
            bail!("`--ca-cert`: `{}` is not a file", path.display());
        }
    }
    let credentials = match (&args.username, args.password_stdin) {
        (Some(username), true) => {
            let mut password = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut password)
                .context("`--password-stdin`: reading the password from stdin")?;
            let password = password.trim_end_matches(['\n', '\r']).to_owned();
            if password.is_empty() {
                bail!("`--password-stdin`: stdin held no password");
            }
            Some(Credentials {
                username: username.clone(),
                password: Secret::new(password),
            })
        }
        _ => {
            let user = std::env::var("KENSA_USERNAME")
                .ok()
                .filter(|u| !u.is_empty());
            let password = std::env::var("KENSA_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            match (user, password) {
                (Some(username), Some(password)) => Some(Credentials {
                    username,
                    password: Secret::new(password),
                }),
                (None, None) => None,
                (Some(_), None) => bail!("`KENSA_USERNAME` is set but `KENSA_PASSWORD` is not"),
                (None, Some(_)) => bail!("`KENSA_PASSWORD` is set but `KENSA_USERNAME` is not"),
            }
        }
    };
    let timeout = std::time::Duration::from_secs(args.timeout);
    Ok(kensa_registry::ClientOptions {
        insecure: args.insecure,
        insecure_registries,
        ca_certs,
        credentials,
        connect_timeout: timeout.min(std::time::Duration::from_secs(30)),
        read_timeout: timeout,
        ..kensa_registry::ClientOptions::default()
    })
}
