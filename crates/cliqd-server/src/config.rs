//! Server configuration: defaults → TOML file → `CLIQD_*` environment → command-line flags.
//! Loading never writes files; the result is passed explicitly, never read from a global.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How rate limits apply: as the spec says, not at all, or with thresholds multiplied.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimitMode {
    Spec,
    Off,
    Scaled(u32),
}

impl std::str::FromStr for RateLimitMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "spec" => Ok(RateLimitMode::Spec),
            "off" => Ok(RateLimitMode::Off),
            _ => s
                .strip_prefix('x')
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| *n >= 1)
                .map(RateLimitMode::Scaled)
                .ok_or_else(|| format!("invalid rate limit mode `{s}` (expected spec, off or xN)")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub bind: SocketAddr,
    pub rate_limits: RateLimitMode,
    /// Lets outbound calls (webhooks, invokeUrl) reach private and loopback addresses.
    pub allow_private_network: bool,
    /// Largest request body accepted, in bytes (a handler script alone may be 250 KB).
    pub max_body_bytes: usize,
    /// Per-organization cap behind `*_creation_limit_exceeded`.
    pub max_components_per_org: u64,
    /// Divides every rate-limit window and lock period (TOML only; lets tests see a lock end).
    pub rate_limit_time_divisor: u32,
    /// A request's head (request line and headers) must arrive within this time, or the
    /// connection gets `408 Request Timeout` and is closed. The same timer closes a keep-alive
    /// connection that stays idle this long between requests (silently: nothing was asked).
    pub header_read_timeout: Duration,
    /// Longest wait for the next piece of a request body; a stalled body gets `408`.
    pub body_read_timeout: Duration,
    /// Wall-clock time one handler run may take.
    pub handler_timeout: Duration,
    /// Execution journal records kept per organization (the newest).
    pub execution_retention: usize,
    /// Memory for rendered newest pages of get-messages, served again while the chat's page
    /// version is unchanged (docs/messaging.md, "Kept pages"); 0 keeps none.
    pub page_cache_bytes: usize,
    /// Handler triggers of one bot waiting or running; more are refused visibly.
    pub bot_backlog: usize,
    /// How long a form session stays open without use (default one hour).
    pub form_ttl: Duration,
    /// How webhook components' handlers are delivered (timeout, retries, `response_url`);
    /// its timeout is `handler_timeout`.
    pub webhook: cliqd_runtime::WebhookConfig,
    /// Dev mode (`cliqd serve --dev`): rate limits off unless set explicitly, private-network
    /// targets allowed, debug logs, the dev endpoints (`/cliqd/dev/…`: reset and snapshots)
    /// and whatever else is for a developer's own machine only (the web client's "sign in
    /// as" reads this flag). Refused on a non-loopback address unless `dev_force`.
    pub dev: bool,
    /// Lets dev mode listen on a non-loopback address (`--dev-force`).
    pub dev_force: bool,
    /// With dev mode: makes the demo organization's admin token derive from this seed and
    /// the store's clock start at a fixed instant, so ids and replies repeat run after run.
    pub seed: Option<u64>,
    /// Lets the web client "sign in as" any user of the demo organization without a token even
    /// when the server listens on a non-loopback address (on a loopback address it always may).
    pub web_sign_in_as: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./cliqd-data"),
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            rate_limits: RateLimitMode::Spec,
            allow_private_network: false,
            max_body_bytes: 1024 * 1024,
            max_components_per_org: 1000,
            rate_limit_time_divisor: 1,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            handler_timeout: Duration::from_secs(15),
            execution_retention: 10_000,
            page_cache_bytes: 64 * 1024 * 1024,
            bot_backlog: 1000,
            form_ttl: Duration::from_secs(3600),
            webhook: cliqd_runtime::WebhookConfig::default(),
            dev: false,
            dev_force: false,
            seed: None,
            web_sign_in_as: false,
        }
    }
}

