//! The keyword prefilter: every occurrence of every rule keyword in a file, found
//! regardless of ASCII case, or in exactly the given case for keywords taken from
//! case-sensitive token prefixes (`AKIA`, `ghp_`).
//!
//! Written by hand because no crate does this fast enough for the ~170 keywords of the
//! rule set: the `aho-corasick` DFA with ASCII case folding steps byte by byte through a
//! table that does not fit in L1 (about 350 MB/s on the benchmark corpus), and its SIMD
//! searcher (Teddy) takes neither case folding nor more than 128 patterns.
//!
//! Here each keyword is represented by one rare piece of it, its *anchor*: 4 bytes, or
//! 3 for 3-byte keywords. One pass reads the case-folded 4 bytes at every position and
//! looks up a hash of them, and a hash of their first 3, in a 64 KiB table of anchors;
//! ordinary text sets off few entries, and only there are the keywords with that anchor
//! compared in full. Positions are taken 16 at a time with one branch per block, so the
//! pass stays branch-free where there is nothing to find. Keywords shorter than 3 bytes
//! are found with `memchr::memmem`, once per case variant.

use memchr::memmem;

/// ORed into every byte before hashing: it maps ASCII upper case to lower case (and
/// folds some punctuation and control bytes together, which only costs a comparison).
const FOLD: u32 = 0x2020_2020;
const FOLD64: u64 = 0x2020_2020_2020_2020;
const TABLE_BITS: u32 = 16;
/// Positions looked up between two branches.
const BLOCK: usize = 16;
/// The multiplier of the Fibonacci hash (the golden ratio).
const MUL: u32 = 0x9E37_79B1;
const GRAM3: u32 = 0x00FF_FFFF;

/// A keyword as the scanner registers it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Keyword {
    /// The bytes; lower case unless `exact`.
    pub(crate) bytes: Vec<u8>,
    /// The text must equal `bytes` in case too.
    pub(crate) exact: bool,
}

/// One occurrence of a keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hit {
    /// Index of the keyword in the list given to [`KeywordSearcher::new`].
    pub(crate) keyword: usize,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

#[derive(Clone, Copy, Debug)]
struct Anchor {
    /// The folded bytes as a little-endian word (3-byte anchors in its low 24 bits).
    gram: u32,
    width: u8,
    keyword: usize,
    /// Where the anchor starts inside the keyword.
    offset: usize,
}

/// The compiled keyword set. Searching allocates only for the hits.
pub(crate) struct KeywordSearcher {
    keywords: Vec<Keyword>,
    /// Where the hash of some anchor lands, the number of its slot plus one; both
    /// hashes share it. Slots past 255 share the last one.
    table: Box<[u8; 1 << TABLE_BITS]>,
    /// The anchors whose hash lands in each used entry of `table`.
    slots: Vec<Vec<Anchor>>,
    /// Keywords shorter than 3 bytes, one finder per case variant.
    short: Vec<(usize, memmem::Finder<'static>)>,
}

impl KeywordSearcher {
    /// Compiles `keywords`; none may be empty.
    pub(crate) fn new(keywords: Vec<Keyword>) -> KeywordSearcher {
        let mut table = Box::new([0u8; 1 << TABLE_BITS]);
        let mut slots: Vec<Vec<Anchor>> = Vec::new();
        let mut short = Vec::new();
        for (index, keyword) in keywords.iter().enumerate() {
            let width = keyword.bytes.len().min(4);
            if width < 3 {
                for variant in case_variants(&keyword.bytes, keyword.exact) {
                    short.push((index, memmem::Finder::new(&variant).into_owned()));
                }
                continue;
            }
            let (offset, gram) = rarest_gram(&keyword.bytes, width);
            let (entry4, entry3) = hash(gram);
            let entry = if width == 4 { entry4 } else { entry3 };
            let Some(entry) = table.get_mut(entry) else {
                continue;
            };
            if *entry == 0 {
                slots.push(Vec::new());
                *entry = u8::try_from(slots.len()).unwrap_or(u8::MAX);
            }
            let anchor = Anchor {
                gram,
                width: width as u8,
                keyword: index,
                offset,
            };
            if let Some(slot) = slots.get_mut(usize::from(*entry) - 1) {
                slot.push(anchor);
            }
        }
        // Entries past 255 all point at the last slot; give it their anchors.
        if slots.len() > usize::from(u8::MAX) {
            let rest: Vec<Anchor> = slots.drain(usize::from(u8::MAX)..).flatten().collect();
            if let Some(last) = slots.last_mut() {
                last.extend(rest);
            }
        }
        KeywordSearcher {
            keywords,
            table,
            slots,
            short,
        }
    }

