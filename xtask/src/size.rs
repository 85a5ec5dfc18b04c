//! What a visitor downloads, and the budgets it must stay within: the loader every host page
//! loads, and everything the open widget loads (its html, wasm, js and css), each measured
//! gzip-compressed at level 9. `cargo xtask bench size` prints the figures; `cargo xtask test`
//! fails when a budget is exceeded. The budgets live here and nowhere else.

use std::io::Write;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::step::{Failure, Result};

/// The loader, minified (SPEC §9 asks for 3 KB; reaching it is the fast-widget issue's
/// work; this budget keeps it from growing meanwhile).
pub const LOADER_BUDGET: usize = 3_400;
/// The open widget: a ratchet that only moves down (SPEC §9: ≤ 100 KB, aim 90 KB). Set at
/// what it measured when the budget was first enforced (168,938), rounded up.
pub const WIDGET_BUDGET: usize = 170_000;

/// Gzip sizes of one built assets directory.
pub struct Sizes {
    pub loader: usize,
    /// Each file the open widget loads, by name under `chat/`.
    pub widget_files: Vec<(String, usize)>,
}

impl Sizes {
    pub fn widget_total(&self) -> usize {
        self.widget_files.iter().map(|(_, n)| n).sum()
    }
}

/// Measures the assets in `out` (as `cargo xtask assets` builds them).
pub fn measure(out: &Path) -> Result<Sizes> {
    let loader = gzip_len(&std::fs::read(out.join("widget.js"))?)?;
    let mut files: Vec<_> = std::fs::read_dir(out.join("chat"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    let mut widget_files = Vec::new();
    for file in files {
        let name = file
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        widget_files.push((name, gzip_len(&std::fs::read(&file)?)?));
    }
    Ok(Sizes {
        loader,
        widget_files,
    })
}

/// Prints the figures with their budgets.
pub fn print(sizes: &Sizes) {
    println!(
        "loader   widget.js                      {:>7} bytes gzip (budget {LOADER_BUDGET})",
        sizes.loader
    );
    for (name, bytes) in &sizes.widget_files {
        println!("widget   chat/{name:<32} {bytes:>7} bytes gzip");
    }
    println!(
        "widget   total (html+wasm+js+css)       {:>7} bytes gzip (budget {WIDGET_BUDGET})",
        sizes.widget_total()
    );
}

/// Fails when the loader or the open widget is over its budget.
pub fn check(out: &Path) -> Result {
    let sizes = measure(out)?;
    print(&sizes);
    let mut over = Vec::new();
    if sizes.loader > LOADER_BUDGET {
        over.push(format!("loader {} > {LOADER_BUDGET}", sizes.loader));
    }
    if sizes.widget_total() > WIDGET_BUDGET {
        over.push(format!(
            "open widget {} > {WIDGET_BUDGET}",
            sizes.widget_total()
        ));
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(Failure(format!(
            "over the size budget (bytes gzip): {}",
            over.join(", ")
        )))
    }
}

fn gzip_len(data: &[u8]) -> Result<usize> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(data)?;
    Ok(gz.finish()?.len())
}
