//! Snapshots ([`SnapshotStore`]) with SQLite's online backup API: each is a database file in
//! the store's `snapshots/` folder.
//!
//! Saving copies every page from a reader connection in one step, inside one read
//! transaction: a consistent view while the writer goes on (and a process beside a running
//! server may save too). Restoring copies a snapshot into the writer's own connection, as work
//! that runs alone between two write batches; readers see the new content from their next
//! read. Then the snapshot's schema is brought up to date, the writer's caches and the
//! committed triggers not yet handed over are dropped; the engine's owner tells it to read the
//! pending triggers from storage again.

use super::{SqliteStore, map_err, migrations};
use async_trait::async_trait;
use cliqd_store::{SnapshotInfo, SnapshotStore, StoreError, StoreResult, check_snapshot_name};
use rusqlite::Connection;
use rusqlite::backup::Backup;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The folder of a store's snapshots, beside its database.
pub const SNAPSHOT_DIR: &str = "snapshots";

impl SqliteStore {
    fn snapshot_dir(&self) -> PathBuf {
        self.path()
            .parent()
            .map_or_else(|| PathBuf::from(SNAPSHOT_DIR), |d| d.join(SNAPSHOT_DIR))
    }

    fn snapshot_path(&self, name: &str) -> StoreResult<PathBuf> {
        check_snapshot_name(name).map_err(StoreError::Other)?;
        Ok(self.snapshot_dir().join(format!("{name}.db")))
    }

    /// Makes the writer's clock deterministic: it starts at `start_ms` (Unix milliseconds) and
    /// ticks one millisecond per reading, and every restore sets it back to `start_ms`. For
    /// seeded dev runs (`cliqd serve --dev --seed N`): times and message ids repeat.
    /// Takes effect before any write sent after this call.
    pub fn use_seeded_clock(&self, start_ms: i64) -> StoreResult<()> {
        if let Ok(mut s) = self.inner.clock_start.lock() {
            *s = Some(start_ms);
        }
        self.send(super::Work::Alone(Box::new(move |_| {
            super::set_writer_clock(Some(start_ms));
        })))
    }

    /// Replaces the database's content with `source`'s, on the writer, then tells the engine.
    async fn replace_with(&self, source: Source) -> StoreResult<()> {
        let clock = self.inner.clock_start.lock().ok().and_then(|s| *s);
        self.alone(move |conn| {
            let src = match &source {
                Source::File(path) => Connection::open(path).map_err(map_err)?,
                Source::Empty => {
                    let mut c = Connection::open_in_memory().map_err(map_err)?;
                    migrations::apply(&mut c)?;
                    c
                }
            };
            let names = names_counter(conn)?;
            copy(&src, conn)?;
            // A snapshot of an older cliqd gets this one's schema.
            migrations::apply(conn)?;
            // Every chat's page version moves past any the old content had (its `names`
            // part: migration 14): a page rendered before is never taken for one of the new
            // content, whose positions and counts may repeat the old ones.
            let names = names.max(names_counter(conn)?).saturating_add(1);
            conn.execute(
                "UPDATE counters SET value = ?1 WHERE name = 'names'",
                [names],
            )
            .map_err(map_err)?;
            super::messaging::clear_writer_cache();
            super::set_writer_clock(clock);
            Ok(())
        })
        .await?;
        // Triggers committed before and not yet taken belong to the old content. The engine
        // above is told by its owner (`Engine::store_replaced`) to read storage from the
        // first trigger again: the restored counters number triggers afresh.
        if let Ok(mut q) = self.inner.committed.lock() {
            q.items.clear();
        }
        Ok(())
    }
}

/// The `names` counter of a page version (0 before migration 14 made it).
fn names_counter(c: &Connection) -> StoreResult<i64> {
    use rusqlite::OptionalExtension;
    c.query_row("SELECT value FROM counters WHERE name = 'names'", [], |r| {
        r.get(0)
    })
    .optional()
    .map(Option::unwrap_or_default)
    .map_err(map_err)
}

enum Source {
    File(PathBuf),
    Empty,
}

/// Every page of `from` into `to`, in one step (one read transaction on `from`: a step
/// copies up to this many pages, more than any cliqd database has).
fn copy(from: &Connection, to: &mut Connection) -> StoreResult<()> {
    Backup::new(from, to)
        .and_then(|b| b.run_to_completion(i32::MAX, Duration::ZERO, None))
        .map_err(map_err)
}

fn info(name: &str, path: &Path) -> StoreResult<SnapshotInfo> {
    let meta = std::fs::metadata(path)
        .map_err(|e| StoreError::Other(format!("cannot read {}: {e}", path.display())))?;
    let saved_at = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis() as i64);
    Ok(SnapshotInfo {
        name: name.to_string(),
        bytes: meta.len(),
        saved_at,
    })
}

#[async_trait]
impl SnapshotStore for SqliteStore {
    async fn save_snapshot(&self, name: &str) -> StoreResult<SnapshotInfo> {
        let path = self.snapshot_path(name)?;
        let dir = self.snapshot_dir();
        let name = name.to_string();
        self.read(move |c| {
            std::fs::create_dir_all(&dir)
                .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))?;
            // Written aside, then renamed over: a snapshot is whole or absent.
            let tmp = dir.join(format!(".{name}.db.partial"));
            let _ = std::fs::remove_file(&tmp);
            {
                let mut dst = Connection::open(&tmp).map_err(map_err)?;
                copy(c, &mut dst)?;
                // One self-contained file (no -wal beside it).
                dst.execute_batch("PRAGMA journal_mode=DELETE;")
                    .map_err(map_err)?;
            }
            std::fs::rename(&tmp, &path)
                .map_err(|e| StoreError::Other(format!("cannot write {}: {e}", path.display())))?;
            info(&name, &path)
        })
        .await
    }

    async fn restore_snapshot(&self, name: &str) -> StoreResult<()> {
        let path = self.snapshot_path(name)?;
        if !path.is_file() {
            return Err(StoreError::NotFound);
        }
        self.replace_with(Source::File(path)).await
    }

    async fn wipe(&self) -> StoreResult<()> {
        self.replace_with(Source::Empty).await
    }

    async fn list_snapshots(&self) -> StoreResult<Vec<SnapshotInfo>> {
        let dir = self.snapshot_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(StoreError::Other(format!(
                    "cannot read {}: {e}",
                    dir.display()
                )));
            }
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let file = entry.file_name();
            let Some(name) = file.to_str().and_then(|f| f.strip_suffix(".db")) else {
                continue;
            };
            if check_snapshot_name(name).is_ok() {
                out.push(info(name, &entry.path())?);
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }
}
