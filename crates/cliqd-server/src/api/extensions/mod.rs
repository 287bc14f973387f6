//! Extensions API (v3): install and upgrade an extension registered with
//! `cliqd extensions create`, and its properties (<https://www.zoho.com/cliq/help/restapi/v3/extensions/>). Every call carries the
//! extension key (`extension_key`, `EXTENSION_KEY` or `appkey`); property calls may carry it
//! alone, install and upgrade also need a user's OAuth token.

mod installation;
mod properties;

use super::guard::Caller;
use super::{AuthMode, Endpoint};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::http::{Method, Uri};
use axum::routing::{get, post};
use cliqd_store::ExtensionRow;

const INSTALL_PATH: &str = "/api/v3/extensions/{extension_id}/installation";
const PROPERTIES_PATH: &str = "/api/v3/extensions/{extension_id}/properties";
const PROPERTY_PATH: &str = "/api/v3/extensions/{extension_id}/properties/{key}";
const PROPERTIES: Limit = Limit::per_min(30, 300);

pub const INSTALL: Endpoint = Endpoint::new(
    "extensions.install",
    Method::POST,
    INSTALL_PATH,
    "extensions.create",
    Limit::per_min(10, 300),
);
pub const UPGRADE: Endpoint = Endpoint::new(
    "extensions.upgrade",
    Method::PUT,
    INSTALL_PATH,
    "extensions.update",
    Limit::per_min(10, 600),
);
pub const SET_PROPERTIES: Endpoint = Endpoint::with_auth(
    "extensions.properties.set",
    Method::PATCH,
    PROPERTIES_PATH,
    "extensions.update",
    PROPERTIES,
    AuthMode::TokenOrExtensionKey,
);
pub const GET_PROPERTIES: Endpoint = Endpoint::with_auth(
    "extensions.properties.list",
    Method::GET,
    PROPERTIES_PATH,
    "extensions.read",
    PROPERTIES,
    AuthMode::TokenOrExtensionKey,
);
pub const GET_PROPERTY: Endpoint = Endpoint::with_auth(
    "extensions.properties.get",
    Method::GET,
    PROPERTY_PATH,
    "extensions.read",
    PROPERTIES,
    AuthMode::TokenOrExtensionKey,
);
pub const DELETE_PROPERTY: Endpoint = Endpoint::with_auth(
    "extensions.properties.delete",
    Method::DELETE,
    PROPERTY_PATH,
    "extensions.update",
    PROPERTIES,
    AuthMode::TokenOrExtensionKey,
);

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
    super::guard::extension_with_key(state, id, uri, Some(auth.org_id())).await
}
