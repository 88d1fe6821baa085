//! The layer walker's entry point: an [`Analyzer`] that runs the secret scanner on
//! every regular file.

use std::sync::LazyLock;

use kensa_core::{
    AnalysisOutput, AnalyzeError, Analyzer, Digest, FileInput, FileMeta, FileSink, FindingPolicy,
    PathAllowlist, PathSpec, Scanner, TextScanner,
};

use crate::{SecretConfig, SecretError, SecretScanner};

/// The scanner of the default configuration, compiled on first use and shared.
static DEFAULT_SCANNER: LazyLock<Result<SecretScanner, SecretError>> =
    LazyLock::new(|| SecretScanner::new(&SecretConfig::default()));

/// The default scanner, or the error that kept the built-in rules from compiling.
pub fn default_scanner() -> Result<&'static SecretScanner, &'static SecretError> {
    DEFAULT_SCANNER.as_ref()
}

/// Scans every regular file for clear-text secrets (SP 800-190 4.1.4).
///
/// [`SecretAnalyzer::new`] (a `const fn`, so it fits in a registry slice) uses the
/// built-in rules; [`SecretAnalyzer::with_config`] carries a scanner built from the
/// user's configuration, for the CLI to put in its analyzer list instead.
#[derive(Debug, Default)]
pub struct SecretAnalyzer {
    custom: Option<Box<SecretScanner>>,
}

/// The default secret analyzer, for registry slices.
pub static SECRET_ANALYZER: SecretAnalyzer = SecretAnalyzer::new();

impl SecretAnalyzer {
    /// The analyzer with the built-in rules and allowlists.
    pub const fn new() -> SecretAnalyzer {
        SecretAnalyzer { custom: None }
    }

    /// An analyzer with the rules and allowlists of `config`.
    pub fn with_config(config: &SecretConfig) -> Result<SecretAnalyzer, SecretError> {
        Ok(SecretAnalyzer::with_scanner(SecretScanner::new(config)?))
    }

    /// An analyzer around an already compiled scanner.
    pub fn with_scanner(scanner: SecretScanner) -> SecretAnalyzer {
        SecretAnalyzer {
            custom: Some(Box::new(scanner)),
        }
    }

    /// The scanner this analyzer runs.
    pub fn secret_scanner(&self) -> Result<&SecretScanner, AnalyzeError> {
        match &self.custom {
            Some(s) => Ok(s),
            None => default_scanner().map_err(|e| {
                AnalyzeError::new(format!("the built-in secret rules do not compile: {e}"))
            }),
        }
    }
}

impl Analyzer for SecretAnalyzer {
    fn id(&self) -> &'static str {
        "secret"
    }

    fn version(&self) -> u32 {
        crate::scanner::ENGINE_VERSION
    }

    /// The built-in tables and the user's settings.
    fn settings_digest(&self) -> Option<Digest> {
        // The default digest is computed without compiling the rules: a warm rescan
        // only needs the cache key.
        static DEFAULT: LazyLock<Digest> =
            LazyLock::new(|| SecretScanner::settings_digest_of(&SecretConfig::default()));
        Some(match &self.custom {
            Some(scanner) => scanner.settings_digest().clone(),
            None => DEFAULT.clone(),
        })
    }

    fn scanner(&self) -> Option<Scanner> {
        Some(Scanner::Secret)
    }

    fn wants(&self) -> &'static [PathSpec] {
        &[PathSpec::AnyFile]
    }

    fn max_file_size(&self) -> u64 {
        10 * 1024 * 1024
    }

    /// Binaries are declined from their first bytes, before the walker buffers them: they
    /// are the bulk of an image and the scanner would skip them anyway.
    fn accepts(&self, _meta: &FileMeta, head: &[u8]) -> bool {
        !crate::is_binary(head)
    }

    fn analyze(&self, file: &FileInput<'_>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        let scanner = self.secret_scanner()?;
        out.findings.extend(scanner.scan(file.path, file.content));
        Ok(())
    }

    /// Files over the whole-file limit (logs, dumps, bundles) are scanned as they stream
    /// past, in bounded memory, rather than skipped.
    fn stream<'s>(&'s self, path: &str, _meta: &FileMeta) -> Option<Box<dyn FileSink + 's>> {
        let scanner = self.secret_scanner().ok()?;
        Some(Box::new(StreamSink(scanner.stream(path))))
    }

    /// A secret stays in the layer that added it whatever later layers do, so its
    /// finding is kept after the file is deleted.
    fn finding_policy(&self) -> FindingPolicy {
        FindingPolicy {
            survives_deletion: true,
            allowlisted: true,
        }
    }

    /// The built-in path allowlist, plus the user's `allow_paths` when configured. A
    /// test fixture is one thing to allow for every content rule, not one per rule.
    fn path_allowlist(&self) -> Option<&dyn PathAllowlist> {
        match &self.custom {
            Some(scanner) => Some(&**scanner),
            // Not compiled for this: a `--scanners config` run needs only the globs.
            None => Some(&BuiltinAllowlist),
        }
    }

    /// The secret rules, for the image rules that read config strings (`Env`, labels,
    /// history), whether or not the `secret` scanner runs.
    fn text_scanner(&self) -> Option<&dyn TextScanner> {
        self.secret_scanner()
            .ok()
            .map(|scanner| scanner as &dyn TextScanner)
    }
}

/// The walker's view of a [`crate::SecretStream`].
struct StreamSink<'s>(crate::SecretStream<'s>);

impl FileSink for StreamSink<'_> {
    fn write(&mut self, piece: &[u8]) -> Result<(), AnalyzeError> {
        self.0.write(piece);
        Ok(())
    }

    fn finish(self: Box<Self>, out: &mut AnalysisOutput) -> Result<(), AnalyzeError> {
        out.findings.extend(self.0.finish());
        Ok(())
    }
}

/// The built-in [`ALLOW_PATHS`](crate::ALLOW_PATHS) alone, without compiling the rules.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinAllowlist;

impl PathAllowlist for BuiltinAllowlist {
    fn allows(&self, path: &str) -> bool {
        crate::is_builtin_allowed_path(path)
    }
}

impl PathAllowlist for SecretScanner {
    fn allows(&self, path: &str) -> bool {
        self.is_path_allowed(path)
    }
}

impl TextScanner for SecretScanner {
    fn scan_text(&self, source: &str, text: &str) -> Vec<kensa_core::Finding> {
        SecretScanner::scan_text(self, source, text)
    }
}
