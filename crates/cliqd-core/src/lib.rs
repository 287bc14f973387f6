//! The domain core of cliqd: the platform's rules as typed values and pure functions.
//!
//! - [`kinds`]: the domain enums (component kind, execution type, scope, chat and channel
//!   kinds, handler kind), parsed from and written as strings only at the edges (HTTP, store
//!   columns).
//! - [`catalog`]: one table of every handler: API and wire names, component, Deluge
//!   parameters, return type, webhook permissions, allowed replies, default and cap.
//! - [`attrs`]: the kind-specific attributes a component stores, versioned.
//! - [`ids`]: id formats and their parsing (component, chat, channel, message, thread ids).
//! - [`policy`]: who may see or change a component, the scope/teams rule, and the plan of a
//!   post from the facts a backend loaded.
//!
//! No IO: no clock, files, environment, network or database (see `clippy.toml`).
#![forbid(unsafe_code)]

pub mod attrs;
pub mod catalog;
pub mod ids;
pub mod kinds;
pub mod policy;

pub use catalog::{HandlerSpec, Param, Permission, ResponseKind, ReturnType};
pub use kinds::{
    ChannelKind, ChatKind, ComponentKind, ExecutionType, FunctionType, HandlerKind, Scope,
    UnknownValue,
};
