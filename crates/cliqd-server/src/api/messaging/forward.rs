//! Forward Messages (`POST /api/v3/messages`): copies of messages of one chat posted into
//! other chats and users' direct chats, each through the store's ordinary post path (so the
//! copy is a new message of the target and its `message_created` event goes out after
//! COMMIT). Per-recipient failures are reported, not fatal (messages.yml's partial-success
//! model); only a bad request or an unreadable source fails the whole call.

use super::{member_chat, resolve_user};
use crate::api::Endpoint;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::CliqJson;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cliqd_message::{TEXT_MAX, normalize_message_id};
use cliqd_store::{MentionRow, MessageRow, NewPost, PostTarget, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

pub const FORWARD: Endpoint = Endpoint::new(
    "messages.forward",
    Method::POST,
    "/api/v3/messages",
    "messages.create",
    Limit::per_min(50, 600),
);

pub fn routes() -> Router<AppState> {
    Router::new().route(FORWARD.path, post(forward))
}

/// Most messages one request forwards, and most recipients per list (messages.yml).
const MAX_MESSAGES: usize = 25;
const MAX_RECIPIENTS: usize = 100;
const TITLE_MAX: usize = 255;

/// The key of a forwarded copy's stored body that names its origin; read back as the
/// message's top-level `forwarded_from` (see [`super::message_json`]). Clients cannot set it:
/// posted bodies lose it ([`super::canonical`]).
pub(crate) use cliqd_service::FORWARDED_FROM;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForwardBody {
    source: Option<Source>,
    recipients: Option<Recipients>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Source {
    chat_id: Option<String>,
    message_ids: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Recipients {
    chat_ids: Option<Value>,
    user_ids: Option<Value>,
    forward_as_group: Option<bool>,
    show_original_sender: Option<bool>,
    title: Option<String>,
}

/// A comma-separated string (as documented) or a JSON array of strings, trimmed, without
/// empties or repeats.
fn id_list(field: &str, v: Option<&Value>) -> ApiResult<Vec<String>> {
    let items: Vec<String> = match v {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => s.split(',').map(|p| p.trim().to_string()).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| ApiError::invalid(format!("recipients.{field} must hold IDs")))?,
        Some(_) => {
            return Err(ApiError::invalid(format!(
                "recipients.{field} must be a comma-separated string of IDs"
            )));
        }
    };
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !i.is_empty() && !out.contains(&i) {
            out.push(i);
        }
    }
    if out.len() > MAX_RECIPIENTS {
        return Err(ApiError::invalid(format!(
            "recipients.{field} can name at most {MAX_RECIPIENTS} IDs"
        )));
    }
    Ok(out)
}

/// What a forwarded message shows as text in a grouped forward.
fn text_of(row: &MessageRow) -> String {
    let body = &row.body;
    if let Some(t) = body.get("text").and_then(Value::as_str) {
        return t.to_string();
    }
    if let Some(t) = body.pointer("/card/title").and_then(Value::as_str) {
        return t.to_string();
    }
    "(card)".to_string()
}

fn sender_of(row: &MessageRow) -> Value {
    match (row.bot_id, &row.bot_name) {
        (Some(id), name) => json!({
            "id": format!("b-{id}"),
            "name": name.clone().unwrap_or_default(),
            "type": "bot",
        }),
        _ => json!({"id": row.sender_id.to_string(), "name": row.sender_name}),
    }
}

/// The posts one recipient gets: one per message, or one grouped message.
/// One message to post: its kind, its body and the mentions it carries over (resolved when
/// the original was posted).
type Forwarded = (String, Value, Vec<MentionRow>);

fn bodies(
    source_chat: &str,
    rows: &[MessageRow],
    group: bool,
    show_sender: bool,
    title: Option<&str>,
) -> ApiResult<Vec<Forwarded>> {
    if group {
        let mut lines = Vec::new();
        if let Some(t) = title {
            lines.push(format!("*{t}*"));
        }
        for r in rows {
            let text = text_of(r);
            if show_sender {
                let name = r.bot_name.as_deref().unwrap_or(&r.sender_name);
                lines.push(format!("{name}: {text}"));
            } else {
                lines.push(text);
            }
        }
        let text = lines.join("\n");
        if text.chars().count() > TEXT_MAX {
            return Err(ApiError::invalid(format!(
                "the grouped message would exceed {TEXT_MAX} characters; forward fewer messages or set forward_as_group to false"
            )));
        }
        let mut origin = json!({
            "chat_id": source_chat,
            "message_ids": rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
        });
        if show_sender {
            origin["senders"] = rows.iter().map(sender_of).collect();
        }
        // The grouped text keeps every message's mention syntax, so it keeps their mentions.
        let mut mentions: Vec<MentionRow> = Vec::new();
        for m in rows.iter().flat_map(|r| &r.mentions) {
            if !mentions.iter().any(|o| o.kind == m.kind && o.id == m.id) {
                mentions.push(m.clone());
            }
        }
        return Ok(vec![(
            "text".to_string(),
            json!({"text": text, FORWARDED_FROM: origin}),
            mentions,
        )]);
    }
    Ok(rows
        .iter()
        .map(|r| {
            let mut body = r.body.value().clone();
            let mut origin = json!({"chat_id": source_chat, "message_id": r.id});
            if show_sender {
                origin["sender"] = sender_of(r);
            }
            if let Some(map) = body.as_object_mut() {
                // The copy is the forwarder's message: a bot's sender override would pass it
                // off as the bot's.
                map.remove("bot");
                map.insert(FORWARDED_FROM.into(), origin);
            }
            (r.kind.clone(), body, r.mentions.clone())
        })
        .collect())
}

fn failure(id: &str, e: &ApiError) -> Value {
    json!({"id": id, "status": "failed", "error": e.body()})
}

/// Posts every body into `chat_id`, in order. The caller has been checked as a member; a
/// refusal here (a closed thread, a membership that changed meanwhile) stops at that post.
async fn deliver(
    state: &AppState,
    auth: &AuthContext,
    chat_id: &str,
    bodies: &[Forwarded],
) -> ApiResult<()> {
    for (kind, body, mentions) in bodies {
        let posted = state
            .store
            .post_message(NewPost {
                org_id: auth.org_id(),
                target: PostTarget::Chat(chat_id.to_string()),
                sender_id: auth.user.id,
                bot_id: None,
                kind: kind.clone(),
                body: body.clone(),
                reply_to: None,
                thread_message_id: None,
                thread_title: None,
                mentions: mentions.clone(),
            })
            .await?;
        posted.map_err(cliqd_service::ServiceError::from)?;
    }
    Ok(())
}

/// A recipient chat the caller may post into, else the documented per-recipient error.
async fn target_chat(state: &AppState, auth: &AuthContext, id: &str) -> ApiResult<String> {
    match member_chat(state, auth, id).await {
        Ok(c) if c.closed => Err(ApiError::new(ErrorCode::ThreadClosed)),
        Ok(c) => Ok(c.id),
        Err(e) if e.code == ErrorCode::AccessDenied => {
            Err(ApiError::new(ErrorCode::ChatAccessDenied))
        }
        Err(e) => Err(e),
    }
}

async fn user_chat(state: &AppState, auth: &AuthContext, raw: &str) -> ApiResult<(String, String)> {
    let user = match resolve_user(state, auth, raw).await {
        Err(e) if e.code == ErrorCode::UserNotInOrganization => {
            return Err(ApiError::new(ErrorCode::ChatWithOtherOrgUsersDisabled));
        }
        other => other?,
    };
    if user.id == auth.user.id {
        return Err(ApiError::invalid("you cannot forward messages to yourself"));
    }
    let chat = state
        .store
        .open_direct_chat(auth.org_id(), auth.user.id, user.id)
        .await?;
    Ok((chat.id, user.id.to_string()))
}

/// `POST /api/v3/messages`.
async fn forward(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqJson(body): CliqJson<ForwardBody>,
) -> ApiResult<Response> {
    let source = body
        .source
        .ok_or_else(|| ApiError::invalid("source is required"))?;
    let recipients = body
        .recipients
        .ok_or_else(|| ApiError::invalid("recipients is required"))?;
    let source_chat = source
        .chat_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::invalid("source.chat_id is required"))?
        .to_string();
    let mut ids: Vec<String> = Vec::new();
    for raw in source.message_ids.unwrap_or_default() {
        let id = normalize_message_id(raw.trim());
        if !id.is_empty() && !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(ApiError::invalid(
            "source.message_ids must name at least one message",
        ));
    }
    if ids.len() > MAX_MESSAGES {
        return Err(ApiError::invalid(format!(
            "source.message_ids can name at most {MAX_MESSAGES} messages"
        )));
    }
    let chat_ids = id_list("chat_ids", recipients.chat_ids.as_ref())?;
    let user_ids = id_list("user_ids", recipients.user_ids.as_ref())?;
    if chat_ids.is_empty() && user_ids.is_empty() {
        return Err(ApiError::invalid(
            "recipients must name at least one chat_ids or user_ids entry",
        ));
    }
    let title = recipients
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if title.is_some_and(|t| t.chars().count() > TITLE_MAX) {
        return Err(ApiError::invalid(format!(
            "recipients.title can be at most {TITLE_MAX} characters"
        )));
    }
    let group = recipients.forward_as_group.unwrap_or(false);
    let show_sender = recipients.show_original_sender.unwrap_or(false);

    // The caller must read the source chat; every message must belong to it.
    let chat = member_chat(&state, &auth, &source_chat).await?;
    let mut rows = Vec::with_capacity(ids.len());
    for id in &ids {
        match state.store.get_message(&chat.id, id).await {
            Ok(r) => rows.push(r),
            Err(StoreError::NotFound) => {
                return Err(ApiError::with_message(
                    ErrorCode::MessageNotFound,
                    format!("message {id} is not a message of chat {}", chat.id),
                ));
            }
            Err(e) => return Err(e.into()),
        }
    }
    // Forwarded in the order they were posted, whatever order they were named in.
    rows.sort_by_key(|r| r.seq);
    let posts = bodies(&chat.id, &rows, group, show_sender, title)?;

    let mut forwarded_chats = Vec::new();
    let mut forwarded_users = Vec::new();
    let mut failures = Vec::new();
    for id in &chat_ids {
        let outcome = match target_chat(&state, &auth, id).await {
            Ok(target) => deliver(&state, &auth, &target, &posts).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => forwarded_chats.push(id.clone()),
            Err(e) if e.status().is_server_error() => return Err(e),
            Err(e) => failures.push(failure(id, &e)),
        }
    }
    for raw in &user_ids {
        let outcome = match user_chat(&state, &auth, raw).await {
            Ok((target, zuid)) => deliver(&state, &auth, &target, &posts).await.map(|()| zuid),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(zuid) => forwarded_users.push(zuid),
            Err(e) if e.status().is_server_error() => return Err(e),
            Err(e) => failures.push(failure(raw, &e)),
        }
    }
    let reply = json!({"data": {
        "source_chat_id": chat.id,
        "forwarded": {"chat_ids": forwarded_chats, "user_ids": forwarded_users},
        "failures": failures,
    }});
    Ok(axum::Json(reply).into_response())
}
