//! `cliqd serve` and the administration commands (users, teams, tokens, clients, extensions).

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Run the HTTP server.
    Serve,
}

pub fn run(cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AdminCommand::Serve => anyhow::bail!("not implemented yet"),
    }
}
