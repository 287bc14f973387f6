//! The domain service layer: what the HTTP API and the handler engine both do to the platform,
//! without HTTP. Posting, editing and deleting a message as a user or as a bot (validation,
//! canonical form, bot lookup, refusals, the text's mentions), resolving users and chats,
//! finding components with visibility, performing a Deluge script's `invokeUrl` through the
//! outbound client, and its `zoho.cliq.*` tasks through the same functions the HTTP API uses.
//!
//! Outcomes are typed: [`ServiceError`] says what was refused, and the HTTP layer maps it to
//! Cliq's error codes. Everything acts as an [`Actor`], the user on whose behalf it happens.

mod actor;
mod components;
mod error;
mod invoke;
mod mentions;
mod messages;
mod tasks;
mod users;

pub use actor::Actor;
pub use components::{
    can_modify, can_see, component_facts, find_bot, find_component, handlers_of_kind, viewer,
};
pub use error::{ServiceError, ServiceResult};
pub use invoke::{UrlInvoker, outbound_request};
pub use mentions::{
    MAX_MENTIONS, mention_json, mentioned_bot_ids, mentions_input, mentions_json, resolve_mentions,
};
pub use messages::{
    FORWARDED_FROM, PostAs, Posted, bot_message_recipients, canonical, delete_message,
    edit_message, member_chat, member_page, member_page_into, post_bot_messages, post_message,
    validate_post,
};
pub use tasks::{
    CliqTask, bot_sync_reply, org_admin, perform, sync_reply, system_variable, task_error,
    task_result,
};
pub use users::{open_direct_chat, resolve_user, resolve_users};
