//! Cache keys: one SHA-256 over a canonical, versioned encoding of everything that decides
//! a cached result, so that any kensa process (or machine, for a shared store) that
//! would compute the same result finds it under the same key, and no other does.
//!
//! # Encoding (version [`KEY_ENCODING`])
//!
//! ```text
//! key   = sha256( "kensa-cache-key\0" ‖ u32le(KEY_ENCODING) ‖ field(kind) ‖ field* )
//! field = u64le(len) ‖ bytes
//! ```
//!
//! Every field is length-prefixed, so no two different field sequences encode to the
//! same bytes; a list is a field holding its length in items, then its items. Integers
//! are little-endian fixed-width, strings UTF-8, digests their `algorithm:hex` text, an
//! absent optional value the empty field. The kind names what is keyed (`layer`,
//! `image-result`, `kensa-secret/settings`), so a settings digest can never equal a
//! layer key. Nothing is hashed through `Debug` (its output is not a stable format) or
//! into fewer than 256 bits (a shared cache must not serve a colliding entry).
//!
//! Changing this encoding means bumping [`KEY_ENCODING`]: old entries are then simply
//! not found. A test pins the key of a fixed input to a fixed hex string.

use std::fmt;

use sha2::{Digest as _, Sha256};

use crate::{Analyzer, Digest, RuleMeta};

/// The version of the key encoding described in the [module docs](self).
pub const KEY_ENCODING: u32 = 1;

/// Separates kensa's keys from any other SHA-256 of the same bytes.
const DOMAIN: &[u8] = b"kensa-cache-key\0";

/// A cache key: 32 bytes of SHA-256.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey([u8; 32]);

impl CacheKey {
    /// The key of what `producer` (an analyzer id, or `walker` for the layer index) at
    /// `version`, with the settings named by `settings`, made of the layer `diff_id`.
    pub fn layer(
        diff_id: &Digest,
        producer: &str,
        version: u32,
        settings: Option<&Digest>,
    ) -> CacheKey {
        let mut key = KeyBuilder::new("layer");
        key.digest(diff_id)
            .str(producer)
            .u32(version)
            .opt_digest(settings);
        key.finish()
    }

    /// The key of `analyzer`'s output for the layer `diff_id`.
    pub fn analyzer_output(diff_id: &Digest, analyzer: &dyn Analyzer) -> CacheKey {
        CacheKey::layer(
            diff_id,
            analyzer.id(),
            analyzer.version(),
            analyzer.settings_digest().as_ref(),
        )
    }

    /// The raw 32 bytes, as stores index them.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A key from its raw bytes (as a store hands them back).
    pub fn from_bytes(bytes: [u8; 32]) -> CacheKey {
        CacheKey(bytes)
    }

    /// Lowercase hex, for file names and logs.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CacheKey({})", self.to_hex())
    }
}

/// Builds a [`CacheKey`] (or a settings [`Digest`] that feeds one) field by field, in the
/// encoding of the [module docs](self).
#[derive(Clone)]
pub struct KeyBuilder {
    hasher: Sha256,
}

impl KeyBuilder {
    /// Starts a key of `kind`.
    pub fn new(kind: &str) -> KeyBuilder {
        let mut hasher = Sha256::new();
        hasher.update(DOMAIN);
        hasher.update(KEY_ENCODING.to_le_bytes());
        let mut builder = KeyBuilder { hasher };
        builder.str(kind);
        builder
    }

