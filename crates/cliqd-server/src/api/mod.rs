//! The platform APIs: one module per resource area, plus what they share: the endpoint table
//! (scope and rate limit per route), the guard middleware, envelopes and visibility rules.

pub mod bots;
pub mod component;
pub mod dev;
pub mod execution;
pub mod executions;
pub mod extensions;
pub mod functions;
pub mod guard;
pub mod message_actions;
pub mod messaging;
pub mod webhooks;

use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Json;
use axum::http::Method;
use cliqd_core::{Scope, policy};
use cliqd_store::{ComponentRow, UserRow};
use serde_json::Value;
use std::collections::HashMap;

/// One API operation: its route, the scope it needs and its rate limit.
#[derive(Debug)]
pub struct Endpoint {
    /// Stable name, also the rate-limit bucket (`bots.create`).
    pub name: &'static str,
    pub method: Method,
    /// The axum route path, e.g. `/api/v3/bots/{bot_id}`.
    pub path: &'static str,
    /// Normalized scope (`bots.create`); see [`crate::auth::normalize_scope`].
    pub scope: &'static str,
    pub limit: Limit,
    pub auth: AuthMode,
}

impl Endpoint {
    /// An endpoint that takes an OAuth token (the usual case).
    pub const fn new(
        name: &'static str,
        method: Method,
        path: &'static str,
        scope: &'static str,
        limit: Limit,
    ) -> Endpoint {
        Endpoint::with_auth(name, method, path, scope, limit, AuthMode::Token)
    }

    /// An endpoint that accepts the credentials of `auth`.
    pub const fn with_auth(
        name: &'static str,
        method: Method,
        path: &'static str,
        scope: &'static str,
        limit: Limit,
        auth: AuthMode,
    ) -> Endpoint {
        Endpoint {
            name,
            method,
            path,
            scope,
            limit,
            auth,
        }
    }
}

/// Which credentials an endpoint accepts (see [`guard`]); the guard resolves any of them into
/// one [`guard::Caller`] before the handler runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// An OAuth token in the `Authorization` header (401 without one).
    Token,
    /// Also an OAuth token in `?access_token=` (the WebSocket).
    TokenOrQueryToken,
    /// Also a webhook token in `?zapikey=` (v2 posting): its owner, with `webhooks.create` only.
    TokenOrWebhookToken,
    /// Also the extension key alone, for the extension in the path: the caller is the extension.
    TokenOrExtensionKey,
}

/// Every area's endpoints. A new area adds its `ENDPOINTS` here and its `routes()` in [`router`].
fn all_endpoints() -> impl Iterator<Item = &'static Endpoint> {
    [
        bots::ENDPOINTS,
        functions::ENDPOINTS,
        message_actions::ENDPOINTS,
        extensions::ENDPOINTS,
        messaging::ENDPOINTS,
        executions::ENDPOINTS,
        webhooks::ENDPOINTS,
        dev::ENDPOINTS,
    ]
    .into_iter()
    .flatten()
    .copied()
}

pub(crate) type EndpointTable = HashMap<(Method, &'static str), &'static Endpoint>;

pub(crate) fn endpoint_table() -> EndpointTable {
    all_endpoints()
        .map(|e| ((e.method.clone(), e.path), e))
        .collect()
}

/// All platform API routes, each behind the guard.
pub fn router(state: AppState) -> axum::Router<AppState> {
    axum::Router::new()
        .merge(bots::routes())
        .merge(extensions::routes())
        .merge(functions::routes())
        .merge(message_actions::routes())
        .merge(messaging::routes())
        .merge(executions::routes())
        .merge(webhooks::routes())
        .merge(dev::routes(state.config.dev))
        .route_layer(axum::middleware::from_fn_with_state(state, guard::guard))
}

/// `{"url": …, "type": …, "data": {…}}`.
pub fn envelope(url: &str, kind: &str, data: Value) -> Json<Value> {
    Json(serde_json::json!({ "url": url, "type": kind, "data": data }))
}

/// [`envelope`] of data serialized as it is (a list of views, say), with no [`Value`] in
/// between.
pub fn envelope_of<'a, T: serde::Serialize>(
    url: &'a str,
    kind: &'a str,
    data: T,
) -> Json<Envelope<'a, T>> {
    Json(Envelope { url, kind, data })
}

/// `{"url", "type", "data"}`, as [`envelope_of`] writes it.
#[derive(serde::Serialize)]
pub struct Envelope<'a, T> {
    url: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    data: T,
}

/// A user as member and subscriber lists show one: `{"user_id", "email_id", "name"}`.
pub fn member_json(u: &UserRow) -> Value {
    serde_json::json!({"user_id": u.id.to_string(), "email_id": u.email, "name": u.name})
}

/// Update and delete need the creator or an organization admin ([`policy::can_modify`]).
pub fn can_modify(auth: &AuthContext, row: &ComponentRow) -> bool {
    cliqd_service::can_modify(&auth.actor(), row)
}

/// Checks `scope`/`team_ids` as bots, message actions, commands and extensions share them
/// (<https://www.zoho.com/cliq/help/restapi/v3/bots/>, [`policy::check_scope_and_teams`]), then that the teams exist in the
/// organization, and returns the team ids to store.
pub async fn check_scope_and_teams(
    state: &AppState,
    auth: &AuthContext,
    scope: &str,
    team_ids: Option<&[Value]>,
    allowed_scopes: &[Scope],
) -> ApiResult<Vec<i64>> {
    let (scope, ids) =
        policy::check_scope_and_teams(scope, team_ids, allowed_scopes).map_err(|r| match r {
            policy::ScopeRefusal::InvalidScope => ApiError::new(ErrorCode::InvalidScope),
            policy::ScopeRefusal::Invalid(message) => ApiError::invalid(message),
        })?;
    if scope != Scope::Team {
        return Ok(ids);
    }
    let found = state
        .store
        .existing_teams(auth.org_id(), ids.clone())
        .await?;
    if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
        return Err(ApiError::invalid(format!(
            "team {missing} does not exist in this organization"
        )));
    }
    Ok(ids)
}

/// Length in characters, as Cliq counts "maximum length".
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}
