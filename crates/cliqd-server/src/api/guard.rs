//! The one guard every API request passes: it finds the credential the endpoint accepts,
//! resolves it into a [`Caller`], rate-limits under a typed key, checks the scope and adds the
//! `X-RateLimit-*` headers — exactly once, whatever the credential.
//!
//! Credential kinds (declared per endpoint by its [`AuthMode`]):
//! - an OAuth access token in `Authorization: Zoho-oauthtoken …` or `Bearer …` (every endpoint);
//! - an OAuth access token offered as the WebSocket subprotocol `cliqd.token.<token>` beside
//!   `cliqd` (browsers cannot set headers on a WebSocket; this keeps the token out of URLs and
//!   logs), or in `?access_token=` (the WebSocket);
//! - a webhook token `?zapikey=` (the v2 posting endpoints): the caller is the token's owner,
//!   granted `webhooks.create` only;
//! - the extension key (`extension_key`, `EXTENSION_KEY` or `appkey`) of the extension named in
//!   the path (extension properties): the caller is the extension itself.
//!
//! A web session would be one more [`Credential`] resolved here.

use super::{AuthMode, Endpoint};
use crate::auth::{AuthContext, authenticate, bearer_token, hash_secret};
use crate::error::{ApiError, ErrorCode};
use crate::extract::extension_key;
use crate::ratelimit::{RateKey, RateStatus};
use crate::state::AppState;
use axum::RequestExt;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cliqd_store::{ExtensionRow, StoreError};
use std::sync::Arc;

/// A kind of credential a request can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// An OAuth access token in the `Authorization` header.
    OAuth,
    /// An OAuth access token offered as the WebSocket subprotocol `cliqd.token.<token>`.
    ProtocolToken,
    /// An OAuth access token in `?access_token=`.
    QueryToken,
    /// A webhook token in `?zapikey=`.
    WebhookToken,
    /// An extension key, for the extension named in the path.
    ExtensionKey,
}

impl AuthMode {
    /// The credentials an endpoint of this mode accepts, in the order the guard looks for them.
    pub const fn credentials(self) -> &'static [Credential] {
        match self {
            AuthMode::Token => &[Credential::OAuth],
            AuthMode::TokenOrQueryToken => &[
                Credential::OAuth,
                Credential::ProtocolToken,
                Credential::QueryToken,
            ],
            AuthMode::TokenOrWebhookToken => &[Credential::OAuth, Credential::WebhookToken],
            AuthMode::TokenOrExtensionKey => &[Credential::OAuth, Credential::ExtensionKey],
        }
    }
}

/// Who is calling, as the guard resolved it.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A user, through an OAuth token (header or query) or a webhook token.
    User(AuthContext),
    /// An extension, through its key alone.
    Extension(Arc<ExtensionRow>),
}

impl Caller {
    /// The user behind the call, if a user is calling.
    pub fn user(&self) -> Option<&AuthContext> {
        match self {
            Caller::User(auth) => Some(auth),
            Caller::Extension(_) => None,
        }
    }

    /// The key its requests are counted under.
    fn rate_key(&self) -> RateKey {
        match self {
            Caller::User(auth) => RateKey::User(auth.user.id),
            Caller::Extension(ext) => RateKey::Extension(ext.id),
        }
    }
}

/// Handlers take `Caller` as an extractor; the guard has put it in place.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }
}

/// The query parameter `name`, when present and not empty.
fn query_param(uri: &Uri, name: &str) -> Option<String> {
    url::form_urlencoded::parse(uri.query()?.as_bytes())
        .find(|(k, v)| k == name && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

/// The prefix of the WebSocket subprotocol that carries an access token.
pub const TOKEN_PROTOCOL_PREFIX: &str = "cliqd.token.";

/// The token offered as a `cliqd.token.<token>` WebSocket subprotocol, if any.
fn protocol_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL_PREFIX))
        .filter(|t| !t.is_empty())
}

/// Resolves the request's credential among those `endpoint` accepts. An `Authorization` header
/// always wins (a bad one is refused even if another credential is present); without one, the
/// endpoint's other credentials are tried in order. No credential at all is a 401, except on
/// endpoints that accept an extension key, where the key is what is missing (as Cliq says).
async fn resolve(
    state: &AppState,
    endpoint: &Endpoint,
    req: &mut Request,
) -> Result<Caller, ApiError> {
    if let Some(token) = bearer_token(req.headers()) {
        let auth = authenticate(state.store.as_ref(), &state.tokens, Some(token)).await?;
        return Ok(Caller::User(auth));
    }
    for credential in endpoint.auth.credentials() {
        match credential {
            Credential::OAuth => {}
            Credential::ProtocolToken => {
                if let Some(token) = protocol_token(req.headers()) {
                    let auth =
                        authenticate(state.store.as_ref(), &state.tokens, Some(token)).await?;
                    return Ok(Caller::User(auth));
                }
            }
            Credential::QueryToken => {
                if let Some(token) = query_param(req.uri(), "access_token") {
                    let auth =
                        authenticate(state.store.as_ref(), &state.tokens, Some(&token)).await?;
                    return Ok(Caller::User(auth));
                }
            }
            Credential::WebhookToken => {
                if let Some(key) = query_param(req.uri(), "zapikey") {
                    return webhook_token_caller(state, &key).await;
                }
            }
            Credential::ExtensionKey => {
                let path = req.extract_parts::<RawPathParams>().await.ok();
                return extension_caller(state, req.uri(), path.as_ref()).await;
            }
        }
    }
    Err(ApiError::new(ErrorCode::Unauthorized))
}

