//! The keyword prefilter: every occurrence of every rule keyword in a file, found
//! regardless of ASCII case, or in exactly the given case for keywords taken from
//! case-sensitive token prefixes (`AKIA`, `ghp_`).
//!
//! Written by hand because no crate does this fast enough for the ~170 keywords of the
//! rule set: the `aho-corasick` DFA with ASCII case folding steps byte by byte through a
//! table that does not fit in L1 (about 350 MB/s on the benchmark corpus), and its SIMD
//! searcher (Teddy) takes neither case folding nor more than 128 patterns.
//!
//! Here each keyword is represented by rare 4-byte pieces, its *anchors*: the rarest
//! 4 bytes of a longer keyword, or a 3-byte keyword with each byte that may stand next
//! to it (which the rule names; all 128 folded bytes when it does not). One pass reads
//! the case-folded 4 bytes at every position and looks a hash of them up in a 128 KiB
//! table of anchors; ordinary text sets off few entries, and only there are the
//! keywords with that anchor compared in full. Positions are taken 16 at a time with
//! one branch per block and one multiply per position, so the pass stays branch-free
//! where there is nothing to find. Keywords shorter than 3 bytes are found with
//! `memchr::memmem`, once per case variant.

use memchr::memmem;

/// ORed into every byte before hashing: it maps ASCII upper case to lower case (and
/// folds some punctuation and control bytes together, which only costs a comparison).
const FOLD: u8 = 0x20;
const FOLD32: u32 = 0x2020_2020;
const FOLD64: u64 = 0x2020_2020_2020_2020;
const TABLE_BITS: u32 = 17;
/// Positions looked up between two branches.
const BLOCK: usize = 16;
/// The multiplier of the Fibonacci hash (the golden ratio).
const MUL: u32 = 0x9E37_79B1;

/// A keyword as the scanner registers it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Keyword {
    /// The bytes; lower case unless `exact`.
    pub(crate) bytes: Vec<u8>,
    /// The text must equal `bytes` in case too.
    pub(crate) exact: bool,
    /// For a 3-byte keyword, the bytes a match may have next to it; the search widens
    /// the keyword by them into 4-byte anchors.
    pub(crate) next: Neighbours,
}

/// The bytes that may stand next to a 3-byte keyword in a match of its rule.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Neighbours {
    /// Unknown: any byte.
    Any,
    /// One of these bytes follows the keyword.
    After(Vec<u8>),
    /// One of these bytes precedes the keyword.
    Before(Vec<u8>),
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
    /// Its entry in the table.
    entry: usize,
    /// The folded bytes as a little-endian word.
    gram: u32,
    keyword: usize,
    /// Where the anchor starts relative to the keyword (-1 for a byte before it).
    offset: isize,
}

/// The compiled keyword set. Searching allocates only for the hits.
pub(crate) struct KeywordSearcher {
    keywords: Vec<Keyword>,
    /// One where the hash of some anchor lands.
    table: Box<[u8; 1 << TABLE_BITS]>,
    /// Sorted by entry.
    anchors: Vec<Anchor>,
    /// For each table entry, where its anchors start in `anchors`, plus one (0: none).
    /// Only read where the table says so, so it need not fit in a cache. Past 65,534
    /// anchors the rest are found by `entries` and a binary search (`u16::MAX`).
    first_anchor: Box<[u16]>,
    /// The entry of each anchor, for that search.
    entries: Vec<u32>,
    /// Keywords shorter than 3 bytes, one finder per case variant.
    short: Vec<(usize, memmem::Finder<'static>)>,
}

impl KeywordSearcher {
    /// Compiles `keywords`; none may be empty.
    pub(crate) fn new(keywords: Vec<Keyword>) -> KeywordSearcher {
        let mut table = Box::new([0u8; 1 << TABLE_BITS]);
        let mut all = Vec::new();
        let mut short = Vec::new();
        for (index, keyword) in keywords.iter().enumerate() {
            let anchors = match keyword.bytes.len() {
                0..=2 => {
                    for variant in case_variants(&keyword.bytes, keyword.exact) {
                        short.push((index, memmem::Finder::new(&variant).into_owned()));
                    }
                    continue;
                }
                3 => widened(&keyword.bytes, &keyword.next),
                _ => vec![rarest_gram(&keyword.bytes)],
            };
            for (offset, gram) in anchors {
                let entry = hash(gram);
                if let Some(present) = table.get_mut(entry) {
                    *present = 1;
                }
                all.push(Anchor {
                    entry,
                    gram,
                    keyword: index,
                    offset,
                });
            }
        }
        all.sort_by_key(|a| (a.entry, a.gram, a.keyword));
        let mut first_anchor = vec![0u16; 1 << TABLE_BITS].into_boxed_slice();
        for (index, anchor) in all.iter().enumerate().rev() {
            if let Some(first) = first_anchor.get_mut(anchor.entry) {
                *first = u16::try_from(index + 1).unwrap_or(u16::MAX);
            }
        }
        KeywordSearcher {
            keywords,
            table,
            first_anchor,
            entries: all.iter().map(|a| a.entry as u32).collect(),
            anchors: all,
            short,
        }
    }

