//! The Messages API: reading (v2 get messages, retrieve one), posting into channels, chats,
//! threads and users' direct chats (v2 and v3), editing, deleting and reactions.

use super::{ep, field_errors, member_chat, validate, write_message};
use crate::api::{AuthMode, Endpoint};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use cliqd_message::{MessageContext, normalize_message_id};
use cliqd_service::{PostAs, ServiceError};
use cliqd_store::{
    MessageQuery, MessageRef, PageSink, PageVersion, PostTarget, StoreError, StoreResult,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::any::Any;
use std::collections::HashMap;

/// A v2 posting endpoint: also accepts a webhook token (`?zapikey=`), see [`crate::api::guard`].
const fn webhook_ep(name: &'static str, path: &'static str, per_min: u32) -> Endpoint {
    Endpoint::with_auth(
        name,
        Method::POST,
        path,
        "webhooks.create",
        Limit::per_min(per_min, 600),
        AuthMode::TokenOrWebhookToken,
    )
}

const MESSAGE_PATH: &str = "/api/v2/chats/{chat_id}/messages/{message_id}";
const REACTIONS_PATH: &str = "/api/v2/chats/{chat_id}/messages/{message_id}/reactions";

pub const V2_LIST: Endpoint = ep(
    "messages.list",
    Method::GET,
    "/api/v2/chats/{chat_id}/messages",
    "messages.read",
    15,
);
pub const V2_GET: Endpoint = ep(
    "messages.get",
    Method::GET,
    MESSAGE_PATH,
    "messages.read",
    30,
);
pub const V2_EDIT: Endpoint = ep(
    "messages.edit",
    Method::PUT,
    MESSAGE_PATH,
    "webhooks.update",
    20,
);
pub const V2_DELETE: Endpoint = ep(
    "messages.delete",
    Method::DELETE,
    MESSAGE_PATH,
    "messages.delete",
    20,
);
// The seed gives reactions the `messageactions` scopes (sic, <https://www.zoho.com/cliq/help/restapi/v2/messages/>).
pub const V2_REACTION_ADD: Endpoint = ep(
    "reactions.add",
    Method::POST,
    REACTIONS_PATH,
    "messageactions.create",
    20,
);
pub const V2_REACTION_GET: Endpoint = ep(
    "reactions.get",
    Method::GET,
    REACTIONS_PATH,
    "messageactions.read",
    20,
);
pub const V2_REACTION_DELETE: Endpoint = ep(
    "reactions.delete",
    Method::DELETE,
    REACTIONS_PATH,
    "messageactions.create",
    20,
);
pub const V2_POST_CHANNEL: Endpoint = webhook_ep(
    "messages.post_channel",
    "/api/v2/channelsbyname/{name}/message",
    50,
);
pub const V2_POST_CHAT: Endpoint =
    webhook_ep("messages.post_chat", "/api/v2/chats/{chat_id}/message", 20);
pub const V2_POST_BUDDY: Endpoint =
    webhook_ep("messages.post_buddy", "/api/v2/buddies/{user}/message", 20);
pub const V3_POST_CHANNEL_BY_NAME: Endpoint = ep(
    "messages.v3_post_channel_by_name",
    Method::POST,
    "/api/v3/channelsbyname/{name}/messages",
    "webhooks.create",
    50,
);
pub const V3_POST_CHANNEL: Endpoint = ep(
    "messages.v3_post_channel",
    Method::POST,
    "/api/v3/channels/{channel_id}/messages",
    "webhooks.create",
    50,
);
pub const V3_POST_CHAT: Endpoint = ep(
    "messages.v3_post_chat",
    Method::POST,
    "/api/v3/chats/{chat_id}/messages",
    "webhooks.create",
    50,
);

/// The messagecards page's "post a message card to a channel" (singular `message`; the path
/// segment is the channel's unique name).
pub const V3_POST_CARD_CHANNEL: Endpoint = ep(
    "messages.v3_post_card_channel",
    Method::POST,
    "/api/v3/channels/{channel_id}/message",
    "messages.create",
    20,
);

/// Delete many (messages.yml spells the path `messagess`; both spellings are served).
pub const V3_DELETE_MANY: Endpoint = Endpoint::new(
    "messages.delete_many",
    Method::DELETE,
    "/api/v3/chats/{chat_id}/messagess",
    "messages.delete",
    Limit::per_min(50, 300),
);
pub const V3_DELETE_MANY_ALT: Endpoint = Endpoint::new(
    "messages.delete_many",
    Method::DELETE,
    "/api/v3/chats/{chat_id}/messages",
    "messages.delete",
    Limit::per_min(50, 300),
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(V2_LIST.path, get(list))
        .route(MESSAGE_PATH, get(get_one).put(edit).delete(delete_message))
        .route(
            REACTIONS_PATH,
            get(get_reactions)
                .post(add_reaction)
                .delete(delete_reaction),
        )
        .route(V2_POST_CHANNEL.path, post(post_channel_by_name))
        .route(V3_POST_CHANNEL_BY_NAME.path, post(post_channel_by_name))
        .route(V3_POST_CHANNEL.path, post(post_channel_by_id))
        .route(V3_POST_CARD_CHANNEL.path, post(post_card_channel))
        .route(V2_POST_CHAT.path, post(post_chat_v2))
        .route(V3_POST_CHAT.path, post(post_chat_v3).delete(delete_many))
        .route(V3_DELETE_MANY.path, axum::routing::delete(delete_many))
        .route(V2_POST_BUDDY.path, post(post_buddy))
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 100;

#[derive(Debug, Deserialize)]
struct ListParams {
    fromtime: Option<String>,
    totime: Option<String>,
    limit: Option<String>,
    next_token: Option<String>,
}

fn parse_ms(name: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid(format!("{name} must be a time in epoch milliseconds"))
            }),
    }
}

