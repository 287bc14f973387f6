//! The execution journal over HTTP (cliqd's own): `GET /api/v3/executions` (filters:
//! `component_id`, `handler`, `status`, `from_time`, `to_time`; `limit`, `next_token`),
//! `GET /api/v3/executions/{ID}`, `POST /api/v3/executions/{ID}/replay` (the same inputs
//! against the current handler version; delivers only with `"deliver": true`), and
//! `GET /api/v3/bots/{BOT_ID}/handlers/{HANDLER_TYPE}/logs` in the execution-log shape of
//! Zoho's OpenAPI document. Records are visible to the component's creator and organization
//! admins only.

use crate::api::bots::{DESCRIPTOR as BOTS, find_bot};
use crate::api::execution::find_handler;
use crate::api::messaging::ep;
use crate::api::{Endpoint, can_modify};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqPath, CliqQuery};
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cliqd_core::ComponentKind;
use cliqd_runtime::{Deliver, RunRequest};
use cliqd_store::{ExecutionQuery, ExecutionRow, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub const LIST: Endpoint = ep(
    "executions.list",
    Method::GET,
    "/api/v3/executions",
    "bots.read",
    120,
);
pub const GET: Endpoint = ep(
    "executions.get",
    Method::GET,
    "/api/v3/executions/{execution_id}",
    "bots.read",
    120,
);
pub const REPLAY: Endpoint = ep(
    "executions.replay",
    Method::POST,
    "/api/v3/executions/{execution_id}/replay",
    "bots.update",
    60,
);
pub const LOGS: Endpoint = ep(
    "bots.handlers.logs",
    Method::GET,
    "/api/v3/bots/{bot_id}/handlers/{handler_type}/logs",
    "bots.read",
    30,
);

pub const ENDPOINTS: &[&Endpoint] = &[&LIST, &GET, &REPLAY, &LOGS];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(LIST.path, get(list))
        .route(GET.path, get(get_one))
        .route(REPLAY.path, post(replay))
        .route(LOGS.path, get(logs))
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 200;

/// A journal record as the API shows it.
pub fn execution_json(r: &ExecutionRow) -> Value {
    let e = &r.execution;
    let mut out = json!({
        "id": r.id.to_string(),
        "organization_id": e.org_id.to_string(),
        "component": {"type": e.component_kind, "id": e.component_id.to_string(), "name": e.component_name},
        "handler": e.handler,
        "user_id": e.user_id.to_string(),
        "status": e.outcome,
        "start_time": e.started_at,
        "duration_ms": e.duration_us as f64 / 1000.0,
        "delivered": {"message_ids": r.delivered},
    });
    if let (Some(map), Some(detail)) = (out.as_object_mut(), e.detail.as_object()) {
        for (k, v) in detail {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    out
}

/// Only the component's creator and organization admins see a record.
fn visible(auth: &AuthContext, r: &ExecutionRow) -> bool {
    r.execution.org_id == auth.user.org_id
        && (auth.user.is_admin || r.execution.component_creator_id == auth.user.id)
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    component_id: Option<String>,
    handler: Option<String>,
    status: Option<String>,
    from_time: Option<String>,
    to_time: Option<String>,
    limit: Option<String>,
    next_token: Option<String>,
}

fn int(name: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    v.map(|s| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| ApiError::invalid(format!("{name}: not a number")))
    })
    .transpose()
}

async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(p): CliqQuery<ListParams>,
) -> ApiResult<Response> {
    let limit = match int("limit", p.limit.as_deref())? {
        None => DEFAULT_LIMIT,
        Some(n) if n >= 1 && n as usize <= MAX_LIMIT => n as usize,
        Some(_) => return Err(ApiError::invalid(format!("limit: 1 to {MAX_LIMIT}"))),
    };
    let before_id = match &p.next_token {
        None => None,
        Some(t) => Some(
            URL_SAFE_NO_PAD
                .decode(t.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| s.strip_prefix("x|").and_then(|n| n.parse::<i64>().ok()))
                .ok_or_else(|| ApiError::invalid("next_token is not valid"))?,
        ),
    };
    let component_id = match p.component_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            ["b-", "f-", "ma-", ""]
                .iter()
                .find_map(|prefix| cliqd_core::ids::parse_component_id(raw, prefix))
                .ok_or_else(|| ApiError::invalid("component_id is not a component id"))?,
        ),
    };
    const OUTCOMES: [&str; 6] = [
        "success",
        "invalid_reply",
        "error",
        "timeout",
        "limit",
        "refused",
    ];
    if let Some(s) = &p.status
        && !OUTCOMES.contains(&s.as_str())
    {
        return Err(ApiError::invalid(format!(
            "status must be one of {}",
            OUTCOMES.join(", ")
        )));
    }
    let rows = state
        .store
        .executions(ExecutionQuery {
            org_id: auth.user.org_id,
            creator_id: (!auth.user.is_admin).then_some(auth.user.id),
            component_id,
            handler: p.handler.clone(),
            outcome: p.status.clone(),
            from_time: int("from_time", p.from_time.as_deref())?,
            to_time: int("to_time", p.to_time.as_deref())?,
            before_id,
            after_id: None,
            limit: limit + 1,
        })
        .await?;
    let more = rows.len() > limit;
    let page: Vec<&ExecutionRow> = rows.iter().take(limit).collect();
    let mut out = json!({
        "url": uri.path(),
        "type": "execution",
        "data": page.iter().map(|r| execution_json(r)).collect::<Vec<_>>(),
    });
    if more && let Some(last) = page.last() {
        out["next_token"] = URL_SAFE_NO_PAD.encode(format!("x|{}", last.id)).into();
    }
    Ok(axum::Json(out).into_response())
}

