//! The component descriptor and what the component areas (bots, functions, message actions)
//! share through it: lookups that answer the area's `*_not_found`, permission checks with its
//! `*_permission_denied`, attributes (from `cliqd_core::attrs`), creation under the
//! organization's cap, updates and deletes with the area's codes, list pages (with every
//! row's handlers read at once), the common fields of component objects and scope/team
//! updates. An area declares one [`Descriptor`] and implements [`Area`]; the generic
//! [`list`], [`get`] and [`delete`] handlers serve it as they are.

use super::{can_modify, char_len, check_scope_and_teams, envelope};
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{CliqPath, CliqQuery};
use crate::pagination::{Page, PageParams, PageSpec, list_components};
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cliqd_core::attrs::ComponentAttrs;
use cliqd_core::catalog::{self, HandlerSpec};
use cliqd_core::{ComponentKind, Scope, policy};
use cliqd_store::{
    ComponentPatch, ComponentRow, ConflictOn, HandlerRow, ListQuery, NewComponent, NewHandler,
    StoreError,
};
use serde_json::{Map, Value};

use super::Endpoint;

/// The error codes of one component area.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCodes {
    pub not_found: ErrorCode,
    pub permission_denied: ErrorCode,
    pub name_taken: ErrorCode,
    pub limit_exceeded: ErrorCode,
}

/// What the shared code needs to know about a component area.
#[derive(Debug)]
pub struct Descriptor {
    pub kind: ComponentKind,
    /// The prefix its ids may carry in paths (`b-` for bots).
    pub id_prefix: &'static str,
    /// Whether a path may name it by its unique name (bots).
    pub unique_names: bool,
    /// The kind in messages: singular (`message action`) and plural (`message actions`).
    pub singular: &'static str,
    pub plural: &'static str,
    /// The scopes a component may have, and the one it gets when none is sent.
    pub scopes: &'static [Scope],
    pub default_scope: Scope,
    pub pages: PageSpec,
    /// Whether a list reply carries `total_count` (functions).
    pub total_count: bool,
    /// Longest `name`.
    pub max_name: usize,
    /// Longest `execution_url`, where the schema bounds it.
    pub max_url_chars: Option<usize>,
    /// Added to the refusal of a handler type it does not have, after the generic sentence.
    pub handler_types_hint: &'static str,
    /// What to do instead, in the refusal of an update that changes a handler's `type`.
    pub type_change_hint: &'static str,
    pub codes: ErrorCodes,
}

/// A component area: its descriptor, its stored attributes and its object's JSON shape.
pub trait Area: Send + Sync + 'static {
    const D: &'static Descriptor;
    type Attrs: ComponentAttrs + Send;

    /// The component object of `row` with these attributes and handlers.
    fn render(row: &ComponentRow, attrs: &Self::Attrs, handlers: &[HandlerRow]) -> Value;
}

/// A token-authenticated component endpoint with the areas' 5-minute lock.
pub const fn endpoint(
    name: &'static str,
    method: Method,
    path: &'static str,
    scope: &'static str,
    per_min: u32,
) -> Endpoint {
    Endpoint::new(name, method, path, scope, Limit::per_min(per_min, 300))
}

impl Descriptor {
    /// A `name`: not blank, at most [`Descriptor::max_name`] characters; stored trimmed.
    pub fn check_name(&self, name: &str) -> ApiResult<String> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ApiError::invalid("name must not be empty"));
        }
        if char_len(name) > self.max_name {
            return Err(ApiError::invalid(format!(
                "name can be at most {} characters",
                self.max_name
            )));
        }
        Ok(name.to_string())
    }

    /// The handler of this kind the API calls `name`, or `invalid_inputs` naming the kind.
    pub fn handler(&self, name: &str) -> ApiResult<&'static HandlerSpec> {
        catalog::find(self.kind, name).ok_or_else(|| {
            ApiError::invalid(format!(
                "`{name}` is not a {} handler type{}",
                self.singular, self.handler_types_hint
            ))
        })
    }

    /// Refuses with the area's `*_permission_denied` unless `auth` may change `row`.
    pub fn ensure_can_modify(&self, auth: &AuthContext, row: &ComponentRow) -> ApiResult<()> {
        if can_modify(auth, row) {
            Ok(())
        } else {
            Err(ApiError::new(self.codes.permission_denied))
        }
    }

    /// Maps a store failure of a component operation: `NotFound` to `*_not_found`, a
    /// `Conflict` (a taken name) to `*_name_already_exists`.
    pub fn store_error(&self, e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::new(self.codes.not_found),
            StoreError::Conflict(ConflictOn::Name | ConflictOn::UniqueName) => {
                ApiError::new(self.codes.name_taken)
            }
            e => e.into(),
        }
    }

    /// The scope of a new component (`scope` when sent, else the default) and its teams.
    pub async fn create_scope(
        &self,
        state: &AppState,
        auth: &AuthContext,
        scope: Option<&str>,
        team_ids: Option<&[Value]>,
    ) -> ApiResult<(Scope, Vec<i64>)> {
        let scope = scope.unwrap_or(self.default_scope.as_str());
        let teams = check_scope_and_teams(state, auth, scope, team_ids, self.scopes).await?;
        // check_scope_and_teams accepted it, so it parses.
        Ok((scope.parse().unwrap_or(self.default_scope), teams))
    }
}

