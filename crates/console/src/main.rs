//! The agent console (placeholder).
fn main() {}
