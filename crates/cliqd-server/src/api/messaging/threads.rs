//! Threads (threads.yml): details, state (close/reopen) and following, the main message,
//! followers and non-followers, follow and unfollow.
//!
//! Model: a thread's readers and writers are its parent chat's members. Following is per user
//! per thread and only decides who the thread is "for" (notifications in Cliq): the parent
//! message's sender follows when the thread starts, and everyone who posts in it follows from
//! then on; users follow and unfollow themselves, and members add or remove others. A user who
//! leaves the parent chat no longer counts as a follower. Closing a thread stops new posts
//! (`thread_closed`) until it is reopened.

use super::{ep_locked, iso_time, member_chat, resolve_users};
use crate::api::{Endpoint, envelope, member_json};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{ChatRow, MessageRow, StoreError, UserRow};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

const THREAD_PATH: &str = "/api/v3/threads/{chat_id}";
const FOLLOWERS_PATH: &str = "/api/v3/threads/{chat_id}/followers";

pub const GET: Endpoint = ep_locked(
    "threads.get",
    Method::GET,
    THREAD_PATH,
    "chats.read",
    20,
    300,
);
pub const UPDATE: Endpoint = ep_locked(
    "threads.update",
    Method::PUT,
    THREAD_PATH,
    "chats.update",
    20,
    600,
);
pub const MAIN: Endpoint = ep_locked(
    "threads.main_message",
    Method::GET,
    "/api/v3/threads/{chat_id}/messages/main",
    "messages.read",
    30,
    600,
);
pub const FOLLOWERS: Endpoint = ep_locked(
    "threads.followers",
    Method::GET,
    FOLLOWERS_PATH,
    "chats.read",
    20,
    600,
);
pub const FOLLOWERS_ADD: Endpoint = ep_locked(
    "threads.followers_add",
    Method::POST,
    FOLLOWERS_PATH,
    "chats.update",
    20,
    600,
);
pub const FOLLOWERS_REMOVE: Endpoint = ep_locked(
    "threads.followers_remove",
    Method::DELETE,
    FOLLOWERS_PATH,
    "chats.delete",
    20,
    600,
);
pub const NONFOLLOWERS: Endpoint = ep_locked(
    "threads.nonfollowers",
    Method::GET,
    "/api/v3/threads/{chat_id}/nonfollowers",
    "chats.read",
    20,
    600,
);
pub const FOLLOW: Endpoint = ep_locked(
    "threads.follow",
    Method::POST,
    "/api/v3/threads/{chat_id}/follow",
    "chats.update",
    20,
    600,
);
pub const UNFOLLOW: Endpoint = ep_locked(
    "threads.unfollow",
    Method::POST,
    "/api/v3/threads/{chat_id}/unfollow",
    "chats.update",
    20,
    600,
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(THREAD_PATH, get(get_thread).put(update))
        .route(MAIN.path, get(main_message))
        .route(
            FOLLOWERS_PATH,
            get(followers).post(add_followers).delete(remove_followers),
        )
        .route(NONFOLLOWERS.path, get(nonfollowers))
        .route(FOLLOW.path, post(follow))
        .route(UNFOLLOW.path, post(unfollow))
}

/// The thread `id` if the caller is a member of its parent chat; a chat that is not a thread
/// is `thread_chatid_invalid`.
pub(crate) async fn thread_chat(
    state: &AppState,
    auth: &AuthContext,
    id: &str,
) -> ApiResult<ChatRow> {
    let chat = member_chat(state, auth, id).await?;
    if chat.kind != "thread" || chat.parent_chat_id.is_none() || chat.thread_message_id.is_none() {
        return Err(ApiError::with_message(
            ErrorCode::ThreadChatidInvalid,
            "this chat is not a thread",
        ));
    }
    Ok(chat)
}

