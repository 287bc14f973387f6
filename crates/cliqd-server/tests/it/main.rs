//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth;
mod bots;
mod extensions;
mod functions;
mod guard;
mod handler_races;
mod handlers;
mod handlers_engine;
mod handlers_run;
mod helpers;
mod input_rules;
mod interactive;
mod interactive_forms;
mod message_actions;
mod messaging;
mod messaging_bots;
mod messaging_chats;
mod messaging_forward_search;
mod messaging_mentions;
mod messaging_pages;
mod messaging_realtime;
mod messaging_replies;
mod messaging_threads;
mod pagination;
mod robustness;
mod seed_samples;
mod slow_clients;
mod sync_visibility;
mod upstream_conformance;
mod web;
mod webhook_receivers;
mod webhooks;