    /// Every keyword occurrence in `hay`, overlapping ones included, ordered by start
    /// and then keyword index, into `hits` (cleared first).
    pub(crate) fn find_all(&self, hay: &[u8], hits: &mut Vec<Hit>) {
        hits.clear();
        if !self.slots.is_empty() {
            let mut start = 0;
            while let Some(block) = hay.get(start..start + BLOCK + 4) {
                if let Ok(block) = block.try_into() {
                    let found = self.lookup_block(block);
                    if found != 0 {
                        self.verify(hay, start, found, hits);
                    }
                }
                start += BLOCK;
            }
            // The last positions, looked up in copies padded with zeros (which fold to
            // blanks: a false lookup at worst, as `verify` reads the real bytes).
            while let Some(tail) = hay.get(start..).filter(|t| !t.is_empty()) {
                let mut padded = [0u8; BLOCK + 4];
                let n = tail.len().min(padded.len());
                if let (Some(to), Some(from)) = (padded.get_mut(..n), tail.get(..n)) {
                    to.copy_from_slice(from);
                }
                let found = self.lookup_block(&padded);
                if found != 0 {
                    self.verify(hay, start, found, hits);
                }
                start += BLOCK;
            }
        }
        for (keyword, finder) in &self.short {
            let len = finder.needle().len();
            hits.extend(finder.find_iter(hay).map(|start| Hit {
                keyword: *keyword,
                start,
                end: start + len,
            }));
        }
        hits.sort_unstable_by_key(|h| (h.start, h.keyword));
    }

    /// For each of the `BLOCK` positions of `block`, a non-zero byte where an anchor may
    /// start. Every 8-byte load serves four positions; the table bytes are gathered
    /// without a branch.
    #[inline(always)]
    fn lookup_block(&self, block: &[u8; BLOCK + 4]) -> u128 {
        let mut found = [0u8; BLOCK];
        for (quad, out) in found.chunks_exact_mut(4).enumerate() {
            let Some(&[a, b, c, d, e, f, g, h]) = block.get(4 * quad..4 * quad + 8) else {
                continue;
            };
            let bytes = u64::from_le_bytes([a, b, c, d, e, f, g, h]) | FOLD64;
            for (shift, slot) in out.iter_mut().enumerate() {
                let (entry4, entry3) = hash((bytes >> (8 * shift)) as u32);
                *slot = self.entry(entry4) | self.entry(entry3);
            }
        }
        u128::from_le_bytes(found)
    }

    #[inline(always)]
    fn entry(&self, index: usize) -> u8 {
        self.table.get(index).copied().unwrap_or(0)
    }

    /// Compares in full the keywords whose anchor starts at a position of the block at
    /// `start` that `found` (from [`KeywordSearcher::lookup_block`]) marks.
    #[cold]
    fn verify(&self, hay: &[u8], start: usize, mut found: u128, hits: &mut Vec<Hit>) {
        while found != 0 {
            let at = start + (found.trailing_zeros() / 8) as usize;
            found &= !(0xFF << (found.trailing_zeros() / 8 * 8));
            let mut bytes = [0u8; 4];
            let available = hay.get(at..).unwrap_or_default();
            let n = available.len().min(4);
            if let (Some(to), Some(from)) = (bytes.get_mut(..n), available.get(..n)) {
                to.copy_from_slice(from);
            }
            let word = u32::from_le_bytes(bytes) | FOLD;
            let (entry4, entry3) = hash(word);
            for (entry, gram, width) in [(entry4, word, 4), (entry3, word & GRAM3, 3)] {
                let slot = self.entry(entry);
                let Some(anchors) = usize::from(slot)
                    .checked_sub(1)
                    .and_then(|s| self.slots.get(s))
                else {
                    continue;
                };
                for anchor in anchors {
                    if anchor.gram == gram && anchor.width == width {
                        self.compare(hay, at, anchor, hits);
                    }
                }
            }
        }
    }

