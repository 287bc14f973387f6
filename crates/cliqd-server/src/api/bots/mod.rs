//! Bots API (v3): create, list, get, update and delete bots (digest §3). Handlers live in
//! [`handlers`]; message delivery, calls and channel association come with messaging.

mod handlers;

use super::component::{
    add_common_fields, delete_row, ensure_can_modify, parse_attrs, patch_scope_and_teams,
    save_update, visible_or,
};
use super::execution::{check_execution, patch_execution};
use super::{AuthMode, Endpoint, char_len, check_scope_and_teams, envelope, list_envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery, parse_id};
use crate::pagination::{PageParams, PageSpec, list_components};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{ComponentPatch, ComponentRow, ConflictOn, HandlerRow, NewComponent, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};

/// Store kind for bots.
pub const KIND: &str = "bot";
const SCOPES: &[&str] = &["organization", "team", "personal"];
const PARTICIPATION: &[&str] = &["listen_message", "send_message", "auto_follow_thread"];
const WRITE: Limit = Limit::per_min(10, 300);
const READ: Limit = Limit::per_min(30, 300);

pub const CREATE: Endpoint = Endpoint {
    name: "bots.create",
    method: Method::POST,
    path: "/api/v3/bots",
    scope: "bots.create",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const LIST: Endpoint = Endpoint {
    name: "bots.list",
    method: Method::GET,
    path: "/api/v3/bots",
    scope: "bots.read",
    limit: READ,
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "bots.get",
    method: Method::GET,
    path: "/api/v3/bots/{bot_id}",
    scope: "bots.read",
    limit: READ,
    auth: AuthMode::Token,
};
pub const UPDATE: Endpoint = Endpoint {
    name: "bots.update",
    method: Method::PATCH,
    path: "/api/v3/bots/{bot_id}",
    scope: "bots.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const DELETE: Endpoint = Endpoint {
    name: "bots.delete",
    method: Method::DELETE,
    path: "/api/v3/bots/{bot_id}",
    scope: "bots.delete",
    limit: WRITE,
    auth: AuthMode::Token,
};

pub const ENDPOINTS: &[&Endpoint] = &[
    &CREATE,
    &LIST,
    &GET,
    &UPDATE,
    &DELETE,
    &handlers::CREATE,
    &handlers::UPDATE,
    &handlers::GET,
    &handlers::DELETE,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CREATE.path, post(create).get(list))
        .route(GET.path, get(get_bot).patch(update).delete(delete))
        .route(handlers::CREATE.path, post(handlers::create))
        .route(
            handlers::GET.path,
            get(handlers::get_handler)
                .patch(handlers::update)
                .delete(handlers::delete),
        )
}

/// Bot attributes kept in the component's JSON `attrs`.
#[derive(Debug, Clone, Default, serde::Serialize, Deserialize)]
struct BotAttrs {
    description: String,
    status_messages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    channel_participation: Vec<String>,
    calls: String,
    execution_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    execution_url: Option<String>,
}

fn attrs_of(row: &ComponentRow) -> ApiResult<BotAttrs> {
    parse_attrs(row)
}

