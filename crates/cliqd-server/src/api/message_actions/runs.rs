//! Message actions that run (<https://www.zoho.com/cliq/help/platform/messageaction-handlers.html>):
//! the actions a caller may run on a message, running one on selected messages, and the
//! direct invocation of the `execution_handler`. A message reply reaches only the invoker
//! (the script posts with a `zoho.cliq` task for everyone to see it).

use super::DESCRIPTOR;
use crate::api::bots::runs::run_answer;
use crate::api::functions::runs::{invoke_component, readable_message, run_on_message};
use crate::api::messaging::ep;
use crate::api::{Endpoint, can_modify};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use cliqd_core::attrs::{ActionAttrs, ComponentAttrs};
use cliqd_core::{ComponentKind, HandlerKind};
use cliqd_store::{ComponentRow, ListQuery, MessageRow};
use serde::Deserialize;
use serde_json::{Value, json};

/// At most this many messages selected for one run of a multi-selectable action.
pub const MAX_SELECTED: usize = 25;

pub const LIST_FOR_MESSAGE: Endpoint = ep(
    "messages.messageactions.list",
    Method::GET,
    "/api/v3/chats/{chat_id}/messages/{message_id}/messageactions",
    "messageactions.read",
    60,
);
pub const EXECUTE: Endpoint = ep(
    "messageactions.execute",
    Method::POST,
    "/api/v3/messageactions/{message_action_id}/execute",
    "chats.update",
    60,
);
pub const INVOKE: Endpoint = ep(
    "messageactions.handlers.invoke",
    Method::POST,
    "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}/invoke",
    "messageactions.update",
    60,
);

/// The types of a message a message action's `message_types` is matched against: `text`
/// when it has text (or is a text message), `link` when its text has a link, `attachment`
/// for a file (cliqd stores none, so never).
pub fn message_types(row: &MessageRow) -> Vec<&'static str> {
    let text = cliqd_runtime::inputs::message_text(row);
    let mut out = Vec::new();
    if row.kind == "text" || !text.trim().is_empty() {
        out.push("text");
    }
    if cliqd_runtime::inputs::links(&text)
        .as_array()
        .is_some_and(|l| !l.is_empty())
    {
        out.push("link");
    }
    if matches!(row.kind.as_str(), "attachment" | "file") {
        out.push("attachment");
    }
    out
}

fn attrs(row: &ComponentRow) -> ApiResult<ActionAttrs> {
    ActionAttrs::from_stored(&row.attrs).map_err(|e| {
        tracing::error!(component = row.id, error = %e, "unreadable message action attributes");
        ApiError::new(ErrorCode::Internal)
    })
}

/// Whether an action applies to a message: its `message_types` (none: every message) share
/// a type with the message.
fn applies(attrs: &ActionAttrs, row: &MessageRow) -> bool {
    attrs.message_types.is_empty() || {
        let types = message_types(row);
        attrs
            .message_types
            .iter()
            .any(|t| types.contains(&t.as_str()))
    }
}

fn action_json(row: &ComponentRow, a: &ActionAttrs) -> Value {
    json!({
        "id": row.id.to_string(),
        "name": row.name,
        "hint": a.hint,
        "multi_selectable": a.multi_selectable,
        "message_types": a.message_types,
        "image": a.image,
        "scope": row.scope,
    })
}

/// `GET /api/v3/chats/{CHAT_ID}/messages/{MESSAGE_ID}/messageactions`: the actions the caller
/// sees (scope and teams) whose `message_types` match the message.
pub async fn list_for_message(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, message_id)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let (_, message) = readable_message(&state, &auth, &chat_id, &message_id).await?;
    let mut out = Vec::new();
    let mut after_id = 0;
    loop {
        let page = state
            .store
            .list_components(ListQuery {
                org_id: auth.user.org_id,
                kind: ComponentKind::MessageAction.as_str().to_string(),
                viewer_id: auth.user.id,
                after_id,
                limit: 200,
            })
            .await?;
        for row in &page {
            let a = attrs(row)?;
            if applies(&a, &message) {
                out.push(action_json(row, &a));
            }
        }
        match page.last() {
            Some(last) if page.len() == 200 => after_id = last.id,
            _ => break,
        }
    }
    Ok(axum::Json(json!({"type": "message_action", "data": out})).into_response())
}