/// The TOML file's shape; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    bind: Option<String>,
    rate_limits: Option<String>,
    allow_private_network: Option<bool>,
    max_body_bytes: Option<usize>,
    max_components_per_org: Option<u64>,
    rate_limit_time_divisor: Option<u32>,
    header_read_timeout_secs: Option<u64>,
    body_read_timeout_secs: Option<u64>,
    handler_timeout_ms: Option<u64>,
    execution_retention: Option<usize>,
    page_cache_bytes: Option<usize>,
    bot_backlog: Option<usize>,
    form_ttl_secs: Option<u64>,
    dev: Option<bool>,
    dev_force: Option<bool>,
    seed: Option<u64>,
    web_sign_in_as: Option<bool>,
}

/// Values given on the command line (None = not given).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub bind: Option<String>,
    pub rate_limits: Option<String>,
    pub allow_private_network: bool,
    pub dev: bool,
    pub dev_force: bool,
    pub seed: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("invalid config file {0}: {1}")]
    Parse(PathBuf, toml::de::Error),
    #[error("invalid value for {0}: {1}")]
    Value(&'static str, String),
    #[error(
        "dev mode listens only on a loopback address (it turns rate limits off, lets handlers \
         reach private networks and offers reset endpoints); {0} is not one: use \
         --bind 127.0.0.1:PORT, or --dev-force if this machine's network is yours alone"
    )]
    DevNotLoopback(SocketAddr),
    #[error("--seed needs dev mode (--dev): a seeded server's admin token is predictable")]
    SeedWithoutDev,
}

impl Config {
    /// Whether the web client may sign in as a demo user without a token: on a loopback
    /// address, in dev mode (also with `--dev-force` on another address), or when
    /// `web_sign_in_as` allows it. Except with `web_sign_in_as`, the request must also name
    /// this machine in its `Host` (see `web.rs`).
    pub fn sign_in_as_allowed(&self) -> bool {
        self.web_sign_in_as || self.dev || self.bind.ip().is_loopback()
    }

