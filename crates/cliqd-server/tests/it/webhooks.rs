//! Webhook components over real HTTP: a receiver on 127.0.0.1 gets each trigger's envelope
//! (wire handler names, permission filtering), signed twice; replies are delivered, deferred
//! replies through `response_url` work and run out, retries keep their `webhook-id`,
//! interactive triggers are not retried, bad receivers are handled, private targets are
//! refused without the flag, and a delivery can be redelivered.

use crate::handlers_run::{Bot, add_handler, bot_message, executions, post_in, subscribe};
use crate::helpers::{TestApp, spawn_with};
use crate::messaging_realtime::connect;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::{Value, json};
use sha2::Sha256;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Clone, Debug)]
struct Got {
    path: String,
    at: std::time::Instant,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
    fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Got>>>,
}

async fn receive(
    State(r): State<Receiver>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let n = {
        let mut got = r.got.lock().unwrap();
        got.push(Got {
            path: path.clone(),
            at: std::time::Instant::now(),
            headers,
            body: body.to_vec(),
        });
        got.iter().filter(|g| g.path == path).count()
    };
    let handler = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["handler"]["type"].as_str().map(str::to_string))
        .unwrap_or_default();
    match path.as_str() {
        "ok" => axum::Json(json!({"output": {"text": format!("hook: {handler}")}})).into_response(),
        "unwrapped" => axum::Json(json!({"text": "plain"})).into_response(),
        "flaky" if n <= 2 => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "flaky" => axum::Json(json!({"output": {"text": "third time"}})).into_response(),
        "fail" => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        "html" => ([("content-type", "text/html")], "<html>hi</html>").into_response(),
        "hang" => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            StatusCode::OK.into_response()
        }
        "big" => vec![b' '; 10 * 1024 * 1024].into_response(),
        "large" => {
            let mut body = br#"{"output": ""}"#.to_vec();
            body.extend(vec![b' '; 100 * 1024]);
            ([("content-type", "application/json")], body).into_response()
        }
        "badreply" => axum::Json(json!({"output": {"text": 5, "card": "nope"}})).into_response(),
        // A form function's handlers: the view opens a form, a submit answers a message.
        "forms" if handler == "form_view_handler" => axum::Json(json!({"output": {
            "type": "form", "title": "Asset", "name": "asset",
            "action": {"type": "invoke.function", "name": "Asset"},
            "inputs": [{"type": "text", "name": "email", "label": "Email",
                        "placeholder": "you@zylker.com", "mandatory": true},
                       {"type": "select", "name": "kind", "label": "Kind", "trigger_on_change": true,
                        "options": [{"label": "Mobile", "value": "mobile"}, {"label": "Laptop", "value": "laptop"}]},
                       {"type": "dynamic_select", "name": "model", "label": "Model", "placeholder": "pick"},
                       {"type": "text", "name": "note", "label": "Note", "placeholder": "n"}]}}))
        .into_response(),
        "forms" if handler == "form_change_handler" => axum::Json(json!({"output": {
            "type": "form_modification", "actions": [{"type": "remove", "name": "note"}]}}))
        .into_response(),
        "forms" if handler == "form_values_handler" => axum::Json(json!({"output": {
            "options": [{"label": "Google Pixel", "value": "pixel"}]}}))
        .into_response(),
        "forms" => {
            axum::Json(json!({"output": {"text": format!("hook: {handler}")}})).into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// A receiver on 127.0.0.1; answers its base URL.
async fn receiver() -> (String, Receiver) {
    let r = Receiver::default();
    let app = axum::Router::new()
        .route("/{path}", axum::routing::post(receive))
        .with_state(r.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), r)
}

impl Receiver {
    fn all(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
    /// Waits for at least `n` requests on `path`.
    async fn wait(&self, path: &str, n: usize) -> Vec<Got> {
        for _ in 0..200 {
            let got: Vec<Got> = self.all().into_iter().filter(|g| g.path == path).collect();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("fewer than {n} requests on /{path}");
    }
    fn with_handler(&self, wire: &str) -> Vec<Got> {
        self.all()
            .into_iter()
            .filter(|g| g.json()["handler"]["type"] == wire)
            .collect()
    }
}

async fn spawn_private() -> TestApp {
    spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.allow_private_network = true;
        c.handler_timeout = Duration::from_secs(2);
        c.webhook.retry_delays = vec![Duration::from_millis(50); 3];
    })
    .await
}

