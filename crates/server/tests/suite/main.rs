//! The server's integration suite, one test binary: every file below is a module that starts
//! real servers on 127.0.0.1:0 against a real database (SQLite, or PostgreSQL with
//! `TIDINGS_TEST_BACKEND=postgres`) and speaks the real protocol. One binary links once and
//! shares one throwaway PostgreSQL cluster, where thirty-odd binaries linked thirty times.
//! `tests/limits.rs` stays a binary of its own: it measures this process's memory, which
//! other tests running beside it would disturb.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod agent_cli;
mod attachments;
mod bad_input;
mod caching;
mod cli;
mod cluster;
mod concurrency;
mod crash;
mod delivery;
mod email;
mod extreme_numbers;
mod faults_disconnects;
mod faults_disk_full;
mod faults_kill;
mod faults_sigterm;
mod following;
mod group_commit;
mod http_errors;
mod identity;
mod ip_limits;
mod lifecycle;
mod list_updates;
mod liveness;
mod login_backoff;
mod losing_sight;
mod overload;
mod page_url;
mod pages;
mod past_conversations;
mod private_notes;
mod queue_flood;
mod rate_limit;
mod receipts_burst;
mod reports;
mod retry_after_change;
mod search;
mod sessions;
mod shutdown;
mod slow_consumer;
mod team;
mod transfer;
mod visitor_panel;