    fn compare(&self, hay: &[u8], at: usize, anchor: &Anchor, hits: &mut Vec<Hit>) {
        let Some(keyword) = self.keywords.get(anchor.keyword) else {
            return;
        };
        let Some(start) = at.checked_sub(anchor.offset) else {
            return;
        };
        let end = start + keyword.bytes.len();
        let Some(text) = hay.get(start..end) else {
            return;
        };
        let equal = if keyword.exact {
            text == keyword.bytes.as_slice()
        } else {
            text.eq_ignore_ascii_case(&keyword.bytes)
        };
        if equal {
            hits.push(Hit {
                keyword: anchor.keyword,
                start,
                end,
            });
        }
    }
}

/// The table entries of the 4 bytes of `word` and of its first 3, from one multiply:
/// the low 24 bits of a product depend only on the low 24 bits of its factors. (One
/// multiply per position, not two, is what the multiplier port has time for.)
#[inline(always)]
fn hash(word: u32) -> (usize, usize) {
    let product = word.wrapping_mul(MUL);
    let entry4 = product >> (32 - TABLE_BITS);
    let entry3 = (product >> (24 - TABLE_BITS)) & ((1 << TABLE_BITS) - 1);
    (entry4 as usize, entry3 as usize)
}

/// The `width`-byte piece of `keyword` least likely to occur in ordinary text, as its
/// offset and its folded value the way the search sees it (a little-endian word).
fn rarest_gram(keyword: &[u8], width: usize) -> (usize, u32) {
    keyword
        .windows(width)
        .enumerate()
        .map(|(offset, piece)| {
            let folded: Vec<u8> = piece.iter().map(|&b| b | 0x20).collect();
            let pairs = folded
                .windows(2)
                .filter(|pair| COMMON_PAIRS.contains(&[pair[0], pair[1]]))
                .count();
            let cost = folded.iter().map(|&b| commonness(b)).sum::<u32>() + 12 * pairs as u32;
            let gram = folded
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            (cost, offset, gram)
        })
        .min_by_key(|&(cost, offset, _)| (cost, offset))
        .map_or((0, 0), |(_, offset, gram)| (offset, gram))
}

/// The most frequent letter pairs of English text, which identifiers are made of.
const COMMON_PAIRS: &[[u8; 2]] = &[
    *b"th", *b"he", *b"in", *b"er", *b"an", *b"re", *b"on", *b"at", *b"en", *b"nd", *b"ti", *b"es",
    *b"or", *b"te", *b"of", *b"ed", *b"is", *b"it", *b"al", *b"ar", *b"st", *b"to", *b"nt", *b"ng",
    *b"se", *b"ha", *b"as", *b"ou", *b"io", *b"le", *b"ve", *b"co", *b"me", *b"de", *b"hi", *b"ri",
    *b"ro", *b"ic", *b"ne", *b"ea", *b"ra", *b"ce", *b"li", *b"ch", *b"ll", *b"be", *b"ma", *b"si",
    *b"om", *b"ur", *b"ke", *b"ey", *b"ac", *b"cc", *b"ct", *b"et", *b"em", *b"ag", *b"ge",
];

/// A rough weight of how often a (folded) byte occurs in source code, configuration
/// and prose: letters by English frequency, blanks highest. Only the order matters.
fn commonness(b: u8) -> u32 {
    match b {
        b' ' | b'*' => 16, // `*` is where a folded newline lands
        b'e' => 12,
        b't' => 9,
        b'a' | b'o' => 8,
        b'i' | b'n' => 7,
        b's' | b'r' | b'h' => 6,
        b'l' | b'd' => 4,
        b'c' | b'u' | b'.' => 3,
        b'm'
        | b'f'
        | b'p'
        | b'g'
        | b'w'
        | b'y'
        | b'0'..=b'9'
        | b'-'
        | b'/'
        | b'"'
        | b'('
        | b')' => 2,
        b'b' | b'v' | b'k' | b':' | b'=' | 0x7f => 1, // 0x7f: a folded `_`
        _ => 0,
    }
}

/// Every spelling of a short keyword that the search must find.
fn case_variants(bytes: &[u8], exact: bool) -> Vec<Vec<u8>> {
    let mut variants = vec![Vec::with_capacity(bytes.len())];
    for &b in bytes {
        let spellings: &[u8] = if exact || !b.is_ascii_alphabetic() {
            &[b][..]
        } else {
            &[b.to_ascii_lowercase(), b.to_ascii_uppercase()][..]
        };
        variants = variants
            .into_iter()
            .flat_map(|prefix| {
                spellings.iter().map(move |&s| {
                    let mut v = prefix.clone();
                    v.push(s);
                    v
                })
            })
            .collect();
    }
    variants
}

#[cfg(test)]
mod tests {
    use aho_corasick::AhoCorasick;

    use super::*;

