//! The `zoho.cliq.*` tasks and system variables of a script run in the server, on the domain
//! layer's task implementations ([`cliqd_service::CliqTask`]): the same validation, membership
//! and refusals as the HTTP API.

use cliqd_service::Actor;
use cliqd_store::{ComponentRow, Store, UserRow};
use serde_json::Value;

/// Performs `zoho.cliq.<task>` as the actor; an error is one the script can catch.
pub fn perform(
    handle: &tokio::runtime::Handle,
    store: &dyn Store,
    actor: &Actor,
    component: &ComponentRow,
    task: &str,
    args: &[Value],
) -> Result<Value, String> {
    let _ = component;
    let task = cliqd_service::CliqTask::parse(task, args)?;
    handle
        .block_on(cliqd_service::perform(store, actor, &task))
        .map_err(|e| cliqd_service::task_error(&task, &e))
}

/// A `zoho.*` system variable of the invoking user (`loginuser`, `loginuserid`) and of the
/// organization's admin (`adminuser`, `adminuserid`).
pub fn system_variable(actor: &Actor, admin: Option<&UserRow>, name: &str) -> Option<Value> {
    cliqd_service::system_variable(actor, admin, name)
}
