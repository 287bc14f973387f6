//! Channel management, the minimum messaging needs: create, list the caller's channels, get
//! one, and add, list and remove members.

use super::{ep, iso_time, resolve_users};
use crate::api::{Endpoint, char_len, envelope, envelope_of};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use cliqd_store::{ChannelRow, ConflictOn, NewChannel, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub const CREATE: Endpoint = ep(
    "channels.create",
    Method::POST,
    "/api/v3/channels",
    "channels.create",
    10,
);
pub const LIST: Endpoint = ep(
    "channels.list",
    Method::GET,
    "/api/v3/channels",
    "channels.read",
    30,
);
pub const GET: Endpoint = ep(
    "channels.get",
    Method::GET,
    "/api/v3/channels/{channel_id}",
    "channels.read",
    30,
);
pub const MEMBERS_ADD: Endpoint = ep(
    "channels.members_add",
    Method::POST,
    "/api/v3/channels/{channel_id}/members",
    "channels.update",
    20,
);
pub const MEMBERS_LIST: Endpoint = ep(
    "channels.members_list",
    Method::GET,
    "/api/v3/channels/{channel_id}/members",
    "channels.read",
    30,
);
pub const MEMBER_REMOVE: Endpoint = ep(
    "channels.member_remove",
    Method::DELETE,
    "/api/v3/channels/{channel_id}/members/{user_id}",
    "channels.update",
    20,
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CREATE.path, post(create).get(list))
        .route(GET.path, get(get_channel))
        .route(MEMBERS_ADD.path, post(add_members).get(list_members))
        .route(MEMBER_REMOVE.path, delete(remove_member))
}

/// `level` values (Cliq's v2 channel API) mapped to the stored kinds.
fn kind_of(level: &str) -> Option<&'static str> {
    match level.trim().to_ascii_lowercase().as_str() {
        "organization" | "organisation" => Some("organization"),
        "team" => Some("team"),
        "personal" | "private" => Some("personal"),
        "external" => Some("external"),
        _ => None,
    }
}

/// A channel's unique name from its display name: lower-case letters, digits, `-` and `_`.
pub fn derive_unique_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub(crate) fn channel_json(c: &ChannelRow) -> Value {
    serde_json::to_value(ChannelView::from(c)).unwrap_or(Value::Null)
}

/// The channel object, borrowed from its row: serialized straight into a reply (the channels
/// list), or into a [`Value`] by [`channel_json`]. Keys in this order.
#[derive(Serialize)]
pub(crate) struct ChannelView<'a> {
    channel_id: &'a str,
    chat_id: &'a str,
    name: &'a str,
    unique_name: &'a str,
    description: &'a str,
    level: &'a str,
    creator_id: String,
    team_ids: &'a [i64],
    participant_count: i64,
    creation_time: String,
}

