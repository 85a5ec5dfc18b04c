//! The Tidings wire protocol: every WebSocket frame and HTTP payload exchanged by the
//! server, the widget and the console, defined once.
//!
//! Frames are JSON objects tagged by `"type"`; see `docs/protocol.md` for an example of
//! each. Times are milliseconds since the Unix epoch (`i64`), so that the widget needs no
//! date library to read them. Message and conversation ids are UUIDs.
//!
//! Every enum lists its values, so tests enumerate them instead of counting by hand: the
//! fieldless ones through [`VariantArray`] (`ErrorCode::VARIANTS`, ...), the frames through
//! their kinds `ClientFrameType` / `ServerFrameType` (each `VARIANTS`, and the wire name of
//! a kind through `<&str>::from`), all derived by `strum` from the one declaration.

pub mod error;
pub mod frame;
pub mod http;
pub mod limits;
pub mod model;
pub mod reports;
pub mod search;
pub mod visitor_panel;

pub use error::ErrorCode;
pub use frame::{ClientFrame, ServerFrame};
pub use model::*;
pub use strum::VariantArray;

/// The kinds of `K` (a frame type's `VARIANTS`) that none of `values` is: for tests that
/// must try every kind, so a new frame type fails them until it is tried.
pub fn kinds_missing<T, K>(values: &[T]) -> Vec<K>
where
    K: VariantArray + Copy + PartialEq + for<'a> From<&'a T>,
{
    let tried: Vec<K> = values.iter().map(K::from).collect();
    K::VARIANTS
        .iter()
        .copied()
        .filter(|k| !tried.contains(k))
        .collect()
}

/// Protocol version spoken by this build. A client states it in its `auth` frame; the
/// server refuses versions it does not speak with `unsupported_version`.
pub const PROTOCOL_VERSION: u32 = 1;
