//! What webhook execution stores: each organization's signing key pair (the `X-Cliq-Signature`
//! RSA key, made on first use), each webhook component's Standard Webhooks secret, and the
//! `response_url` tokens of deferred replies.
//!
//! Keys and secrets are opaque text here: the runtime makes them. A response token is stored
//! by the hash the runtime gives, never as the URL's own text.

use crate::StoreResult;
use async_trait::async_trait;
use serde_json::Value;

/// A `response_url` token to keep: which run it answers, where its reply goes, until when and
/// how many times it may be used.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResponseToken {
    /// The token's hash (the URL carries the token itself).
    pub token_hash: String,
    pub org_id: i64,
    pub component_id: i64,
    pub handler_id: i64,
    /// The invoking user (who a deferred reply's banner reaches, and who posts as the bot).
    pub user_id: i64,
    /// Where a deferred reply goes, as the runtime describes it.
    pub deliver: Value,
    /// Unix milliseconds after which the token is unknown.
    pub expires_at: i64,
    /// How many deferred replies it accepts.
    pub uses: i64,
}

/// A token as kept: what it was made with, and the uses left after this one.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseTokenRow {
    pub token: NewResponseToken,
    pub uses_left: i64,
}

#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// The organization's signing key (the runtime's text, a PKCS#8 PEM), if one was made.
    async fn signing_key(&self, org_id: i64) -> StoreResult<Option<String>>;
    /// Keeps `key` as the organization's signing key unless it has one; answers the one kept
    /// (so two first uses at once agree on one key).
    async fn keep_signing_key(&self, org_id: i64, key: String) -> StoreResult<String>;
    /// The component's webhook secret, if one was made.
    async fn webhook_secret(&self, component_id: i64) -> StoreResult<Option<String>>;
    /// Keeps `secret` as the component's webhook secret: replacing the current one when
    /// `replace` (a rotation), else only when it has none. Answers the one kept.
    async fn keep_webhook_secret(
        &self,
        component_id: i64,
        secret: String,
        replace: bool,
    ) -> StoreResult<String>;
    /// Keeps a new `response_url` token (expired ones are dropped on the way).
    async fn create_response_token(&self, token: NewResponseToken) -> StoreResult<()>;
    /// Uses a token once: its row when it is known, not expired at `now` (Unix ms) and has a
    /// use left; `None` otherwise (nothing changes then).
    async fn use_response_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<ResponseTokenRow>>;
}
