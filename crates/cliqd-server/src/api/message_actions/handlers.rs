//! The message action's `execution_handler`: get and update (digest §5). It exists from the
//! action's creation, so there is no create or delete.

use super::{attrs_of, find_action};
use crate::api::component::ensure_can_modify;
use crate::api::execution::{
    ACCESS, ENVIRONMENT, HandlerData, HandlerSpec, PERMISSIONS, handler_data, handler_reply,
    store_error,
};
use crate::api::{AuthMode, Endpoint, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_store::{ComponentRow, HandlerRow};
use serde::Deserialize;
use serde_json::Value;

pub const UPDATE: Endpoint = Endpoint {
    name: "messageactions.handlers.update",
    method: Method::PATCH,
    path: "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    scope: "messageactions.update",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "messageactions.handlers.get",
    method: Method::GET,
    path: "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    scope: "messageactions.read",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};

/// The one handler type: every permission is available (digest §5); params from digest §9.3.
pub(super) const HANDLER: HandlerSpec = HandlerSpec {
    name: "execution_handler",
    permissions: PERMISSIONS,
    params: &[
        ACCESS,
        ENVIRONMENT,
        ("message", "MAP"),
        ("messages", "MAP"),
        ("attachments", "LIST"),
        ("mentions", "LIST"),
        ("user", "MAP"),
        ("chat", "MAP"),
        ("location", "MAP"),
    ],
    return_type: "MAP",
};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HandlerBody {
    /// Accepted only as `execution_handler`, the one type there is.
    #[serde(rename = "type")]
    handler_type: Option<String>,
    script: Option<String>,
    permissions: Option<Vec<String>>,
}

fn check_type(handler_type: &str) -> ApiResult<()> {
    if handler_type == HANDLER.name {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "`{handler_type}` is not a message action handler type; the only one is execution_handler"
        )))
    }
}

/// The action's execution handler.
async fn execution_handler(
    state: &AppState,
    action: &ComponentRow,
    failed: ErrorCode,
) -> ApiResult<HandlerRow> {
    let all = state
        .store
        .handlers_of(action.id)
        .await
        .map_err(|e| store_error(e, ErrorCode::MsgactionNotFound, failed))?;
    all.into_iter()
        .find(|h| h.handler_type == HANDLER.name)
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((action_id, handler_type)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerUpdateFailed;
    let action = find_action(&state, &auth, &action_id).await?;
    ensure_can_modify(&auth, &action, ErrorCode::MsgactionPermissionDenied)?;
    check_type(&handler_type)?;
    if let Some(t) = &body.handler_type {
        check_type(t)?;
    }
    let execution_type = attrs_of(&action)?.execution_type;
    let existing = execution_handler(&state, &action, failed).await?;
    if body.script.is_none() && body.permissions.is_none() {
        let what = if execution_type == "webhook" {
            "permissions is required for handlers of webhook message actions"
        } else {
            "script is required for handlers of Deluge message actions"
        };
        return Err(ApiError::with_message(
            ErrorCode::ExecutionHandlerDataRequired,
            what,
        ));
    }
    let data = HandlerData {
        script: body.script,
        permissions: body.permissions,
    };
    let (script, attrs) = handler_data(
        data,
        &HANDLER,
        &execution_type,
        Some(&existing),
        "message actions",
    )?;
    let saved = state
        .store
        .update_handler(HandlerRow {
            script,
            attrs,
            ..existing
        })
        .await
        .map_err(|e| store_error(e, ErrorCode::ExecutionHandlerNotFound, failed))?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        Value::Object(handler_reply(&saved, &execution_type)),
    )
    .into_response())
}

/// The handler with its `params` and `return_type`.
pub(super) async fn get_handler(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((action_id, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let action = find_action(&state, &auth, &action_id).await?;
    check_type(&handler_type)?;
    let execution_type = attrs_of(&action)?.execution_type;
    let h = execution_handler(&state, &action, ErrorCode::ExecutionHandlerGetFailed).await?;
    let mut data = handler_reply(&h, &execution_type);
    data.insert("return_type".into(), HANDLER.return_type.into());
    data.insert("params".into(), HANDLER.params_json());
    Ok(envelope(uri.path(), "execution_handler", Value::Object(data)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_execution_handler() {
        assert!(check_type("execution_handler").is_ok());
        assert!(check_type("button_handler").is_err());
    }
}
