//! Compressing the built assets once, at their best: brotli (quality 11, 16 MB window) and
//! gzip. The gzip copies of what a visitor downloads are written by Zopfli (the `zopfli`
//! crate), whose output every gzip reader takes and which is about 5% smaller than zlib's
//! level 9 (the open widget's wasm: 153,227 → 145,637 bytes); files past [`ZOPFLI_MAX`] (the
//! console's wasm, which only agents load) get zlib's level 9, because Zopfli would take most
//! of a minute over them. `cargo xtask assets` writes the copies beside each file (`x.br`,
//! `x.gz`), which the server sends as they are (see `crates/server/src/files.rs`), two files
//! at a time; `bench size` measures with the same settings, so its figures are the bytes a
//! browser downloads.

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::step::{Failure, Result};

/// The extensions worth compressing (the rest, like the sound, is compressed already or
/// gains nothing).
const COMPRESSIBLE: &[&str] = &["html", "js", "mjs", "css", "wasm", "svg", "json", "txt"];

/// The largest file Zopfli compresses (the widget's and the extras' wasm are under half of it).
const ZOPFLI_MAX: usize = 768 * 1024;

pub fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    if data.len() <= ZOPFLI_MAX {
        zopfli::compress(
            zopfli::Options::default(),
            zopfli::Format::Gzip,
            data,
            &mut out,
        )?;
    } else {
        let mut gz = GzEncoder::new(out, Compression::best());
        gz.write_all(data)?;
        out = gz.finish()?;
    }
    Ok(out)
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
    let mut files = Vec::new();
    compressible(dir, &mut files)?;
    // Largest first, taken by two workers in turn: the big wasm files do not end up queued
    // behind each other on one worker.
    files.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let next = std::sync::Mutex::new(files.into_iter());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| -> Result {
                    loop {
                        let Some((path, _)) = next.lock().expect("not poisoned").next() else {
                            return Ok(());
                        };
                        write_copies(&path)?;
                    }
                })
            })
            .collect();
        handles.into_iter().try_for_each(|handle| {
            handle
                .join()
                .map_err(|_| Failure("compressing an asset panicked".into()))?
        })
    })
}

/// The compressible files under `dir`, with their sizes.
fn compressible(dir: &Path, files: &mut Vec<(PathBuf, u64)>) -> Result {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            compressible(&path, files)?;
            continue;
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        if COMPRESSIBLE.contains(&ext) {
            let len = std::fs::metadata(&path)?.len();
            files.push((path, len));
        }
    }
    Ok(())
}

/// Writes the brotli and gzip copies of `path`, each only if smaller than the file.
fn write_copies(path: &Path) -> Result {
    let data = std::fs::read(path)?;
    for (suffix, copy) in [("br", brotli(&data)?), ("gz", gzip(&data)?)] {
        if copy.len() < data.len() {
            let mut name = path.to_path_buf().into_os_string();
            name.push(".");
            name.push(suffix);
            std::fs::write(name, copy)?;
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
