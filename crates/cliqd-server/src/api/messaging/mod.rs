//! Messaging APIs: channels, chats and threads, the Messages API (v2 and v3), bot messages and
//! subscriptions, and the real-time event stream. What the areas share lives here: looking up
//! chats with the membership rule, validating posted messages, and the message read shape.
//!
//! Membership rule: a user reads or writes a chat only when they are a member of it (a thread:
//! of its parent chat). A chat of another organization is `chat_not_found`; a chat of the same
//! organization the caller is not in is `access_denied`.

pub mod bot_messages;
pub mod channels;
pub mod chats;
pub mod forward;
pub mod messages;
pub mod realtime;
pub mod search;
pub mod threads;

use super::Endpoint;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use axum::Router;
use cliqd_message::{FieldError, Message, MessageContext};
use cliqd_store::{ChatRow, MessageRow, NewChannel, Store, StoreError, StoreResult, UserRow};
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
    Endpoint {
        name,
        method,
        path,
        scope,
        limit: crate::ratelimit::Limit::per_min(per_min, lock_secs),
        auth: super::AuthMode::Token,
    }
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

/// The chat `chat_id` if `auth` is a member of it.
pub(crate) async fn member_chat(
    state: &AppState,
    auth: &AuthContext,
    chat_id: &str,
) -> ApiResult<ChatRow> {
    let chat = match state.store.get_chat(auth.org_id(), chat_id.trim()).await {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::ChatNotFound)),
        Err(e) => return Err(e.into()),
    };
    if !state.store.is_member(&chat.id, auth.user.id).await? {
        return Err(ApiError::new(ErrorCode::AccessDenied));
    }
    Ok(chat)
}

/// Validates a posted message (digest §13); errors name each offending field by JSON path.
pub(crate) fn validate(body: &Value, ctx: MessageContext) -> ApiResult<Message> {
    cliqd_message::validate_message(body, ctx).map_err(|errs| field_errors(&errs))
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

/// Fields of a posted message that steer delivery and are not part of what is shown.
const REQUEST_ONLY: &[&str] = &[
    "user_ids",
    "userids",
    "broadcast",
    "reply_to",
    "notify_edit",
    "mark_as_read",
    "sync_message",
    "thread_chat_id",
    "thread_message_id",
    "post_in_parent",
    "thread_title",
    // Only a forward sets a message's origin.
    forward::FORWARDED_FROM,
];

/// The stored kind and canonical content of a validated message.
pub(crate) fn canonical(msg: &Message) -> (String, Value) {
    let mut body = serde_json::to_value(msg).unwrap_or_else(|_| json!({}));
    if let Some(map) = body.as_object_mut() {
        for k in REQUEST_ONLY {
            map.remove(*k);
        }
    }
    let kind = if msg.card.is_some() || !msg.slides.is_empty() || !msg.buttons.is_empty() {
        "card"
    } else {
        "text"
    };
    (kind.to_string(), body)
}

/// The message read shape (digest §6.3): `sender`, `id`, `time`, `type`, `content`, plus the
/// chat, edit flag, `reply_to` and the thread under it when there is one.
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
    Value::Object(m)
}

/// A user named by ZUID or email. Users of other organizations are refused
/// (`user_not_in_organization`), unknown ones are `user_not_found`.
pub(crate) async fn resolve_user(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<UserRow> {
    let raw = raw.trim();
    let found = if raw.contains('@') {
        state.store.user_by_email(raw).await
    } else if let Ok(id) = raw.parse::<i64>() {
        state.store.user_by_id(id).await
    } else {
        return Err(ApiError::with_message(
            ErrorCode::UserNotFound,
            format!("`{raw}` is neither a user ID nor an email address"),
        ));
    };
    match found {
        Ok(u) if u.org_id == auth.org_id() => Ok(u),
        Ok(_) => Err(ApiError::new(ErrorCode::UserNotInOrganization)),
        Err(StoreError::NotFound) => Err(ApiError::with_message(
            ErrorCode::UserNotFound,
            format!("no user `{raw}`"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// A list of users given as a JSON array or a comma-separated string of ZUIDs or emails.
pub(crate) async fn resolve_users(
    state: &AppState,
    auth: &AuthContext,
    field: &str,
    v: &Value,
) -> ApiResult<Vec<UserRow>> {
    let items: Vec<String> = match v {
        Value::String(s) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ApiError::invalid(format!("{field} must hold user IDs or email addresses"))
            })?,
        _ => {
            return Err(ApiError::invalid(format!(
                "{field} must be a list or a comma-separated string of user IDs or emails"
            )));
        }
    };
    if items.len() > 100 {
        return Err(ApiError::invalid(format!(
            "{field} can name at most 100 users"
        )));
    }
    let mut out: Vec<UserRow> = Vec::new();
    for raw in items {
        let u = resolve_user(state, auth, &raw).await?;
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u);
        }
    }
    Ok(out)
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

/// The caller of a v2 endpoint that also accepts a webhook token: the OAuth caller the guard
/// authenticated, or else the owner of `?zapikey=`, who may post (`webhooks.create`) only.
/// Webhook-token calls are rate-limited here, under the endpoint's own bucket.
pub(crate) async fn caller(
    state: &AppState,
    auth: Option<AuthContext>,
    uri: &axum::http::Uri,
    endpoint: &Endpoint,
) -> ApiResult<AuthContext> {
    if let Some(a) = auth {
        return Ok(a);
    }
    let key = uri.query().and_then(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, v)| k == "zapikey" && !v.is_empty())
            .map(|(_, v)| v.into_owned())
    });
    let Some(key) = key else {
        return Err(ApiError::new(ErrorCode::Unauthorized));
    };
    let user = match state
        .store
        .webhook_token_user(&crate::auth::hash_secret(&key))
        .await
    {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::Unauthorized)),
        Err(e) => return Err(e.into()),
    };
    if let Some(retry) = state
        .limiter
        .check(user.id, endpoint.name, endpoint.limit)
        .and_then(|r| r.retry_after)
    {
        return Err(ApiError {
            retry_after: Some(retry),
            ..ApiError::new(ErrorCode::TooManyRequests)
        });
    }
    let auth = AuthContext {
        user: std::sync::Arc::new(user),
        scopes: vec!["webhooks.create".to_string()].into(),
    };
    if !auth.has_scope(endpoint.scope) {
        return Err(ApiError::new(ErrorCode::InvalidOauthScope));
    }
    Ok(auth)
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
