//! Integration tests: the real server on port 0 with a fresh data directory, over HTTP.

mod auth;
mod bots;
mod extensions;
mod handlers;
mod helpers;
mod openapi_conformance;
mod pagination;
mod robustness;