    /// Adds a field of raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        // usize is at most 64 bits on every target Rust supports.
        self.hasher.update((bytes.len() as u64).to_le_bytes());
        self.hasher.update(bytes);
        self
    }

    /// Adds a string field.
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    /// Adds a 32-bit integer field.
    pub fn u32(&mut self, n: u32) -> &mut Self {
        self.bytes(&n.to_le_bytes())
    }

    /// Adds a 64-bit integer field.
    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.bytes(&n.to_le_bytes())
    }

    /// Adds a boolean field (one byte, 0 or 1).
    pub fn bool(&mut self, b: bool) -> &mut Self {
        self.bytes(&[u8::from(b)])
    }

    /// Adds an optional string: the empty field when absent, else a marker byte and the
    /// text (so `Some("")` and `None` differ).
    pub fn opt_str(&mut self, s: Option<&str>) -> &mut Self {
        match s {
            None => self.bytes(&[]),
            Some(s) => {
                let mut field = Vec::with_capacity(1 + s.len());
                field.push(1);
                field.extend_from_slice(s.as_bytes());
                self.bytes(&field)
            }
        }
    }

    /// Adds a digest field (its `algorithm:hex` text).
    pub fn digest(&mut self, d: &Digest) -> &mut Self {
        self.str(d.as_str())
    }

    /// Adds an optional digest: the empty field when absent (a digest's text never is).
    pub fn opt_digest(&mut self, d: Option<&Digest>) -> &mut Self {
        self.str(d.map_or("", Digest::as_str))
    }

    /// Adds a list: its length, then each item as `item` writes it.
    pub fn list<T>(
        &mut self,
        items: impl IntoIterator<Item = T, IntoIter: ExactSizeIterator>,
        mut item: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        let items = items.into_iter();
        self.u64(items.len() as u64);
        for i in items {
            item(self, i);
        }
        self
    }

    /// Adds an analyzer as a cache key names it: id, code version, settings digest.
    pub fn analyzer(&mut self, analyzer: &dyn Analyzer) -> &mut Self {
        self.str(analyzer.id())
            .u32(analyzer.version())
            .opt_digest(analyzer.settings_digest().as_ref())
    }

    /// Adds a rule's metadata (its findings carry all of it), for the digest of a rule
    /// table. Taken apart with an exhaustive pattern: a new field must be added here.
    pub fn rule_meta(&mut self, meta: &RuleMeta) -> &mut Self {
        let RuleMeta {
            id,
            title,
            severity,
            section,
            why,
            fix,
            links,
        } = *meta;
        self.str(id)
            .str(title)
            .str(severity.as_str())
            .str(section.code())
            .str(why)
            .str(fix)
            .list(links, |k, l| {
                k.str(l);
            })
    }

    /// The key.
    pub fn finish(self) -> CacheKey {
        CacheKey(self.hasher.finalize().into())
    }

    /// The same hash as a `sha256:` digest, for a settings digest that feeds other keys.
    pub fn finish_digest(self) -> Digest {
        Digest::sha256_from_bytes(&self.finish().0)
    }
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff_id(c: char) -> Digest {
        format!("sha256:{}", c.to_string().repeat(64))
            .parse()
            .unwrap()
    }

    /// The key of a fixed input is the same in every process, on every machine and with
    /// every compiler, so a cache shared between them is served by each. If this fails,
    /// the encoding changed: bump `KEY_ENCODING` and update the constant.
    #[test]
    fn a_fixed_input_has_a_fixed_key() {
        let settings = diff_id('5');
        let key = CacheKey::layer(&diff_id('d'), "dpkg", 3, Some(&settings));
        // Also computed from the module docs' description alone, in Python's hashlib.
        assert_eq!(
            key.to_hex(),
            "2f2bb67790b5f2f1fb6ee936edd587f55457bf60838063f233adf7ae3606886f",
            "the key encoding changed"
        );
        let mut settings = KeyBuilder::new("example/settings");
        settings.str("ignored").list(["DL3008", "DL3009"], |k, id| {
            k.str(id);
        });
        assert_eq!(
            settings.finish_digest().as_str(),
            "sha256:f29c62a1d58f4a27cbdae296486d425728ca13faed69c9341d7e59dd24c5a995"
        );
    }

    #[test]
    fn every_field_is_part_of_the_key() {
        let base = CacheKey::layer(&diff_id('d'), "dpkg", 3, None);
        assert_eq!(base, CacheKey::layer(&diff_id('d'), "dpkg", 3, None));
        let settings = diff_id('5');
        for other in [
            CacheKey::layer(&diff_id('e'), "dpkg", 3, None),
            CacheKey::layer(&diff_id('d'), "apk", 3, None),
            CacheKey::layer(&diff_id('d'), "dpkg", 4, None),
            CacheKey::layer(&diff_id('d'), "dpkg", 3, Some(&settings)),
        ] {
            assert_ne!(base, other);
        }
    }

    #[test]
    fn fields_do_not_run_into_each_other() {
        let key = |fields: &[&str]| {
            let mut k = KeyBuilder::new("t");
            for f in fields {
                k.str(f);
            }
            k.finish()
        };
        assert_ne!(key(&["ab", "c"]), key(&["a", "bc"]));
        assert_ne!(key(&["abc"]), key(&["ab", "c"]));
        assert_ne!(key(&[""]), key(&[]));
        let opt = |s: Option<&str>| {
            let mut k = KeyBuilder::new("t");
            k.opt_str(s);
            k.finish()
        };
        assert_ne!(opt(None), opt(Some("")));
        assert_ne!(KeyBuilder::new("a").finish(), KeyBuilder::new("b").finish());
    }

    #[test]
    fn hex_round_trips_through_bytes() {
        let key = CacheKey::layer(&diff_id('d'), "walker", 1, None);
        assert_eq!(key.to_hex().len(), 64);
        assert_eq!(CacheKey::from_bytes(*key.as_bytes()), key);
        assert_eq!(format!("{key}"), key.to_hex());
    }
}
