//! Storage for cliqd, backend-neutral: the store traits, their row types and [`StoreError`].
//! No SQL and no database driver here; backends (today `cliqd-store-sqlite`) implement the
//! traits in crates of their own.
//!
//! The HTTP layer talks to [`Store`] (a bundle of per-area traits) and sees only the row types
//! in [`rows`] and [`StoreError`]. A PostgreSQL backend would be another implementation of the
//! same traits; nothing above this crate would change.

pub mod events;
pub mod forms;
pub mod messaging;
pub mod rows;
pub mod runtime;
pub mod snapshots;
#[cfg(feature = "testing")]
pub mod testing;
pub mod webhooks;

pub use events::{EventBus, EventStream, InProcessBus, RecvError, Subscription, TryRecvError};
pub use forms::{FormSessionRow, FormStore};
pub use messaging::*;
pub use rows::*;
pub use runtime::*;
pub use snapshots::{SnapshotInfo, SnapshotStore, check_snapshot_name};
pub use webhooks::*;

use async_trait::async_trait;

/// What can go wrong in the store, already mapped away from the backend's own error types.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or limit rule was violated; nothing was written.
    #[error("conflict on {0}")]
    Conflict(ConflictOn),
    #[error("storage error: {0}")]
    Other(String),
}

/// The rule a [`StoreError::Conflict`] names. Every backend raises the same variant for the
/// same rule; callers match on the variant, never on text. Its `Display` is the rule's short
/// name (`name`, `unique_name`, …), which some API replies quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConflictOn {
    /// A component's or extension's name (case-insensitive) is taken in the org for its kind.
    Name,
    /// A unique name is taken: a channel's in its org, or no free component unique name is left.
    UniqueName,
    /// A user's email address is taken.
    Email,
    /// A component already has the most handlers of a type, or a handler was configured
    /// concurrently ([`ComponentStore::create_handler`], [`ComponentStore::configure_handler`]).
    Handler,
    /// The extension is already installed in the org.
    Installation,
    /// The extension would end up with more properties than allowed.
    Properties,
    /// `reply_to` does not name a message of every recipient's bot chat
    /// ([`MessagingStore::post_bot_messages`]).
    ReplyTo,
    /// Any other integrity rule of the backend (a reference to a missing row, a duplicate key
    /// no caller is expected to produce).
    Constraint,
}

impl ConflictOn {
    /// The rule's short name, as API replies quote it.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictOn::Name => "name",
            ConflictOn::UniqueName => "unique_name",
            ConflictOn::Email => "email",
            ConflictOn::Handler => "handler",
            ConflictOn::Installation => "installation",
            ConflictOn::Properties => "properties",
            ConflictOn::ReplyTo => "reply_to",
            ConflictOn::Constraint => "constraint",
        }
    }
}

