//! The `zoho.cliq.*` tasks and system variables of a script run in the server, on the domain
//! layer's task implementations.

use cliqd_service::Actor;
use cliqd_store::{ComponentRow, Store};
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
    let _ = (handle, store, actor, component, args);
    Err(format!("zoho.cliq.{task} is not available yet"))
}

/// A `zoho.*` system variable of the invoking user.
pub fn system_variable(actor: &Actor, name: &str) -> Option<Value> {
    match name {
        "loginuser" | "loginuserid" => Some(Value::String(actor.user.email.clone())),
        _ => None,
    }
}
