//! Functions API (v3): create, list, get, update and delete functions (<https://www.zoho.com/cliq/help/restapi/v3/functions/>), on the
//! shared component descriptor ([`crate::api::component`]): this module keeps the function's
//! descriptor, body, field checks and JSON shape. Handlers live in [`handlers`]. A function is
//! personal to its creator (the documents give it no `scope` field and always show
//! `"scope": "personal"`), and its default handler exists from creation.

mod buttons;
pub(crate) mod forms;
mod handlers;
pub(crate) mod runs;

use super::component::{
    self, Area, Descriptor, ErrorCodes, NewParts, add_common_fields, check_text, endpoint,
    find_for_write, required,
};
use super::execution::{check_execution, get_handler, update_handler};
use super::{Endpoint, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::pagination::PageSpec;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_core::attrs::FunctionAttrs;
use cliqd_core::{ComponentKind, FunctionType, Scope, catalog};
use cliqd_store::{ComponentPatch, ComponentRow, HandlerRow};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const MAX_DESCRIPTION: usize = 300;

/// The functions area.
pub struct Functions;

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ComponentKind::Function,
    id_prefix: "",
    unique_names: false,
    singular: "function",
    plural: "functions",
    // Functions carry no `scope` field; every one is personal to its creator.
    scopes: &[Scope::Personal],
    default_scope: Scope::Personal,
    pages: PageSpec {
        default_limit: 20,
        max_limit: 50,
    },
    total_count: true,
    max_name: 30,
    max_url_chars: Some(225),
    handler_types_hint: " (button_handler, form_submit_handler, form_change_handler, form_dynamic_select_handler, form_view_handler, widget_button_handler)",
    type_change_hint: "create a handler of the other type instead",
    codes: ErrorCodes {
        not_found: ErrorCode::FunctionNotFound,
        permission_denied: ErrorCode::FunctionPermissionDenied,
        name_taken: ErrorCode::FunctionNameAlreadyExists,
        limit_exceeded: ErrorCode::FunctionCreationLimitExceeded,
    },
};

impl Area for Functions {
    const D: &'static Descriptor = &DESCRIPTOR;
    type Attrs = FunctionAttrs;

    fn render(row: &ComponentRow, attrs: &FunctionAttrs, handlers: &[HandlerRow]) -> Value {
        function_json(row, attrs, handlers)
    }
}

pub const CREATE: Endpoint = endpoint(
    "functions.create",
    Method::POST,
    "/api/v3/functions",
    "functions.create",
    10,
);
pub const LIST: Endpoint = endpoint(
    "functions.list",
    Method::GET,
    "/api/v3/functions",
    "functions.read",
    30,
);
pub const GET: Endpoint = endpoint(
    "functions.get",
    Method::GET,
    "/api/v3/functions/{function_id}",
    "functions.read",
    30,
);
pub const UPDATE: Endpoint = endpoint(
    "functions.update",
    Method::PATCH,
    "/api/v3/functions/{function_id}",
    "functions.update",
    10,
);
pub const DELETE: Endpoint = endpoint(
    "functions.delete",
    Method::DELETE,
    "/api/v3/functions/{function_id}",
    "functions.delete",
    10,
);

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
    &runs::CLICK,
    &runs::INVOKE,
    &forms::SUBMIT,
    &forms::CHANGE,
    &forms::OPTIONS,
    &forms::CANCEL,
    &forms::VIEW,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CREATE.path, post(create).get(component::list::<Functions>))
        .route(
            GET.path,
            get(component::get::<Functions>)
                .patch(update)
                .delete(component::delete::<Functions>),
        )
        .route(handlers::CREATE.path, post(handlers::create))
        .route(
            handlers::GET.path,
            get(get_handler::<Functions>)
                .patch(update_handler::<Functions>)
                .delete(handlers::delete),
        )
        .route(runs::CLICK.path, post(runs::click))
        .route(runs::INVOKE.path, post(runs::invoke))
        .route(forms::SUBMIT.path, post(forms::submit))
        .route(forms::CHANGE.path, post(forms::change))
        .route(forms::OPTIONS.path, post(forms::options))
        .route(forms::CANCEL.path, post(forms::cancel))
        .route(forms::VIEW.path, get(forms::view))
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

fn check_description(d: &str) -> ApiResult<String> {
    check_text("description", d, MAX_DESCRIPTION)
}

fn check_function_type(t: &str) -> ApiResult<FunctionType> {
    t.parse().map_err(|_| {
        ApiError::invalid(format!(
            "function_type `{t}` is not one of button, form, widget_button"
        ))
    })
}

/// The function object (<https://www.zoho.com/cliq/help/restapi/v3/functions/>): `handlers` lists the types present.
fn function_json(row: &ComponentRow, attrs: &FunctionAttrs, handlers: &[HandlerRow]) -> Value {
    let mut obj = Map::new();
    obj.insert("name".into(), row.name.clone().into());
    obj.insert("id".into(), row.id.to_string().into());
    obj.insert("function_type".into(), attrs.function_type.as_str().into());
    obj.insert(
        "handlers".into(),
        handlers
            .iter()
            .map(|h| json!({"type": h.handler_type}))
            .collect(),
    );
    obj.insert(
        "execution_type".into(),
        attrs.execution_type.as_str().into(),
    );
    if let Some(url) = &attrs.execution_url {
        obj.insert("execution_url".into(), url.clone().into());
    }
    obj.insert("description".into(), attrs.description.clone().into());
    add_common_fields(&mut obj, row);
    Value::Object(obj)
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<FunctionBody>,
) -> ApiResult<Response> {
    let name = DESCRIPTOR.check_name(required(body.name.as_deref(), "name")?)?;
    let description = check_description(required(body.description.as_deref(), "description")?)?;
    let function_type =
        check_function_type(required(body.function_type.as_deref(), "function_type")?)?;
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        DESCRIPTOR.max_url_chars,
    )?;
    let attrs = FunctionAttrs {
        version: cliqd_core::attrs::VERSION,
        description,
        function_type,
        execution_type,
        execution_url,
    };
    let default = catalog::default_handler(ComponentKind::Function, Some(function_type));
    let parts = NewParts {
        name,
        unique_name_base: None,
        scope: DESCRIPTOR.default_scope,
        team_ids: Vec::new(),
    };
    let (row, handlers) =
        component::create::<Functions>(&state, &auth, parts, &attrs, default).await?;
    Ok(envelope(
        uri.path(),
        DESCRIPTOR.kind.as_str(),
        function_json(&row, &attrs, &handlers),
    )
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(function_id): CliqPath<String>,
    CliqJson(body): CliqJson<FunctionBody>,
) -> ApiResult<Response> {
    let (row, mut attrs) = find_for_write::<Functions>(&state, &auth, &function_id).await?;
    let mut patch = ComponentPatch::default();
    component::patch_name(&DESCRIPTOR, &mut patch, body.name.as_deref())?;
    if let Some(d) = &body.description {
        attrs.description = check_description(d)?;
    }
    if let Some(t) = &body.function_type
        && t != attrs.function_type.as_str()
    {
        return Err(ApiError::invalid(
            "function_type cannot be changed after creation",
        ));
    }
    component::patch_execution(
        &DESCRIPTOR,
        &mut attrs,
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
    )?;
    component::finish_update::<Functions>(&state, &uri, row.id, patch, &attrs).await
}
