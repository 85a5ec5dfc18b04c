//! Building the two browser apps (the widget under `chat/`, the console under `console/`)
//! without trunk: per app `cargo build`, wasm-bindgen (`bindgen_tool.rs`), wasm-opt, terser on
//! the JS glue, lightningcss on the styles, content-hashed file names and the page.
//!
//! Trunk stays the tool for the live-reload loop (`cargo xtask live`), and each app's
//! `index.html` stays written for it: its `<link data-trunk …>` lines are the one list of what
//! an app is made of (which binary, how hard wasm-opt works, which styles, which copied
//! files). This file reads those lines and does what trunk's release build did, with the
//! tools the test run needs anyway, so that a fresh machine does not compile trunk (16 of
//! the 36 minutes a first `cargo xtask dev` took).

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384};

use crate::step::{self, Failure, Result};
use crate::wasm_toolchain::WasmToolchain;
use crate::{bindgen_tool, tools};

/// One browser app: where its `index.html` is and where it is served.
pub struct App {
    /// The directory holding the app's `index.html` (and the files it names).
    pub dir: PathBuf,
    /// The URL path it is served under, with slashes: `/chat/`.
    pub public_url: &'static str,
    /// A second wasm module the app loads on demand (the widget's extras), if any.
    pub extras: Option<Extras>,
}

/// A wasm library an app loads only when it needs it: built in the app's cargo invocation,
/// bundled under `<public_url>extras/` with hashed names, and made loadable by the app's
/// start script, which defines `window.<global>()`: a promise of the initialised module (one
/// load, retried after a failure).
pub struct Extras {
    /// The cargo package (a cdylib).
    pub package: &'static str,
    /// The name of the loading function the start script defines.
    pub global: &'static str,
    /// Its message catalogs, relative to the app's directory: every `<language>.json` but
    /// English (compiled in) is copied beside the module, where it fetches the visitor's.
    pub catalogs: &'static str,
}

/// What an app's `index.html` says it is made of (its `data-trunk` links).
#[derive(Debug, Default, PartialEq)]
struct Recipe {
    /// The cargo binary (`data-bin`), which is also the base of the built file names.
    bin: String,
    /// wasm-opt's level (`data-wasm-opt`, `z` → `-Oz`); none skips wasm-opt.
    wasm_opt: Option<String>,
    /// Style sheets, relative to the app's directory.
    css: Vec<String>,
    /// Files copied as they are, relative to the app's directory.
    copy: Vec<String>,
    /// The page without its `data-trunk` lines.
    page: String,
}

/// Builds every app into `out/<public_url>`, on nightly when it is chosen and falling back
/// to stable when that build fails. Returns the toolchain that built each app.
///
/// One `cargo build` per app, as trunk did: built together, the two apps' dependencies
/// would share their features (the console's uuid v7, futures-channel's std, …), which made
/// the widget's wasm larger (133,516 → 133,639 bytes gzip in `cargo xtask bench size`), and
/// most dependencies build twice either way, once per feature set.
///
/// What does not wait for a lock runs alongside the cargo builds, which take turns on the
/// wasm target directory's: the wasm-bindgen tool builds while the first app compiles, and
/// each app is bundled (wasm-bindgen, wasm-opt, minifiers) while the next one compiles.
pub fn build_all(apps: &[App], out: &Path, toolchain: WasmToolchain) -> Result<Vec<WasmToolchain>> {
    let wasm_dir = crate::dev::target_dir().join("wasm32-unknown-unknown/wasm-release");
    std::thread::scope(|scope| {
        let mut tool = Some(scope.spawn(bindgen_tool::build));
        let mut bindgen_path = None;
        let mut built = Vec::new();
        let mut bundles = Vec::new();
        for app in apps {
            let recipe = read_recipe(&app.dir.join("index.html"))?;
            let extras = app.extras.as_ref().map(|e| e.package);
            built.push(compile(&app.dir, &recipe.bin, extras, toolchain)?);
            if let Some(tool) = tool.take() {
                bindgen_path = Some(step::join(tool)?);
            }
            let bindgen = bindgen_path.clone().expect("the tool was built above");
            let wasm_dir = &wasm_dir;
            bundles.push(scope.spawn(move || {
                let dist = out.join(app.public_url.trim_matches('/'));
                let loader = match &app.extras {
                    Some(extras) => {
                        bundle_extras(&bindgen, app, extras, wasm_dir, &dist.join("extras"))?
                    }
                    None => String::new(),
                };
                let wasm = wasm_dir.join(format!("{}.wasm", recipe.bin));
                bundle(&bindgen, app, &recipe, &wasm, &dist, &loader)
            }));
        }
        for bundled in bundles {
            step::join(bundled)?;
        }
        Ok(built)
    })
}

