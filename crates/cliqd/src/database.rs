//! Choosing and opening the store backend from `--database <URL>`: the one place the binary
//! names a backend. `cliqd serve`, the admin commands and `cliqd extensions` all open their
//! store through [`open_store`].
//!
//! Accepted forms: `sqlite:<dir>` (also `sqlite://<dir>`), or a plain directory path, both
//! meaning the embedded SQLite database `<dir>/cliqd.db`. Without `--database` the store is
//! the embedded SQLite database in the data directory. Any other scheme is refused.

use anyhow::Context;
use cliqd_server::Backend;
use cliqd_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Who opens the store, which decides whether the data directory is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `cliqd serve`: the one server of the directory. Takes an OS advisory lock on
    /// `cliqd.lock` in it for the store's life, and refuses to start if another server holds it.
    Server,
    /// Admin and extension commands: no lock. They may run next to a server on the same
    /// directory; SQLite serializes their writes with the server's.
    Admin,
}

/// A parsed `--database` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// The embedded SQLite database in this directory.
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Parses `url`: `sqlite:<dir>`, `sqlite://<dir>` or a plain path (no scheme).
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let url = url.trim();
        if url.is_empty() {
            anyhow::bail!("the database URL is empty");
        }
        match scheme(url) {
            None => Ok(DatabaseUrl::Sqlite(PathBuf::from(url))),
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("sqlite") => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path.is_empty() {
                    anyhow::bail!("the database URL {url} names no directory (sqlite:<dir>)");
                }
                Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
            }
            Some((scheme, _)) => anyhow::bail!(
                "unsupported database URL scheme `{scheme}` in {url}: cliqd supports sqlite:<dir> \
                 (or a plain directory path)"
            ),
        }
    }
}

/// The scheme of `url` and what follows its colon, when it starts with one (RFC 3986: a letter,
/// then letters, digits, `+`, `-` or `.`). A single letter is a Windows drive, not a scheme.
fn scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (valid && scheme.len() > 1).then_some((scheme, rest))
}

/// Opens the store `url` names, or the embedded SQLite database in `data_dir` when `url` is
/// `None`.
pub fn open_store(url: Option<&str>, data_dir: &Path, access: Access) -> anyhow::Result<Backend> {
    open_store_with(url, data_dir, access, None)
}

/// Where a seeded run's clock starts: 2025-01-01T00:00:00Z, whatever the seed.
pub const SEEDED_CLOCK_START_MS: i64 = 1_735_689_600_000;

/// `cliqd serve`'s store ([`Access::Server`]); with `seed`, its clock is the seeded one
/// (starting at [`SEEDED_CLOCK_START_MS`], one millisecond per reading), so the same requests
/// give the same times and message ids run after run.
pub fn open_server_store(
    url: Option<&str>,
    data_dir: &Path,
    seed: Option<u64>,
) -> anyhow::Result<Backend> {
    let clock = seed.map(|_| SEEDED_CLOCK_START_MS);
    open_store_with(url, data_dir, Access::Server, clock)
}

fn open_store_with(
    url: Option<&str>,
    data_dir: &Path,
    access: Access,
    seeded_clock: Option<i64>,
) -> anyhow::Result<Backend> {
    let parsed = match url {
        Some(u) => DatabaseUrl::parse(u)?,
        None => DatabaseUrl::Sqlite(data_dir.to_path_buf()),
    };
    match parsed {
        DatabaseUrl::Sqlite(dir) => {
            check_directory(&dir, access)?;
            let store = match access {
                Access::Server => SqliteStore::open_exclusive(&dir),
                Access::Admin => SqliteStore::open(&dir),
            }
            .with_context(|| format!("cannot open the store in {}", dir.display()))?;
            if let Some(start) = seeded_clock {
                store.use_seeded_clock(start)?;
            }
            let closer = store.clone();
            Ok(Backend {
                store: Arc::new(store),
                close: Box::new(move || closer.close()),
            })
        }
    }
}

/// The SQLite file's first bytes (<https://www.sqlite.org/fileformat.html>).
const SQLITE_HEADER: &[u8] = b"SQLite format 3\0";

