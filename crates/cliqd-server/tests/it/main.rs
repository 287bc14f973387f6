//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.

mod auth;
mod bots;
mod handlers;
mod helpers;
mod messaging;
mod messaging_bots;
mod messaging_conformance;
mod messaging_realtime;
mod pagination;
mod robustness;
