//! In-memory cache of authenticated access tokens, so a request does not read its token from
//! the database.
//!
//! Only successful lookups are cached, keyed by the token's hash, for at most [`TTL`] (and never
//! past the token's own expiry). A revocation through this server clears the cache at once; the
//! TTL bounds how long a change made behind the server's back (another process writing the
//! database, such as the admin CLI) can go unseen. The map is bounded: when full it is cleared
//! rather than grown.

use crate::auth::AuthContext;
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a cached token is trusted without looking at the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// At most this many tokens are cached.
const MAX_ENTRIES: usize = 50_000;

struct Entry {
    auth: AuthContext,
    cached_at: Instant,
    /// The token's own expiry (Unix seconds), if it has one.
    expires_at: Option<i64>,
}

#[derive(Default)]
pub struct TokenCache {
    map: RwLock<HashMap<String, Entry>>,
}

impl TokenCache {
    /// The cached context for `hash`, if it is fresh and the token has not expired.
    pub fn get(&self, hash: &str, now_secs: i64) -> Option<AuthContext> {
        let map = self.map.read().ok()?;
        let e = map.get(hash)?;
        let fresh = e.cached_at.elapsed() < TTL && e.expires_at.is_none_or(|t| t > now_secs);
        fresh.then(|| e.auth.clone())
    }

    pub fn insert(&self, hash: String, auth: AuthContext, expires_at: Option<i64>) {
        let Ok(mut map) = self.map.write() else {
            return;
        };
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(
            hash,
            Entry {
                auth,
                cached_at: Instant::now(),
                expires_at,
            },
        );
    }

    /// Forgets every cached token: called on any revocation, which is rare.
    pub fn clear(&self) {
        if let Ok(mut map) = self.map.write() {
            map.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cliqd_store::UserRow;

    fn ctx() -> AuthContext {
        AuthContext {
            user: std::sync::Arc::new(UserRow {
                id: 7,
                org_id: 1,
                email: "a@b".into(),
                name: "A".into(),
                is_admin: false,
            }),
            scopes: vec!["messages.create".to_string()].into(),
        }
    }

    #[test]
    fn hit_expiry_and_clear() {
        let cache = TokenCache::default();
        cache.insert("h".into(), ctx(), Some(100));
        assert_eq!(cache.get("h", 99).map(|a| a.user.id), Some(7));
        assert!(cache.get("h", 100).is_none(), "expired token is not served");
        assert!(cache.get("other", 0).is_none());
        cache.insert("n".into(), ctx(), None);
        assert!(cache.get("n", i64::MAX).is_some());
        cache.clear();
        assert!(cache.get("n", 0).is_none());
    }
}
