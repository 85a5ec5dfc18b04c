//! `xtask-bindgen <input.wasm> <out-dir> <out-name>`: wasm-bindgen's `--target web
//! --no-typescript` through its library, for xtask's builds of the two apps (see
//! `xtask/src/bindgen_tool.rs`). A separate small binary so that xtask itself, which every
//! `cargo xtask` command compiles first, does not carry wasm-bindgen's code.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, out_dir, out_name] = args.as_slice() else {
        eprintln!("usage: xtask-bindgen <input.wasm> <out-dir> <out-name>");
        return ExitCode::from(2);
    };
    let mut bindgen = wasm_bindgen_cli_support::Bindgen::new();
    bindgen
        .input_path(PathBuf::from(input))
        .out_name(out_name)
        .typescript(false)
        // As the command line does by default: the glue's `init()` falls back to the wasm
        // beside it (the library's default leaves that out).
        .omit_default_module_path(false);
    let generated = bindgen
        .web(true)
        .and_then(|bindgen| bindgen.generate(out_dir));
    match generated {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask-bindgen: {e:#}");
            ExitCode::FAILURE
        }
    }
}