impl std::fmt::Display for ConflictOn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Organizations, users, teams, OAuth clients and tokens.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// True when no organization exists yet (first start).
    async fn is_empty(&self) -> StoreResult<bool>;
    async fn create_org(&self, name: &str) -> StoreResult<OrgRow>;
    async fn first_org(&self) -> StoreResult<OrgRow>;
    /// `Conflict(Email)` when the email address (case-insensitive) is taken.
    async fn create_user(&self, user: NewUser) -> StoreResult<UserRow>;
    async fn user_by_email(&self, email: &str) -> StoreResult<UserRow>;
    async fn user_by_id(&self, id: i64) -> StoreResult<UserRow>;
    async fn create_team(&self, org_id: i64, name: &str, members: Vec<i64>)
    -> StoreResult<TeamRow>;
    /// Team ids of `org_id` among `ids` that exist.
    async fn existing_teams(&self, org_id: i64, ids: Vec<i64>) -> StoreResult<Vec<i64>>;
    async fn teams_of_user(&self, user_id: i64) -> StoreResult<Vec<i64>>;
    async fn insert_token(&self, token: NewToken) -> StoreResult<()>;
    /// The token with this hash and its owner, whatever its state (the caller checks expiry and revocation).
    async fn token_by_hash(&self, hash: &str) -> StoreResult<(TokenRow, UserRow)>;
    async fn revoke_token(&self, hash: &str) -> StoreResult<()>;
    async fn insert_client(&self, client: ClientRow) -> StoreResult<()>;
    async fn client_by_id(&self, client_id: &str) -> StoreResult<ClientRow>;
    /// Every organization, by id (for the admin CLI).
    async fn list_orgs(&self) -> StoreResult<Vec<OrgRow>>;
    /// The users of `org_id`, by id.
    async fn users_of_org(&self, org_id: i64) -> StoreResult<Vec<UserRow>>;
    /// The teams of `org_id` with their members, by id.
    async fn teams_of_org(&self, org_id: i64) -> StoreResult<Vec<TeamRow>>;
    /// The tokens of users of `org_id` (hashes only: secrets are never stored).
    async fn tokens_of_org(&self, org_id: i64) -> StoreResult<Vec<TokenRow>>;
    /// The OAuth clients acting as users of `org_id`.
    async fn clients_of_org(&self, org_id: i64) -> StoreResult<Vec<ClientRow>>;
    /// Deletes a client and revokes every token issued to it; `NotFound` if there is none.
    async fn delete_client(&self, client_id: &str) -> StoreResult<()>;
}

/// Platform components (bots, functions, message actions, extensions, …) and their handlers.
///
/// Components of every kind share one shape: common columns (name, scope, creator, teams)
/// plus kind-specific attributes kept as a JSON object owned by the API layer.
#[async_trait]
pub trait ComponentStore: Send + Sync {
    /// Inserts a component. `Conflict(Name)` when the name (case-insensitive) is taken in the
    /// org for that kind; when `unique_name_base` is given a free unique name is derived from it.
    async fn create_component(&self, new: NewComponent) -> StoreResult<ComponentRow>;
    /// Like [`ComponentStore::create_component`], and in the same transaction inserts `handlers`
    /// (their `component_id` is ignored): for components whose default handler exists from creation.
    async fn create_component_with_handlers(
        &self,
        new: NewComponent,
        handlers: Vec<NewHandler>,
    ) -> StoreResult<(ComponentRow, Vec<HandlerRow>)>;
    async fn get_component(&self, org_id: i64, kind: &str, id: i64) -> StoreResult<ComponentRow>;
    async fn get_component_by_unique_name(
        &self,
        org_id: i64,
        kind: &str,
        unique_name: &str,
    ) -> StoreResult<ComponentRow>;
    async fn count_components(&self, org_id: i64, kind: &str) -> StoreResult<u64>;
    /// How many components of the query's kind its viewer may see (`after_id`/`limit` unused).
    async fn count_visible_components(&self, query: ListQuery) -> StoreResult<u64>;
    /// Applies `patch` to the component; `Conflict(Name)` on a taken name.
    async fn update_component(&self, id: i64, patch: ComponentPatch) -> StoreResult<ComponentRow>;
    /// Deletes the component and its handlers, leaving a tombstone for incremental sync.
    async fn delete_component(&self, org_id: i64, kind: &str, id: i64) -> StoreResult<()>;
    /// One page of components visible to the viewer, by ascending id, after `after_id`.
    async fn list_components(&self, query: ListQuery) -> StoreResult<Vec<ComponentRow>>;
    /// Components changed (by ascending change sequence) and ids deleted after `since_seq`.
    async fn changes_since(&self, query: ListQuery, since_seq: i64) -> StoreResult<Changes>;
    /// The newest change sequence number (a watermark for sync tokens).
    async fn current_seq(&self) -> StoreResult<i64>;

