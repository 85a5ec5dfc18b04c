//! Entry point of the console's wasm bundle (natively it only reminds how to run it).

fn main() {
    #[cfg(target_arch = "wasm32")]
    tidings_console::start();
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("tidings-console is a browser app: build it with `cargo xtask assets` (or `cargo xtask live console`)");
}
