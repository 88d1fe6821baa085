//! Writes a synthetic OCI layout for `bench/registry.sh` when no real image is at hand:
//! LAYERS gzip layers of about MB megabytes each, half text (which compresses like
//! source and docs) and half pseudo-random bytes (like binaries already compressed).
//!
//! Usage: `cargo run -p kensa-testkit --example bench-layout -- DIR [LAYERS] [MB]`

use std::path::PathBuf;

use kensa_testkit::{Entry, Image, Layer};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "target/bench/layout".into()));
    let layers: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(16);
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut noise = |len: usize| {
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            out.extend_from_slice(&seed.to_le_bytes());
        }
        out.truncate(len);
        out
    };
    let file_size = 256 * 1024;
    let per_layer = mb * 1024 * 1024 / file_size;
    let layers = (0..layers)
        .map(|l| {
            let entries = (0..per_layer)
                .map(|f| {
                    let path = format!("opt/layer{l}/file{f}");
                    if f % 2 == 0 {
                        let line = format!("layer {l} file {f}: the quick brown fox jumps\n");
                        Entry::file(&path, line.repeat(file_size / line.len()))
                    } else {
                        Entry::file(&path, noise(file_size))
                    }
                })
                .collect();
            Layer::new(entries)
        })
        .collect();
    Image::new(layers).write_oci_layout(&dir)?;
    Ok(())
}
