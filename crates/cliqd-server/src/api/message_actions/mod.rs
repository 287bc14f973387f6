//! Message Actions API (v3): create, list, get, update and delete message actions (digest §5).
//! The single `execution_handler` exists from creation and is read and updated in [`handlers`].

mod handlers;

use super::component::{
    add_common_fields, delete_row, ensure_can_modify, find_by_id, parse_attrs,
    patch_scope_and_teams, save_update,
};
use super::execution::{check_execution, default_handler, patch_execution};
use super::{AuthMode, Endpoint, char_len, check_scope_and_teams, envelope, list_envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::pagination::{PageParams, PageSpec, list_components};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{ComponentPatch, ComponentRow, ConflictOn, HandlerRow, NewComponent, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Store kind for message actions (also the envelope `type`).
pub const KIND: &str = "messageaction";
const SCOPES: &[&str] = &["organization", "team", "personal"];
const MESSAGE_TYPES: &[&str] = &["text", "link", "attachment"];
const MAX_NAME: usize = 30;
const MAX_HINT: usize = 128;
const MAX_URL: usize = 225;
const PAGES: PageSpec = PageSpec {
    default_limit: 20,
    max_limit: 100,
};

pub const CREATE: Endpoint = Endpoint {
    name: "messageactions.create",
    method: Method::POST,
    path: "/api/v3/messageactions",
    scope: "messageactions.create",
    limit: Limit::per_min(30, 300),
    auth: AuthMode::Token,
};
pub const LIST: Endpoint = Endpoint {
    name: "messageactions.list",
    method: Method::GET,
    path: "/api/v3/messageactions",
    scope: "messageactions.read",
    limit: Limit::per_min(30, 300),
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "messageactions.get",
    method: Method::GET,
    path: "/api/v3/messageactions/{message_action_id}",
    scope: "messageactions.read",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};
pub const UPDATE: Endpoint = Endpoint {
    name: "messageactions.update",
    method: Method::PATCH,
    path: "/api/v3/messageactions/{message_action_id}",
    scope: "messageactions.update",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};
pub const DELETE: Endpoint = Endpoint {
    name: "messageactions.delete",
    method: Method::DELETE,
    path: "/api/v3/messageactions/{message_action_id}",
    scope: "messageactions.delete",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};

pub const ENDPOINTS: &[&Endpoint] = &[
    &CREATE,
    &LIST,
    &GET,
    &UPDATE,
    &DELETE,
    &handlers::UPDATE,
    &handlers::GET,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CREATE.path, post(create).get(list))
        .route(GET.path, get(get_action).patch(update).delete(delete))
        .route(
            handlers::GET.path,
            get(handlers::get_handler).patch(handlers::update),
        )
}

/// Message action attributes kept in the component's JSON `attrs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ActionAttrs {
    hint: String,
    multi_selectable: bool,
    message_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    image: Option<String>,
    execution_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    execution_url: Option<String>,
}

fn attrs_of(row: &ComponentRow) -> ApiResult<ActionAttrs> {
    parse_attrs(row)
}

fn to_value(attrs: &ActionAttrs) -> Value {
    serde_json::to_value(attrs).unwrap_or(Value::Null)
}

/// Create and update body (all optional on update). `execution_type` is immutable: an update
/// may repeat it unchanged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionBody {
    name: Option<String>,
    hint: Option<String>,
    scope: Option<String>,
    team_ids: Option<Vec<Value>>,
    multi_selectable: Option<bool>,
    image: Option<String>,
    message_types: Option<Vec<String>>,
    execution_type: Option<String>,
    execution_url: Option<String>,
}

fn check_name(name: &str) -> ApiResult<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("name must not be empty"));
    }
    if char_len(name) > MAX_NAME {
        return Err(ApiError::invalid(format!(
            "name can be at most {MAX_NAME} characters"
        )));
    }
    Ok(name.to_string())
}

fn check_hint(hint: &str) -> ApiResult<String> {
    if hint.trim().is_empty() {
        return Err(ApiError::invalid("hint must not be empty"));
    }
    if char_len(hint) > MAX_HINT {
        return Err(ApiError::invalid(format!(
            "hint can be at most {MAX_HINT} characters"
        )));
    }
    Ok(hint.to_string())
}

