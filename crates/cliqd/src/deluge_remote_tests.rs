//! `deluge run --server`: a script's tasks performed on a real server started in-process, the
//! messages read back over HTTP, and the result maps compared with the in-process `perform`.

use crate::deluge_cmd::{RunOptions, run_program};
use cliqd_server::config::{Config, RateLimitMode};
use cliqd_service::{Actor, CliqTask};
use cliqd_store::Store;
use serde_json::{Value, json};
use std::sync::Arc;

struct Server {
    base: String,
    running: cliqd_server::RunningServer,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let store = cliqd_store_sqlite::SqliteStore::open(dir.path()).unwrap();
    let closer = store.clone();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        rate_limits: RateLimitMode::Off,
        ..Config::default()
    };
    let backend = cliqd_server::Backend {
        store: Arc::new(store),
        close: Box::new(move || closer.close()),
    };
    let running = cliqd_server::start(config, backend).await.unwrap();
    Server {
        base: format!("http://{}", running.addr),
        running,
        _dir: dir,
    }
}

impl Server {
    fn store(&self) -> &dyn Store {
        self.running.state.store.as_ref()
    }

    /// A request to the server through the outbound client (the only HTTP client outside
    /// tests/ directories); the status and the JSON body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let client = cliqd_outbound::OutboundClient::new(cliqd_outbound::OutboundConfig {
            allow_private: true,
            ..Default::default()
        })
        .unwrap();
        let mut headers = vec![(
            "Authorization".to_string(),
            format!("Zoho-oauthtoken {token}"),
        )];
        if body.is_some() {
            headers.push(("Content-Type".into(), "application/json".into()));
        }
        let resp = client
            .execute(cliqd_outbound::OutboundRequest {
                method: method.into(),
                url: format!("{}{path}", self.base),
                headers,
                body: body.map(|b| b.to_string().into_bytes()),
            })
            .await
            .unwrap();
        (
            resp.status,
            serde_json::from_slice(&resp.body).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str, token: &str) -> Value {
        let (status, body) = self.call("GET", path, token, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// The ids of the messages of `chat_id`, read over HTTP.
    async fn message_ids(&self, chat_id: &str, token: &str) -> Vec<String> {
        let list = self
            .get(&format!("/api/v2/chats/{chat_id}/messages"), token)
            .await;
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect()
    }
}

/// Runs `script` against `server` as `token`'s user, on a blocking thread (the CLI's host
/// blocks on its own runtime); the script's return value.
async fn run(server: &Server, token: &str, script: &str, inputs: Value) -> Value {
    let program = deluge::Program::parse(script).unwrap();
    let opts = RunOptions {
        max_statements: None,
        timeout_ms: None,
        allow_private_network: false,
        server: Some((server.base.clone(), token.to_string())),
    };
    let inputs = inputs.as_object().unwrap().clone();
    tokio::task::spawn_blocking(move || run_program(&program, &inputs, &opts))
        .await
        .unwrap()
        .unwrap()
        .map_err(|f| f.error.to_string())
        .unwrap()
        .return_value
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_script_posts_on_a_running_server() {
    let server = start().await;
    let demo = server.running.demo.as_ref().unwrap();
    let (scott, olivia) = (demo.users[0].clone(), demo.users[1].clone());
    let scopes = cliqd_server::admin::ALL_SCOPES.join(",");
    let token = cliqd_server::admin::create_token(server.store(), scott.id, &scopes, None)
        .await
        .unwrap();
    let olivia_token = cliqd_server::admin::create_token(server.store(), olivia.id, &scopes, None)
        .await
        .unwrap();
    let general = server
        .store()
        .channel_by_unique_name(scott.org_id, "general")
        .await
        .unwrap()
        .chat_id;

    let script = r#"
        channel = zoho.cliq.postToChannel("General", "hello from a script");
        chat = zoho.cliq.postToChat(chat_id, {"text": "into the chat"}, "a_connection");
        direct = zoho.cliq.postToUser(friend, "psst");
        refused = "";
        try
        {
            r = zoho.cliq.postToChannel("no-such-channel", "x");
        }
        catch (e)
        {
            refused = e;
        }
        return {"channel": channel, "chat": chat, "direct": direct, "refused": refused,
                "me": zoho.loginuserid};
    "#;
    let out = run(
        &server,
        &token,
        script,
        json!({"chat_id": general, "friend": olivia.email}),
    )
    .await;

    // The channel and chat posts are in `general`, read back over HTTP.
    let ids = server.message_ids(&general, &token).await;
    for key in ["channel", "chat"] {
        assert_eq!(out[key]["status"], "SUCCESS", "{out}");
        let id = out[key]["message_id"].as_str().unwrap();
        assert!(ids.iter().any(|m| m == id), "{key} {id} not in {ids:?}");
    }
    // The direct post is in the direct chat, as the recipient sees it.
    let chats = server.get("/api/v3/chats", &olivia_token).await;
    let direct = chats["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["chat_type"] == "direct_message")
        .unwrap_or_else(|| panic!("no direct chat: {chats}"));
    let direct_ids = server
        .message_ids(direct["chat_id"].as_str().unwrap(), &olivia_token)
        .await;
    assert_eq!(
        direct_ids,
        vec![out["direct"]["message_id"].as_str().unwrap().to_string()]
    );

    // A refusal is a catchable error quoting Cliq's code and message.
    let refused = out["refused"].as_str().unwrap();
    assert!(
        refused.contains("zoho.cliq.postToChannel failed (HTTP 404)")
            && refused.contains(r#""code":"channel_not_found""#),
        "{refused}"
    );
    // The token's user, read from the server.
    assert_eq!(out["me"], scott.email.as_str());

    // The in-process perform answers maps of the same shape for the same outcomes.
    let actor = Actor::new(Arc::new(scott.clone()));
    for (task, args, key) in [
        (
            "posttochannel",
            vec![json!("general"), json!("x")],
            "channel",
        ),
        ("posttochat", vec![json!(general), json!("x")], "chat"),
        (
            "posttouser",
            vec![json!(olivia.email), json!("x")],
            "direct",
        ),
    ] {
        let task = CliqTask::parse(task, &args).unwrap();
        let local = cliqd_service::perform(server.store(), &actor, &task)
            .await
            .unwrap();
        assert_eq!(keys(&local), keys(&out[key]), "{key}");
        assert_eq!(local["status"], out[key]["status"]);
    }
    server.running.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_tasks_answer_the_recipients_like_perform() {
    let server = start().await;
    let demo = server.running.demo.as_ref().unwrap();
    let admin = demo.admin.clone();
    let token = demo.admin_token.clone();
    let bot = json!({"name": "Helper", "description": "d", "scope": "organization"});
    let (status, created) = server.call("POST", "/api/v3/bots", &token, Some(bot)).await;
    assert_eq!(status, 200, "{created}");
    let out = run(
        &server,
        &token,
        r#"return zoho.cliq.postToBot("helper", "note");"#,
        json!({}),
    )
    .await;
    assert_eq!(out["user_ids"], json!([admin.id.to_string()]), "{out}");
    let detail = &out["message_details"][admin.id.to_string()];
    let ids = server
        .message_ids(detail["chat_id"].as_str().unwrap(), &token)
        .await;
    assert!(
        ids.iter()
            .any(|m| Some(m.as_str()) == detail["message_id"].as_str())
    );

    let actor = Actor::new(Arc::new(admin.clone()));
    let task = CliqTask::parse("posttobot", &[json!("helper"), json!("x")]).unwrap();
    let local = cliqd_service::perform(server.store(), &actor, &task)
        .await
        .unwrap();
    assert_eq!(keys(&local), keys(&out));
    assert_eq!(local["user_ids"], out["user_ids"]);
    assert_eq!(
        local["message_details"][admin.id.to_string()]["chat_id"],
        detail["chat_id"]
    );

    // A datastore task is refused before anything is sent.
    let program = deluge::Program::parse(r#"r = zoho.cliq.getRecords("db", {});"#).unwrap();
    let opts = RunOptions {
        max_statements: None,
        timeout_ms: None,
        allow_private_network: false,
        server: Some((server.base.clone(), token.clone())),
    };
    let failure =
        tokio::task::spawn_blocking(move || run_program(&program, &serde_json::Map::new(), &opts))
            .await
            .unwrap()
            .unwrap()
            .unwrap_err();
    assert!(
        failure
            .error
            .to_string()
            .contains("zoho.cliq.getRecords is not supported yet"),
        "{}",
        failure.error
    );
    server.running.shutdown().await.unwrap();
}