    /// Builds the configuration from every layer, with `env` standing for the process environment.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut cfg = Config::default();
        let mut bind = None;
        let mut rate = None;
        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|e| ConfigError::Read(path.into(), e))?;
            let f: FileConfig =
                toml::from_str(&text).map_err(|e| ConfigError::Parse(path.into(), e))?;
            if let Some(v) = f.data_dir {
                cfg.data_dir = v;
            }
            bind = f.bind.or(bind);
            rate = f.rate_limits.or(rate);
            if let Some(v) = f.allow_private_network {
                cfg.allow_private_network = v;
            }
            if let Some(v) = f.max_body_bytes {
                cfg.max_body_bytes = v;
            }
            if let Some(v) = f.max_components_per_org {
                cfg.max_components_per_org = v;
            }
            if let Some(v) = f.rate_limit_time_divisor {
                cfg.rate_limit_time_divisor = v.max(1);
            }
            if let Some(v) = f.header_read_timeout_secs {
                cfg.header_read_timeout = Duration::from_secs(v.max(1));
            }
            if let Some(v) = f.body_read_timeout_secs {
                cfg.body_read_timeout = Duration::from_secs(v.max(1));
            }
            if let Some(v) = f.handler_timeout_ms {
                cfg.handler_timeout = Duration::from_millis(v.max(1));
            }
            if let Some(v) = f.execution_retention {
                cfg.execution_retention = v.max(1);
            }
            if let Some(v) = f.page_cache_bytes {
                cfg.page_cache_bytes = v;
            }
            if let Some(v) = f.bot_backlog {
                cfg.bot_backlog = v.max(1);
            }
            if let Some(v) = f.form_ttl_secs {
                cfg.form_ttl = Duration::from_secs(v.max(1));
            }
            cfg.dev = f.dev.unwrap_or(cfg.dev);
            cfg.dev_force = f.dev_force.unwrap_or(cfg.dev_force);
            cfg.seed = f.seed.or(cfg.seed);
            if let Some(v) = f.web_sign_in_as {
                cfg.web_sign_in_as = v;
            }
        }
        if let Some(v) = env("CLIQD_DATA") {
            cfg.data_dir = v.into();
        }
        bind = env("CLIQD_BIND").or(bind);
        rate = env("CLIQD_RATE_LIMITS").or(rate);
        if let Some(v) = env("CLIQD_ALLOW_PRIVATE_NETWORK") {
            cfg.allow_private_network = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("CLIQD_WEB_SIGN_IN_AS") {
            cfg.web_sign_in_as = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("CLIQD_MAX_BODY_BYTES") {
            cfg.max_body_bytes = v
                .parse()
                .map_err(|_| ConfigError::Value("CLIQD_MAX_BODY_BYTES", v))?;
        }
        if let Some(v) = env("CLIQD_HANDLER_TIMEOUT_MS") {
            let ms: u64 = v
                .parse()
                .map_err(|_| ConfigError::Value("CLIQD_HANDLER_TIMEOUT_MS", v))?;
            cfg.handler_timeout = Duration::from_millis(ms.max(1));
        }
        if let Some(v) = env("CLIQD_DEV") {
            cfg.dev = matches!(v.as_str(), "1" | "true" | "yes");
        }
        if let Some(v) = env("CLIQD_SEED") {
            cfg.seed = Some(v.parse().map_err(|_| ConfigError::Value("CLIQD_SEED", v))?);
        }
        cfg.dev |= flags.dev;
        cfg.dev_force |= flags.dev_force;
        cfg.seed = flags.seed.or(cfg.seed);
        if let Some(v) = &flags.data_dir {
            cfg.data_dir = v.clone();
        }
        bind = flags.bind.clone().or(bind);
        rate = flags.rate_limits.clone().or(rate);
        if flags.allow_private_network {
            cfg.allow_private_network = true;
        }
        if let Some(b) = bind {
            cfg.bind = b.parse().map_err(|_| ConfigError::Value("bind", b))?;
        }
        if let Some(r) = rate {
            cfg.rate_limits = r
                .parse()
                .map_err(|e| ConfigError::Value("rate_limits", e))?;
        } else if cfg.dev {
            cfg.rate_limits = RateLimitMode::Off;
        }
        if cfg.dev {
            cfg.allow_private_network = true;
            if !cfg.bind.ip().is_loopback() && !cfg.dev_force {
                return Err(ConfigError::DevNotLoopback(cfg.bind));
            }
        } else if cfg.seed.is_some() {
            return Err(ConfigError::SeedWithoutDev);
        }
        Ok(cfg)
    }
}

