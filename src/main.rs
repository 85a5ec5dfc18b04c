//! The Tidings visitor widget (placeholder until the widget lands).
fn main() {}
