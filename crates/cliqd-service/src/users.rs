//! Resolving users named by ZUID or email, within the actor's organization, and opening the
//! direct chat with one.

use crate::{Actor, ServiceError, ServiceResult};
use cliqd_store::{ChatRow, Store, StoreError, UserRow};
use serde_json::Value;

/// Most users one list may name.
const MAX_USERS: usize = 100;

/// A user named by ZUID or email. Unknown ones are [`ServiceError::UserNotFound`]; so is an
/// email of another organization's user, so a lookup never reveals whether an address exists
/// elsewhere. A ZUID of another organization is [`ServiceError::UserNotInOrganization`].
pub async fn resolve_user(store: &dyn Store, actor: &Actor, raw: &str) -> ServiceResult<UserRow> {
    let raw = raw.trim();
    let found = if raw.contains('@') {
        store.user_by_email(raw).await
    } else if let Ok(id) = raw.parse::<i64>() {
        store.user_by_id(id).await
    } else {
        return Err(ServiceError::UserNotFound(format!(
            "`{raw}` is neither a user ID nor an email address"
        )));
    };
    match found {
        Ok(u) if u.org_id == actor.org_id() => Ok(u),
        Ok(_) if raw.contains('@') => Err(ServiceError::UserNotFound(format!("no user `{raw}`"))),
        Ok(_) => Err(ServiceError::UserNotInOrganization),
        Err(StoreError::NotFound) => Err(ServiceError::UserNotFound(format!("no user `{raw}`"))),
        Err(e) => Err(e.into()),
    }
}

/// A list of users given as a JSON array or a comma-separated string of ZUIDs or emails
/// (`field` names it in messages), without duplicates, in the order given.
pub async fn resolve_users(
    store: &dyn Store,
    actor: &Actor,
    field: &str,
    v: &Value,
) -> ServiceResult<Vec<UserRow>> {
    let items: Vec<String> = match v {
        Value::String(s) => s
            .split(',')
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                ServiceError::Invalid(format!("{field} must hold user IDs or email addresses"))
            })?,
        _ => {
            return Err(ServiceError::Invalid(format!(
                "{field} must be a list or a comma-separated string of user IDs or emails"
            )));
        }
    };
    if items.len() > MAX_USERS {
        return Err(ServiceError::Invalid(format!(
            "{field} can name at most {MAX_USERS} users"
        )));
    }
    let mut out: Vec<UserRow> = Vec::new();
    for raw in items {
        let u = resolve_user(store, actor, &raw).await?;
        if !out.iter().any(|o| o.id == u.id) {
            out.push(u);
        }
    }
    Ok(out)
}

/// The direct chat between the actor and the user named by `raw` (ZUID or email, see
/// [`resolve_user`]), opened on first use: where `POST /api/v2/buddies/{user}/message` and the
/// `postToUser` task post. Users outside the actor's organization are refused.
pub async fn open_direct_chat(
    store: &dyn Store,
    actor: &Actor,
    raw: &str,
) -> ServiceResult<ChatRow> {
    let target = resolve_user(store, actor, raw).await?;
    Ok(store
        .open_direct_chat(actor.org_id(), actor.id(), target.id)
        .await?)
}
