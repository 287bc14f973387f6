//! Webhook execution over HTTP (cliqd's own; see `docs/webhooks.md`):
//!
//! - `GET /api/v3/webhooks/public_key`: the organization's public key (PEM) that
//!   `X-Cliq-Signature` verifies with (any signed-in user of the organization).
//! - `POST /api/v3/{bots|functions|messageactions}/{ID}/webhook_secret`: rotates the
//!   component's Standard Webhooks secret (creator or organization admin) and answers the new one.
//! - `POST /api/v3/webhooks/responses/{TOKEN}`: a deferred reply to a `response_url` (no
//!   other authentication: the URL is the secret; 404 when unknown, expired or used up).
//! - `POST /api/v3/executions/{ID}/redeliver`: sends a webhook delivery again (same
//!   `webhook-id` and body, new timestamp and signatures) and journals the new attempt.
//!
//! A webhook component's GET reply carries `webhook_secret` for its creator and the
//! organization's admins.

use crate::api::component::{Descriptor, find};
use crate::api::messaging::ep;
use crate::api::{Endpoint, can_modify};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::CliqPath;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_core::attrs::{BotAttrs, ComponentAttrs};
use cliqd_core::kinds::ExecutionType;
use cliqd_runtime::{DeferredError, Deliver, RunRequest};
use cliqd_store::ComponentRow;
use serde_json::{Value, json};
use std::sync::Arc;

pub const PUBLIC_KEY: Endpoint = ep(
    "webhooks.public_key",
    Method::GET,
    "/api/v3/webhooks/public_key",
    "bots.read",
    60,
);
pub const ROTATE_BOT: Endpoint = ep(
    "bots.webhook_secret.rotate",
    Method::POST,
    "/api/v3/bots/{bot_id}/webhook_secret",
    "bots.update",
    10,
);
pub const ROTATE_FUNCTION: Endpoint = ep(
    "functions.webhook_secret.rotate",
    Method::POST,
    "/api/v3/functions/{function_id}/webhook_secret",
    "functions.update",
    10,
);
pub const ROTATE_MESSAGE_ACTION: Endpoint = ep(
    "messageactions.webhook_secret.rotate",
    Method::POST,
    "/api/v3/messageactions/{messageaction_id}/webhook_secret",
    "messageactions.update",
    10,
);
pub const REDELIVER: Endpoint = ep(
    "executions.redeliver",
    Method::POST,
    "/api/v3/executions/{execution_id}/redeliver",
    "bots.update",
    60,
);

/// The deferred-reply route: outside the guard (the token is the credential).
pub const RESPONSE_ROUTE: &str = "/api/v3/webhooks/responses/{token}";

pub const ENDPOINTS: &[&Endpoint] = &[
    &PUBLIC_KEY,
    &ROTATE_BOT,
    &ROTATE_FUNCTION,
    &ROTATE_MESSAGE_ACTION,
    &REDELIVER,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PUBLIC_KEY.path, get(public_key))
        .route(ROTATE_BOT.path, post(rotate_bot))
        .route(ROTATE_FUNCTION.path, post(rotate_function))
        .route(ROTATE_MESSAGE_ACTION.path, post(rotate_message_action))
        .route(REDELIVER.path, post(redeliver))
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    tracing::error!(error = %e, "webhook signing keys");
    ApiError::new(ErrorCode::Internal)
}

/// Whether a component runs as a webhook.
pub fn is_webhook(row: &ComponentRow) -> bool {
    BotAttrs::from_stored(&row.attrs)
        .map(|a| a.execution_type() == ExecutionType::Webhook)
        .unwrap_or_else(|_| {
            row.attrs.get("execution_type").and_then(Value::as_str) == Some("webhook")
        })
}

/// Adds `webhook_secret` to a webhook component's GET reply for its creator and admins.
pub async fn add_secret(
    state: &AppState,
    auth: &AuthContext,
    row: &ComponentRow,
    data: &mut Value,
) -> ApiResult<()> {
    if is_webhook(row) && can_modify(auth, row) && data.is_object() {
        let secret = state
            .engine
            .webhook_secret(row.id)
            .await
            .map_err(internal)?;
        data["webhook_secret"] = secret.into();
    }
    Ok(())
}

