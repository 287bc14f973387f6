//! Handler benchmark (not a test): the round trip of a bot handler, and a menu action.
//!
//! ```text
//! cargo run --release -p cliqd-server --example handler_load -- [--users 64] [--seconds 10]
//! ```
//!
//! Starts a server on a fresh data directory (rate limits off) on a multi-threaded runtime of
//! its own; the load generator runs on a single-threaded runtime on the main thread (raw hyper
//! keep-alive connections, one WebSocket per user), so both share the machine's cores as two
//! processes would.
//!
//! - baseline: `GET /healthz` over 1 connection and over `--users` connections (the HTTP
//!   stack's ceiling on this machine, measured in the same run);
//! - round trip: a user posts into their bot chat over HTTP (`POST /api/v3/chats/{id}/messages`)
//!   and waits until the bot's Deluge reply (`return {"text": "re:" + message}`) is committed
//!   and arrives on that user's WebSocket; with one user, then `--users` users at once;
//! - menu action: `POST /api/v3/bots/{bot}/actions/{id}` answered with the handler's reply (a
//!   message, also posted in the chat), one user;
//! - button click: `POST /api/v3/chats/{chat}/messages/{id}/click` answered by a Deluge
//!   `button_handler` (its message goes to the clicker only), one user;
//! - form submit: a form of 20 mandatory text inputs, every value checked, then its
//!   `form_submit_handler` run (which answers the same form, so the session stays open).
//!
//! Prints throughput and p50/p99/max latencies, and the ratio to the baseline.

// A benchmark harness, not product code: a failed setup step stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The allocator of the `cliqd` binary, so the figures are the served binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Shared with post_load, which uses all of it.
#[allow(dead_code)]
#[path = "../post_load/load.rs"]
mod load;

use bytes::Bytes;
use cliqd_server::config::{Config, RateLimitMode};
use futures_util::StreamExt;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use load::percentile;
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

fn report(label: &str, mut micros: Vec<u64>, secs: f64, errors: u64) -> f64 {
    micros.sort_unstable();
    let rate = micros.len() as f64 / secs;
    println!(
        "{label:<34} {rate:>9.0}/s  p50 {:>7.3} ms  p99 {:>7.3} ms  max {:>8.3} ms  (n={}, errors={errors})",
        percentile(&micros, 0.5),
        percentile(&micros, 0.99),
        micros.last().copied().unwrap_or(0) as f64 / 1000.0,
        micros.len()
    );
    rate
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn http(addr: SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    tokio::spawn(conn);
    sender
}

async fn send(
    sender: &mut Sender,
    addr: SocketAddr,
    token: &str,
    method: hyper::Method,
    path: &str,
    body: String,
) -> (u16, Bytes) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(HOST, addr.to_string())
        .header(AUTHORIZATION, format!("Zoho-oauthtoken {token}"))
        .header(CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body)))
        .unwrap();
    sender.ready().await.unwrap();
    let resp = sender.send_request(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (status, body)
}

struct User {
    token: String,
    chat: String,
}

/// One user's loop: post, then wait for the bot's reply on the WebSocket; latencies in µs.
async fn round_trips(addr: SocketAddr, user: &User, stop: Instant) -> (Vec<u64>, u64) {
    let url = format!("ws://{addr}/api/v3/realtime?access_token={}", user.token);
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let _ready = ws.next().await;
    let mut sender = http(addr).await;
    let path = format!("/api/v3/chats/{}/messages", user.chat);
    let (mut micros, mut errors) = (Vec::new(), 0u64);
    let mut i = 0u64;
    while Instant::now() < stop {
        i += 1;
        let t0 = Instant::now();
        let (status, _) = send(
            &mut sender,
            addr,
            &user.token,
            hyper::Method::POST,
            &path,
            json!({"text": format!("m{i}")}).to_string(),
        )
        .await;
        if status != 204 {
            errors += 1;
            continue;
        }
        let want = format!("re:m{i}");
        loop {
            let Ok(Some(Ok(Message::Text(t)))) =
                tokio::time::timeout(Duration::from_secs(10), ws.next()).await
            else {
                errors += 1;
                break;
            };
            let ev: Value = serde_json::from_str(&t).unwrap_or(Value::Null);
            if ev["event"] == "message_created" && ev["data"]["content"]["text"] == want.as_str() {
                micros.push(t0.elapsed().as_micros() as u64);
                break;
            }
        }
    }
    (micros, errors)
}

