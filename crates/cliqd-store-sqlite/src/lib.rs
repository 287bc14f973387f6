//! The SQLite backend of the cliqd store: one writer thread doing group commit, a small pool
//! of readers. SQL lives only in store backend crates such as this one; what it offers is the
//! traits of [`cliqd_store`], and nothing from `rusqlite` escapes it.
//!
//! Writes are queued as jobs on a channel. The writer takes every job waiting (up to a batch
//! limit), runs them in one transaction, commits once, and only then replies to each job.
//! Readers use their own connections; in WAL mode they never wait for the writer.
//!
//! A job's failure is contained in one of two ways ([`Containment`]). By default the job runs
//! inside a SAVEPOINT, so a failing job is rolled back alone. A job that refuses bad input
//! before it writes anything (it answers a refusal as `Ok`) and so can only fail on a database
//! error may run without one, which saves SQLite copying every page it touches to the
//! savepoint journal; if such a job does fail, the whole batch is rolled back and every job in
//! it gets the error. Either way nothing is acknowledged that was not committed.

#![forbid(unsafe_code)]

mod components;
mod extensions;
mod forms;
mod identity;
mod messaging;
mod migrations;
mod snapshots;
mod walsync;
mod webhooks;

#[cfg(test)]
mod tests;

use cliqd_store::{ChatEvent, ConflictOn, EventBus, InProcessBus, StoreError, StoreResult};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

/// Called after the batch's COMMIT (or its failure) to deliver a job's result.
type Reply = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A job runs on the writer's connection and returns its reply, and whether it failed in a
/// way that spoils the whole batch (see [`Containment::Batch`]).
type Job = Box<dyn FnOnce(&Connection) -> (Reply, bool) + Send>;

/// What the writer thread is sent: a job for the next batch, or work that runs alone, between
/// two batches and outside any transaction (a snapshot's restore).
enum Work {
    Job(Job),
    Alone(Box<dyn FnOnce(&mut Connection) + Send>),
}

/// How the failure of one write job is kept from the others in its batch.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Containment {
    /// In a SAVEPOINT of its own: a failing job is rolled back alone.
    Savepoint,
    /// No savepoint: for jobs that refuse before writing and fail only on database errors.
    /// A failure rolls back the whole batch.
    Batch,
}

const MAX_BATCH: usize = 512;
const READERS: usize = 4;
/// Committed chat events buffered for slow subscribers before they get `Lagged`.
const EVENT_BUFFER: usize = 16_384;
/// The file in the store's directory that a serving process holds an OS lock on.
pub const LOCK_FILE: &str = "cliqd.lock";
pub use snapshots::SNAPSHOT_DIR;

/// SQLite-backed store. Cheap to clone; all clones share the writer and readers.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Option<mpsc::Sender<Work>>>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
    path: PathBuf,
    /// Chat events, published by the writer thread after COMMIT, in commit order.
    events: Arc<dyn EventBus>,
    /// Held by a store opened with [`SqliteStore::open_exclusive`] until [`SqliteStore::close`].
    lock: Mutex<Option<std::fs::File>>,
    /// Woken by the writer thread after a COMMIT that wrote a handler trigger.
    triggers: Arc<tokio::sync::Notify>,
    /// Triggers committed and not yet taken by the engine, with their context.
    committed: Arc<Mutex<CommittedQueue>>,
    /// Where the writer's clock starts when it is seeded ([`SqliteStore::use_seeded_clock`]);
    /// a restore sets it back there.
    clock_start: Mutex<Option<i64>>,
    /// Keeps the WAL sync thread ([`walsync`]) running; dropped on close.
    wal_sync: Mutex<Option<mpsc::Sender<()>>>,
}

/// Committed triggers waiting for [`cliqd_store::RuntimeStore::take_committed`].
#[derive(Default)]
struct CommittedQueue {
    items: Vec<cliqd_store::CommittedTrigger>,
    /// Some were dropped because nobody took them (no engine runs on this store).
    lagged: bool,
}

/// Committed triggers kept for the engine at most; beyond, they are dropped and the engine
/// reads them from storage.
const MAX_COMMITTED: usize = 65_536;

