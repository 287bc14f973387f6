//! `cliqd keys show`: the organization's public key that webhook deliveries'
//! `X-Cliq-Signature` verifies with (the key pair is made on first use, here or at the first
//! delivery). The same key is served at `GET /api/v3/webhooks/public_key`.

use crate::database::{Access, open_store};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum KeysCommand {
    /// Print the organization's public key (PEM).
    Show {
        /// Email of a user of the organization (default: the first organization).
        #[arg(long)]
        org_of: Option<String>,
        /// Data directory of the server.
        #[arg(long, env = "CLIQD_DATA", default_value = "./cliqd-data")]
        data: PathBuf,
        /// The store: sqlite:<dir> or a directory path (default: the embedded SQLite database
        /// in the data directory).
        #[arg(long, env = "CLIQD_DATABASE")]
        database: Option<String>,
    },
}

pub fn run(cmd: KeysCommand) -> anyhow::Result<ExitCode> {
    let KeysCommand::Show {
        org_of,
        data,
        database,
    } = cmd;
    print!(
        "{}",
        public_key(org_of.as_deref(), &data, database.as_deref())?
    );
    Ok(ExitCode::SUCCESS)
}

/// The public key (PEM) of the organization of `org_of` (or the first one).
fn public_key(
    org_of: Option<&str>,
    data: &std::path::Path,
    database: Option<&str>,
) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let backend = open_store(database, data, Access::Admin)?;
    let store = backend.store.clone();
    let result = runtime.block_on(async move {
        let org_id = match org_of {
            Some(email) => {
                store
                    .user_by_email(email)
                    .await
                    .with_context(|| format!("no user with email {email}"))?
                    .org_id
            }
            None => {
                store
                    .first_org()
                    .await
                    .context("no organization yet; run `cliqd serve` once")?
                    .id
            }
        };
        let keys = cliqd_runtime::signing::Keys::new(store);
        let key = keys
            .org_key(org_id)
            .await
            .context("cannot read the signing key")?;
        anyhow::Ok(key.public_pem().to_string())
    });
    (backend.close)();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_one_stable_public_key() {
        let dir = tempfile::tempdir().unwrap();
        assert!(public_key(None, dir.path(), None).is_err());
        {
            let backend = open_store(None, dir.path(), Access::Server).unwrap();
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(backend.store.create_org("Zylker")).unwrap();
            (backend.close)();
        }
        let first = public_key(None, dir.path(), None).unwrap();
        assert!(first.starts_with("-----BEGIN PUBLIC KEY-----"), "{first}");
        assert_eq!(public_key(None, dir.path(), None).unwrap(), first);
    }
}
