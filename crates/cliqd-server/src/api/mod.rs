//! The platform APIs: one module per resource area, plus what they share: the endpoint table
//! (scope and rate limit per route), the guard middleware, envelopes and visibility rules.

pub mod bots;
pub mod component;
pub mod execution;
pub mod extensions;
pub mod functions;
pub mod message_actions;
pub mod messaging;

use crate::auth::{AuthContext, authenticate, bearer_token};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ratelimit::{Limit, RateStatus};
use crate::state::AppState;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cliqd_core::{Scope, policy};
use cliqd_store::{ComponentRow, UserRow};
use serde_json::{Map, Value};
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

/// How the guard authenticates an endpoint's requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    /// An OAuth token is required (401 without one).
    Token,
    /// An OAuth token is used if sent; otherwise the request reaches the handler without an
    /// `AuthContext` (take `Option<AuthContext>`) and the handler authenticates it itself, e.g.
    /// by extension key ([`crate::extract::extension_key`]). Not rate-limited by the guard then.
    TokenOrHandler,
}

/// Every area's endpoints. A new area adds its `ENDPOINTS` here and its `routes()` in [`router`].
fn all_endpoints() -> impl Iterator<Item = &'static Endpoint> {
    [
        bots::ENDPOINTS,
        functions::ENDPOINTS,
        message_actions::ENDPOINTS,
        extensions::ENDPOINTS,
        messaging::ENDPOINTS,
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
        .route_layer(axum::middleware::from_fn_with_state(state, guard))
}

/// Authenticates, rate-limits and scope-checks a request for its endpoint, then adds the
/// `X-RateLimit-*` headers to whatever the handler answers.
async fn guard(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    mut req: Request,
    next: Next,
) -> Response {
    let method = if req.method() == Method::HEAD {
        Method::GET
    } else {
        req.method().clone()
    };
    let Some(endpoint) = matched.and_then(|m| state.endpoints.get(&(method, m.as_str())).copied())
    else {
        tracing::error!(path = %req.uri().path(), "route without an endpoint entry");
        return ApiError::new(ErrorCode::Internal).into_response();
    };
    let token = bearer_token(req.headers());
    if token.is_none() && endpoint.auth == AuthMode::TokenOrHandler {
        return next.run(req).await;
    }
    let auth = match authenticate(state.store.as_ref(), &state.tokens, token).await {
        Ok(a) => a,
        Err(e) => return e.into_response(),
    };
    let rate = state
        .limiter
        .check(auth.user.id, endpoint.name, endpoint.limit);
    let mut response = if let Some(retry) = rate.and_then(|r| r.retry_after) {
        ApiError {
            retry_after: Some(retry),
            ..ApiError::new(ErrorCode::TooManyRequests)
        }
        .into_response()
    } else if !auth.has_scope(endpoint.scope) {
        ApiError::new(ErrorCode::InvalidOauthScope).into_response()
    } else {
        req.extensions_mut().insert(auth);
        next.run(req).await
    };
    if let Some(r) = rate {
        add_rate_headers(&mut response, r);
    }
    response
}

pub(crate) fn add_rate_headers(resp: &mut Response, r: RateStatus) {
    let h = resp.headers_mut();
    for (name, value) in [
        ("x-ratelimit-limit", r.limit as u64),
        ("x-ratelimit-remaining", r.remaining as u64),
        ("x-ratelimit-reset", r.reset_secs),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            h.insert(name, v);
        }
    }
}

/// `{"url": …, "type": …, "data": {…}}`.
pub fn envelope(url: &str, kind: &str, data: Value) -> Json<Value> {
    Json(serde_json::json!({ "url": url, "type": kind, "data": data }))
}

/// A user as member and subscriber lists show one: `{"user_id", "email_id", "name"}`.
pub fn member_json(u: &UserRow) -> Value {
    serde_json::json!({"user_id": u.id.to_string(), "email_id": u.email, "name": u.name})
}

/// A list envelope with the paging fields of `page`.
pub fn list_envelope(
    url: &str,
    kind: &str,
    data: Vec<Value>,
    page: &crate::pagination::Page,
) -> Json<Value> {
    let mut obj = Map::new();
    obj.insert("url".into(), url.into());
    obj.insert("type".into(), kind.into());
    page.envelope_fields(&mut obj);
    obj.insert("data".into(), Value::Array(data));
    Json(Value::Object(obj))
}

/// Who `auth` is, for the core's [`policy`] functions.
pub fn viewer(auth: &AuthContext) -> policy::Viewer {
    policy::Viewer {
        org_id: auth.org_id(),
        user_id: auth.user.id,
        is_admin: auth.is_admin(),
    }
}

/// What visibility depends on in `row`. A scope the core does not know (never written by
/// cliqd) is read as personal: only the creator sees the component.
pub fn component_facts(row: &ComponentRow) -> policy::ComponentFacts<'_> {
    policy::ComponentFacts {
        org_id: row.org_id,
        creator_id: row.creator_id,
        scope: row.scope.parse().unwrap_or(Scope::Personal),
        team_ids: &row.team_ids,
    }
}

/// Whether `auth` may see `row` ([`policy::can_see`]); the viewer's teams are read only when
/// the answer depends on them.
pub async fn can_see(state: &AppState, auth: &AuthContext, row: &ComponentRow) -> ApiResult<bool> {
    let (viewer, facts) = (viewer(auth), component_facts(row));
    let teams = if policy::needs_teams(&viewer, &facts) {
        state.store.teams_of_user(auth.user.id).await?
    } else {
        Vec::new()
    };
    Ok(policy::can_see(&viewer, &facts, &teams))
}

/// Update and delete need the creator or an organization admin ([`policy::can_modify`]).
pub fn can_modify(auth: &AuthContext, row: &ComponentRow) -> bool {
    policy::can_modify(&viewer(auth), &component_facts(row))
}

/// Checks `scope`/`team_ids` as bots, message actions, commands and extensions share them
/// (digest §16.1, [`policy::check_scope_and_teams`]), then that the teams exist in the
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