/// Builds the app's binary and, in the same cargo invocation (one dependency graph, built
/// once), its extras' library.
fn compile(
    dir: &Path,
    bin: &str,
    extras: Option<&str>,
    toolchain: WasmToolchain,
) -> Result<WasmToolchain> {
    let what = match extras {
        Some(extras) => format!("build {bin} and {extras} (wasm32, wasm-release)"),
        None => format!("build {bin} (wasm32, wasm-release)"),
    };
    let cargo = |toolchain: WasmToolchain| {
        // Through rustup's `cargo` on PATH (see `tools::prepare_path`), which
        // `RUSTUP_TOOLCHAIN` switches to nightly; xtask's own cargo is stable's.
        let mut command = Command::new("cargo");
        command
            .current_dir(dir)
            // The size-tuned profile: the workspace's `release` is the server's.
            .args(["build", "--quiet", "--profile", "wasm-release"])
            .args([
                "--target",
                "wasm32-unknown-unknown",
                "-p",
                bin,
                "--bin",
                bin,
            ]);
        if let Some(extras) = extras {
            command.args(["-p", extras, "--lib"]);
        }
        toolchain.apply(&mut command);
        command
    };
    let stable =
        || step::run(&what, &mut cargo(WasmToolchain::Stable)).map(|()| WasmToolchain::Stable);
    match toolchain {
        WasmToolchain::Stable => stable(),
        // A nightly that cannot build what stable can (nightlies break now and then) costs
        // size, not the build.
        WasmToolchain::Nightly => {
            match step::run(&format!("{what} with nightly"), &mut cargo(toolchain)) {
                Ok(()) => Ok(WasmToolchain::Nightly),
                Err(e) => {
                    println!("    nightly failed ({e}); building with stable instead");
                    stable()
                }
            }
        }
    }
}

/// A wasm file through wasm-bindgen, wasm-opt and terser, written to `dist` with names
/// hashed by content. Returns the JavaScript glue's bytes and its and the wasm's names.
fn bindgen(
    tool: &Path,
    name: &str,
    wasm: &Path,
    wasm_opt: Option<&str>,
    dist: &Path,
) -> Result<(Vec<u8>, Vec<u8>, String, String)> {
    std::fs::create_dir_all(dist)?;
    let work = crate::dev::target_dir().join("wasm-bindgen").join(name);
    if work.exists() {
        std::fs::remove_dir_all(&work)?;
    }
    std::fs::create_dir_all(&work)?;
    step::run(
        &format!("wasm-bindgen {name}"),
        // `wasm-bindgen --target web --no-typescript`, through its library.
        Command::new(tool).arg(wasm).arg(&work).arg(name),
    )?;
    let bg = work.join(format!("{name}_bg.wasm"));
    if let Some(level) = wasm_opt {
        let optimised = work.join(format!("{name}_opt.wasm"));
        step::run(
            &format!("wasm-opt -O{level} {name}"),
            Command::new("wasm-opt")
                .arg(format!("-O{level}"))
                .arg("--output")
                .arg(&optimised)
                .arg(&bg),
        )?;
        std::fs::rename(&optimised, &bg)?;
    }
    // wasm-bindgen's glue is an ES module: its top level is private, so terser may rename it.
    let glue = work.join(format!("{name}.js"));
    step::run(
        &format!("minify {name}.js (terser)"),
        Command::new(tools::terser())
            .arg(&glue)
            .args(["--module", "--compress", "--mangle", "--comments", "false"])
            .arg("-o")
            .arg(&glue),
    )?;
    let (wasm_bytes, js_bytes) = (std::fs::read(&bg)?, std::fs::read(&glue)?);
    let base = format!("{name}-{}", content_hash(&[&wasm_bytes, &js_bytes]));
    let (js_name, wasm_name) = (format!("{base}.js"), format!("{base}_bg.wasm"));
    std::fs::write(dist.join(&js_name), &js_bytes)?;
    std::fs::write(dist.join(&wasm_name), &wasm_bytes)?;
    // Snippets (`#[wasm_bindgen(module = …)]`) keep the paths the glue imports them by.
    let snippets = work.join("snippets");
    if snippets.exists() {
        crate::assets::copy_tree(&snippets, &dist.join("snippets"))?;
    }
    Ok((wasm_bytes, js_bytes, js_name, wasm_name))
}