pub(crate) async fn load(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<ExecutionRow> {
    let id: i64 = raw
        .trim()
        .parse()
        .map_err(|_| ApiError::new(ErrorCode::ExecutionNotFound))?;
    match state.store.execution(auth.user.org_id, id).await {
        Ok(r) if visible(auth, &r) => Ok(r),
        Ok(_) | Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::ExecutionNotFound)),
        Err(e) => Err(e.into()),
    }
}

async fn get_one(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let r = load(&state, &auth, &id).await?;
    Ok(crate::api::envelope(uri.path(), "execution", execution_json(&r)).into_response())
}

/// Runs the record's inputs against the component's current handler of the same type, as the
/// caller, and answers the new record.
async fn replay(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    body: Bytes,
) -> ApiResult<Response> {
    let deliver = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(Value::Object(m)) => m.get("deliver") == Some(&Value::Bool(true)),
            _ => return Err(ApiError::invalid("the body must be a JSON object")),
        }
    };
    let old = load(&state, &auth, &id).await?;
    let e = &old.execution;
    if e.component_kind != ComponentKind::Bot.as_str() {
        return Err(ApiError::invalid(
            "only bot handler runs can be replayed yet",
        ));
    }
    let bot = find_bot(&state, &auth, &format!("b-{}", e.component_id)).await?;
    if !can_modify(&auth, &bot) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    let handler_id = e.detail.get("handler_id").and_then(Value::as_str);
    let (spec, handler) = match find_handler(
        &state,
        &BOTS,
        bot.id,
        &e.handler,
        handler_id,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await
    {
        Ok(found) => found,
        // A replaced menu action: its type's first one.
        Err(_) if handler_id.is_some() => {
            find_handler(
                &state,
                &BOTS,
                bot.id,
                &e.handler,
                None,
                ErrorCode::ExecutionHandlerGetFailed,
            )
            .await?
        }
        Err(err) => return Err(err),
    };
    let inputs = e
        .detail
        .get("inputs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let chat_id = e
        .detail
        .get("trigger")
        .and_then(|t| t.get("chat_id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let deliver = match (deliver, chat_id.clone()) {
        (false, _) => Deliver::Nothing,
        (true, Some(c)) => Deliver::Chat(c),
        (true, None) => Deliver::Users(vec![auth.user.id]),
    };
    let report = state
        .engine
        .run_now(RunRequest {
            component: Arc::new(bot),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs,
            trigger: json!({"kind": "replay", "execution_id": old.id.to_string(), "chat_id": chat_id}),
            deliver,
        })
        .await
        .map_err(|e| match e {
            cliqd_runtime::EngineError::Store(s) => ApiError::from(s),
        })?;
    let data = report
        .record
        .as_ref()
        .map(execution_json)
        .unwrap_or(Value::Null);
    Ok(crate::api::envelope(uri.path(), "execution", data).into_response())
}

/// The handler's runs in the execution-log shape (<https://www.zoho.com/cliq/help/restapi/v3/bots/>):
/// `{"logs": [{"id", "time", "executionTime", "user", "output", "status", "debugInfo"}]}`,
/// newest first, `debugInfo` holding each `info` line as `{"time", "message"}` JSON text.
async fn logs(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((bot_ref, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let bot = find_bot(&state, &auth, &bot_ref).await?;
    if !can_modify(&auth, &bot) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    let spec = BOTS.handler(&handler_type)?;
    let rows = state
        .store
        .executions(ExecutionQuery {
            org_id: auth.user.org_id,
            component_id: Some(bot.id),
            handler: Some(spec.api_name.to_string()),
            limit: 100,
            ..Default::default()
        })
        .await?;
    let logs: Vec<Value> = rows
        .iter()
        .map(|r| {
            let e = &r.execution;
            let info: Vec<Value> = e
                .detail
                .get("info")
                .and_then(Value::as_array)
                .map(|lines| {
                    lines
                        .iter()
                        .map(|l| {
                            Value::String(json!({"time": e.started_at, "message": l}).to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({
                "id": r.id.to_string(),
                "time": e.started_at,
                "executionTime": e.duration_us / 1000,
                "user": {"id": e.user_id.to_string()},
                "output": e.detail.get("reply").map(Value::to_string).unwrap_or_default(),
                "status": e.outcome,
                "debugInfo": info,
            })
        })
        .collect();
    Ok(axum::Json(json!({
        "url": uri.path(),
        "type": "execution_handler",
        "data": {"logs": logs},
    }))
    .into_response())
}
