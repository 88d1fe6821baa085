//! Scanning a file too large to hold whole: its content arrives in pieces and is scanned
//! in overlapping, line-aligned segments of bounded size.
//!
//! A segment ends at a line end (when one is near) and the next one starts at a line start
//! at least [`OVERLAP`] bytes before that end. A secret shorter than the overlap therefore
//! lies whole in some segment: the one before reports it when its match starts before the
//! next segment does, the next one otherwise, so it is reported exactly once. Memory stays
//! at one segment plus one piece, whatever the file's size.

use kensa_core::Finding;

use crate::SecretScanner;

/// Bytes scanned at once, before the overlap.
const SEGMENT: usize = 1024 * 1024;
/// How far segments overlap: longer than any secret the rules describe (a PEM-armoured
/// 8192-bit RSA key is about 6.5 KB; minified lines are cut here too).
const OVERLAP: usize = 64 * 1024;

/// One file being scanned piece by piece; see [`SecretScanner::stream`].
pub struct SecretStream<'s> {
    scanner: &'s SecretScanner,
    path: String,
    /// The bytes not yet dropped: the current segment and what has arrived after it.
    window: Vec<u8>,
    /// The line number of `window[0]`.
    line: usize,
    findings: Vec<Finding>,
    /// An allowlisted path: nothing is scanned.
    skip: bool,
}

impl SecretScanner {
    /// Starts scanning the file at `path` in pieces ([`SecretStream::write`]), for files
    /// larger than one wants to hold in memory. Finds what [`SecretScanner::scan`] finds
    /// for every secret shorter than the segments' overlap (64 KiB).
    pub fn stream(&self, path: &str) -> SecretStream<'_> {
        SecretStream {
            scanner: self,
            path: path.to_owned(),
            window: Vec::new(),
            line: 1,
            findings: Vec::new(),
            skip: self.is_path_allowed(path),
        }
    }
}

impl SecretStream<'_> {
    /// The next piece of the file.
    pub fn write(&mut self, piece: &[u8]) {
        if self.skip {
            return;
        }
        self.window.extend_from_slice(piece);
        while self.window.len() >= SEGMENT + OVERLAP {
            self.scan_front();
        }
    }

    /// The file has ended: scans what is left and returns every finding, in file order.
    pub fn finish(mut self) -> Vec<Finding> {
        if !self.skip && !self.window.is_empty() {
            let found = self
                .scanner
                .scan_segment(&self.path, &self.window, usize::MAX, self.line);
            self.findings.extend(found);
        }
        self.findings
    }

    /// Scans one segment from the front of the window and drops what no later segment
    /// needs. The window holds at least `SEGMENT + OVERLAP` bytes.
    fn scan_front(&mut self) {
        let limit = SEGMENT + OVERLAP;
        let end = self
            .window
            .get(SEGMENT..limit)
            .and_then(|tail| memchr::memrchr(b'\n', tail))
            .map_or(limit, |i| SEGMENT + i + 1);
        let floor = end - OVERLAP;
        let next = self
            .window
            .get(floor - OVERLAP..floor)
            .and_then(|zone| memchr::memrchr(b'\n', zone))
            .map_or(floor, |i| floor - OVERLAP + i + 1);
        let segment = self.window.get(..end).unwrap_or_default();
        let found = self
            .scanner
            .scan_segment(&self.path, segment, next, self.line);
        self.findings.extend(found);
        let dropped = self.window.get(..next).unwrap_or_default();
        self.line = self
            .line
            .saturating_add(memchr::memchr_iter(b'\n', dropped).count());
        self.window.drain(..next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SecretConfig;

    fn scanner() -> SecretScanner {
        SecretScanner::new(&SecretConfig::default()).unwrap()
    }

    /// A GitHub token assembled at run time, so no complete token is in the source.
    fn token(n: usize) -> String {
        format!("ghp_{}{:013}", "R4nD0mL00k1ngT0k3nV4lu3", n)
    }

    /// Text of `lines` lines with a token on the lines `with_token` (1-based).
    fn text(lines: usize, width: usize, with_token: &[usize]) -> Vec<u8> {
        let mut out = Vec::new();
        for n in 1..=lines {
            if with_token.contains(&n) {
                out.extend_from_slice(format!("token = \"{}\"\n", token(n)).as_bytes());
            } else {
                out.extend(std::iter::repeat_n(b'x', width));
                out.push(b'\n');
            }
        }
        out
    }

    fn streamed(scanner: &SecretScanner, content: &[u8], piece: usize) -> Vec<Finding> {
        let mut stream = scanner.stream("big.txt");
        for p in content.chunks(piece) {
            stream.write(p);
        }
        stream.finish()
    }

    fn lines(findings: &[Finding]) -> Vec<u32> {
        findings.iter().filter_map(|f| f.location.line).collect()
    }

    #[test]
    fn finds_what_a_whole_scan_finds_at_every_boundary() {
        let scanner = scanner();
        // ~80-byte lines: 1 MiB is ~13,000 lines. Tokens sit right at, before and after
        // the segment and overlap boundaries, and far past the first segment.
        let marks = [
            1, 12_300, 12_900, 13_000, 13_100, 13_200, 13_300, 40_000, 49_999,
        ];
        let content = text(50_000, 79, &marks);
        let whole = scanner.scan("big.txt", &content);
        assert_eq!(lines(&whole).len(), marks.len(), "{whole:?}");
        for piece in [1000, 256 * 1024, 3 * 1024 * 1024] {
            let found = streamed(&scanner, &content, piece);
            assert_eq!(lines(&found), lines(&whole), "piece {piece}");
            assert_eq!(found, whole, "piece {piece}: same findings, same lines");
        }
    }

    #[test]
    fn a_secret_straddling_any_cut_of_a_single_huge_line_is_found_once() {
        let scanner = scanner();
        // One 3 MiB line (minified code): segments are cut inside it.
        for offset in [
            SEGMENT - 20,
            SEGMENT + OVERLAP - 20,
            2 * SEGMENT - OVERLAP - 10,
        ] {
            let mut content = vec![b' '; 3 * SEGMENT];
            let secret = format!("token=\"{}\"", token(7));
            content.splice(offset..offset + secret.len(), secret.bytes());
            let found = streamed(&scanner, &content, 64 * 1024);
            assert_eq!(found.len(), 1, "offset {offset}: {found:?}");
            assert_eq!(found, scanner.scan("big.txt", &content), "offset {offset}");
        }
    }

    #[test]
    fn a_private_key_across_a_segment_boundary_is_found() {
        let scanner = scanner();
        let body: String = (0..40)
            .map(|i| format!("{:064}\n", i).replace('0', "Ab"))
            .collect();
        let key = format!(
            "-----BEGIN RSA {k}-----\n{body}-----END RSA {k}-----\n",
            k = "PRIVATE KEY"
        );
        let mut content = text(13_100, 79, &[]);
        let at = SEGMENT - key.len() / 2;
        let at = at
            - content[..at]
                .iter()
                .rev()
                .take_while(|&&b| b != b'\n')
                .count();
        content.splice(at..at, key.bytes());
        let whole = scanner.scan("big.txt", &content);
        assert!(!whole.is_empty());
        assert_eq!(streamed(&scanner, &content, 100_000), whole);
    }

    #[test]
    fn allowlisted_paths_are_not_scanned() {
        let scanner = scanner();
        let mut stream = scanner.stream("usr/share/doc/x/README");
        stream.write(&text(10, 10, &[3]));
        assert!(stream.finish().is_empty());
    }
}
