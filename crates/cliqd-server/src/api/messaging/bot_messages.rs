//! Messages sent as a bot (v2 `POST /bots/{name}/message`, v3 `…/messages` and `…/message`),
//! bot association with channels, and bot subscriptions with the subscriber list.

use super::messages::PostQuery;
use super::{ep, validate};
use crate::api::bots::find_bot;
use crate::api::{AuthMode, Endpoint, can_modify, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_message::MessageContext;
use cliqd_service::PostAs;
use cliqd_store::{ChannelRow, PostTarget, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

/// Also accepts a webhook token (`?zapikey=`), see [`crate::api::guard`].
pub const V2_POST_BOT: Endpoint = Endpoint::with_auth(
    "botmessages.v2_post",
    Method::POST,
    "/api/v2/bots/{bot_id}/message",
    "webhooks.create",
    Limit::per_min(20, 600),
    AuthMode::TokenOrWebhookToken,
);
pub const V3_BOT_MESSAGES: Endpoint = ep(
    "botmessages.post",
    Method::POST,
    "/api/v3/bots/{bot_id}/messages",
    "webhooks.create",
    20,
);
/// The seed's spelling of the same operation (Zoho's pages disagree).
pub const V3_BOT_MESSAGE: Endpoint = ep(
    "botmessages.post",
    Method::POST,
    "/api/v3/bots/{bot_id}/message",
    "webhooks.create",
    20,
);
pub const ASSOCIATE: Endpoint = ep(
    "bots.associate",
    Method::POST,
    "/api/v3/bots/{bot_id}/associate",
    "channels.update",
    20,
);
pub const SUBSCRIBERS: Endpoint = ep(
    "bots.subscribers",
    Method::GET,
    "/api/v3/bots/{bot_id}/subscribers",
    "bots.read",
    30,
);
/// cliqd's own: the caller subscribes to (adds) a bot; no document names this operation.
pub const SUBSCRIBE: Endpoint = ep(
    "bots.subscribe",
    Method::POST,
    "/api/v3/bots/{bot_id}/subscribe",
    "bots.read",
    20,
);
pub const UNSUBSCRIBE: Endpoint = ep(
    "bots.unsubscribe",
    Method::POST,
    "/api/v3/bots/{bot_id}/unsubscribe",
    "bots.read",
    20,
);

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(V2_POST_BOT.path, post(send))
        .route(V3_BOT_MESSAGES.path, post(send))
        .route(V3_BOT_MESSAGE.path, post(send))
        .route(ASSOCIATE.path, post(associate))
        .route(SUBSCRIBERS.path, get(subscribers))
        .route(SUBSCRIBE.path, post(subscribe))
        .route(UNSUBSCRIBE.path, post(unsubscribe))
}

/// Sends a message as the bot. Targets, in order: `?CHANNEL_UNIQUE_NAME=` (or
/// `channel_unique_name`) posts in that channel, where the bot must be associated;
/// `user_ids`/`userids` (body over query) send to those users' bot chats; `broadcast: true`
/// sends to every subscriber; with none of these the caller's own bot chat gets it (and, when
/// the caller is an organization admin, every subscriber's, as the postToBot task documents).
async fn send(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
    CliqQuery(q): CliqQuery<PostQuery>,
    CliqJson(body): CliqJson<Value>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, bot_ref.trim()).await?;
    let channel = q
        .get("CHANNEL_UNIQUE_NAME")
        .or_else(|| q.get("channel_unique_name"))
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty());
    if let Some(name) = channel {
        let msg = validate(&body, MessageContext::Post)?;
        crate::api::messaging::messages::check_mark_as_read(&q)?;
        // A bot posting into a channel replies to a message of that channel; threads are
        // not opened from here.
        let msg = cliqd_message::Message {
            thread_chat_id: None,
            thread_message_id: None,
            thread_title: None,
            post_in_parent: None,
            ..msg
        };
        let row = cliqd_service::post_message(
            state.store.as_ref(),
            &auth.actor(),
            PostTarget::ChannelUniqueName(name),
            &msg,
            PostAs::Bot(bot.id),
        )
        .await?
        .row;
        if msg.sync_message == Some(true) {
            return Ok(axum::Json(json!({"message_id": row.id})).into_response());
        }
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let mut body = body;
    // `user_ids` may also come as a query parameter; the body wins.
    if let (Some(ids), Some(map)) = (q.get("user_ids"), body.as_object_mut())
        && !map.contains_key("user_ids")
        && !map.contains_key("userids")
    {
        map.insert("user_ids".into(), ids.clone().into());
    }
    let msg = validate(&body, MessageContext::BotMessage)?;
    crate::api::messaging::messages::check_mark_as_read(&q)?;
    let sent =
        cliqd_service::post_bot_messages(state.store.as_ref(), &auth.actor(), bot.id, &msg).await?;
    if msg.sync_message == Some(true) {
        let reply = cliqd_service::bot_sync_reply(&sent);
        return Ok(axum::Json(Value::Object(reply)).into_response());
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AssociateBody {
    channel_unique_name: Option<String>,
    channel_id: Option<String>,
}

/// `POST /bots/{name}/associate {"channel_unique_name"}`: adds the bot to the channel. The
/// caller must be a member of the channel (or an organization admin); 204.
async fn associate(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
    CliqJson(body): CliqJson<AssociateBody>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, bot_ref.trim()).await?;
    let found = match (&body.channel_unique_name, &body.channel_id) {
        (Some(name), _) => {
            state
                .store
                .channel_by_unique_name(auth.org_id(), &name.trim().to_lowercase())
                .await
        }
        (None, Some(id)) => state.store.channel_by_id(auth.org_id(), id.trim()).await,
        (None, None) => return Err(ApiError::invalid("channel_unique_name is required")),
    };
    let channel: ChannelRow = match found {
        Ok(c) => c,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::ChannelNotFound)),
        Err(e) => return Err(e.into()),
    };
    if !auth.is_admin()
        && !state
            .store
            .is_member(&channel.chat_id, auth.user.id)
            .await?
    {
        return Err(ApiError::new(ErrorCode::AccessDenied));
    }
    // The participation handler runs with `added` (its trigger is written with it).
    if !state
        .store
        .add_bot_to_channel(auth.org_id(), &channel.id, bot.id, auth.user.id)
        .await?
    {
        return Err(ApiError::new(ErrorCode::BotAlreadyMember));
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The subscriber list (<https://www.zoho.com/cliq/help/restapi/v3/bots/>); only the bot's creator or an organization admin.
async fn subscribers(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_ref): CliqPath<String>,
    CliqQuery(params): CliqQuery<crate::pagination::PageParams>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, bot_ref.trim()).await?;
    if !can_modify(&auth, &bot) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    let limit = match params.limit.as_deref().map(str::trim) {
        None => 20,
        Some(l) => l
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| ApiError::invalid("limit must be a number from 1 to 100"))?,
    };
    let seq = state.store.current_seq().await?;
    let subs = state.store.bot_subscribers(bot.id).await?;
    let data: Vec<Value> = subs
        .iter()
        .take(limit as usize)
        .map(crate::api::member_json)
        .collect();
    let mut reply = envelope(uri.path(), "bot_subscriber", Value::Array(data)).0;
    reply["subscriber_count"] = subs.len().into();
    reply["sync_token"] = crate::pagination::sync_token_at(limit, seq).into();
    Ok(axum::Json(reply).into_response())
}

async fn subscribe(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, bot_ref.trim()).await?;
    // Subscribing twice is not an error: the user is subscribed either way, and the welcome
    // handler runs only for a new subscription (its trigger is written with it).
    let sub = state
        .store
        .subscribe_with_welcome(auth.user.org_id, bot.id, auth.user.id)
        .await?;
    Ok(axum::Json(json!({"chat_id": sub.chat.id})).into_response())
}

async fn unsubscribe(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, bot_ref.trim()).await?;
    state.store.unsubscribe_bot(bot.id, auth.user.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