/// A required body field: `invalid_inputs` naming it when absent.
pub fn required<'a>(value: Option<&'a str>, field: &str) -> ApiResult<&'a str> {
    value.ok_or_else(|| ApiError::invalid(format!("{field} is required")))
}

/// A free-text field (`description`, `hint`): not blank, at most `max` characters; stored as
/// sent.
pub fn check_text(field: &str, value: &str, max: usize) -> ApiResult<String> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(format!("{field} must not be empty")));
    }
    if char_len(value) > max {
        return Err(ApiError::invalid(format!(
            "{field} can be at most {max} characters"
        )));
    }
    Ok(value.to_string())
}

/// Resolves a path segment (a numeric id, with the area's prefix if it has one, or for bots
/// a unique name) to a component `auth` may see.
pub async fn find(
    state: &AppState,
    auth: &AuthContext,
    d: &Descriptor,
    raw: &str,
) -> ApiResult<ComponentRow> {
    cliqd_service::find_component(
        state.store.as_ref(),
        &auth.actor(),
        d.kind,
        d.id_prefix,
        d.unique_names,
        raw,
    )
    .await?
    .ok_or_else(|| ApiError::new(d.codes.not_found))
}

/// A component's attributes; a row that does not read is a server fault.
pub fn attrs_of<A: ComponentAttrs>(row: &ComponentRow) -> ApiResult<A> {
    A::from_stored(&row.attrs).map_err(|e| {
        tracing::error!(error = %e, id = row.id, kind = %row.kind, "corrupt component attributes");
        ApiError::new(ErrorCode::Internal)
    })
}

/// Attributes as the store keeps them.
pub fn stored<A: ComponentAttrs>(attrs: &A) -> ApiResult<Value> {
    attrs.to_stored().map_err(|e| {
        tracing::error!(error = %e, "component attributes do not serialize");
        ApiError::new(ErrorCode::Internal)
    })
}

/// A component `auth` may see and change, with its attributes.
pub async fn find_for_write<A: Area>(
    state: &AppState,
    auth: &AuthContext,
    raw: &str,
) -> ApiResult<(ComponentRow, A::Attrs)> {
    let row = find(state, auth, A::D, raw).await?;
    A::D.ensure_can_modify(auth, &row)?;
    let attrs = attrs_of(&row)?;
    Ok((row, attrs))
}

/// What a new component is made of besides its attributes.
#[derive(Debug)]
pub struct NewParts {
    pub name: String,
    /// Bots: what the unique name is derived from.
    pub unique_name_base: Option<String>,
    pub scope: Scope,
    pub team_ids: Vec<i64>,
}

/// Creates a component (with its default handler, if it has one) under the organization's
/// cap: `*_creation_limit_exceeded` when full, `*_name_already_exists` on a taken name.
pub async fn create<A: Area>(
    state: &AppState,
    auth: &AuthContext,
    parts: NewParts,
    attrs: &A::Attrs,
    default: Option<&HandlerSpec>,
) -> ApiResult<(ComponentRow, Vec<HandlerRow>)> {
    let d = A::D;
    let kind = d.kind.as_str();
    if state.store.count_components(auth.org_id(), kind).await?
        >= state.config.max_components_per_org
    {
        return Err(ApiError::new(d.codes.limit_exceeded));
    }
    let new = NewComponent {
        org_id: auth.org_id(),
        kind: kind.into(),
        name: parts.name,
        unique_name_base: parts.unique_name_base,
        creator_id: auth.user.id,
        scope: parts.scope.as_str().into(),
        team_ids: parts.team_ids,
        attrs: stored(attrs)?,
    };
    let created = match default {
        Some(spec) => {
            let handlers: Vec<NewHandler> = vec![super::execution::default_handler(spec)];
            state
                .store
                .create_component_with_handlers(new, handlers)
                .await
        }
        None => state.store.create_component(new).await.map(|r| (r, vec![])),
    };
    created.map_err(|e| match e {
        StoreError::Conflict(ConflictOn::Name | ConflictOn::UniqueName) => {
            ApiError::new(d.codes.name_taken)
        }
        e => e.into(),
    })
}

