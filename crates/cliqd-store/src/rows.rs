//! Store rows: what the store reads and writes. Not API types; the server maps them.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: i64,
    pub org_id: i64,
    pub email: String,
    pub name: String,
    pub is_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub id: i64,
    pub org_id: i64,
    pub name: String,
    pub members: Vec<i64>,
}

/// Access or refresh token, stored by the hash of its secret.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub hash: String,
    pub user_id: i64,
    pub kind: TokenKind,
    /// Space-separated scopes as granted.
    pub scopes: String,
    /// Unix seconds; `None` never expires.
    pub expires_at: Option<i64>,
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenRow {
    pub hash: String,
    pub user_id: i64,
    pub kind: TokenKind,
    pub scopes: String,
    pub expires_at: Option<i64>,
    pub revoked: bool,
    pub client_id: Option<String>,
}

/// A registered OAuth client (Zoho's "self client" / server-based client).
#[derive(Debug, Clone)]
pub struct ClientRow {
    pub client_id: String,
    pub secret_hash: String,
    pub name: String,
    /// The user client-credentials tokens act as.
    pub user_id: i64,
    /// Space-separated scopes the client may be granted.
    pub scopes: String,
}

#[derive(Debug, Clone)]
pub struct NewComponent {
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub unique_name_base: Option<String>,
    pub creator_id: i64,
    pub scope: String,
    pub team_ids: Vec<i64>,
    pub attrs: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComponentRow {
    pub id: i64,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub unique_name: Option<String>,
    pub creator_id: i64,
    pub creator_name: String,
    pub scope: String,
    pub team_ids: Vec<i64>,
    pub attrs: Value,
    /// Unix milliseconds.
    pub created_at: i64,
    pub updated_at: i64,
    /// Change sequence number of the last write to this component.
    pub seq: i64,
}

/// Fields to change; `None` leaves a field as it is. `attrs` replaces the whole object.
#[derive(Debug, Clone, Default)]
pub struct ComponentPatch {
    pub name: Option<String>,
    pub scope: Option<String>,
    pub team_ids: Option<Vec<i64>>,
    pub attrs: Option<Value>,
}

/// Whose view a listing is for: personal components show only to their creator, team ones only
/// to members of their teams (and the creator), organization ones to everyone in the org.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub org_id: i64,
    pub kind: String,
    pub viewer_id: i64,
    pub after_id: i64,
    pub limit: u32,
}

#[derive(Debug, Clone, Default)]
pub struct Changes {
    pub changed: Vec<ComponentRow>,
    pub deleted: Vec<i64>,
    /// The sequence number to resume from next time.
    pub next_seq: i64,
    /// True when more changes remain after `next_seq`.
    pub more: bool,
}

#[derive(Debug, Clone)]
pub struct NewHandler {
    pub component_id: i64,
    pub handler_type: String,
    pub script: Option<String>,
    pub attrs: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HandlerRow {
    pub id: i64,
    pub component_id: i64,
    pub handler_type: String,
    pub script: Option<String>,
    pub attrs: Value,
    /// 1-based order among handlers of the same type.
    pub position: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

/// An extension as registered in the developer console (`cliqd extensions create`).
#[derive(Debug, Clone)]
pub struct NewExtension {
    pub org_id: i64,
    pub name: String,
    pub creator_id: Option<i64>,
    /// Hash of the extension key; the key itself is never stored.
    pub key_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionRow {
    pub id: i64,
    /// The organization the extension was registered in.
    pub org_id: i64,
    pub name: String,
    pub creator_id: Option<i64>,
    pub key_hash: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

/// An extension installed in an organization, at organization scope or for some teams.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallationRow {
    pub extension_id: i64,
    pub org_id: i64,
    pub scope: String,
    pub team_ids: Vec<i64>,
    pub installed_by: i64,
    /// Unix milliseconds.
    pub installed_at: i64,
    pub updated_at: i64,
}
