//! Messaging APIs: channels, chats and threads, the Messages API (v2 and v3), bot messages and
//! subscriptions, and the real-time event stream. What the areas share lives here: looking up
//! chats with the membership rule, validating posted messages, and the message read shape.
//!
//! Membership rule: a user reads or writes a chat only when they are a member of it (a thread:
//! of its parent chat). A chat of another organization is `chat_not_found`; a chat of the same
//! organization the caller is not in is `access_denied`.

pub mod bot_messages;
pub mod channels;
mod chat_filters;
pub mod chats;
pub mod forward;
pub mod messages;
pub mod realtime;
pub mod search;
pub mod threads;

use super::Endpoint;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Router;
use cliqd_message::{FieldError, Message, MessageContext};
use cliqd_store::{ChatRow, MessageRow, NewChannel, Store, StoreResult, UserRow};
use serde_json::{Map, Value, json};

/// A token-authenticated messaging endpoint with Cliq's usual 10-minute lock.
pub(crate) const fn ep(
    name: &'static str,
    method: axum::http::Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
) -> Endpoint {
    ep_locked(name, method, path, scope, per_min, 600)
}

/// [`ep`] with its own lock period.
pub(crate) const fn ep_locked(
    name: &'static str,
    method: axum::http::Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
    lock_secs: u64,
) -> Endpoint {
    Endpoint::new(
        name,
        method,
        path,
        scope,
        crate::ratelimit::Limit::per_min(per_min, lock_secs),
    )
}

pub const ENDPOINTS: &[&Endpoint] = &[
    &messages::V2_LIST,
    &messages::V2_GET,
    &messages::V2_EDIT,
    &messages::V2_DELETE,
    &messages::V2_REACTION_ADD,
    &messages::V2_REACTION_GET,
    &messages::V2_REACTION_DELETE,
    &messages::V2_POST_CHANNEL,
    &messages::V2_POST_CHAT,
    &messages::V2_POST_BUDDY,
    &messages::V3_POST_CHANNEL_BY_NAME,
    &messages::V3_POST_CHANNEL,
    &messages::V3_POST_CHAT,
    &messages::V3_POST_CARD_CHANNEL,
    &messages::V3_DELETE_MANY,
    &messages::V3_DELETE_MANY_ALT,
    &forward::FORWARD,
    &search::SEARCH,
    &bot_messages::V2_POST_BOT,
    &bot_messages::V3_BOT_MESSAGES,
    &bot_messages::V3_BOT_MESSAGE,
    &bot_messages::ASSOCIATE,
    &bot_messages::SUBSCRIBERS,
    &bot_messages::SUBSCRIBE,
    &bot_messages::UNSUBSCRIBE,
    &channels::CREATE,
    &channels::LIST,
    &channels::GET,
    &channels::MEMBERS_ADD,
    &channels::MEMBERS_LIST,
    &channels::MEMBER_REMOVE,
    &chats::LIST,
    &chats::CREATE,
    &chats::GET,
    &chats::MEMBERS,
    &chats::MEMBERS_ADD,
    &chats::MEMBERS_REMOVE,
    &chats::LEAVE,
    &chats::MUTE,
    &chats::UNMUTE,
    &threads::GET,
    &threads::UPDATE,
    &threads::MAIN,
    &threads::FOLLOWERS,
    &threads::FOLLOWERS_ADD,
    &threads::FOLLOWERS_REMOVE,
    &threads::NONFOLLOWERS,
    &threads::FOLLOW,
    &threads::UNFOLLOW,
    &realtime::STREAM,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(messages::routes())
        .merge(forward::routes())
        .merge(search::routes())
        .merge(bot_messages::routes())
        .merge(channels::routes())
        .merge(chats::routes())
        .merge(threads::routes())
        .merge(realtime::routes())
}

/// The chat `chat_id` if `auth` is a member of it (see [`cliqd_service::member_chat`]).
pub(crate) async fn member_chat(
    state: &AppState,
    auth: &AuthContext,
    chat_id: &str,
) -> ApiResult<ChatRow> {
    Ok(cliqd_service::member_chat(state.store.as_ref(), &auth.actor(), chat_id).await?)
}

/// Validates a posted message (<https://www.zoho.com/cliq/help/restapi/v3/messagecards/>); errors name each offending field by JSON path.
pub(crate) fn validate(body: &Value, ctx: MessageContext) -> ApiResult<Message> {
    Ok(cliqd_service::validate_post(body, ctx)?)
}

