//! Authentication and authorization: OAuth access tokens (stored hashed), Zoho scopes with their
//! case and prefix variants, and the per-request [`AuthContext`].

use crate::error::{ApiError, ErrorCode};
use crate::token_cache::TokenCache;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use cliqd_store::{StoreError, TokenKind, UserRow};
use rand::Rng;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Who is calling: the token's user, organization and granted scopes. Cheap to clone: a
/// request's context is copied out of the token cache and into the handler.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub user: Arc<UserRow>,
    /// Normalized scopes (see [`normalize_scope`]).
    pub scopes: Arc<[String]>,
}

impl AuthContext {
    pub fn org_id(&self) -> i64 {
        self.user.org_id
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin
    }

    /// The caller as the domain service layer's actor.
    pub fn actor(&self) -> cliqd_service::Actor {
        cliqd_service::Actor::new(self.user.clone())
    }

    /// True when one of the token's scopes grants `required` (`"bots.create"`, normalized).
    /// An empty `required` (cliqd's own dev endpoints, which no Cliq scope names) is granted
    /// to every token.
    pub fn has_scope(&self, required: &str) -> bool {
        if required.is_empty() {
            return true;
        }
        let (area, _) = required.split_once('.').unwrap_or((required, ""));
        self.scopes.iter().any(|s| {
            s == required || s == "all" || s.strip_suffix(".all").is_some_and(|a| a == area)
        })
    }
}

/// Handlers take `AuthContext` as an extractor; the guard middleware has put it in place.
impl<S: Send + Sync> FromRequestParts<S> for AuthContext {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        parts
            .extensions
            .get::<AuthContext>()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))
    }
}

/// `Option<AuthContext>` for [`crate::api::AuthMode::TokenOrHandler`] endpoints.
impl<S: Send + Sync> axum::extract::OptionalFromRequestParts<S> for AuthContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<AuthContext>().cloned())
    }
}

/// Lower-cases a scope and drops the `ZohoCliq.` prefix, so `ZohoCliq.Bots.CREATE`,
/// `zohocliq.bots.create` and `Bots.CREATE` all mean the same (Zoho's pages disagree).
pub fn normalize_scope(s: &str) -> String {
    let lower = s.trim().to_ascii_lowercase();
    match lower.strip_prefix("zohocliq.") {
        Some(rest) => rest.to_string(),
        None => lower,
    }
}

/// Splits a scope list as Zoho writes it (comma or space separated).
pub fn parse_scopes(list: &str) -> Vec<String> {
    list.split([',', ' '])
        .filter(|s| !s.trim().is_empty())
        .map(normalize_scope)
        .collect()
}

/// Every scope cliqd knows, as written in the OpenAPI documents; the demo admin token gets all.
pub const ALL_SCOPES: &[&str] = &[
    "ZohoCliq.Bots.CREATE",
    "ZohoCliq.Bots.READ",
    "ZohoCliq.Bots.UPDATE",
    "ZohoCliq.Bots.DELETE",
    "ZohoCliq.Functions.CREATE",
    "ZohoCliq.Functions.READ",
    "ZohoCliq.Functions.UPDATE",
    "ZohoCliq.Functions.DELETE",
    "ZohoCliq.MessageActions.CREATE",
    "ZohoCliq.MessageActions.READ",
    "ZohoCliq.MessageActions.UPDATE",
    "ZohoCliq.MessageActions.DELETE",
    "ZohoCliq.Extensions.CREATE",
    "ZohoCliq.Extensions.READ",
    "ZohoCliq.Extensions.UPDATE",
    "ZohoCliq.Extensions.DELETE",
    "ZohoCliq.Commands.CREATE",
    "ZohoCliq.Commands.READ",
    "ZohoCliq.Commands.UPDATE",
    "ZohoCliq.Commands.DELETE",
    "ZohoCliq.Webhooks.CREATE",
    "ZohoCliq.Webhooks.UPDATE",
    "ZohoCliq.BotMessages.CREATE",
    "ZohoCliq.Messages.CREATE",
    "ZohoCliq.Messages.READ",
    "ZohoCliq.Messages.UPDATE",
    "ZohoCliq.Messages.DELETE",
    "ZohoCliq.Channels.CREATE",
    "ZohoCliq.Channels.READ",
    "ZohoCliq.Channels.UPDATE",
    "ZohoCliq.Chats.CREATE",
    "ZohoCliq.Chats.READ",
    "ZohoCliq.Chats.UPDATE",
    "ZohoCliq.Chats.DELETE",
    "ZohoCliq.Datastores.CREATE",
    "ZohoCliq.Datastores.READ",
    "ZohoCliq.Datastores.UPDATE",
    "ZohoCliq.Datastores.DELETE",
    "ZohoCliq.DatastoreRecords.CREATE",
    "ZohoCliq.DatastoreRecords.READ",
    "ZohoCliq.DatastoreRecords.UPDATE",
    "ZohoCliq.DatastoreRecords.DELETE",
];

