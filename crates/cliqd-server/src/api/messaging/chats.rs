//! Chats (v3 chats document): list the caller's chats, open a direct chat or create a group
//! chat, get one chat, list, add and remove members (group chats), leave, mute and unmute.
//! The same leave/mute/unmute/members paths serve threads (threads.yml documents them under
//! `/chats/{THREAD_CHAT_ID}/…`).

use super::{ep, iso_time, member_chat, resolve_user, resolve_users};
use crate::api::{Endpoint, char_len, envelope, envelope_of};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{ChatListing, ChatRow, UserRow};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

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
const MEMBERS_PATH: &str = "/api/v3/chats/{chat_id}/members";
pub const MEMBERS: Endpoint = ep("chats.members", Method::GET, MEMBERS_PATH, "chats.read", 30);
pub const MEMBERS_ADD: Endpoint = ep(
    "chats.members_add",
    Method::POST,
    MEMBERS_PATH,
    "chats.update",
    20,
);
pub const MEMBERS_REMOVE: Endpoint = ep(
    "chats.members_remove",
    Method::DELETE,
    MEMBERS_PATH,
    "chats.delete",
    20,
);
pub const LEAVE: Endpoint = ep(
    "chats.leave",
    Method::POST,
    "/api/v3/chats/{chat_id}/leave",
    "chats.update",
    20,
);
pub const MUTE: Endpoint = ep(
    "chats.mute",
    Method::POST,
    "/api/v3/chats/{chat_id}/mute",
    "chats.update",
    20,
);
pub const UNMUTE: Endpoint = ep(
    "chats.unmute",
    Method::POST,
    "/api/v3/chats/{chat_id}/unmute",
    "chats.update",
    20,
);
pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST.path, get(list).post(create))
        .route(GET.path, get(get_chat))
        .route(
            MEMBERS_PATH,
            get(members).post(add_members).delete(remove_members),
        )
        .route(LEAVE.path, post(leave))
        .route(MUTE.path, post(mute))
        .route(UNMUTE.path, post(unmute))
}

/// The v3 chat object (chats.yml `v3-chat`), as `viewer` sees it (`user_membership`).
async fn chat_json(state: &AppState, chat: &ChatRow, viewer: i64) -> ApiResult<Value> {
    let listing = state
        .store
        .chat_listings(std::slice::from_ref(chat), viewer)
        .await?;
    let listing = listing
        .first()
        .ok_or_else(|| ApiError::from(cliqd_store::StoreError::NotFound))?;
    Ok(listed_chat_json(chat, listing, viewer))
}

/// A chat as the Chats API shows it to `viewer`, from its row and listing.
fn listed_chat_json(chat: &ChatRow, listing: &ChatListing, viewer: i64) -> Value {
    serde_json::to_value(ChatView::new(chat, listing, viewer)).unwrap_or(Value::Null)
}

/// The v3 chat object (chats.yml `v3-chat`) as `viewer` sees it, borrowed from its row and
/// listing: serialized straight into a reply (the chats list), or into a [`Value`] by
/// [`listed_chat_json`]. Keys in this order; the optional ones only when they apply.
#[derive(Serialize)]
struct ChatView<'a> {
    chat_id: &'a str,
    chat_type: &'a str,
    name: &'a str,
    creator: CreatorView<'a>,
    participant_count: i64,
    created_time: String,
    last_modified_time: String,
    user_membership: MembershipView,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bot_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_chat_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_message_id: Option<&'a str>,
}

#[derive(Serialize)]
struct CreatorView<'a> {
    id: String,
    name: &'a str,
}

#[derive(Serialize)]
struct MembershipView {
    pinned: bool,
    removed: bool,
    muted: bool,
}

impl<'a> ChatView<'a> {
    fn new(chat: &'a ChatRow, listing: &'a ChatListing, viewer: i64) -> Self {
        let creator_name = listing.creator_name.as_deref();
        ChatView {
            chat_id: &chat.id,
            chat_type: &chat.kind,
            name: cliqd_core::policy::chat_name_for(
                &chat.kind,
                &chat.title,
                chat.creator_id,
                creator_name,
                viewer,
            ),
            creator: CreatorView {
                id: chat.creator_id.to_string(),
                name: creator_name.unwrap_or_default(),
            },
            participant_count: listing.participant_count,
            created_time: iso_time(chat.created_at),
            last_modified_time: iso_time(chat.last_time),
            user_membership: MembershipView {
                pinned: false,
                removed: false,
                muted: listing.muted,
            },
            channel_id: chat.channel_id.as_deref(),
            bot_id: chat.bot_id.map(|b| format!("b-{b}")),
            parent_chat_id: chat.parent_chat_id.as_deref(),
            thread_message_id: chat.thread_message_id.as_deref(),
        }
    }
}

