//! Functions that run on a user's action (<https://www.zoho.com/cliq/help/platform/functions.html>,
//! <https://www.zoho.com/cliq/help/restapi/v3/buttons/>): a click on a message's button
//! (`invoke.function` runs the named function's `button_handler`; `invoke.bot` sends its
//! message to the bot as the user; the client-only actions run nothing), and the direct
//! invocation of any function handler. Every run goes through the handler engine
//! ([`cliqd_runtime::Engine::run_now`]); a message reply reaches only the invoker.

use super::buttons;
use crate::api::bots::runs::{engine_error, run_answer};
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
use cliqd_core::{ComponentKind, HandlerKind, HandlerSpec};
use cliqd_message::{Handler, MessageContext};
use cliqd_runtime::reply::Reply;
use cliqd_runtime::{Deliver, RunReport, RunRequest};
use cliqd_store::{
    ChatRow, ComponentRow, HandlerRow, ListQuery, MessageRow, PostTarget, StoreError,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::sync::Arc;

pub const CLICK: Endpoint = ep(
    "messages.buttons.click",
    Method::POST,
    "/api/v3/chats/{chat_id}/messages/{message_id}/click",
    "chats.update",
    120,
);
pub const INVOKE: Endpoint = ep(
    "functions.handlers.invoke",
    Method::POST,
    "/api/v3/functions/{function_id}/handlers/{handler_type}/invoke",
    "functions.update",
    60,
);

/// Runs `handler` of `component` now for the caller, about a message of `chat` (a button's
/// click, a message action): the chat and message inputs beside the handler's own `extra`;
/// a message reply reaches the invoker only, in that chat.
pub(crate) async fn run_on_message(
    state: &AppState,
    auth: &AuthContext,
    component: &ComponentRow,
    (spec, handler): (&'static HandlerSpec, HandlerRow),
    (chat, message_id): (&ChatRow, &str),
    extra: Map<String, Value>,
    trigger: Value,
) -> ApiResult<RunReport> {
    let chat_value = state.engine.chat_value(chat).await?;
    let inputs = state.engine.inputs_for(
        &auth.actor(),
        Some(chat_value),
        Some(&chat.id),
        Some(message_id),
        extra,
    );
    state
        .engine
        .run_now(RunRequest {
            component: Arc::new(component.clone()),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs,
            trigger,
            deliver: Deliver::Invoker(Some(chat.id.clone())),
        })
        .await
        .map_err(engine_error)
}

/// A message the caller can read: the chat's member (a thread: its parent's), the message
/// in it. The chat row and the message row.
pub(crate) async fn readable_message(
    state: &AppState,
    auth: &AuthContext,
    chat_id: &str,
    message_id: &str,
) -> ApiResult<(ChatRow, MessageRow)> {
    let chat = cliqd_service::member_chat(state.store.as_ref(), &auth.actor(), chat_id).await?;
    let row = state
        .store
        .get_message(&chat.id, &cliqd_core::ids::normalize_message_id(message_id))
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::new(ErrorCode::MessageNotFound),
            other => other.into(),
        })?;
    Ok((chat, row))
}

/// The function named `name` whose creator is `owner_id`.
pub(crate) async fn function_of(
    state: &AppState,
    org_id: i64,
    owner_id: i64,
    name: &str,
) -> ApiResult<Option<ComponentRow>> {
    let mut after_id = 0;
    loop {
        let page = state
            .store
            .list_components(ListQuery {
                org_id,
                kind: ComponentKind::Function.as_str().to_string(),
                viewer_id: owner_id,
                after_id,
                limit: 200,
            })
            .await?;
        if let Some(f) = page
            .iter()
            .find(|f| f.creator_id == owner_id && f.name.eq_ignore_ascii_case(name))
        {
            return Ok(Some(f.clone()));
        }
        match page.last() {
            Some(last) if page.len() == 200 => after_id = last.id,
            _ => return Ok(None),
        }
    }
}