/// SHA-256 of a secret, hex-encoded: how tokens and client secrets are stored.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A new secret in Zoho's token shape: `1000.<32 hex>.<32 hex>`.
pub fn new_token_secret() -> String {
    let mut rng = rand::rng();
    let a: [u8; 16] = rng.random();
    let b: [u8; 16] = rng.random();
    format!("1000.{}.{}", hex::encode(a), hex::encode(b))
}

/// The token from `Authorization: Zoho-oauthtoken T` or `Authorization: Bearer T`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    let ok =
        scheme.eq_ignore_ascii_case("zoho-oauthtoken") || scheme.eq_ignore_ascii_case("bearer");
    (ok && !token.is_empty()).then_some(token)
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Resolves an access token to its context; 401 for missing, unknown, expired or revoked.
/// Successful lookups are served from `cache` for a few seconds (see [`crate::token_cache`]).
pub async fn authenticate(
    store: &dyn cliqd_store::Store,
    cache: &TokenCache,
    token: Option<&str>,
) -> Result<AuthContext, ApiError> {
    let token = token
        .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized).logged("no access token given"))?;
    let hash = hash_secret(token);
    let now = now_secs();
    if let Some(auth) = cache.get(&hash, now) {
        return Ok(auth);
    }
    let (row, user) = match store.token_by_hash(&hash).await {
        Ok(found) => found,
        Err(StoreError::NotFound) => {
            return Err(ApiError::new(ErrorCode::Unauthorized).logged("unknown access token"));
        }
        Err(e) => return Err(e.into()),
    };
    let expired = row.expires_at.is_some_and(|t| t <= now);
    let refused = if row.revoked {
        Some("the access token was revoked")
    } else if expired {
        Some("the access token has expired")
    } else if row.kind != TokenKind::Access {
        Some("a refresh token was sent where an access token is needed")
    } else {
        None
    };
    if let Some(why) = refused {
        return Err(ApiError::new(ErrorCode::Unauthorized).logged(why));
    }
    let auth = AuthContext {
        user: Arc::new(user),
        scopes: parse_scopes(&row.scopes).into(),
    };
    cache.insert(hash, auth.clone(), row.expires_at);
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_variants_match() {
        let ctx = AuthContext {
            user: Arc::new(UserRow {
                id: 1,
                org_id: 1,
                email: "a@b".into(),
                name: "A".into(),
                is_admin: false,
            }),
            scopes: parse_scopes("zohocliq.messageactions.READ,Bots.CREATE ZohoCliq.Functions.ALL")
                .into(),
        };
        assert!(ctx.has_scope("messageactions.read"));
        assert!(ctx.has_scope("bots.create"));
        assert!(ctx.has_scope("functions.delete"));
        assert!(!ctx.has_scope("bots.read"));
    }

    #[test]
    fn bearer_schemes() {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            "Zoho-oauthtoken abc".parse().unwrap(),
        );
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "bearer xyz".parse().unwrap());
        assert_eq!(bearer_token(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, "Basic xyz".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
    }
}