pub(super) fn encode_cursor(seq: i64) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("m|{seq}"))
}

fn decode_cursor(token: &str) -> ApiResult<i64> {
    base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("m|").and_then(|n| n.parse().ok()))
        .ok_or_else(|| ApiError::invalid("next_token is not a token this server issued"))
}

/// `GET /api/v2/chats/{chat_id}/messages`: ascending by time. With `fromtime`, the first
/// `limit` messages at or after it; without, the newest `limit` (at or before `totime`).
/// `next_token` resumes exactly after the page's last message, whatever was posted meanwhile.
async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(chat_id): CliqPath<String>,
    CliqQuery(p): CliqQuery<ListParams>,
) -> ApiResult<Response> {
    // The query is read first but its errors come after the chat's: a caller who may not
    // read the chat learns that, whatever its parameters. The chat, the membership and the
    // page are one read of the store.
    let (query, invalid) = match list_query(&chat_id, &p) {
        Ok(q) => (Some(q), None),
        Err(e) => (None, Some(e)),
    };
    // The newest page (no cursor, no time bound) is the one clients poll: it is kept
    // rendered, and served again while the chat's version is the one it was read at.
    let kept = query
        .as_ref()
        .filter(|q| state.pages.enabled() && q.after_seq.is_none())
        .filter(|q| q.from_time.is_none() && q.to_time.is_none())
        .map(|q| (chat_id.trim(), q.limit));
    let sink = Box::new(JsonPage {
        keep: kept.is_some(),
        held: kept.and_then(|(chat, limit)| state.pages.get(chat, limit)),
        ..JsonPage::default()
    });
    let sink: Box<dyn Any> =
        cliqd_service::member_page_into(state.store.as_ref(), &auth.actor(), &chat_id, query, sink)
            .await?;
    if let Some(e) = invalid {
        return Err(e);
    }
    let page = sink.downcast::<JsonPage>().map_err(|_| {
        ApiError::new(crate::error::ErrorCode::Internal)
            .logged("a page came back as another sink".to_string())
    })?;
    let (version, body) = page.into_body();
    if let (Some((chat, limit)), Some(version)) = (kept, version) {
        state.pages.put(chat, limit, version, body.clone());
    }
    Ok(json_bytes(body))
}

/// A page of get-messages, `{"next_token"?, "data": [message, …]}`, written as the store reads
/// each message ([`PageSink`]): the messages are serialized from the store's borrowed rows,
/// never copied into [`MessageRow`]s, then put in `seq` order. Its bytes are those of the
/// [`super::message_json`] values in a page object (tested).
///
/// A page that is kept ([`super::page_cache`]) learns the chat's version before any message;
/// when it holds the page at that version already, no message comes and it replies with the
/// page it holds.
#[derive(Default)]
pub(super) struct JsonPage {
    /// The messages' JSON, one after the other in the order they came.
    text: Vec<u8>,
    /// Each message's seq and where its JSON ends in `text` (it starts where the one before
    /// it ends).
    ends: Vec<(i64, usize)>,
    /// Whether the page is to be kept: the store is asked for the chat's version.
    keep: bool,
    /// The page held from an earlier read, and its version.
    held: Option<(PageVersion, Bytes)>,
    /// The version the store read the page at, when it told; `held` is the page when it
    /// matches.
    version: Option<PageVersion>,
}

impl PageSink for JsonPage {
    fn keeps_pages(&self) -> bool {
        self.keep
    }