impl SqliteStore {
    /// Opens (creating if needed) `dir/cliqd.db`, applies pending migrations and starts the
    /// writer. Chat events go to an [`InProcessBus`].
    ///
    /// Takes no lock: several processes may open the same directory (SQLite serializes their
    /// writes), which is how the admin commands work next to a running server.
    pub fn open(dir: &Path) -> StoreResult<Self> {
        Self::open_with(dir, Arc::new(InProcessBus::new(EVENT_BUFFER)), None)
    }

    /// Like [`SqliteStore::open`], for the one server of `dir`: first takes an OS advisory lock
    /// on `dir/cliqd.lock`, held until [`SqliteStore::close`] (or the process ends), and fails
    /// with a clear message when another process holds it.
    pub fn open_exclusive(dir: &Path) -> StoreResult<Self> {
        create_dir(dir)?;
        let lock_path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::Other(format!("cannot open {}: {e}", lock_path.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Other(format!(
                    "the data directory {} is in use by another cliqd server (it holds a lock on {})",
                    dir.display(),
                    lock_path.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::Other(format!(
                    "cannot lock {}: {e}",
                    lock_path.display()
                )));
            }
        }
        Self::open_with(dir, Arc::new(InProcessBus::new(EVENT_BUFFER)), Some(file))
    }

    fn open_with(
        dir: &Path,
        events: Arc<dyn EventBus>,
        lock: Option<std::fs::File>,
    ) -> StoreResult<Self> {
        create_dir(dir)?;
        let path = dir.join("cliqd.db");
        let mut writer = open_conn(&path, false)?;
        migrations::apply(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_conn(&path, true).map(Mutex::new))
            .collect::<StoreResult<Vec<_>>>()?;
        let (tx, rx) = mpsc::channel::<Work>();
        let triggers = Arc::new(tokio::sync::Notify::new());
        let committed = Arc::new(Mutex::new(CommittedQueue::default()));
        let handoff = Handoff {
            wake: triggers.clone(),
            committed: committed.clone(),
        };
        std::thread::Builder::new()
            .name("cliqd-store-writer".into())
            .spawn(move || writer_loop(writer, rx, &handoff))
            .map_err(|e| StoreError::Other(format!("cannot start writer thread: {e}")))?;
        let wal_sync = walsync::start(&path)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Mutex::new(Some(tx)),
                readers,
                next_reader: AtomicUsize::new(0),
                path,
                events,
                lock: Mutex::new(lock),
                triggers,
                committed,
                clock_start: Mutex::new(None),
                wal_sync: Mutex::new(Some(wal_sync)),
            }),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Stops accepting writes; the writer thread finishes queued jobs and exits. Releases the
    /// directory lock of [`SqliteStore::open_exclusive`].
    pub fn close(&self) {
        if let Ok(mut w) = self.inner.writer.lock() {
            w.take();
        }
        if let Ok(mut l) = self.inner.lock.lock() {
            l.take();
        }
        if let Ok(mut s) = self.inner.wal_sync.lock() {
            s.take();
        }
    }

    /// What the writer wakes after a COMMIT that wrote a handler trigger.
    pub(crate) fn trigger_notify(&self) -> Arc<tokio::sync::Notify> {
        self.inner.triggers.clone()
    }

    /// The committed triggers not yet taken (see [`CommittedQueue`]).
    pub(crate) fn take_committed_triggers(&self) -> cliqd_store::Committed {
        match self.inner.committed.lock() {
            Ok(mut q) => cliqd_store::Committed {
                triggers: std::mem::take(&mut q.items),
                lagged: std::mem::take(&mut q.lagged),
            },
            Err(_) => cliqd_store::Committed {
                triggers: Vec::new(),
                lagged: true,
            },
        }
    }

    /// The bus this store publishes committed chat events on.
    pub(crate) fn events(&self) -> &dyn EventBus {
        self.inner.events.as_ref()
    }

