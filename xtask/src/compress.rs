//! Compressing the built assets once, at their best: brotli (quality 11, 16 MB window) and
//! gzip (level 9). `cargo xtask assets` writes the copies beside each file (`x.br`, `x.gz`),
//! which the server sends as they are (see `crates/server/src/files.rs`); `bench size`
//! measures with the same settings, so its figures are the bytes a browser downloads.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::step::Result;

/// The extensions worth compressing (the rest, like the sound, is compressed already or
/// gains nothing).
const COMPRESSIBLE: &[&str] = &["html", "js", "mjs", "css", "wasm", "svg", "json", "txt"];

pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(data)?;
    Ok(gz.finish()?)
}

pub fn brotli(data: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params)?;
    Ok(out)
}

/// Writes `x.br` and `x.gz` beside every compressible file `x` under `dir`, when smaller.
pub fn precompress(dir: &Path) -> Result {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            precompress(&path)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if !COMPRESSIBLE.contains(&ext) {
            continue;
        }
        let data = std::fs::read(&path)?;
        for (suffix, copy) in [("br", brotli(&data)?), ("gz", gzip(&data)?)] {
            if copy.len() < data.len() {
                let mut name = path.clone().into_os_string();
                name.push(".");
                name.push(suffix);
                std::fs::write(name, copy)?;
            }
        }
    }
    Ok(())
}
