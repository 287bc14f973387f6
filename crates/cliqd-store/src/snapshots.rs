//! Snapshots of the whole store, for the developer's loop (`cliqd snapshot`, `cliqd reset`,
//! the dev endpoints): save a consistent copy under a name, put one back, or empty the store.
//!
//! A snapshot holds everything the store holds (every organization, its components, messages,
//! tokens, the handler outbox and journal). Saving reads one consistent view while writes go
//! on; restoring replaces the whole content at once, between two write batches: no write is
//! half in the old state and half in the new. Caches above the store (a server's token cache,
//! the engine's parsed programs) are the caller's to drop after a restore.

use crate::StoreResult;
use async_trait::async_trait;

/// A saved snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub name: String,
    /// Its size as the backend keeps it.
    pub bytes: u64,
    /// When it was saved (Unix milliseconds).
    pub saved_at: i64,
}

/// The longest snapshot name.
pub const MAX_SNAPSHOT_NAME: usize = 64;

/// Checks a snapshot name: 1 to 64 ASCII letters, digits, `-`, `_` and `.`, not starting with
/// `.` (a name is a file name for some backends; nothing in it can leave their folder).
pub fn check_snapshot_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= MAX_SNAPSHOT_NAME
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid snapshot name `{name}`: use 1 to {MAX_SNAPSHOT_NAME} letters, digits, \
             `-`, `_` or `.` (not starting with `.`)"
        ))
    }
}

#[async_trait]
pub trait SnapshotStore: Send + Sync {
    /// Saves a consistent copy of the whole store as `name`, replacing a snapshot of that
    /// name. An invalid name is `Other` with [`check_snapshot_name`]'s message.
    async fn save_snapshot(&self, name: &str) -> StoreResult<SnapshotInfo>;
    /// Replaces the whole store's content with snapshot `name` (`NotFound` when there is
    /// none). Writes acknowledged before are in the old state; writes after, in the new.
    async fn restore_snapshot(&self, name: &str) -> StoreResult<()>;
    /// Empties the store, as a new one is (then [`crate::IdentityStore::is_empty`]).
    async fn wipe(&self) -> StoreResult<()>;
    /// The snapshots saved, by name.
    async fn list_snapshots(&self) -> StoreResult<Vec<SnapshotInfo>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_inside_their_folder() {
        for ok in ["before-test", "ci_1", "v1.2", "A"] {
            assert!(check_snapshot_name(ok).is_ok(), "{ok}");
        }
        let long = "x".repeat(MAX_SNAPSHOT_NAME + 1);
        for bad in [
            "",
            ".hidden",
            "..",
            "a/b",
            "a\\b",
            "a b",
            "é",
            long.as_str(),
        ] {
            assert!(check_snapshot_name(bad).is_err(), "{bad:?}");
        }
    }
}
