//! The cliqd HTTP server: routing, auth, errors, rate limits and the platform APIs. The only crate that knows HTTP serving.
//!
//! The server is backend-neutral: [`start`] serves the store it is handed in a [`Backend`]
//! (`Arc<dyn Store>` plus how to close it). Choosing and opening a backend is the caller's
//! job: the `cliqd` binary's `--database`, or a test's helper. Real-time delivery reads the
//! store's event feed (`cliqd_store::EventBus`); rate-limit counters sit behind
//! [`ratelimit::RateCounters`].

mod access_log;
pub mod admin;
mod api;
mod auth;
pub mod config;
mod error;
mod extract;
mod listen;
mod oauth;
mod pagination;
mod random;
pub mod ratelimit;
mod state;
mod token_cache;
mod web;

pub use state::AppState;

use crate::error::{ApiError, ErrorCode};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::Store;
use config::Config;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    let body_timeout = state.config.body_read_timeout;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/oauth/v2/token", post(oauth::token))
        .route("/oauth/v2/token/revoke", post(oauth::revoke))
        .route(api::webhooks::RESPONSE_ROUTE, post(api::webhooks::deferred))
        .merge(api::router(state.clone()))
        .merge(web::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(RequestBodyTimeoutLayer::new(body_timeout))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(access_log::log_request))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok"
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound)
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(ErrorCode::MethodNotAllowed)
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("handler panicked");
    ApiError::new(ErrorCode::Internal).into_response()
}

/// Why a server could not start or stopped. Each message is complete: the cause is part of
/// it, never a separate `source` that a caller printing the chain would repeat.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot set up the demo organization: {0}")]
    Store(cliqd_store::StoreError),
    #[error("cannot listen on {0}: {reason}", reason = bind_reason(.1))]
    Bind(SocketAddr, std::io::Error),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

impl From<cliqd_store::StoreError> for ServerError {
    fn from(e: cliqd_store::StoreError) -> Self {
        ServerError::Store(e)
    }
}

fn bind_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => {
            "the port is in use (another cliqd or another program listens there; choose another \
             address with --bind)"
                .to_string()
        }
        std::io::ErrorKind::AddrNotAvailable => {
            "the address is not one of this machine's (check --bind)".to_string()
        }
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (ports below 1024 need privileges)".to_string()
        }
        _ => e.to_string(),
    }
}

/// The store a server runs on. The caller opens it (the binary picks the backend from
/// `--database`); the server never knows which backend it is.
pub struct Backend {
    pub store: Arc<dyn Store>,
    /// Called once when the server stops: the backend finishes its queued writes and releases
    /// what it holds (its lock on the data directory, say).
    pub close: Box<dyn FnOnce() + Send + Sync>,
}

/// A server running in the background (used by `cliqd serve` and by the tests).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// Set on first start: the demo organization and its admin token.
    pub demo: Option<admin::Demo>,
    close: Option<Box<dyn FnOnce() + Send + Sync>>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish and closes the store.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = (&mut self.task).await.unwrap_or(Ok(()));
        self.close_store();
        result
    }

    /// Serves until `signal` completes (then shuts down gracefully) or the server fails.
    pub async fn run_until(
        mut self,
        signal: impl std::future::Future<Output = ()>,
    ) -> Result<(), ServerError> {
        tokio::select! {
            () = signal => self.shutdown().await,
            r = &mut self.task => {
                self.close_store();
                r.unwrap_or(Ok(()))
            }
        }
    }

    fn close_store(&mut self) {
        if let Some(close) = self.close.take() {
            close();
        }
    }
}

/// Serves `backend`'s store (creating the demo organization on first start, its credentials
/// written to `config.data_dir`): binds `config.bind` and serves in the background. The
/// backend is closed when the server stops, or here if it cannot start.
pub async fn start(config: Config, backend: Backend) -> Result<RunningServer, ServerError> {
    let Backend { store, close } = backend;
    match serve(config, store).await {
        Ok(mut server) => {
            server.close = Some(close);
            Ok(server)
        }
        Err(e) => {
            close();
            Err(e)
        }
    }
}

async fn serve(config: Config, store: Arc<dyn Store>) -> Result<RunningServer, ServerError> {
    // Bind first: a start that cannot listen (the port is taken) creates nothing, so the
    // next start is still the first one and shows the demo organization's token.
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| ServerError::Bind(config.bind, e))?;
    let demo = admin::ensure_demo(store.as_ref(), &config.data_dir, config.seed).await?;
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    let mut config = config;
    config.bind = addr;
    let state = AppState::new(store, config);
    // Pending handler triggers (from before a restart too) run from here on.
    let engine_task = state.engine.start();
    let (tx, rx) = oneshot::channel::<()>();
    let app = app(state.clone());
    let header_timeout = state.config.header_read_timeout;
    let task = tokio::spawn(async move {
        let served = listen::serve(listener, app, header_timeout, rx)
            .await
            .map_err(ServerError::Serve);
        engine_task.abort();
        served
    });
    tracing::info!(%addr, "cliqd listening");
    Ok(RunningServer {
        addr,
        state,
        demo,
        close: None,
        shutdown: Some(tx),
        task,
    })
}
