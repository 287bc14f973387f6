//! Bots API (v3): create, list, get, update and delete bots (<https://www.zoho.com/cliq/help/restapi/v3/bots/>), on the shared
//! component descriptor ([`crate::api::component`]): this module keeps the bot's descriptor,
//! body, field checks and JSON shape. Handlers live in [`handlers`]; message delivery, calls
//! and channel association come with messaging.

mod handlers;
pub(crate) mod runs;

use super::component::{
    self, Area, Descriptor, ErrorCodes, NewParts, add_common_fields, check_text, endpoint,
    find_for_write, patch_scope_and_teams, required,
};
use super::execution::check_execution;
use super::{Endpoint, char_len, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath, CliqQuery};
use crate::pagination::PageSpec;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_core::attrs::BotAttrs;
use cliqd_core::catalog::HandlerSpec;
use cliqd_core::{ComponentKind, HandlerKind, Scope, ids};
use cliqd_store::{ComponentPatch, ComponentRow, HandlerRow};
use serde::Deserialize;
use serde_json::{Value, json};

const MENU: &HandlerSpec = HandlerKind::BotMenu.spec();
const PARTICIPATION: &[&str] = &["listen_message", "send_message", "auto_follow_thread"];

/// The bots area.
pub struct Bots;

pub const DESCRIPTOR: Descriptor = Descriptor {
    kind: ComponentKind::Bot,
    id_prefix: ids::BOT_ID_PREFIX,
    unique_names: true,
    singular: "bot",
    plural: "bots",
    scopes: &[Scope::Organization, Scope::Team, Scope::Personal],
    default_scope: Scope::Personal,
    pages: PageSpec {
        default_limit: 20,
        max_limit: 50,
    },
    total_count: false,
    max_name: 20,
    max_url_chars: None,
    handler_types_hint: "",
    type_change_hint: "delete the handler and create another",
    codes: ErrorCodes {
        not_found: ErrorCode::BotNotFound,
        permission_denied: ErrorCode::BotPermissionDenied,
        name_taken: ErrorCode::BotNameAlreadyExists,
        limit_exceeded: ErrorCode::BotCreationLimitExceeded,
    },
};

impl Area for Bots {
    const D: &'static Descriptor = &DESCRIPTOR;
    type Attrs = BotAttrs;

    fn render(row: &ComponentRow, attrs: &BotAttrs, handlers: &[HandlerRow]) -> Value {
        bot_json(row, attrs, handlers)
    }
}

pub const CREATE: Endpoint = endpoint(
    "bots.create",
    Method::POST,
    "/api/v3/bots",
    "bots.create",
    10,
);
pub const LIST: Endpoint = endpoint("bots.list", Method::GET, "/api/v3/bots", "bots.read", 30);
pub const GET: Endpoint = endpoint(
    "bots.get",
    Method::GET,
    "/api/v3/bots/{bot_id}",
    "bots.read",
    30,
);
pub const UPDATE: Endpoint = endpoint(
    "bots.update",
    Method::PATCH,
    "/api/v3/bots/{bot_id}",
    "bots.update",
    10,
);
pub const DELETE: Endpoint = endpoint(
    "bots.delete",
    Method::DELETE,
    "/api/v3/bots/{bot_id}",
    "bots.delete",
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
    &runs::INVOKE,
    &runs::MENU_ACTION,
    &runs::INCOMING,
    &runs::INCOMING_V2_GET,
    &runs::INCOMING_V2_POST,
    &runs::INCOMING_V2_HEAD,
    &runs::CALLS,
    &runs::CALL_STATE,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(CREATE.path, post(create).get(component::list::<Bots>))
        .route(
            GET.path,
            get(get_bot).patch(update).delete(component::delete::<Bots>),
        )
        .route(handlers::CREATE.path, post(handlers::create))
        .route(
            handlers::GET.path,
            get(handlers::get_handler)
                .patch(handlers::update)
                .delete(handlers::delete),
        )
        .route(runs::INVOKE.path, post(runs::invoke))
        .route(runs::MENU_ACTION.path, post(runs::menu_action))
        .route(runs::INCOMING.path, post(runs::incoming))
        .route(
            runs::INCOMING_V2_GET.path,
            get(runs::incoming_v2)
                .post(runs::incoming_v2)
                .head(runs::incoming_v2),
        )
        .route(runs::CALLS.path, post(runs::call))
        .route(runs::CALL_STATE.path, post(runs::call_state))
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

fn check_description(d: &str) -> ApiResult<String> {
    check_text("description", d, 300)
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
    component::find(state, auth, &DESCRIPTOR, raw).await
}

/// The bot object (<https://www.zoho.com/cliq/help/restapi/v3/bots/>).
fn bot_json(row: &ComponentRow, attrs: &BotAttrs, handlers: &[HandlerRow]) -> Value {
    let mut handler_list: Vec<Value> = Vec::new();
    for h in handlers {
        if h.handler_type == MENU.api_name {
            let mut m =
                json!({"type": MENU.api_name, "id": h.id.to_string(), "position": h.position});
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
    let name = DESCRIPTOR.check_name(required(body.name.as_deref(), "name")?)?;
    let description = check_description(required(body.description.as_deref(), "description")?)?;
    let (scope, team_ids) = DESCRIPTOR
        .create_scope(
            &state,
            &auth,
            body.scope.as_deref(),
            body.team_ids.as_deref(),
        )
        .await?;
    let (execution_type, execution_url) = check_execution(
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
        DESCRIPTOR.max_url_chars,
    )?;
    let attrs = BotAttrs {
        version: cliqd_core::attrs::VERSION,
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
    let parts = NewParts {
        unique_name_base: Some(ids::derive_bot_unique_name(&name)),
        name,
        scope,
        team_ids,
    };
    let (row, handlers) = component::create::<Bots>(&state, &auth, parts, &attrs, None).await?;
    Ok(envelope(
        CREATE.path,
        DESCRIPTOR.kind.as_str(),
        bot_json(&row, &attrs, &handlers),
    )
    .into_response())
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
    let mut data = component::render::<Bots>(&state, &row).await?;
    crate::api::webhooks::add_secret(&state, &auth, &row, &mut data).await?;
    let fields = params.fields.unwrap_or_default();
    let subscribers = state.store.bot_subscribers(row.id).await?;
    data["subscriber_count"] = subscribers.len().into();
    if fields
        .split(',')
        .any(|f| f.trim() == "subscription_details")
    {
        data["subscribers"] = subscribers.iter().map(crate::api::member_json).collect();
    }
    Ok(envelope(uri.path(), DESCRIPTOR.kind.as_str(), data).into_response())
}

async fn update(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(bot_id): CliqPath<String>,
    CliqJson(body): CliqJson<BotBody>,
) -> ApiResult<Response> {
    let (row, mut attrs) = find_for_write::<Bots>(&state, &auth, &bot_id).await?;
    let mut patch = ComponentPatch::default();
    component::patch_name(&DESCRIPTOR, &mut patch, body.name.as_deref())?;
    if let Some(d) = &body.description {
        attrs.description = check_description(d)?;
    }
    component::patch_execution(
        &DESCRIPTOR,
        &mut attrs,
        body.execution_type.as_deref(),
        body.execution_url.as_deref(),
    )?;
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
    component::finish_update::<Bots>(&state, &uri, row.id, patch, &attrs).await
}
