//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.

mod auth;
mod bots;
mod extensions;
mod functions;
mod handler_races;
mod handlers;
mod helpers;
mod message_actions;
mod messaging;
mod messaging_bots;
mod messaging_chats;
mod messaging_forward_search;
mod messaging_realtime;
mod messaging_replies;
mod messaging_threads;
mod pagination;
mod robustness;
mod sync_visibility;
mod upstream_conformance;
