//! The command line, as clap derive types. Doc comments are the help text.

use std::ffi::OsStr;
use std::fmt;
use std::path::PathBuf;
use std::sync::LazyLock;

use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use kensa_core::{Scanner, Severity};
use kensa_image::WalkOptions;
use kensa_report::Format;

/// kensa: a container security scanner for images, root filesystems and source trees.
///
/// Every finding names the NIST SP 800-190 countermeasure it answers.
#[derive(Debug, Parser)]
#[command(
    name = "kensa",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Scan a container image: in a registry, or a docker-archive, OCI archive or OCI layout.
    #[command(
        after_help = "Examples:\n  kensa image alpine:3.20\n  kensa image registry.example:5000/team/app:1.4 --ca-cert ca.pem\n  kensa image --input app.tar\n  kensa image oci-layout:build/oci\n  kensa image --input app.tar --format json --output report.json"
    )]
    Image(ImageArgs),
    /// Scan an unpacked root filesystem.
    Rootfs(DirArgs),
    /// Scan a source tree: lockfiles, Dockerfiles, manifests and secrets.
    Fs(FsArgs),
    /// Lint Dockerfiles (hadolint's DL rules and kensa's own).
    Dockerfile(DockerfileArgs),
    /// Check deployment manifests: Kubernetes workloads, ECS task definitions (JSON or
    /// CloudFormation) and Compose files.
    #[command(
        after_help = "Examples:\n  kensa manifest k8s/ task-def.json compose.yaml\n  helm template chart/ | kensa manifest -\n  kensa manifest deploy/ --format sarif --output manifests.sarif\n  kensa manifest k8s/ --image registry.example/app:1.4=oci-layout:build/oci"
    )]
    Manifest(ManifestArgs),
    /// Write a software bill of materials (CycloneDX 1.6 or SPDX 2.3 JSON).
    ///
    /// TARGET is an image archive, `oci-layout:DIR`, or a directory (scanned as a root
    /// filesystem).
    Sbom(SbomArgs),
    /// Build or inspect the offline advisory database.
    Db(DbArgs),
    /// Show or clear the layer cache.
    Cache(CacheArgs),
    /// Explain a rule: why it matters and how to fix it.
    ///
    /// Any family's rules: image (`KS-IMG-…`), Dockerfile (`DL…`, `KS-DF-…`), secret and
    /// manifest (`KS-MF-…`) rules.
    Rule {
        /// The rule id in any case, e.g. `KS-IMG-001`, `DL3008` or `aws-access-key-id`.
        id: String,
    },
    /// List a repository's tags (digest, created, size, platform) and mark stale ones;
    /// `--scan` scans every tag.
    #[command(
        after_help = "Examples:\n  kensa registry registry.example/team/app --keep-last 10 --tag-prefix release-\n  kensa registry registry.example/team/app --older-than 90d --emit ecr-lifecycle\n  kensa registry registry.example/team/app --scan --scanners vuln,secret"
    )]
    Registry(RegistryRepoArgs),
    /// Verify an image's signatures: cosign with public keys, Notation with a trust policy
    /// (exit 0 when one verifies).
    #[command(
        after_help = "Examples:\n  kensa verify registry.example/app:1.4 --key kensa.pub\n  kensa verify oci-layout:build/oci --key cosign.pub --key old.pub"
    )]
    Verify(VerifyArgs),
    /// Sign an image with a P-256 key, the way cosign stores signatures.
    #[command(
        after_help = "Examples:\n  kensa sign registry.example/app@sha256:… --key kensa.key\n  kensa sign oci-layout:build/oci --key kensa.key"
    )]
    Sign(SignArgs),
    /// Write a new P-256 key pair for `kensa sign`: PREFIX.key (PKCS#8) and PREFIX.pub.
    ///
    /// With `KENSA_KEY_PASSWORD` set, the private key is encrypted with it.
    Keygen {
        /// The files' name without extension.
        #[arg(long, value_name = "PREFIX", default_value = "kensa")]
        output_key_prefix: PathBuf,
    },
    /// Pin image references to digests in place: each tag in a Dockerfile's `FROM` or a
    /// manifest's `image` becomes `name:tag@sha256:…`, resolved through the registry.
    ///
    /// Kubernetes, ECS, Compose and CloudFormation files (YAML or JSON) and Dockerfiles;
    /// only the references change, byte for byte. References already pinned, `scratch`,
    /// build stages and ones holding a variable are left alone, with a note.
    #[command(
        after_help = "Examples:\n  kensa pin Dockerfile k8s/deploy.yaml\n  kensa pin --dry-run compose.yaml > pin.diff\n  kensa pin task-def.json --insecure"
    )]
    Pin(PinArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PinArgs {
    /// Dockerfiles and manifests to rewrite.
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Print the unified diff of what would change, and change nothing.
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// kensa's settings file (default: `kensa.yaml` in the current directory, when
    /// present; see docs/config.md): its registry settings apply.
    #[arg(
        long,
        value_name = "FILE",
        env = "KENSA_CONFIG",
        hide_env_values = true
    )]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// What to emit instead of the listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Emit {
    /// The retention policy as an Amazon ECR lifecycle policy (JSON).
    EcrLifecycle,
}

