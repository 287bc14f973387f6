//! `cliqd snapshot save|restore|list NAME` and `cliqd reset`: the whole store saved under a
//! name, put back, or reset to the demo organization.
//!
//! On the data directory (the default): saving works beside a running server (SQLite's
//! backup reads one consistent view); restoring and resetting take the directory's lock, so
//! they refuse, saying what to do, while a server runs there — its caches would describe the
//! old content. With `--server URL` they go through that running server's dev endpoints
//! (`cliqd serve --dev`), which restore and then drop the server's caches.

use crate::admin_cmd::DataArg;
use crate::database::{Access, CommandStore, open_store};
use crate::server_client::{ServerArgs, ServerClient};
use cliqd_server::admin::{self, ResetOutcome};
use serde_json::Value;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum SnapshotCommand {
    /// Save the whole store (every organization) as NAME, replacing a snapshot of that name.
    Save {
        /// Letters, digits, `-`, `_`, `.` (up to 64).
        name: String,
        #[command(flatten)]
        target: Target,
    },
    /// Put snapshot NAME back: the whole store becomes what it was when NAME was saved.
    Restore {
        /// The snapshot's name (see `cliqd snapshot list`).
        name: String,
        #[command(flatten)]
        target: Target,
    },
    /// List the saved snapshots: name, size, when saved.
    List {
        #[command(flatten)]
        target: Target,
    },
}

/// The data directory, or a running server.
#[derive(clap::Args)]
pub struct Target {
    /// Go through the server running at this URL (it must run with --dev) instead of opening
    /// the data directory.
    #[arg(long, env = "CLIQD_SERVER")]
    server: Option<String>,
    /// With --server: an organization admin's token (default: the data directory's
    /// admin.token).
    #[arg(long, env = "CLIQD_TOKEN", hide_env_values = true)]
    token: Option<String>,
    #[command(flatten)]
    data: DataArg,
}

impl Target {
    fn client(&self) -> anyhow::Result<Option<ServerClient>> {
        let Some(server) = &self.server else {
            return Ok(None);
        };
        ServerClient::new(&ServerArgs {
            server: server.clone(),
            token: self.token.clone(),
            data: self.data.data.clone(),
        })
        .map(Some)
    }
}

pub async fn snapshot(cmd: SnapshotCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        SnapshotCommand::Save { name, target } => {
            cliqd_store::check_snapshot_name(&name).map_err(anyhow::Error::msg)?;
            if let Some(client) = target.client()? {
                let body = client
                    .expect(
                        "cannot save the snapshot",
                        "POST",
                        &["cliqd", "dev", "snapshots", &name],
                        &[],
                        None,
                    )
                    .await?;
                println!("Saved snapshot {name} ({} bytes).", body["data"]["bytes"]);
                return Ok(ExitCode::SUCCESS);
            }
            let store = CommandStore::open(target.data.database.as_deref(), &target.data.data)?;
            let saved = store.save_snapshot(&name).await;
            store.close();
            let saved = saved?;
            println!(
                "Saved snapshot {} ({} bytes) in {}.",
                saved.name,
                saved.bytes,
                target
                    .data
                    .data
                    .join(cliqd_store_sqlite::SNAPSHOT_DIR)
                    .display()
            );
        }
        SnapshotCommand::Restore { name, target } => {
            cliqd_store::check_snapshot_name(&name).map_err(anyhow::Error::msg)?;
            if let Some(client) = target.client()? {
                client
                    .expect(
                        "cannot restore the snapshot",
                        "POST",
                        &["cliqd", "dev", "snapshots", &name, "restore"],
                        &[],
                        None,
                    )
                    .await?;
                println!("Restored snapshot {name} on the running server.");
                return Ok(ExitCode::SUCCESS);
            }
            let store = locked(&target.data, "restore")?;
            let restored = store.store.restore_snapshot(&name).await;
            close(store);
            match restored {
                Ok(()) => println!("Restored snapshot {name}."),
                Err(cliqd_store::StoreError::NotFound) => {
                    anyhow::bail!("no snapshot named {name} (see `cliqd snapshot list`)")
                }
                Err(e) => return Err(e.into()),
            }
        }
        SnapshotCommand::List { target } => {
            let list: Vec<(String, Value, Value)> = if let Some(client) = target.client()? {
                let body = client
                    .expect(
                        "cannot list the snapshots",
                        "GET",
                        &["cliqd", "dev", "snapshots"],
                        &[],
                        None,
                    )
                    .await?;
                body["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| {
                        (
                            s["name"].as_str().unwrap_or_default().to_string(),
                            s["bytes"].clone(),
                            s["saved_time"].clone(),
                        )
                    })
                    .collect()
            } else {
                let store = CommandStore::open(target.data.database.as_deref(), &target.data.data)?;
                let all = store.list_snapshots().await;
                store.close();
                all?.into_iter()
                    .map(|s| (s.name, s.bytes.into(), s.saved_at.into()))
                    .collect()
            };
            for (name, bytes, saved) in list {
                let when = saved
                    .as_i64()
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                    .unwrap_or_default();
                println!("{name}\t{bytes}\t{when}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `cliqd reset`: back to the demo organization.
#[derive(clap::Args)]
pub struct ResetArgs {
    #[command(flatten)]
    target: Target,
}

pub async fn reset(args: ResetArgs) -> anyhow::Result<ExitCode> {
    if let Some(client) = args.target.client()? {
        let body = client
            .expect(
                "cannot reset the server",
                "POST",
                &["cliqd", "dev", "reset"],
                &[],
                None,
            )
            .await?;
        if body["data"]["recreated"] == Value::Bool(true) {
            println!(
                "Reset: a new demo organization; its admin token is in {}.",
                body["data"]["admin_token_file"]
                    .as_str()
                    .unwrap_or("admin.token")
            );
        } else {
            println!("Reset to the initial snapshot (the admin token is unchanged).");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let data = &args.target.data;
    let store = locked(data, "reset")?;
    let outcome = admin::reset(store.store.as_ref(), &data.data, None).await;
    close(store);
    match outcome? {
        ResetOutcome::Restored => {
            println!("Reset to the initial snapshot (the admin token is unchanged).")
        }
        ResetOutcome::Recreated(demo) => println!(
            "Reset: no initial snapshot, so a new demo organization {} ({}); its admin token is \
             in {}.",
            demo.org.name,
            demo.org.id,
            data.data.join("admin.token").display()
        ),
    }
    Ok(ExitCode::SUCCESS)
}

/// The store, with the data directory's lock held (no server may run on it meanwhile).
fn locked(data: &DataArg, verb: &str) -> anyhow::Result<cliqd_server::Backend> {
    // The directory must hold a database already (only `serve` creates one).
    CommandStore::open(data.database.as_deref(), &data.data)?.close();
    open_store(data.database.as_deref(), &data.data, Access::Server).map_err(|e| {
        if format!("{e:#}").contains("in use by another cliqd server") {
            anyhow::anyhow!(
                "a cliqd server is running on {}: {verb} through it with --server URL (it must \
                 run with --dev), or stop it first",
                data.data.display()
            )
        } else {
            e
        }
    })
}

fn close(backend: cliqd_server::Backend) {
    (backend.close)();
}