/// Refuses, in one plain sentence, a data directory that cannot be cliqd's: a path that is a
/// file, a `cliqd.db` that is not an SQLite database, and (for every command but `serve`, which
/// alone creates a data directory) a directory with no database yet, so that a typo in
/// `--data` is an error rather than a new empty database.
fn check_directory(dir: &Path, access: Access) -> anyhow::Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => anyhow::bail!("{} is not a directory", dir.display()),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match access {
                Access::Server => Ok(()),
                Access::Admin => Err(no_database(dir)),
            };
        }
        Err(e) => anyhow::bail!("cannot read {}: {e}", dir.display()),
    }
    let db = dir.join("cliqd.db");
    match std::fs::File::open(&db) {
        Ok(mut file) => {
            use std::io::Read;
            let mut head = Vec::with_capacity(SQLITE_HEADER.len());
            (&mut file)
                .take(SQLITE_HEADER.len() as u64)
                .read_to_end(&mut head)
                .with_context(|| format!("cannot read {}", db.display()))?;
            // An empty file is what SQLite itself leaves before the first write.
            if !head.is_empty() && head != SQLITE_HEADER {
                anyhow::bail!("{} is not a cliqd database", db.display());
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match access {
            Access::Server => Ok(()),
            Access::Admin => Err(no_database(dir)),
        },
        Err(e) => anyhow::bail!("cannot read {}: {e}", db.display()),
    }
}

fn no_database(dir: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "no cliqd database in {} (check --data; `cliqd serve --data {}` creates one)",
        dir.display(),
        dir.display()
    )
}

/// A store opened by a one-shot command ([`Access::Admin`]); derefs to the store.
pub struct CommandStore(Backend);

impl CommandStore {
    pub fn open(url: Option<&str>, data_dir: &Path) -> anyhow::Result<Self> {
        open_store(url, data_dir, Access::Admin).map(CommandStore)
    }

    /// Lets the backend finish its writes and release what it holds.
    pub fn close(self) {
        (self.0.close)();
    }
}

impl std::ops::Deref for CommandStore {
    type Target = dyn cliqd_store::Store;

    fn deref(&self) -> &Self::Target {
        self.0.store.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths() {
        let sqlite = |p: &str| DatabaseUrl::Sqlite(PathBuf::from(p));
        assert_eq!(
            DatabaseUrl::parse("sqlite:./cliqd-data").unwrap(),
            sqlite("./cliqd-data")
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/cliqd").unwrap(),
            sqlite("/var/lib/cliqd")
        );
        assert_eq!(DatabaseUrl::parse("SQLite:data").unwrap(), sqlite("data"));
        assert_eq!(DatabaseUrl::parse("./data").unwrap(), sqlite("./data"));
        assert_eq!(DatabaseUrl::parse("/srv/x").unwrap(), sqlite("/srv/x"));
        assert_eq!(DatabaseUrl::parse(r"C:\data").unwrap(), sqlite(r"C:\data"));
        assert_eq!(DatabaseUrl::parse("./a:b").unwrap(), sqlite("./a:b"));
        let err = DatabaseUrl::parse("postgres://localhost/cliqd").unwrap_err();
        assert!(
            err.to_string()
                .contains("unsupported database URL scheme `postgres`"),
            "{err}"
        );
        assert!(DatabaseUrl::parse("sqlite:").is_err());
        assert!(DatabaseUrl::parse("  ").is_err());
    }

    #[test]
    fn unusable_directories_are_named_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        std::fs::write(&file, "x").unwrap();
        let err = format!(
            "{:#}",
            open_store(None, &file, Access::Server).err().unwrap()
        );
        assert_eq!(err, format!("{} is not a directory", file.display()));

        let bad = dir.path().join("bad");
        std::fs::create_dir(&bad).unwrap();
        std::fs::write(bad.join("cliqd.db"), "not sqlite at all").unwrap();
        let err = format!(
            "{:#}",
            open_store(None, &bad, Access::Server).err().unwrap()
        );
        assert_eq!(
            err,
            format!("{} is not a cliqd database", bad.join("cliqd.db").display())
        );

        let missing = dir.path().join("typo");
        let err = format!(
            "{:#}",
            open_store(None, &missing, Access::Admin).err().unwrap()
        );
        assert!(err.starts_with("no cliqd database in"), "{err}");
        assert!(
            !missing.exists(),
            "an admin command created a data directory"
        );
    }

    #[test]
    fn a_server_holds_its_directory_and_admins_may_share_it() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().display());
        let server = open_store(Some(&url), Path::new("unused"), Access::Server).unwrap();
        let second = open_store(None, dir.path(), Access::Server);
        let err = format!("{:#}", second.err().expect("second server refused"));
        assert!(err.contains("in use by another cliqd server"), "{err}");
        let admin = open_store(None, dir.path(), Access::Admin).unwrap();
        (admin.close)();
        (server.close)();
        let again = open_store(None, dir.path(), Access::Server).unwrap();
        (again.close)();
    }
}
