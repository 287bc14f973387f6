//! Message Actions API (v3): create, list, get, update and delete message actions (<https://www.zoho.com/cliq/help/restapi/v3/messageactions/>),
//! on the shared component descriptor ([`crate::api::component`]): this module keeps the
//! action's descriptor, body, field checks and JSON shape. The single `execution_handler`
//! exists from creation and is read and updated through [`handlers`].

mod handlers;
mod runs;

use super::component::{
    self, Area, Descriptor, ErrorCodes, NewParts, add_common_fields, check_text, endpoint,
    find_for_write, patch_scope_and_teams, required,
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
use cliqd_core::attrs::ActionAttrs;
use cliqd_core::{ComponentKind, Scope, catalog};
use cliqd_store::{ComponentPatch, ComponentRow, HandlerRow};
use serde::Deserialize;
use serde_json::{Map, Value, json};

const MESSAGE_TYPES: &[&str] = &["text", "link", "attachment"];
const MAX_HINT: usize = 128;

/// The message actions area.
pub struct MessageActions;

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ComponentKind::MessageAction,
    id_prefix: "",
    unique_names: false,
    singular: "message action",
    plural: "message actions",
    scopes: &[Scope::Organization, Scope::Team, Scope::Personal],
    default_scope: Scope::Personal,
    pages: PageSpec {
        default_limit: 20,
        max_limit: 100,
    },
    total_count: false,
    max_name: 30,
    max_url_chars: Some(225),
    handler_types_hint: "; the only one is execution_handler",
    type_change_hint: "",
    codes: ErrorCodes {
        not_found: ErrorCode::MsgactionNotFound,
        permission_denied: ErrorCode::MsgactionPermissionDenied,
        name_taken: ErrorCode::MsgactionNameAlreadyExists,
        limit_exceeded: ErrorCode::MsgactionCreationLimitExceeded,
    },
};

impl Area for MessageActions {
    const D: &'static Descriptor = &DESCRIPTOR;
    type Attrs = ActionAttrs;

    fn render(row: &ComponentRow, attrs: &ActionAttrs, handlers: &[HandlerRow]) -> Value {
        action_json(row, attrs, handlers)
    }
}

pub const CREATE: Endpoint = endpoint(
    "messageactions.create",
    Method::POST,
    "/api/v3/messageactions",
    "messageactions.create",
    30,
);
pub const LIST: Endpoint = endpoint(
    "messageactions.list",
    Method::GET,
    "/api/v3/messageactions",
    "messageactions.read",
    30,
);
pub const GET: Endpoint = endpoint(
    "messageactions.get",
    Method::GET,
    "/api/v3/messageactions/{message_action_id}",
    "messageactions.read",
    10,
);
pub const UPDATE: Endpoint = endpoint(
    "messageactions.update",
    Method::PATCH,
    "/api/v3/messageactions/{message_action_id}",
    "messageactions.update",
    10,
);
pub const DELETE: Endpoint = endpoint(
    "messageactions.delete",
    Method::DELETE,
    "/api/v3/messageactions/{message_action_id}",
    "messageactions.delete",
    10,
);

pub const ENDPOINTS: &[&Endpoint] = &[
    &CREATE,
    &LIST,
    &GET,
    &UPDATE,
    &DELETE,
    &handlers::UPDATE,
    &handlers::GET,
    &runs::LIST_FOR_MESSAGE,
    &runs::EXECUTE,
    &runs::INVOKE,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            CREATE.path,
            post(create).get(component::list::<MessageActions>),
        )
        .route(
            GET.path,
            get(component::get::<MessageActions>)
                .patch(update)
                .delete(component::delete::<MessageActions>),
        )
        .route(
            handlers::GET.path,
            get(get_handler::<MessageActions>).patch(update_handler::<MessageActions>),
        )
        .route(runs::LIST_FOR_MESSAGE.path, get(runs::list_for_message))
        .route(runs::EXECUTE.path, post(runs::execute))
        .route(runs::INVOKE.path, post(runs::invoke))
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

fn check_hint(hint: &str) -> ApiResult<String> {
    check_text("hint", hint, MAX_HINT)
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

/// The message action object (<https://www.zoho.com/cliq/help/restapi/v3/messageactions/>).
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
    obj.insert(
        "execution_type".into(),
        attrs.execution_type.as_str().into(),
    );
    if let Some(url) = &attrs.execution_url {
        obj.insert("execution_url".into(), url.clone().into());
    }
    add_common_fields(&mut obj, row);
    Value::Object(obj)
}

async fn create(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqJson(body): CliqJson<ActionBody>,
) -> ApiResult<Response> {
    let name = DESCRIPTOR.check_name(required(body.name.as_deref(), "name")?)?;
    let hint = check_hint(required(body.hint.as_deref(), "hint")?)?;
    let (scope, team_ids) = DESCRIPTOR
        .create_scope(
            &state,
            &auth,
            body.scope.as_deref(),
            body.team_ids.as_deref(),
        )
        .await?;
    let message_types = match body.message_types {
        Some(list) => check_message_types(list)?,
        None => MESSAGE_TYPES.iter().map(|t| t.to_string()).collect(),
    };
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        DESCRIPTOR.max_url_chars,
    )?;
    let attrs = ActionAttrs {
        version: cliqd_core::attrs::VERSION,
        hint,
        multi_selectable: body.multi_selectable.unwrap_or(false),
        message_types,
        image: body.image.map(check_image).transpose()?,
        execution_type,
        execution_url,
    };
    let default = catalog::default_handler(ComponentKind::MessageAction, None);
    let parts = NewParts {
        name,
        unique_name_base: None,
        scope,
        team_ids,
    };
    let (row, handlers) =
        component::create::<MessageActions>(&state, &auth, parts, &attrs, default).await?;
    Ok(envelope(
        uri.path(),
        DESCRIPTOR.kind.as_str(),
        action_json(&row, &attrs, &handlers),
    )
    .into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(action_id): CliqPath<String>,
    CliqJson(body): CliqJson<ActionBody>,
) -> ApiResult<Response> {
    let (row, mut attrs) = find_for_write::<MessageActions>(&state, &auth, &action_id).await?;
    let mut patch = ComponentPatch::default();
    component::patch_name(&DESCRIPTOR, &mut patch, body.name.as_deref())?;
    if let Some(hint) = &body.hint {
        attrs.hint = check_hint(hint)?;
    }
    patch_scope_and_teams(
        &state,
        &auth,
        &DESCRIPTOR,
        &row,
        &mut patch,
        body.scope.as_deref(),
        body.team_ids.as_deref(),
    )
    .await?;
    if let Some(m) = body.multi_selectable {
        attrs.multi_selectable = m;
    }
    if let Some(list) = body.message_types {
        attrs.message_types = check_message_types(list)?;
    }
    if let Some(image) = body.image {
        attrs.image = Some(check_image(image)?);
    }
    component::patch_execution(
        &DESCRIPTOR,
        &mut attrs,
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
    )?;
    component::finish_update::<MessageActions>(&state, &uri, row.id, patch, &attrs).await
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