async fn round_trip_phase(addr: SocketAddr, users: &[User], seconds: u64) -> (Vec<u64>, f64, u64) {
    let stop = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for u in users {
        let u = User {
            token: u.token.clone(),
            chat: u.chat.clone(),
        };
        set.spawn_local(async move { round_trips(addr, &u, stop).await });
    }
    let (mut all, mut errors) = (Vec::new(), 0);
    while let Some(r) = set.join_next().await {
        let (m, e) = r.unwrap();
        all.extend(m);
        errors += e;
    }
    (all, started.elapsed().as_secs_f64(), errors)
}

fn main() {
    let mut users_n = 64usize;
    let mut seconds = 10u64;
    // `--only-many`: just the many-users round trip (for profiling it alone).
    let mut only_many = false;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        match flag.as_str() {
            "--users" => users_n = it.next().unwrap().parse().unwrap(),
            "--seconds" => seconds = it.next().unwrap().parse().unwrap(),
            "--only-many" => only_many = true,
            other => panic!("unknown flag {other}"),
        }
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        rate_limits: RateLimitMode::Off,
        ..Config::default()
    };
    let store = cliqd_store_sqlite::SqliteStore::open(dir.path()).unwrap();
    let closer = store.clone();
    let backend = cliqd_server::Backend {
        store: std::sync::Arc::new(store),
        close: Box::new(move || closer.close()),
    };
    let server = server_rt
        .block_on(cliqd_server::start(config, backend))
        .unwrap();
    let demo = server.demo.as_ref().unwrap();
    let (admin, org_id) = (demo.admin_token.clone(), demo.org.id);
    let addr = server.addr;
    let store = server.state.store.clone();
    println!(
        "server at http://{addr} (in-process, own runtime); cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let local = tokio::task::LocalSet::new();
    local.block_on(&client, async move {
        let mut s = http(addr).await;
        // The bot, its message handler and a menu action.
        let (st, body) = send(&mut s, addr, &admin, hyper::Method::POST, "/api/v3/bots",
            json!({"name": "Bench", "description": "d", "scope": "organization"}).to_string()).await;
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        let bot: Value = serde_json::from_slice(&body).unwrap();
        let bot_id = bot["data"]["id"].as_str().unwrap().to_string();
        let handlers = format!("/api/v3/bots/b-{bot_id}/handlers");
        let (st, _) = send(&mut s, addr, &admin, hyper::Method::POST, &handlers,
            json!({"type": "message_handler", "script": "return {\"text\": \"re:\" + message};"}).to_string()).await;
        assert_eq!(st, 200);
        let (st, body) = send(&mut s, addr, &admin, hyper::Method::POST, &handlers,
            json!({"type": "menu_handler", "name": "Ping", "script": "return {\"text\": \"pong \" + user.get(\"first_name\")};"}).to_string()).await;
        assert_eq!(st, 200);
        let menu: Value = serde_json::from_slice(&body).unwrap();
        let menu_id = menu["data"]["id"].as_str().unwrap().to_string();

        // Users, each subscribed (which opens their bot chat).
        let mut users = Vec::new();
        for i in 0..users_n {
            let u = cliqd_server::admin::add_user(store.as_ref(), org_id, &format!("bench{i}@zylker.com"), &format!("Bench {i}"), false).await.unwrap();
            let token = cliqd_server::admin::create_token(store.as_ref(), u.id, &cliqd_server::admin::ALL_SCOPES.join(","), None).await.unwrap();
            let (st, body) = send(&mut s, addr, &token, hyper::Method::POST, &format!("/api/v3/bots/b-{bot_id}/subscribe"), "{}".into()).await;
            assert_eq!(st, 200);
            let chat = serde_json::from_slice::<Value>(&body).unwrap()["chat_id"].as_str().unwrap().to_string();
            users.push(User { token, chat });
        }

        if only_many {
            let (m, secs, e) = round_trip_phase(addr, &users, seconds).await;
            report(&format!("handler round trip, {users_n} users"), m, secs, e);
            return;
        }
        // Baseline in the same run.
        let healthz = load::Load {
            addr,
            method: hyper::Method::GET,
            paths: vec!["/healthz".into()],
            token: admin.clone(),
            ok_status: 200,
            body: None,
        };
        let one = load::run(&healthz, 1, Duration::from_secs(seconds.min(3))).await;
        report("baseline GET /healthz, 1 conn", one.micros.clone(), one.secs, one.errors);
        let many = load::run(&healthz, users_n, Duration::from_secs(seconds.min(3))).await;
        let base_rate = report(&format!("baseline GET /healthz, {users_n} conns"), many.micros.clone(), many.secs, many.errors);

        // Warm-up (program cache, connections), then the phases.
        let _ = round_trip_phase(addr, &users[..1], 1).await;
        let (m, secs, e) = round_trip_phase(addr, &users[..1], seconds).await;
        report("handler round trip, 1 user", m, secs, e);
        let (m, secs, e) = round_trip_phase(addr, &users, seconds).await;
        let rate = report(&format!("handler round trip, {users_n} users"), m, secs, e);
        println!("  ratio to the /healthz baseline at {users_n} conns: {:.3}", rate / base_rate);

        let menu_path = format!("/api/v3/bots/b-{bot_id}/actions/{menu_id}");
        let u = &users[0];
        let body = json!({"chat_id": u.chat}).to_string();
        let mut sender = http(addr).await;
        let stop = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let (mut micros, mut errors) = (Vec::new(), 0u64);
        while Instant::now() < stop {
            let t0 = Instant::now();
            let (st, _) = send(&mut sender, addr, &u.token, hyper::Method::POST, &menu_path, body.clone()).await;
            if st == 200 { micros.push(t0.elapsed().as_micros() as u64) } else { errors += 1 }
        }
        report("menu action, 1 user", micros, started.elapsed().as_secs_f64(), errors);

        // A click answered by a Deluge button_handler (the reply goes to the clicker only).
        // Fresh connections: the server closes keep-alive connections idle for 10 s.
        let mut s = http(addr).await;
        let mut sender = http(addr).await;
        let (st, _) = send(&mut s, addr, &admin, hyper::Method::POST, "/api/v3/functions",
            json!({"name": "Approve", "description": "d", "function_type": "button"}).to_string()).await;
        assert_eq!(st, 200);
        let (st, body) = send(&mut s, addr, &admin, hyper::Method::GET, "/api/v3/functions?limit=50", String::new()).await;
        assert_eq!(st, 200);
        let fns: Value = serde_json::from_slice(&body).unwrap();
        let fn_id = fns["data"].as_array().unwrap().iter()
            .find(|f| f["name"] == "Approve").unwrap()["id"].as_str().unwrap().to_string();
        let (st, _) = send(&mut s, addr, &admin, hyper::Method::POST, &format!("/api/v3/functions/{fn_id}/handlers"),
            json!({"type": "button_handler", "script": "return {\"text\": \"Approved by \" + user.get(\"first_name\")};"}).to_string()).await;
        assert_eq!(st, 200);
        let (st, body) = send(&mut s, addr, &admin, hyper::Method::POST, "/api/v2/channelsbyname/general/message",
            json!({"text": "Deploy?", "sync_message": true, "buttons": [{"label": "Approve", "key": "ok",
                "action": {"type": "invoke.function", "data": {"name": "Approve"}}}]}).to_string()).await;
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        let msg = serde_json::from_slice::<Value>(&body).unwrap()["message_id"].as_str().unwrap().to_string();
        let (_, body) = send(&mut s, addr, &admin, hyper::Method::GET, "/api/v3/channels/general", String::new()).await;
        let general = serde_json::from_slice::<Value>(&body).unwrap()["data"]["chat_id"].as_str().unwrap().to_string();
        let click = format!("/api/v3/chats/{general}/messages/{msg}/click");
        let click_body = json!({"button": "ok"}).to_string();
        let (st, body) = send(&mut sender, addr, &admin, hyper::Method::POST, &click, click_body.clone()).await;
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        let stop = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let (mut micros, mut errors) = (Vec::new(), 0u64);
        while Instant::now() < stop {
            let t0 = Instant::now();
            let (st, _) = send(&mut sender, addr, &admin, hyper::Method::POST, &click, click_body.clone()).await;
            if st == 200 { micros.push(t0.elapsed().as_micros() as u64) } else { errors += 1 }
        }
        report("button click, 1 user", micros, started.elapsed().as_secs_f64(), errors);

        // A form of 20 inputs submitted: every value checked, then the submit handler runs
        // (it answers the same form as the next step, so the session stays open).
        let inputs: Vec<Value> = (0..20).map(|i| json!({"type": "text", "name": format!("f{i}"),
            "label": format!("Field {i}"), "placeholder": "value", "mandatory": true,
            "max_length": 100, "min_length": 1})).collect();
        let form = json!({"type": "form", "title": "Survey", "name": "survey",
            "action": {"type": "invoke.function", "name": "Survey"}, "inputs": inputs});
        let script = format!("return {form};");
        let (st, _) = send(&mut s, addr, &admin, hyper::Method::POST, "/api/v3/functions",
            json!({"name": "Survey", "description": "d", "function_type": "form"}).to_string()).await;
        assert_eq!(st, 200);
        let (_, body) = send(&mut s, addr, &admin, hyper::Method::GET, "/api/v3/functions?limit=50", String::new()).await;
        let fns: Value = serde_json::from_slice(&body).unwrap();
        let survey = fns["data"].as_array().unwrap().iter()
            .find(|f| f["name"] == "Survey").unwrap()["id"].as_str().unwrap().to_string();
        for kind in ["form_view_handler", "form_submit_handler"] {
            let (st, body) = send(&mut s, addr, &admin, hyper::Method::POST, &format!("/api/v3/functions/{survey}/handlers"),
                json!({"type": kind, "script": script}).to_string()).await;
            assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        }
        let (st, body) = send(&mut s, addr, &admin, hyper::Method::GET, &format!("/api/v3/functions/{survey}/form"), String::new()).await;
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        let form_id = serde_json::from_slice::<Value>(&body).unwrap()["form_id"].as_str().unwrap().to_string();
        let mut values = serde_json::Map::new();
        for i in 0..20 {
            values.insert(format!("f{i}"), json!(format!("answer {i}")));
        }
        let submit = format!("/api/v3/forms/{form_id}/submit");
        let submit_body = json!({"values": values}).to_string();
        let mut sender = http(addr).await;
        let (st, body) = send(&mut sender, addr, &admin, hyper::Method::POST, &submit, submit_body.clone()).await;
        assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
        let stop = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let (mut micros, mut errors) = (Vec::new(), 0u64);
        while Instant::now() < stop {
            let t0 = Instant::now();
            let (st, _) = send(&mut sender, addr, &admin, hyper::Method::POST, &submit, submit_body.clone()).await;
            if st == 200 { micros.push(t0.elapsed().as_micros() as u64) } else { errors += 1 }
        }
        report("form submit (20 inputs), 1 user", micros, started.elapsed().as_secs_f64(), errors);
    });
    drop(server);
}