/// The handler engine's configuration from the server's: `environment.base_url` is the address
/// the server listens on; `invokeUrl` goes through the outbound client, reaching private and
/// loopback addresses only with `allow_private_network`.
pub fn engine_config(cfg: &Config) -> cliqd_runtime::EngineConfig {
    let outbound = cliqd_outbound::OutboundClient::new(cliqd_outbound::OutboundConfig {
        allow_private: cfg.allow_private_network,
        ..Default::default()
    })
    .map_err(|e| tracing::error!(error = %e, "cannot build the outbound client; invokeUrl is off"))
    .ok();
    cliqd_runtime::EngineConfig {
        base_url: format!("http://{}", cfg.bind),
        timeout: cfg.handler_timeout,
        retention: cfg.execution_retention,
        bot_backlog: cfg.bot_backlog,
        outbound,
        webhook: cliqd_runtime::WebhookConfig {
            timeout: cfg.handler_timeout,
            ..cfg.webhook.clone()
        },
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:1\"\nrate_limits = \"off\"\n").unwrap();
        let env = |k: &str| (k == "CLIQD_RATE_LIMITS").then(|| "x3".to_string());
        let flags = Overrides {
            bind: Some("127.0.0.1:2".into()),
            ..Default::default()
        };
        let cfg = Config::load(Some(&file), env, &flags).unwrap();
        assert_eq!(cfg.bind.port(), 2);
        assert_eq!(cfg.rate_limits, RateLimitMode::Scaled(3));
        assert!("x0".parse::<RateLimitMode>().is_err());
    }

    #[test]
    fn dev_mode_loosens_and_stays_on_loopback() {
        let dev = Overrides {
            dev: true,
            ..Default::default()
        };
        let cfg = Config::load(None, |_| None, &dev).unwrap();
        assert!(cfg.dev && cfg.allow_private_network);
        assert_eq!(cfg.rate_limits, RateLimitMode::Off);
        // An explicit rate-limit mode still wins.
        let env = |k: &str| (k == "CLIQD_RATE_LIMITS").then(|| "spec".to_string());
        assert_eq!(
            Config::load(None, env, &dev).unwrap().rate_limits,
            RateLimitMode::Spec
        );
        let public = Overrides {
            bind: Some("0.0.0.0:8080".into()),
            ..dev.clone()
        };
        let err = Config::load(None, |_| None, &public).unwrap_err();
        assert!(matches!(err, ConfigError::DevNotLoopback(_)), "{err}");
        assert!(err.to_string().contains("--dev-force"), "{err}");
        let forced = Overrides {
            dev_force: true,
            ..public
        };
        assert!(Config::load(None, |_| None, &forced).unwrap().dev);
        let seeded = Overrides {
            seed: Some(7),
            ..Default::default()
        };
        let err = Config::load(None, |_| None, &seeded).unwrap_err();
        assert!(matches!(err, ConfigError::SeedWithoutDev), "{err}");
        let cfg = Config::load(
            None,
            |_| None,
            &Overrides {
                seed: Some(7),
                ..dev
            },
        )
        .unwrap();
        assert_eq!(cfg.seed, Some(7));
    }

    #[test]
    fn form_sessions_expire_as_configured() {
        assert_eq!(Config::default().form_ttl, Duration::from_secs(3600));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "form_ttl_secs = 90\n").unwrap();
        let cfg = Config::load(Some(&file), |_| None, &Overrides::default()).unwrap();
        assert_eq!(cfg.form_ttl, Duration::from_secs(90));
    }

    #[test]
    fn example_config_is_valid() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../cliqd.example.toml");
        let cfg = Config::load(Some(&path), |_| None, &Overrides::default()).unwrap();
        assert_eq!(cfg.rate_limits, RateLimitMode::Spec);
        assert_eq!(cfg.max_body_bytes, Config::default().max_body_bytes);
        assert_eq!(
            cfg.header_read_timeout,
            Config::default().header_read_timeout
        );
        assert_eq!(cfg.body_read_timeout, Config::default().body_read_timeout);
    }

    #[test]
    fn sign_in_as_is_allowed_on_loopback_or_by_the_key() {
        let on = |bind: &str, key: bool| Config {
            bind: bind.parse().unwrap(),
            web_sign_in_as: key,
            ..Config::default()
        };
        assert!(on("127.0.0.1:8080", false).sign_in_as_allowed());
        assert!(on("[::1]:8080", false).sign_in_as_allowed());
        assert!(!on("0.0.0.0:8080", false).sign_in_as_allowed());
        assert!(!on("192.0.2.7:8080", false).sign_in_as_allowed());
        assert!(on("0.0.0.0:8080", true).sign_in_as_allowed());
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("web.toml");
        std::fs::write(&file, "web_sign_in_as = true\n").unwrap();
        let cfg = Config::load(Some(&file), |_| None, &Overrides::default()).unwrap();
        assert!(cfg.web_sign_in_as);
        let cfg = Config::load(
            None,
            |k| (k == "CLIQD_WEB_SIGN_IN_AS").then(|| "1".into()),
            &Overrides::default(),
        )
        .unwrap();
        assert!(cfg.web_sign_in_as);
    }
}
