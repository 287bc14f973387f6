//! The cliqd HTTP server: routing, auth, errors, rate limits and the platform APIs. The only crate that knows HTTP serving.

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod oauth;
pub mod pagination;
pub mod ratelimit;
pub mod state;
pub mod token_cache;

use crate::error::{ApiError, ErrorCode};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::SqliteStore;
use config::Config;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP application for `state`.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/oauth/v2/token", post(oauth::token))
        .route("/oauth/v2/token/revoke", post(oauth::revoke))
        .merge(api::router(state.clone()))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TraceLayer::new_for_http())
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

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot open the store: {0}")]
    Store(#[from] cliqd_store::StoreError),
    #[error("cannot bind {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("server failed: {0}")]
    Serve(std::io::Error),
}

/// A server running in the background (used by `cliqd serve` and by the tests).
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    /// Set on first start: the demo organization and its admin token.
    pub demo: Option<admin::Demo>,
    store: SqliteStore,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish and closes the store.
    pub async fn shutdown(mut self) -> Result<(), ServerError> {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let result = self.task.await.unwrap_or(Ok(()));
        self.store.close();
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
                self.store.close();
                r.unwrap_or(Ok(()))
            }
        }
    }
}

/// Opens the store in `config.data_dir` (creating the demo organization on first start),
/// binds `config.bind` and serves in the background.
pub async fn start(config: Config) -> Result<RunningServer, ServerError> {
    let store = SqliteStore::open(&config.data_dir)?;
    let demo = admin::ensure_demo(&store, &config.data_dir).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| ServerError::Bind(config.bind, e))?;
    let addr = listener.local_addr().map_err(ServerError::Serve)?;
    let mut config = config;
    config.bind = addr;
    let state = AppState::new(Arc::new(store.clone()), config);
    let (tx, rx) = oneshot::channel::<()>();
    let app = app(state.clone());
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
            .map_err(ServerError::Serve)
    });
    tracing::info!(%addr, "cliqd listening");
    Ok(RunningServer {
        addr,
        state,
        demo,
        store,
        shutdown: Some(tx),
        task,
    })
}
