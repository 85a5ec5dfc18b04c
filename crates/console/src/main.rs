//! Entry point of the console's wasm bundle.

fn main() {}
