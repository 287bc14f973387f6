//! Forms in use (<https://www.zoho.com/cliq/help/platform/cliq-form.html>,
//! <https://www.zoho.com/cliq/help/platform/form-functions.html>): a handler's form reply opens
//! a form session for the invoker; the session is submitted (values checked first, then the
//! submit action's `form_submit_handler`), changed (`form_change_handler`, its
//! `form_modification` applied), asked for dynamic options (`form_dynamic_select_handler`),
//! cancelled, or opened from a function's permalink (`form_view_handler`).
//!
//! Sessions are stored (durable across restarts), belong to the user they were opened for,
//! and expire `form_ttl` after their last use (default one hour).

use super::runs::function_of;
use crate::api::Endpoint;
use crate::api::bots::runs::{engine_error, run_answer};
use crate::api::messaging::ep;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use cliqd_core::{ComponentKind, HandlerKind, ResponseKind};
use cliqd_runtime::forms;
use cliqd_runtime::reply::Reply;
use cliqd_runtime::{Deliver, RunReport, RunRequest};
use cliqd_store::{ComponentRow, FormSessionRow, StoreError};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;

pub const SUBMIT: Endpoint = ep(
    "forms.submit",
    Method::POST,
    "/api/v3/forms/{form_id}/submit",
    "chats.update",
    120,
);
pub const CHANGE: Endpoint = ep(
    "forms.change",
    Method::POST,
    "/api/v3/forms/{form_id}/change",
    "chats.update",
    300,
);
pub const OPTIONS: Endpoint = ep(
    "forms.options",
    Method::POST,
    "/api/v3/forms/{form_id}/options",
    "chats.update",
    300,
);
pub const CANCEL: Endpoint = ep(
    "forms.cancel",
    Method::POST,
    "/api/v3/forms/{form_id}/cancel",
    "chats.update",
    120,
);
pub const VIEW: Endpoint = ep(
    "functions.form.view",
    Method::GET,
    "/api/v3/functions/{function_id}/form",
    "chats.update",
    60,
);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn expiry(state: &AppState) -> i64 {
    now_ms() + state.config.form_ttl.as_millis() as i64
}

/// Opens a form session for the caller when `answer` is a form reply: the session's id goes
/// into the answer as `form_id`, and the caller gets a `form_opened` event.
pub(crate) async fn open_if_form(
    state: &AppState,
    auth: &AuthContext,
    component: &ComponentRow,
    chat_id: Option<&str>,
    message_id: Option<&str>,
    answer: &mut Value,
) -> ApiResult<()> {
    if answer["type"] != "form" {
        return Ok(());
    }
    let form = answer["data"].clone();
    // Now and then, drop the sessions that expired or closed.
    if rand::random::<u8>() < 8
        && let Err(e) = state.store.purge_form_sessions(now_ms()).await
    {
        tracing::warn!(error = %e, "purging form sessions failed");
    }
    let id = hex::encode(state.random.bytes16());
    state
        .store
        .create_form_session(FormSessionRow {
            id: id.clone(),
            org_id: auth.user.org_id,
            user_id: auth.user.id,
            component_id: component.id,
            chat_id: chat_id.map(str::to_string),
            message_id: message_id.map(str::to_string),
            form: form.clone(),
            created_at: now_ms(),
            expires_at: expiry(state),
            closed: false,
        })
        .await?;
    answer["form_id"] = id.clone().into();
    state.engine.emit(
        auth.user.id,
        json!({"event": "form_opened", "chat_id": chat_id, "data": {"form_id": id, "form": form}}),
    );
    Ok(())
}

/// The caller's open session `id`.
async fn session(state: &AppState, auth: &AuthContext, id: &str) -> ApiResult<FormSessionRow> {
    let row = match state.store.form_session(auth.user.org_id, id.trim()).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::FormNotFound)),
        Err(e) => return Err(e.into()),
    };
    // Another user's form is not theirs to see.
    if row.user_id != auth.user.id {
        return Err(ApiError::new(ErrorCode::FormNotFound));
    }
    if row.closed || row.expires_at < now_ms() {
        return Err(ApiError::new(ErrorCode::FormExpired));
    }
    Ok(row)
}