/// Resolves a button's `invoke.function`: with `owner` (an email), that user's function of
/// that name; without, the function of that name of the message's author (for a message
/// posted as a bot, the bot's creator), else of the invoker.
async fn resolve_function(
    state: &AppState,
    auth: &AuthContext,
    message: &MessageRow,
    name: &str,
    owner: Option<&str>,
) -> ApiResult<ComponentRow> {
    let org = auth.user.org_id;
    let not_found = || {
        ApiError::with_message(
            ErrorCode::FunctionNotFound,
            format!("no function named '{name}' resolves for this button"),
        )
    };
    if let Some(email) = owner.map(str::trim).filter(|e| !e.is_empty()) {
        let user = match state.store.user_by_email(email).await {
            Ok(u) if u.org_id == org => u,
            Ok(_) | Err(StoreError::NotFound) => return Err(not_found()),
            Err(e) => return Err(e.into()),
        };
        return function_of(state, org, user.id, name)
            .await?
            .ok_or_else(not_found);
    }
    let author = match message.bot_id {
        Some(bot) => match state.store.get_component(org, "bot", bot).await {
            Ok(b) => Some(b.creator_id),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => Some(message.sender_id),
    };
    for owner_id in author.into_iter().chain([auth.user.id]) {
        if let Some(f) = function_of(state, org, owner_id, name).await? {
            return Ok(f);
        }
    }
    Err(not_found())
}

/// The function's one handler of `kind`, or a clear refusal.
pub(crate) async fn handler_of(
    state: &AppState,
    function: &ComponentRow,
    kind: HandlerKind,
) -> ApiResult<(&'static HandlerSpec, HandlerRow)> {
    let spec = kind.spec();
    cliqd_service::handlers_of_kind(state.store.as_ref(), function.id, spec)
        .await?
        .into_iter()
        .next()
        .map(|h| (spec, h))
        .ok_or_else(|| {
            ApiError::with_message(
                ErrorCode::ExecutionHandlerNotFound,
                format!("the function '{}' has no {}", function.name, spec.api_name),
            )
        })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClickBody {
    button: String,
    #[serde(default)]
    input: Option<String>,
}

fn is_true(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true))) || v.and_then(Value::as_str) == Some("true")
}

