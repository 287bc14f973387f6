//! Administration shared by the CLI and first start: the demo organization, users, teams,
//! tokens and OAuth clients. The binary's commands are thin wrappers over these.

pub use crate::api::messaging::{MAX_WEBHOOK_TOKENS, create_webhook_token};
pub use crate::auth::{ALL_SCOPES, hash_secret};
use crate::auth::{new_token_secret, now_secs};
use cliqd_store::{
    ClientRow, NewToken, NewUser, OrgRow, Store, StoreError, TeamRow, TokenKind, UserRow,
};
use rand::Rng;
use std::path::Path;

/// What first start created.
#[derive(Debug)]
pub struct Demo {
    pub org: OrgRow,
    pub admin: UserRow,
    pub users: Vec<UserRow>,
    pub teams: Vec<TeamRow>,
    pub admin_token: String,
}

/// The snapshot first start saves right after creating the demo organization, and what
/// [`reset`] goes back to. Saving another snapshot under this name changes what a reset
/// restores (your components applied, say).
pub const INITIAL_SNAPSHOT: &str = "initial";

/// On an empty store, creates the demo organization (an admin, three users, two teams, the
/// organization channel `general` with all of them) and an
/// admin token with every scope, written to `data_dir/admin.token` (mode 0600), then saves
/// the store as the snapshot [`INITIAL_SNAPSHOT`]. With `seed` (seeded dev runs) the admin
/// token is derived from it ([`seeded_token`]), so it is the same run after run.
pub async fn ensure_demo(
    store: &dyn Store,
    data_dir: &Path,
    seed: Option<u64>,
) -> Result<Option<Demo>, StoreError> {
    if !store.is_empty().await? {
        return Ok(None);
    }
    let org = store.create_org("Zylker").await?;
    let admin = add_user(store, org.id, "admin@zylker.com", "Admin", true).await?;
    let mut users = Vec::new();
    for (email, name) in [
        ("scott.fisher@zylker.com", "Scott Fisher"),
        ("olivia.palmer@zylker.com", "Olivia Palmer"),
        ("james.smith@zylker.com", "James Smith"),
    ] {
        users.push(add_user(store, org.id, email, name, false).await?);
    }
    let engineering = store
        .create_team(
            org.id,
            "Engineering",
            vec![admin.id, users[0].id, users[1].id],
        )
        .await?;
    let support = store
        .create_team(org.id, "Support", vec![users[2].id])
        .await?;
    let mut everyone = vec![admin.id];
    everyone.extend(users.iter().map(|u| u.id));
    crate::api::messaging::create_general_channel(store, org.id, admin.id, everyone).await?;
    let admin_token = seed.map_or_else(new_token_secret, seeded_token);
    insert_token(store, &admin_token, admin.id, &ALL_SCOPES.join(","), None).await?;
    write_secret_file(&data_dir.join("admin.token"), &admin_token)
        .map_err(|e| StoreError::Other(format!("cannot write admin.token: {e}")))?;
    if let Err(e) = store.save_snapshot(INITIAL_SNAPSHOT).await {
        tracing::warn!(error = %e, "cannot save the initial snapshot; `cliqd reset` will recreate the demo organization instead");
    }
    Ok(Some(Demo {
        org,
        admin,
        users,
        teams: vec![engineering, support],
        admin_token,
    }))
}

pub async fn add_user(
    store: &dyn Store,
    org_id: i64,
    email: &str,
    name: &str,
    admin: bool,
) -> Result<UserRow, StoreError> {
    store
        .create_user(NewUser {
            org_id,
            email: email.to_string(),
            name: name.to_string(),
            is_admin: admin,
        })
        .await
}

/// What a store was reset to.
#[derive(Debug)]
pub enum ResetOutcome {
    /// The [`INITIAL_SNAPSHOT`], saved at first start: the admin token is unchanged.
    Restored,
    /// No initial snapshot (a data directory older than snapshots): the store was emptied and
    /// a new demo organization made, with a new admin token in `admin.token`.
    Recreated(Demo),
}