/// Saves an update, mapping a taken name to the area's `*_name_already_exists` and a vanished
/// row to its `*_not_found`.
pub async fn save_update(
    state: &AppState,
    d: &Descriptor,
    id: i64,
    patch: ComponentPatch,
) -> ApiResult<ComponentRow> {
    state
        .store
        .update_component(id, patch)
        .await
        .map_err(|e| d.store_error(e))
}

/// Saves an update of the component `id` with its new attributes and answers with the
/// component object.
pub async fn finish_update<A: Area>(
    state: &AppState,
    uri: &Uri,
    id: i64,
    mut patch: ComponentPatch,
    attrs: &A::Attrs,
) -> ApiResult<Response> {
    patch.attrs = Some(stored(attrs)?);
    let row = save_update(state, A::D, id, patch).await?;
    let data = render::<A>(state, &row).await?;
    Ok(envelope(uri.path(), A::D.kind.as_str(), data).into_response())
}

/// An update's `name`, if sent, checked into `patch`.
pub fn patch_name(d: &Descriptor, patch: &mut ComponentPatch, name: Option<&str>) -> ApiResult<()> {
    if let Some(name) = name {
        patch.name = Some(d.check_name(name)?);
    }
    Ok(())
}

/// An update's `execution_type` (accepted only unchanged) and `execution_url` (webhook
/// components only), applied to `attrs`.
pub fn patch_execution<A: ComponentAttrs>(
    d: &Descriptor,
    attrs: &mut A,
    execution_type: Option<&str>,
    execution_url: Option<&str>,
) -> ApiResult<()> {
    if let Some(url) = super::execution::patch_execution(
        attrs.execution_type(),
        execution_type,
        execution_url,
        d.max_url_chars,
    )? {
        attrs.set_execution_url(url);
    }
    Ok(())
}

/// The component object of `row` with its current handlers.
pub async fn render<A: Area>(state: &AppState, row: &ComponentRow) -> ApiResult<Value> {
    let handlers = state.store.handlers_of(row.id).await?;
    Ok(A::render(row, &attrs_of(row)?, &handlers))
}

/// `GET /…/{id}`: the component object.
pub async fn get<A: Area>(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let row = find(&state, &auth, A::D, &id).await?;
    let mut data = render::<A>(&state, &row).await?;
    crate::api::webhooks::add_secret(&state, &auth, &row, &mut data).await?;
    Ok(envelope(uri.path(), A::D.kind.as_str(), data).into_response())
}

/// `DELETE /…/{id}`: the creator or an admin deletes a component they can see.
pub async fn delete<A: Area>(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqPath(id): CliqPath<String>,
) -> ApiResult<Response> {
    let d = A::D;
    let row = find(&state, &auth, d, &id).await?;
    d.ensure_can_modify(&auth, &row)?;
    match state
        .store
        .delete_component(auth.org_id(), d.kind.as_str(), row.id)
        .await
    {
        Ok(()) => Ok(StatusCode::NO_CONTENT.into_response()),
        Err(StoreError::NotFound) => Err(ApiError::new(d.codes.not_found)),
        Err(e) => Err(e.into()),
    }
}

/// One page of components `auth` may see, each rendered with its handlers (read for the
/// whole page at once).
pub async fn list_page<A: Area>(
    state: &AppState,
    auth: &AuthContext,
    params: &PageParams,
) -> ApiResult<(Page, Vec<Value>)> {
    let d = A::D;
    let page = list_components(
        state.store.as_ref(),
        auth.org_id(),
        auth.user.id,
        d.kind.as_str(),
        params,
        d.pages,
    )
    .await?;
    let ids = page.rows.iter().map(|r| r.id).collect();
    let handlers = state.store.handlers_of_many(ids).await?;
    let mut data = Vec::with_capacity(page.rows.len());
    for row in &page.rows {
        let mine: Vec<HandlerRow> = handlers
            .iter()
            .filter(|h| h.component_id == row.id)
            .cloned()
            .collect();
        data.push(A::render(row, &attrs_of(row)?, &mine));
    }
    Ok((page, data))
}