    fn at_version(&mut self, version: PageVersion) -> bool {
        self.version = Some(version);
        self.held.as_ref().is_some_and(|(v, _)| *v == version)
    }

    fn message(&mut self, m: &MessageRef<'_>) -> StoreResult<()> {
        if self.ends.is_empty() {
            // About a page of 50 short messages; grows as needed.
            self.text.reserve(16 * 1024);
            self.ends.reserve(64);
        }
        write_message(&mut self.text, m)
            .map_err(|e| StoreError::Other(format!("cannot serialize a message: {e}")))?;
        self.ends.push((m.seq, self.text.len()));
        Ok(())
    }
}

impl JsonPage {
    pub(super) fn into_bytes(self) -> Vec<u8> {
        let mut parts: Vec<(i64, usize, usize)> = Vec::with_capacity(self.ends.len());
        let mut start = 0;
        for (seq, end) in self.ends {
            parts.push((seq, start, end));
            start = end;
        }
        // The newest page comes newest first.
        if parts.first().map(|p| p.0) > parts.last().map(|p| p.0) {
            parts.reverse();
        }
        if !parts.is_sorted_by_key(|p| p.0) {
            parts.sort_unstable_by_key(|p| p.0);
        }
        let mut out = Vec::with_capacity(self.text.len() + parts.len() + 48);
        out.push(b'{');
        // A chat's history never ends: every non-empty page carries a `next_token` that
        // resumes exactly after its last message (an empty reply means "nothing newer yet").
        if let Some(&(seq, _, _)) = parts.last() {
            out.extend_from_slice(b"\"next_token\":\"");
            out.extend_from_slice(encode_cursor(seq).as_bytes());
            out.extend_from_slice(b"\",");
        }
        out.extend_from_slice(b"\"data\":[");
        for (i, &(_, start, end)) in parts.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(self.text.get(start..end).unwrap_or_default());
        }
        out.extend_from_slice(b"]}");
        out
    }

    /// The reply's body and the version it was read at (when the store told): the held
    /// page when the store found it current, otherwise the page rendered now.
    fn into_body(mut self) -> (Option<PageVersion>, Bytes) {
        let version = self.version;
        match self.held.take() {
            Some((v, held)) if Some(v) == version => (None, held),
            _ => (version, Bytes::from(self.into_bytes())),
        }
    }
}

/// A reply of JSON text already written.
fn json_bytes(text: impl Into<axum::body::Body>) -> Response {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        text.into(),
    )
        .into_response()
}

/// The page `p` asks for (`chat_id` is replaced by the chat's own id when read).
fn list_query(chat_id: &str, p: &ListParams) -> ApiResult<MessageQuery> {
    let limit = match p.limit.as_deref().map(str::trim) {
        None | Some("") => DEFAULT_LIMIT,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::invalid(format!("limit must be a number from 1 to {MAX_LIMIT}"))
            })?,
    };
    let from_time = parse_ms("fromtime", p.fromtime.as_deref())?;
    let to_time = parse_ms("totime", p.totime.as_deref())?;
    let after_seq = match p.next_token.as_deref().filter(|t| !t.trim().is_empty()) {
        Some(t) => Some(decode_cursor(t)?),
        None => None,
    };
    Ok(MessageQuery {
        chat_id: chat_id.to_string(),
        from_time,
        to_time,
        after_seq,
        limit,
    })
}

fn message_id(raw: &str) -> String {
    normalize_message_id(raw)
}

fn map_message(e: StoreError) -> ApiError {
    match e {
        StoreError::NotFound => ApiError::new(ErrorCode::MessageNotFound),
        other => other.into(),
    }
}

/// `GET /api/v2/chats/{chat_id}/messages/{message_id}` → `{"data": message}`.
async fn get_one(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &chat_id).await?;
    let row = state
        .store
        .get_message(&chat.id, &message_id(&mid))
        .await
        .map_err(map_message)?;
    let mut one = Vec::with_capacity(row.body.text().len() + 256);
    one.extend_from_slice(b"{\"data\":");
    if let Err(e) = write_message(&mut one, &row.as_ref()) {
        return Err(
            ApiError::new(ErrorCode::Internal).logged(format!("cannot serialize a message: {e}"))
        );
    }
    one.push(b'}');
    Ok(json_bytes(one))
}