async fn webhook_bot(app: &TestApp, name: &str, url: &str, extra: Value) -> Bot {
    let mut body = json!({"name": name, "description": "d", "scope": "organization",
        "execution_type": "webhook", "execution_url": url});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let r = app.post("/api/v3/bots", &app.admin_token, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    Bot {
        id: r.body["data"]["id"].as_str().unwrap().to_string(),
        unique: r.body["data"]["unique_name"].as_str().unwrap().to_string(),
    }
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Both signatures of a request verify; one changed byte of the body breaks both.
fn verify(g: &Got, public_pem: &str, secret: &str) {
    let public = rsa::RsaPublicKey::from_public_key_pem(public_pem).unwrap();
    let verifier = VerifyingKey::<Sha256>::new(public);
    let sig = STANDARD
        .decode(g.header("x-cliq-signature").unwrap())
        .unwrap();
    let sig = Signature::try_from(sig.as_slice()).unwrap();
    assert!(verifier.verify(&g.body, &sig).is_ok());
    let mut changed = g.body.clone();
    changed[10] ^= 1;
    assert!(verifier.verify(&changed, &sig).is_err());

    let id = g.header("webhook-id").unwrap();
    let ts = g.header("webhook-timestamp").unwrap();
    let hmac = |body: &[u8]| {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").unwrap())
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
    };
    let header = g.header("webhook-signature").unwrap();
    assert_eq!(header, hmac(&g.body));
    assert_ne!(header, hmac(&changed));
}

#[tokio::test]
async fn every_bot_trigger_is_delivered_signed_and_answered() {
    let app = spawn_private().await;
    let (base, rx) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;
    let bot = webhook_bot(
        &app,
        "Hooky",
        &format!("{base}/ok"),
        json!({"calls": "enabled"}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "welcome_handler", "permissions": ["user"]}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "message_handler", "permissions": ["user", "chat"]}),
    )
    .await;
    let menu = add_handler(
        &app,
        &bot,
        json!({"type": "menu_handler", "name": "Deploy", "sub_actions": [{"name": "Prod"}], "permissions": ["chat"]}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "incoming_webhook_handler", "permissions": ["user"]}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "call_handler", "permissions": []}),
    )
    .await;

    // The secret: for the creator and admins only; the public key: for anyone signed in.
    let r = app
        .get(&format!("/api/v3/bots/b-{}", bot.id), &app.admin_token)
        .await;
    let secret = r.body["data"]["webhook_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(secret.starts_with("whsec_"), "{}", r.body);
    let r = app.get(&format!("/api/v3/bots/b-{}", bot.id), &scott).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["data"].get("webhook_secret").is_none());
    let r = app.get("/api/v3/webhooks/public_key", &scott).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let public_pem = r.body["data"]["public_key"].as_str().unwrap().to_string();
    assert!(public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));

    // welcome: the reply is posted in the bot chat.
    let mut ws = connect(&app, &scott).await;
    let chat = subscribe(&app, &bot, &scott).await;
    let reply = bot_message(&mut ws).await;
    assert_eq!(reply["data"]["content"]["text"], "hook: welcome_handler");
    let g = rx.with_handler("welcome_handler").remove(0);
    let env = g.json();
    assert_eq!(
        keys(&env),
        [
            "handler",
            "name",
            "params",
            "response_url",
            "timestamp",
            "type",
            "unique_name"
        ]
    );
    assert_eq!(env["name"], "Hooky");
    assert_eq!(env["type"], "bot");
    assert_eq!(env["unique_name"], bot.unique.as_str());
    assert_eq!(
        keys(&env["params"]),
        ["access", "environment", "newuser", "user"]
    );
    assert_eq!(g.header("content-type").unwrap(), "application/json");
    assert!(g.header("user-agent").unwrap().starts_with("cliqd/"));
    verify(&g, &public_pem, &secret);

    // message: `message` and `location` need their permissions; `chat` and `user` are granted.
    post_in(&app, &chat, &scott, "hello").await;
    let reply = bot_message(&mut ws).await;
    assert_eq!(reply["data"]["content"]["text"], "hook: message_handler");
    let g = rx.with_handler("message_handler").remove(0);
    let env = g.json();
    let params = keys(&env["params"]);
    assert!(params.contains(&"chat".to_string()) && params.contains(&"user".to_string()));
    for hidden in ["message", "location", "attachments"] {
        assert!(
            !params.contains(&hidden.to_string()),
            "{hidden}: {params:?}"
        );
    }
    assert_eq!(env["params"]["message_details"]["message"]["text"], "hello");
    verify(&g, &public_pem, &secret);

    // menu: `action_handler` with the action's name and the sub-action.
    let path = format!(
        "/api/v3/bots/{}/actions/{}",
        bot.unique,
        menu["id"].as_str().unwrap()
    );
    let r = app
        .post(
            &path,
            &scott,
            json!({"chat_id": chat, "sub_action": "Prod"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["text"], "hook: action_handler", "{}", r.body);
    let env = rx.with_handler("action_handler").remove(0).json();
    assert_eq!(
        env["handler"],
        json!({"type": "action_handler", "name": "Deploy"})
    );
    assert_eq!(env["sub_action"], "Prod");
    assert_eq!(keys(&env["params"]), ["access", "chat", "environment"]);

    // incoming webhook: `incomingwebhook_handler`, the parameters as `params`.
    let r = app
        .post(
            &format!("/api/v3/bots/{}/incoming", bot.unique),
            &scott,
            json!({"level": "high"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let env = rx.with_handler("incomingwebhook_handler").remove(0).json();
    assert_eq!(env["params"]["params"]["level"], "high");
    assert_eq!(env["params"]["http_method"], "POST");
    assert!(env["params"]["user"].is_object());

    // call: `alert_handler`, without a response_url.
    let r = app
        .post(
            &format!("/api/v3/bots/{}/calls", bot.unique),
            &app.admin_token,
            json!({"text": "wake up", "user_ids": [app.users[0].id.to_string()]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for _ in 0..100 {
        if !rx.with_handler("alert_handler").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let env = rx.with_handler("alert_handler").remove(0).json();
    assert!(env.get("response_url").is_none(), "{env}");
    assert_eq!(env["params"]["operation"], "ringing");
    assert_eq!(
        keys(&env["params"]),
        ["access", "data", "environment", "operation"]
    );

    // A deferred reply through the message run's response_url: posted in the chat; five uses.
    let message_env = rx.with_handler("message_handler").remove(0).json();
    let url = message_env["response_url"].as_str().unwrap().to_string();
    assert!(url.starts_with(&app.base), "{url}");
    let path = url.strip_prefix(&app.base).unwrap().to_string();
    let anon = reqwest::Client::new();
    let r = anon
        .post(&url)
        .json(&json!({"output": {"text": "later"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // (The menu action's and the incoming webhook's replies came first.)
    let reply = loop {
        let m = bot_message(&mut ws).await;
        if m["data"]["content"]["text"] != "hook: action_handler"
            && m["data"]["content"]["text"] != "hook: incomingwebhook_handler"
        {
            break m;
        }
    };
    assert_eq!(reply["data"]["content"]["text"], "later");
    assert_eq!(reply["chat_id"], chat.as_str());
    for _ in 0..4 {
        let r = anon
            .post(&url)
            .json(&json!({"output": ""}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = anon
        .post(&url)
        .json(&json!({"output": {"text": "sixth"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let unknown = format!("{}{}x", app.base, path);
    let r = anon
        .post(&unknown)
        .json(&json!({"output": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Rotation: a new secret, used from the next delivery on.
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/webhook_secret", bot.id),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rotated = r.body["data"]["webhook_secret"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(rotated, secret);
    post_in(&app, &chat, &scott, "again").await;
    bot_message(&mut ws).await;
    let g = rx.with_handler("message_handler").pop().unwrap();
    verify(&g, &public_pem, &rotated);
    let r = app
        .post(
            &format!("/api/v3/bots/b-{}/webhook_secret", bot.id),
            &scott,
            json!({}),
        )
        .await;
    assert_ne!(r.status, 200);
}

async fn menu_bot(app: &TestApp, name: &str, url: &str) -> (Bot, String) {
    let bot = webhook_bot(app, name, url, json!({})).await;
    let h = add_handler(
        app,
        &bot,
        json!({"type": "menu_handler", "name": "Go", "permissions": []}),
    )
    .await;
    let path = format!(
        "/api/v3/bots/{}/actions/{}",
        bot.unique,
        h["id"].as_str().unwrap()
    );
    (bot, path)
}

#[tokio::test]
async fn failures_are_journaled_retried_or_not_and_redelivered() {
    let app = spawn_private().await;
    let (base, rx) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;

    // A message handler answering 500 twice: retried with the same webhook-id.
    let bot = webhook_bot(&app, "Flaky", &format!("{base}/flaky"), json!({})).await;
    add_handler(
        &app,
        &bot,
        json!({"type": "message_handler", "permissions": []}),
    )
    .await;
    let chat = subscribe(&app, &bot, &scott).await;
    let mut ws = connect(&app, &scott).await;
    post_in(&app, &chat, &scott, "hi").await;
    assert_eq!(
        bot_message(&mut ws).await["data"]["content"]["text"],
        "third time"
    );
    let got = rx.wait("flaky", 3).await;
    let id = got[0].header("webhook-id").unwrap();
    assert!(got.iter().all(|g| g.header("webhook-id").unwrap() == id));
    assert_eq!(got[0].header("x-cliq-retry-num"), None);
    assert_eq!(got[1].header("x-cliq-retry-num").as_deref(), Some("1"));
    assert_eq!(got[2].header("x-cliq-retry-num").as_deref(), Some("2"));
    assert_eq!(got[0].body, got[2].body);
    // The schedule (50 ms ±20 % here) is kept between attempts.
    for pair in got.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_millis(40));
    }
    let runs = executions(&app, "handler=message_handler", 1).await;
    let attempts = runs[0]["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 3, "{}", runs[0]);
    assert_eq!(attempts[0]["response"]["status"], 500);
    assert_eq!(attempts[0]["error"], "the webhook answered HTTP 500");
    assert_eq!(attempts[0]["reason"], "status");
    assert_eq!(attempts[2]["response"]["status"], 200);
    assert!(attempts[0]["request"]["headers"].as_array().unwrap().len() >= 6);
    assert!(attempts[0]["latency_ms"].is_number());
    assert_eq!(runs[0]["executor"], "webhook");

    // Redelivery: the same id and body again, a new record.
    let r = app
        .post(
            &format!(
                "/api/v3/executions/{}/redeliver",
                runs[0]["id"].as_str().unwrap()
            ),
            &app.admin_token,
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["trigger"]["kind"], "redeliver");
    let got = rx.wait("flaky", 4).await;
    assert_eq!(got[3].header("webhook-id").unwrap(), id);
    assert_eq!(got[3].body, got[0].body);

    // Interactive triggers are sent once; each failure is named in the journal and the answer.
    let cases = [
        ("fail", "the webhook answered HTTP 500"),
        ("html", "not JSON"),
        ("hang", "did not answer within"),
        ("big", "larger than"),
        ("badreply", ""),
    ];
    for (path, why) in cases {
        let (_bot, action) =
            menu_bot(&app, &format!("Bad {path}"), &format!("{base}/{path}")).await;
        let r = app.post(&action, &scott, json!({"chat_id": chat})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["type"], "banner", "{path}: {}", r.body);
        assert_ne!(r.body["outcome"], "success", "{path}");
        let text = r.body["data"]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(text.contains(why), "{path}: {}", r.body);
        assert_eq!(
            rx.all().iter().filter(|g| g.path == path).count(),
            1,
            "{path}"
        );
    }
    // A large answer is read whole and journaled cut at 64 KB.
    let (_bot, action) = menu_bot(&app, "Large", &format!("{base}/large")).await;
    let r = app.post(&action, &scott, json!({"chat_id": chat})).await;
    assert_eq!(r.body["outcome"], "success", "{}", r.body);
    let record = app
        .get(
            &format!(
                "/api/v3/executions/{}",
                r.body["execution_id"].as_str().unwrap()
            ),
            &app.admin_token,
        )
        .await;
    let response = &record.body["data"]["attempts"][0]["response"];
    assert_eq!(response["body"].as_str().unwrap().len(), 64 * 1024);
    assert_eq!(response["body_truncated"], true);

    let (plain, action) = menu_bot(&app, "Plain", &format!("{base}/unwrapped")).await;
    let chat = subscribe(&app, &plain, &scott).await;
    let r = app.post(&action, &scott, json!({"chat_id": chat})).await;
    assert_eq!(r.body["data"]["text"], "plain", "{}", r.body);
}

#[tokio::test]
async fn private_targets_are_refused_without_the_flag() {
    let app = spawn_with(|c| c.rate_limits = cliqd_server::config::RateLimitMode::Off).await;
    let (base, rx) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;
    let (bot, action) = menu_bot(&app, "Local", &format!("{base}/ok")).await;
    let chat = subscribe(&app, &bot, &scott).await;
    let r = app.post(&action, &scott, json!({"chat_id": chat})).await;
    let text = r.body["data"]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("127.0.0.1") && text.contains("--allow-private-network"),
        "{}",
        r.body
    );
    assert!(rx.all().is_empty());
}

#[tokio::test]
async fn response_urls_expire() {
    let app = spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.allow_private_network = true;
        // The time to live counts from the delivery (after the signing keys are made).
        c.webhook.response_ttl = Duration::from_millis(2000);
    })
    .await;
    let (base, rx) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;
    let (bot, action) = menu_bot(&app, "Later", &format!("{base}/ok")).await;
    let chat = subscribe(&app, &bot, &scott).await;
    let r = app.post(&action, &scott, json!({"chat_id": chat})).await;
    assert_eq!(r.body["outcome"], "success", "{}", r.body);
    let url = rx.wait("ok", 1).await[0].json()["response_url"]
        .as_str()
        .unwrap()
        .to_string();
    let anon = reqwest::Client::new();
    let r = anon
        .post(&url)
        .json(&json!({"output": {"text": "in time"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["outcome"], "success", "{body}");
    assert_eq!(body["message_ids"].as_array().unwrap().len(), 1);
    // Not JSON: refused, and the use is not spent.
    let r = anon.post(&url).body("<html>").send().await.unwrap();
    assert_eq!(r.status(), 400);
    tokio::time::sleep(Duration::from_millis(2200)).await;
    let r = anon
        .post(&url)
        .json(&json!({"output": {"text": "too late"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn mention_and_participation_are_delivered_with_their_permissions() {
    let app = spawn_private().await;
    let (base, rx) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let bot = webhook_bot(
        &app,
        "Watcher",
        &format!("{base}/ok"),
        json!({"channel_participation": ["listen_message"]}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "mention_handler", "permissions": ["message", "chat"]}),
    )
    .await;
    add_handler(
        &app,
        &bot,
        json!({"type": "participation_handler", "permissions": []}),
    )
    .await;
    let general = crate::messaging::general_chat(&app, &scott).await;
    let mut ws = connect(&app, &olivia).await;
    let r = app
        .post(
            &format!("/api/v3/bots/{}/associate", bot.unique),
            &app.admin_token,
            json!({"channel_unique_name": "general"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let added = bot_message(&mut ws).await;
    assert_eq!(
        added["data"]["content"]["text"],
        "hook: participation_handler"
    );
    let env = rx.with_handler("participation_handler").remove(0).json();
    assert_eq!(env["params"]["operation"], "added");
    assert_eq!(
        keys(&env["params"]),
        ["access", "data", "environment", "operation"]
    );

    post_in(&app, &general, &scott, &format!("hey {{@b-{}}}", bot.id)).await;
    let mut texts = vec![];
    for _ in 0..2 {
        texts.push(bot_message(&mut ws).await["data"]["content"]["text"].clone());
    }
    assert!(texts.contains(&json!("hook: mention_handler")), "{texts:?}");
    let env = rx.with_handler("mention_handler").remove(0).json();
    let params = keys(&env["params"]);
    for shown in ["message", "chat", "mentions", "message_details"] {
        assert!(params.contains(&shown.to_string()), "{shown}: {params:?}");
    }
    for hidden in ["user", "location", "attachments"] {
        assert!(
            !params.contains(&hidden.to_string()),
            "{hidden}: {params:?}"
        );
    }
    assert_eq!(
        env["params"]["message"]["text"],
        format!("hey {{@b-{}}}", bot.id)
    );
}

#[tokio::test]
async fn buttons_and_message_actions_of_webhook_components_are_delivered() {
    let app = spawn_private().await;
    let (url, rec) = receiver().await;
    let scott = app.token_for(&app.users[0]).await;
    // A webhook button function and a webhook message action, both answering at /ok.
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": "Approve", "description": "d", "function_type": "button",
                   "execution_type": "webhook", "execution_url": format!("{url}/ok")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app
        .post(
            "/api/v3/messageactions",
            &app.admin_token,
            json!({"name": "Ticket", "hint": "h", "scope": "organization",
                   "message_types": ["text"], "execution_type": "webhook",
                   "execution_url": format!("{url}/ok")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let action = r.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &app.admin_token,
            json!({"text": "Deploy?", "sync_message": true, "buttons": [{"label": "Approve",
                   "key": "ok", "action": {"type": "invoke.function", "data": {"name": "Approve"}}}]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let msg = r.body["message_id"].as_str().unwrap().to_string();
    let general = app.get("/api/v3/channels/general", &scott).await.body["data"]["chat_id"]
        .as_str()
        .unwrap()
        .to_string();

    // The click: envelope of a function, wire name button_handler, the answer shown.
    let r = app
        .post(
            &format!("/api/v3/chats/{general}/messages/{msg}/click"),
            &scott,
            json!({"button": "ok"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "message", "{}", r.body);
    assert_eq!(r.body["data"]["text"], "hook: button_handler");
    let got = rec.with_handler("button_handler");
    assert_eq!(got.len(), 1);
    let env = got[0].json();
    assert_eq!(env["type"], "function", "{env}");
    assert_eq!(env["name"], "Approve");
    assert_eq!(env["params"]["event"], "click");
    assert!(env["params"].get("environment").is_some(), "{env}");
    assert!(env["params"].get("access").is_some(), "{env}");

    // The message action: envelope of a message action, wire name execution_handler.
    let r = app
        .post(
            &format!("/api/v3/messageactions/{action}/execute"),
            &scott,
            json!({"chat_id": general, "message_ids": [msg]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"]["text"], "hook: execution_handler",
        "{}",
        r.body
    );
    let got = rec.with_handler("execution_handler");
    assert_eq!(got.len(), 1);
    let env = got[0].json();
    assert_eq!(env["type"], "messageaction", "{env}");
    assert_eq!(env["name"], "Ticket");
    // Both signed, and neither retried (interactive triggers are not).
    for g in rec.all() {
        assert!(g.header("x-cliq-signature").is_some());
        assert!(g.header("webhook-signature").is_some());
        assert!(g.header("x-cliq-retry-num").is_none());
    }
    let runs = executions(&app, "handler=button_handler", 1).await;
    assert_eq!(runs[0]["executor"], "webhook", "{}", runs[0]);
}

#[tokio::test]
async fn forms_of_webhook_functions_are_delivered() {
    let app = spawn_private().await;
    let (url, rec) = receiver().await;
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": "Asset", "description": "d", "function_type": "form",
                   "execution_type": "webhook", "execution_url": format!("{url}/forms")}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    for kind in [
        "form_view_handler",
        "form_change_handler",
        "form_dynamic_select_handler",
    ] {
        let r = app
            .post(
                &format!("/api/v3/functions/{id}/handlers"),
                &app.admin_token,
                json!({"type": kind}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    // The permalink runs form_view_handler (same wire name) and opens the form it answers.
    let r = app
        .get(
            &format!("/api/v3/functions/{id}/form?source=test"),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let form_id = r.body["form_id"].as_str().unwrap().to_string();
    let view = rec.with_handler("form_view_handler");
    assert_eq!(view.len(), 1);
    assert_eq!(view[0].json()["type"], "function");
    // A change runs form_change_handler (same wire name); its modification is applied.
    let r = app
        .post(
            &format!("/api/v3/forms/{form_id}/change"),
            &app.admin_token,
            json!({"name": "kind", "value": {"label": "Mobile", "value": "mobile"}, "values": {}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["type"], "form", "{}", r.body);
    let names: Vec<&str> = r.body["data"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["email", "kind", "model"]);
    let change = rec.with_handler("form_change_handler");
    assert_eq!(change.len(), 1);
    assert_eq!(change[0].json()["params"]["target"]["name"], "kind");
    // A dynamic select runs form_dynamic_select_handler, whose wire name is form_values_handler.
    let r = app
        .post(
            &format!("/api/v3/forms/{form_id}/options"),
            &app.admin_token,
            json!({"name": "model", "query": "pix"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["options"][0]["value"], "pixel", "{}", r.body);
    let values = rec.with_handler("form_values_handler");
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].json()["params"]["target"]["query"], "pix");
    // A submit runs form_submit_handler, whose wire name is form_handler.
    let r = app
        .post(
            &format!("/api/v3/forms/{form_id}/submit"),
            &app.admin_token,
            json!({"values": {"email": "admin@zylker.com"}}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["text"], "hook: form_handler", "{}", r.body);
    let submit = rec.with_handler("form_handler");
    assert_eq!(submit.len(), 1);
    let env = submit[0].json();
    assert_eq!(env["params"]["form"]["action"], "submit", "{env}");
    assert_eq!(env["params"]["form"]["values"]["email"], "admin@zylker.com");
}