/// The caller's chats, most recently active first, filtered as the document lists
/// (`super::chat_filters`).
async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(p): CliqQuery<super::chat_filters::ChatFilters>,
) -> ApiResult<Response> {
    let filters = p.check()?;
    let rows = state.store.chats_of_user(auth.user.id).await?;
    let mut shown = Vec::new();
    for chat in rows.iter().filter(|c| filters.row_matches(c)) {
        if shown.len() >= filters.limit {
            break;
        }
        if let Some(want) = filters.wants_muted()
            && state.store.is_muted(&chat.id, auth.user.id).await? != want
        {
            continue;
        }
        if let Some(user) = filters.recipient
            && !state
                .store
                .chat_members(&chat.acl_chat_id)
                .await?
                .iter()
                .any(|m| m.id == user)
        {
            continue;
        }
        shown.push(chat.clone());
    }
    // One read for the whole page, not three per chat.
    let listings = state.store.chat_listings(&shown, auth.user.id).await?;
    // Written straight from the rows: no `Value` per chat.
    let data: Vec<ChatView> = shown
        .iter()
        .zip(&listings)
        .map(|(chat, listing)| ChatView::new(chat, listing, auth.user.id))
        .collect();
    Ok(envelope_of(uri.path(), "chat", data).into_response())
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
    Ok(envelope(
        uri.path(),
        "chat",
        chat_json(&state, &chat, auth.user.id).await?,
    )
    .into_response())
}