/// Bundles an app's extras into `dist` (at wasm-opt's size level, as the apps) and returns
/// the start-script statement that makes them loadable.
fn bundle_extras(
    tool: &Path,
    app: &App,
    extras: &Extras,
    wasm_dir: &Path,
    dist: &Path,
) -> Result<String> {
    let name = extras.package;
    let wasm = wasm_dir.join(format!("{}.wasm", name.replace('-', "_")));
    let (_, _, js_name, wasm_name) = bindgen(tool, name, &wasm, Some("z"), dist)?;
    for entry in std::fs::read_dir(app.dir.join(extras.catalogs))? {
        let path = entry?.path();
        let file = file_name(&path.to_string_lossy())?;
        if file.ends_with(".json") && file != "en.json" {
            std::fs::copy(&path, dist.join(file))?;
        }
    }
    Ok(extras_loader(
        extras.global,
        &format!("{}extras/{js_name}", app.public_url),
        &format!("{}extras/{wasm_name}", app.public_url),
    ))
}

/// The start script's statements (after the app's start) defining `window.<global>()`: the
/// module, imported and initialised once; a failed load is forgotten so that the next call
/// tries again, under a new URL (`?1`, `?2`, …: a browser may keep a failed module import
/// for its URL; the server ignores the query).
fn extras_loader(global: &str, js: &str, wasm: &str) -> String {
    format!(
        ";let x,n=0;window.{global}=()=>x||=import('{js}'+(n?'?'+n:'')).then(async m=>(await m.default({{module_or_path:'{wasm}'}}),m)).catch(e=>{{x=0;n++;throw e}})"
    )
}

/// wasm-bindgen, wasm-opt and terser on one app's wasm, its styles minified, every file named
/// by its content, and its page, whose start script ends with `loader`.
fn bundle(
    tool: &Path,
    app: &App,
    recipe: &Recipe,
    wasm: &Path,
    dist: &Path,
    loader: &str,
) -> Result {
    let (wasm_bytes, js_bytes, js_name, wasm_name) =
        bindgen(tool, &recipe.bin, wasm, recipe.wasm_opt.as_deref(), dist)?;
    let work = crate::dev::target_dir()
        .join("wasm-bindgen")
        .join(&recipe.bin);
    let mut head = String::new();
    for css in &recipe.css {
        let source = app.dir.join(css);
        let minified = work.join(file_name(css)?);
        step::run(
            &format!("minify {css} (lightningcss)"),
            Command::new(tools::lightningcss())
                .arg("--minify")
                .arg(&source)
                .arg("-o")
                .arg(&minified),
        )?;
        let bytes = std::fs::read(&minified)?;
        let stem = Path::new(css)
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| Failure(format!("no file name in {css}")))?;
        let name = format!("{stem}-{}.css", content_hash(&[&bytes]));
        std::fs::write(dist.join(&name), &bytes)?;
        head.push_str(&format!(
            "<link rel=\"stylesheet\" href=\"{}{name}\" integrity=\"{}\">",
            app.public_url,
            integrity(&bytes)
        ));
    }
    for file in &recipe.copy {
        std::fs::copy(app.dir.join(file), dist.join(file_name(file)?))?;
    }
    // The same start as trunk's: the glue and the wasm fetched in parallel with the page's
    // own parsing, then one small module script (the server's CSP allows it by its hash).
    let url = app.public_url;
    head.push_str(&format!(
        "<link rel=\"modulepreload\" href=\"{url}{js_name}\" crossorigin=\"anonymous\" integrity=\"{}\">\
         <link rel=\"preload\" href=\"{url}{wasm_name}\" crossorigin=\"anonymous\" integrity=\"{}\" as=\"fetch\" type=\"application/wasm\">\
         <script type=\"module\">import init from '{url}{js_name}';init({{module_or_path:'{url}{wasm_name}'}}){loader}</script>",
        integrity(&js_bytes),
        integrity(&wasm_bytes),
    ));
    let page = recipe
        .page
        .replacen("</head>", &format!("{head}</head>"), 1);
    if page == recipe.page {
        return Err(Failure(format!("{}: no </head>", app.dir.display())));
    }
    std::fs::write(dist.join("index.html"), page)?;
    Ok(())
}

