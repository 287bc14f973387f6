//! The web client: `GET /` and `GET /web/{*path}` serve the files embedded by `cliqd-web`
//! (with entity tags, so a browser revalidates instead of downloading again), and "sign in
//! as" for developers: `GET /web/session/users` lists the demo organization's users and
//! `POST /web/session/sign-in-as` mints a short-lived token with every scope for one of them.
//! Both answer only while [`Config::sign_in_as_allowed`](crate::config::Config::sign_in_as_allowed)
//! (a loopback address, or `web_sign_in_as`); otherwise `403 sign_in_as_disabled`. Everything
//! else the client does goes through the API and its guard with the token it holds.

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::CliqJson;
use crate::state::AppState;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use cliqd_store::{StoreError, UserRow};
use serde::Deserialize;
use serde_json::{Value, json};

/// How long a token minted by "sign in as" lives.
const SIGN_IN_AS_TTL_SECS: i64 = 12 * 3600;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(index))
        .route("/web/session/users", get(demo_users))
        .route("/web/session/sign-in-as", post(sign_in_as))
        .route("/web/{*path}", get(file))
}

async fn index(headers: HeaderMap) -> Response {
    serve(cliqd_web::INDEX, &headers)
}

async fn file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    serve(&path, &headers)
}

/// One embedded file: `304` when the browser's copy is current, else the bytes. Browsers
/// revalidate every time (`no-cache`): a new binary serves new files at once.
fn serve(path: &str, headers: &HeaderMap) -> Response {
    let Some(asset) = cliqd_web::asset(path) else {
        return ApiError::new(ErrorCode::NotFound).into_response();
    };
    let etag = HeaderValue::from_str(&asset.etag).ok();
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = asset.bytes.into_owned().into_response();
        if let Ok(ct) = HeaderValue::from_str(&asset.content_type) {
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        r
    };
    let h = response.headers_mut();
    if let Some(etag) = etag {
        h.insert(header::ETAG, etag);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(policy) = HeaderValue::from_str(cliqd_web::content_security_policy()) {
        h.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// Whether the request names this machine in `Host`: `localhost` (or a subdomain of it) or an
/// IP literal. Allowed by the loopback address alone, "sign in as" also requires this, so a web
/// page whose own domain resolves to 127.0.0.1 (DNS rebinding) cannot mint tokens through a
/// visitor's browser.
fn host_is_local(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.parse::<std::net::IpAddr>().is_ok()
}

/// The organization "sign in as" offers: the first one (first start's demo organization).
async fn demo_org_users(state: &AppState, headers: &HeaderMap) -> ApiResult<Vec<UserRow>> {
    let allowed = state.config.web_sign_in_as
        || (state.config.sign_in_as_allowed() && host_is_local(headers));
    if !allowed {
        return Err(ApiError::new(ErrorCode::SignInAsDisabled));
    }
    let orgs = state.store.list_orgs().await?;
    let Some(org) = orgs.iter().min_by_key(|o| o.id) else {
        return Ok(Vec::new());
    };
    Ok(state.store.users_of_org(org.id).await?)
}

fn user_json(u: &UserRow) -> Value {
    json!({"id": u.id.to_string(), "name": u.name, "email": u.email, "is_admin": u.is_admin})
}

async fn demo_users(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let users = demo_org_users(&state, &headers).await?;
    let data: Vec<Value> = users.iter().map(user_json).collect();
    Ok(Json(json!({"data": data})).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SignInAs {
    email: Option<String>,
}

async fn sign_in_as(
    State(state): State<AppState>,
    headers: HeaderMap,
    CliqJson(body): CliqJson<SignInAs>,
) -> ApiResult<Response> {
    let users = demo_org_users(&state, &headers).await?;
    let email = body
        .email
        .filter(|e| !e.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("email is required"))?;
    let Some(user) = users
        .iter()
        .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
    else {
        return Err(ApiError::with_message(
            ErrorCode::UserNotFound,
            "No user of the demo organization has this email",
        ));
    };
    let token = match crate::admin::create_token(
        state.store.as_ref(),
        user.id,
        &crate::auth::ALL_SCOPES.join(","),
        Some(SIGN_IN_AS_TTL_SECS),
    )
    .await
    {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Err(ApiError::new(ErrorCode::UserNotFound)),
        Err(e) => return Err(e.into()),
    };
    tracing::info!(user = %user.email, "web client signed in as a demo user");
    Ok(Json(json!({
        "access_token": token,
        "expires_in": SIGN_IN_AS_TTL_SECS,
        "user": user_json(user),
    }))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(header::HOST, HeaderValue::from_str(h).unwrap());
        m
    }

    #[test]
    fn only_hosts_that_name_this_machine_are_local() {
        for h in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "app.localhost:1",
            "[::1]:8080",
            "10.0.0.5",
        ] {
            assert!(host_is_local(&host(h)), "{h}");
        }
        for h in [
            "evil.example:8080",
            "example.com",
            "localhost.example.com",
            "127.0.0.1.nip.io",
        ] {
            assert!(!host_is_local(&host(h)), "{h}");
        }
        assert!(!host_is_local(&HeaderMap::new()));
    }
}