pub(crate) fn field_errors(errs: &[FieldError]) -> ApiError {
    let text = errs
        .iter()
        .map(|e| {
            if e.path.is_empty() {
                e.message.clone()
            } else {
                format!("{}: {}", e.path, e.message)
            }
        })
        .collect::<Vec<_>>()
        .join("; ");
    ApiError::invalid(text)
}

/// The message read shape (<https://www.zoho.com/cliq/help/restapi/v2/messages/>): `sender`, `id`, `time`, `type`, `content`, plus the
/// chat, edit flag, `reply_to`, the thread under it and the `mentions` of its text when there
/// are any.
pub(crate) fn message_json(row: &MessageRow) -> Value {
    let sender = match (row.bot_id, &row.bot_name) {
        (Some(id), name) => json!({
            "name": name.clone().unwrap_or_default(),
            "id": format!("b-{id}"),
            "type": "bot",
        }),
        _ => json!({"name": row.sender_name, "id": row.sender_id.to_string()}),
    };
    let mut m = Map::new();
    m.insert("sender".into(), sender);
    m.insert("id".into(), row.id.clone().into());
    m.insert("time".into(), row.time.into());
    m.insert("type".into(), row.kind.clone().into());
    // A forwarded copy's origin is stored with its body and read as a top-level field.
    let mut content = row.body.clone();
    if let Some(origin) = content
        .as_object_mut()
        .and_then(|c| c.remove(forward::FORWARDED_FROM))
    {
        m.insert(forward::FORWARDED_FROM.into(), origin);
    }
    m.insert("content".into(), content);
    m.insert("chat_id".into(), row.chat_id.clone().into());
    if row.edited {
        m.insert("is_edited".into(), true.into());
    }
    if let Some(r) = &row.reply_to {
        m.insert("reply_to".into(), r.clone().into());
    }
    if let Some(t) = &row.thread_chat_id {
        m.insert("thread_chat_id".into(), t.clone().into());
    }
    // The copy of a thread reply posted with `post_in_parent` names the thread and the reply.
    if let (Some(chat), Some(message)) = (&row.origin_chat_id, &row.origin_message_id) {
        m.insert(
            "posted_from_thread".into(),
            json!({"chat_id": chat, "message_id": message}),
        );
    }
    if !row.mentions.is_empty() {
        m.insert(
            "mentions".into(),
            cliqd_service::mentions_json(&row.mentions),
        );
    }
    Value::Object(m)
}

/// A user named by ZUID or email (see [`cliqd_service::resolve_user`]).
pub(crate) async fn resolve_user(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<UserRow> {
    Ok(cliqd_service::resolve_user(state.store.as_ref(), &auth.actor(), raw).await?)
}

/// A list of users given as a JSON array or a comma-separated string of ZUIDs or emails.
pub(crate) async fn resolve_users(
    state: &AppState,
    auth: &AuthContext,
    field: &str,
    v: &Value,
) -> ApiResult<Vec<UserRow>> {
    Ok(cliqd_service::resolve_users(state.store.as_ref(), &auth.actor(), field, v).await?)
}

/// ISO 8601 with offset, as the v3 documents show times.
pub(crate) fn iso_time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Most webhook tokens (`zapikey`) one user may hold.
pub const MAX_WEBHOOK_TOKENS: usize = 5;

/// Creates a webhook token for `user_id`; `None` when the user already holds
/// [`MAX_WEBHOOK_TOKENS`]. Only the hash is stored; the secret is returned once.
pub async fn create_webhook_token(
    store: &dyn Store,
    user_id: i64,
    name: &str,
) -> StoreResult<Option<String>> {
    let secret = crate::auth::new_token_secret();
    let hash = crate::auth::hash_secret(&secret);
    let created = store
        .create_webhook_token(user_id, &hash, name, MAX_WEBHOOK_TOKENS)
        .await?;
    Ok(created.then_some(secret))
}

/// First start: the demo organization's `general` channel with every demo user in it.
pub async fn create_general_channel(
    store: &dyn Store,
    org_id: i64,
    creator_id: i64,
    members: Vec<i64>,
) -> StoreResult<()> {
    store
        .create_channel(NewChannel {
            org_id,
            kind: "organization".into(),
            name: "General".into(),
            unique_name: "general".into(),
            description: "Everyone in the organization".into(),
            creator_id,
            team_ids: Vec::new(),
            members,
        })
        .await
        .map(|_| ())
}
