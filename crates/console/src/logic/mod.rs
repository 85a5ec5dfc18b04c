//! Pure console logic: plain Rust with no browser dependency, so it is unit-tested natively.

pub mod age;
pub mod alerts;
pub mod canned;
pub mod desktop_alerts;
pub mod highlight;
pub mod list;
pub mod merge;
pub mod model;
pub mod names;
pub mod outgoing_receipts;
pub mod presence;
pub mod receipts;
pub mod reduce;
pub mod report_chart;
pub mod route;
pub mod shortcuts;
pub mod title;
pub mod transfer;
