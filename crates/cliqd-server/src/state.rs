//! Shared application state handed to every handler.

use crate::api::EndpointTable;
use crate::config::Config;
use crate::ratelimit::RateLimiter;
use crate::token_cache::TokenCache;
use cliqd_runtime::Engine;
use cliqd_store::Store;
use std::sync::Arc;

/// Shared application state handed to every handler: one [`Arc`], so each request clones and
/// drops one reference count rather than one per part.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

/// The parts of [`AppState`], reached through it by `Deref`.
pub struct AppStateInner {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    pub limiter: Arc<RateLimiter>,
    pub tokens: Arc<TokenCache>,
    pub(crate) endpoints: Arc<EndpointTable>,
    /// The handler engine (its outbox loop runs once the server is started).
    pub engine: Engine,
    /// Random bytes for the ids the server shows (seeded in seeded dev runs).
    pub(crate) random: Arc<crate::random::Random>,
    /// The wire text of recent chat events, shared by every WebSocket connection.
    pub(crate) rendered: Arc<crate::api::messaging::realtime::RenderedEvents>,
    /// Rendered newest pages of get-messages, by chat.
    pub(crate) pages: crate::api::messaging::page_cache::PageCache,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: Config) -> Self {
        let engine = Engine::new(store.clone(), crate::config::engine_config(&config));
        AppState(Arc::new(AppStateInner {
            engine,
            limiter: Arc::new(RateLimiter::new(
                config.rate_limits,
                config.rate_limit_time_divisor,
            )),
            tokens: Arc::new(TokenCache::default()),
            random: Arc::new(crate::random::Random::new(config.seed)),
            pages: crate::api::messaging::page_cache::PageCache::new(config.page_cache_bytes),
            store,
            config: Arc::new(config),
            endpoints: Arc::new(crate::api::endpoint_table()),
            rendered: Arc::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateInner;

    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}