#[derive(Debug, Args)]
pub(crate) struct RegistryRepoArgs {
    /// The repository: `registry.example/team/app`, `host:5000/app`, or a Docker Hub
    /// short name; a tag or digest in it is ignored.
    #[arg(value_name = "REPO")]
    pub(crate) repository: String,
    /// Keep the N newest images (of `--tag-prefix` when given); older ones are stale.
    #[arg(long, value_name = "N")]
    pub(crate) keep_last: Option<u32>,
    /// Images created longer ago than this are stale: `90d`, `12w`.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    pub(crate) older_than: Option<u32>,
    /// Apply `--keep-last` (or `--older-than` alone) to tags starting with PREFIX only.
    #[arg(long, value_name = "PREFIX")]
    pub(crate) tag_prefix: Option<String>,
    /// Print the policy in another tool's terms instead of listing tags; needs no registry.
    #[arg(long, value_enum, value_name = "KIND")]
    pub(crate) emit: Option<Emit>,
    /// Scan every tag (in parallel, sharing the layer cache) and print one summary row per
    /// tag; `--reports DIR` also writes each tag's report.
    #[arg(long)]
    pub(crate) scan: bool,
    /// With `--scan`: write each tag's report, in `--format`, to DIR/TAG.
    #[arg(long, value_name = "DIR", requires = "scan")]
    pub(crate) reports: Option<PathBuf>,
    /// The platform to scan in multi-platform tags, `os/arch[/variant]`.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Ask the registry for pages of N tags (it may send fewer).
    #[arg(long, value_name = "N")]
    pub(crate) page_size: Option<u32>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// A registry reference or `oci-layout:DIR`.
    #[arg(value_name = "IMAGE")]
    pub(crate) reference: String,
    /// A trusted public key (PEM, as `cosign.pub`); repeatable, any one suffices. The
    /// settings file's `signature.keys` are trusted too.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: Vec<PathBuf>,
    /// kensa's settings file (default: `kensa.yaml` in the current directory, when
    /// present; see docs/config.md).
    #[arg(
        long,
        value_name = "FILE",
        env = "KENSA_CONFIG",
        hide_env_values = true
    )]
    pub(crate) config: Option<PathBuf>,
    /// A Notary Project trust store: `x509/ca|signingAuthority/<name>/*.crt|*.pem`, as
    /// notation lays it out; with `--trust-policy`, Notation signatures are verified too.
    #[arg(long, value_name = "DIR", requires = "trust_policy")]
    pub(crate) trust_store: Option<PathBuf>,
    /// A Notary Project trust policy document (version 1.0, JSON).
    #[arg(long, value_name = "FILE", requires = "trust_store")]
    pub(crate) trust_policy: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SignArgs {
    /// A registry reference or `oci-layout:DIR`.
    #[arg(value_name = "IMAGE")]
    pub(crate) reference: String,
    /// The private key (`kensa keygen`); an encrypted one is opened with
    /// `KENSA_KEY_PASSWORD`.
    #[arg(long, value_name = "FILE")]
    pub(crate) key: PathBuf,
    /// Where to attach the signature: cosign's `sha256-<hex>.sig` tag, an OCI 1.1
    /// referrer, or both.
    #[arg(long, value_enum, default_value_t = AttachArg::Tag)]
    pub(crate) attach: AttachArg,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// `--attach`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AttachArg {
    /// The tag scheme every cosign reads.
    Tag,
    /// An OCI 1.1 referrer (and the `sha256-<hex>` index where the registry has no API).
    Referrers,
    /// Both.
    Both,
}