/// `POST /api/v3/chats/{CHAT_ID}/messages/{MESSAGE_ID}/click` `{"button", "input"}`.
pub async fn click(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((chat_id, message_id)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<ClickBody>,
) -> ApiResult<Response> {
    let (chat, message) = readable_message(&state, &auth, &chat_id, &message_id).await?;
    let text = cliqd_runtime::inputs::message_text(&message);
    let found = buttons::find(&message.body, &text, &body.button).ok_or_else(|| {
        ApiError::invalid(format!(
            "button: '{}' names no button of this message (give its key or its path, e.g. buttons[0], card.buttons[1], slides[2].buttons[0], references.1, text[0])",
            body.button
        ))
    })?;
    let action = found.button.get("action").cloned().unwrap_or(Value::Null);
    let kind = action
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let data = action.get("data").cloned().unwrap_or_else(|| json!({}));
    let input = body.input.filter(|s| !s.trim().is_empty());
    if let Some(confirm) = action.get("confirm")
        && is_true(confirm.get("mandatory"))
        && input.is_none()
    {
        return Err(ApiError::invalid(
            "input: this button's confirmation requires an input",
        ));
    }
    match kind {
        "invoke.function" => {
            let name = data.get("name").and_then(Value::as_str).unwrap_or_default();
            let owner = data.get("owner").and_then(Value::as_str);
            let function = resolve_function(&state, &auth, &message, name, owner).await?;
            let (spec, handler) =
                handler_of(&state, &function, HandlerKind::FunctionButton).await?;
            let b = &found.button;
            let mut arguments = b
                .get("arguments")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            if let Some(key) = b.get("key") {
                arguments.insert("key".into(), key.clone());
            }
            if let Some(i) = &input {
                arguments.insert("input".into(), i.clone().into());
            }
            let mut target = Map::new();
            for (k, v) in [
                ("name", b.get("label")),
                ("label", b.get("label")),
                ("hint", b.get("hint")),
                ("key", b.get("key")),
            ] {
                if let Some(v) = v {
                    target.insert(k.into(), v.clone());
                }
            }
            target.insert("path".into(), found.path.clone().into());
            let mut extra = Map::new();
            extra.insert(
                "message".into(),
                cliqd_runtime::inputs::message_map(&message),
            );
            extra.insert("target".into(), Value::Object(target));
            extra.insert("arguments".into(), Value::Object(arguments));
            extra.insert("event".into(), "click".into());
            let trigger = json!({"kind": "button", "chat_id": chat.id, "message_id": message.id, "button": found.path});
            let report = run_on_message(
                &state,
                &auth,
                &function,
                (spec, handler),
                (&chat, &message.id),
                extra,
                trigger,
            )
            .await?;
            let mut answer = apply_edit(&state, &auth, &function, &chat, &message, &report).await?;
            super::forms::open_if_form(
                &state,
                &auth,
                &function,
                Some(&chat.id),
                Some(&message.id),
                &mut answer,
            )
            .await?;
            Ok(axum::Json(answer).into_response())
        }
        "invoke.bot" => {
            let bot_name = data
                .get("bot_name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let text = data
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let bot = cliqd_service::find_bot(state.store.as_ref(), &auth.actor(), bot_name.trim())
                .await?;
            let sub = state
                .store
                .subscribe_with_welcome(auth.user.org_id, bot.id, auth.user.id)
                .await?;
            let msg = cliqd_service::validate_post(&json!({"text": text}), MessageContext::Post)?;
            let posted = cliqd_service::post_message(
                state.store.as_ref(),
                &auth.actor(),
                PostTarget::Chat(sub.chat.id.clone()),
                &msg,
                cliqd_service::PostAs::User,
            )
            .await?;
            Ok(axum::Json(json!({"type": "invoke_bot", "data": {
                "bot": {"id": format!("b-{}", bot.id), "name": bot.name},
                "chat_id": sub.chat.id,
                "message_id": posted.row.id,
            }}))
            .into_response())
        }
        "open.url" | "preview.url" | "system.api" | "copy" => {
            let mut client = json!({"type": kind, "data": data});
            if let Some(i) = input {
                client["input"] = i.into();
            }
            Ok(axum::Json(json!({"type": "client_action", "action": client})).into_response())
        }
        other => Err(ApiError::invalid(format!(
            "button: its action type '{other}' cannot be clicked"
        ))),
    }
}

/// Whether a function's `message_edit` may replace `message`: it was posted as a bot whose
/// creator is the function's creator, or by the function's creator as themself. (Cliq:
/// "only messages sent by the same extension can be edited"; cliqd has no extension owning a
/// message, so the creator stands for it.)
async fn may_edit(
    state: &AppState,
    function: &ComponentRow,
    message: &MessageRow,
) -> ApiResult<bool> {
    Ok(match message.bot_id {
        Some(bot) => match state.store.get_component(function.org_id, "bot", bot).await {
            Ok(b) => b.creator_id == function.creator_id,
            Err(StoreError::NotFound) => false,
            Err(e) => return Err(e.into()),
        },
        None => message.sender_id == function.creator_id,
    })
}

/// The answer of a button's run; a `message_edit` reply replaces the clicked message for
/// everyone when [`may_edit`] allows it, else the invoker gets a failure banner.
async fn apply_edit(
    state: &AppState,
    auth: &AuthContext,
    function: &ComponentRow,
    chat: &ChatRow,
    message: &MessageRow,
    report: &RunReport,
) -> ApiResult<Value> {
    let mut answer = run_answer(report, function);
    let Reply::Other {
        kind: cliqd_core::ResponseKind::MessageEdit,
        value,
    } = &report.reply
    else {
        return Ok(answer);
    };
    if report.outcome != "success" {
        return Ok(answer);
    }
    if !may_edit(state, function, message).await? {
        let banner = cliqd_runtime::reply::failure_banner(
            &function.name,
            "message_edit: this function may edit only messages its creator or the creator's bots posted",
        );
        state.engine.emit(
            auth.user.id,
            json!({"event": "banner", "chat_id": chat.id, "data": {"banner": banner}}),
        );
        answer["type"] = "banner".into();
        answer["data"] = banner;
        answer["outcome"] = "refused".into();
        return Ok(answer);
    }
    let mut fields = value.clone();
    if let Some(m) = fields.as_object_mut() {
        m.remove("type");
    }
    let edited = cliqd_service::validate_post(
        &fields,
        MessageContext::HandlerReturn(Handler::FunctionButton),
    )?;
    let (_, new_body) = cliqd_service::canonical(&edited);
    let mentions = match edited.text.as_deref() {
        Some(t) if cliqd_message::mentions::may_mention(t) => {
            cliqd_service::resolve_mentions(state.store.as_ref(), &auth.actor(), t).await?
        }
        _ => Vec::new(),
    };
    let row = state
        .store
        .edit_message(&chat.id, &message.id, new_body, mentions)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::new(ErrorCode::MessageNotFound),
            other => other.into(),
        })?;
    answer["message_ids"] = json!([row.id]);
    Ok(answer)
}

