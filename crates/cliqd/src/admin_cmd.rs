//! `cliqd serve` and the administration commands (users, teams, tokens, clients, organizations).

use crate::database::{CommandStore, open_server_store};
use anyhow::Context;
use cliqd_server::config::{Config, Overrides};
use cliqd_store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum AdminCommand {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Manage users.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Manage teams.
    #[command(subcommand)]
    Teams(TeamsCommand),
    /// Manage OAuth access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage OAuth clients (for POST /oauth/v2/token).
    #[command(subcommand)]
    Clients(ClientsCommand),
    /// Manage organizations.
    #[command(subcommand)]
    Orgs(OrgsCommand),
    /// Show handler runs from the execution journal (with --follow, as they happen).
    Executions(crate::executions_cmd::ExecutionsArgs),
}

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Data directory (default ./cliqd-data; env CLIQD_DATA).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The store: sqlite:<dir> or a directory path (default: the embedded SQLite database in
    /// the data directory). One server per store: a second refuses to start.
    #[arg(long, env = "CLIQD_DATABASE")]
    database: Option<String>,
    /// Address to listen on (default 127.0.0.1:8080; env CLIQD_BIND).
    #[arg(long)]
    bind: Option<String>,
    /// TOML configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Rate limits: spec, off, or xN to multiply every threshold by N.
    #[arg(long)]
    rate_limits: Option<String>,
    /// Let webhooks and invokeUrl reach private and loopback addresses.
    #[arg(long)]
    allow_private_network: bool,
    /// Dev mode, for your own machine: rate limits off (unless --rate-limits is given),
    /// private-network targets allowed, debug logs, the reset and snapshot endpoints under
    /// /cliqd/dev/. Listens on loopback only unless --dev-force (env CLIQD_DEV=1).
    #[arg(long)]
    dev: bool,
    /// Let dev mode listen on a non-loopback address (anyone who reaches it can reset the
    /// server).
    #[arg(long, requires = "dev")]
    dev_force: bool,
    /// With --dev: deterministic runs. The demo organization's admin token derives from N and
    /// the store's clock starts at a fixed instant and ticks per use, so ids, times and
    /// replies repeat run after run (env CLIQD_SEED).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
}

/// Where the admin commands find the store.
#[derive(clap::Args)]
pub struct DataArg {
    /// Data directory of the server (it must exist: only `cliqd serve` creates one).
    #[arg(long, env = "CLIQD_DATA", default_value = "./cliqd-data")]
    pub(crate) data: PathBuf,
    /// The store: sqlite:<dir> or a directory path (default: the embedded SQLite database in
    /// the data directory). May be the store of a running server.
    #[arg(long, env = "CLIQD_DATABASE")]
    pub(crate) database: Option<String>,
}

/// Which organization a list shows.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Organization ID (default: the first organization).
    #[arg(long)]
    org: Option<i64>,
    #[command(flatten)]
    data: DataArg,
}

