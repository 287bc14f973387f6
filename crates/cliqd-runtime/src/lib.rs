//! The handler engine: makes handlers run. No HTTP serving here; the server calls it and
//! forwards its user events to the WebSocket.
//!
//! ```text
//! event ──(same transaction)──▶ trigger outbox ──signal after COMMIT──▶ Engine::outbox loop
//!   ──▶ per-(bot, chat) queue (ordered; each bot's backlog bounded, its concurrency capped)
//!   ──▶ route (cliqd_core::policy::route_message: conversation answer, message, mention, …)
//!   ──▶ inputs (inputs.rs, from real rows) ──▶ Executor (Deluge, or webhook.rs: signed POST)
//!   ──▶ reply checked (reply.rs, cliqd-message against the catalog)
//!   ──▶ finish: reply posts + journal record + trigger removal in ONE store transaction
//!   ──▶ user events: banners to the invoker, `execution_finished` to the component's creator
//! ```
//!
//! Synchronous triggers (menu actions, incoming webhooks, direct invocation) call
//! [`Engine::run_now`] and get the run's report back; they write no trigger row, since nothing
//! was acknowledged before the run.
//!
//! Delivery guarantees: a trigger's reply posts and its completion commit together, so the
//! reply of one trigger is posted once even when the server dies mid-run and the trigger runs
//! again after restart. Side effects a script performs while running (`zoho.cliq.postToChannel`,
//! `invokeUrl`) happen again in that case: they are at-least-once. Bot conversations (contexts)
//! live in memory and end with the process.

mod context;
mod engine;
pub mod executor;
pub mod forms;
pub mod host;
pub mod inputs;
mod outbox;
pub mod reply;
pub mod signing;
mod tasks;
pub mod webhook;
mod webhook_api;

pub use engine::{Deliver, Engine, EngineConfig, EngineError, RunReport, RunRequest, UserEvents};
pub use executor::{Execution, Executor, Invocation, RunError};
pub use webhook::WebhookConfig;
pub use webhook_api::DeferredError;
