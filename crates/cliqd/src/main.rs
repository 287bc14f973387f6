//! The `cliqd` binary: a thin command-line front over the server and the Deluge runtime.

mod admin_cmd;
mod database;
mod deluge_cmd;
mod deluge_remote;
mod executions_cmd;
mod extensions_cmd;
mod keys_cmd;

use clap::{Parser, Subcommand};

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
    #[command(flatten)]
    Admin(admin_cmd::AdminCommand),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Deluge(args) => deluge_cmd::run(args),
        Command::Extensions(cmd) => extensions_cmd::run(cmd),
        Command::Keys(cmd) => keys_cmd::run(cmd),
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