fn parse_age(value: &str) -> Result<u32, String> {
    kensa_registry::hygiene::parse_age(value).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub(crate) struct ImageArgs {
    /// A registry reference (`alpine`, `ghcr.io/org/app:1.4`, `host:5000/app@sha256:…`;
    /// short names are Docker Hub's, as in docker), or `oci-layout:DIR` for an OCI layout.
    #[arg(
        value_name = "IMAGE",
        required_unless_present = "input",
        conflicts_with = "input"
    )]
    pub(crate) reference: Option<String>,
    /// An image archive: `docker save` output or an OCI archive, detected from its content.
    #[arg(long, short = 'i', value_name = "PATH")]
    pub(crate) input: Option<PathBuf>,
    /// The platform to scan in a multi-platform image, `os/arch[/variant]`.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Also verify the image's cosign signature with `--key` (and the settings file's
    /// `signature.keys`, which turn the check on by themselves): unsigned or not
    /// verified is a finding (SP 800-190 4.1.5), a verified one is listed in the report.
    #[arg(long)]
    pub(crate) verify_signature: bool,
    /// A trusted public key for `--verify-signature`; repeatable, any one suffices.
    #[arg(long, value_name = "FILE", requires = "verify_signature")]
    pub(crate) key: Vec<PathBuf>,
    /// With `--trust-policy`, also verify Notary Project signatures (turns the check on).
    #[arg(long, value_name = "DIR", requires = "trust_policy")]
    pub(crate) trust_store: Option<PathBuf>,
    /// A Notary Project trust policy document (version 1.0, JSON).
    #[arg(long, value_name = "FILE", requires = "trust_store")]
    pub(crate) trust_policy: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

/// How a registry is reached. Credentials not given here come from `KENSA_USERNAME` and
/// `KENSA_PASSWORD`, else from `~/.docker/config.json` and its credential helpers.
#[derive(Debug, Args)]
#[command(next_help_heading = "Registry")]
pub(crate) struct RegistryArgs {
    /// Talk plain HTTP to the registry instead of HTTPS.
    #[arg(long)]
    pub(crate) insecure: bool,
    /// Also trust this CA certificate (PEM) for the registry's TLS; repeatable.
    /// `SSL_CERT_FILE` replaces the system roots.
    #[arg(long, value_name = "FILE")]
    pub(crate) ca_cert: Vec<PathBuf>,
    /// The registry username; the password is read from stdin (`--password-stdin`).
    #[arg(long, value_name = "USER", requires = "password_stdin")]
    pub(crate) username: Option<String>,
    /// Read the registry password or token from stdin (with `--username`).
    #[arg(long, requires = "username")]
    pub(crate) password_stdin: bool,
    /// Seconds to wait for a connection, a response or the next bytes of a blob.
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub(crate) timeout: u64,
}