async fn get_chat(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    Ok(envelope(
        uri.path(),
        "chat",
        chat_json(&state, &chat, auth.user.id).await?,
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
struct MembersParams {
    fields: Option<String>,
}

const MEMBER_FIELDS: &[&str] = &["user_id", "email_id", "name"];

/// `GET /api/v3/chats/{CHAT_ID}/members` (a thread: its parent chat's members). chats.yml's
/// `retrieve-chat-members` names the list `members`; cliqd's earlier replies put it under
/// `data` in the v3 envelope, so both carry it. `?fields=user_id,name` keeps only those keys.
async fn members(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqQuery(p): CliqQuery<MembersParams>,
) -> ApiResult<Response> {
    let fields: Vec<&str> = match p.fields.as_deref().map(str::trim) {
        None | Some("") => MEMBER_FIELDS.to_vec(),
        Some(list) => {
            let mut out = Vec::new();
            for f in list.split(',').map(str::trim).filter(|f| !f.is_empty()) {
                match MEMBER_FIELDS.iter().find(|k| **k == f) {
                    Some(k) => out.push(*k),
                    None => {
                        return Err(ApiError::invalid(format!(
                            "fields can name user_id, email_id and name, not `{f}`"
                        )));
                    }
                }
            }
            out
        }
    };
    let chat = member_chat(&state, &auth, &id).await?;
    let users = state.store.chat_members(&chat.acl_chat_id).await?;
    let data: Vec<Value> = users
        .iter()
        .map(|u| {
            let mut m = crate::api::member_json(u);
            if let Some(obj) = m.as_object_mut() {
                obj.retain(|k, _| fields.contains(&k.as_str()));
            }
            m
        })
        .collect();
    let mut reply = envelope(uri.path(), "chat_member", Value::Array(data.clone())).0;
    reply["members"] = Value::Array(data);
    Ok(axum::Json(reply).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AddMembersBody {
    user_ids: Option<Value>,
}

/// Membership of a chat is changed here only for group chats: direct and bot chats are
/// one-to-one, a channel's members go through `/api/v3/channels/{CHANNEL_ID}/members` (with
/// the channel's rules), and a thread's members are its parent chat's.
fn check_group_chat(chat: &ChatRow, adding: bool) -> ApiResult<()> {
    match chat.kind.as_str() {
        "group_chat" => Ok(()),
        "direct_message" | "bot" if adding => {
            Err(ApiError::new(ErrorCode::OneToOneChatAddMemberNotAllowed))
        }
        "direct_message" | "bot" => {
            Err(ApiError::new(ErrorCode::OneToOneChatDeleteMemberNotAllowed))
        }
        "channel" => Err(ApiError::invalid(
            "a channel's members are managed with /api/v3/channels/{CHANNEL_ID}/members",
        )),
        _ => Err(ApiError::invalid(
            "a thread's members are its parent chat's members; use the thread's followers",
        )),
    }
}

/// Most participants of a group chat.
const GROUP_CHAT_MAX_MEMBERS: usize = 1000;

/// `POST /api/v3/chats/{CHAT_ID}/members {"user_ids": [...]}` (1–100): any member of a group
/// chat may add users of the organization. Replies with the users newly added.
async fn add_members(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<AddMembersBody>,
) -> ApiResult<Response> {
    let Some(ids) = body.user_ids.filter(|v| !v.is_null()) else {
        return Err(ApiError::invalid("user_ids is required"));
    };
    let chat = member_chat(&state, &auth, &id).await?;
    check_group_chat(&chat, true)?;
    let users = match resolve_users(&state, &auth, "user_ids", &ids).await {
        Err(e) if e.code == ErrorCode::UserNotInOrganization => {
            return Err(ApiError::new(ErrorCode::ChatWithOtherOrgDisabled));
        }
        other => other?,
    };
    if users.is_empty() {
        return Err(ApiError::invalid("user_ids must name at least one user"));
    }
    let current = state.store.chat_members(&chat.id).await?;
    let new = users
        .iter()
        .filter(|u| !current.iter().any(|m| m.id == u.id))
        .count();
    if current.len() + new > GROUP_CHAT_MAX_MEMBERS {
        return Err(ApiError::with_message(
            ErrorCode::InvalidInputs,
            format!("a group chat can have at most {GROUP_CHAT_MAX_MEMBERS} participants"),
        ));
    }
    let added = state
        .store
        .add_chat_members(&chat.id, users.iter().map(|u| u.id).collect())
        .await?;
    let data = json!({
        "chat_id": chat.id,
        "added_user_ids": added.iter().map(i64::to_string).collect::<Vec<_>>(),
    });
    Ok(axum::Json(json!({"url": uri.path(), "type": "chat.member", "data": data})).into_response())
}

#[derive(Debug, Deserialize)]
struct RemoveParams {
    user_ids: Option<String>,
}

/// `DELETE /api/v3/chats/{CHAT_ID}/members?user_ids=a,b`: a member may remove themselves; the
/// group chat's creator or an organization admin may remove anyone. Replies with the users
/// who were members and are not any more; each gets `member_left`.
async fn remove_members(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqQuery(p): CliqQuery<RemoveParams>,
) -> ApiResult<Response> {
    let raw = p.user_ids.unwrap_or_default();
    if raw.trim().is_empty() {
        return Err(ApiError::invalid("user_ids is required"));
    }
    let chat = member_chat(&state, &auth, &id).await?;
    check_group_chat(&chat, false)?;
    let users = resolve_users(&state, &auth, "user_ids", &Value::String(raw)).await?;
    if users.iter().any(|u| u.id != auth.user.id)
        && chat.creator_id != auth.user.id
        && !auth.is_admin()
    {
        return Err(ApiError::with_message(
            ErrorCode::Forbidden,
            "Only the group chat's creator or an organization admin can remove other members",
        ));
    }
    let mut removed = Vec::new();
    for u in &users {
        if state.store.remove_chat_member(&chat.id, u.id).await? {
            removed.push(u.id.to_string());
        }
    }
    let data = json!({"chat_id": chat.id, "removed_user_ids": removed});
    Ok(axum::Json(json!({"url": uri.path(), "type": "chat.member", "data": data})).into_response())
}

/// `POST /api/v3/chats/{CHAT_ID}/leave`: the caller leaves a group chat or channel
/// (`member_left`, and no events after it); leaving a thread unfollows it and keeps the
/// parent chat's membership. One-to-one chats cannot be left. 204.
async fn leave(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    match chat.kind.as_str() {
        "group_chat" | "channel" => {
            state
                .store
                .remove_chat_member(&chat.id, auth.user.id)
                .await?;
        }
        "thread" => {
            state
                .store
                .unfollow_thread(&chat.id, vec![auth.user.id])
                .await?;
        }
        _ => {
            return Err(ApiError::with_message(
                ErrorCode::OneToOneChatDeleteMemberNotAllowed,
                "A one-to-one chat cannot be left",
            ));
        }
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST /api/v3/chats/{CHAT_ID}/mute`: per user; the chat stays readable and writable and
/// its events are still delivered (cliqd sends no notifications to silence). 204.
async fn mute(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    state
        .store
        .set_chat_muted(&chat.id, auth.user.id, true)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn unmute(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let chat = member_chat(&state, &auth, &id).await?;
    state
        .store
        .set_chat_muted(&chat.id, auth.user.id, false)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