fn to_value(attrs: &BotAttrs) -> Value {
    serde_json::to_value(attrs).unwrap_or(Value::Null)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BotBody {
    name: Option<String>,
    description: Option<String>,
    scope: Option<String>,
    team_ids: Option<Vec<Value>>,
    status_messages: Option<Vec<String>>,
    image: Option<String>,
    channel_participation: Option<Vec<String>>,
    calls: Option<String>,
    execution_type: Option<String>,
    execution_url: Option<String>,
}

/// `unique_name` from a display name: lower-case letters only (`Support Bot` → `supportbot`).
pub fn derive_unique_name(name: &str) -> String {
    let base: String = name
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if base.is_empty() {
        "bot".to_string()
    } else {
        base
    }
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if char_len(name) > 20 {
        return Err(ApiError::invalid("name can be at most 20 characters"));
    }
    Ok(name.to_string())
}

fn check_description(d: &str) -> ApiResult<String> {
    if d.trim().is_empty() {
        return Err(ApiError::invalid("description must not be empty"));
    }
    if char_len(d) > 300 {
        return Err(ApiError::invalid(
            "description can be at most 300 characters",
        ));
    }
    Ok(d.to_string())
}

fn check_status_messages(list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.len() > 10 {
        return Err(ApiError::invalid(
            "status_messages can have at most 10 messages",
        ));
    }
    if list.iter().any(|m| char_len(m) > 50) {
        return Err(ApiError::invalid(
            "each status message can be at most 50 characters",
        ));
    }
    Ok(list)
}

fn check_participation(list: Vec<String>) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in list {
        if !PARTICIPATION.contains(&item.as_str()) {
            return Err(ApiError::invalid(format!(
                "channel_participation: `{item}` is not one of listen_message, send_message, auto_follow_thread"
            )));
        }
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(out)
}

/// `enable`/`disable` (create schema) and `enabled`/`disabled` (update schema) are both accepted.
fn check_calls(v: &str) -> ApiResult<String> {
    match v {
        "enable" | "enabled" => Ok("enabled".into()),
        "disable" | "disabled" => Ok("disabled".into()),
        _ => Err(ApiError::invalid("calls must be enabled or disabled")),
    }
}

/// Resolves a `BOT_ID` path segment (`b-123`, `123`, or a unique name) to a bot `auth` may see.
pub(crate) async fn find_bot(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<ComponentRow> {
    let found = match parse_id(raw, "b-") {
        Some(id) => state.store.get_component(auth.org_id(), KIND, id).await,
        None if !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            state
                .store
                .get_component_by_unique_name(auth.org_id(), KIND, raw)
                .await
        }
        None => Err(StoreError::NotFound),
    };
    visible_or(state, auth, found, ErrorCode::BotNotFound).await
}

/// The bot object (digest §3.3).
fn bot_json(row: &ComponentRow, attrs: &BotAttrs, handlers: &[HandlerRow]) -> Value {
    let mut handler_list: Vec<Value> = Vec::new();
    for h in handlers {
        if h.handler_type == "menu_handler" {
            let mut m =
                json!({"type": "menu_handler", "id": h.id.to_string(), "position": h.position});
            for key in ["name", "icon", "sub_actions"] {
                if let Some(v) = h.attrs.get(key) {
                    m[key] = v.clone();
                }
            }
            handler_list.push(m);
        } else {
            handler_list.push(json!({"type": h.handler_type}));
        }
    }
    let mut obj = json!({
        "unique_name": row.unique_name,
        "name": row.name,
        "id": row.id.to_string(),
        "description": attrs.description,
        "status_messages": attrs.status_messages,
        "channel_participation": attrs.channel_participation,
        "calls": attrs.calls,
        "handlers": handler_list,
        "execution_type": attrs.execution_type,
        "default": false,
        "subscriber_count": 0,
    });
    if let Some(map) = obj.as_object_mut() {
        add_common_fields(map, row);
    }
    if let Some(url) = &attrs.execution_url {
        obj["execution_url"] = json!(url);
    }
    if let Some(image) = &attrs.image {
        obj["image"] = json!(image);
    }
    obj
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqJson(body): CliqJson<BotBody>,
) -> ApiResult<Response> {
    let name = check_name(
        body.name
            .as_deref()
            .ok_or_else(|| ApiError::invalid("name is required"))?,
    )?;
    let description = check_description(
        body.description
            .as_deref()
            .ok_or_else(|| ApiError::invalid("description is required"))?,
    )?;
    let scope = body.scope.clone().unwrap_or_else(|| "personal".into());
    let team_ids =
        check_scope_and_teams(&state, &auth, &scope, body.team_ids.as_deref(), SCOPES).await?;
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        None,
    )?;
    let attrs = BotAttrs {
        description,
        status_messages: check_status_messages(body.status_messages.unwrap_or_default())?,
        image: body.image,
        channel_participation: check_participation(body.channel_participation.unwrap_or_default())?,
        calls: body
            .calls
            .as_deref()
            .map(check_calls)
            .transpose()?
            .unwrap_or_else(|| "disabled".into()),
        execution_type,
        execution_url,
    };
    if state.store.count_components(auth.org_id(), KIND).await?
        >= state.config.max_components_per_org
    {
        return Err(ApiError::new(ErrorCode::BotCreationLimitExceeded));
    }
    let new = NewComponent {
        org_id: auth.org_id(),
        kind: KIND.into(),
        unique_name_base: Some(derive_unique_name(&name)),
        name,
        creator_id: auth.user.id,
        scope,
        team_ids,
        attrs: to_value(&attrs),
    };
    let row = match state.store.create_component(new).await {
        Ok(row) => row,
        Err(StoreError::Conflict(ConflictOn::Name | ConflictOn::UniqueName)) => {
            return Err(ApiError::new(ErrorCode::BotNameAlreadyExists));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(envelope(CREATE.path, KIND, bot_json(&row, &attrs, &[])).into_response())
}

async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(params): CliqQuery<PageParams>,
) -> ApiResult<Response> {
    let spec = PageSpec {
        default_limit: 20,
        max_limit: 50,
    };
    let page = list_components(
        state.store.as_ref(),
        auth.org_id(),
        auth.user.id,
        KIND,
        &params,
        spec,
    )
    .await?;
    let mut data = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        let handlers = state.store.handlers_of(row.id).await?;
        data.push(bot_json(row, &attrs_of(row)?, &handlers));
    }
    Ok(list_envelope(uri.path(), KIND, data, &page).into_response())
}

