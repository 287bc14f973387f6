//! `cliqd deluge run|check|test|bench`: the Deluge runtime from the command line.

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct DelugeArgs {
    #[command(subcommand)]
    command: DelugeCommand,
}

#[derive(clap::Subcommand)]
enum DelugeCommand {
    /// Run a script and print its info lines and return value.
    Run { file: std::path::PathBuf },
}

pub fn run(args: DelugeArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DelugeCommand::Run { file } => anyhow::bail!("not implemented yet: {}", file.display()),
    }
}