#[derive(Debug, Args)]
pub(crate) struct DirArgs {
    /// The directory to scan.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

#[derive(Debug, Args)]
pub(crate) struct FsArgs {
    /// The directory to scan.
    #[arg(value_name = "DIR")]
    pub(crate) dir: PathBuf,
    /// Also scan what `.gitignore` and `.ignore` files exclude (build output, installed
    /// dependencies), which is left out by default.
    #[arg(long)]
    pub(crate) no_ignore: bool,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    // Last: its registry flags open the help's "Registry" heading.
    #[command(flatten)]
    pub(crate) images: ManifestImageArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DockerfileArgs {
    /// The Dockerfiles to lint.
    #[arg(value_name = "FILE", required = true)]
    pub(crate) files: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ManifestArgs {
    /// Manifest files, directories (searched for `*.yaml`, `*.yml`, `*.json`), or `-`
    /// for stdin.
    #[arg(value_name = "PATH", required = true)]
    pub(crate) paths: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) common: CommonArgs,
    // Last: its registry flags open the help's "Registry" heading.
    #[command(flatten)]
    pub(crate) images: ManifestImageArgs,
}

/// Images read with the manifests, for `kensa manifest` and `kensa fs`.
#[derive(Debug, Args)]
pub(crate) struct ManifestImageArgs {
    /// An image the manifests run, read with them: when its config's USER is not root,
    /// "may run as root" (KS-MF-001) is cleared, with the reason, for the containers
    /// whose `image` names it (by digest, else repository and tag). A registry
    /// reference, `oci-layout:DIR` or an archive; `REF=IMAGE` when the manifests call it
    /// REF. Repeatable; only the manifest and config are read.
    #[arg(long = "image", value_name = "[REF=]IMAGE")]
    pub(crate) images: Vec<String>,
    #[command(flatten)]
    pub(crate) registry: RegistryArgs,
}

#[derive(Debug, Args)]
pub(crate) struct SbomArgs {
    /// An image archive, `oci-layout:DIR`, or a directory.
    #[arg(value_name = "TARGET")]
    pub(crate) target: String,
    /// The SBOM format.
    #[arg(
        long,
        short = 'f',
        value_name = "FORMAT",
        value_enum,
        ignore_case = true,
        default_value_t = SbomFormat(Format::CycloneDx)
    )]
    pub(crate) format: SbomFormat,
    /// Write the SBOM to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Keep development dependencies in the SBOM.
    #[arg(long)]
    pub(crate) include_dev_deps: bool,
    /// The platform to take from a multi-platform image.
    #[arg(long, value_name = "PLATFORM")]
    pub(crate) platform: Option<String>,
    /// Where the layer cache lives (default: `$XDG_CACHE_HOME/kensa`).
    #[arg(
        long,
        value_name = "DIR",
        env = "KENSA_CACHE_DIR",
        hide_env_values = true
    )]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Do not read or write the layer cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
}

