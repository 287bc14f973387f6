//! Functions API (v3): create, list, get, update and delete functions (digest §4). Handlers
//! live in [`handlers`]. A function is personal to its creator (the documents give it no
//! `scope` field and always show `"scope": "personal"`), and its default handler exists
//! from creation.

mod handlers;

use super::component::{
    add_common_fields, delete_row, ensure_can_modify, find_by_id, parse_attrs, save_update,
};
use super::execution::{check_execution, default_handler, patch_execution};
use super::{AuthMode, Endpoint, char_len, envelope};
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
use cliqd_store::{
    ComponentPatch, ComponentRow, ConflictOn, HandlerRow, ListQuery, NewComponent, StoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Store kind for functions.
pub const KIND: &str = "function";
/// Functions carry no `scope` field; every one is personal to its creator.
const SCOPE: &str = "personal";
const FUNCTION_TYPES: &[&str] = &["button", "form", "widget_button"];
const MAX_NAME: usize = 30;
const MAX_DESCRIPTION: usize = 300;
const MAX_URL: usize = 225;
const WRITE: Limit = Limit::per_min(10, 300);
const READ: Limit = Limit::per_min(30, 300);
const PAGES: PageSpec = PageSpec {
    default_limit: 20,
    max_limit: 50,
};

pub const CREATE: Endpoint = Endpoint {
    name: "functions.create",
    method: Method::POST,
    path: "/api/v3/functions",
    scope: "functions.create",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const LIST: Endpoint = Endpoint {
    name: "functions.list",
    method: Method::GET,
    path: "/api/v3/functions",
    scope: "functions.read",
    limit: READ,
    auth: AuthMode::Token,
};
pub const GET: Endpoint = Endpoint {
    name: "functions.get",
    method: Method::GET,
    path: "/api/v3/functions/{function_id}",
    scope: "functions.read",
    limit: READ,
    auth: AuthMode::Token,
};
pub const UPDATE: Endpoint = Endpoint {
    name: "functions.update",
    method: Method::PATCH,
    path: "/api/v3/functions/{function_id}",
    scope: "functions.update",
    limit: WRITE,
    auth: AuthMode::Token,
};
pub const DELETE: Endpoint = Endpoint {
    name: "functions.delete",
    method: Method::DELETE,
    path: "/api/v3/functions/{function_id}",
    scope: "functions.delete",
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
        .route(GET.path, get(get_function).patch(update).delete(delete))
        .route(handlers::CREATE.path, post(handlers::create))
        .route(
            handlers::GET.path,
            get(handlers::get_handler)
                .patch(handlers::update)
                .delete(handlers::delete),
        )
}

/// Function attributes kept in the component's JSON `attrs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct FunctionAttrs {
    description: String,
    function_type: String,
    execution_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    execution_url: Option<String>,
}

fn attrs_of(row: &ComponentRow) -> ApiResult<FunctionAttrs> {
    parse_attrs(row)
}

fn to_value(attrs: &FunctionAttrs) -> Value {
    serde_json::to_value(attrs).unwrap_or(Value::Null)
}

/// Create and update body. `function_type` and `execution_type` are immutable: an update may
/// repeat them unchanged, so a client sending back what it read is not refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionBody {
    name: Option<String>,
    description: Option<String>,
    function_type: Option<String>,
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

fn check_description(d: &str) -> ApiResult<String> {
    if d.trim().is_empty() {
        return Err(ApiError::invalid("description must not be empty"));
    }
    if char_len(d) > MAX_DESCRIPTION {
        return Err(ApiError::invalid(format!(
            "description can be at most {MAX_DESCRIPTION} characters"
        )));
    }
    Ok(d.to_string())
}

fn check_function_type(t: &str) -> ApiResult<String> {
    if FUNCTION_TYPES.contains(&t) {
        Ok(t.to_string())
    } else {
        Err(ApiError::invalid(format!(
            "function_type `{t}` is not one of button, form, widget_button"
        )))
    }
}

/// A function visible to `auth`, or `function_not_found`.
async fn find_function(
    state: &AppState,
    auth: &AuthContext,
    raw_id: &str,
) -> ApiResult<ComponentRow> {
    find_by_id(state, auth, KIND, raw_id, ErrorCode::FunctionNotFound).await
}

/// The function object (digest §4): `handlers` lists the types present.
fn function_json(row: &ComponentRow, attrs: &FunctionAttrs, handlers: &[HandlerRow]) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), row.name.clone().into());
    obj.insert("id".into(), row.id.to_string().into());
    obj.insert("function_type".into(), attrs.function_type.clone().into());
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
    obj.insert("description".into(), attrs.description.clone().into());
    add_common_fields(&mut obj, row);
    Value::Object(obj)
}