#[derive(clap::Subcommand)]
pub enum UsersCommand {
    /// List an organization's users: ID, email, name, admin.
    List(ListArgs),
    /// Add a user to an organization (the first one unless --org is given).
    Add {
        /// The user's email address (unique across the server).
        #[arg(long)]
        email: String,
        /// The user's display name.
        #[arg(long)]
        name: String,
        /// Make the user an organization admin.
        #[arg(long)]
        admin: bool,
        /// Organization ID (default: the first organization).
        #[arg(long)]
        org: Option<i64>,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(clap::Subcommand)]
pub enum TeamsCommand {
    /// List an organization's teams: ID, name, member IDs.
    List(ListArgs),
    /// Create a team with members (emails, comma-separated) of one organization.
    Add {
        /// The team's name.
        #[arg(long)]
        name: String,
        /// Members' emails, comma-separated (all of one organization).
        #[arg(long, value_delimiter = ',')]
        members: Vec<String>,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(clap::Subcommand)]
pub enum TokenCommand {
    /// List an organization's tokens (their hashes: secrets are never stored), with owner,
    /// kind, state and scopes.
    List(ListArgs),
    /// Create an access token for a user and print it.
    Create {
        /// Email of the user the token acts as.
        #[arg(long)]
        user: String,
        /// Scopes, comma-separated (e.g. ZohoCliq.Bots.CREATE,ZohoCliq.Bots.READ); `all` for every scope.
        #[arg(long)]
        scopes: String,
        /// Lifetime in seconds (default: never expires).
        #[arg(long)]
        expires_in: Option<i64>,
        #[command(flatten)]
        data: DataArg,
    },
    /// Revoke an access token (a running server stops accepting it within 5 seconds).
    Revoke {
        /// The token itself, as `token create` printed it.
        #[arg(long)]
        token: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Per-user webhook tokens (`zapikey`) for the v2 message-posting endpoints.
    #[command(subcommand)]
    Webhook(WebhookTokenCommand),
}

#[derive(clap::Subcommand)]
pub enum WebhookTokenCommand {
    /// Create a webhook token for a user (at most 5 per user) and print it.
    Create {
        /// Email of the user who owns the webhook token.
        #[arg(long)]
        user: String,
        /// A label for the token.
        #[arg(long, default_value = "webhook")]
        name: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(clap::Subcommand)]
pub enum ClientsCommand {
    /// List an organization's OAuth clients: ID, name, user, scopes.
    List(ListArgs),
    /// Delete an OAuth client and revoke every token issued to it.
    Revoke {
        /// The client's ID (`client_id=` of `clients add`).
        #[arg(long)]
        client_id: String,
        #[command(flatten)]
        data: DataArg,
    },
    /// Register an OAuth client acting as a user; prints its id, secret and a refresh token.
    Add {
        /// The client's name.
        #[arg(long)]
        name: String,
        /// Email of the user the client's tokens act as.
        #[arg(long)]
        user: String,
        /// Scopes the client may be granted, comma-separated; `all` for every scope.
        #[arg(long)]
        scopes: String,
        #[command(flatten)]
        data: DataArg,
    },
}

#[derive(clap::Subcommand)]
pub enum OrgsCommand {
    /// List every organization: ID, name.
    List {
        #[command(flatten)]
        data: DataArg,
    },
    /// Create an organization with an admin user.
    Add {
        /// The organization's name.
        #[arg(long)]
        name: String,
        /// Email of the organization's first admin.
        #[arg(long)]
        admin_email: String,
        /// Display name of that admin.
        #[arg(long, default_value = "Admin")]
        admin_name: String,
        #[command(flatten)]
        data: DataArg,
    },
}

pub fn run(cmd: AdminCommand) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        match cmd {
            AdminCommand::Serve(args) => serve(args).await,
            AdminCommand::Users(c) => users(c).await,
            AdminCommand::Teams(c) => teams(c).await,
            AdminCommand::Token(c) => token(c).await,
            AdminCommand::Clients(c) => clients(c).await,
            AdminCommand::Orgs(c) => orgs(c).await,
            AdminCommand::Executions(a) => crate::executions_cmd::run(a).await,
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let json_logs = std::env::var("CLIQD_LOG_FORMAT").is_ok_and(|f| f == "json");
    let flags = Overrides {
        data_dir: args.data,
        bind: args.bind,
        rate_limits: args.rate_limits,
        allow_private_network: args.allow_private_network,
        dev: args.dev,
        dev_force: args.dev_force,
        seed: args.seed,
    };
    let config = Config::load(args.config.as_deref(), |k| std::env::var(k).ok(), &flags)?;
    init_logs(json_logs, config.dev);
    let token_file = config.data_dir.join("admin.token");
    let backend = open_server_store(args.database.as_deref(), &config.data_dir, config.seed)
        .map_err(|e| with_token_hint(e, &token_file))?;
    let server = cliqd_server::start(config, backend)
        .await
        .map_err(|e| with_token_hint(e.into(), &token_file))?;
    print_banner(&server, &token_file, json_logs);
    if server.state.config.dev {
        tracing::warn!(
            seed = server.state.config.seed,
            bind = %server.addr,
            "dev mode: rate limits off, private networks reachable, reset endpoints on"
        );
    }
    server
        .run_until(async {
            if tokio::signal::ctrl_c().await.is_err() {
                // No signal handling available: run until killed.
                std::future::pending::<()>().await;
            }
            tracing::info!("shutting down");
        })
        .await?;
    Ok(())
}

/// Logs go to stderr: JSON lines with `CLIQD_LOG_FORMAT=json`, text otherwise, coloured only
/// when stderr is a terminal. The filter is `CLIQD_LOG` (default `info`, which includes one
/// line per request; in dev mode [`DEV_LOG_FILTER`]).
fn init_logs(json: bool, dev: bool) {
    use std::io::IsTerminal;
    let default = if dev { DEV_LOG_FILTER } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CLIQD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

/// Dev mode's default log filter: cliqd's own crates at `debug` (what ran, what was ignored,
/// why a request was refused), libraries at `info`.
const DEV_LOG_FILTER: &str = "info,cliqd=debug,cliqd_server=debug,cliqd_runtime=debug,\
     cliqd_service=debug,cliqd_outbound=debug,cliqd_store_sqlite=debug";

/// What dev mode changed, said loudly at start.
fn dev_lines(config: &Config) -> Vec<String> {
    let mut lines = vec![
        "DEV MODE: for your own machine only.".to_string(),
        format!(
            "  rate limits {}; webhooks and invokeUrl may reach private and loopback addresses",
            match config.rate_limits {
                cliqd_server::config::RateLimitMode::Off => "off".to_string(),
                cliqd_server::config::RateLimitMode::Spec => "as the spec says".to_string(),
                cliqd_server::config::RateLimitMode::Scaled(n) => format!("x{n}"),
            }
        ),
        "  POST /cliqd/dev/reset and /cliqd/dev/snapshots/… reset and restore the whole server"
            .to_string(),
    ];
    if let Some(seed) = config.seed {
        lines.push(format!(
            "  seeded runs (seed {seed}): ids, times and the demo admin token repeat run after run"
        ));
    }
    if !config.bind.ip().is_loopback() {
        lines.push(format!(
            "  WARNING: listening on {} (--dev-force): anyone who reaches it can reset this server",
            config.bind
        ));
    }
    lines
}

/// A failed start names where the admin token is (or will be), so the next step is clear.
fn with_token_hint(err: anyhow::Error, token_file: &std::path::Path) -> anyhow::Error {
    if token_file.is_file() {
        err.context(format!(
            "cliqd did not start (the admin token is in {})",
            token_file.display()
        ))
    } else {
        err.context("cliqd did not start")
    }
}

/// What the server created and where it listens, on stdout (logs go to stderr): text lines, or
/// one JSON object with `CLIQD_LOG_FORMAT=json`. Every start names the admin token file.
fn print_banner(server: &cliqd_server::RunningServer, token_file: &std::path::Path, json: bool) {
    let url = format!("http://{}", server.addr);
    if server.state.config.dev && !json {
        for line in dev_lines(&server.state.config) {
            println!("{line}");
        }
    }
    let token_state = if server.demo.is_some() {
        "created"
    } else if token_file.is_file() {
        "exists"
    } else {
        "missing"
    };
    if json {
        let mut banner = serde_json::json!({
            "message": "cliqd listening",
            "url": url,
            "admin_token_file": token_file.display().to_string(),
            "admin_token_file_state": token_state,
        });
        if server.state.config.dev {
            banner["dev"] = serde_json::json!({
                "seed": server.state.config.seed,
                "notes": dev_lines(&server.state.config),
            });
        }
        if let Some(demo) = &server.demo {
            banner["demo"] = serde_json::json!({
                "org": {"id": demo.org.id.to_string(), "name": demo.org.name},
                "admin": demo.admin.email,
                "users": demo.users.iter().map(|u| serde_json::json!({
                    "id": u.id.to_string(), "name": u.name, "email": u.email,
                })).collect::<Vec<_>>(),
                "teams": demo.teams.iter().map(|t| serde_json::json!({
                    "id": t.id.to_string(), "name": t.name,
                })).collect::<Vec<_>>(),
            });
        }
        println!("{banner}");
        return;
    }
    if let Some(demo) = &server.demo {
        println!(
            "Created the demo organization {} ({}); admin {}.",
            demo.org.name, demo.org.id, demo.admin.email
        );
        for u in &demo.users {
            println!("  user {} <{}> id {}", u.name, u.email, u.id);
        }
        for t in &demo.teams {
            println!("  team {} id {} members {:?}", t.name, t.id, t.members);
        }
        println!("Admin token (also in {}):", token_file.display());
        println!("{}", demo.admin_token);
    } else if token_state == "exists" {
        println!("Admin token: in {}", token_file.display());
    } else {
        println!(
            "Admin token: {} is missing; create one with `cliqd token create --user EMAIL --scopes all`",
            token_file.display()
        );
    }
    println!("cliqd listening on {url}");
}

fn open(data: &DataArg) -> anyhow::Result<CommandStore> {
    CommandStore::open(data.database.as_deref(), &data.data)
}

async fn user_by_email(store: &dyn Store, email: &str) -> anyhow::Result<cliqd_store::UserRow> {
    store
        .user_by_email(email)
        .await
        .with_context(|| format!("no user with email {email}"))
}

/// The organization a list shows: `--org` if it exists, else the first one.
pub(crate) async fn list_org(store: &dyn Store, org: Option<i64>) -> anyhow::Result<i64> {
    match org {
        Some(id) => {
            if store.list_orgs().await?.iter().any(|o| o.id == id) {
                Ok(id)
            } else {
                anyhow::bail!("no organization with ID {id} (see `cliqd orgs list`)")
            }
        }
        None => Ok(store
            .first_org()
            .await
            .context("no organization yet; run `cliqd serve` once")?
            .id),
    }
}

async fn users(cmd: UsersCommand) -> anyhow::Result<()> {
    let (email, name, admin, org, data) = match cmd {
        UsersCommand::List(args) => {
            let store = open(&args.data)?;
            let org = list_org(&*store, args.org).await?;
            for u in store.users_of_org(org).await? {
                let admin = if u.is_admin { "admin" } else { "" };
                println!("{}\t{}\t{}\t{admin}", u.id, u.email, u.name);
            }
            store.close();
            return Ok(());
        }
        UsersCommand::Add {
            email,
            name,
            admin,
            org,
            data,
        } => (email, name, admin, org, data),
    };
    let email = check_email(&email)?;
    let store = open(&data)?;
    let org_id = list_org(&*store, org).await?;
    let user = cliqd_server::admin::add_user(&*store, org_id, &email, &name, admin)
        .await
        .context("cannot add the user (is the email taken, does the organization exist?)")?;
    eprintln!(
        "Added {} <{}> to organization {} (user ID below).",
        user.name, user.email, user.org_id
    );
    println!("{}", user.id);
    store.close();
    Ok(())
}

async fn teams(cmd: TeamsCommand) -> anyhow::Result<()> {
    let (name, members, data) = match cmd {
        TeamsCommand::List(args) => {
            let store = open(&args.data)?;
            let org = list_org(&*store, args.org).await?;
            for t in store.teams_of_org(org).await? {
                let members: Vec<String> = t.members.iter().map(i64::to_string).collect();
                println!("{}\t{}\t{}", t.id, t.name, members.join(","));
            }
            store.close();
            return Ok(());
        }
        TeamsCommand::Add {
            name,
            members,
            data,
        } => (name, members, data),
    };
    let store = open(&data)?;
    let mut ids = Vec::new();
    let mut org_id = None;
    for email in &members {
        let u = user_by_email(&*store, email).await?;
        if org_id.is_some_and(|o| o != u.org_id) {
            anyhow::bail!("members must belong to one organization");
        }
        org_id = Some(u.org_id);
        ids.push(u.id);
    }
    let org_id = match org_id {
        Some(o) => o,
        None => store.first_org().await.context("no organization yet")?.id,
    };
    let team = store
        .create_team(org_id, &name, ids)
        .await
        .context("cannot create the team")?;
    eprintln!(
        "Created team {} with {} members (ID below).",
        team.name,
        team.members.len()
    );
    println!("{}", team.id);
    store.close();
    Ok(())
}

/// `all`, or a comma-separated list of known scopes (any case; `ZohoCliq.<Area>.ALL` for a
/// whole area). An unknown scope is an error that names it.
fn expand_scopes(scopes: &str) -> anyhow::Result<String> {
    let known = cliqd_server::admin::ALL_SCOPES;
    if scopes.trim().eq_ignore_ascii_case("all") {
        return Ok(known.join(","));
    }
    let area_of = |s: &str| s.rsplit_once('.').map(|(a, _)| a.to_ascii_lowercase());
    let mut out = Vec::new();
    for scope in scopes.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let exact = known.iter().any(|k| k.eq_ignore_ascii_case(scope));
        let whole_area = scope.to_ascii_lowercase().ends_with(".all")
            && known.iter().any(|k| area_of(k) == area_of(scope));
        if !exact && !whole_area {
            anyhow::bail!(
                "unknown scope `{scope}` (known scopes: {}; or `all`)",
                known.join(", ")
            );
        }
        out.push(scope.to_string());
    }
    if out.is_empty() {
        anyhow::bail!("no scopes given (e.g. --scopes ZohoCliq.Bots.READ, or --scopes all)");
    }
    Ok(out.join(","))
}

/// A plausible email address: `local@domain.tld`, no spaces or control characters.
fn check_email(email: &str) -> anyhow::Result<String> {
    let email = email.trim();
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if !valid {
        anyhow::bail!("`{email}` is not an email address");
    }
    Ok(email.to_string())
}

async fn token(cmd: TokenCommand) -> anyhow::Result<()> {
    let (user, scopes, expires_in, data) = match cmd {
        TokenCommand::List(args) => {
            let store = open(&args.data)?;
            let org = list_org(&*store, args.org).await?;
            let users = store.users_of_org(org).await?;
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            for t in store.tokens_of_org(org).await? {
                let owner = users
                    .iter()
                    .find(|u| u.id == t.user_id)
                    .map_or(String::new(), |u| u.email.clone());
                let state = if t.revoked {
                    "revoked"
                } else if t.expires_at.is_some_and(|e| e <= now) {
                    "expired"
                } else {
                    "active"
                };
                let kind = match t.kind {
                    cliqd_store::TokenKind::Access => "access",
                    cliqd_store::TokenKind::Refresh => "refresh",
                };
                let hash: String = t.hash.chars().take(12).collect();
                println!("{hash}…\t{owner}\t{kind}\t{state}\t{}", t.scopes);
            }
            store.close();
            return Ok(());
        }
        TokenCommand::Create {
            user,
            scopes,
            expires_in,
            data,
        } => (user, scopes, expires_in, data),
        TokenCommand::Revoke { token, data } => {
            let store = open(&data)?;
            let revoked = store
                .revoke_token(&cliqd_server::admin::hash_secret(token.trim()))
                .await;
            store.close();
            match revoked {
                Ok(()) => eprintln!("Revoked the token."),
                Err(cliqd_store::StoreError::NotFound) => anyhow::bail!("no such token"),
                Err(e) => return Err(e.into()),
            }
            return Ok(());
        }
        TokenCommand::Webhook(WebhookTokenCommand::Create { user, name, data }) => {
            let store = open(&data)?;
            let u = user_by_email(&*store, &user).await?;
            let created = cliqd_server::admin::create_webhook_token(&*store, u.id, &name).await;
            store.close();
            let Some(secret) = created? else {
                anyhow::bail!(
                    "{user} already has {} webhook tokens",
                    cliqd_server::admin::MAX_WEBHOOK_TOKENS
                );
            };
            println!("{secret}");
            return Ok(());
        }
    };
    let store = open(&data)?;
    let u = user_by_email(&*store, &user).await?;
    let secret =
        cliqd_server::admin::create_token(&*store, u.id, &expand_scopes(&scopes)?, expires_in)
            .await?;
    eprintln!(
        "Created an access token for {} ({}); it is shown once, below.",
        u.email,
        if expires_in.is_some() {
            "expiring"
        } else {
            "never expires"
        }
    );
    println!("{secret}");
    store.close();
    Ok(())
}

async fn clients(cmd: ClientsCommand) -> anyhow::Result<()> {
    let (name, user, scopes, data) = match cmd {
        ClientsCommand::List(args) => {
            let store = open(&args.data)?;
            let org = list_org(&*store, args.org).await?;
            let users = store.users_of_org(org).await?;
            for c in store.clients_of_org(org).await? {
                let owner = users
                    .iter()
                    .find(|u| u.id == c.user_id)
                    .map_or(String::new(), |u| u.email.clone());
                println!("{}\t{}\t{owner}\t{}", c.client_id, c.name, c.scopes);
            }
            store.close();
            return Ok(());
        }
        ClientsCommand::Revoke { client_id, data } => {
            let store = open(&data)?;
            let deleted = store.delete_client(client_id.trim()).await;
            store.close();
            return match deleted {
                Ok(()) => {
                    eprintln!("Deleted client {client_id} and revoked its tokens.");
                    Ok(())
                }
                Err(cliqd_store::StoreError::NotFound) => {
                    anyhow::bail!("no client with ID {client_id} (see `cliqd clients list`)")
                }
                Err(e) => Err(e.into()),
            };
        }
        ClientsCommand::Add {
            name,
            user,
            scopes,
            data,
        } => (name, user, scopes, data),
    };
    let store = open(&data)?;
    let u = user_by_email(&*store, &user).await?;
    let c = cliqd_server::admin::add_client(&*store, &name, u.id, &expand_scopes(&scopes)?).await?;
    eprintln!(
        "Registered the OAuth client {name} acting as {}; its secret and refresh token are shown once, below.",
        u.email
    );
    println!("client_id={}", c.client_id);
    println!("client_secret={}", c.client_secret);
    println!("refresh_token={}", c.refresh_token);
    store.close();
    Ok(())
}

async fn orgs(cmd: OrgsCommand) -> anyhow::Result<()> {
    let (name, admin_email, admin_name, data) = match cmd {
        OrgsCommand::List { data } => {
            let store = open(&data)?;
            for o in store.list_orgs().await? {
                println!("{}\t{}", o.id, o.name);
            }
            store.close();
            return Ok(());
        }
        OrgsCommand::Add {
            name,
            admin_email,
            admin_name,
            data,
        } => (name, admin_email, admin_name, data),
    };
    let admin_email = check_email(&admin_email)?;
    let store = open(&data)?;
    let org = store.create_org(&name).await?;
    let admin =
        cliqd_server::admin::add_user(&*store, org.id, &admin_email, &admin_name, true).await?;
    eprintln!(
        "Created organization {} with admin {} (IDs below).",
        org.name, admin.email
    );
    println!("org {} admin {}", org.id, admin.id);
    store.close();
    Ok(())
}
