//! The `cliqd` binary: a thin command-line front over the server and the Deluge runtime.

mod admin_cmd;
mod database;
mod deluge_cmd;
mod deluge_remote;
mod executions_cmd;
mod extensions_cmd;
mod keys_cmd;
mod project;
mod server_client;
mod snapshot_cmd;

use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: the server and the Deluge interpreter make many
/// small, short-lived allocations (see `docs/messaging.md` and `crates/deluge/README.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "cliqd",
    version,
    about = "A self-hosted server for the Zoho Cliq developer platform"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run, check, test and benchmark Deluge scripts offline.
    Deluge(deluge_cmd::DelugeArgs),
    /// Register extensions (as Cliq's developer console does).
    #[command(subcommand)]
    Extensions(extensions_cmd::ExtensionsCommand),
    /// The organization's webhook signing key.
    #[command(subcommand)]
    Keys(keys_cmd::KeysCommand),
    /// Create or update a project folder's components on a running server (cliqd.toml and
    /// .dg files; docs/projects.md).
    Apply(project::ApplyArgs),
    /// Write an organization's components as a project folder (`cliqd apply` takes it back).
    Export(project::ExportArgs),
    /// Save, restore and list snapshots of the whole store.
    #[command(subcommand)]
    Snapshot(snapshot_cmd::SnapshotCommand),
    /// Put the whole store back to the demo organization (the `initial` snapshot).
    Reset(snapshot_cmd::ResetArgs),
    #[command(flatten)]
    Admin(admin_cmd::AdminCommand),
}

/// Runs one command's future on a runtime of its own.
fn block_on(
    f: impl std::future::Future<Output = anyhow::Result<std::process::ExitCode>>,
) -> anyhow::Result<std::process::ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(f)
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Deluge(args) => deluge_cmd::run(args),
        Command::Extensions(cmd) => extensions_cmd::run(cmd),
        Command::Keys(cmd) => keys_cmd::run(cmd),
        Command::Apply(args) => block_on(project::apply(args)),
        Command::Export(args) => block_on(project::export(args)),
        Command::Snapshot(cmd) => block_on(snapshot_cmd::snapshot(cmd)),
        Command::Reset(args) => block_on(snapshot_cmd::reset(args)),
        Command::Admin(cmd) => admin_cmd::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