#[derive(Debug, Deserialize)]
struct GetParams {
    fields: Option<String>,
}

async fn get_bot(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_id): CliqPath<String>,
    CliqQuery(params): CliqQuery<GetParams>,
) -> ApiResult<Response> {
    let row = find_bot(&state, &auth, &bot_id).await?;
    let handlers = state.store.handlers_of(row.id).await?;
    let mut data = bot_json(&row, &attrs_of(&row)?, &handlers);
    let fields = params.fields.unwrap_or_default();
    let subscribers = state.store.bot_subscribers(row.id).await?;
    data["subscriber_count"] = subscribers.len().into();
    if fields
        .split(',')
        .any(|f| f.trim() == "subscription_details")
    {
        data["subscribers"] = subscribers.iter().map(crate::api::member_json).collect();
    }
    Ok(envelope(uri.path(), KIND, data).into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_id): CliqPath<String>,
    CliqJson(body): CliqJson<BotBody>,
) -> ApiResult<Response> {
    let row = find_bot(&state, &auth, &bot_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::BotPermissionDenied)?;
    let mut attrs = attrs_of(&row)?;
    let mut patch = ComponentPatch::default();
    if let Some(name) = &body.name {
        patch.name = Some(check_name(name)?);
    }
    if let Some(d) = &body.description {
        attrs.description = check_description(d)?;
    }
    let new_url = patch_execution(
        &attrs.execution_type,
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        None,
    )?;
    if let Some((scope, teams)) = patch_scope_and_teams(
        &state,
        &auth,
        &row,
        body.scope.as_deref(),
        body.team_ids.as_deref(),
        SCOPES,
    )
    .await?
    {
        patch.scope = Some(scope);
        patch.team_ids = Some(teams);
    }
    if let Some(list) = body.status_messages {
        attrs.status_messages = check_status_messages(list)?;
    }
    if let Some(image) = body.image {
        attrs.image = Some(image);
    }
    if let Some(list) = body.channel_participation {
        attrs.channel_participation = check_participation(list)?;
    }
    if let Some(calls) = &body.calls {
        attrs.calls = check_calls(calls)?;
    }
    if new_url.is_some() {
        attrs.execution_url = new_url;
    }
    patch.attrs = Some(to_value(&attrs));
    let row = save_update(
        &state,
        row.id,
        patch,
        ErrorCode::BotNameAlreadyExists,
        ErrorCode::BotNotFound,
    )
    .await?;
    let handlers = state.store.handlers_of(row.id).await?;
    Ok(envelope(uri.path(), KIND, bot_json(&row, &attrs, &handlers)).into_response())
}

async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(bot_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find_bot(&state, &auth, &bot_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::BotPermissionDenied)?;
    delete_row(&state, &auth, KIND, &row, ErrorCode::BotNotFound).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_names() {
        assert_eq!(derive_unique_name("Clientcare Bot"), "clientcarebot");
        assert_eq!(derive_unique_name("CRM Bot"), "crmbot");
        assert_eq!(derive_unique_name("123"), "bot");
        assert_eq!(derive_unique_name("Ünïcode Bot 2"), "ncodebot");
    }
}