/// `POST /api/v3/functions/{FUNCTION_ID}/handlers/{HANDLER_TYPE}/invoke`: runs a function's
/// handler now as the caller with the body's inputs (`chat_id` picks the chat; the rest
/// override the inputs), and answers the journal record. Delivers only with
/// `"deliver": true`, and then only to the caller. Creator or organization admin only.
pub async fn invoke(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((function_ref, handler_type)): CliqPath<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let function = cliqd_service::find_component(
        state.store.as_ref(),
        &auth.actor(),
        ComponentKind::Function,
        "",
        false,
        &function_ref,
    )
    .await?
    .ok_or_else(|| ApiError::new(ErrorCode::FunctionNotFound))?;
    if !can_modify(&auth, &function) {
        return Err(ApiError::new(ErrorCode::FunctionPermissionDenied));
    }
    let (spec, handler) = crate::api::execution::find_handler(
        &state,
        &super::DESCRIPTOR,
        function.id,
        &handler_type,
        None,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    invoke_component(&state, &auth, function, spec, handler, &body).await
}

/// Direct invocation, shared by functions and message actions.
pub(crate) async fn invoke_component(
    state: &AppState,
    auth: &AuthContext,
    component: ComponentRow,
    spec: &'static HandlerSpec,
    handler: HandlerRow,
    body: &Bytes,
) -> ApiResult<Response> {
    let overrides: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(ApiError::invalid(
                    "the body must be a JSON object of inputs",
                ));
            }
            Err(e) => return Err(ApiError::invalid(format!("the body is not JSON: {e}"))),
        }
    };
    let deliver_requested = overrides.get("deliver") == Some(&Value::Bool(true));
    let chat_id = overrides
        .get("chat_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let chat = match &chat_id {
        Some(c) => {
            let row = cliqd_service::member_chat(state.store.as_ref(), &auth.actor(), c).await?;
            Some(state.engine.chat_value(&row).await?)
        }
        None => None,
    };
    let mut extra = Map::new();
    for (k, v) in overrides {
        if !matches!(k.as_str(), "deliver" | "chat_id") {
            extra.insert(k, v);
        }
    }
    let inputs = state
        .engine
        .inputs_for(&auth.actor(), chat, chat_id.as_deref(), None, extra);
    let deliver = if deliver_requested {
        Deliver::Invoker(chat_id.clone())
    } else {
        Deliver::Nothing
    };
    let report = state
        .engine
        .run_now(RunRequest {
            component: Arc::new(component),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs,
            trigger: json!({"kind": "invoke", "chat_id": chat_id}),
            deliver,
        })
        .await
        .map_err(engine_error)?;
    let record = report
        .record
        .as_ref()
        .map(crate::api::executions::execution_json)
        .unwrap_or(Value::Null);
    Ok(axum::Json(json!({"type": "execution", "data": record})).into_response())
}
