//! The console's components, one per file.

pub mod action_button;
pub mod agent_status;
pub mod app;
pub mod block_visitor;
pub mod bulk_bar;
pub mod composer;
pub mod connection_badge;
pub mod console_shell;
pub mod conversation_header;
pub mod conversation_item;
pub mod conversation_list;
pub mod conversation_rating;
pub mod conversation_view;
pub mod filter_tabs;
pub mod identity_badge;
pub mod login_page;
pub mod logout_button;
pub mod message_item;
pub mod message_list;
pub mod message_text;
pub mod notice_bar;
pub mod reassign_select;
pub mod top_bar;
pub mod typing_indicator;
pub mod unavailable_notice;
pub mod visitor_info;
