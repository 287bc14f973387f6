//! The dev endpoints (`cliqd serve --dev` only; 404 otherwise): reset the whole server to the
//! demo organization, and save, list and restore snapshots — what a CI job calls between
//! tests. An organization admin's token is needed (any scopes): they act on the whole store,
//! every organization in it.
//!
//! - `POST /cliqd/dev/reset` — back to the `initial` snapshot (first start's demo
//!   organization, same admin token), or a new demo organization when there is none.
//! - `GET /cliqd/dev/snapshots` — the snapshots saved.
//! - `POST /cliqd/dev/snapshots/{name}` — save the store as `name`.
//! - `POST /cliqd/dev/snapshots/{name}/restore` — put snapshot `name` back.
//!
//! After a reset or restore the server drops what it cached from the old content (tokens,
//! parsed handler programs) and the handler engine reads pending triggers from storage again.

use super::{Endpoint, envelope};
use crate::admin::{self, ResetOutcome};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::CliqPath;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use cliqd_store::{SnapshotInfo, StoreError};
use serde_json::{Value, json};

/// No OAuth scope names these operations: any token of an organization admin will do.
const ANY_SCOPE: &str = "";

const fn dev_endpoint(name: &'static str, method: Method, path: &'static str) -> Endpoint {
    Endpoint::new(name, method, path, ANY_SCOPE, Limit::per_min(600, 60))
}

pub const RESET: Endpoint = dev_endpoint("dev.reset", Method::POST, "/cliqd/dev/reset");
pub const LIST: Endpoint = dev_endpoint("dev.snapshots.list", Method::GET, "/cliqd/dev/snapshots");
pub const SAVE: Endpoint = dev_endpoint(
    "dev.snapshots.save",
    Method::POST,
    "/cliqd/dev/snapshots/{name}",
);
pub const RESTORE: Endpoint = dev_endpoint(
    "dev.snapshots.restore",
    Method::POST,
    "/cliqd/dev/snapshots/{name}/restore",
);

pub const ENDPOINTS: &[&Endpoint] = &[&RESET, &LIST, &SAVE, &RESTORE];

/// The dev routes: present only in dev mode (elsewhere they are unknown URLs, 404).
pub fn routes(dev: bool) -> Router<AppState> {
    if !dev {
        return Router::new();
    }
    Router::new()
        .route(RESET.path, post(reset))
        .route(LIST.path, get(list))
        .route(SAVE.path, post(save))
        .route(RESTORE.path, post(restore))
}

fn require_admin(auth: &AuthContext) -> ApiResult<()> {
    if auth.is_admin() {
        Ok(())
    } else {
        Err(ApiError::with_message(
            ErrorCode::Forbidden,
            "only an organization admin can reset the server or save and restore snapshots",
        ))
    }
}

fn check_name(name: &str) -> ApiResult<()> {
    cliqd_store::check_snapshot_name(name).map_err(ApiError::invalid)
}

fn snapshot_json(s: &SnapshotInfo) -> Value {
    json!({"name": s.name, "bytes": s.bytes, "saved_time": s.saved_at})
}

/// Drops what the server cached from the store's previous content.
fn forget_caches(state: &AppState) {
    state.tokens.clear();
    // Not needed for correctness (a restore moves every page version on), but the pages
    // held describe content that is gone.
    state.pages.clear();
    state.random.restart();
    state.engine.store_replaced();
}

async fn reset(State(state): State<AppState>, auth: AuthContext) -> ApiResult<Response> {
    require_admin(&auth)?;
    let outcome = admin::reset(
        state.store.as_ref(),
        &state.config.data_dir,
        state.config.seed,
    )
    .await;
    // Whatever happened to the content, the caches may describe the old one.
    forget_caches(&state);
    let data = match outcome? {
        ResetOutcome::Restored => json!({"restored": admin::INITIAL_SNAPSHOT}),
        ResetOutcome::Recreated(demo) => json!({
            "recreated": true,
            "org_id": demo.org.id.to_string(),
            "admin_token_file": state.config.data_dir.join("admin.token").display().to_string(),
        }),
    };
    tracing::info!(user = auth.user.id, "the server was reset");
    Ok(envelope(RESET.path, "reset", data).into_response())
}

async fn list(State(state): State<AppState>, auth: AuthContext) -> ApiResult<Response> {
    require_admin(&auth)?;
    let all = state.store.list_snapshots().await?;
    let data: Vec<Value> = all.iter().map(snapshot_json).collect();
    Ok(envelope(LIST.path, "snapshots", Value::Array(data)).into_response())
}

async fn save(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(name): CliqPath<String>,
) -> ApiResult<Response> {
    require_admin(&auth)?;
    check_name(&name)?;
    let info = state.store.save_snapshot(&name).await?;
    tracing::info!(user = auth.user.id, snapshot = %name, "saved a snapshot");
    Ok(envelope(
        &format!("/cliqd/dev/snapshots/{name}"),
        "snapshot",
        snapshot_json(&info),
    )
    .into_response())
}

async fn restore(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(name): CliqPath<String>,
) -> ApiResult<Response> {
    require_admin(&auth)?;
    check_name(&name)?;
    let restored = state.store.restore_snapshot(&name).await;
    if !matches!(restored, Err(StoreError::NotFound)) {
        forget_caches(&state);
    }
    restored.map_err(|e| match e {
        StoreError::NotFound => ApiError::new(ErrorCode::SnapshotNotFound),
        e => e.into(),
    })?;
    tracing::info!(user = auth.user.id, snapshot = %name, "restored a snapshot");
    Ok(envelope(
        &format!("/cliqd/dev/snapshots/{name}/restore"),
        "snapshot",
        json!({"restored": name}),
    )
    .into_response())
}