    /// Runs `f` in the writer's current batch transaction, inside its own savepoint.
    pub(crate) async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.write_events_with(Containment::Savepoint, move |c, _| f(c))
            .await
    }

    /// Like [`SqliteStore::write`]; `f` also records chat events, which are published (in
    /// commit order, from the writer thread) only once the batch has committed.
    pub(crate) async fn write_events<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<ChatEvent>) -> StoreResult<T> + Send + 'static,
    {
        self.write_events_with(Containment::Savepoint, f).await
    }

    /// [`SqliteStore::write_events`] with the given failure containment.
    pub(crate) async fn write_events_with<T, F>(
        &self,
        containment: Containment,
        f: F,
    ) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &mut Vec<ChatEvent>) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let bus = self.inner.events.clone();
        let job: Job = Box::new(move |conn| {
            let mut events = Vec::new();
            let mark = messaging::captured_mark();
            let result = match containment {
                Containment::Savepoint => in_savepoint(conn, |c| f(c, &mut events)),
                Containment::Batch => f(conn, &mut events),
            };
            if result.is_err() {
                // Its triggers were rolled back with it (or the whole batch will be), and
                // what the writer cached may reflect its undone writes.
                messaging::rollback_captured(mark);
                messaging::clear_writer_cache();
            }
            let spoils_batch = containment == Containment::Batch && result.is_err();
            let reply: Reply = Box::new(move |commit: StoreResult<()>| {
                // Replies run on the writer thread in commit order, after COMMIT.
                if commit.is_ok() && result.is_ok() && !events.is_empty() {
                    bus.publish(events);
                }
                let _ = tx.send(commit.and(result));
            });
            (reply, spoils_batch)
        });
        self.submit(job)?;
        rx.await
            .map_err(|_| StoreError::Other("writer dropped the job".into()))?
    }

    fn submit(&self, job: Job) -> StoreResult<()> {
        self.send(Work::Job(job))
    }

    /// Runs `f` on the writer's connection alone: after the batch in progress has committed,
    /// before the next begins, outside any transaction.
    pub(crate) async fn alone<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> StoreResult<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.send(Work::Alone(Box::new(move |conn| {
            let _ = tx.send(f(conn));
        })))?;
        rx.await
            .map_err(|_| StoreError::Other("writer dropped the job".into()))?
    }

    fn send(&self, work: Work) -> StoreResult<()> {
        let sender = self
            .inner
            .writer
            .lock()
            .map_err(|_| StoreError::Other("writer lock poisoned".into()))?
            .clone()
            .ok_or_else(|| StoreError::Other("store is closed".into()))?;
        sender
            .send(work)
            .map_err(|_| StoreError::Other("writer thread stopped".into()))
    }

    /// Runs a short read on the calling thread when a reader connection is idle, and on the
    /// blocking pool (as [`Self::read`]) when none is. Only for reads whose cost is bounded:
    /// a few index lookups and at most a page of rows (a chat and the caller's membership, a
    /// page of its messages, one message), which take tens of microseconds — less than handing
    /// them to another thread and back, which cost a get-messages about a quarter of its CPU
    /// time in context switches. The price: a short read that misses the page cache holds its
    /// worker for the disk read. Anything that may scan (search, lists that grow with the
    /// data) goes through [`Self::read`].
    pub(crate) async fn read_short<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let n = self.inner.readers.len();
        let start = self.inner.next_reader.fetch_add(1, Ordering::Relaxed) % n;
        for i in 0..n {
            if let Ok(conn) = self.inner.readers[(start + i) % n].try_lock() {
                return f(&conn);
            }
        }
        self.read(f).await
    }

    /// Runs `f` on a reader connection on the blocking pool.
    pub(crate) async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let n = inner.readers.len();
            let start = inner.next_reader.fetch_add(1, Ordering::Relaxed) % n;
            // Prefer an idle connection; otherwise wait for the round-robin one.
            for i in 0..n {
                if let Ok(conn) = inner.readers[(start + i) % n].try_lock() {
                    return f(&conn);
                }
            }
            let conn = inner.readers[start]
                .lock()
                .map_err(|_| StoreError::Other("reader lock poisoned".into()))?;
            f(&conn)
        })
        .await
        .map_err(|e| StoreError::Other(format!("reader task failed: {e}")))?
    }
}

fn create_dir(dir: &Path) -> StoreResult<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| StoreError::Other(format!("cannot create {}: {e}", dir.display())))
}

