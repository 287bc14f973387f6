//! `POST /oauth/v2/token`, compatible with Zoho Accounts: `refresh_token` and
//! `client_credentials` grants for clients registered with `cliqd clients add`, plus
//! `POST /oauth/v2/token/revoke`. Like Zoho, failures answer `{"error": "…"}`.

use crate::auth::{hash_secret, new_token_secret, normalize_scope, now_secs};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use cliqd_store::{NewToken, StoreError, TokenKind};
use serde_json::json;
use std::collections::HashMap;

/// Lifetime of access tokens issued here, as Zoho's.
pub const ACCESS_TOKEN_SECS: i64 = 3600;

fn oauth_error(code: &str) -> Response {
    // Zoho Accounts answers token errors with 200 and an `error` field; clients check for it.
    (StatusCode::OK, Json(json!({ "error": code }))).into_response()
}

/// Zoho accepts the parameters in the query string or the form body; the body wins.
fn params(query: Option<String>, body: &[u8]) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = HashMap::new();
    if let Some(q) = query {
        map.extend(url::form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    map.extend(url::form_urlencoded::parse(body).into_owned());
    map
}

pub async fn token(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let p = params(query, &body);
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client_id), Some(secret)) = (get("client_id"), get("client_secret")) else {
        return oauth_error("invalid_client");
    };
    let client = match state.store.client_by_id(client_id).await {
        Ok(c) if c.secret_hash == hash_secret(secret) => c,
        Ok(_) => return oauth_error("invalid_client_secret"),
        Err(StoreError::NotFound) => return oauth_error("invalid_client"),
        Err(e) => {
            tracing::error!(error = %e, "token endpoint store error");
            return oauth_error("server_error");
        }
    };
    let (user_id, scopes) = match get("grant_type") {
        Some("refresh_token") => {
            let Some(refresh) = get("refresh_token") else {
                return oauth_error("invalid_code");
            };
            match state.store.token_by_hash(&hash_secret(refresh)).await {
                Ok((row, _))
                    if row.kind == TokenKind::Refresh
                        && !row.revoked
                        && row.client_id.as_deref() == Some(client_id) =>
                {
                    (row.user_id, row.scopes)
                }
                _ => return oauth_error("invalid_code"),
            }
        }
        Some("client_credentials") => {
            let allowed: Vec<String> = client
                .scopes
                .split([',', ' '])
                .map(normalize_scope)
                .collect();
            let requested = get("scope").unwrap_or(&client.scopes).to_string();
            let ok = requested
                .split([',', ' '])
                .filter(|s| !s.is_empty())
                .all(|s| allowed.contains(&normalize_scope(s)));
            if !ok {
                return oauth_error("invalid_scope");
            }
            (client.user_id, requested)
        }
        _ => return oauth_error("unsupported_grant_type"),
    };
    let access = new_token_secret();
    let stored = state
        .store
        .insert_token(NewToken {
            hash: hash_secret(&access),
            user_id,
            kind: TokenKind::Access,
            scopes: scopes.clone(),
            expires_at: Some(now_secs() + ACCESS_TOKEN_SECS),
            client_id: Some(client_id.to_string()),
        })
        .await;
    if let Err(e) = stored {
        tracing::error!(error = %e, "cannot store access token");
        return oauth_error("server_error");
    }
    Json(json!({
        "access_token": access,
        "scope": scopes,
        "api_domain": format!("http://{}", state.config.bind),
        "token_type": "Bearer",
        "expires_in": ACCESS_TOKEN_SECS,
    }))
    .into_response()
}

pub async fn revoke(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let p = params(query, &body);
    if let Some(t) = p.get("token") {
        // Revoking an unknown token is not an error, as with Zoho.
        let _ = state.store.revoke_token(&hash_secret(t)).await;
        state.tokens.clear();
    }
    (StatusCode::OK, Json(json!({"status": "success"}))).into_response()
}