#[derive(Debug, Args)]
pub(crate) struct DbArgs {
    #[command(subcommand)]
    pub(crate) action: DbAction,
    /// The database directory (default: `$XDG_DATA_HOME/kensa/db`).
    #[arg(
        long,
        value_name = "DIR",
        env = "KENSA_DB_DIR",
        global = true,
        hide_env_values = true
    )]
    pub(crate) db_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum DbAction {
    /// Build the database from OSV records: JSON files, directories of them, or the
    /// per-ecosystem `all.zip` archives osv.dev publishes. Replaces the database atomically.
    Import {
        /// Files, directories or zip archives.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
    /// Download osv.dev's per-ecosystem archives and rebuild the database from them.
    /// Downloads resume and retry; the old database serves until the new one is complete.
    Update {
        /// Base URL of a mirror laid out as `<base>/<Ecosystem>/all.zip`; may be repeated,
        /// tried in order (default: osv.dev's public download location).
        #[arg(long, value_name = "URL")]
        mirror: Vec<String>,
        /// An OSV ecosystem to download (e.g. `Debian`, `PyPI`); may be repeated
        /// (default: every ecosystem kensa inventories).
        #[arg(long, value_name = "NAME")]
        ecosystem: Vec<String>,
        /// URL of the cvelistV5 release archive (CVE JSON 5 records) to import too; may be
        /// repeated, tried in order as mirrors.
        #[arg(long, value_name = "URL")]
        cve_list: Vec<String>,
        /// URL of CISA's `known_exploited_vulnerabilities.json`; may be repeated (mirrors).
        #[arg(long, value_name = "URL")]
        kev: Vec<String>,
        /// URL of FIRST's EPSS scores (`.csv.gz` or `.csv`); may be repeated (mirrors).
        #[arg(long, value_name = "URL")]
        epss: Vec<String>,
    },
    /// Show the database's sources, record counts and age.
    Info,
}

#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// Scanners to run, comma-separated; empty (`--scanners ""`) runs none, leaving the
    /// package inventory alone.
    #[arg(
        long,
        value_name = "LIST",
        value_parser = ScannerListParser,
        action = clap::ArgAction::Append,
        default_values_t = [ScannerList(Scanner::DEFAULT.to_vec())]
    )]
    pub(crate) scanners: Vec<ScannerList>,
    /// The advisory database directory (default: `$XDG_DATA_HOME/kensa/db`).
    #[arg(long, value_name = "DIR", env = "KENSA_DB_DIR", hide_env_values = true)]
    pub(crate) db_dir: Option<PathBuf>,
    /// Warn when the advisory database is older than this many days (0: never).
    #[arg(long, value_name = "DAYS", default_value_t = 30)]
    pub(crate) db_max_age: u64,
    /// kensa's settings file: Dockerfile lint settings and secret rules (default:
    /// `kensa.yaml` in the current directory, when present; see docs/config.md).
    #[arg(
        long,
        value_name = "FILE",
        env = "KENSA_CONFIG",
        hide_env_values = true
    )]
    pub(crate) config: Option<PathBuf>,
    /// An ignore file (default: `.kensaignore` in the current directory, when present).
    #[arg(long, value_name = "FILE")]
    pub(crate) ignorefile: Option<PathBuf>,
    /// An OpenVEX or CycloneDX VEX document; may be repeated.
    #[arg(long, value_name = "FILE")]
    pub(crate) vex: Vec<PathBuf>,
    /// Do not report vulnerabilities that have no fix yet.
    #[arg(long)]
    pub(crate) ignore_unfixed: bool,
    /// Keep development dependencies (npm devDependencies, Composer packages-dev,
    /// Poetry/PDM/uv dev groups) in the package list, vulnerability matching and SBOMs.
    #[arg(long)]
    pub(crate) include_dev_deps: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, ignore_case = true, default_value_t = Format::Table, value_name = "FORMAT")]
    pub(crate) format: Format,
    /// Write the report to this file instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Only report findings of these severities, comma-separated.
    #[arg(
        long,
        short = 's',
        value_enum,
        ignore_case = true,
        value_delimiter = ',',
        value_name = "LIST"
    )]
    pub(crate) severity: Vec<Severity>,
    /// Exit with this code when a reported finding is at or above `--fail-on`
    /// (default: any reported finding). 2 is reserved for errors.
    #[arg(long, value_name = "CODE", default_value_t = 0)]
    pub(crate) exit_code: u8,
    /// The lowest severity that fails the run; implies `--exit-code 1` unless one is given.
    #[arg(long, value_enum, ignore_case = true, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<Severity>,
    /// Show the package inventory in the table.
    #[arg(long)]
    pub(crate) list_packages: bool,
    /// No progress or summary on stderr.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
    /// Where the layer cache lives (default: `$XDG_CACHE_HOME/kensa`).
    #[arg(
        long,
        value_name = "DIR",
        env = "KENSA_CACHE_DIR",
        hide_env_values = true
    )]
    pub(crate) cache_dir: Option<PathBuf>,
    /// Do not read or write the layer cache.
    #[arg(long)]
    pub(crate) no_cache: bool,
    /// Refuse layers that decompress to more than this many times their size.
    #[arg(long, value_name = "RATIO", default_value_t = WalkOptions::default().max_layer_ratio)]
    pub(crate) max_layer_ratio: u64,
    /// Order of vulnerabilities in the table (default: `priority` when the database has
    /// KEV, EPSS or CVE-record data for them, else `severity`).
    #[arg(long, value_enum, ignore_case = true, value_name = "KEY")]
    pub(crate) sort_by: Option<kensa_report::SortBy>,
    /// Group vulnerabilities in the table under the package upgrade that fixes them.
    #[arg(long, value_enum, value_name = "WHAT")]
    pub(crate) group_by: Option<GroupBy>,
    /// Fail the run (`--exit-code`, default 1) when a reported vulnerability is in CISA's
    /// Known Exploited Vulnerabilities catalog.
    #[arg(long)]
    pub(crate) fail_on_kev: bool,
    /// Fail the run (`--exit-code`, default 1) when a reported vulnerability's EPSS score
    /// is at or above this probability (0 to 1).
    #[arg(long, value_name = "SCORE")]
    pub(crate) fail_on_epss: Option<f64>,
    /// A directory (or file) of ClamAV signature databases for the `malware` scanner;
    /// may be repeated. Giving one turns the `malware` scanner on (docs/malware.md).
    #[arg(long, value_name = "DIR")]
    pub(crate) malware_db: Vec<PathBuf>,
    /// A YARA rule file for the `malware` scanner (the `.yar`/`.yara` files of the
    /// `--malware-db` directories are read too); may be repeated. Giving one turns the
    /// `malware` scanner on (docs/malware.md).
    #[arg(long, value_name = "FILE")]
    pub(crate) yara: Vec<PathBuf>,
}

