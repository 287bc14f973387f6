//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.

mod auth;
mod bots;
mod extensions;
mod functions;
mod handlers;
mod helpers;
mod message_actions;
mod openapi_conformance;
mod messaging;
mod messaging_realtime;
mod pagination;
mod robustness;