fn open_conn(path: &Path, read_only: bool) -> StoreResult<Connection> {
    let flags = if read_only {
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
    } else {
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
    };
    let conn = Connection::open_with_flags(path, flags).map_err(map_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(map_err)?;
    if !read_only {
        conn.execute_batch("PRAGMA journal_mode=WAL;")
            .map_err(map_err)?;
    }
    // Reads through a memory map: in WAL mode a connection drops its page cache whenever
    // another one has committed, and re-reading pages through the map costs no system call
    // or copy (a busy server commits thousands of times a second).
    // A checkpoint (copying the WAL into the database) runs inside the COMMIT of the batch
    // that crosses the threshold, and every post queued meanwhile waits for it. Every 16,000
    // pages (a WAL of up to 64 MiB) rather than SQLite's 1,000: a hot page is copied once for
    // more commits, and posts spread over many chats (a page per chat per batch) cross it a
    // quarter as often as at 4,000 (docs/messaging.md, "Posts spread over many chats").
    conn.execute_batch(
        "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;
         PRAGMA mmap_size=1073741824; PRAGMA wal_autocheckpoint=16000;",
    )
    .map_err(map_err)?;
    // Every statement cliqd runs is prepared once per connection and kept. The query planner
    // stability guarantee keeps it so: without it SQLite peeks at some bound values when it
    // plans (a `LIMIT ?`, a `LIKE ?` pattern) and prepares the statement again on every run
    // with new values. Every get-messages did (its limit is bound), which was a quarter of its
    // CPU time.
    conn.set_prepared_statement_cache_capacity(256);
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
        .map_err(map_err)?;
    Ok(conn)
}

/// Runs one of the writer's fixed statements (BEGIN, SAVEPOINT, …) from the statement cache,
/// so they are not parsed again for every job.
pub(crate) fn exec_cached(conn: &Connection, sql: &str) -> StoreResult<()> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute([]))
        .map(|_| ())
        .map_err(map_err)
}

fn in_savepoint<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> StoreResult<T>,
) -> StoreResult<T> {
    exec_cached(conn, "SAVEPOINT job")?;
    let result = f(conn);
    if result.is_err() {
        exec_cached(conn, "ROLLBACK TO job")?;
    }
    exec_cached(conn, "RELEASE job")?;
    result
}

/// What the writer hands the handler engine after each COMMIT.
struct Handoff {
    wake: Arc<tokio::sync::Notify>,
    committed: Arc<Mutex<CommittedQueue>>,
}

impl Handoff {
    /// After the batch's COMMIT (`ok`) or its rollback: the batch's triggers go to the engine,
    /// or are forgotten.
    fn after_batch(&self, ok: bool) {
        let captured = messaging::take_captured();
        if !ok {
            messaging::clear_writer_cache();
        }
        if !ok || captured.is_empty() {
            return;
        }
        if let Ok(mut q) = self.committed.lock() {
            if q.items.len() + captured.len() > MAX_COMMITTED {
                q.items.clear();
                q.lagged = true;
            } else {
                q.items.extend(captured);
            }
        }
        self.wake.notify_one();
    }
}

fn writer_loop(mut conn: Connection, rx: mpsc::Receiver<Work>, handoff: &Handoff) {
    // Work that must run alone, received while a batch was being gathered: it runs next.
    let mut held: Option<Work> = None;
    loop {
        let first = match held.take().map_or_else(|| rx.recv().ok(), Some) {
            None => break,
            Some(Work::Alone(f)) => {
                // A panic must not take the writer (and every later write) with it: the
                // caller's reply channel is dropped, so it gets an error.
                let run = std::panic::AssertUnwindSafe(|| f(&mut conn));
                if std::panic::catch_unwind(run).is_err() {
                    tracing::error!("work running alone on the writer panicked");
                    messaging::clear_writer_cache();
                }
                continue;
            }
            Some(Work::Job(job)) => job,
        };
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(Work::Job(job)) => batch.push(job),
                Ok(alone) => {
                    held = Some(alone);
                    break;
                }
                Err(_) => break,
            }
        }
        let begin = exec_cached(&conn, "BEGIN IMMEDIATE");
        if let Err(e) = begin {
            // Dropping the jobs drops their reply channels: each caller gets an error.
            tracing::error!(error = %e, jobs = batch.len(), "cannot begin write transaction");
            continue;
        }
        let mut spoiled = false;
        let replies: Vec<Reply> = batch
            .into_iter()
            .map(|job| {
                let (reply, spoils) = job(&conn);
                spoiled |= spoils;
                reply
            })
            .collect();
        let commit = if spoiled {
            tracing::error!(
                jobs = replies.len(),
                "a write job failed without a savepoint; rolling back its batch"
            );
            let _ = conn.execute_batch("ROLLBACK");
            Err(StoreError::Other(
                "the write batch was rolled back after a database error".into(),
            ))
        } else {
            // Derived data written once per batch rather than once per job.
            let commit = messaging::index_pending_messages(&conn)
                .and_then(|()| exec_cached(&conn, "COMMIT"));
            if let Err(e) = &commit {
                tracing::error!(error = %e, "group commit failed");
                let _ = conn.execute_batch("ROLLBACK");
            }
            commit
        };
        handoff.after_batch(commit.is_ok());
        for reply in replies {
            reply(match &commit {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Other(e.to_string())),
            });
        }
    }
}

