//! `cliqd extensions …`: registering extensions as Cliq's developer console would.

use crate::database::CommandStore;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ExtensionsCommand {
    /// Register an extension; prints its ID and its extension key (shown only this once).
    Create {
        /// Display name, unique in the organization.
        #[arg(long)]
        name: String,
        /// Email of the developer registering it; the extension belongs to their organization
        /// (default: the first organization, no creator).
        #[arg(long)]
        owner: Option<String>,
        /// Data directory of the server.
        #[arg(long, env = "CLIQD_DATA", default_value = "./cliqd-data")]
        data: PathBuf,
        /// The store: sqlite:<dir> or a directory path (default: the embedded SQLite database
        /// in the data directory).
        #[arg(long, env = "CLIQD_DATABASE")]
        database: Option<String>,
    },
}

/// Longest extension name accepted.
const MAX_NAME_CHARS: usize = 100;

pub fn run(cmd: ExtensionsCommand) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        match cmd {
            ExtensionsCommand::Create {
                name,
                owner,
                data,
                database,
            } => create(&name, owner, &data, database.as_deref()).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn create(
    name: &str,
    owner: Option<String>,
    data: &std::path::Path,
    database: Option<&str>,
) -> anyhow::Result<()> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        anyhow::bail!("the name must have 1 to {MAX_NAME_CHARS} characters");
    }
    let store = CommandStore::open(database, data)?;
    let result = async {
        let (org_id, creator) = match &owner {
            Some(email) => {
                let user = store
                    .user_by_email(email)
                    .await
                    .with_context(|| format!("no user with email {email}"))?;
                (user.org_id, Some(user.id))
            }
            None => {
                let org = store
                    .first_org()
                    .await
                    .context("no organization yet; run `cliqd serve` once")?;
                (org.id, None)
            }
        };
        cliqd_server::admin::create_extension(&*store, org_id, name, creator)
            .await
            .map_err(|e| match e {
                cliqd_store::StoreError::Conflict(cliqd_store::ConflictOn::Name) => {
                    anyhow::anyhow!("the organization already has an extension named {name}")
                }
                other => anyhow::Error::new(other).context("cannot register the extension"),
            })
    }
    .await;
    store.close();
    let registered = result?;
    println!("extension_id={}", registered.extension.id);
    println!("extension_key={}", registered.extension_key);
    eprintln!("the extension key is shown only now: cliqd keeps only its hash");
    Ok(())
}