/// The owner of a webhook token, who may post (`webhooks.create`) only.
async fn webhook_token_caller(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let user = match state.store.webhook_token_user(&hash_secret(key)).await {
        Ok(u) => u,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::Unauthorized)),
        Err(e) => return Err(e.into()),
    };
    Ok(Caller::User(AuthContext {
        user: Arc::new(user),
        scopes: vec!["webhooks.create".to_string()].into(),
    }))
}

/// The extension named by the path's `extension_id`, when the request carries its key.
async fn extension_caller(
    state: &AppState,
    uri: &Uri,
    path: Option<&RawPathParams>,
) -> Result<Caller, ApiError> {
    let id = path
        .and_then(|p| p.iter().find(|(k, _)| *k == "extension_id").map(|(_, v)| v))
        .and_then(|raw| cliqd_core::ids::parse_component_id(raw, ""))
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let ext = extension_with_key(state, id, uri, None).await?;
    Ok(Caller::Extension(Arc::new(ext)))
}

/// Extension `id`, checked against the extension key `uri` carries. Unknown ids (and, with
/// `org`, another organization's extensions) get 404 before the key is compared, so nothing
/// leaks across organizations; a wrong key is 401 and a missing one `invalid_inputs`.
pub(crate) async fn extension_with_key(
    state: &AppState,
    id: i64,
    uri: &Uri,
    org: Option<i64>,
) -> Result<ExtensionRow, ApiError> {
    let key = extension_key(uri).ok_or_else(|| {
        ApiError::invalid("extension_key is required (also accepted as EXTENSION_KEY or appkey)")
    })?;
    let ext = match state.store.get_extension(id).await {
        Ok(ext) => ext,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::NotFound)),
        Err(e) => return Err(e.into()),
    };
    if org.is_some_and(|o| o != ext.org_id) {
        return Err(ApiError::new(ErrorCode::NotFound));
    }
    if hash_secret(&key) != ext.key_hash {
        return Err(ApiError::new(ErrorCode::Unauthorized));
    }
    Ok(ext)
}

/// Authenticates, rate-limits and scope-checks a request for its endpoint, then adds the
/// `X-RateLimit-*` headers to whatever the handler answers.
pub(super) async fn guard(
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
    let route = crate::access_log::LogRoute(endpoint.path);
    let caller = match resolve(&state, endpoint, &mut req).await {
        Ok(c) => c,
        Err(e) => {
            let mut response = e.into_response();
            response.extensions_mut().insert(route);
            return response;
        }
    };
    let log_user = match &caller {
        Caller::User(auth) => crate::access_log::LogUser(auth.user.email.clone()),
        Caller::Extension(ext) => crate::access_log::LogUser(format!("extension:{}", ext.id)),
    };
    let rate = state
        .limiter
        .check(caller.rate_key(), endpoint.name, endpoint.limit);
    let mut response = if let Some(retry) = rate.and_then(|r| r.retry_after) {
        ApiError {
            retry_after: Some(retry),
            ..ApiError::new(ErrorCode::TooManyRequests)
        }
        .into_response()
    } else if caller
        .user()
        .is_some_and(|auth| !auth.has_scope(endpoint.scope))
    {
        ApiError::with_message(
            ErrorCode::InvalidOauthScope,
            format!(
                "The access token does not have the OAuth scope this API requires: {}",
                wire_scope(endpoint.scope)
            ),
        )
        .into_response()
    } else {
        if let Some(auth) = caller.user() {
            req.extensions_mut().insert(auth.clone());
        }
        req.extensions_mut().insert(caller);
        next.run(req).await
    };
    if let Some(r) = rate {
        add_rate_headers(&mut response, r);
    }
    response.extensions_mut().insert(log_user);
    response.extensions_mut().insert(route);
    response
}

/// A normalized scope (`bots.create`) as a token lists it (`ZohoCliq.Bots.CREATE`).
fn wire_scope(scope: &'static str) -> &'static str {
    crate::auth::ALL_SCOPES
        .iter()
        .find(|s| crate::auth::normalize_scope(s) == scope)
        .copied()
        .unwrap_or(scope)
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
