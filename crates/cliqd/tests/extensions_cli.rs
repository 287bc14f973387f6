//! `cliqd extensions create`: registers an extension, prints its ID and key once, and stores
//! only the key's hash.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cliqd_store::ExtensionStore;
use cliqd_store_sqlite::SqliteStore;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cliqd(args: &[&str], data: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("CLIQD_DATA")
        .output()
        .expect("cliqd runs")
}

fn fresh_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("cliqd-ext-cli-{}-{nanos}", std::process::id()))
}

fn value<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {stdout}"))
}

#[test]
fn create_prints_id_and_key_and_stores_only_the_hash() {
    let dir = fresh_dir();
    // Only `serve` creates a data directory: a missing one is an error, and nothing is created.
    let out = cliqd(&["extensions", "create", "--name", "Weather"], &dir);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cliqd database"));
    assert!(!dir.exists());
    // An empty database (what `serve` creates, without its demo organization).
    SqliteStore::open(&dir).unwrap().close();
    let out = cliqd(&["extensions", "create", "--name", "Weather"], &dir);
    assert!(!out.status.success(), "no organization yet");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no organization"));

    let out = cliqd(
        &[
            "orgs",
            "add",
            "--name",
            "Acme",
            "--admin-email",
            "dev@acme.com",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    let out = cliqd(
        &[
            "extensions",
            "create",
            "--name",
            "Weather",
            "--owner",
            "dev@acme.com",
        ],
        &dir,
    );
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let id: i64 = value(&stdout, "extension_id").parse().unwrap();
    let key = value(&stdout, "extension_key").to_string();
    assert!(key.len() >= 32);

    let dup = cliqd(&["extensions", "create", "--name", "weather"], &dir);
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("already has an extension"));
    let empty = cliqd(&["extensions", "create", "--name", "  "], &dir);
    assert!(!empty.status.success());

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let store = SqliteStore::open(&dir).unwrap();
    let ext = rt.block_on(store.get_extension(id)).unwrap();
    store.close();
    assert_eq!(ext.name, "Weather");
    assert_eq!(ext.key_hash, cliqd_server::admin::hash_secret(&key));
    // The key itself is nowhere in the data directory.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert!(!bytes.windows(key.len()).any(|w| w == key.as_bytes()));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
