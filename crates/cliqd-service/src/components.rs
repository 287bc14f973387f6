//! Finding components with visibility: what the actor may see of bots, functions and message
//! actions.

use crate::{Actor, ServiceError, ServiceResult};
use cliqd_store::{ComponentRow, Store, StoreError};

/// The store's kind name of bots.
const BOT: &str = "bot";

/// Whether `actor` may see `row`: personal → creator; team → creator or a member of one of its
/// teams; organization → everyone in the org. Other organizations never see anything.
pub async fn can_see(store: &dyn Store, actor: &Actor, row: &ComponentRow) -> ServiceResult<bool> {
    if row.org_id != actor.org_id() {
        return Ok(false);
    }
    if row.creator_id == actor.id() || row.scope == "organization" {
        return Ok(true);
    }
    if row.scope == "team" {
        let mine = store.teams_of_user(actor.id()).await?;
        return Ok(row.team_ids.iter().any(|t| mine.contains(t)));
    }
    Ok(false)
}

/// A bot by id (`123` or `b-123`) or unique name that `actor` may see; otherwise
/// [`ServiceError::BotNotFound`] (absent, another organization's or not visible alike).
pub async fn find_bot(store: &dyn Store, actor: &Actor, raw: &str) -> ServiceResult<ComponentRow> {
    let digits = raw.strip_prefix("b-").unwrap_or(raw);
    let id = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse::<i64>().ok())
        .flatten();
    let found = match id {
        Some(id) => store.get_component(actor.org_id(), BOT, id).await,
        None if !raw.is_empty()
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) =>
        {
            store
                .get_component_by_unique_name(actor.org_id(), BOT, raw)
                .await
        }
        None => Err(StoreError::NotFound),
    };
    let row = match found {
        Ok(row) => row,
        Err(StoreError::NotFound) => return Err(ServiceError::BotNotFound),
        Err(e) => return Err(e.into()),
    };
    if !can_see(store, actor, &row).await? {
        return Err(ServiceError::BotNotFound);
    }
    Ok(row)
}
