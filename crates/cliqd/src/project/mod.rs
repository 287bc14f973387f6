//! Components as files: `cliqd apply DIR` and `cliqd export DIR` (format in
//! `docs/projects.md`).
//!
//! Both talk to a running server over its HTTP API with a token, rather than opening the data
//! directory: the server holds caches over its store (authenticated tokens, parsed handler
//! programs keyed by handler id and time, the writer's bots), which a second process writing
//! the database would leave stale; and going through the API puts every component through the
//! very validation a Cliq client meets, so a folder that applies here is one the API accepts.

mod apply;
mod export;
mod manifest;

use crate::server_client::{ServerArgs, ServerClient};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

#[derive(clap::Args)]
pub struct ApplyArgs {
    /// The project folder (its cliqd.toml names the components).
    dir: PathBuf,
    /// Also delete the bots, functions and message actions the folder does not name (those
    /// the token's user sees and may delete).
    #[arg(long)]
    prune: bool,
    /// Apply again on every save (checks the folder twice a second); Ctrl-C stops.
    #[arg(long)]
    watch: bool,
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// The folder to write (created if needed).
    dir: PathBuf,
    /// Replace an earlier export in the folder (its cliqd.toml and script folders).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    server: ServerArgs,
}

pub async fn apply(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let client = ServerClient::new(&args.server)?;
    if !args.watch {
        return once(&client, &args.dir, args.prune).await;
    }
    let mut seen = None;
    loop {
        let now = fingerprint(&args.dir);
        if seen.as_ref() != Some(&now) {
            if seen.is_some() {
                println!("-- {} changed, applying", args.dir.display());
            }
            seen = Some(now);
            // Errors are printed and the watch goes on: the next save may fix them.
            if let Err(e) = once(&client, &args.dir, args.prune).await {
                eprintln!("error: {e:#}");
            }
            println!("-- watching {} (Ctrl-C stops)", args.dir.display());
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = tokio::signal::ctrl_c() => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// One apply: the folder's problems (each with its position) or the changes, then
/// "no changes" when there were none. Fails when anything was refused.
async fn once(client: &ServerClient, dir: &Path, prune: bool) -> anyhow::Result<ExitCode> {
    let wanted = match manifest::load(dir) {
        Ok(w) => w,
        Err(problems) => {
            eprintln!("{problems}");
            eprintln!("nothing was applied");
            return Ok(ExitCode::FAILURE);
        }
    };
    let report = apply::apply(client, &wanted, prune).await?;
    if report.changes.is_empty() && report.failures.is_empty() {
        println!("no changes");
    }
    if report.failures.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("{} change(s) refused", report.failures.len());
        Ok(ExitCode::FAILURE)
    }
}

/// Every file under `dir` with its size and modification time: a change to any is a save.
fn fingerprint(dir: &Path) -> Vec<(PathBuf, u64, Option<SystemTime>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else {
                out.push((path, meta.len(), meta.modified().ok()));
            }
        }
    }
    out.sort();
    out
}

pub async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let client = ServerClient::new(&args.server)?;
    export::export(&client, &args.dir, args.force).await?;
    Ok(ExitCode::SUCCESS)
}