/// `PUT …/messages/{message_id}` `{"text", "notify_edit"}`: only the sender edits; 204.
async fn edit(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let req = cliqd_message::validate_edit_request(&body).map_err(|e| field_errors(&e))?;
    cliqd_service::edit_message(state.store.as_ref(), &auth.actor(), &chat_id, &mid, req).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE …/messages/{message_id}`: the sender or an organization admin; 204.
async fn delete_message(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &chat_id).await?;
    cliqd_service::delete_message(state.store.as_ref(), &auth.actor(), &chat, &mid).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
struct DeleteManyParams {
    message_ids: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
}

/// `DELETE /api/v3/chats/{chat_id}/messagess?message_ids=a,b`: up to 25 messages, each
/// reported as `success` or `failed` with its error (`message_not_found`, `access_denied`).
async fn delete_many(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: axum::http::Uri,
    CliqPath(chat_id): CliqPath<String>,
    CliqQuery(p): CliqQuery<DeleteManyParams>,
) -> ApiResult<Response> {
    let ids: Vec<String> = p
        .message_ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(message_id)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err(ApiError::new(ErrorCode::InvalidParameters));
    }
    if ids.len() > 25 {
        return Err(ApiError::new(ErrorCode::MessageDeleteLimitExceeded));
    }
    if let Some(r) = p.reason.as_deref()
        && !["irrelevant_information", "obscene_content", "others"].contains(&r)
    {
        return Err(ApiError::new(ErrorCode::InvalidDeleteReason));
    }
    if p.comment
        .as_deref()
        .is_some_and(|c| c.chars().count() > 250)
    {
        return Err(ApiError::invalid("comment can be at most 250 characters"));
    }
    let chat = member_chat(&state, &auth, &chat_id).await?;
    let actor = auth.actor();
    let mut data = Vec::new();
    for id in ids {
        let outcome =
            match cliqd_service::delete_message(state.store.as_ref(), &actor, &chat, &id).await {
                Err(ServiceError::NotSender) => Err(ApiError::with_message(
                    ErrorCode::AccessDenied,
                    "You do not have permission to delete this message",
                )),
                other => other.map_err(ApiError::from),
            };
        data.push(match outcome {
            Ok(()) => json!({"id": id, "status": "success"}),
            Err(e) => json!({"id": id, "status": "failed", "error": e.body()}),
        });
    }
    let reply = json!({"url": uri.path(), "type": "message.delete_result", "data": data});
    Ok(axum::Json(reply).into_response())
}

/// The emoji of a reaction request: `emoji_code` in the body or the query string.
fn emoji_of(body: Option<&Value>, query: &HashMap<String, String>) -> ApiResult<String> {
    let from_body = match body {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => match m.get("emoji_code") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(ApiError::invalid("emoji_code must be a string")),
        },
        Some(_) => return Err(ApiError::invalid("the body must be a JSON object")),
    };
    let emoji = from_body
        .or_else(|| query.get("emoji_code").cloned())
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    if emoji.is_empty() {
        return Err(ApiError::invalid("emoji_code is required"));
    }
    if emoji.chars().count() > 100 {
        return Err(ApiError::invalid(
            "emoji_code can be at most 100 characters",
        ));
    }
    Ok(emoji)
}

/// An optional JSON body (reactions may send theirs in the query string instead).
pub(crate) async fn optional_body(req: axum::extract::Request) -> ApiResult<Option<Value>> {
    let bytes = axum::body::to_bytes(req.into_body(), 64 * 1024)
        .await
        .map_err(|_| ApiError::new(ErrorCode::PayloadTooLarge))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    crate::extract::parse_json(&bytes).map(Some)
}

async fn add_reaction(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
    CliqQuery(q): CliqQuery<HashMap<String, String>>,
    req: axum::extract::Request,
) -> ApiResult<Response> {
    let emoji = emoji_of(optional_body(req).await?.as_ref(), &q)?;
    let chat = member_chat(&state, &auth, &chat_id).await?;
    // Reacting twice with the same emoji changes nothing and is not an error.
    state
        .store
        .add_reaction(&chat.id, &message_id(&mid), &emoji, auth.user.id)
        .await
        .map_err(map_message)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn delete_reaction(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
    CliqQuery(q): CliqQuery<HashMap<String, String>>,
    req: axum::extract::Request,
) -> ApiResult<Response> {
    let emoji = emoji_of(optional_body(req).await?.as_ref(), &q)?;
    let chat = member_chat(&state, &auth, &chat_id).await?;
    let removed = state
        .store
        .remove_reaction(&chat.id, &message_id(&mid), &emoji, auth.user.id)
        .await
        .map_err(map_message)?;
    if !removed {
        return Err(ApiError::new(ErrorCode::ReactionNotFound));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `{"data": {"😍": ["<epoch_ms>:<zuid>:<name>", …], …}}`, emojis in order of first reaction.
async fn get_reactions(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, mid)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &chat_id).await?;
    let rows = state
        .store
        .reactions(&chat.id, &message_id(&mid))
        .await
        .map_err(map_message)?;
    let mut data = Map::new();
    for r in rows {
        let entry = data
            .entry(r.emoji.clone())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(format!("{}:{}:{}", r.time, r.user_id, r.user_name).into());
        }
    }
    Ok(axum::Json(json!({"data": data})).into_response())
}

/// Query parameters of the posting endpoints; unknown ones (`appkey`, `zapikey`, …) are
/// accepted and ignored.
pub(crate) type PostQuery = HashMap<String, String>;

/// `mark_as_read` (body or query) is accepted on every post endpoint and must be a boolean.
/// cliqd keeps no per-user read state (no unread counts, no read receipts), so a message a
/// user posts is never unread for them and the flag changes nothing (docs/messaging.md).
pub(crate) fn check_mark_as_read(query: &PostQuery) -> ApiResult<()> {
    match query
        .get("mark_as_read")
        .map(|v| v.trim().to_ascii_lowercase())
    {
        None => Ok(()),
        Some(v) if v == "true" || v == "false" => Ok(()),
        Some(_) => Err(ApiError::invalid("mark_as_read must be true or false")),
    }
}

/// Validates and posts `body` to `target` as the caller (or as `?bot_unique_name`).
/// Replies 204, or `{"message_id"}` when the body asks for `sync_message`.
pub(crate) async fn post_to(
    state: &AppState,
    auth: &AuthContext,
    target: PostTarget,
    query: &PostQuery,
    body: &Value,
    card_reply_url: Option<&str>,
) -> ApiResult<Response> {
    let msg = validate(body, MessageContext::Post)?;
    check_mark_as_read(query)?;
    let actor = auth.actor();
    let from = match query.get("bot_unique_name").map(|s| s.trim()) {
        None | Some("") => PostAs::User,
        Some(name) => PostAs::Bot(
            cliqd_service::find_bot(state.store.as_ref(), &actor, name)
                .await?
                .id,
        ),
    };
    let row = cliqd_service::post_message(state.store.as_ref(), &actor, target, &msg, from)
        .await?
        .row;
    // A card posted through v3 `/chats/{id}/messages` answers with the message itself
    // (messagecards.yml), unless `sync_message` asks for the id reply.
    if let Some(url) = card_reply_url
        && msg.card.is_some()
        && msg.sync_message != Some(true)
    {
        let mut data = serde_json::Map::new();
        data.insert("id".into(), row.id.clone().into());
        if let Value::Object(content) = row.body.value() {
            data.extend(content.clone());
        }
        return Ok(crate::api::envelope(url, "message", Value::Object(data)).into_response());
    }
    if msg.sync_message == Some(true) {
        let reply = cliqd_service::sync_reply(&msg, &row);
        return Ok(axum::Json(Value::Object(reply)).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn post_channel_by_name(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(name): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let target = PostTarget::ChannelUniqueName(name.trim().to_lowercase());
    post_to(&state, &auth, target, &q, &body, None).await
}

async fn post_channel_by_id(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let target = PostTarget::ChannelId(id.trim().to_string());
    post_to(&state, &auth, target, &q, &body, None).await
}

async fn post_card_channel(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: axum::http::Uri,
    CliqPath(name): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let target = PostTarget::ChannelUniqueName(name.trim().to_lowercase());
    post_to(&state, &auth, target, &q, &body, Some(uri.path())).await
}

/// `POST /api/v2/chats/{chat_id}/message`: replies 204.
async fn post_chat_v2(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(chat_id): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let target = PostTarget::Chat(chat_id.trim().to_string());
    post_to(&state, &auth, target, &q, &body, None).await
}

/// `POST /api/v3/chats/{chat_id}/messages`: replies with the message, its `url` echoed.
async fn post_chat_v3(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: axum::http::Uri,
    CliqPath(chat_id): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let target = PostTarget::Chat(chat_id.trim().to_string());
    post_to(&state, &auth, target, &q, &body, Some(uri.path())).await
}

/// `POST /api/v2/buddies/{email or zuid}/message`: into the direct chat with that user, which
/// is opened on first use. Users outside the caller's organization are refused.
async fn post_buddy(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(user): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    // Validate first so a bad message does not open a chat.
    validate(&body, MessageContext::Post)?;
    check_mark_as_read(&q)?;
    let chat = cliqd_service::open_direct_chat(state.store.as_ref(), &auth.actor(), &user).await?;
    post_to(&state, &auth, PostTarget::Chat(chat.id), &q, &body, None).await
}
