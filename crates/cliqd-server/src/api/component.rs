//! What the component areas share beyond visibility: lookups that answer the area's
//! `*_not_found`, permission checks with its `*_permission_denied`, attribute parsing, the
//! common fields of component objects and scope/team updates.

use super::{can_modify, can_see, check_scope_and_teams};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::state::AppState;
use cliqd_store::{ComponentPatch, ComponentRow, ConflictOn, StoreError};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// [`can_modify`], refused with the area's `*_permission_denied` code.
pub fn ensure_can_modify(
    auth: &AuthContext,
    row: &ComponentRow,
    denied: ErrorCode,
) -> ApiResult<()> {
    if can_modify(auth, row) {
        Ok(())
    } else {
        Err(ApiError::new(denied))
    }
}

/// The component a lookup found, if `auth` may see it; otherwise (absent, another
/// organization's, not visible) the area's `*_not_found` code.
pub async fn visible_or(
    state: &AppState,
    auth: &AuthContext,
    found: Result<ComponentRow, StoreError>,
    not_found: ErrorCode,
) -> ApiResult<ComponentRow> {
    let row = match found {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Err(ApiError::new(not_found)),
        Err(e) => return Err(e.into()),
    };
    if !can_see(state, auth, &row).await? {
        return Err(ApiError::new(not_found));
    }
    Ok(row)
}

/// Saves an update, mapping a taken name to the area's `*_name_already_exists` and a vanished
/// row to its `*_not_found`.
pub async fn save_update(
    state: &AppState,
    id: i64,
    patch: ComponentPatch,
    name_taken: ErrorCode,
    not_found: ErrorCode,
) -> ApiResult<ComponentRow> {
    match state.store.update_component(id, patch).await {
        Ok(row) => Ok(row),
        Err(StoreError::Conflict(ConflictOn::Name)) => Err(ApiError::new(name_taken)),
        Err(StoreError::NotFound) => Err(ApiError::new(not_found)),
        Err(e) => Err(e.into()),
    }
}

/// Deletes a component `auth` may modify (checked by the caller), mapping a vanished row to
/// the area's `*_not_found`.
pub async fn delete_row(
    state: &AppState,
    auth: &AuthContext,
    kind: &str,
    row: &ComponentRow,
    not_found: ErrorCode,
) -> ApiResult<()> {
    match state
        .store
        .delete_component(auth.org_id(), kind, row.id)
        .await
    {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound) => Err(ApiError::new(not_found)),
        Err(e) => Err(e.into()),
    }
}

/// Resolves a numeric component id from a path to a component of `kind` that `auth` may see.
pub async fn find_by_id(
    state: &AppState,
    auth: &AuthContext,
    kind: &str,
    raw_id: &str,
    not_found: ErrorCode,
) -> ApiResult<ComponentRow> {
    let found = match crate::extract::parse_id(raw_id, "") {
        Some(id) => state.store.get_component(auth.org_id(), kind, id).await,
        None => Err(StoreError::NotFound),
    };
    visible_or(state, auth, found, not_found).await
}

/// A component's kind-specific attributes; a row that does not parse is a server fault.
pub fn parse_attrs<T: DeserializeOwned>(row: &ComponentRow) -> ApiResult<T> {
    serde_json::from_value(row.attrs.clone()).map_err(|e| {
        tracing::error!(error = %e, id = row.id, kind = %row.kind, "corrupt component attributes");
        ApiError::new(ErrorCode::Internal)
    })
}

/// Adds what every custom component object carries: `scope` (and `team_ids` for team scope),
/// `creator`, `status` and `type`.
pub fn add_common_fields(obj: &mut Map<String, Value>, row: &ComponentRow) {
    obj.insert("scope".into(), row.scope.clone().into());
    if row.scope == "team" {
        obj.insert("team_ids".into(), serde_json::json!(row.team_ids));
    }
    obj.insert(
        "creator".into(),
        serde_json::json!({"name": row.creator_name, "id": row.creator_id.to_string()}),
    );
    obj.insert("status".into(), "enabled".into());
    obj.insert("type".into(), "custom".into());
}

/// An update's `scope`/`team_ids` for `row`: `None` when neither was sent; otherwise the new
/// scope and teams, checked by [`check_scope_and_teams`]. Changing only the scope to `team`
/// needs `team_ids`; sending only `team_ids` keeps the scope; keeping the scope without new
/// teams keeps the current ones.
pub async fn patch_scope_and_teams(
    state: &AppState,
    auth: &AuthContext,
    row: &ComponentRow,
    scope: Option<&str>,
    team_ids: Option<&[Value]>,
    allowed_scopes: &[&str],
) -> ApiResult<Option<(String, Vec<i64>)>> {
    if scope.is_none() && team_ids.is_none() {
        return Ok(None);
    }
    let scope = scope.unwrap_or(&row.scope).to_string();
    let current: Vec<Value>;
    let teams = match (team_ids, scope == row.scope) {
        (Some(t), _) => Some(t),
        (None, true) => {
            current = row.team_ids.iter().map(|t| serde_json::json!(t)).collect();
            Some(current.as_slice())
        }
        (None, false) => None,
    };
    let ids = check_scope_and_teams(state, auth, &scope, teams, allowed_scopes).await?;
    Ok(Some((scope, ids)))
}
