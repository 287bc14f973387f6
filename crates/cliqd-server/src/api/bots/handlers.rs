//! Bot handlers: create, update, get and delete (digest §3.4), with the permission matrix,
//! menu-action display properties and Deluge script checking.

use super::{WRITE, attrs_of, find_bot};
use crate::api::component::ensure_can_modify;
use crate::api::execution::{ACCESS, ENVIRONMENT, HandlerData, HandlerSpec, handler_data};
use crate::api::{AuthMode, Endpoint, char_len, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery, parse_id};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_store::{ConflictOn, HandlerRow, NewHandler, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

pub const CREATE: Endpoint = Endpoint {
    name: "bots.handlers.create",
    method: Method::POST,
    path: "/api/v3/bots/{bot_id}/handlers",
    scope: "bots.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const UPDATE: Endpoint = Endpoint {
    name: "bots.handlers.update",
    method: Method::PATCH,
    path: "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    scope: "bots.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "bots.handlers.get",
    method: Method::GET,
    path: "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    scope: "bots.read",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const DELETE: Endpoint = Endpoint {
    name: "bots.handlers.delete",
    method: Method::DELETE,
    path: "/api/v3/bots/{bot_id}/handlers/{handler_type}",
    scope: "bots.update",
    limit: WRITE,
    auth: AuthMode::Token,
};

const MAX_MENU_ACTIONS: usize = 5;

/// Bot handler types, their allowed webhook permissions (digest §3.4) and their Deluge
/// `params` and `return_type` (digest §9.3).
const HANDLERS: &[HandlerSpec] = &[
    HandlerSpec {
        name: "welcome_handler",
        permissions: &["user"],
        params: &[ACCESS, ENVIRONMENT, ("user", "MAP"), ("newuser", "BOOLEAN")],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "message_handler",
        permissions: &["attachments", "chat", "location", "message", "user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("message", "STRING"),
            ("message_details", "MAP"),
            ("attachments", "LIST"),
            ("mentions", "LIST"),
            ("links", "LIST"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("location", "MAP"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "mention_handler",
        permissions: &["chat", "location", "message", "user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("message", "MAP"),
            ("mentions", "LIST"),
            ("user", "MAP"),
            ("chat", "MAP"),
            ("location", "MAP"),
            ("message_details", "MAP"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "context_handler",
        permissions: &["attachments", "chat", "user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("context_id", "STRING"),
            ("answers", "MAP"),
            ("chat", "MAP"),
            ("user", "MAP"),
            ("attachments", "LIST"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "participation_handler",
        permissions: &["chat", "user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("operation", "STRING"),
            ("data", "MAP"),
            ("chat", "MAP"),
            ("user", "MAP"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "incoming_webhook_handler",
        permissions: &["user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("headers", "MAP"),
            ("parameters", "MAP"),
            ("body", "STRING"),
            ("http_method", "STRING"),
            ("user", "MAP"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        name: "menu_handler",
        // The permission table leaves out `message`, but bots.yml's own menu_handler_webhook
        // request example and its documented reply both carry it: a client copying Zoho's
        // example must work, so cliqd accepts it.
        permissions: &["chat", "location", "message", "user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("chat", "MAP"),
            ("user", "MAP"),
            ("location", "MAP"),
            ("sub_action", "STRING"),
        ],
        return_type: "MAP",
    },
    HandlerSpec {
        // `alert_handler` in the permission table is this handler's wire name.
        name: "call_handler",
        permissions: &["user"],
        params: &[
            ACCESS,
            ENVIRONMENT,
            ("operation", "STRING"),
            ("data", "MAP"),
            ("user", "MAP"),
        ],
        return_type: "VOID",
    },
];

fn spec_of(handler_type: &str) -> ApiResult<&'static HandlerSpec> {
    let name = if handler_type == "alert_handler" {
        "call_handler"
    } else {
        handler_type
    };
    HANDLERS
        .iter()
        .find(|h| h.name == name)
        .ok_or_else(|| ApiError::invalid(format!("`{handler_type}` is not a bot handler type")))
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
    execution_type: &str,
    existing: Option<&HandlerRow>,
) -> ApiResult<(Option<String>, Value)> {
    let is_menu = spec.name == "menu_handler";
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
            if subs.len() > 5 {
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

/// Create/update reply `data`: the digest's examples show `type`, `id` (+ `display_props`,
/// `permissions`), while the OpenAPI schema shows `script`, `return_type`, `params`; both sets
/// are sent so clients written against either find what they read.
fn handler_json(h: &HandlerRow, spec: &HandlerSpec, execution_type: &str) -> Value {
    let mut data = json!({"type": h.handler_type, "id": h.id.to_string()});
    if h.handler_type == "menu_handler" {
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
    if execution_type == "webhook" {
        data["permissions"] = h
            .attrs
            .get("permissions")
            .cloned()
            .unwrap_or_else(|| json!([]));
    }
    if let Some(script) = &h.script {
        data["script"] = json!(script);
    }
    data["return_type"] = json!(spec.return_type);
    data["params"] = spec.params_json();
    data
}

async fn bot_for_write(
    state: &AppState,
    auth: &AuthContext,
    bot_id: &str,
) -> ApiResult<(cliqd_store::ComponentRow, String)> {
    let bot = find_bot(state, auth, bot_id).await?;
    ensure_can_modify(auth, &bot, ErrorCode::BotPermissionDenied)?;
    let execution_type = attrs_of(&bot)?.execution_type;
    Ok((bot, execution_type))
}

pub(super) async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_id): CliqPath<String>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let (bot, execution_type) = bot_for_write(&state, &auth, &bot_id).await?;
    let handler_type = body
        .handler_type
        .clone()
        .ok_or_else(|| ApiError::invalid("type is required"))?;
    let spec = spec_of(&handler_type)?;
    let existing = state.store.handlers_of(bot.id).await?;
    let same: Vec<&HandlerRow> = existing
        .iter()
        .filter(|h| h.handler_type == spec.name)
        .collect();
    // Menu actions may repeat up to a limit, every other handler type exists at most once.
    let (max_of_type, full) = if spec.name == "menu_handler" {
        (
            MAX_MENU_ACTIONS,
            "a bot can have at most 5 menu actions".to_string(),
        )
    } else {
        (
            1,
            format!("the bot already has a {}; update it instead", spec.name),
        )
    };
    if same.len() >= max_of_type {
        return Err(ApiError::with_message(
            ErrorCode::ExecutionHandlerCreateFailed,
            full,
        ));
    }
    let (script, attrs) = build(body, spec, &execution_type, None)?;
    // The check above is repeated by the store inside the insert's transaction: a concurrent
    // create that got there first makes this one a conflict, not a second row.
    let row = state
        .store
        .create_handler(
            NewHandler {
                component_id: bot.id,
                handler_type: spec.name.to_string(),
                script,
                attrs,
            },
            max_of_type,
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::new(ErrorCode::BotNotFound),
            StoreError::Conflict(ConflictOn::Handler) => {
                ApiError::with_message(ErrorCode::ExecutionHandlerCreateFailed, full)
            }
            e => e.into(),
        })?;
    let url = format!("{}/{}", uri.path().trim_end_matches('/'), spec.name);
    Ok(envelope(
        &url,
        "execution_handler",
        handler_json(&row, spec, &execution_type),
    )
    .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct HandlerParams {
    handler_id: Option<String>,
}

/// Picks the handler of `handler_type` (and `handler_id`, needed only when several exist).
async fn find_handler(
    state: &AppState,
    bot_id: i64,
    handler_type: &str,
    handler_id: Option<&str>,
) -> ApiResult<(&'static HandlerSpec, HandlerRow)> {
    let spec = spec_of(handler_type)?;
    let all = state.store.handlers_of(bot_id).await?;
    let mut same = all.into_iter().filter(|h| h.handler_type == spec.name);
    let not_found = || ApiError::new(ErrorCode::ExecutionHandlerNotFound);
    let found = match handler_id {
        Some(raw) => {
            let id = parse_id(raw, "").ok_or_else(not_found)?;
            same.find(|h| h.id == id)
        }
        None => {
            let first = same.next();
            if same.next().is_some() {
                return Err(ApiError::with_message(
                    ErrorCode::ExecutionHandlerDataRequired,
                    "handler_id is required: the bot has several menu actions",
                ));
            }
            first
        }
    };
    found.map(|h| (spec, h)).ok_or_else(not_found)
}

pub(super) async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath((bot_id, handler_type)): CliqPath<(String, String)>,
    CliqQuery(params): CliqQuery<HandlerParams>,
    CliqJson(body): CliqJson<HandlerBody>,
) -> ApiResult<Response> {
    let (bot, execution_type) = bot_for_write(&state, &auth, &bot_id).await?;
    let (spec, existing) =
        find_handler(&state, bot.id, &handler_type, params.handler_id.as_deref()).await?;
    if let Some(t) = &body.handler_type
        && spec_of(t)?.name != spec.name
    {
        return Err(ApiError::invalid(
            "type cannot be changed; delete the handler and create another",
        ));
    }
    let (script, attrs) = build(body, spec, &execution_type, Some(&existing))?;
    let row = state
        .store
        .update_handler(HandlerRow {
            script,
            attrs,
            ..existing
        })
        .await
        .map_err(|e| match e {
            StoreError::NotFound => ApiError::new(ErrorCode::ExecutionHandlerNotFound),
            e => e.into(),
        })?;
    Ok(envelope(
        uri.path(),
        "execution_handler",
        handler_json(&row, spec, &execution_type),
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
    let bot = find_bot(&state, &auth, &bot_id).await?;
    let (spec, h) =
        find_handler(&state, bot.id, &handler_type, params.handler_id.as_deref()).await?;
    let mut data = json!({
        "handler_id": h.id.to_string(),
        "type": h.handler_type,
        "return_type": spec.return_type,
        "params": spec.params_json(),
    });
    if let Some(script) = &h.script {
        data["script"] = json!(script);
    }
    for key in ["name", "icon", "sub_actions", "permissions"] {
        if let Some(v) = h.attrs.get(key) {
            data[key] = v.clone();
        }
    }
    if spec.name == "menu_handler" {
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
    let (bot, _) = bot_for_write(&state, &auth, &bot_id).await?;
    let (_, h) = find_handler(&state, bot.id, &handler_type, params.handler_id.as_deref()).await?;
    match state.store.delete_handler(bot.id, h.id).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::ExecutionHandlerNotFound)),
        Err(e) => Err(e.into()),
    }
}
