//! Installing and upgrading an extension in the caller's organization, at organization scope
//! or for up to 4 teams (<https://www.zoho.com/cliq/help/restapi/v3/extensions/>, <https://www.zoho.com/cliq/help/restapi/v3/bots/>).
//!
//! cliqd keeps no extension versions: an installation always runs the extension as it is now,
//! so an upgrade only re-applies it and may widen its scope from teams to the organization.

use super::authorize;
use crate::api::check_scope_and_teams;
use crate::api::guard::Caller;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqJson, CliqPath};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_core::Scope;
use cliqd_store::{ConflictOn, InstallationRow, StoreError};
use serde::Deserialize;
use serde_json::Value;

const SCOPES: &[Scope] = &[Scope::Organization, Scope::Team];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct InstallBody {
    scope: Option<String>,
    team_ids: Option<Vec<Value>>,
}

/// The `scope` member: required, organization or team.
fn check_scope(body: &InstallBody) -> ApiResult<String> {
    let scope = body
        .scope
        .clone()
        .ok_or_else(|| ApiError::invalid("scope is required: organization or team"))?;
    if !scope.parse().is_ok_and(|s: Scope| SCOPES.contains(&s)) {
        return Err(ApiError::invalid(format!(
            "scope `{scope}` is invalid: organization or team"
        )));
    }
    Ok(scope)
}

/// Checks `scope` and `team_ids`; returns the scope and the (deduplicated, existing) teams.
async fn check_target(
    state: &AppState,
    auth: &AuthContext,
    body: &InstallBody,
    default_teams: Option<&[i64]>,
) -> ApiResult<(String, Vec<i64>)> {
    let scope = check_scope(body)?;
    let kept: Option<Vec<Value>> = match (&body.team_ids, default_teams) {
        (None, Some(teams)) if scope == "team" => {
            Some(teams.iter().map(|t| Value::from(*t)).collect())
        }
        _ => None,
    };
    let teams = body.team_ids.as_deref().or(kept.as_deref());
    let ids = check_scope_and_teams(state, auth, &scope, teams, SCOPES).await?;
    Ok((scope, ids))
}

/// Organization scope needs an organization admin ("requires admin consent"); team scope an
/// admin or a member of every team involved (those asked for and those already covered).
async fn may_install(
    state: &AppState,
    auth: &AuthContext,
    scope: &str,
    teams: &[i64],
) -> ApiResult<()> {
    if auth.is_admin() {
        return Ok(());
    }
    let mine = state.store.teams_of_user(auth.user.id).await?;
    if scope == "team" && teams.iter().all(|t| mine.contains(t)) {
        return Ok(());
    }
    Err(ApiError::with_message(
        ErrorCode::ExtensionInstallRestricted,
        if scope == "organization" {
            "only an organization admin can install an extension for the whole organization"
        } else {
            "you can install an extension only for teams you are a member of"
        },
    ))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `POST …/installation`: installs, or re-installs with the new scope and teams. Installing at
/// organization scope what is already installed there is `extension_already_installed`.
pub(super) async fn install(
    State(state): State<AppState>,
    auth: AuthContext,
    caller: Caller,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<InstallBody>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    let (scope, team_ids) = check_target(&state, &auth, &body, None).await?;
    let current = state.store.installation(ext.id, auth.org_id()).await?;
    let mut involved = team_ids.clone();
    match &current {
        Some(cur) if cur.scope == "organization" && scope == "organization" => {
            return Err(ApiError::with_message(
                ErrorCode::ExtensionAlreadyInstalled,
                "the extension is already installed for the whole organization",
            ));
        }
        // Re-installing for teams takes it away from the rest of the organization.
        Some(cur) if cur.scope == "organization" => involved.clear(),
        Some(cur) => involved.extend(&cur.team_ids),
        None => {}
    }
    let need_scope = match &current {
        Some(cur) if cur.scope == "organization" => "organization",
        _ => scope.as_str(),
    };
    may_install(&state, &auth, need_scope, &involved).await?;
    let now = now_ms();
    let row = InstallationRow {
        extension_id: ext.id,
        org_id: auth.org_id(),
        scope,
        team_ids,
        installed_by: auth.user.id,
        installed_at: now,
        updated_at: now,
    };
    let written = match current {
        Some(_) => state.store.update_installation(row).await,
        None => {
            if state.store.count_installations(auth.org_id()).await?
                >= state.config.max_components_per_org
            {
                return Err(ApiError::new(ErrorCode::ExtensionPlanLimitExceeded));
            }
            state.store.insert_installation(row).await
        }
    };
    match written {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        // A concurrent install got there first.
        Err(StoreError::Conflict(ConflictOn::Installation)) => {
            Err(ApiError::new(ErrorCode::ExtensionAlreadyInstalled))
        }
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::ExtensionErrorNotInstalled)),
        Err(e) => Err(e.into()),
    }
}

/// `PUT …/installation`: upgrades a team installation, keeping its teams (or taking new ones
/// from `team_ids`) or widening it to the organization. An organization-scope installation
/// has nothing to upgrade: `extension_already_installed`, as the upgrade page documents.
pub(super) async fn upgrade(
    State(state): State<AppState>,
    auth: AuthContext,
    caller: Caller,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
    CliqJson(body): CliqJson<InstallBody>,
) -> ApiResult<Response> {
    let ext = authorize(&state, &caller, &uri, &id).await?;
    let Some(current) = state.store.installation(ext.id, auth.org_id()).await? else {
        return Err(ApiError::with_message(
            ErrorCode::ExtensionErrorNotInstalled,
            "the extension is not installed in this organization; install it first",
        ));
    };
    if current.scope == "organization" {
        check_scope(&body)?;
        return Err(ApiError::with_message(
            ErrorCode::ExtensionAlreadyInstalled,
            "the extension is already installed at organization scope",
        ));
    }
    let (scope, team_ids) = check_target(&state, &auth, &body, Some(&current.team_ids)).await?;
    let mut involved = team_ids.clone();
    involved.extend(&current.team_ids);
    may_install(&state, &auth, &scope, &involved).await?;
    let row = InstallationRow {
        scope,
        team_ids,
        updated_at: now_ms(),
        ..current
    };
    match state.store.update_installation(row).await {
        Ok(_) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(StoreError::NotFound) => Err(ApiError::new(ErrorCode::ExtensionErrorNotInstalled)),
        Err(e) => Err(e.into()),
    }
}