/// `GET /…`: a page of components (and `total_count` where the area has it).
pub async fn list<A: Area>(
    State(state): State<AppState>,
    auth: AuthContext,
    uri: Uri,
    CliqQuery(params): CliqQuery<PageParams>,
) -> ApiResult<Response> {
    let d = A::D;
    let (page, data) = list_page::<A>(&state, &auth, &params).await?;
    let mut obj = Map::new();
    obj.insert("url".into(), uri.path().into());
    obj.insert("type".into(), d.kind.as_str().into());
    page.envelope_fields(&mut obj);
    if d.total_count {
        let total = state
            .store
            .count_visible_components(ListQuery {
                org_id: auth.org_id(),
                kind: d.kind.as_str().into(),
                viewer_id: auth.user.id,
                after_id: 0,
                limit: 0,
            })
            .await?;
        obj.insert("total_count".into(), total.into());
    }
    obj.insert("data".into(), Value::Array(data));
    Ok(axum::Json(Value::Object(obj)).into_response())
}

/// Adds what every custom component object carries: `scope` (and `team_ids` for team scope),
/// `creator`, `status` and `type`.
pub fn add_common_fields(obj: &mut Map<String, Value>, row: &ComponentRow) {
    obj.insert("scope".into(), row.scope.clone().into());
    if row.scope == Scope::Team.as_str() {
        obj.insert("team_ids".into(), serde_json::json!(row.team_ids));
    }
    obj.insert(
        "creator".into(),
        serde_json::json!({"name": row.creator_name, "id": row.creator_id.to_string()}),
    );
    obj.insert("status".into(), "enabled".into());
    obj.insert("type".into(), "custom".into());
}

/// An update's `scope`/`team_ids` for `row` ([`policy::scope_patch`]), checked by
/// [`check_scope_and_teams`] and set in `patch` when either was sent.
pub async fn patch_scope_and_teams(
    state: &AppState,
    auth: &AuthContext,
    d: &Descriptor,
    row: &ComponentRow,
    patch: &mut ComponentPatch,
    scope: Option<&str>,
    team_ids: Option<&[Value]>,
) -> ApiResult<()> {
    let Some((scope, teams)) = policy::scope_patch(&row.scope, &row.team_ids, scope, team_ids)
    else {
        return Ok(());
    };
    let ids = check_scope_and_teams(state, auth, &scope, teams.as_deref(), d.scopes).await?;
    patch.scope = Some(scope);
    patch.team_ids = Some(ids);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::bots::DESCRIPTOR as BOTS;
    use crate::api::functions::DESCRIPTOR as FUNCTIONS;
    use crate::api::message_actions::DESCRIPTOR as MESSAGE_ACTIONS;
    use cliqd_core::HandlerKind;

    const ALL: [&Descriptor; 3] = [&BOTS, &FUNCTIONS, &MESSAGE_ACTIONS];

    #[test]
    fn descriptors_are_consistent() {
        for d in ALL {
            assert!(d.scopes.contains(&d.default_scope), "{}", d.plural);
            assert!(
                catalog::handlers_of(d.kind).next().is_some(),
                "{}",
                d.plural
            );
            assert!(d.pages.default_limit <= d.pages.max_limit);
            for spec in catalog::handlers_of(d.kind) {
                assert_eq!(
                    d.handler(spec.api_name).map(|s| s.kind).ok(),
                    Some(spec.kind)
                );
            }
        }
        assert_eq!(FUNCTIONS.scopes, &[Scope::Personal]);
        assert_eq!(
            BOTS.handler("alert_handler").map(|s| s.kind).ok(),
            Some(HandlerKind::BotCall)
        );
    }

    #[test]
    fn unknown_handler_types_name_the_area() {
        let message = |d: &Descriptor, t: &str| d.handler(t).err().and_then(|e| e.message);
        assert_eq!(
            message(&BOTS, "button_handler").as_deref(),
            Some("`button_handler` is not a bot handler type")
        );
        assert_eq!(
            message(&MESSAGE_ACTIONS, "button_handler").as_deref(),
            Some(
                "`button_handler` is not a message action handler type; the only one is execution_handler"
            )
        );
        assert!(
            message(&FUNCTIONS, "menu_handler")
                .is_some_and(|m| m.contains("(button_handler, form_submit_handler"))
        );
    }

    #[test]
    fn names_and_texts() {
        assert_eq!(BOTS.check_name("  Helper ").ok().as_deref(), Some("Helper"));
        assert!(BOTS.check_name(&"x".repeat(21)).is_err());
        assert!(FUNCTIONS.check_name(&"x".repeat(30)).is_ok());
        assert!(FUNCTIONS.check_name(" ").is_err());
        assert_eq!(check_text("hint", " h ", 5).ok().as_deref(), Some(" h "));
        assert!(check_text("hint", "  ", 5).is_err());
        assert!(check_text("hint", "123456", 5).is_err());
        assert!(required(None, "name").is_err());
    }
}