/// The function the form's `which` action (`submit`, `cancel`) invokes: by name, the opening
/// component's creator's, else the caller's.
async fn action_function(
    state: &AppState,
    auth: &AuthContext,
    row: &FormSessionRow,
    which: &str,
) -> ApiResult<Option<ComponentRow>> {
    let Some(name) = forms::action_function(&row.form, which) else {
        return Ok(None);
    };
    let opener_creator = match find_component_any(state, auth.user.org_id, row.component_id).await?
    {
        Some(c) => Some(c.creator_id),
        None => None,
    };
    for owner in opener_creator.into_iter().chain([auth.user.id]) {
        if let Some(f) = function_of(state, auth.user.org_id, owner, &name).await? {
            return Ok(Some(f));
        }
    }
    Err(ApiError::with_message(
        ErrorCode::FunctionNotFound,
        format!("the form's {which} action names no function '{name}'"),
    ))
}

/// A component of the organization by id, whatever its kind.
async fn find_component_any(
    state: &AppState,
    org_id: i64,
    id: i64,
) -> ApiResult<Option<ComponentRow>> {
    for kind in [
        ComponentKind::Function,
        ComponentKind::MessageAction,
        ComponentKind::Bot,
    ] {
        match state.store.get_component(org_id, kind.as_str(), id).await {
            Ok(c) => return Ok(Some(c)),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(None)
}

/// Runs `kind` of `function` for the session with `extra` inputs; the message reply goes to
/// the invoker only.
async fn run_form_handler(
    state: &AppState,
    auth: &AuthContext,
    function: &ComponentRow,
    kind: HandlerKind,
    row: &FormSessionRow,
    mut extra: Map<String, Value>,
) -> ApiResult<RunReport> {
    let (spec, handler) = super::runs::handler_of(state, function, kind).await?;
    let chat = match &row.chat_id {
        Some(c) => match state.store.get_chat(auth.user.org_id, c).await {
            Ok(chat) => Some(state.engine.chat_value(&chat).await?),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    if let (Some(c), Some(m)) = (&row.chat_id, &row.message_id)
        && let Ok(msg) = state.store.get_message(c, m).await
    {
        extra.insert("message".into(), cliqd_runtime::inputs::message_map(&msg));
    }
    let inputs = state.engine.inputs_for(
        &auth.actor(),
        chat,
        row.chat_id.as_deref(),
        row.message_id.as_deref(),
        extra,
    );
    state
        .engine
        .run_now(RunRequest {
            component: Arc::new(function.clone()),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs,
            trigger: json!({"kind": "form", "form_id": row.id, "handler": spec.api_name}),
            deliver: Deliver::Invoker(row.chat_id.clone()),
        })
        .await
        .map_err(engine_error)
}

/// What `change` and `options` share once the input is checked: the submit action's function
/// runs `kind` with the form's current `values` (`form.action` is `action`) and `target`.
/// Answers the run's report, the function, and the run's answer with the form's id.
async fn run_for_input(
    state: &AppState,
    auth: &AuthContext,
    row: &FormSessionRow,
    values: Option<Value>,
    action: &str,
    target: Value,
    kind: HandlerKind,
) -> ApiResult<(RunReport, ComponentRow, Value)> {
    let values = values_of(values)?;
    let function = action_function(state, auth, row, "submit")
        .await?
        .ok_or_else(|| ApiError::invalid("the form has no submit action"))?;
    let mut extra = Map::new();
    extra.insert("form".into(), form_input(row, action, &values));
    extra.insert("target".into(), target);
    let report = run_form_handler(state, auth, &function, kind, row, extra).await?;
    let mut answer = run_answer(&report, &function);
    answer["form_id"] = row.id.clone().into();
    Ok((report, function, answer))
}

fn form_input(row: &FormSessionRow, action: &str, values: &Map<String, Value>) -> Value {
    json!({"name": row.form.get("name").cloned().unwrap_or(Value::Null), "action": action, "values": values})
}

fn values_of(v: Option<Value>) -> ApiResult<Map<String, Value>> {
    match v {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m),
        Some(_) => Err(ApiError::invalid(
            "values must be an object of input names to values",
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitBody {
    #[serde(default)]
    values: Option<Value>,
}

/// `POST /api/v3/forms/{FORM_ID}/submit` `{"values"}`.
pub async fn submit(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(form_id): CliqPath<String>,
    CliqJson(body): CliqJson<SubmitBody>,
) -> ApiResult<Response> {
    let row = session(&state, &auth, &form_id).await?;
    let values = values_of(body.values)?;
    if let Err(errors) = forms::check_values(&row.form, &values) {
        return Ok(axum::Json(json!({
            "type": "form_error", "form_id": row.id, "data": forms::form_error(errors), "outcome": "refused",
        }))
        .into_response());
    }
    let function = action_function(&state, &auth, &row, "submit")
        .await?
        .ok_or_else(|| ApiError::invalid("the form has no submit action"))?;
    let mut extra = Map::new();
    extra.insert("form".into(), form_input(&row, "submit", &values));
    let report = run_form_handler(
        &state,
        &auth,
        &function,
        HandlerKind::FunctionFormSubmit,
        &row,
        extra,
    )
    .await?;
    let mut answer = run_answer(&report, &function);
    answer["form_id"] = row.id.clone().into();
    match (&report.reply, report.outcome.as_str()) {
        // The form stays open: a failure, or the errors the handler found.
        (_, o) if o != "success" => {}
        (
            Reply::Other {
                kind: ResponseKind::FormError,
                ..
            },
            _,
        ) => {}
        // The next step replaces the form in the same session.
        (
            Reply::Other {
                kind: ResponseKind::Form,
                value,
            },
            _,
        ) => {
            state
                .store
                .update_form_session(&row.id, value.clone(), expiry(&state))
                .await?;
            state.engine.emit(
                auth.user.id,
                json!({"event": "form_opened", "chat_id": row.chat_id, "data": {"form_id": row.id, "form": value}}),
            );
        }
        _ => {
            state.store.close_form_session(&row.id).await?;
            answer["closed"] = true.into();
        }
    }
    Ok(axum::Json(answer).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    name: String,
    #[serde(default)]
    value: Value,
    #[serde(default)]
    values: Option<Value>,
}

/// `POST /api/v3/forms/{FORM_ID}/change` `{"name", "value", "values"}`: for an input with
/// `trigger_on_change`; the `form_modification` reply is applied and the form answered.
pub async fn change(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(form_id): CliqPath<String>,
    CliqJson(body): CliqJson<ChangeBody>,
) -> ApiResult<Response> {
    let row = session(&state, &auth, &form_id).await?;
    let input = forms::input(&row.form, &body.name)
        .ok_or_else(|| ApiError::invalid(format!("name: the form has no input '{}'", body.name)))?;
    let on_change = input.get("trigger_on_change");
    if !(on_change == Some(&Value::Bool(true)) || on_change.and_then(Value::as_str) == Some("true"))
    {
        return Err(ApiError::invalid(format!(
            "name: the input '{}' does not trigger on change",
            body.name
        )));
    }
    let (report, function, mut answer) = run_for_input(
        &state,
        &auth,
        &row,
        body.values,
        "change",
        json!({"name": body.name, "value": body.value}),
        HandlerKind::FunctionFormChange,
    )
    .await?;
    if report.outcome != "success" {
        return Ok(axum::Json(answer).into_response());
    }
    let updated = match &report.reply {
        Reply::Other {
            kind: ResponseKind::FormModification,
            value,
        } => match forms::apply_modification(&row.form, value) {
            Ok(f) => f,
            Err(why) => {
                let banner = cliqd_runtime::reply::failure_banner(
                    &function.name,
                    &format!("form_modification: {why}"),
                );
                state.engine.emit(
                    auth.user.id,
                    json!({"event": "banner", "chat_id": row.chat_id, "data": {"banner": banner}}),
                );
                answer["type"] = "banner".into();
                answer["data"] = banner;
                answer["outcome"] = "refused".into();
                return Ok(axum::Json(answer).into_response());
            }
        },
        _ => row.form.clone(),
    };
    state
        .store
        .update_form_session(&row.id, updated.clone(), expiry(&state))
        .await?;
    answer["type"] = "form".into();
    answer["data"] = updated;
    Ok(axum::Json(answer).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionsBody {
    name: String,
    #[serde(default)]
    query: String,
    #[serde(default)]
    values: Option<Value>,
}

/// `POST /api/v3/forms/{FORM_ID}/options` `{"name", "query"}`: a `dynamic_select`'s options.
pub async fn options(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(form_id): CliqPath<String>,
    CliqJson(body): CliqJson<OptionsBody>,
) -> ApiResult<Response> {
    let row = session(&state, &auth, &form_id).await?;
    let input = forms::input(&row.form, &body.name)
        .ok_or_else(|| ApiError::invalid(format!("name: the form has no input '{}'", body.name)))?;
    if !matches!(
        input.get("type").and_then(Value::as_str),
        Some("dynamic_select" | "dynamic_catalogue")
    ) {
        return Err(ApiError::invalid(format!(
            "name: the input '{}' is not a dynamic_select",
            body.name
        )));
    }
    let (report, _, mut answer) = run_for_input(
        &state,
        &auth,
        &row,
        body.values,
        "input",
        json!({"name": body.name, "query": body.query}),
        HandlerKind::FunctionFormDynamicSelect,
    )
    .await?;
    if report.outcome == "success" && answer["type"] == "none" {
        answer["type"] = "options".into();
        answer["data"] = json!({"options": []});
    }
    Ok(axum::Json(answer).into_response())
}

/// `POST /api/v3/forms/{FORM_ID}/cancel`: closes the session; with `trigger_on_cancel`, the
/// cancel action's function (`actions.cancel`, else the submit one) runs its
/// `form_submit_handler` with `form.action` `"cancel"`.
pub async fn cancel(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(form_id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = session(&state, &auth, &form_id).await?;
    if !state.store.close_form_session(&row.id).await? {
        return Err(ApiError::new(ErrorCode::FormExpired));
    }
    let on_cancel = row.form.get("trigger_on_cancel");
    let triggered =
        on_cancel == Some(&Value::Bool(true)) || on_cancel.and_then(Value::as_str) == Some("true");
    if !triggered {
        return Ok(axum::Json(
            json!({"type": "none", "data": {}, "form_id": row.id, "closed": true}),
        )
        .into_response());
    }
    let function = match action_function(&state, &auth, &row, "cancel").await? {
        Some(f) => f,
        None => action_function(&state, &auth, &row, "submit")
            .await?
            .ok_or_else(|| ApiError::invalid("the form has no action to cancel with"))?,
    };
    let mut extra = Map::new();
    extra.insert("form".into(), form_input(&row, "cancel", &Map::new()));
    let report = run_form_handler(
        &state,
        &auth,
        &function,
        HandlerKind::FunctionFormSubmit,
        &row,
        extra,
    )
    .await?;
    let mut answer = run_answer(&report, &function);
    answer["form_id"] = row.id.clone().into();
    answer["closed"] = true.into();
    Ok(axum::Json(answer).into_response())
}

/// `GET /api/v3/functions/{FUNCTION_ID}/form?…`: the permalink. Any user of the organization
/// may open it; `form_view_handler` runs with the query parameters as `params`, and the form
/// it returns opens a session.
pub async fn view(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(function_ref): CliqPath<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let not_found = || ApiError::new(ErrorCode::FunctionNotFound);
    let id = cliqd_core::ids::parse_component_id(&function_ref, "").ok_or_else(not_found)?;
    let function = match state
        .store
        .get_component(auth.user.org_id, ComponentKind::Function.as_str(), id)
        .await
    {
        Ok(f) => f,
        Err(StoreError::NotFound) => return Err(not_found()),
        Err(e) => return Err(e.into()),
    };
    let (spec, handler) =
        super::runs::handler_of(&state, &function, HandlerKind::FunctionFormView).await?;
    let mut params = Map::new();
    for (k, v) in query {
        if k != "access_token" {
            params.insert(k, Value::String(v));
        }
    }
    let mut extra = Map::new();
    extra.insert("params".into(), Value::Object(params));
    let inputs = state
        .engine
        .inputs_for(&auth.actor(), None, None, None, extra);
    let report = state
        .engine
        .run_now(RunRequest {
            component: Arc::new(function.clone()),
            handler: Arc::new(handler),
            spec,
            actor: auth.actor(),
            inputs,
            trigger: json!({"kind": "form_view"}),
            deliver: Deliver::Invoker(None),
        })
        .await
        .map_err(engine_error)?;
    let mut answer = run_answer(&report, &function);
    // The view handler's reply is not checked by the engine (the catalog lists no reply
    // kinds for it): it must be a form.
    if report.outcome == "success" {
        let raw = report
            .record
            .as_ref()
            .and_then(|r| r.execution.detail.get("reply"))
            .cloned()
            .unwrap_or(Value::Null);
        match cliqd_message::validate_handler_response(&raw, cliqd_message::Handler::FunctionButton)
        {
            Ok(form @ cliqd_message::HandlerResponse::Form(_)) => {
                answer["type"] = "form".into();
                answer["data"] = form.to_json();
            }
            _ => {
                answer["type"] = "banner".into();
                answer["data"] = cliqd_runtime::reply::failure_banner(
                    &function.name,
                    "the form view handler must return a form",
                );
                answer["outcome"] = "invalid_reply".into();
                return Ok(axum::Json(answer).into_response());
            }
        }
    }
    open_if_form(&state, &auth, &function, None, None, &mut answer).await?;
    Ok(axum::Json(answer).into_response())
}
