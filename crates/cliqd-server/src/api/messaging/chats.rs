//! Chats (v3 chats and threads documents, the minimum): list the caller's chats, open a direct
//! chat or create a group chat, get one chat, its members, and a thread's details.

use super::{iso_time, member_chat, resolve_user, resolve_users};
use crate::api::{AuthMode, Endpoint, char_len, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cliqd_store::{ChatRow, UserRow};
use serde::Deserialize;
use serde_json::{Value, json};

const fn ep(
    name: &'static str,
    method: Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
) -> Endpoint {
    Endpoint {
        name,
        method,
        path,
        scope,
        limit: Limit::per_min(per_min, 600),
        auth: AuthMode::Token,
    }
}

pub const LIST: Endpoint = ep("chats.list", Method::GET, "/api/v3/chats", "chats.read", 30);
pub const CREATE: Endpoint = ep(
    "chats.create",
    Method::POST,
    "/api/v3/chats",
    "chats.create",
    30,
);
pub const GET: Endpoint = ep(
    "chats.get",
    Method::GET,
    "/api/v3/chats/{chat_id}",
    "chats.read",
    30,
);
pub const MEMBERS: Endpoint = ep(
    "chats.members",
    Method::GET,
    "/api/v3/chats/{chat_id}/members",
    "chats.read",
    30,
);
pub const THREAD_GET: Endpoint = ep(
    "threads.get",
    Method::GET,
    "/api/v3/threads/{chat_id}",
    "chats.read",
    30,
);

pub const THREAD_MAIN: Endpoint = ep(
    "threads.main_message",
    Method::GET,
    "/api/v3/threads/{chat_id}/messages/main",
    "messages.read",
    30,
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST.path, get(list).post(create))
        .route(GET.path, get(get_chat))
        .route(MEMBERS.path, get(members))
        .route(THREAD_GET.path, get(get_thread))
        .route(THREAD_MAIN.path, get(thread_main))
}

/// The v3 chat object (chats.yml `v3-chat`).
async fn chat_json(state: &AppState, chat: &ChatRow) -> ApiResult<Value> {
    let members = state.store.chat_members(&chat.acl_chat_id).await?;
    let creator = state.store.user_by_id(chat.creator_id).await.ok();
    let mut v = json!({
        "chat_id": chat.id,
        "chat_type": chat.kind,
        "name": chat.title,
        "creator": {
            "id": chat.creator_id.to_string(),
            "name": creator.map(|u| u.name).unwrap_or_default(),
        },
        "participant_count": members.len(),
        "created_time": iso_time(chat.created_at),
        "last_modified_time": iso_time(chat.last_time),
        "user_membership": {"pinned": false, "removed": false},
    });
    if let Some(ch) = &chat.channel_id {
        v["channel_id"] = ch.clone().into();
    }
    if let Some(b) = chat.bot_id {
        v["bot_id"] = format!("b-{b}").into();
    }
    if let Some(p) = &chat.parent_chat_id {
        v["parent_chat_id"] = p.clone().into();
    }
    Ok(v)
}

#[derive(Debug, Deserialize)]
struct ListParams {
    chat_type: Option<String>,
}