async fn public_key(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
) -> ApiResult<Response> {
    let pem = state
        .engine
        .public_key(auth.org_id())
        .await
        .map_err(internal)?;
    let data = json!({"algorithm": "RSA-SHA256", "header": "X-Cliq-Signature", "public_key": pem});
    Ok(crate::api::envelope(uri.path(), "public_key", data).into_response())
}

async fn rotate(
    state: &AppState,
    auth: &AuthContext,
    uri: &Uri,
    d: &Descriptor,
    id: &str,
) -> ApiResult<Response> {
    let row = find(state, auth, d, id).await?;
    if !can_modify(auth, &row) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    if !is_webhook(&row) {
        return Err(ApiError::invalid(
            "only a component whose execution_type is webhook has a webhook secret",
        ));
    }
    let secret = state
        .engine
        .rotate_webhook_secret(row.id)
        .await
        .map_err(internal)?;
    Ok(crate::api::envelope(
        uri.path(),
        "webhook_secret",
        json!({"webhook_secret": secret}),
    )
    .into_response())
}

async fn rotate_bot(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    rotate(&state, &auth, &uri, &crate::api::bots::DESCRIPTOR, &id).await
}

async fn rotate_function(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    rotate(&state, &auth, &uri, &crate::api::functions::DESCRIPTOR, &id).await
}

async fn rotate_message_action(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    rotate(
        &state,
        &auth,
        &uri,
        &crate::api::message_actions::DESCRIPTOR,
        &id,
    )
    .await
}

/// `POST /api/v3/webhooks/responses/{TOKEN}`: a deferred reply.
pub async fn deferred(
    State(state): State<AppState>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    match state.engine.deferred_reply(&token, &body).await {
        Ok(report) => {
            let mut out = json!({"outcome": report.outcome, "message_ids": report.message_ids});
            if let Some(r) = &report.record {
                out["execution_id"] = r.id.to_string().into();
            }
            axum::Json(out).into_response()
        }
        Err(DeferredError::NotFound) => (
            StatusCode::NOT_FOUND,
            axum::Json(
                json!({"code": "not_found", "message": "unknown, expired or used-up response_url"}),
            ),
        )
            .into_response(),
        Err(DeferredError::Invalid(m)) => ApiError::invalid(m).into_response(),
        Err(DeferredError::Engine(cliqd_runtime::EngineError::Store(e))) => {
            ApiError::from(e).into_response()
        }
    }
}

/// `POST /api/v3/executions/{ID}/redeliver`.
async fn redeliver(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let old = crate::api::executions::load(&state, &auth, &id).await?;
    let e = &old.execution;
    if e.detail.get("executor").and_then(Value::as_str) != Some("webhook")
        || e.detail.get("webhook").is_none()
    {
        return Err(ApiError::invalid(
            "only a webhook delivery can be redelivered",
        ));
    }
    let d = match e.component_kind.as_str() {
        "bot" => &crate::api::bots::DESCRIPTOR,
        "function" => &crate::api::functions::DESCRIPTOR,
        _ => &crate::api::message_actions::DESCRIPTOR,
    };
    let component = find(&state, &auth, d, &e.component_id.to_string()).await?;
    if !can_modify(&auth, &component) {
        return Err(ApiError::new(ErrorCode::BotPermissionDenied));
    }
    let handler_id = e.detail.get("handler_id").and_then(Value::as_str);
    let handler = state
        .store
        .handlers_of(component.id)
        .await?
        .into_iter()
        .find(|h| Some(h.id.to_string().as_str()) == handler_id)
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    let kind = cliqd_core::ComponentKind::ALL
        .iter()
        .copied()
        .find(|k| k.as_str() == e.component_kind)
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    let spec = cliqd_core::catalog::find(kind, &e.handler)
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    let chat_id = e
        .detail
        .get("trigger")
        .and_then(|t| t.get("chat_id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let deliver = chat_id.clone().map_or(Deliver::Nothing, Deliver::Chat);
    let report = state
        .engine
        .run_now(RunRequest {
            component: Arc::new(component),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs: e
                .detail
                .get("inputs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
            trigger: json!({"kind": "redeliver", "execution_id": old.id.to_string(), "chat_id": chat_id}),
            deliver,
        })
        .await
        .map_err(|e| match e {
            cliqd_runtime::EngineError::Store(s) => ApiError::from(s),
        })?;
    let data = report
        .record
        .as_ref()
        .map(crate::api::executions::execution_json)
        .unwrap_or(Value::Null);
    Ok(crate::api::envelope(uri.path(), "execution", data).into_response())
}