/// The message the thread hangs under.
async fn parent_message(state: &AppState, thread: &ChatRow) -> ApiResult<MessageRow> {
    let (Some(parent), Some(message)) = (&thread.parent_chat_id, &thread.thread_message_id) else {
        return Err(ApiError::new(ErrorCode::ThreadChatidInvalid));
    };
    match state.store.get_message(parent, message).await {
        Ok(r) => Ok(r),
        Err(StoreError::NotFound) => Err(ApiError::with_message(
            ErrorCode::MessageNotFound,
            "the message this thread started from was deleted",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Who may close, reopen and remove others from a thread: an organization admin, the creator
/// of the parent chat (a thread records it as its own creator) or the sender of the message
/// the thread hangs under.
async fn can_moderate(state: &AppState, auth: &AuthContext, thread: &ChatRow) -> ApiResult<bool> {
    if auth.is_admin() || thread.creator_id == auth.user.id {
        return Ok(true);
    }
    let (Some(parent), Some(message)) = (&thread.parent_chat_id, &thread.thread_message_id) else {
        return Ok(false);
    };
    match state.store.get_message(parent, message).await {
        Ok(m) => Ok(m.sender_id == auth.user.id),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

fn state_name(thread: &ChatRow) -> &'static str {
    if thread.closed { "closed" } else { "open" }
}

/// `GET /api/v3/threads/{THREAD_CHAT_ID}` (threads.yml `v3-thread`).
async fn get_thread(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    let followers = state.store.thread_followers(&chat.id).await?;
    let mut data = json!({
        "chat_id": chat.id,
        "parent_chat_id": chat.parent_chat_id,
        "thread_message_id": chat.thread_message_id,
        "title": chat.title,
        "follower_count": followers.len(),
        "is_follower": followers.iter().any(|u| u.id == auth.user.id),
        // Only members of the parent chat get this far.
        "parent_participant": true,
        "thread_state": state_name(&chat),
    });
    // The sender of the message the thread hangs under, while that message exists.
    if let Ok(parent) = parent_message(&state, &chat).await {
        data["parent_message_sender"] = parent.sender_id.to_string().into();
    }
    Ok(envelope(uri.path(), "chat_thread", data).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    action: Option<String>,
}

/// `PUT /api/v3/threads/{THREAD_CHAT_ID}` `{"action": "close"|"reopen"|"follow"|"unfollow"}`
/// → 204. Closing or reopening an already closed or open thread is not an error. With
/// `?bot_unique_name=` the bot must be associated with the thread's channel; it may close and
/// reopen (a channel participant), but bots do not follow threads in cliqd.
async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
    CliqQuery(q): CliqQuery<HashMap<String, String>>,
    CliqJson(body): CliqJson<UpdateBody>,
) -> ApiResult<Response> {
    let action = body
        .action
        .as_deref()
        .map(|a| a.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if !["close", "reopen", "follow", "unfollow"].contains(&action.as_str()) {
        return Err(ApiError::invalid(
            "action must be close, reopen, follow or unfollow",
        ));
    }
    let chat = thread_chat(&state, &auth, &id).await?;
    let as_bot = match q.get("bot_unique_name").map(|s| s.trim()) {
        None | Some("") => false,
        Some(name) => {
            let bot = crate::api::bots::find_bot(&state, &auth, name).await?;
            let parent = chat.parent_chat_id.clone().unwrap_or_default();
            let channel = state
                .store
                .get_chat(auth.org_id(), &parent)
                .await?
                .channel_id;
            let associated = match channel {
                Some(ch) => state.store.channel_bots(&ch).await?.contains(&bot.id),
                None => false,
            };
            if !associated {
                return Err(ApiError::new(ErrorCode::BotNotMember));
            }
            true
        }
    };
    match action.as_str() {
        "close" | "reopen" => {
            if !as_bot && !can_moderate(&state, &auth, &chat).await? {
                return Err(ApiError::with_message(
                    ErrorCode::Forbidden,
                    "Only the thread's starter, the chat's creator or an organization admin can close or reopen a thread",
                ));
            }
            // Bots of the thread's channel hear of it (participation: thread_closed/reopened).
            state
                .store
                .close_thread(&chat.id, action == "close", auth.user.id)
                .await?;
        }
        _ if as_bot => {
            return Err(ApiError::invalid(
                "bots do not follow threads; follow and unfollow act for the calling user",
            ));
        }
        "follow" => {
            state
                .store
                .follow_thread(&chat.id, vec![auth.user.id])
                .await?;
        }
        _ => {
            state
                .store
                .unfollow_thread(&chat.id, vec![auth.user.id])
                .await?;
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /api/v3/threads/{THREAD_CHAT_ID}/messages/main`: the message the thread hangs under,
/// in the read shape plus `thread_information` and `thread_state_information`.
async fn main_message(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    let row = parent_message(&state, &chat).await?;
    let followers = state.store.thread_followers(&chat.id).await?.len();
    let mut data = super::message_json(&row);
    // The v3 documents give times as ISO 8601 (v2 reads keep epoch milliseconds).
    data["time"] = iso_time(row.time).into();
    data["thread_information"] = json!({
        "thread_message_id": row.id,
        "title": chat.title,
        "follower_count": followers,
        "chat_id": chat.id,
    });
    data["thread_state_information"] = json!({"thread_state": state_name(&chat)});
    Ok(axum::Json(data).into_response())
}

fn users_reply(users: &[UserRow]) -> Response {
    let data: Vec<Value> = users.iter().map(member_json).collect();
    axum::Json(json!({ "data": data })).into_response()
}

/// `GET …/followers` → `{"data": [{"user_id", "email_id", "name"}]}`, by follow time.
async fn followers(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    Ok(users_reply(&state.store.thread_followers(&chat.id).await?))
}

/// `GET …/nonfollowers`: members of the parent chat who do not follow the thread.
async fn nonfollowers(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    Ok(users_reply(
        &state.store.thread_nonfollowers(&chat.id).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowersBody {
    user_ids: Option<Value>,
}

/// The users named by `user_ids` (body, or query for DELETE), each a member of the thread's
/// parent chat.
async fn named_members(
    state: &AppState,
    auth: &AuthContext,
    chat: &ChatRow,
    ids: Option<Value>,
) -> ApiResult<Vec<i64>> {
    let Some(ids) = ids.filter(|v| !v.is_null()) else {
        return Err(ApiError::invalid("user_ids is required"));
    };
    let users = resolve_users(state, auth, "user_ids", &ids).await?;
    if users.is_empty() {
        return Err(ApiError::invalid("user_ids must name at least one user"));
    }
    let members = state.store.chat_members(&chat.acl_chat_id).await?;
    for u in &users {
        if !members.iter().any(|m| m.id == u.id) {
            return Err(ApiError::with_message(
                ErrorCode::AccessDenied,
                format!("user {} is not a member of the thread's parent chat", u.id),
            ));
        }
    }
    Ok(users.iter().map(|u| u.id).collect())
}

/// `POST …/followers {"user_ids": [...]}`: any member of the parent chat may add members of
/// it as followers. 204.
async fn add_followers(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<FollowersBody>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    let users = named_members(&state, &auth, &chat, body.user_ids).await?;
    state.store.follow_thread(&chat.id, users).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE …/followers` with `{"user_ids": [...]}` (or `?user_ids=a,b`): a user may remove
/// themselves; removing others takes the right to close the thread. 204.
async fn remove_followers(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
    CliqQuery(q): CliqQuery<HashMap<String, String>>,
    req: axum::extract::Request,
) -> ApiResult<Response> {
    let body = super::messages::optional_body(req).await?;
    let ids = match body {
        Some(Value::Object(mut map)) => {
            if let Some(k) = map.keys().find(|k| *k != "user_ids") {
                return Err(ApiError::invalid(format!("unknown field `{k}`")));
            }
            map.remove("user_ids")
        }
        None | Some(Value::Null) => None,
        Some(_) => return Err(ApiError::invalid("the body must be a JSON object")),
    }
    .or_else(|| q.get("user_ids").map(|s| Value::String(s.clone())));
    let chat = thread_chat(&state, &auth, &id).await?;
    let users = named_members(&state, &auth, &chat, ids).await?;
    if users.iter().any(|u| *u != auth.user.id) && !can_moderate(&state, &auth, &chat).await? {
        return Err(ApiError::with_message(
            ErrorCode::Forbidden,
            "Only the thread's starter, the chat's creator or an organization admin can remove other followers",
        ));
    }
    state.store.unfollow_thread(&chat.id, users).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST …/follow`: the caller follows the thread (again). 204.
async fn follow(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    state
        .store
        .follow_thread(&chat.id, vec![auth.user.id])
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST …/unfollow`: the caller stops following; they can still read and post. 204.
async fn unfollow(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = thread_chat(&state, &auth, &id).await?;
    state
        .store
        .unfollow_thread(&chat.id, vec![auth.user.id])
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
