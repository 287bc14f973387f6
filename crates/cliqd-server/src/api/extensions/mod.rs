//! Extensions API (v3): install and upgrade an extension registered with
//! `cliqd extensions create`, and its properties (digest §7, §15). Every call carries the
//! extension key (`extension_key`, `EXTENSION_KEY` or `appkey`); property calls may carry it
//! alone, install and upgrade also need a user's OAuth token.

mod installation;
mod properties;

use super::{AuthMode, Endpoint, add_rate_headers};
use crate::auth::{AuthContext, hash_secret};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::extension_key;
use crate::ratelimit::{Limit, RateStatus};
use crate::state::AppState;
use axum::Router;
use axum::http::{Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{ExtensionRow, StoreError};

const INSTALL_PATH: &str = "/api/v3/extensions/{extension_id}/installation";
const PROPERTIES_PATH: &str = "/api/v3/extensions/{extension_id}/properties";
const PROPERTY_PATH: &str = "/api/v3/extensions/{extension_id}/properties/{key}";
const PROPERTIES: Limit = Limit::per_min(30, 300);

pub const INSTALL: Endpoint = Endpoint {
    name: "extensions.install",
    method: Method::POST,
    path: INSTALL_PATH,
    scope: "extensions.create",
    limit: Limit::per_min(10, 300),
    auth: AuthMode::Token,
};
pub const UPGRADE: Endpoint = Endpoint {
    name: "extensions.upgrade",
    method: Method::PUT,
    path: INSTALL_PATH,
    scope: "extensions.update",
    limit: Limit::per_min(10, 600),
    auth: AuthMode::Token,
};
pub const SET_PROPERTIES: Endpoint = Endpoint {
    name: "extensions.properties.set",
    method: Method::PATCH,
    path: PROPERTIES_PATH,
    scope: "extensions.update",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrHandler,
};
pub const GET_PROPERTIES: Endpoint = Endpoint {
    name: "extensions.properties.list",
    method: Method::GET,
    path: PROPERTIES_PATH,
    scope: "extensions.read",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrHandler,
};
pub const GET_PROPERTY: Endpoint = Endpoint {
    name: "extensions.properties.get",
    method: Method::GET,
    path: PROPERTY_PATH,
    scope: "extensions.read",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrHandler,
};
pub const DELETE_PROPERTY: Endpoint = Endpoint {
    name: "extensions.properties.delete",
    method: Method::DELETE,
    path: PROPERTY_PATH,
    scope: "extensions.update",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrHandler,
};

pub const ENDPOINTS: &[&Endpoint] = &[
    &INSTALL,
    &UPGRADE,
    &SET_PROPERTIES,
    &GET_PROPERTIES,
    &GET_PROPERTY,
    &DELETE_PROPERTY,
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            INSTALL_PATH,
            post(installation::install).put(installation::upgrade),
        )
        .route(
            PROPERTIES_PATH,
            get(properties::get_many).patch(properties::set),
        )
        .route(
            PROPERTY_PATH,
            get(properties::get_one).delete(properties::delete),
        )
}

/// Resolves `raw_id`, checks the extension key of `uri` and, with a token, that the extension
/// belongs to the caller's organization. Unknown IDs and other organizations' extensions get
/// the same 404, so nothing leaks across organizations. Key-only requests are rate-limited
/// here, per extension as a user would be (the guard limits token requests); their status
/// lands in `rate` for [`respond`].
async fn authorize(
    state: &AppState,
    auth: Option<&AuthContext>,
    uri: &Uri,
    raw_id: &str,
    endpoint: &'static Endpoint,
    rate: &mut Option<RateStatus>,
) -> ApiResult<ExtensionRow> {
    let id = cliqd_core::ids::parse_component_id(raw_id, "")
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let key = extension_key(uri).ok_or_else(|| {
        ApiError::invalid("extension_key is required (also accepted as EXTENSION_KEY or appkey)")
    })?;
    let ext = match state.store.get_extension(id).await {
        Ok(ext) => ext,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::NotFound)),
        Err(e) => return Err(e.into()),
    };
    if auth.is_some_and(|a| a.org_id() != ext.org_id) {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    if hash_secret(&key) != ext.key_hash {
        return Err(ApiError::new(ErrorCode::Unauthorized));
    }
    if auth.is_none() {
        *rate = state.limiter.check(-ext.id, endpoint.name, endpoint.limit);
        if let Some(retry) = rate.and_then(|r| r.retry_after) {
            return Err(ApiError {
                retry_after: Some(retry),
                ..ApiError::new(ErrorCode::TooManyRequests)
            });
        }
    }
    Ok(ext)
}

/// Renders a handler's result, adding the key-only rate-limit headers when there are some.
fn respond(result: ApiResult<Response>, rate: Option<RateStatus>) -> Response {
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => e.into_response(),
    };
    if let Some(r) = rate {
        add_rate_headers(&mut resp, r);
    }
    resp
}
