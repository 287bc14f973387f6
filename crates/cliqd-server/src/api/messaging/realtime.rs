//! Real-time delivery: `GET /api/v3/realtime` upgrades to a WebSocket that streams, to the
//! authenticated user, the events of every chat they belong to (format in
//! `docs/realtime.md`). Events come from the store's change feed, which publishes them only
//! after their batch has committed, in commit order; so a client never sees an event for a
//! write that could still be lost, and sees the events of one chat in the order they happened.

use super::message_json;
use crate::api::{AuthMode, Endpoint};
use crate::auth::AuthContext;
use crate::error::ApiResult;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use cliqd_store::{ChatEvent, ChatEventKind, EventStream, RecvError};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::collections::HashSet;

/// Browsers cannot set headers on a WebSocket: the token is accepted as the subprotocol
/// `cliqd.token.<token>` (offered beside `cliqd`, which the server selects) or in
/// `?access_token=`.
pub const STREAM: Endpoint = Endpoint::with_auth(
    "realtime.stream",
    Method::GET,
    "/api/v3/realtime",
    "chats.read",
    Limit::per_min(30, 600),
    AuthMode::TokenOrQueryToken,
);

/// The subprotocol a browser offers beside its `cliqd.token.<token>`.
pub const PROTOCOL: &str = "cliqd";

pub fn routes() -> Router<AppState> {
    Router::new().route(STREAM.path, get(stream))
}

async fn stream(
    State(state): State<AppState>,
    auth: AuthContext,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    // Subscribe before loading the memberships: a join committed in between arrives as an
    // event and is applied, so nothing falls in the gap.
    let events = state.store.chat_events();
    let chats: HashSet<String> = state
        .store
        .chat_ids_of_user(auth.user.id)
        .await?
        .into_iter()
        .collect();
    let user_events = state.engine.user_events(auth.user.id);
    // A browser fails the handshake unless one offered subprotocol is selected: `cliqd` is
    // (the token's own entry never is, so it is not echoed back).
    Ok(ws
        .protocols([PROTOCOL])
        .on_upgrade(move |socket| run(socket, auth.user.id, chats, events, user_events)))
}

async fn run(
    socket: WebSocket,
    user_id: i64,
    mut chats: HashSet<String>,
    mut events: EventStream,
    mut user_events: cliqd_runtime::UserEvents,
) {
    let mut user_events_open = true;
    // The client's side is read by a task of its own (it answers pings and notices the
    // close), so waking for an event never touches the socket's read buffer.
    let (mut sink, mut stream) = socket.split();
    let (closed_tx, mut closed) = tokio::sync::oneshot::channel::<()>();
    let reader = tokio::spawn(async move {
        while let Some(incoming) = stream.next().await {
            // Anything else from the client is ignored.
            if matches!(incoming, Ok(Message::Close(_)) | Err(_)) {
                break;
            }
        }
        let _ = closed_tx.send(());
    });
    let hello = json!({"event": "ready", "user_id": user_id.to_string()});
    if sink.send(Message::text(hello.to_string())).await.is_err() {
        reader.abort();
        return;
    }
    loop {
        tokio::select! {
            ev = events.recv_shared() => match ev {
                Ok(ev) => {
                    if let ChatEventKind::MemberJoined { chat_id, user_id: u } = &ev.kind
                        && *u == user_id
                    {
                        chats.insert(chat_id.clone());
                    }
                    if !chats.contains(&ev.acl_chat_id) {
                        continue;
                    }
                    if let ChatEventKind::MemberLeft { chat_id, user_id: u } = &ev.kind
                        && *u == user_id
                    {
                        chats.remove(chat_id);
                    }
                    let text = event_json(&ev).to_string();
                    if sink.send(Message::text(text)).await.is_err() {
                        break;
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    // Too far behind to deliver everything in order: say so and close; the
                    // client re-reads with get-messages and reconnects.
                    let reason = format!("lagged: {n} events dropped; reconnect and re-read");
                    let _ = sink
                        .send(Message::Close(Some(CloseFrame { code: 4000, reason: reason.into() })))
                        .await;
                    break;
                }
                Err(RecvError::Closed) => break,
            },
            // Banners and execution notices for this user only (never stored).
            ue = user_events.recv(), if user_events_open => match ue {
                Ok(ue) => {
                    if sink.send(Message::text(ue.to_string())).await.is_err() {
                        break;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => user_events_open = false,
            },
            _ = &mut closed => break,
        }
    }
    reader.abort();
}

/// One event as sent on the wire (see `docs/realtime.md`).
pub fn event_json(ev: &ChatEvent) -> Value {
    match &ev.kind {
        ChatEventKind::MessageCreated(m) => {
            json!({"event": "message_created", "chat_id": m.chat_id, "data": message_json(m)})
        }
        ChatEventKind::MessageEdited(m) => {
            json!({"event": "message_edited", "chat_id": m.chat_id, "data": message_json(m)})
        }
        ChatEventKind::MessageDeleted {
            chat_id,
            message_id,
        } => json!({"event": "message_deleted", "chat_id": chat_id, "data": {"id": message_id}}),
        ChatEventKind::ReactionAdded {
            chat_id,
            message_id,
            reaction,
        }
        | ChatEventKind::ReactionRemoved {
            chat_id,
            message_id,
            reaction,
        } => {
            let name = if matches!(ev.kind, ChatEventKind::ReactionAdded { .. }) {
                "reaction_added"
            } else {
                "reaction_removed"
            };
            json!({"event": name, "chat_id": chat_id, "data": {
                "message_id": message_id,
                "emoji_code": reaction.emoji,
                "user_id": reaction.user_id.to_string(),
                "name": reaction.user_name,
                "time": reaction.time,
            }})
        }
        ChatEventKind::MemberJoined { chat_id, user_id } => {
            json!({"event": "member_joined", "chat_id": chat_id, "data": {"user_id": user_id.to_string()}})
        }
        ChatEventKind::MemberLeft { chat_id, user_id } => {
            json!({"event": "member_left", "chat_id": chat_id, "data": {"user_id": user_id.to_string()}})
        }
    }
}