    async fn handlers_of(&self, component_id: i64) -> StoreResult<Vec<HandlerRow>>;
    /// The handlers of every component in `component_ids` in one read (a page of a list),
    /// ordered by component id, then as [`ComponentStore::handlers_of`] orders them.
    async fn handlers_of_many(&self, component_ids: Vec<i64>) -> StoreResult<Vec<HandlerRow>>;
    /// Inserts a handler; it also counts as a change of its component. Checked and inserted in
    /// one write transaction: `Conflict(Handler)` (and nothing written) when the component
    /// already has `max_of_type` handlers of that type, so concurrent creates cannot exceed it.
    async fn create_handler(&self, new: NewHandler, max_of_type: usize) -> StoreResult<HandlerRow>;
    async fn update_handler(&self, row: HandlerRow) -> StoreResult<HandlerRow>;
    /// Like [`ComponentStore::update_handler`], but only while the stored handler is still
    /// unconfigured (no `script`, no `permissions` attribute): `Conflict(Handler)` when a
    /// concurrent request configured it first.
    async fn configure_handler(&self, row: HandlerRow) -> StoreResult<HandlerRow>;
    async fn delete_handler(&self, component_id: i64, handler_id: i64) -> StoreResult<()>;
}

/// Extensions registered with the CLI, their installations per organization and their
/// properties (a small string → string map per extension).
#[async_trait]
pub trait ExtensionStore: Send + Sync {
    /// `Conflict(Name)` when the org already has an extension of that name (case-insensitive).
    async fn create_extension(&self, new: NewExtension) -> StoreResult<ExtensionRow>;
    async fn get_extension(&self, id: i64) -> StoreResult<ExtensionRow>;
    async fn installation(
        &self,
        extension_id: i64,
        org_id: i64,
    ) -> StoreResult<Option<InstallationRow>>;
    /// How many extensions are installed in `org_id`.
    async fn count_installations(&self, org_id: i64) -> StoreResult<u64>;
    /// Inserts the installation; `Conflict(Installation)` if one exists for that org.
    async fn insert_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow>;
    /// Replaces scope, teams and `updated_at` of an existing installation.
    async fn update_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow>;
    /// Upserts `props` atomically; `Conflict(Properties)` (and nothing written) when the
    /// extension would end up with more than `max` properties.
    async fn set_properties(
        &self,
        extension_id: i64,
        props: Vec<(String, String)>,
        max: usize,
    ) -> StoreResult<()>;
    /// The properties among `keys` that exist, in the order of `keys`.
    async fn get_properties(
        &self,
        extension_id: i64,
        keys: Vec<String>,
    ) -> StoreResult<Vec<(String, String)>>;
    /// Deletes one property; true if it existed.
    async fn delete_property(&self, extension_id: i64, key: &str) -> StoreResult<bool>;
}

/// Everything the server needs from storage.
pub trait Store:
    IdentityStore
    + ComponentStore
    + ExtensionStore
    + MessagingStore
    + RuntimeStore
    + FormStore
    + WebhookStore
    + SnapshotStore
{
}
impl<
    T: IdentityStore
        + ComponentStore
        + ExtensionStore
        + MessagingStore
        + RuntimeStore
        + FormStore
        + WebhookStore
        + SnapshotStore,
> Store for T
{
}

#[cfg(test)]
mod tests {
    use super::*;

    /// API replies quote these names ("name is already taken"): they must not drift.
    #[test]
    fn conflict_rules_keep_their_names() {
        let all = [
            (ConflictOn::Name, "name"),
            (ConflictOn::UniqueName, "unique_name"),
            (ConflictOn::Email, "email"),
            (ConflictOn::Handler, "handler"),
            (ConflictOn::Installation, "installation"),
            (ConflictOn::Properties, "properties"),
            (ConflictOn::ReplyTo, "reply_to"),
            (ConflictOn::Constraint, "constraint"),
        ];
        for (rule, name) in all {
            assert_eq!(rule.to_string(), name);
            assert_eq!(
                StoreError::Conflict(rule).to_string(),
                format!("conflict on {name}")
            );
        }
    }
}
