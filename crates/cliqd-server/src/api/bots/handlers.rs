//! Bot handlers: create, update, get and delete (<https://www.zoho.com/cliq/help/restapi/v3/bots/>), with the menu actions' display
//! properties and their `handler_id`. Handler types, permissions and parameters come from
//! the `cliqd_core` catalog; script and permission checks from [`crate::api::execution`].

use super::{Bots, DESCRIPTOR};
use crate::api::component::{endpoint, find, find_for_write};
use crate::api::execution::{
    HandlerData, already_has, check_same_type, find_handler, handler_data, params_json,
    remove_handler, save_handler, store_error,
};
use crate::api::{Endpoint, char_len, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_core::catalog::HandlerSpec;
use cliqd_core::{ExecutionType, HandlerKind};
use cliqd_store::{ConflictOn, HandlerRow, NewHandler, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

pub const CREATE: Endpoint = endpoint(
    "bots.handlers.create",
    Method::POST,
    "/api/v3/bots/{bot_id}/handlers",
    "bots.update",
    10,
);
pub const UPDATE: Endpoint = endpoint(
    "bots.handlers.update",
    Method::PATCH,
    "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    "bots.update",
    10,
);
pub const GET: Endpoint = endpoint(
    "bots.handlers.get",
    Method::GET,
    "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    "bots.read",
    10,
);
pub const DELETE: Endpoint = endpoint(
    "bots.handlers.delete",
    Method::DELETE,
    "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    "bots.update",
    10,
);

/// At most this many sub-actions per menu action.
const MAX_SUB_ACTIONS: usize = 5;

fn is_menu(spec: &HandlerSpec) -> bool {
    spec.kind == HandlerKind::BotMenu
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HandlerBody {
    #[serde(rename = "type")]
    handler_type: Option<String>,
    script: Option<String>,
    permissions: Option<Vec<String>>,
    name: Option<String>,
    icon: Option<String>,
    sub_actions: Option<Vec<SubAction>>,
}

#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
struct SubAction {
    name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<String>,
}

/// `{icon-name}/{HEX_COLOR}`, e.g. `wand/FF5733`.
fn check_icon(icon: &str) -> ApiResult<()> {
    let ok = icon.split_once('/').is_some_and(|(name, color)| {
        !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            && color.len() == 6
            && color.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(format!(
            "icon `{icon}` must look like icon-name/HEXCOLOR, e.g. wand/FF5733"
        )))
    }
}

fn check_menu_name(name: &str, what: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::with_message(
            ErrorCode::ExecutionHandlerDataRequired,
            format!("{what} is required"),
        ));
    }
    if char_len(name) > 15 {
        return Err(ApiError::invalid(format!(
            "{what} can be at most 15 characters"
        )));
    }
    Ok(name.to_string())
}

/// Validates `body` against the bot's execution type and the handler type, producing the
/// stored script and attributes. `existing` is the handler being updated, if any.
fn build(
    body: HandlerBody,
    spec: &HandlerSpec,
    execution_type: ExecutionType,
    existing: Option<&HandlerRow>,
) -> ApiResult<(Option<String>, Value)> {
    let is_menu = is_menu(spec);
    if !is_menu && (body.name.is_some() || body.icon.is_some() || body.sub_actions.is_some()) {
        return Err(ApiError::invalid(
            "name, icon and sub_actions apply only to menu_handler",
        ));
    }
    let data = HandlerData {
        script: body.script,
        permissions: body.permissions,
    };
    let (script, mut attrs) = handler_data(data, spec, execution_type, existing, "bots")?;
    if is_menu {
        match (body.name, existing) {
            (Some(n), _) => attrs["name"] = json!(check_menu_name(&n, "name")?),
            (None, None) => {
                return Err(ApiError::with_message(
                    ErrorCode::ExecutionHandlerDataRequired,
                    "name is required for menu_handler",
                ));
            }
            (None, Some(_)) => {}
        }
        if let Some(icon) = body.icon {
            check_icon(&icon)?;
            attrs["icon"] = json!(icon);
        }
        if let Some(subs) = body.sub_actions {
            if subs.len() > MAX_SUB_ACTIONS {
                return Err(ApiError::invalid("sub_actions can have at most 5 entries"));
            }
            let mut out = Vec::new();
            for s in subs {
                let name = check_menu_name(s.name.as_deref().unwrap_or(""), "sub_actions[].name")?;
                if let Some(icon) = &s.icon {
                    check_icon(icon)?;
                }
                out.push(SubAction {
                    name: Some(name),
                    icon: s.icon,
                });
            }
            attrs["sub_actions"] = json!(out);
        }
    }
    Ok((script, attrs))
}

/// Create/update reply `data`: the documented examples show `type`, `id` (+ `display_props`,
/// `permissions`), while the OpenAPI schema shows `script`, `return_type`, `params`; both sets
/// are sent so clients written against either find what they read.
fn handler_json(h: &HandlerRow, spec: &HandlerSpec, execution_type: ExecutionType) -> Value {
    let mut data = json!({"type": h.handler_type, "id": h.id.to_string()});
    if is_menu(spec) {
        let mut props = json!({"position": h.position});
        for key in ["name", "icon"] {
            if let Some(v) = h.attrs.get(key) {
                props[key] = v.clone();
            }
        }
        data["display_props"] = props;
        if let Some(s) = h.attrs.get("sub_actions") {
            data["sub_actions"] = s.clone();
        }
    }
    if execution_type == ExecutionType::Webhook {
        data["permissions"] = h
            .attrs
            .get("permissions")
            .cloned()
            .unwrap_or_else(|| json!([]));
    }
    if let Some(script) = &h.script {
        data["script"] = json!(script);
    }
    data["return_type"] = json!(spec.return_type.as_str());
    data["params"] = params_json(spec);
    data
}

/// Creates a handler. The body is checked before the bot's handlers: a malformed request is
/// a 400 whatever exists already. Menu actions may repeat up to their cap, every other
/// handler type exists at most once.
pub(super) async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_id): CliqPath<String>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerCreateFailed;
    let (bot, attrs) = find_for_write::<Bots>(&state, &auth, &bot_id).await?;
    let handler_type = body
        .handler_type
        .clone()
        .ok_or_else(|| ApiError::invalid("type is required"))?;
    let spec = DESCRIPTOR.handler(&handler_type)?;
    let (script, handler_attrs) = build(body, spec, attrs.execution_type, None)?;
    let max_of_type = spec.max_per_component;
    let full = if max_of_type > 1 {
        format!("a bot can have at most {max_of_type} menu actions")
    } else {
        already_has(&DESCRIPTOR, spec)
    };
    let existing = crate::api::execution::handlers_of(&state, &DESCRIPTOR, bot.id, failed).await?;
    if existing
        .iter()
        .filter(|h| h.handler_type == spec.api_name)
        .count()
        >= max_of_type
    {
        return Err(ApiError::with_message(failed, full));
    }
    // The check above is repeated by the store inside the insert's transaction: a concurrent
    // create that got there first makes this one a conflict, not a second row.
    let row = state
        .store
        .create_handler(
            NewHandler {
                component_id: bot.id,
                handler_type: spec.api_name.to_string(),
                script,
                attrs: handler_attrs,
            },
            max_of_type,
        )
        .await
        .map_err(|e| match e {
            StoreError::Conflict(ConflictOn::Handler) => ApiError::with_message(failed, full),
            e => store_error(e, ErrorCode::BotNotFound, failed),
        })?;
    let url = format!("{}/{}", uri.path().trim_end_matches('/'), spec.api_name);
    Ok(envelope(
        &url,
        "execution_handler",
        handler_json(&row, spec, attrs.execution_type),
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct HandlerParams {
    handler_id: Option<String>,
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((bot_id, handler_type)): CliqPath<(String, String)>,
    CliqQuery(params): CliqQuery<HandlerParams>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let failed = ErrorCode::ExecutionHandlerUpdateFailed;
    let (bot, attrs) = find_for_write::<Bots>(&state, &auth, &bot_id).await?;
    let (spec, existing) = find_handler(
        &state,
        &DESCRIPTOR,
        bot.id,
        &handler_type,
        params.handler_id.as_deref(),
        failed,
    )
    .await?;
    check_same_type(&DESCRIPTOR, body.handler_type.as_deref(), spec)?;
    let (script, handler_attrs) = build(body, spec, attrs.execution_type, Some(&existing))?;
    let row = save_handler(&state, existing, script, handler_attrs).await?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        handler_json(&row, spec, attrs.execution_type),
    )
    .into_response())
}