    fn keyword(text: &str, exact: bool) -> Keyword {
        Keyword {
            bytes: if exact {
                text.as_bytes().to_vec()
            } else {
                text.as_bytes().to_ascii_lowercase()
            },
            exact,
        }
    }

    fn find(searcher: &KeywordSearcher, hay: &str) -> Vec<(usize, usize)> {
        let mut hits = Vec::new();
        searcher.find_all(hay.as_bytes(), &mut hits);
        hits.iter().map(|h| (h.keyword, h.start)).collect()
    }

    #[test]
    fn finds_overlapping_keywords_in_any_case_and_exact_ones_in_theirs() {
        let s = KeywordSearcher::new(vec![
            keyword("password", false),
            keyword("AKIA", true),
            keyword("Q~", true),
            keyword("pwd", false),
            keyword("ssw", false),
            keyword("x", false),
        ]);
        assert_eq!(
            find(&s, "PassWord AKIA akia Q~ q~ PWD X"),
            [(0, 0), (4, 2), (1, 9), (2, 19), (3, 25), (5, 29)]
        );
        // Keywords at the very start and end, and a haystack shorter than an anchor.
        assert_eq!(find(&s, "pwd"), [(3, 0)]);
        assert_eq!(find(&s, "xpwd"), [(5, 0), (3, 1)]);
        assert_eq!(find(&s, "Q~"), [(2, 0)]);
        assert_eq!(find(&s, ""), []);
    }

    #[test]
    fn anchors_avoid_common_letters() {
        assert_eq!(
            rarest_gram(b"password", 4),
            (2, u32::from_le_bytes(*b"sswo"))
        );
        assert_eq!(
            rarest_gram(b"API_KEY", 4),
            (1, u32::from_le_bytes([b'p', b'i', 0x7f, b'k']))
        );
        assert_eq!(rarest_gram(b"pwd", 3), (0, u32::from_le_bytes(*b"pwd\0")));
    }

    #[test]
    fn short_keywords_are_found_in_every_case() {
        assert_eq!(
            case_variants(b"q~", false),
            [b"q~".to_vec(), b"Q~".to_vec()]
        );
        assert_eq!(case_variants(b"Q~", true), [b"Q~".to_vec()]);
        assert_eq!(case_variants(b"ab", false).len(), 4);
    }

    /// The same hits as an Aho-Corasick automaton (the engine this replaced), on text
    /// built to hold many keywords, near misses, and folded look-alikes (`_` vs DEL,
    /// `-` vs CR) next to each other.
    #[test]
    fn agrees_with_aho_corasick() {
        let words = [
            "password",
            "passwd",
            "pwd",
            "secret",
            "api_key",
            "api-key",
            "AKIA",
            "ASIA",
            "://",
            "Q~",
            "-----BEGIN",
            "eyJ",
            "xoxb-",
            "glpat-",
            "sk_live_",
            "a",
            "~~~",
        ];
        let exact = |w: &str| w.bytes().any(|b| b.is_ascii_uppercase());
        let keywords: Vec<Keyword> = words.iter().map(|w| keyword(w, exact(w))).collect();
        let searcher = KeywordSearcher::new(keywords.clone());
        let insensitive = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(words)
            .unwrap();

        let pieces = [
            "PASSWORD",
            "pass",
            "word",
            "Secret",
            "secre",
            "api_KEY",
            "api\x7fkey",
            "api\rkey",
            "akia",
            "AKIA",
            "Asia",
            "ASIA",
            ":/",
            "://",
            "q~",
            "Q~",
            "-----begin",
            "-----BEGIN",
            "EYJ",
            "eyJ",
            "XOXB-",
            "glpat",
            "SK_LIVE_",
            "~",
            "\n",
            " ",
            "é",
            "\0",
        ];
        let mut rng = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..300 {
            let mut hay = String::new();
            for _ in 0..40 {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                hay.push_str(pieces[(rng % pieces.len() as u64) as usize]);
            }
            let mut expected: Vec<(usize, usize)> = insensitive
                .find_overlapping_iter(&hay)
                .filter(|m| {
                    let k = &keywords[m.pattern().as_usize()];
                    !k.exact || hay.as_bytes()[m.start()..m.end()] == k.bytes[..]
                })
                .map(|m| (m.pattern().as_usize(), m.start()))
                .collect();
            expected.sort_by_key(|&(k, s)| (s, k));
            assert_eq!(find(&searcher, &hay), expected, "in {hay:?}");
        }
    }
}