    /// Every keyword occurrence in `hay`, overlapping ones included, ordered by start
    /// and then keyword index, into `hits` (cleared first).
    pub(crate) fn find_all(&self, hay: &[u8], hits: &mut Vec<Hit>) {
        hits.clear();
        if !self.anchors.is_empty() {
            // (A keyword widened by the byte before it has its anchor one byte before
            // it; at the very start of the text it cannot be part of a match.)
            let mut start = 0;
            while let Some(block) = hay.get(start..start + BLOCK + 4) {
                if let Ok(block) = block.try_into() {
                    let found = self.lookup_block(block);
                    if found != 0 {
                        self.verify(hay, start as isize, found, hits);
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
                    self.verify(hay, start as isize, found, hits);
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
                *slot = self.entry(hash((bytes >> (8 * shift)) as u32));
            }
        }
        u128::from_le_bytes(found)
    }

    #[inline(always)]
    fn entry(&self, index: usize) -> u8 {
        // `hash` stays below the table's length; the mask only spares a bounds check.
        self.table[index & ((1 << TABLE_BITS) - 1)]
    }

    /// Compares in full the keywords whose anchor starts at a position of the block at
    /// `start` that `found` (from [`KeywordSearcher::lookup_block`]) marks.
    #[cold]
    fn verify(&self, hay: &[u8], start: isize, mut found: u128, hits: &mut Vec<Hit>) {
        while found != 0 {
            let lane = found.trailing_zeros() / 8;
            found &= !(0xFF << (lane * 8));
            let at = start + lane as isize;
            // The 4 bytes at `at`, with zeros past the end, as the lookup saw them.
            let word = match usize::try_from(at).ok().and_then(|at| hay.get(at..at + 4)) {
                Some(&[a, b, c, d]) => fold_word([a, b, c, d]),
                _ => {
                    let mut bytes = [0u8; 4];
                    for (k, byte) in bytes.iter_mut().enumerate() {
                        *byte = usize::try_from(at + k as isize)
                            .ok()
                            .and_then(|pos| hay.get(pos))
                            .copied()
                            .unwrap_or(0);
                    }
                    fold_word(bytes)
                }
            };
            let entry = hash(word);
            let first = match self.first_anchor.get(entry).copied().unwrap_or(0) {
                0 => continue,
                u16::MAX => self.entries.partition_point(|&e| (e as usize) < entry),
                first => usize::from(first) - 1,
            };
            let anchors = self.anchors.get(first..).unwrap_or_default();
            for anchor in anchors.iter().take_while(|a| a.entry == entry) {
                if anchor.gram == word {
                    self.compare(hay, at - anchor.offset, anchor.keyword, hits);
                }
            }
        }
    }

    fn compare(&self, hay: &[u8], start: isize, index: usize, hits: &mut Vec<Hit>) {
        let (Ok(start), Some(keyword)) = (usize::try_from(start), self.keywords.get(index)) else {
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
                keyword: index,
                start,
                end,
            });
        }
    }
}

#[inline(always)]
fn hash(word: u32) -> usize {
    (word.wrapping_mul(MUL) >> (32 - TABLE_BITS)) as usize
}

fn fold_word(bytes: [u8; 4]) -> u32 {
    u32::from_le_bytes(bytes) | FOLD32
}

/// The anchors of a 3-byte keyword: the keyword with each folded neighbour.
fn widened(keyword: &[u8], next: &Neighbours) -> Vec<(isize, u32)> {
    let &[a, b, c] = keyword else {
        return Vec::new();
    };
    let all: Vec<u8> = (0..=u8::MAX).collect();
    let (neighbours, before) = match next {
        Neighbours::Any => (all.as_slice(), false),
        Neighbours::After(bytes) => (bytes.as_slice(), false),
        Neighbours::Before(bytes) => (bytes.as_slice(), true),
    };
    let mut anchors: Vec<(isize, u32)> = neighbours
        .iter()
        .map(|&n| {
            if before {
                (-1, fold_word([n, a, b, c]))
            } else {
                (0, fold_word([a, b, c, n]))
            }
        })
        .collect();
    anchors.sort_unstable();
    anchors.dedup();
    anchors
}

/// The 4-byte piece of `keyword` least likely to occur in ordinary text, as its offset
/// and its folded value the way the search sees it (a little-endian word).
fn rarest_gram(keyword: &[u8]) -> (isize, u32) {
    keyword
        .windows(4)
        .enumerate()
        .map(|(offset, piece)| {
            let folded: Vec<u8> = piece.iter().map(|&b| b | FOLD).collect();
            let pairs = folded
                .windows(2)
                .filter(|pair| COMMON_PAIRS.contains(&[pair[0], pair[1]]))
                .count();
            let in_word = COMMON_WORDS
                .iter()
                .any(|w| w.windows(4).any(|g| g == folded.as_slice()));
            let cost = folded.iter().map(|&b| commonness(b)).sum::<u32>()
                + 12 * pairs as u32
                + if in_word { 100 } else { 0 };
            let gram = folded
                .iter()
                .rev()
                .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
            (cost, offset as isize, gram)
        })
        .min_by_key(|&(cost, offset, _)| (cost, offset))
        .map_or((0, 0), |(_, offset, gram)| (offset, gram))
}

/// Words common in code and configuration that keywords are made of (`bitbucket`,
/// `service_account`): an anchor inside one of them would be hit all the time.
const COMMON_WORDS: &[&[u8]] = &[
    b"access",
    b"account",
    b"bucket",
    b"client",
    b"config",
    b"debug",
    b"google",
    b"private",
    b"public",
    b"secret",
    b"service",
    b"session",
    b"token",
    b"password",
    b"server",
];

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
            next: Neighbours::Any,
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
        assert_eq!(rarest_gram(b"password"), (2, u32::from_le_bytes(*b"sswo")));
        // `buck` would be hit by every `bucket`.
        assert_eq!(rarest_gram(b"bitbucket"), (2, u32::from_le_bytes(*b"tbuc")));
        assert_eq!(
            rarest_gram(b"API_KEY"),
            (1, u32::from_le_bytes([b'p', b'i', 0x7f, b'k']))
        );
    }

    #[test]
    fn three_byte_keywords_are_found_next_to_their_neighbours() {
        let digits = b"0123456789".to_vec();
        let s = KeywordSearcher::new(vec![
            Keyword {
                bytes: b"-us".to_vec(),
                exact: true,
                next: Neighbours::After(digits.clone()),
            },
            Keyword {
                bytes: b":AA".to_vec(),
                exact: true,
                next: Neighbours::Before(digits),
            },
        ]);
        assert_eq!(find(&s, "x-us1 -usa 5:AAx a:AA"), [(0, 1), (1, 12)]);
        // Any neighbour: 128 anchors, and a keyword at the very end is found too.
        let any = KeywordSearcher::new(vec![keyword("pwd", false)]);
        assert_eq!(widened(b"pwd", &Neighbours::Any).len(), 128);
        assert_eq!(
            find(&any, "PWD pwd\0pwd\u{7f}pwd"),
            [(0, 0), (0, 4), (0, 8), (0, 12)]
        );
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

    /// Past 65,534 anchors the slot index runs out and a binary search takes over.
    #[test]
    fn huge_keyword_sets_still_find_every_keyword() {
        let words: Vec<String> = (0..600)
            .map(|i| format!("{}{:02}", char::from(b'a' + (i / 100) as u8), i % 100))
            .collect();
        let searcher = KeywordSearcher::new(words.iter().map(|w| keyword(w, false)).collect());
        assert!(searcher.anchors.len() > usize::from(u16::MAX));
        let hay = words.join(" ");
        let mut hits = Vec::new();
        searcher.find_all(hay.as_bytes(), &mut hits);
        let found: Vec<usize> = hits.iter().map(|h| h.keyword).collect();
        assert_eq!(found, (0..words.len()).collect::<Vec<_>>());
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
