//! The message action's `execution_handler`: get and update (digest §5). It exists from the
//! action's creation, so there is no create or delete.

use super::{DESCRIPTOR, MessageActions};
use crate::api::component::{attrs_of, endpoint, find, find_for_write};
use crate::api::execution::{
    HandlerData, check_same_type, find_handler, handler_data, handler_reply, params_json,
    require_data, save_handler,
};
use crate::api::{Endpoint, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_core::attrs::ActionAttrs;
use serde::Deserialize;
use serde_json::Value;

pub const UPDATE: Endpoint = endpoint(
    "messageactions.handlers.update",
    Method::PATCH,
    "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    "messageactions.update",
    10,
);
pub const GET: Endpoint = endpoint(
    "messageactions.handlers.get",
    Method::GET,
    "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    "messageactions.read",
    10,
);

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HandlerBody {
    /// Accepted only as `execution_handler`, the one type there is.
    #[serde(rename = "type")]
    handler_type: Option<String>,
    script: Option<String>,
    permissions: Option<Vec<String>>,
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((action_id, handler_type)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerUpdateFailed;
    let (action, attrs) = find_for_write::<MessageActions>(&state, &auth, &action_id).await?;
    let spec = DESCRIPTOR.handler(&handler_type)?;
    let existing = find_handler(&state, &DESCRIPTOR, action.id, spec, None, failed).await?;
    check_same_type(&DESCRIPTOR, body.handler_type.as_deref(), spec, "")?;
    require_data(
        body.script.is_some() || body.permissions.is_some(),
        attrs.execution_type,
        DESCRIPTOR.plural,
    )?;
    let data = HandlerData {
        script: body.script,
        permissions: body.permissions,
    };
    let (script, handler_attrs) = handler_data(
        data,
        spec,
        attrs.execution_type,
        Some(&existing),
        DESCRIPTOR.plural,
    )?;
    let saved = save_handler(&state, existing, script, handler_attrs).await?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        Value::Object(handler_reply(&saved, attrs.execution_type)),
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
    let action = find(&state, &auth, &DESCRIPTOR, &action_id).await?;
    let spec = DESCRIPTOR.handler(&handler_type)?;
    let attrs: ActionAttrs = attrs_of(&action)?;
    let h = find_handler(
        &state,
        &DESCRIPTOR,
        action.id,
        spec,
        None,
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    let mut data = handler_reply(&h, attrs.execution_type);
    data.insert("return_type".into(), spec.return_type.as_str().into());
    data.insert("params".into(), params_json(spec));
    Ok(envelope(uri.path(), "execution_handler", Value::Object(data)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_execution_handler() {
        assert!(DESCRIPTOR.handler("execution_handler").is_ok());
        assert!(DESCRIPTOR.handler("button_handler").is_err());
    }
}
