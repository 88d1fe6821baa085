//! Measures how fast one gzip backend inflates a real layer blob, optionally hashing
//! the output with sha256 as kensa must (layer diff ids are digests of the tar stream).
//!
//! Usage: inflate-bench FILE [--sha256] [--runs N] | inflate-bench --backend
//! Prints one line: backend, hashing, uncompressed bytes, best seconds, MB/s.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

const BACKEND: &str = if cfg!(feature = "libdeflate") {
    "libdeflater"
} else if cfg!(feature = "zlib-ng") {
    "flate2/zlib-ng"
} else if cfg!(feature = "zlib-rs") {
    "flate2/zlib-rs"
} else {
    "flate2/miniz_oxide"
};

/// A sink that drops the bytes, hashing them first when asked.
struct Sink {
    hasher: Option<Sha256>,
    bytes: u64,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if let Some(h) = self.hasher.as_mut() {
            h.update(buf);
        }
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn with_path(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("`{}`: {e}", path.display()))
}

#[cfg(not(feature = "libdeflate"))]
fn inflate(path: &Path, sink: &mut Sink) -> io::Result<()> {
    use std::io::BufReader;

    let file = File::open(path).map_err(|e| with_path(path, e))?;
    // Layers are single-member gzip; MultiGz also accepts concatenated members.
    let mut decoder = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(256 * 1024, file));
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = decoder.read(&mut buf).map_err(|e| with_path(path, e))?;
        if n == 0 {
            return Ok(());
        }
        sink.write_all(buf.get(..n).unwrap_or_default())?;
    }
}

/// libdeflate has no streaming API: the whole compressed file and the whole output
/// must be in memory at once, sized from the gzip trailer (ISIZE, mod 4 GiB).
#[cfg(feature = "libdeflate")]
fn inflate(path: &Path, sink: &mut Sink) -> io::Result<()> {
    let mut input = Vec::new();
    File::open(path)
        .and_then(|mut f| f.read_to_end(&mut input))
        .map_err(|e| with_path(path, e))?;
    let isize = input
        .len()
        .checked_sub(4)
        .and_then(|at| input.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("`{}`: too short for gzip", path.display()),
            )
        })?;
    let mut output = vec![0u8; isize as usize];
    let n = libdeflater::Decompressor::new()
        .gzip_decompress(&input, &mut output)
        .map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("`{}`: {e}", path.display()),
            )
        })?;
    sink.write_all(output.get(..n).unwrap_or_default())
}

fn run(path: &Path, sha: bool) -> io::Result<(u64, Duration, Option<String>)> {
    let start = Instant::now();
    let mut sink = Sink {
        hasher: sha.then(Sha256::new),
        bytes: 0,
    };
    inflate(path, &mut sink)?;
    let digest = sink.hasher.map(|h| format!("{:x}", h.finalize()));
    Ok((sink.bytes, start.elapsed(), digest))
}

fn main() -> io::Result<()> {
    let mut path = None;
    let mut sha = false;
    let mut runs = 3u32;
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--sha256") => sha = true,
            Some("--backend") => {
                println!("{BACKEND}");
                return Ok(());
            }
            Some("--runs") => {
                runs = args
                    .next()
                    .and_then(|v| v.to_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| {
                        io::Error::new(io::ErrorKind::InvalidInput, "`--runs` needs a number")
                    })?;
            }
            _ => path = Some(PathBuf::from(arg)),
        }
    }
    let path = path.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "usage: inflate-bench FILE [--sha256] [--runs N]",
        )
    })?;
    let mut best: Option<(u64, Duration, Option<String>)> = None;
    for _ in 0..runs.max(1) {
        let r = run(&path, sha)?;
        if best.as_ref().is_none_or(|b| r.1 < b.1) {
            best = Some(r);
        }
    }
    if let Some((bytes, t, digest)) = best {
        let secs = t.as_secs_f64();
        let mbps = if secs > 0.0 {
            bytes as f64 / 1e6 / secs
        } else {
            0.0
        };
        println!(
            "{BACKEND:<20} {:<7} {bytes:>12} bytes {secs:>7.3} s {mbps:>8.0} MB/s{}",
            if sha { "+sha256" } else { "" },
            digest.map(|d| format!(" sha256:{d}")).unwrap_or_default()
        );
    }
    Ok(())
}