/// The function object of `row` with its current handlers.
async fn render(state: &AppState, row: &ComponentRow) -> ApiResult<Value> {
    let handlers = state.store.handlers_of(row.id).await?;
    Ok(function_json(row, &attrs_of(row)?, &handlers))
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<FunctionBody>,
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
    let function_type = check_function_type(
        body.function_type
            .as_deref()
            .ok_or_else(|| ApiError::invalid("function_type is required"))?,
    )?;
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        Some(MAX_URL),
    )?;
    if state.store.count_components(auth.org_id(), KIND).await?
        >= state.config.max_components_per_org
    {
        return Err(ApiError::new(ErrorCode::FunctionCreationLimitExceeded));
    }
    let attrs = FunctionAttrs {
        description,
        function_type,
        execution_type,
        execution_url,
    };
    let default = default_handler(handlers::default_type(&attrs.function_type));
    let new = NewComponent {
        org_id: auth.org_id(),
        kind: KIND.into(),
        name,
        unique_name_base: None,
        creator_id: auth.user.id,
        scope: SCOPE.into(),
        team_ids: Vec::new(),
        attrs: to_value(&attrs),
    };
    let (row, handlers) = match state
        .store
        .create_component_with_handlers(new, vec![default])
        .await
    {
        Ok(created) => created,
        Err(StoreError::Conflict(ConflictOn::Name | ConflictOn::UniqueName)) => {
            return Err(ApiError::new(ErrorCode::FunctionNameAlreadyExists));
        }
        Err(e) => return Err(e.into()),
    };
    Ok(envelope(uri.path(), KIND, function_json(&row, &attrs, &handlers)).into_response())
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
    let total = state
        .store
        .count_visible_components(ListQuery {
            org_id: auth.org_id(),
            kind: KIND.into(),
            viewer_id: auth.user.id,
            after_id: 0,
            limit: 0,
        })
        .await?;
    let mut obj = Map::new();
    obj.insert("url".into(), uri.path().into());
    obj.insert("type".into(), KIND.into());
    page.envelope_fields(&mut obj);
    obj.insert("total_count".into(), total.into());
    obj.insert("data".into(), Value::Array(data));
    Ok(axum::Json(Value::Object(obj)).into_response())
}

async fn get_function(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(function_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find_function(&state, &auth, &function_id).await?;
    Ok(envelope(uri.path(), KIND, render(&state, &row).await?).into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(function_id): CliqPath<String>,
    CliqJson(body): CliqJson<FunctionBody>,
) -> ApiResult<Response> {
    let row = find_function(&state, &auth, &function_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::FunctionPermissionDenied)?;
    let mut attrs = attrs_of(&row)?;
    let mut patch = ComponentPatch::default();
    if let Some(name) = &body.name {
        patch.name = Some(check_name(name)?);
    }
    if let Some(d) = &body.description {
        attrs.description = check_description(d)?;
    }
    if let Some(t) = &body.function_type
        && *t != attrs.function_type
    {
        return Err(ApiError::invalid(
            "function_type cannot be changed after creation",
        ));
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
        ErrorCode::FunctionNameAlreadyExists,
        ErrorCode::FunctionNotFound,
    )
    .await?;
    Ok(envelope(uri.path(), KIND, render(&state, &row).await?).into_response())
}

async fn delete(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(function_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find_function(&state, &auth, &function_id).await?;
    ensure_can_modify(&auth, &row, ErrorCode::FunctionPermissionDenied)?;
    delete_row(&state, &auth, KIND, &row, ErrorCode::FunctionNotFound).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
