//! Writes the WAL back to disk in the background, so that a checkpoint's own fsync of the WAL
//! finds little left to write.
//!
//! With `synchronous=NORMAL` SQLite syncs the WAL only when it checkpoints, inside the COMMIT
//! of the batch that crosses `wal_autocheckpoint`, and every post queued behind that batch
//! waits for it. Measured with `strace` during posts spread over 64 chats (16,000-page
//! threshold): the WAL's fsync took 47–58 ms of a checkpoint's ~85 ms, copying the pages
//! ~32 ms and the database's fsync 4–7 ms. Syncing the WAL every [`PERIOD`] from a thread of
//! its own writes the same pages back as they come (each frame is written once either way),
//! off the writer. This is RocksDB's `wal_bytes_per_sync` idea; it changes no durability
//! guarantee (an extra sync never makes data less durable).

use cliqd_store::{StoreError, StoreResult};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, SystemTime};

/// How often the WAL is synced when it changed.
const PERIOD: Duration = Duration::from_millis(50);

/// Starts the thread for the database at `db_path`; it stops when the sender is dropped.
pub(crate) fn start(db_path: &Path) -> StoreResult<mpsc::Sender<()>> {
    let mut wal = db_path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let (tx, rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("cliqd-wal-sync".into())
        .spawn(move || {
            let mut synced: Option<(u64, SystemTime)> = None;
            while let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(PERIOD) {
                // Only when the WAL changed since the last sync (its length, or its time:
                // after a checkpoint SQLite writes it again from the start).
                let Ok(meta) = std::fs::metadata(&wal) else {
                    continue;
                };
                let seen = (
                    meta.len(),
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                );
                if synced == Some(seen) {
                    continue;
                }
                // Opened each time: SQLite deletes the WAL when its last connection closes
                // and creates a new one later. A failed sync is left to SQLite's own.
                if let Ok(f) = std::fs::File::open(&wal) {
                    let _ = f.sync_data();
                }
                synced = Some(seen);
            }
        })
        .map_err(|e| StoreError::Other(format!("cannot start the WAL sync thread: {e}")))?;
    Ok(tx)
}
