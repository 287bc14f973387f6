//! Spawning a server per test and talking to it.

use cliqd_server::config::{Config, RateLimitMode};
use cliqd_server::{RunningServer, admin};
use cliqd_store::UserRow;
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub admin_token: String,
    /// Demo users: scott (Engineering), olivia (Engineering), james (Support).
    pub users: Vec<UserRow>,
    pub teams: Vec<i64>,
    pub admin: UserRow,
    pub server: Option<RunningServer>,
    _dir: tempfile::TempDir,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `code` of an error body ("" if none).
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(|c| c.rate_limits = RateLimitMode::Off).await
}

pub async fn spawn_with(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        ..Config::default()
    };
    tweak(&mut config);
    let server = cliqd_server::start(config, open_backend(dir.path()))
        .await
        .expect("server starts");
    let demo = server
        .demo
        .as_ref()
        .expect("fresh data dir creates the demo org");
    let token_file = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    assert_eq!(token_file.trim(), demo.admin_token);
    TestApp {
        base: format!("http://{}", server.addr),
        client: reqwest::Client::new(),
        admin_token: demo.admin_token.clone(),
        users: demo.users.clone(),
        teams: demo.teams.iter().map(|t| t.id).collect(),
        admin: demo.admin.clone(),
        server: Some(server),
        _dir: dir,
    }
}

/// The embedded SQLite store in `dir`, closed when the server stops.
pub fn open_backend(dir: &std::path::Path) -> cliqd_server::Backend {
    let store = cliqd_store_sqlite::SqliteStore::open(dir).expect("store opens");
    let closer = store.clone();
    cliqd_server::Backend {
        store: std::sync::Arc::new(store),
        close: Box::new(move || closer.close()),
    }
}

impl TestApp {
    /// Stops the server and starts it again on the same data directory (a new port).
    pub async fn restart(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().await.expect("shutdown");
        }
        let config = Config {
            data_dir: self._dir.path().to_path_buf(),
            bind: "127.0.0.1:0".parse().unwrap(),
            rate_limits: RateLimitMode::Off,
            ..Config::default()
        };
        let server = cliqd_server::start(config, open_backend(self._dir.path()))
            .await
            .expect("server restarts");
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// The server's data directory (its database, for a second process's store beside it).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn store(&self) -> &dyn cliqd_store::Store {
        self.server.as_ref().unwrap().state.store.as_ref()
    }

    /// A token with every scope for `user`.
    pub async fn token_for(&self, user: &UserRow) -> String {
        self.token_with(user, "all", None).await
    }

    pub async fn token_with(
        &self,
        user: &UserRow,
        scopes: &str,
        expires_in: Option<i64>,
    ) -> String {
        let scopes = if scopes == "all" {
            cliqd_server::admin::ALL_SCOPES.join(",")
        } else {
            scopes.to_string()
        };
        admin::create_token(self.store(), user.id, &scopes, expires_in)
            .await
            .unwrap()
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .header("Authorization", format!("Zoho-oauthtoken {token}"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON body: {text}"))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, token, None).await
    }

    /// Creates an organization-scope Deluge bot as the admin; returns its id.
    pub async fn create_bot(&self, name: &str) -> String {
        self.create_bot_as(
            &self.admin_token.clone(),
            serde_json::json!({"name": name, "description": "d", "scope": "organization"}),
        )
        .await
    }

    pub async fn create_bot_as(&self, token: &str, body: Value) -> String {
        let r = self.post("/api/v3/bots", token, body).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["data"]["id"].as_str().unwrap().to_string()
    }
}
