//! The Tidings agent console: a Leptos CSR app served by the server at `/console/`.
//!
//! `logic` is plain Rust tested natively; `api`, `session` and the components are the thin
//! browser layer around it.

pub mod logic;