impl<'a> From<&'a ChannelRow> for ChannelView<'a> {
    fn from(c: &'a ChannelRow) -> Self {
        ChannelView {
            channel_id: &c.id,
            chat_id: &c.chat_id,
            name: &c.name,
            unique_name: &c.unique_name,
            description: &c.description,
            level: &c.kind,
            creator_id: c.creator_id.to_string(),
            team_ids: &c.team_ids,
            participant_count: c.member_count,
            creation_time: iso_time(c.created_at),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: Option<String>,
    unique_name: Option<String>,
    description: Option<String>,
    level: Option<String>,
    /// Same as `level` (the v3 documents' wording).
    #[serde(rename = "type")]
    kind: Option<String>,
    user_ids: Option<Value>,
    email_ids: Option<Value>,
    team_ids: Option<Vec<i64>>,
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<CreateBody>,
) -> ApiResult<Response> {
    let name = body
        .name
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    if name.is_empty() {
        return Err(ApiError::invalid("name is required"));
    }
    if char_len(&name) > 100 {
        return Err(ApiError::invalid("name can be at most 100 characters"));
    }
    let unique_name = match body.unique_name.as_deref().map(str::trim) {
        Some(u) if !u.is_empty() => {
            if !u
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            {
                return Err(ApiError::invalid(
                    "unique_name may hold lower-case letters, digits, - and _ only",
                ));
            }
            u.to_string()
        }
        _ => derive_unique_name(&name),
    };
    if unique_name.is_empty() {
        return Err(ApiError::invalid(
            "name must contain a letter or digit to derive the unique name from",
        ));
    }
    let level = body
        .level
        .as_deref()
        .or(body.kind.as_deref())
        .unwrap_or("organization");
    let kind = kind_of(level).ok_or_else(|| {
        ApiError::invalid("level must be organization, team, private (personal) or external")
    })?;
    let team_ids = body.team_ids.unwrap_or_default();
    if kind == "team" {
        if team_ids.is_empty() {
            return Err(ApiError::invalid("team_ids is required for a team channel"));
        }
        let found = state
            .store
            .existing_teams(auth.org_id(), team_ids.clone())
            .await?;
        if let Some(missing) = team_ids.iter().find(|t| !found.contains(t)) {
            return Err(ApiError::invalid(format!(
                "team {missing} does not exist in this organization"
            )));
        }
    } else if !team_ids.is_empty() {
        return Err(ApiError::invalid(
            "team_ids is allowed only for team channels",
        ));
    }
    let description = body.description.unwrap_or_default();
    if char_len(&description) > 500 {
        return Err(ApiError::invalid(
            "description can be at most 500 characters",
        ));
    }
    let mut members = Vec::new();
    for (field, v) in [("user_ids", &body.user_ids), ("email_ids", &body.email_ids)] {
        if let Some(v) = v {
            members.extend(
                resolve_users(&state, &auth, field, v)
                    .await?
                    .iter()
                    .map(|u| u.id),
            );
        }
    }
    let created = state
        .store
        .create_channel(NewChannel {
            org_id: auth.org_id(),
            kind: kind.into(),
            name,
            unique_name,
            description,
            creator_id: auth.user.id,
            team_ids,
            members,
        })
        .await;
    let channel = match created {
        Ok(c) => c,
        Err(StoreError::Conflict(ConflictOn::UniqueName)) => {
            return Err(ApiError::new(ErrorCode::ChannelUniqueNameAlreadyExists));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(envelope(uri.path(), "channel", channel_json(&channel)).into_response())
}

/// The caller's channels.
async fn list(State(state): State<AppState>, auth: AuthContext, uri: Uri) -> ApiResult<Response> {
    let rows = state.store.channels_of_user(auth.user.id).await?;
    let data: Vec<ChannelView> = rows.iter().map(ChannelView::from).collect();
    Ok(envelope_of(uri.path(), "channel", data).into_response())
}

/// A channel by id (`O…`) or unique name. Channels of the organization level are visible to
/// everyone in it; others only to their members.
async fn find_channel(state: &AppState, auth: &AuthContext, raw: &str) -> ApiResult<ChannelRow> {
    let raw = raw.trim();
    let by_id = state.store.channel_by_id(auth.org_id(), raw).await;
    let found = match by_id {
        Err(StoreError::NotFound) => {
            state
                .store
                .channel_by_unique_name(auth.org_id(), &raw.to_lowercase())
                .await
        }
        other => other,
    };
    let channel = match found {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::ChannelNotFound)),
        Err(e) => return Err(e.into()),
    };
    if channel.kind != "organization"
        && !state
            .store
            .is_member(&channel.chat_id, auth.user.id)
            .await?
    {
        return Err(ApiError::new(ErrorCode::ChannelNotFound));
    }
    Ok(channel)
}

async fn get_channel(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let channel = find_channel(&state, &auth, &id).await?;
    Ok(envelope(uri.path(), "channel", channel_json(&channel)).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MembersBody {
    user_ids: Option<Value>,
    email_ids: Option<Value>,
}

/// Adds members; the caller must be a member (or an organization admin). Anyone may join an
/// organization channel by adding themselves. 204.
async fn add_members(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<MembersBody>,
) -> ApiResult<Response> {
    let channel = find_channel(&state, &auth, &id).await?;
    let mut users = Vec::new();
    for (field, v) in [("user_ids", &body.user_ids), ("email_ids", &body.email_ids)] {
        if let Some(v) = v {
            users.extend(
                resolve_users(&state, &auth, field, v)
                    .await?
                    .iter()
                    .map(|u| u.id),
            );
        }
    }
    if users.is_empty() {
        return Err(ApiError::invalid("user_ids or email_ids is required"));
    }
    let joining_self = users == [auth.user.id] && channel.kind == "organization";
    if !joining_self
        && !auth.is_admin()
        && !state
            .store
            .is_member(&channel.chat_id, auth.user.id)
            .await?
    {
        return Err(ApiError::new(ErrorCode::AccessDenied));
    }
    state
        .store
        .add_chat_members(&channel.chat_id, users)
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_members(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let channel = find_channel(&state, &auth, &id).await?;
    let members = state.store.chat_members(&channel.chat_id).await?;
    let data: Vec<Value> = members.iter().map(crate::api::member_json).collect();
    Ok(envelope(uri.path(), "channel_member", Value::Array(data)).into_response())
}

/// Removes a member: the member themselves (leaving), the channel's creator or an admin. 204.
async fn remove_member(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((id, user)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let channel = find_channel(&state, &auth, &id).await?;
    // A bot member (`b-<id>`, as bot ids appear in mentions) is dissociated from the channel;
    // its participation handler runs with `removed`.
    if user.trim().starts_with(cliqd_core::ids::BOT_ID_PREFIX) {
        return remove_bot(&state, &auth, &channel, user.trim()).await;
    }
    let target = super::resolve_user(&state, &auth, &user).await?;
    if target.id != auth.user.id && channel.creator_id != auth.user.id && !auth.is_admin() {
        return Err(ApiError::new(ErrorCode::ChannelPermissionDenied));
    }
    if !state
        .store
        .remove_chat_member(&channel.chat_id, target.id)
        .await?
    {
        return Err(ApiError::with_message(
            ErrorCode::UserNotFound,
            "the user is not a member of this channel",
        ));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Removes a bot from a channel: the channel's creator or an organization admin.
async fn remove_bot(
    state: &AppState,
    auth: &AuthContext,
    channel: &ChannelRow,
    raw: &str,
) -> ApiResult<Response> {
    let bot = crate::api::bots::find_bot(state, auth, raw).await?;
    if channel.creator_id != auth.user.id && !auth.is_admin() {
        return Err(ApiError::new(ErrorCode::ChannelPermissionDenied));
    }
    if !state
        .store
        .remove_bot_from_channel(auth.org_id(), &channel.id, bot.id, auth.user.id)
        .await?
    {
        return Err(ApiError::new(ErrorCode::BotNotMember));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}