/// The caller's chats, most recently active first; `chat_type` filters by kind.
async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(p): CliqQuery<ListParams>,
) -> ApiResult<Response> {
    let rows = state.store.chats_of_user(auth.user.id).await?;
    let mut data = Vec::new();
    for chat in rows
        .iter()
        .filter(|c| p.chat_type.as_deref().is_none_or(|t| t == c.kind))
    {
        data.push(chat_json(&state, chat).await?);
    }
    Ok(envelope(uri.path(), "chat", Value::Array(data)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    chat_type: Option<String>,
    user_id: Option<String>,
    user_ids: Option<Value>,
    title: Option<String>,
}

/// `{"chat_type":"direct_message","user_id"}` opens (or returns) the direct chat with that
/// user; `{"chat_type":"group_chat","user_ids":[…],"title"}` creates a group chat.
async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<CreateBody>,
) -> ApiResult<Response> {
    let chat = match body.chat_type.as_deref().map(str::trim) {
        Some("direct_message") => {
            let raw = body
                .user_id
                .as_deref()
                .ok_or_else(|| ApiError::invalid("user_id is required for a direct_message"))?;
            let other = resolve_user(&state, &auth, raw).await?;
            state
                .store
                .open_direct_chat(auth.org_id(), auth.user.id, other.id)
                .await?
        }
        Some("group_chat") => {
            let list = body
                .user_ids
                .as_ref()
                .ok_or_else(|| ApiError::invalid("user_ids is required for a group_chat"))?;
            let users: Vec<UserRow> = resolve_users(&state, &auth, "user_ids", list).await?;
            if users.iter().all(|u| u.id == auth.user.id) {
                return Err(ApiError::invalid("user_ids must name someone besides you"));
            }
            let title = match body.title.as_deref().map(str::trim) {
                Some(t) if !t.is_empty() => t.to_string(),
                _ => users
                    .iter()
                    .map(|u| u.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            if char_len(&title) > 200 {
                return Err(ApiError::invalid("title can be at most 200 characters"));
            }
            state
                .store
                .create_group_chat(
                    auth.org_id(),
                    auth.user.id,
                    &title,
                    users.iter().map(|u| u.id).collect(),
                )
                .await?
        }
        _ => {
            return Err(ApiError::invalid(
                "chat_type must be direct_message or group_chat",
            ));
        }
    };
    Ok(envelope(uri.path(), "chat", chat_json(&state, &chat).await?).into_response())
}

async fn get_chat(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    Ok(envelope(uri.path(), "chat", chat_json(&state, &chat).await?).into_response())
}

async fn members(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    let users = state.store.chat_members(&chat.acl_chat_id).await?;
    let data: Vec<Value> = users.iter().map(crate::api::member_json).collect();
    Ok(envelope(uri.path(), "chat_member", Value::Array(data)).into_response())
}

/// `GET /api/v3/threads/{THREAD_CHAT_ID}` (threads.yml `chat_thread`).
async fn get_thread(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    let (Some(parent), Some(message)) = (&chat.parent_chat_id, &chat.thread_message_id) else {
        return Err(ApiError::with_message(
            ErrorCode::ThreadChatidInvalid,
            "this chat is not a thread",
        ));
    };
    let followers = state.store.chat_members(&chat.acl_chat_id).await?.len();
    let data = json!({
        "chat_id": chat.id,
        "parent_chat_id": parent,
        "thread_message_id": message,
        "title": chat.title,
        "follower_count": followers,
        "is_follower": true,
        "thread_state": "open",
    });
    Ok(envelope(uri.path(), "chat_thread", data).into_response())
}

/// `GET /api/v3/threads/{THREAD_CHAT_ID}/messages/main`: the message the thread hangs under,
/// in the read shape plus `thread_information` and `thread_state_information`.
async fn thread_main(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    let (Some(parent), Some(message)) = (&chat.parent_chat_id, &chat.thread_message_id) else {
        return Err(ApiError::with_message(
            ErrorCode::ThreadChatidInvalid,
            "this chat is not a thread",
        ));
    };
    let row = match state.store.get_message(parent, message).await {
        Ok(r) => r,
        Err(cliqd_store::StoreError::NotFound) => {
            return Err(ApiError::new(ErrorCode::MessageNotFound));
        }
        Err(e) => return Err(e.into()),
    };
    let followers = state.store.chat_members(&chat.acl_chat_id).await?.len();
    let mut data = super::message_json(&row);
    // The v3 documents give times as ISO 8601 (v2 reads keep epoch milliseconds).
    data["time"] = iso_time(row.time).into();
    data["thread_information"] = json!({
        "thread_message_id": row.id,
        "title": chat.title,
        "follower_count": followers,
        "chat_id": chat.id,
    });
    data["thread_state_information"] = json!({"thread_state": "open"});
    Ok(axum::Json(data).into_response())
}