fn file_name(path: &str) -> Result<String> {
    Path::new(path)
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_owned)
        .ok_or_else(|| Failure(format!("no file name in {path}")))
}

/// Reads an app's page: the `data-trunk` links become the recipe, every other line stays.
fn read_recipe(page: &Path) -> Result<Recipe> {
    let html = std::fs::read_to_string(page)?;
    let mut recipe = Recipe::default();
    for line in html.lines() {
        let trimmed = line.trim();
        if !trimmed.starts_with("<link") || !trimmed.contains("data-trunk") {
            recipe.page.push_str(trimmed);
            recipe.page.push('\n');
            continue;
        }
        let attr = |name: &str| attribute(trimmed, name);
        match attr("rel").as_deref() {
            Some("rust") => {
                recipe.bin = attr("data-bin").ok_or_else(|| {
                    Failure(format!("{}: rust link without data-bin", page.display()))
                })?;
                recipe.wasm_opt = attr("data-wasm-opt").filter(|level| level != "0");
            }
            Some("css") => recipe.css.extend(attr("href")),
            Some("copy-file") => recipe.copy.extend(attr("href")),
            other => {
                return Err(Failure(format!(
                    "{}: data-trunk rel {other:?} is not built by xtask (wasm_app.rs)",
                    page.display()
                )))
            }
        }
    }
    if recipe.bin.is_empty() {
        return Err(Failure(format!(
            "{}: no data-trunk rust link",
            page.display()
        )));
    }
    Ok(recipe)
}

/// The value of `name="…"` in one tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let len = tag[start..].find('"')?;
    Some(tag[start..start + len].to_owned())
}

/// The name part that changes with the content, so the server can cache the file forever
/// (`files::is_hashed`: 16 hex digits).
fn content_hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A subresource integrity value (`sha384-…`).
fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", STANDARD.encode(Sha384::digest(bytes)))
}

#[cfg(test)]
mod tests {
    use super::{attribute, content_hash, extras_loader, integrity, Recipe};

    #[test]
    fn the_extras_loader_imports_and_initialises_once_and_retries_a_failure_under_a_new_url() {
        assert_eq!(
            extras_loader("load", "/chat/extras/x-1.js", "/chat/extras/x-1_bg.wasm"),
            ";let x,n=0;window.load=()=>x||=import('/chat/extras/x-1.js'+(n?'?'+n:'')).then(async m=>\
             (await m.default({module_or_path:'/chat/extras/x-1_bg.wasm'}),m)).catch(e=>{x=0;n++;throw e})"
        );
    }

    #[test]
    fn integrity_is_sha384_in_base64() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }

    #[test]
    fn content_hash_is_sixteen_hex_digits_of_the_whole_content() {
        let hash = content_hash(&[b"a", b"bc"]);
        assert_eq!(hash, content_hash(&[b"abc"]));
        assert_eq!(hash.len(), 16);
        assert_ne!(hash, content_hash(&[b"abd"]));
    }

    #[test]
    fn the_pages_data_trunk_links_are_the_recipe() {
        let dir = std::env::temp_dir().join(format!("xtask-recipe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let page = dir.join("index.html");
        std::fs::write(
            &page,
            "<html>\n  <head>\n    <title>Chat</title>\n    \
             <link data-trunk rel=\"rust\" data-bin=\"tidings-widget\" data-wasm-opt=\"z\" />\n    \
             <link data-trunk rel=\"css\" href=\"style/widget.css\" />\n    \
             <link data-trunk rel=\"copy-file\" href=\"assets/notify.wav\" />\n  </head>\n</html>\n",
        )
        .unwrap();
        let recipe = super::read_recipe(&page).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            recipe,
            Recipe {
                bin: "tidings-widget".into(),
                wasm_opt: Some("z".into()),
                css: vec!["style/widget.css".into()],
                copy: vec!["assets/notify.wav".into()],
                page: "<html>\n<head>\n<title>Chat</title>\n</head>\n</html>\n".into(),
            }
        );
        assert_eq!(attribute("<link rel=\"x\">", "href"), None);
    }
}