/// Puts the whole store back to the demo organization: the [`INITIAL_SNAPSHOT`] restored, or,
/// without one, the store emptied and the demo organization made anew (and saved as the
/// initial snapshot). Caches above the store are the caller's to drop.
pub async fn reset(
    store: &dyn Store,
    data_dir: &Path,
    seed: Option<u64>,
) -> Result<ResetOutcome, StoreError> {
    match store.restore_snapshot(INITIAL_SNAPSHOT).await {
        Ok(()) => Ok(ResetOutcome::Restored),
        Err(StoreError::NotFound) => {
            store.wipe().await?;
            let demo = ensure_demo(store, data_dir, seed).await?.ok_or_else(|| {
                StoreError::Other("the store was not empty after wiping it".into())
            })?;
            Ok(ResetOutcome::Recreated(demo))
        }
        Err(e) => Err(e),
    }
}

/// The demo admin token of a seeded run: `1000.<32 hex>.<32 hex>` from the SHA-256 of the
/// seed, the same run after run (only for dev mode, which refuses non-loopback addresses).
pub fn seeded_token(seed: u64) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("cliqd demo admin token, seed {seed}").as_bytes());
    format!(
        "1000.{}.{}",
        hex::encode(&digest[..16]),
        hex::encode(&digest[16..])
    )
}

/// Creates an access token for `user_id`; returns the secret (only its hash is stored).
pub async fn create_token(
    store: &dyn Store,
    user_id: i64,
    scopes: &str,
    expires_in_secs: Option<i64>,
) -> Result<String, StoreError> {
    let secret = new_token_secret();
    insert_token(store, &secret, user_id, scopes, expires_in_secs).await?;
    Ok(secret)
}

async fn insert_token(
    store: &dyn Store,
    secret: &str,
    user_id: i64,
    scopes: &str,
    expires_in_secs: Option<i64>,
) -> Result<(), StoreError> {
    store
        .insert_token(NewToken {
            hash: hash_secret(secret),
            user_id,
            kind: TokenKind::Access,
            scopes: scopes.to_string(),
            expires_at: expires_in_secs.map(|s| now_secs() + s),
            client_id: None,
        })
        .await
}

/// A registered OAuth client and a refresh token for it (like Zoho's self client).
#[derive(Debug)]
pub struct NewClient {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

pub async fn add_client(
    store: &dyn Store,
    name: &str,
    user_id: i64,
    scopes: &str,
) -> Result<NewClient, StoreError> {
    let mut rng = rand::rng();
    let id_bytes: [u8; 15] = rng.random();
    let client_id = format!("1000.{}", hex::encode(id_bytes).to_uppercase());
    let secret_bytes: [u8; 21] = rng.random();
    let client_secret = hex::encode(secret_bytes);
    store
        .insert_client(ClientRow {
            client_id: client_id.clone(),
            secret_hash: hash_secret(&client_secret),
            name: name.to_string(),
            user_id,
            scopes: scopes.to_string(),
        })
        .await?;
    let refresh_token = new_token_secret();
    store
        .insert_token(NewToken {
            hash: hash_secret(&refresh_token),
            user_id,
            kind: TokenKind::Refresh,
            scopes: scopes.to_string(),
            expires_at: None,
            client_id: Some(client_id.clone()),
        })
        .await?;
    Ok(NewClient {
        client_id,
        client_secret,
        refresh_token,
    })
}

/// Writes a secret readable only by its owner.
pub fn write_secret_file(path: &Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(secret.as_bytes())?;
    f.write_all(b"\n")
}

/// An extension registered as Cliq's developer console would, with its key (shown once; only
/// its hash is stored).
#[derive(Debug)]
pub struct RegisteredExtension {
    pub extension: cliqd_store::ExtensionRow,
    pub extension_key: String,
}

/// Registers an extension named `name` in `org_id`, created by `creator_id` if given.
pub async fn create_extension(
    store: &dyn Store,
    org_id: i64,
    name: &str,
    creator_id: Option<i64>,
) -> Result<RegisteredExtension, StoreError> {
    let bytes: [u8; 24] = rand::rng().random();
    let extension_key = hex::encode(bytes);
    let extension = store
        .create_extension(cliqd_store::NewExtension {
            org_id,
            name: name.to_string(),
            creator_id,
            key_hash: hash_secret(&extension_key),
        })
        .await?;
    Ok(RegisteredExtension {
        extension,
        extension_key,
    })
}