/// A `--group-by` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GroupBy {
    /// Findings that one package upgrade fixes, with the version that fixes them all.
    Fix,
}

#[derive(Debug, Args)]
pub(crate) struct CacheArgs {
    #[command(subcommand)]
    pub(crate) action: CacheAction,
    /// The cache directory (default: `$XDG_CACHE_HOME/kensa`).
    #[arg(
        long,
        value_name = "DIR",
        env = "KENSA_CACHE_DIR",
        global = true,
        hide_env_values = true
    )]
    pub(crate) cache_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CacheAction {
    /// Show where the cache is and how big it is.
    Info,
    /// Delete the cache.
    Clean,
}

/// A format `kensa sbom` writes: one of [`Format::ALL`] that is an SBOM.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SbomFormat(pub(crate) Format);

static SBOM_FORMATS: LazyLock<Vec<SbomFormat>> = LazyLock::new(|| {
    Format::ALL
        .iter()
        .copied()
        .filter(|f| f.is_sbom())
        .map(SbomFormat)
        .collect()
});

impl ValueEnum for SbomFormat {
    fn value_variants<'a>() -> &'a [Self] {
        &SBOM_FORMATS
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()).help(self.0.description()))
    }
}

/// One `--scanners` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScannerList(pub(crate) Vec<Scanner>);

impl fmt::Display for ScannerList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.as_str()).collect();
        f.write_str(&names.join(","))
    }
}

/// Parses `--scanners` by [`Scanner`]'s own `ValueEnum`, item by item. A whole list is
/// one value, rather than clap's `value_delimiter`, so that an empty one is no scanners
/// instead of a missing value.
#[derive(Clone)]
struct ScannerListParser;

impl TypedValueParser for ScannerListParser {
    type Value = ScannerList;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<ScannerList, clap::Error> {
        let one = EnumValueParser::<Scanner>::new();
        let text = value
            .to_str()
            .ok_or_else(|| clap::Error::new(clap::error::ErrorKind::InvalidUtf8).with_cmd(cmd))?;
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| one.parse_ref(cmd, arg, OsStr::new(s)))
            .collect::<Result<_, _>>()
            .map(ScannerList)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            Scanner::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}