/// Maps SQLite's errors to the store's; nothing from rusqlite escapes this crate.
///
/// A constraint violation becomes [`ConflictOn::Constraint`]: the rules callers tell apart are
/// checked explicitly, or named by the statement that can break them ([`unique_on`]), never
/// read back from SQLite's error message.
/// Every row of `sql` with `params`, each read by `row`: a prepared, cached statement.
pub(crate) fn query_all<T, P: rusqlite::Params>(
    c: &rusqlite::Connection,
    sql: &str,
    params: P,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> StoreResult<Vec<T>> {
    c.prepare_cached(sql)
        .map_err(map_err)?
        .query_map(params, row)
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)
}

pub(crate) fn map_err(e: rusqlite::Error) -> StoreError {
    match e {
        rusqlite::Error::QueryReturnedNoRows => StoreError::NotFound,
        rusqlite::Error::SqliteFailure(f, _)
            if f.code == rusqlite::ErrorCode::ConstraintViolation =>
        {
            StoreError::Conflict(ConflictOn::Constraint)
        }
        other => StoreError::Other(other.to_string()),
    }
}

/// For a statement that can break exactly one UNIQUE rule: maps that violation to `on`, and
/// every other error as [`map_err`] does.
pub(crate) fn unique_on(on: ConflictOn) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |e| match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE =>
        {
            StoreError::Conflict(on)
        }
        _ => map_err(e),
    }
}

thread_local! {
    /// The writer thread's seeded clock: the next instant it answers, when seeded.
    static SEEDED_NOW: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Now, in Unix milliseconds. On a seeded store's writer thread, a clock that starts at the
/// seeded instant and ticks one millisecond per reading, so that the same writes give the
/// same times (and message ids) run after run; elsewhere the system clock.
pub(crate) fn now_ms() -> i64 {
    if let Some(t) = SEEDED_NOW.with(|c| {
        let t = c.get()?;
        c.set(Some(t + 1));
        Some(t)
    }) {
        return t;
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Seeds (or, with `None`, unseeds) the clock of the thread this runs on: the writer's.
pub(crate) fn set_writer_clock(start: Option<i64>) {
    SEEDED_NOW.with(|c| c.set(start));
}

/// True when `sql` (a `SELECT 1 …` lookup) finds a row.
pub(crate) fn exists(conn: &Connection, sql: &str, p: impl rusqlite::Params) -> StoreResult<bool> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(sql)
        .map_err(map_err)?
        .query_row(p, |_| Ok(()))
        .optional()
        .map_err(map_err)
        .map(|o| o.is_some())
}

/// Allocates the next value of a named counter (ids, change sequence) inside the write transaction.
///
/// An UPDATE and a SELECT rather than `UPDATE … RETURNING`: SQLite buffers RETURNING rows in an
/// ephemeral table, which costs more than the second lookup on this hot path.
pub(crate) fn next_counter(conn: &Connection, name: &str) -> StoreResult<i64> {
    conn.prepare_cached("UPDATE counters SET value = value + 1 WHERE name = ?1")
        .map_err(map_err)?
        .execute([name])
        .map_err(map_err)?;
    conn.prepare_cached("SELECT value FROM counters WHERE name = ?1")
        .map_err(map_err)?
        .query_row([name], |r| r.get(0))
        .map_err(map_err)
}
