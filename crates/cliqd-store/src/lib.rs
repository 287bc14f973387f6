//! Storage for cliqd: one store trait and its SQLite implementation. The only crate that knows SQL.
//!
//! The HTTP layer talks to [`Store`] (a bundle of per-area traits) and sees only the row types
//! in [`rows`] and [`StoreError`]. A PostgreSQL backend would be another implementation of the
//! same traits; nothing above this crate would change.

pub mod messaging;
pub mod rows;
mod sqlite;

pub use messaging::*;
pub use rows::*;
pub use sqlite::SqliteStore;

#[cfg(test)]
mod messaging_tests;
#[cfg(test)]
mod search_tests;
#[cfg(test)]
mod tests;

use async_trait::async_trait;

/// What can go wrong in the store, already mapped away from the backend's own error types.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was violated; the string names the rule (e.g. `name`).
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Organizations, users, teams, OAuth clients and tokens.
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// True when no organization exists yet (first start).
    async fn is_empty(&self) -> StoreResult<bool>;
    async fn create_org(&self, name: &str) -> StoreResult<OrgRow>;
    async fn first_org(&self) -> StoreResult<OrgRow>;
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
}

/// Platform components (bots, functions, message actions, extensions, …) and their handlers.
///
/// Components of every kind share one shape: common columns (name, scope, creator, teams)
/// plus kind-specific attributes kept as a JSON object owned by the API layer.
#[async_trait]
pub trait ComponentStore: Send + Sync {
    /// Inserts a component. `Conflict("name")` when the name (case-insensitive) is taken in the
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
    /// Applies `patch` to the component; `Conflict("name")` on a taken name.
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
    /// Inserts a handler; it also counts as a change of its component. Checked and inserted in
    /// one write transaction: `Conflict("handler")` (and nothing written) when the component
    /// already has `max_of_type` handlers of that type, so concurrent creates cannot exceed it.
    async fn create_handler(&self, new: NewHandler, max_of_type: usize) -> StoreResult<HandlerRow>;
    async fn update_handler(&self, row: HandlerRow) -> StoreResult<HandlerRow>;
    /// Like [`ComponentStore::update_handler`], but only while the stored handler is still
    /// unconfigured (no `script`, no `permissions` attribute): `Conflict("handler")` when a
    /// concurrent request configured it first.
    async fn configure_handler(&self, row: HandlerRow) -> StoreResult<HandlerRow>;
    async fn delete_handler(&self, component_id: i64, handler_id: i64) -> StoreResult<()>;
}

/// Extensions registered with the CLI, their installations per organization and their
/// properties (a small string → string map per extension).
#[async_trait]
pub trait ExtensionStore: Send + Sync {
    /// `Conflict("name")` when the org already has an extension of that name (case-insensitive).
    async fn create_extension(&self, new: NewExtension) -> StoreResult<ExtensionRow>;
    async fn get_extension(&self, id: i64) -> StoreResult<ExtensionRow>;
    async fn installation(
        &self,
        extension_id: i64,
        org_id: i64,
    ) -> StoreResult<Option<InstallationRow>>;
    /// How many extensions are installed in `org_id`.
    async fn count_installations(&self, org_id: i64) -> StoreResult<u64>;
    /// Inserts the installation; `Conflict("installation")` if one exists for that org.
    async fn insert_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow>;
    /// Replaces scope, teams and `updated_at` of an existing installation.
    async fn update_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow>;
    /// Upserts `props` atomically; `Conflict("properties")` (and nothing written) when the
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
pub trait Store: IdentityStore + ComponentStore + ExtensionStore + MessagingStore {}
impl<T: IdentityStore + ComponentStore + ExtensionStore + MessagingStore> Store for T {}
