//! Form sessions: a form a handler opened for one user, kept until it is submitted to its end,
//! cancelled or expires (<https://www.zoho.com/cliq/help/platform/cliq-form.html>). The form is
//! stored as the handler returned it, with the modifications applied since.

use crate::StoreResult;
use async_trait::async_trait;
use serde_json::Value;

/// One open (or closed) form session.
#[derive(Debug, Clone, PartialEq)]
pub struct FormSessionRow {
    /// Opaque, unguessable id.
    pub id: String,
    pub org_id: i64,
    /// The user it belongs to: only they may submit, change or cancel it.
    pub user_id: i64,
    /// The component whose handler opened it.
    pub component_id: i64,
    /// Where it was opened (a chat, a message), if anywhere.
    pub chat_id: Option<String>,
    pub message_id: Option<String>,
    /// The form as it stands now.
    pub form: Value,
    /// Unix milliseconds.
    pub created_at: i64,
    pub expires_at: i64,
    pub closed: bool,
}

/// Form sessions, durable across restarts.
#[async_trait]
pub trait FormStore: Send + Sync {
    async fn create_form_session(&self, row: FormSessionRow) -> StoreResult<()>;
    /// The session `id` of `org_id` (closed and expired ones too: the caller decides).
    async fn form_session(&self, org_id: i64, id: &str) -> StoreResult<FormSessionRow>;
    /// Replaces the session's form (a modification, or the next step of a multi-step form).
    async fn update_form_session(&self, id: &str, form: Value, expires_at: i64) -> StoreResult<()>;
    /// Marks the session closed; false when it already was.
    async fn close_form_session(&self, id: &str) -> StoreResult<bool>;
    /// Deletes the sessions that expired before `now` or closed; answers how many.
    async fn purge_form_sessions(&self, now: i64) -> StoreResult<u64>;
}
