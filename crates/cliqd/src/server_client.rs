//! A running cliqd reached over its HTTP API with one token: what `cliqd apply`, `cliqd export`
//! and the `--server` forms of `cliqd snapshot` and `cliqd reset` talk to. Requests go through
//! the outbound client with loopback and private addresses allowed (the URL is the user's own
//! choice). The token is `--token`, else `CLIQD_TOKEN`, else the data directory's
//! `admin.token` (what first start wrote).

use cliqd_outbound::{OutboundClient, OutboundConfig, OutboundRequest};
use serde_json::Value;
use std::path::PathBuf;

/// Where the server is and who calls it (flattened into the commands that talk to one).
#[derive(clap::Args, Debug, Clone)]
pub struct ServerArgs {
    /// The running server's base URL.
    #[arg(long, env = "CLIQD_SERVER", default_value = "http://127.0.0.1:8080")]
    pub server: String,
    /// An access token; default: the admin token in the data directory.
    #[arg(long, env = "CLIQD_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// The data directory whose admin.token is used when no token is given.
    #[arg(long, env = "CLIQD_DATA", default_value = "./cliqd-data")]
    pub data: PathBuf,
}

/// An answer: its status and its body as JSON (`Null` when empty or not JSON).
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// Cliq's `{"code", "message"}` of a refusal, as one line.
    pub fn refusal(&self) -> String {
        let code = self.body.get("code").and_then(Value::as_str);
        let message = self.body.get("message").and_then(Value::as_str);
        match (code, message) {
            (Some(c), Some(m)) => format!("{} {c}: {m}", self.status),
            (None, Some(m)) => format!("{} {m}", self.status),
            _ => format!("HTTP {}", self.status),
        }
    }
}

pub struct ServerClient {
    base: url::Url,
    token: String,
    client: OutboundClient,
}

impl ServerClient {
    /// A client for the server and token `args` name (the token read from the data
    /// directory's admin.token when none is given).
    pub fn new(args: &ServerArgs) -> anyhow::Result<Self> {
        let token = match &args.token {
            Some(t) => t.clone(),
            None => {
                let file = args.data.join("admin.token");
                std::fs::read_to_string(&file).map_err(|e| {
                    anyhow::anyhow!(
                        "no token: give --token (or CLIQD_TOKEN), or --data with an \
                         admin.token ({}: {e})",
                        file.display()
                    )
                })?
            }
        };
        Self::with_token(&args.server, &token)
    }

    /// A client for the server at `server` (e.g. `http://127.0.0.1:8080`) acting with `token`.
    pub fn with_token(server: &str, token: &str) -> anyhow::Result<Self> {
        let base = url::Url::parse(server.trim())
            .map_err(|e| anyhow::anyhow!("--server {server}: {e}"))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            anyhow::bail!("--server {server}: not an http(s) URL");
        }
        let token = token.trim();
        if token.is_empty() {
            anyhow::bail!("--token is empty");
        }
        let client = OutboundClient::new(OutboundConfig {
            allow_private: true,
            ..Default::default()
        })?;
        Ok(ServerClient {
            base,
            token: token.to_string(),
            client,
        })
    }

    /// The outbound client the requests go through (for what [`ServerClient::call`] does not
    /// cover, such as a WebSocket).
    pub fn outbound(&self) -> &OutboundClient {
        &self.client
    }

    /// The `Authorization` header carrying the token.
    pub fn authorization(&self) -> (String, String) {
        (
            "Authorization".to_string(),
            format!("Zoho-oauthtoken {}", self.token),
        )
    }

    /// The URL of `segments` (each percent-encoded as one path segment) with `query`.
    pub fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> String {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        url.to_string()
    }

    /// Sends one request; fails only when the server cannot be reached.
    pub async fn call(
        &self,
        method: &str,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        self.call_url(method, self.url(segments, query), body).await
    }

    /// [`ServerClient::call`] for a URL built with [`ServerClient::url`].
    pub async fn call_url(
        &self,
        method: &str,
        url: String,
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        let mut headers = vec![self.authorization()];
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let request = OutboundRequest {
            method: method.into(),
            url,
            headers,
            body: body.map(|b| b.to_string().into_bytes()),
        };
        let response = self.client.execute(request).await.map_err(|e| {
            anyhow::anyhow!(
                "cannot reach the server at {} ({e}); is `cliqd serve` running?",
                self.base
            )
        })?;
        Ok(Answer {
            status: response.status,
            body: serde_json::from_slice(&response.body).unwrap_or(Value::Null),
        })
    }

    /// Like [`ServerClient::call`], with a refusal as an error naming `what`.
    pub async fn expect(
        &self,
        what: &str,
        method: &str,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> anyhow::Result<Value> {
        let answer = self.call(method, segments, query, body).await?;
        if answer.ok() {
            Ok(answer.body)
        } else {
            anyhow::bail!("{what}: {}", answer.refusal())
        }
    }
}