/// 1 to 3 of `text`, `link`, `attachment`; repeats are dropped.
fn check_message_types(list: Vec<String>) -> ApiResult<Vec<String>> {
    if list.is_empty() || list.len() > MESSAGE_TYPES.len() {
        return Err(ApiError::invalid(
            "message_types must list 1 to 3 of text, link, attachment",
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for t in list {
        if !MESSAGE_TYPES.contains(&t.as_str()) {
            return Err(ApiError::invalid(format!(
                "message_types: `{t}` is not one of text, link, attachment"
            )));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

fn check_image(image: String) -> ApiResult<String> {
    if image.trim().is_empty() {
        return Err(ApiError::invalid("image must not be empty"));
    }
    Ok(image)
}

/// A message action visible to `auth`, or `msgaction_not_found`.
async fn find_action(
    state: &AppState,
    auth: &AuthContext,
    raw_id: &str,
) -> ApiResult<ComponentRow> {
    find_by_id(state, auth, KIND, raw_id, ErrorCode::MsgactionNotFound).await
}

/// The message action object (digest §5).
fn action_json(row: &ComponentRow, attrs: &ActionAttrs, handlers: &[HandlerRow]) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), row.name.clone().into());
    obj.insert("id".into(), row.id.to_string().into());
    obj.insert("hint".into(), attrs.hint.clone().into());
    obj.insert("multi_selectable".into(), attrs.multi_selectable.into());
    obj.insert("message_types".into(), json!(attrs.message_types));
    if let Some(image) = &attrs.image {
        obj.insert("image".into(), image.clone().into());
    }
    obj.insert(
        "handlers".into(),
        handlers
            .iter()
            .map(|h| json!({"type": h.handler_type}))
            .collect(),
    );
    obj.insert("execution_type".into(), attrs.execution_type.clone().into());
    if let Some(url) = &attrs.execution_url {
        obj.insert("execution_url".into(), url.clone().into());
    }
    add_common_fields(&mut obj, row);
    Value::Object(obj)
}

async fn render(state: &AppState, row: &ComponentRow) -> ApiResult<Value> {
    let handlers = state.store.handlers_of(row.id).await?;
    Ok(action_json(row, &attrs_of(row)?, &handlers))
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<ActionBody>,
) -> ApiResult<Response> {
    let name = check_name(
        body.name
            .as_deref()
            .ok_or_else(|| ApiError::invalid("name is required"))?,
    )?;
    let hint = check_hint(
        body.hint
            .as_deref()
            .ok_or_else(|| ApiError::invalid("hint is required"))?,
    )?;
    let scope = body.scope.clone().unwrap_or_else(|| "personal".into());
    let team_ids =
        check_scope_and_teams(&state, &auth, &scope, body.team_ids.as_deref(), SCOPES).await?;
    let message_types = match body.message_types {
        Some(list) => check_message_types(list)?,
        None => MESSAGE_TYPES.iter().map(|t| t.to_string()).collect(),
    };
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        Some(MAX_URL),
    )?;
    let attrs = ActionAttrs {
        hint,
        multi_selectable: body.multi_selectable.unwrap_or(false),
        message_types,
        image: body.image.map(check_image).transpose()?,
        execution_type,
        execution_url,
    };
    if state.store.count_components(auth.org_id(), KIND).await?
        >= state.config.max_components_per_org
    {
        return Err(ApiError::new(ErrorCode::MsgactionCreationLimitExceeded));
    }
    let new = NewComponent {
        org_id: auth.org_id(),
        kind: KIND.into(),
        name,
        unique_name_base: None,
        creator_id: auth.user.id,
        scope,
        team_ids,
        attrs: to_value(&attrs),
    };
    let (row, handlers) = match state
        .store
        .create_component_with_handlers(new, vec![default_handler(handlers::HANDLER.name)])
        .await
    {
        Ok(created) => created,
        Err(StoreError::Conflict(ConflictOn::Name | ConflictOn::UniqueName)) => {
            return Err(ApiError::new(ErrorCode::MsgactionNameAlreadyExists));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(envelope(uri.path(), KIND, action_json(&row, &attrs, &handlers)).into_response())
}

async fn list(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(params): CliqQuery<PageParams>,
) -> ApiResult<Response> {
    let page = list_components(
        state.store.as_ref(),
        auth.org_id(),
        auth.user.id,
        KIND,
        &params,
        PAGES,
    )
    .await?;
    let mut data = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        data.push(render(&state, row).await?);
    }
    Ok(list_envelope(uri.path(), KIND, data, &page).into_response())
}

async fn get_action(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(action_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find_action(&state, &auth, &action_id).await?;
    Ok(envelope(uri.path(), KIND, render(&state, &row).await?).into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(action_id): CliqPath<String>,
    CliqJson(body): CliqJson<ActionBody>,
) -> ApiResult<Response> {
    let row = find_action(&state, &auth, &action_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::MsgactionPermissionDenied)?;
    let mut attrs = attrs_of(&row)?;
    let mut patch = ComponentPatch::default();
    if let Some(name) = &body.name {
        patch.name = Some(check_name(name)?);
    }
    if let Some(hint) = &body.hint {
        attrs.hint = check_hint(hint)?;
    }
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
    if let Some(m) = body.multi_selectable {
        attrs.multi_selectable = m;
    }
    if let Some(list) = body.message_types {
        attrs.message_types = check_message_types(list)?;
    }
    if let Some(image) = body.image {
        attrs.image = Some(check_image(image)?);
    }
    if let Some(url) = patch_execution(
        &attrs.execution_type,
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        Some(MAX_URL),
    )? {
        attrs.execution_url = Some(url);
    }
    patch.attrs = Some(to_value(&attrs));
    let row = save_update(
        &state,
        row.id,
        patch,
        ErrorCode::MsgactionNameAlreadyExists,
        ErrorCode::MsgactionNotFound,
    )
    .await?;
    Ok(envelope(uri.path(), KIND, render(&state, &row).await?).into_response())
}

async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(action_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find_action(&state, &auth, &action_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::MsgactionPermissionDenied)?;
    delete_row(&state, &auth, KIND, &row, ErrorCode::MsgactionNotFound).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_types() {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            check_message_types(v(&["link", "text", "link"])).unwrap(),
            v(&["link", "text"])
        );
        for bad in [&[][..], &["text", "link", "attachment", "text"], &["video"]] {
            assert_eq!(
                check_message_types(v(bad)).unwrap_err().code,
                ErrorCode::InvalidInputs
            );
        }
    }
}
