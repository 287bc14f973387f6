//! Extensions API (v3): install and upgrade an extension registered with
//! `cliqd extensions create`, and its properties (<https://www.zoho.com/cliq/help/restapi/v3/extensions/>). Every call carries the
//! extension key (`extension_key`, `EXTENSION_KEY` or `appkey`); property calls may carry it
//! alone, install and upgrade also need a user's OAuth token.

mod installation;
mod properties;

use super::guard::Caller;
use super::{AuthMode, Endpoint};
use crate::auth::hash_secret;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::extension_key;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::http::{Method, Uri};
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
    auth: AuthMode::TokenOrExtensionKey,
};
pub const GET_PROPERTIES: Endpoint = Endpoint {
    name: "extensions.properties.list",
    method: Method::GET,
    path: PROPERTIES_PATH,
    scope: "extensions.read",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrExtensionKey,
};
pub const GET_PROPERTY: Endpoint = Endpoint {
    name: "extensions.properties.get",
    method: Method::GET,
    path: PROPERTY_PATH,
    scope: "extensions.read",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrExtensionKey,
};
pub const DELETE_PROPERTY: Endpoint = Endpoint {
    name: "extensions.properties.delete",
    method: Method::DELETE,
    path: PROPERTY_PATH,
    scope: "extensions.update",
    limit: PROPERTIES,
    auth: AuthMode::TokenOrExtensionKey,
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

/// The extension `raw_id` names, for `caller`. An extension calling with its key alone was
/// resolved (key checked, rate-limited) by the guard. A user must also send the extension's
/// key, and the extension must belong to their organization: unknown IDs and other
/// organizations' extensions get the same 404, so nothing leaks across organizations.
async fn authorize(
    state: &AppState,
    caller: &Caller,
    uri: &Uri,
    raw_id: &str,
) -> ApiResult<ExtensionRow> {
    let id = cliqd_core::ids::parse_component_id(raw_id, "")
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let auth = match caller {
        Caller::Extension(ext) if ext.id == id => return Ok(ext.as_ref().clone()),
        Caller::Extension(_) => return Err(ApiError::new(ErrorCode::NotFound)),
        Caller::User(auth) => auth,
    };
    let key = extension_key(uri).ok_or_else(|| {
        ApiError::invalid("extension_key is required (also accepted as EXTENSION_KEY or appkey)")
    })?;
    let ext = match state.store.get_extension(id).await {
        Ok(ext) => ext,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::NotFound)),
        Err(e) => return Err(e.into()),
    };
    if auth.org_id() != ext.org_id {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    if hash_secret(&key) != ext.key_hash {
        return Err(ApiError::new(ErrorCode::Unauthorized));
    }
    Ok(ext)
}
