//! Bot handlers that run on request (<https://www.zoho.com/cliq/help/restapi/v3/bots/>,
//! <https://www.zoho.com/cliq/help/platform/bot-handlers.html>): menu actions, incoming
//! webhooks (v3 with OAuth, v2 with `?zapikey=`), bot calls and their states, and the direct
//! invocation of any handler (cliqd's own, for tests and CI). Each runs through the handler
//! engine ([`cliqd_runtime::Engine::run_now`]) and answers what the run did.

use super::{DESCRIPTOR, find_bot};
use crate::api::execution::find_handler;
use crate::api::messaging::{ep, ep_locked};
use crate::api::{AuthMode, Endpoint, can_modify};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use cliqd_core::attrs::{BotAttrs, ComponentAttrs};
use cliqd_core::{HandlerKind, HandlerSpec};
use cliqd_runtime::reply::Reply;
use cliqd_runtime::{Deliver, RunReport, RunRequest};
use cliqd_store::{ComponentRow, HandlerRow, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const INVOKE: Endpoint = ep(
    "bots.handlers.invoke",
    Method::POST,
    "/api/v3/bots/{bot_id}/handlers/{handler_type}/invoke",
    "bots.update",
    60,
);
pub const MENU_ACTION: Endpoint = ep(
    "bots.actions.run",
    Method::POST,
    "/api/v3/bots/{bot_id}/actions/{handler_id}",
    "chats.update",
    60,
);
pub const INCOMING: Endpoint = ep(
    "bots.incoming",
    Method::POST,
    "/api/v3/bots/{bot_id}/incoming",
    "webhooks.create",
    50,
);
const V2_INCOMING_PATH: &str = "/api/v2/bots/{bot_id}/incoming";
const fn v2_incoming(method: Method) -> Endpoint {
    Endpoint::with_auth(
        "bots.incoming_v2",
        method,
        V2_INCOMING_PATH,
        "webhooks.create",
        Limit::per_min(50, 600),
        AuthMode::TokenOrWebhookToken,
    )
}
pub const INCOMING_V2_GET: Endpoint = v2_incoming(Method::GET);
pub const INCOMING_V2_POST: Endpoint = v2_incoming(Method::POST);
pub const INCOMING_V2_HEAD: Endpoint = v2_incoming(Method::HEAD);
/// 10 calls per 5 minutes, then a 30-minute lock.
pub const CALLS: Endpoint = Endpoint::new(
    "bots.calls",
    Method::POST,
    "/api/v3/bots/{bot_id}/calls",
    "webhooks.create",
    Limit {
        threshold: 10,
        window_secs: 300,
        lock_secs: 1800,
    },
);
pub const CALL_STATE: Endpoint = ep_locked(
    "calls.report",
    Method::POST,
    "/api/v3/calls/{call_id}",
    "webhooks.create",
    60,
    600,
);

/// The largest incoming-webhook body: 50 keys of 10,000 characters, with room for JSON.
const MAX_INCOMING_KEYS: usize = 50;
const MAX_INCOMING_VALUE: usize = 10_000;

pub(crate) fn engine_error(e: cliqd_runtime::EngineError) -> ApiError {
    match e {
        cliqd_runtime::EngineError::Store(e) => e.into(),
    }
}

/// A run's answer to a synchronous caller: `{"type", "data"}` plus the messages posted and the
/// journal record's id. A failed run answers the failure banner the user would see.
pub(crate) fn run_answer(report: &RunReport, component: &ComponentRow) -> Value {
    let mut out = match (&report.reply, report.outcome.as_str()) {
        (reply, "success") => match reply.type_name() {
            Some(t) => json!({"type": t, "data": reply.to_json()}),
            None => json!({"type": "none", "data": {}}),
        },
        (_, outcome) => {
            let why = report
                .record
                .as_ref()
                .and_then(|r| {
                    r.execution
                        .detail
                        .get("error")
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| format!("the handler ended with {outcome}"));
            json!({"type": "banner", "data": cliqd_runtime::reply::failure_banner(&component.name, &why)})
        }
    };
    out["outcome"] = report.outcome.clone().into();
    out["message_ids"] = json!(report.message_ids);
    if let Some(r) = &report.record {
        out["execution_id"] = r.id.to_string().into();
    }
    out
}

fn bot_attrs(bot: &ComponentRow) -> ApiResult<BotAttrs> {
    BotAttrs::from_stored(&bot.attrs).map_err(|e| {
        tracing::error!(bot = bot.id, error = %e, "unreadable bot attributes");
        ApiError::new(ErrorCode::Internal)
    })
}

/// The chat the caller is in, by id (member of it or of a thread's parent).
async fn member_chat(state: &AppState, auth: &AuthContext, chat_id: &str) -> ApiResult<Value> {
    let chat = cliqd_service::member_chat(state.store.as_ref(), &auth.actor(), chat_id).await?;
    state.engine.chat_value(&chat).await.map_err(Into::into)
}

fn request(
    bot: ComponentRow,
    spec: &'static HandlerSpec,
    handler: HandlerRow,
    auth: &AuthContext,
    inputs: Map<String, Value>,
    trigger: Value,
    deliver: Deliver,
) -> RunRequest {
    RunRequest {
        component: Arc::new(bot),
        handler: Arc::new(handler),
        spec,
        actor: auth.actor(),
        inputs,
        trigger,
        deliver,
    }
}

/// `POST /api/v3/bots/{BOT_ID}/handlers/{HANDLER_TYPE}/invoke`: runs the handler now as the
/// caller, with inputs from the caller's context plus the body's overrides, and answers the
/// journal record. Delivers only with `"deliver": true` (into `chat_id` when given, else the
/// caller's bot chat). Creator or organization admin only.
pub async fn invoke(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((bot_ref, handler_type)): CliqPath<(String, String)>,
    body: Bytes,
) -> ApiResult<Response> {
    let overrides: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => {
                return Err(ApiError::invalid(
                    "the body must be a JSON object of inputs",
                ));
            }
            Err(e) => return Err(ApiError::invalid(format!("the body is not JSON: {e}"))),
        }
    };
    let bot = find_bot(&state, &auth, &bot_ref).await?;
    if !can_modify(&auth, &bot) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    let handler_id = overrides.get("handler_id").and_then(Value::as_str);
    let (spec, handler) = find_handler(
        &state,
        &DESCRIPTOR,
        bot.id,
        &handler_type,
        handler_id,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    let deliver_requested = overrides.get("deliver") == Some(&Value::Bool(true));
    let chat_id = overrides
        .get("chat_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let chat = match &chat_id {
        Some(c) => Some(member_chat(&state, &auth, c).await?),
        None => None,
    };
    let mut extra = Map::new();
    for (k, v) in overrides {
        if !matches!(k.as_str(), "deliver" | "chat_id" | "handler_id") {
            extra.insert(k, v);
        }
    }
    let inputs = state
        .engine
        .inputs_for(&auth.actor(), chat, chat_id.as_deref(), None, extra);
    let deliver = match (deliver_requested, chat_id.clone()) {
        (false, _) => Deliver::Nothing,
        (true, Some(c)) => Deliver::Chat(c),
        (true, None) => Deliver::Users(vec![auth.user.id]),
    };
    let trigger = json!({"kind": "invoke", "chat_id": chat_id});
    let report = state
        .engine
        .run_now(request(bot, spec, handler, &auth, inputs, trigger, deliver))
        .await
        .map_err(engine_error)?;
    let record = report
        .record
        .as_ref()
        .map(crate::api::executions::execution_json)
        .unwrap_or(Value::Null);
    Ok(axum::Json(json!({"type": "execution", "data": record})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MenuBody {
    chat_id: String,
    #[serde(default)]
    sub_action: Option<String>,
}

/// `POST /api/v3/bots/{BOT}/actions/{HANDLER_ID}`: the caller picks a menu action (and
/// sub-action) in a chat; a message reply is posted there as the bot.
pub async fn menu_action(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((bot_ref, handler_id)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<MenuBody>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, &bot_ref).await?;
    let (spec, handler) = find_handler(
        &state,
        &DESCRIPTOR,
        bot.id,
        HandlerKind::BotMenu.spec().api_name,
        Some(&handler_id),
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    let sub_action = body.sub_action.unwrap_or_default();
    if !sub_action.is_empty() {
        let known = handler
            .attrs
            .get("sub_actions")
            .and_then(Value::as_array)
            .is_some_and(|subs| {
                subs.iter()
                    .any(|s| s.get("name").and_then(Value::as_str) == Some(sub_action.as_str()))
            });
        if !known {
            return Err(ApiError::invalid(format!(
                "sub_action '{sub_action}' is not a sub-action of this menu action"
            )));
        }
    }
    let chat = member_chat(&state, &auth, &body.chat_id).await?;
    let chat_id = chat["id"].as_str().unwrap_or(&body.chat_id).to_string();
    let mut extra = Map::new();
    extra.insert("sub_action".into(), sub_action.clone().into());
    extra.insert(
        "action_name".into(),
        handler.attrs.get("name").cloned().unwrap_or(Value::Null),
    );
    let inputs = state
        .engine
        .inputs_for(&auth.actor(), Some(chat), Some(&chat_id), None, extra);
    let trigger = json!({"kind": "menu_action", "chat_id": chat_id, "handler_id": handler.id.to_string(), "sub_action": sub_action});
    let report = state
        .engine
        .run_now(request(
            bot.clone(),
            spec,
            handler,
            &auth,
            inputs,
            trigger,
            Deliver::Chat(chat_id),
        ))
        .await
        .map_err(engine_error)?;
    Ok(axum::Json(run_answer(&report, &bot)).into_response())
}

/// The users an incoming webhook's reply goes to: `user_ids` (ZUIDs or emails, comma
/// separated), or the caller.
async fn incoming_users(
    state: &AppState,
    auth: &AuthContext,
    user_ids: Option<&str>,
) -> ApiResult<Vec<i64>> {
    let Some(raw) = user_ids.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(vec![auth.user.id]);
    };
    let users =
        cliqd_service::resolve_users(state.store.as_ref(), &auth.actor(), "user_ids", &json!(raw))
            .await?;
    if users.is_empty() {
        return Err(ApiError::new(ErrorCode::BotmessageNoValidUsers));
    }
    Ok(users.iter().map(|u| u.id).collect())
}

/// Checks an incoming webhook's JSON body: a flat object of at most 50 keys whose text values
/// are at most 10,000 characters.
fn check_incoming_body(body: &Value) -> ApiResult<()> {
    let Some(map) = body.as_object() else {
        return Err(ApiError::invalid("the body must be a JSON object"));
    };
    if map.len() > MAX_INCOMING_KEYS {
        return Err(ApiError::invalid(format!(
            "the body has {} keys; at most {MAX_INCOMING_KEYS} are allowed",
            map.len()
        )));
    }
    for (k, v) in map {
        if let Some(s) = v.as_str()
            && s.chars().count() > MAX_INCOMING_VALUE
        {
            return Err(ApiError::invalid(format!(
                "{k}: longer than {MAX_INCOMING_VALUE} characters"
            )));
        }
    }
    Ok(())
}

async fn run_incoming(
    state: AppState,
    auth: AuthContext,
    bot_ref: String,
    method: &Method,
    headers: &HeaderMap,
    query: HashMap<String, String>,
    body: Bytes,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, &bot_ref).await?;
    let spec = HandlerKind::BotIncomingWebhook.spec();
    let handler = cliqd_service::handlers_of_kind(state.store.as_ref(), bot.id, spec)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    let raw = String::from_utf8_lossy(&body).into_owned();
    let mut parameters = Map::new();
    for (k, v) in &query {
        if !matches!(
            k.as_str(),
            "zapikey" | "user_ids" | "access_token" | "extension_key"
        ) {
            parameters.insert(k.clone(), Value::String(v.clone()));
        }
    }
    if parameters.len() > MAX_INCOMING_KEYS {
        return Err(ApiError::invalid(format!(
            "at most {MAX_INCOMING_KEYS} query parameters are allowed"
        )));
    }
    if !raw.trim().is_empty() {
        let json: Value = serde_json::from_str(&raw)
            .map_err(|e| ApiError::invalid(format!("the body is not JSON: {e}")))?;
        check_incoming_body(&json)?;
        if let Some(map) = json.as_object() {
            for (k, v) in map {
                parameters.insert(k.clone(), v.clone());
            }
        }
    }
    let users = incoming_users(&state, &auth, query.get("user_ids").map(String::as_str)).await?;
    let mut header_map = Map::new();
    for (k, v) in headers {
        if k == axum::http::header::AUTHORIZATION {
            continue;
        }
        if let Ok(v) = v.to_str() {
            header_map.insert(k.as_str().to_string(), Value::String(v.to_string()));
        }
    }
    let mut extra = Map::new();
    extra.insert("headers".into(), Value::Object(header_map));
    extra.insert("parameters".into(), Value::Object(parameters));
    extra.insert("body".into(), raw.into());
    extra.insert("http_method".into(), method.as_str().into());
    let inputs = state
        .engine
        .inputs_for(&auth.actor(), None, None, None, extra);
    let trigger = json!({
        "kind": "incoming_webhook",
        "request_id": new_call_id(&state),
        "http_method": method.as_str(),
        "user_ids": users.iter().map(|u| u.to_string()).collect::<Vec<_>>(),
    });
    let report = state
        .engine
        .run_now(request(
            bot,
            spec,
            handler,
            &auth,
            inputs,
            trigger,
            Deliver::Users(users.clone()),
        ))
        .await
        .map_err(engine_error)?;
    let mut out = json!({"user_ids": []});
    if matches!(report.reply, Reply::Message(_)) && !report.message_ids.is_empty() {
        out["user_ids"] = json!(users.iter().map(|u| u.to_string()).collect::<Vec<_>>());
    }
    // A handler completing a third party's verification returns `challenge_key`.
    if let Some(key) = report
        .record
        .as_ref()
        .and_then(|r| r.execution.detail.get("reply"))
        .and_then(|r| r.get("challenge_key"))
    {
        out["challenge_key"] = key.clone();
    }
    if method == Method::HEAD {
        return Ok(StatusCode::OK.into_response());
    }
    Ok(axum::Json(out).into_response())
}

/// `POST /api/v3/bots/{BOT_UNIQUE_NAME}/incoming?user_ids=`: runs the incoming webhook
/// handler; its message goes to the listed users' bot chats (default: the caller's).
pub async fn incoming(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    run_incoming(state, auth, bot_ref, &Method::POST, &headers, query, body).await
}

/// `GET|POST|HEAD /api/v2/bots/{BOT_UNIQUE_NAME}/incoming?zapikey=…`.
pub async fn incoming_v2(
    State(state): State<AppState>,
    auth: AuthContext,
    method: Method,
    CliqPath(bot_ref): CliqPath<String>,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    run_incoming(state, auth, bot_ref, &method, &headers, query, body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallBody {
    text: Option<String>,
    user_ids: Option<Value>,
    retry: Option<i64>,
    #[serde(rename = "loop")]
    repeat: Option<i64>,
    actions: Option<Vec<Value>>,
}

fn check_call(body: &CallBody) -> ApiResult<()> {
    match body.text.as_deref().map(str::trim) {
        None | Some("") => return Err(ApiError::invalid("text is required")),
        Some(t) if t.chars().count() > 500 => {
            return Err(ApiError::invalid("text: longer than 500 characters"));
        }
        _ => {}
    }
    for (name, v) in [("retry", body.retry), ("loop", body.repeat)] {
        if let Some(n) = v
            && !(0..=3).contains(&n)
        {
            return Err(ApiError::invalid(format!("{name}: must be 0 to 3")));
        }
    }
    if let Some(actions) = &body.actions {
        if actions.len() > 5 {
            return Err(ApiError::invalid("actions: at most 5"));
        }
        for (i, a) in actions.iter().enumerate() {
            let label = a.get("label").and_then(Value::as_str).unwrap_or_default();
            if label.is_empty() || label.chars().count() > 20 {
                return Err(ApiError::invalid(format!(
                    "actions[{i}].label: required, at most 20 characters"
                )));
            }
            if a.get("action").and_then(|x| x.get("type")).is_none() {
                return Err(ApiError::invalid(format!(
                    "actions[{i}].action: required, with a type"
                )));
            }
        }
    }
    Ok(())
}

/// A random version-4 UUID (call ids, incoming webhook request ids).
fn new_call_id(state: &AppState) -> String {
    let b = state.random.bytes16();
    let h = hex::encode(b);
    // Version 4, variant 10xx.
    let variant = ["8", "9", "a", "b"][(b[8] & 3) as usize];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        variant,
        &h[17..20],
        &h[20..32]
    )
}

/// `POST /api/v3/bots/{BOT_UNIQUE_NAME}/calls`: rings each user (default: the caller) and
/// fires the call handler with `ringing` for each.
pub async fn call(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_ref): CliqPath<String>,
    CliqJson(body): CliqJson<CallBody>,
) -> ApiResult<Response> {
    check_call(&body)?;
    let bot = find_bot(&state, &auth, &bot_ref).await?;
    if !matches!(bot_attrs(&bot)?.calls.as_str(), "enable" | "enabled") {
        return Err(ApiError::new(ErrorCode::BotAlertNotEnabled));
    }
    let users = match &body.user_ids {
        None => vec![auth.user.id],
        Some(ids) => {
            let count = match ids {
                Value::Array(a) => a.len(),
                Value::String(s) => s.split(',').filter(|p| !p.trim().is_empty()).count(),
                _ => 0,
            };
            if count > 10 {
                return Err(ApiError::invalid("user_ids: at most 10 users"));
            }
            let found =
                cliqd_service::resolve_users(state.store.as_ref(), &auth.actor(), "user_ids", ids)
                    .await?;
            if found.is_empty() {
                return Err(ApiError::new(ErrorCode::BotmessageNoValidUsers));
            }
            found.iter().map(|u| u.id).collect()
        }
    };
    let id = new_call_id(&state);
    state
        .store
        .create_call(auth.user.org_id, bot.id, &id, users.clone())
        .await?;
    let ids: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    Ok(axum::Json(json!({"user_ids": ids, "id": id})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallStateBody {
    operation: String,
}

/// `POST /api/v3/calls/{CALL_ID}` `{"operation": …}`: a callee reports the call's state; the
/// call handler runs with it.
pub async fn call_state(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(call_id): CliqPath<String>,
    CliqJson(body): CliqJson<CallStateBody>,
) -> ApiResult<Response> {
    const STATES: [&str; 6] = ["answered", "declined", "ended", "missed", "busy", "offline"];
    if !STATES.contains(&body.operation.as_str()) {
        return Err(ApiError::invalid(format!(
            "operation must be one of {}",
            STATES.join(", ")
        )));
    }
    match state
        .store
        .report_call(
            auth.user.org_id,
            call_id.trim(),
            auth.user.id,
            &body.operation,
        )
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::CallNotFound)),
        Err(e) => Err(e.into()),
    }
}