pub(super) async fn get_handler(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((bot_id, handler_type)): CliqPath<(String, String)>,
    CliqQuery(params): CliqQuery<HandlerParams>,
) -> ApiResult<Response> {
    let bot = find(&state, &auth, &DESCRIPTOR, &bot_id).await?;
    let (spec, h) = find_handler(
        &state,
        &DESCRIPTOR,
        bot.id,
        &handler_type,
        params.handler_id.as_deref(),
        ErrorCode::ExecutionHandlerGetFailed,
    )
    .await?;
    let mut data = json!({
        "handler_id": h.id.to_string(),
        "type": h.handler_type,
        "return_type": spec.return_type.as_str(),
        "params": params_json(spec),
    });
    if let Some(script) = &h.script {
        data["script"] = json!(script);
    }
    for key in ["name", "icon", "sub_actions", "permissions"] {
        if let Some(v) = h.attrs.get(key) {
            data[key] = v.clone();
        }
    }
    if is_menu(spec) {
        data["position"] = json!(h.position);
    }
    Ok(envelope(uri.path(), "execution_handler", data).into_response())
}

pub(super) async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath((bot_id, handler_type)): CliqPath<(String, String)>,
    CliqQuery(params): CliqQuery<HandlerParams>,
) -> ApiResult<Response> {
    let (bot, _) = find_for_write::<Bots>(&state, &auth, &bot_id).await?;
    let (_, h) = find_handler(
        &state,
        &DESCRIPTOR,
        bot.id,
        &handler_type,
        params.handler_id.as_deref(),
        ErrorCode::ExecutionHandlerDeleteFailed,
    )
    .await?;
    remove_handler(&state, &DESCRIPTOR, &h).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
