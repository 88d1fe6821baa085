//! Blob access and verification: where bytes come from and proof that they are the
//! bytes the image names.

use std::io::{self, Read};

use kensa_core::Digest;
use sha2::{Digest as _, Sha256};

use crate::ImageError;

/// Something that can hand out readers for the blobs of one image, by path inside the
/// archive or layout (`blobs/sha256/<hex>`, `<id>/layer.tar`). Each call opens an
/// independent reader, so layers can be read in parallel.
pub(crate) trait BlobStore: Send + Sync {
    /// Opens the blob at `path`, with its stored size.
    fn open(&self, path: &str) -> Result<(Box<dyn Read + Send + '_>, u64), ImageError>;
    /// Whether `path` exists.
    fn contains(&self, path: &str) -> bool;
    /// The input, for error messages.
    fn describe(&self) -> &str;
}

/// The largest manifest, index or config kensa will read; real ones are kilobytes.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads a small JSON document whole, refusing oversized ones before buffering them.
pub(crate) fn read_document(store: &dyn BlobStore, path: &str) -> Result<Vec<u8>, ImageError> {
    let (reader, size) = store.open(path)?;
    if size > MAX_DOCUMENT_BYTES {
        return Err(ImageError::Limit {
            what: format!("{} `{path}`", store.describe()),
            limit: MAX_DOCUMENT_BYTES,
            unit: "bytes for a JSON document",
        });
    }
    let mut buf = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    reader
        .take(MAX_DOCUMENT_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ImageError::io(format!("{} `{path}`", store.describe()), e))?;
    Ok(buf)
}

/// Checks `bytes` against the digest that names them and, when a descriptor gives one,
/// its size.
pub(crate) fn verify_bytes(
    blob: &str,
    bytes: &[u8],
    expected: &Digest,
    expected_size: Option<u64>,
) -> Result<(), ImageError> {
    if expected.algorithm() == "sha256" {
        let actual = sha256_digest(bytes);
        return blob_mismatch(
            blob,
            Some(expected),
            &actual,
            expected_size.unwrap_or(bytes.len() as u64),
            bytes.len() as u64,
        )
        .map_or(Ok(()), Err);
    }
    Err(ImageError::invalid(
        blob,
        format!(
            "digest algorithm `{}` cannot be verified",
            expected.algorithm()
        ),
    ))
}

/// The error for a blob whose digest or size is not what its descriptor says, if either
/// differs. A wrong digest outranks a wrong size: it names both, since the digest is what
/// says the blob is not the one the image names.
pub(crate) fn blob_mismatch(
    blob: &str,
    expected: Option<&Digest>,
    actual: &Digest,
    expected_size: u64,
    actual_size: u64,
) -> Option<ImageError> {
    let sizes = (expected_size != actual_size).then_some((expected_size, actual_size));
    match expected {
        Some(expected) if expected != actual => Some(ImageError::BlobDigest {
            blob: blob.to_owned(),
            expected: expected.clone(),
            actual: actual.clone(),
            sizes,
        }),
        _ => sizes.map(|(expected, actual)| ImageError::BlobSize {
            blob: blob.to_owned(),
            expected,
            actual,
        }),
    }
}

/// The sha256 digest of `bytes`.
pub(crate) fn sha256_digest(bytes: &[u8]) -> Digest {
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    Digest::sha256_from_bytes(&hash)
}

/// A reader that hashes and counts what passes through it, and refuses to yield more
/// than `limit` bytes (the decompression-bomb guard when it wraps a decoder).
pub(crate) struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    limit: u64,
    stage: Stage,
}

/// Which limit a [`HashingReader`] enforces, so the error can say what went wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// The stored blob is longer than its descriptor says.
    Blob,
    /// The decompressed stream outgrew the decompression-bomb limit.
    Uncompressed,
}

impl<R: Read> HashingReader<R> {
    pub(crate) fn new(inner: R, limit: u64, stage: Stage) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
            limit,
            stage,
        }
    }

    /// Reads to the end (so the digest covers the whole stream), then returns the digest,
    /// the byte count and the inner reader.
    pub(crate) fn finish(mut self) -> io::Result<(Digest, u64, R)> {
        io::copy(&mut self, &mut io::sink())?;
        let hash: [u8; 32] = self.hasher.finalize().into();
        Ok((Digest::sha256_from_bytes(&hash), self.count, self.inner))
    }
}

/// The marker carried by the `io::Error` a [`HashingReader`] returns at its limit, so the
/// walker can tell a bomb from a broken stream.
#[derive(Debug)]
pub(crate) struct LimitExceeded(Stage);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("size limit exceeded")
    }
}

impl std::error::Error for LimitExceeded {}

/// The stage whose limit an I/O error reports, if it is such an error.
pub(crate) fn limit_exceeded(e: &io::Error) -> Option<Stage> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
        .map(|l| l.0)
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(LimitExceeded(self.stage)));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_everything_even_when_the_consumer_stops_early() {
        let data = b"hello world".to_vec();
        let mut r = HashingReader::new(&data[..], u64::MAX, Stage::Blob);
        let mut first = [0u8; 5];
        r.read_exact(&mut first).unwrap();
        let (digest, count, _) = r.finish().unwrap();
        assert_eq!(count, 11);
        assert_eq!(digest, sha256_digest(&data));
    }

    #[test]
    fn stops_at_the_limit() {
        let data = [0u8; 100];
        let mut r = HashingReader::new(&data[..], 10, Stage::Uncompressed);
        let err = io::copy(&mut r, &mut io::sink()).unwrap_err();
        assert_eq!(limit_exceeded(&err), Some(Stage::Uncompressed));
    }
}
