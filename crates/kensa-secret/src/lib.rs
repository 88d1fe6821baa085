//! Secret detection: a built-in rule set with an Aho-Corasick keyword prefilter, linear-time regexes, entropy checks, allowlists and masking.
