//! Function handlers: create, update, get and delete (digest §4), with the handler types of
//! each function type, their webhook permission matrix, Deluge params and the default handler.

use super::{FunctionAttrs, KIND, WRITE, attrs_of, find_function, render};
use crate::api::component::ensure_can_modify;
use crate::api::execution::{
    ACCESS, ENVIRONMENT, HandlerData, HandlerSpec, handler_data, handler_reply, is_configured,
    is_default, store_error,
};
use crate::api::{AuthMode, Endpoint, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_store::{ComponentRow, ConflictOn, HandlerRow, NewHandler, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

pub const CREATE: Endpoint = Endpoint {
    name: "functions.handlers.create",
    method: Method::POST,
    path: "/api/v3/functions/{function_id}/handlers",
    scope: "functions.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const UPDATE: Endpoint = Endpoint {
    name: "functions.handlers.update",
    method: Method::PATCH,
    path: "/api/v3/functions/{function_id}/handlers/{handler_type}",
    scope: "functions.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "functions.handlers.get",
    method: Method::GET,
    path: "/api/v3/functions/{function_id}/handlers/{handler_type}",
    scope: "functions.read",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const DELETE: Endpoint = Endpoint {
    name: "functions.handlers.delete",
    method: Method::DELETE,
    path: "/api/v3/functions/{function_id}/handlers/{handler_type}",
    scope: "functions.update",
    limit: WRITE,
    auth: AuthMode::Token,
};

/// A function handler type: the function type it belongs to and whether it is that type's
/// default handler (created with the function, never deleted).
struct FunctionHandler {
    spec: HandlerSpec,
    function_type: &'static str,
    default: bool,
}

/// Permissions: digest §4 (only `chat`, `message` and `user` exist for functions). Params and
/// return types: digest §9.3 (`button_handler`'s list is the documented one; the others are
/// assembled from the handler input tables).
const HANDLERS: &[FunctionHandler] = &[
    FunctionHandler {
        spec: HandlerSpec {
            name: "button_handler",
            permissions: &["chat", "message", "user"],
            params: &[
                ACCESS,
                ENVIRONMENT,
                ("chat", "MAP"),
                ("user", "MAP"),
                ("message", "MAP"),
                ("target", "MAP"),
                ("arguments", "MAP"),
                ("event", "STRING"),
                ("location", "MAP"),
            ],
            return_type: "MAP",
        },
        function_type: "button",
        default: true,
    },
    FunctionHandler {
        spec: HandlerSpec {
            name: "form_submit_handler",
            permissions: &["chat", "message", "user"],
            params: &[
                ACCESS,
                ENVIRONMENT,
                ("form", "MAP"),
                ("user", "MAP"),
                ("chat", "MAP"),
                ("message", "MAP"),
            ],
            return_type: "MAP",
        },
        function_type: "form",
        default: true,
    },
    FunctionHandler {
        spec: HandlerSpec {
            name: "form_change_handler",
            permissions: &["chat", "user"],
            params: &[
                ACCESS,
                ENVIRONMENT,
                ("form", "MAP"),
                ("target", "MAP"),
                ("user", "MAP"),
                ("chat", "MAP"),
            ],
            return_type: "MAP",
        },
        function_type: "form",
        default: false,
    },
    FunctionHandler {
        spec: HandlerSpec {
            name: "form_dynamic_select_handler",
            permissions: &["chat", "user"],
            params: &[
                ACCESS,
                ENVIRONMENT,
                ("form", "MAP"),
                ("target", "MAP"),
                ("user", "MAP"),
                ("chat", "MAP"),
            ],
            return_type: "MAP",
        },
        function_type: "form",
        default: false,
    },
    FunctionHandler {
        spec: HandlerSpec {
            name: "form_view_handler",
            permissions: &["user"],
            params: &[ACCESS, ENVIRONMENT, ("params", "MAP"), ("user", "MAP")],
            return_type: "MAP",
        },
        function_type: "form",
        default: false,
    },
    FunctionHandler {
        spec: HandlerSpec {
            name: "widget_button_handler",
            permissions: &["user"],
            params: &[
                ACCESS,
                ENVIRONMENT,
                ("target", "MAP"),
                ("arguments", "MAP"),
                ("user", "MAP"),
            ],
            return_type: "MAP",
        },
        function_type: "widget_button",
        default: true,
    },
];

/// The default handler type of a function type (`button` → `button_handler`).
pub(super) fn default_type(function_type: &str) -> &'static str {
    HANDLERS
        .iter()
        .find(|h| h.default && h.function_type == function_type)
        .map(|h| h.spec.name)
        .unwrap_or("button_handler")
}

fn handler_of(handler_type: &str) -> ApiResult<&'static FunctionHandler> {
    HANDLERS
        .iter()
        .find(|h| h.spec.name == handler_type)
        .ok_or_else(|| {
            ApiError::invalid(format!(
                "`{handler_type}` is not a function handler type (button_handler, form_submit_handler, form_change_handler, form_dynamic_select_handler, form_view_handler, widget_button_handler)"
            ))
        })
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HandlerBody {
    #[serde(rename = "type")]
    handler_type: Option<String>,
    script: Option<String>,
    permissions: Option<Vec<String>>,
}

/// The function, if `auth` may change it, with its attributes.
async fn function_for_write(
    state: &AppState,
    auth: &AuthContext,
    function_id: &str,
) -> ApiResult<(ComponentRow, FunctionAttrs)> {
    let row = find_function(state, auth, function_id).await?;
    ensure_can_modify(auth, &row, ErrorCode::FunctionPermissionDenied)?;
    let attrs = attrs_of(&row)?;
    Ok((row, attrs))
}

/// The function's handler of `handler_type`, if it has one.
async fn existing_handler(
    state: &AppState,
    function_id: i64,
    handler_type: &str,
    failed: ErrorCode,
) -> ApiResult<Option<HandlerRow>> {
    let all = state
        .store
        .handlers_of(function_id)
        .await
        .map_err(|e| store_error(e, ErrorCode::FunctionNotFound, failed))?;
    Ok(all.into_iter().find(|h| h.handler_type == handler_type))
}

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
    let (row, attrs) = function_for_write(&state, &auth, &function_id).await?;
    let handler_type = body
        .handler_type
        .ok_or_else(|| ApiError::invalid("type is required"))?;
    let handler = handler_of(&handler_type)?;
    if handler.function_type != attrs.function_type {
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
    let (script, mut handler_attrs) = handler_data(
        data,
        &handler.spec,
        &attrs.execution_type,
        None,
        "functions",
    )?;
    let existing = existing_handler(&state, row.id, &handler_type, failed).await?;
    if let Some(h) = &existing
        && is_configured(h, &attrs.execution_type)
    {
        return Err(ApiError::with_message(
            failed,
            format!("the function already has a {handler_type}; update it instead"),
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
                        handler_type: handler_type.clone(),
                        script,
                        attrs: handler_attrs,
                    },
                    1,
                )
                .await
        }
    };
    saved.map_err(|e| match e {
        StoreError::Conflict(ConflictOn::Handler) => ApiError::with_message(
            failed,
            format!("the function already has a {handler_type}; update it instead"),
        ),
        e => store_error(e, ErrorCode::FunctionNotFound, failed),
    })?;
    let row = state
        .store
        .get_component(auth.org_id(), KIND, row.id)
        .await
        .map_err(|e| store_error(e, ErrorCode::FunctionNotFound, failed))?;
    Ok(envelope(uri.path(), KIND, render(&state, &row).await?).into_response())
}

/// Only the handler's own `type` may be repeated in an update body.
fn check_same_type(body_type: Option<&str>, handler_type: &str) -> ApiResult<()> {
    match body_type {
        Some(t) if t != handler_type => Err(ApiError::invalid(
            "type cannot be changed; create a handler of the other type instead",
        )),
        _ => Ok(()),
    }
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((function_id, handler_type)): CliqPath<(String, String)>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerUpdateFailed;
    let (row, attrs) = function_for_write(&state, &auth, &function_id).await?;
    let handler = handler_of(&handler_type)?;
    let existing = existing_handler(&state, row.id, &handler_type, failed)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    check_same_type(body.handler_type.as_deref(), &handler_type)?;
    if body.script.is_none() && body.permissions.is_none() {
        let what = if attrs.execution_type == "webhook" {
            "permissions is required for handlers of webhook functions"
        } else {
            "script is required for handlers of Deluge functions"
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
    let (script, handler_attrs) = handler_data(
        data,
        &handler.spec,
        &attrs.execution_type,
        Some(&existing),
        "functions",
    )?;
    let saved = state
        .store
        .update_handler(HandlerRow {
            script,
            attrs: handler_attrs,
            ..existing
        })
        .await
        .map_err(|e| store_error(e, ErrorCode::ExecutionHandlerNotFound, failed))?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        Value::Object(handler_reply(&saved, &attrs.execution_type)),
    )
    .into_response())
}

/// The handler with its `params` and `return_type`; the reply's `type` is the handler name
/// (digest §4).
pub(super) async fn get_handler(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((function_id, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerGetFailed;
    let row = find_function(&state, &auth, &function_id).await?;
    let attrs = attrs_of(&row)?;
    let handler = handler_of(&handler_type)?;
    let h = existing_handler(&state, row.id, &handler_type, failed)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    let mut data = handler_reply(&h, &attrs.execution_type);
    data.insert("return_type".into(), handler.spec.return_type.into());
    data.insert("params".into(), handler.spec.params_json());
    Ok(envelope(uri.path(), handler.spec.name, Value::Object(data)).into_response())
}

pub(super) async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((function_id, handler_type)): CliqPath<(String, String)>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerDeleteFailed;
    let (row, _) = function_for_write(&state, &auth, &function_id).await?;
    handler_of(&handler_type)?;
    let h = existing_handler(&state, row.id, &handler_type, failed)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::ExecutionHandlerNotFound))?;
    if is_default(&h) {
        return Err(ApiError::with_message(
            ErrorCode::DefaultHandlerDeleteNotAllowed,
            format!("{handler_type} is the default handler of this function and cannot be deleted"),
        ));
    }
    state
        .store
        .delete_handler(row.id, h.id)
        .await
        .map_err(|e| store_error(e, ErrorCode::ExecutionHandlerNotFound, failed))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::execution::PERMISSIONS;

    #[test]
    fn every_function_type_has_one_default() {
        for ft in super::super::FUNCTION_TYPES {
            let defaults: Vec<_> = HANDLERS
                .iter()
                .filter(|h| h.default && h.function_type == *ft)
                .collect();
            assert_eq!(defaults.len(), 1, "{ft}");
            assert_eq!(default_type(ft), defaults[0].spec.name);
        }
        assert_eq!(default_type("form"), "form_submit_handler");
        assert_eq!(default_type("widget_button"), "widget_button_handler");
    }

    #[test]
    fn matrix_never_grants_location_or_attachments() {
        for h in HANDLERS {
            assert!(h.spec.permissions.iter().all(|p| PERMISSIONS.contains(p)));
            assert!(!h.spec.permissions.contains(&"location"));
            assert!(!h.spec.permissions.contains(&"attachments"));
            assert_eq!(h.spec.params[..2], [ACCESS, ENVIRONMENT]);
        }
    }
}
