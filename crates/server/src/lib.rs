//! The Tidings server (placeholder).
