//! Finding components with visibility: what the actor may see of bots, functions and message
//! actions. The rule itself is the core's ([`cliqd_core::policy::can_see`]); this module loads
//! what it needs (the viewer's teams, only when the answer depends on them).

use crate::{Actor, ServiceError, ServiceResult};
use cliqd_core::catalog::HandlerSpec;
use cliqd_core::{ComponentKind, Scope, ids, policy};
use cliqd_store::{ComponentRow, HandlerRow, Store, StoreError};

/// The actor as the core's policy sees them.
pub fn viewer(actor: &Actor) -> policy::Viewer {
    policy::Viewer {
        org_id: actor.org_id(),
        user_id: actor.id(),
        is_admin: actor.is_admin(),
    }
}

/// What visibility depends on in `row`. A scope the core does not know (never written by
/// cliqd) is read as personal: only the creator sees the component.
pub fn component_facts(row: &ComponentRow) -> policy::ComponentFacts<'_> {
    policy::ComponentFacts {
        org_id: row.org_id,
        creator_id: row.creator_id,
        scope: row.scope.parse().unwrap_or(Scope::Personal),
        team_ids: &row.team_ids,
    }
}

/// Whether `actor` may see `row`: personal → creator; team → creator or a member of one of its
/// teams; organization → everyone in the org. Other organizations never see anything.
pub async fn can_see(store: &dyn Store, actor: &Actor, row: &ComponentRow) -> ServiceResult<bool> {
    let (viewer, facts) = (viewer(actor), component_facts(row));
    let teams = if policy::needs_teams(&viewer, &facts) {
        store.teams_of_user(actor.id()).await?
    } else {
        Vec::new()
    };
    Ok(policy::can_see(&viewer, &facts, &teams))
}

/// Update and delete need the creator or an organization admin.
pub fn can_modify(actor: &Actor, row: &ComponentRow) -> bool {
    policy::can_modify(&viewer(actor), &component_facts(row))
}

/// A component of `kind` named by a path segment — its numeric id (with `id_prefix` when the
/// kind has one, e.g. `b-`), or its unique name when `unique_names` — that `actor` may see.
/// `None` when there is none: absent, another organization's and not visible alike.
pub async fn find_component(
    store: &dyn Store,
    actor: &Actor,
    kind: ComponentKind,
    id_prefix: &str,
    unique_names: bool,
    raw: &str,
) -> ServiceResult<Option<ComponentRow>> {
    let found = match ids::parse_component_id(raw, id_prefix) {
        Some(id) => store.get_component(actor.org_id(), kind.as_str(), id).await,
        None if unique_names && ids::is_unique_name(raw) => {
            store
                .get_component_by_unique_name(actor.org_id(), kind.as_str(), raw)
                .await
        }
        None => Err(StoreError::NotFound),
    };
    let row = match found {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(can_see(store, actor, &row).await?.then_some(row))
}

/// A bot by id (`123` or `b-123`) or unique name that `actor` may see; otherwise
/// [`ServiceError::BotNotFound`].
pub async fn find_bot(store: &dyn Store, actor: &Actor, raw: &str) -> ServiceResult<ComponentRow> {
    find_component(store, actor, ComponentKind::Bot, "b-", true, raw)
        .await?
        .ok_or(ServiceError::BotNotFound)
}

/// The handlers of `component_id` of the catalog entry `spec`, in position order: at most one,
/// except for the kinds that may repeat (bot menu actions). What an event fires, and what the
/// handler endpoints read.
pub async fn handlers_of_kind(
    store: &dyn Store,
    component_id: i64,
    spec: &HandlerSpec,
) -> ServiceResult<Vec<HandlerRow>> {
    let all = store.handlers_of(component_id).await?;
    Ok(all
        .into_iter()
        .filter(|h| h.handler_type == spec.api_name)
        .collect())
}
