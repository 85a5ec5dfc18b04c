//! The assets compiled into the binary by `cargo xtask dist` (see `build.rs`): the demo page,
//! `widget.js`, the widget app under `chat/` and the console under `console/`, each with the
//! brotli and gzip copies `cargo xtask assets` writes beside it (`x.br`, `x.gz`), served by
//! [`crate::files`]. Empty in a plain `cargo build`; then the server serves assets only from
//! `--assets DIR`.

include!(concat!(env!("OUT_DIR"), "/embedded_assets.rs"));

/// Whether this binary carries the assets.
pub fn present() -> bool {
    !EMBEDDED.is_empty()
}
