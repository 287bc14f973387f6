//! Real-time delivery: `GET /api/v3/realtime` upgrades to a WebSocket that streams, to the
//! authenticated user, the events of every chat they belong to (format in
//! `docs/realtime.md`). Events come from the store's change feed, which publishes them only
//! after their batch has committed, in commit order; so a client never sees an event for a
//! write that could still be lost, and sees the events of one chat in the order they happened.

use super::{MessageView, message_json};
use crate::api::{AuthMode, Endpoint};
use crate::auth::AuthContext;
use crate::error::ApiResult;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::http::Method;
use axum::response::Response;
use axum::routing::get;
use cliqd_store::{ChatEvent, ChatEventKind, EventStream, RecvError};
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

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
    let rendered = state.rendered.clone();
    // A browser fails the handshake unless one offered subprotocol is selected: `cliqd` is
    // (the token's own entry never is, so it is not echoed back).
    Ok(ws
        .protocols([PROTOCOL])
        .on_upgrade(move |socket| run(socket, auth.user.id, rendered, chats, events, user_events)))
}

/// How many recently sent events keep their wire text. Connections receive the same events in
/// the same order, close together in time, so a short window serves them all.
const RENDERED_WINDOW: usize = 256;

/// The wire text of recent events, shared by every connection: an event is rendered once, not
/// once for each connection it is sent to. Entries are keyed by the event itself (the bus hands
/// every subscriber the same `Arc`), which the entry holds, so a key cannot be reused.
#[derive(Default)]
pub(crate) struct RenderedEvents {
    recent: Mutex<VecDeque<(Arc<ChatEvent>, Utf8Bytes)>>,
}

impl RenderedEvents {
    fn text(&self, ev: &Arc<ChatEvent>) -> Utf8Bytes {
        let cached = |recent: &VecDeque<(Arc<ChatEvent>, Utf8Bytes)>| {
            recent
                .iter()
                .rev()
                .find(|(e, _)| Arc::ptr_eq(e, ev))
                .map(|(_, text)| text.clone())
        };
        if let Ok(recent) = self.recent.lock()
            && let Some(text) = cached(&recent)
        {
            return text;
        }
        // Rendered outside the lock; two connections may both render a new event, once each.
        let text = Utf8Bytes::from(event_text(ev));
        if let Ok(mut recent) = self.recent.lock() {
            if recent.len() >= RENDERED_WINDOW {
                recent.pop_front();
            }
            recent.push_back((ev.clone(), text.clone()));
        }
        text
    }
}

async fn run(
    socket: WebSocket,
    user_id: i64,
    rendered: Arc<RenderedEvents>,
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
                    if sink.send(Message::Text(rendered.text(&ev))).await.is_err() {
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

/// A message event's frame, serialized without a [`Value`] in between.
#[derive(Serialize)]
struct MessageFrame<'a> {
    event: &'static str,
    chat_id: &'a str,
    data: MessageView<'a>,
}

/// One event as sent on the wire (see `docs/realtime.md`).
fn event_text(ev: &ChatEvent) -> String {
    let (event, m) = match &ev.kind {
        ChatEventKind::MessageCreated(m) => ("message_created", m),
        ChatEventKind::MessageEdited(m) => ("message_edited", m),
        _ => return event_json(ev).to_string(),
    };
    let frame = MessageFrame {
        event,
        chat_id: &m.chat_id,
        data: MessageView::of(m),
    };
    serde_json::to_string(&frame).unwrap_or_else(|_| event_json(ev).to_string())
}

/// One event as sent on the wire (see `docs/realtime.md`), as a [`Value`].
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

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(user_id: i64) -> Arc<ChatEvent> {
        Arc::new(ChatEvent {
            acl_chat_id: "CT_1_1".into(),
            seq: 0,
            kind: ChatEventKind::MemberJoined {
                chat_id: "CT_1_1".into(),
                user_id,
            },
        })
    }

    /// An event is rendered once: every connection then sends the same bytes.
    #[test]
    fn an_event_is_rendered_once_for_every_connection() {
        let rendered = RenderedEvents::default();
        let (one, two) = (joined(1), joined(2));
        let first = rendered.text(&one);
        assert_eq!(first.as_str(), event_json(&one).to_string());
        let again = rendered.text(&one);
        assert_eq!(first.as_str().as_ptr(), again.as_str().as_ptr());
        // An equal event that is not the same event is rendered on its own.
        let copy = Arc::new((*one).clone());
        assert_ne!(
            rendered.text(&copy).as_str().as_ptr(),
            first.as_str().as_ptr()
        );
        assert_eq!(rendered.text(&two).as_str(), event_json(&two).to_string());
        // A message event's frame is the read shape, as `event_json` has it.
        let body = json!({"text": "hi \"there\"", "card": {"title": "t"}});
        let created = Arc::new(ChatEvent {
            acl_chat_id: "CT_1_1".into(),
            seq: 1,
            kind: ChatEventKind::MessageCreated(cliqd_store::MessageRow {
                id: "1_1".into(),
                chat_id: "CT_1_1".into(),
                seq: 1,
                time: 1,
                sender_id: 2,
                sender_name: "S".into(),
                bot_id: None,
                bot_name: None,
                kind: "text".into(),
                body: body.into(),
                edited: false,
                reply_to: None,
                thread_chat_id: None,
                origin_chat_id: None,
                origin_message_id: None,
                mentions: Vec::new(),
            }),
        });
        assert_eq!(
            rendered.text(&created).as_str(),
            event_json(&created).to_string()
        );
        // The window is bounded.
        for i in 0..(RENDERED_WINDOW as i64 * 2) {
            rendered.text(&joined(i));
        }
        assert_eq!(rendered.recent.lock().unwrap().len(), RENDERED_WINDOW);
    }
}
