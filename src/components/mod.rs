//! The panel's parts, one per file: static markup written once, its texts and attributes
//! kept current by effects, with plain listeners (the helpers are `crate::dom`'s).

pub mod attach_button;
pub mod avatar;
pub mod chat_widget;
pub mod composer;
pub mod connection_banner;
pub mod header;
pub mod message_list;
pub mod message_rows;
pub mod typing_indicator;