async fn find_action(state: &AppState, auth: &AuthContext, raw: &str) -> ApiResult<ComponentRow> {
    cliqd_service::find_component(
        state.store.as_ref(),
        &auth.actor(),
        ComponentKind::MessageAction,
        "",
        false,
        raw,
    )
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::MsgactionNotFound))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecuteBody {
    chat_id: String,
    message_ids: Vec<String>,
}

/// `POST /api/v3/messageactions/{ID}/execute` `{"chat_id", "message_ids"}`: runs the action's
/// `execution_handler` on the selected messages (one unless `multi_selectable`, then at most
/// 25), each readable by the caller and of a type the action accepts.
pub async fn execute(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(action_ref): CliqPath<String>,
    CliqJson(body): CliqJson<ExecuteBody>,
) -> ApiResult<Response> {
    let action = find_action(&state, &auth, &action_ref).await?;
    let a = attrs(&action)?;
    let count = body.message_ids.len();
    if count == 0 {
        return Err(ApiError::invalid(
            "message_ids: select at least one message",
        ));
    }
    if !a.multi_selectable && count > 1 {
        return Err(ApiError::invalid(format!(
            "message_ids: the message action '{}' runs on one message at a time",
            action.name
        )));
    }
    if count > MAX_SELECTED {
        return Err(ApiError::invalid(format!(
            "message_ids: at most {MAX_SELECTED} messages"
        )));
    }
    let mut chat = None;
    let mut rows = Vec::with_capacity(count);
    for id in &body.message_ids {
        let (c, row) = readable_message(&state, &auth, &body.chat_id, id).await?;
        if !applies(&a, &row) {
            return Err(ApiError::invalid(format!(
                "message_ids: message {} is not of a type the message action '{}' accepts ({})",
                row.id,
                action.name,
                a.message_types.join(", ")
            )));
        }
        rows.push(row);
        chat = Some(c);
    }
    let (Some(chat), Some(first)) = (chat, rows.first()) else {
        return Err(ApiError::invalid(
            "message_ids: select at least one message",
        ));
    };
    let (spec, handler) = {
        let spec = HandlerKind::MessageAction.spec();
        let h = cliqd_service::handlers_of_kind(state.store.as_ref(), action.id, spec)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
        (spec, h)
    };
    let list: Vec<Value> = rows
        .iter()
        .map(cliqd_runtime::inputs::message_map)
        .collect();
    let mut extra = serde_json::Map::new();
    extra.insert("message".into(), cliqd_runtime::inputs::message_map(first));
    extra.insert(
        "messages".into(),
        json!({"count": list.len(), "list": list}),
    );
    extra.insert("attachments".into(), json!([]));
    extra.insert("mentions".into(), cliqd_service::mentions_input(first));
    let trigger = json!({"kind": "message_action", "chat_id": chat.id,
        "message_ids": rows.iter().map(|r| r.id.clone()).collect::<Vec<_>>()});
    let report = run_on_message(
        &state,
        &auth,
        &action,
        (spec, handler),
        (&chat, &first.id),
        extra,
        trigger,
    )
    .await?;
    let mut answer = run_answer(&report, &action);
    crate::api::functions::forms::open_if_form(
        &state,
        &auth,
        &action,
        Some(&chat.id),
        Some(&first.id),
        &mut answer,
    )
    .await?;
    Ok(axum::Json(answer).into_response())
}

/// `POST /api/v3/messageactions/{ID}/handlers/execution_handler/invoke`: as for functions.
pub async fn invoke(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((action_ref, handler_type)): CliqPath<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let action = find_action(&state, &auth, &action_ref).await?;
    if !can_modify(&auth, &action) {
        return Err(ApiError::new(ErrorCode::MsgactionPermissionDenied));
    }
    let (spec, handler) = crate::api::execution::find_handler(
        &state,
        &DESCRIPTOR,
        action.id,
        &handler_type,
        None,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    invoke_component(&state, &auth, action, spec, handler, &body).await
}
