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

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_copies_decompress_to_the_file_and_only_compressible_files_get_them() {
        let dir = tempfile::TempDir::new().unwrap();
        let app = dir.path().join("chat");
        std::fs::create_dir_all(&app).unwrap();
        let wasm = b"\0asm wasm wasm wasm wasm wasm wasm wasm wasm wasm".repeat(50);
        std::fs::write(app.join("a-0123456789abcdef_bg.wasm"), &wasm).unwrap();
        std::fs::write(app.join("notify.wav"), &wasm).unwrap();
        std::fs::write(dir.path().join("tiny.js"), b"1").unwrap();
        precompress(dir.path()).unwrap();

        let br = std::fs::read(app.join("a-0123456789abcdef_bg.wasm.br")).unwrap();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, wasm);
        let gz = std::fs::read(app.join("a-0123456789abcdef_bg.wasm.gz")).unwrap();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, wasm);
        // The sound is compressed already; a copy no smaller than its file is not written.
        assert!(!app.join("notify.wav.br").exists());
        assert!(!dir.path().join("tiny.js.br").exists());
        assert!(!dir.path().join("tiny.js.gz").exists());
    }
}
