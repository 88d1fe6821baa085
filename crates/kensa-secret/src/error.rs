//! Errors of building a secret scanner from a configuration.

/// A secret configuration (or a built-in rule) that cannot be compiled.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// A rule's regex does not compile.
    #[error("secret rule `{id}`: invalid regex `{regex}`")]
    InvalidRegex {
        /// The rule id.
        id: String,
        /// The regex as written.
        regex: String,
        /// Why it does not compile.
        #[source]
        source: Box<regex::Error>,
    },
    /// Two enabled rules share an id.
    #[error("secret rule id `{id}` is used twice (disable the built-in rule to replace it)")]
    DuplicateRule {
        /// The id.
        id: String,
    },
    /// A rule id is not kebab-case.
    #[error("secret rule id `{id}` is not kebab-case (expected lowercase letters, digits and `-`)")]
    InvalidRuleId {
        /// The id.
        id: String,
    },
    /// `disable_rules` names a rule that does not exist.
    #[error("`disable_rules` names `{id}`, which is not a built-in secret rule")]
    UnknownRule {
        /// The id.
        id: String,
    },
    /// A keyword is empty.
    #[error("secret rule `{id}`: keywords must not be empty strings")]
    EmptyKeyword {
        /// The rule id.
        id: String,
    },
    /// An entropy threshold outside 0..=8 bits.
    #[error("secret rule `{id}`: entropy `{entropy}` is out of range (expected 0 to 8)")]
    InvalidEntropy {
        /// The rule id.
        id: String,
        /// The value given.
        entropy: f32,
    },
    /// An `allow_paths` glob does not parse.
    #[error("`allow_paths` entry `{glob}` is not a valid glob")]
    InvalidGlob {
        /// The glob as written.
        glob: String,
        /// Why.
        #[source]
        source: globset::Error,
    },
    /// An `allow_regexes` entry does not compile.
    #[error("`allow_regexes` entry `{regex}` is not a valid regex")]
    InvalidAllowRegex {
        /// The regex as written.
        regex: String,
        /// Why.
        #[source]
        source: Box<regex::Error>,
    },
}
