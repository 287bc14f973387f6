//! Function handlers (<https://www.zoho.com/cliq/help/restapi/v3/functions/>): the endpoints, create (which configures the default handler
//! the function got at creation) and delete. Update and get are the shared handler endpoints
//! of [`crate::api::execution`]; the handler types, their permissions and parameters are in
//! the `cliqd_core` catalog.

use super::{DESCRIPTOR, Functions};
use crate::api::component::{self, endpoint, find_for_write};
use crate::api::execution::{
    HandlerBody, HandlerData, already_has, find_handler, handler_data, is_configured, is_default,
    remove_handler, store_error,
};
use crate::api::{Endpoint, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_store::{ConflictOn, HandlerRow, NewHandler, StoreError};
use serde_json::json;

pub const CREATE: Endpoint = endpoint(
    "functions.handlers.create",
    Method::POST,
    "/api/v3/functions/{function_id}/handlers",
    "functions.update",
    10,
);
pub const UPDATE: Endpoint = endpoint(
    "functions.handlers.update",
    Method::PATCH,
    "/api/v3/functions/{function_id}/handlers/{handler_type}",
    "functions.update",
    10,
);
pub const GET: Endpoint = endpoint(
    "functions.handlers.get",
    Method::GET,
    "/api/v3/functions/{function_id}/handlers/{handler_type}",
    "functions.read",
    10,
);
pub const DELETE: Endpoint = endpoint(
    "functions.handlers.delete",
    Method::DELETE,
    "/api/v3/functions/{function_id}/handlers/{handler_type}",
    "functions.update",
    10,
);

/// Creates a handler; the reply is the function object, as the documented examples show
/// (CONTRADICTIONS.md `undeclared:functions:createFunctionHandler:200:*`). The default handler
/// exists from creation but has no script or permissions yet: the first create of its type
/// configures it, as the documented examples (a `button_handler` for a new button function)
/// expect; a handler that is already configured is refused.
pub(super) async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(function_id): CliqPath<String>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerCreateFailed;
    let (row, attrs) = find_for_write::<Functions>(&state, &auth, &function_id).await?;
    let handler_type = body
        .handler_type
        .ok_or_else(|| ApiError::invalid("type is required"))?;
    let spec = DESCRIPTOR.handler(&handler_type)?;
    if spec.function_type != Some(attrs.function_type) {
        return Err(ApiError::invalid(format!(
            "{handler_type} does not apply to {} functions",
            attrs.function_type
        )));
    }
    // The body is checked before the handler's state: a malformed request is a 400 whatever
    // exists already.
    let data = HandlerData {
        script: body.script,
        permissions: body.permissions,
    };
    let (script, mut handler_attrs) =
        handler_data(data, spec, attrs.execution_type, None, DESCRIPTOR.plural)?;
    let existing = crate::api::execution::handlers_of(&state, &DESCRIPTOR, row.id, failed)
        .await?
        .into_iter()
        .find(|h| h.handler_type == spec.api_name);
    if let Some(h) = &existing
        && is_configured(h, attrs.execution_type)
    {
        return Err(ApiError::with_message(
            failed,
            already_has(&DESCRIPTOR, spec),
        ));
    }
    let saved = match existing {
        Some(h) => {
            if is_default(&h) {
                handler_attrs["default"] = json!(true);
            }
            // Conditional on its still being unconfigured: of two concurrent creates, one wins.
            state
                .store
                .configure_handler(HandlerRow {
                    script,
                    attrs: handler_attrs,
                    ..h
                })
                .await
        }
        // At most one handler of each type; the store checks again inside the insert's
        // transaction, so a concurrent create of the same type gets a conflict.
        None => {
            state
                .store
                .create_handler(
                    NewHandler {
                        component_id: row.id,
                        handler_type: spec.api_name.to_string(),
                        script,
                        attrs: handler_attrs,
                    },
                    spec.max_per_component,
                )
                .await
        }
    };
    saved.map_err(|e| match e {
        StoreError::Conflict(ConflictOn::Handler) => {
            ApiError::with_message(failed, already_has(&DESCRIPTOR, spec))
        }
        e => store_error(e, ErrorCode::FunctionNotFound, failed),
    })?;
    let row = state
        .store
        .get_component(auth.org_id(), DESCRIPTOR.kind.as_str(), row.id)
        .await
        .map_err(|e| store_error(e, ErrorCode::FunctionNotFound, failed))?;
    let data = component::render::<Functions>(&state, &row).await?;
    Ok(envelope(uri.path(), DESCRIPTOR.kind.as_str(), data).into_response())
}

pub(super) async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((function_id, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let (row, _) = find_for_write::<Functions>(&state, &auth, &function_id).await?;
    let (_, h) = find_handler(
        &state,
        &DESCRIPTOR,
        row.id,
        &handler_type,
        None,
        ErrorCode::ExecutionHandlerDeleteFailed,
    )
    .await?;
    remove_handler(&state, &DESCRIPTOR, &h).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
