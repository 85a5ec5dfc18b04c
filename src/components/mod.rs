//! The widget's components, one per file.

pub mod attach_button;
pub mod avatar;
pub mod chat_widget;
pub mod composer;
pub mod connection_banner;
pub mod header;
pub mod message_list;
pub mod message_rows;
pub mod typing_indicator;
