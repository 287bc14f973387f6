//! Webhook benchmark (not a test): deliveries per second to a local receiver that answers at
//! once, and cliqd's own overhead per delivery.
//!
//! ```text
//! cargo run --release -p cliqd-server --example webhook_load -- [--concurrency 64] [--seconds 10]
//! ```
//!
//! Starts a server on a fresh data directory (rate limits off, private targets allowed) and a
//! receiver (`{"output": ""}` at once) on runtimes of their own; `--concurrency` clients run
//! a webhook bot's menu action (`POST /api/v3/bots/{bot}/actions/{id}`: a synchronous
//! trigger, one delivery each, no retries) in a loop. Prints:
//!
//! - deliveries per second and the menu action's round trip, p50/p99;
//! - cliqd's overhead per delivery: the run's duration minus the receiver round trip the
//!   journal recorded for its attempt (envelope, `response_url` token, both signatures,
//!   reading the answer), p50/p99 over the journal's newest records;
//! - the RSA-SHA256 signature of one envelope-sized body alone, p50/p99.

// A benchmark harness, not product code: a failed setup step stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The allocator of the `cliqd` binary, so the figures are the served binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cliqd_server::config::{Config, RateLimitMode};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(|a, b| a.total_cmp(b));
    println!(
        "{label:<44} p50 {:>8.3} ms  p99 {:>8.3} ms  (n={})",
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.len()
    );
}

fn main() {
    let concurrency = arg("--concurrency", 64) as usize;
    let seconds = arg("--seconds", 10);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().unwrap(),
        rate_limits: RateLimitMode::Off,
        allow_private_network: true,
        ..Config::default()
    };
    let store = cliqd_store_sqlite::SqliteStore::open(dir.path()).unwrap();
    let closer = store.clone();
    let backend = cliqd_server::Backend {
        store: Arc::new(store),
        close: Box::new(move || closer.close()),
    };
    let server = server_rt
        .block_on(cliqd_server::start(config, backend))
        .unwrap();
    let demo = server.demo.as_ref().unwrap();
    let (admin, org_id) = (demo.admin_token.clone(), demo.org.id);
    let base = format!("http://{}", server.addr);
    let store = server.state.store.clone();
    // The receiver, on the server's runtime.
    let receiver = server_rt.block_on(async {
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(|| async { axum::Json(json!({"output": ""})) }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}/hook")
    });
    println!(
        "server at {base}, receiver at {receiver}; cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );

    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    client_rt.block_on(async move {
        let http = reqwest::Client::new();
        let post = move |path: String, body: Value| {
            let http = http.clone();
            let url = format!("{base}{path}");
            let admin = admin.clone();
            async move {
                let r = http
                    .post(url)
                    .header("Authorization", format!("Zoho-oauthtoken {admin}"))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (st, bot) = post(
            "/api/v3/bots".into(),
            json!({"name": "Hook", "description": "d", "scope": "organization",
                   "execution_type": "webhook", "execution_url": receiver}),
        )
        .await;
        assert_eq!(st, 200, "{bot}");
        let bot_id = bot["data"]["id"].as_str().unwrap().to_string();
        let unique = bot["data"]["unique_name"].as_str().unwrap().to_string();
        let (st, menu) = post(
            format!("/api/v3/bots/b-{bot_id}/handlers"),
            json!({"type": "menu_handler", "name": "Ping", "permissions": ["user", "chat"]}),
        )
        .await;
        assert_eq!(st, 200, "{menu}");
        let (st, sub) = post(format!("/api/v3/bots/{unique}/subscribe"), json!({})).await;
        assert_eq!(st, 200, "{sub}");
        let chat = sub["chat_id"].as_str().unwrap().to_string();
        let action = format!(
            "/api/v3/bots/b-{bot_id}/actions/{}",
            menu["data"]["id"].as_str().unwrap()
        );
        // Warm up (the organization's key pair is made on first use).
        let (st, first) = post(action.clone(), json!({"chat_id": chat})).await;
        assert_eq!(first["outcome"], "success", "{st} {first}");

        let latencies = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(0u64));
        let end = Instant::now() + Duration::from_secs(seconds);
        let began = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..concurrency {
            let (post, action, chat) = (post.clone(), action.clone(), chat.clone());
            let (latencies, errors) = (latencies.clone(), errors.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < end {
                    let t = Instant::now();
                    let (_, r) = post(action.clone(), json!({"chat_id": chat})).await;
                    if r["outcome"] == "success" {
                        latencies
                            .lock()
                            .unwrap()
                            .push(t.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        *errors.lock().unwrap() += 1;
                    }
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let secs = began.elapsed().as_secs_f64();
        let latencies = latencies.lock().unwrap().clone();
        println!(
            "deliveries at {concurrency} concurrent triggers: {:.0}/s (errors {})",
            latencies.len() as f64 / secs,
            errors.lock().unwrap()
        );
        report("menu action round trip", latencies);

        let records = store
            .executions(cliqd_store::ExecutionQuery {
                org_id,
                limit: 2000,
                ..Default::default()
            })
            .await
            .unwrap();
        let overhead: Vec<f64> = records
            .iter()
            .filter_map(|r| {
                let e = &r.execution;
                let leg = e.detail["attempts"][0]["latency_ms"].as_f64()?;
                Some(e.duration_us as f64 / 1000.0 - leg)
            })
            .collect();
        report("cliqd overhead per delivery (in the run)", overhead);

        let keys = cliqd_runtime::signing::Keys::new(store.clone());
        let key = keys.org_key(org_id).await.unwrap();
        let body = records
            .first()
            .map(|r| r.execution.detail["webhook"]["envelope"].to_string())
            .unwrap_or_default();
        let mut signs = Vec::new();
        for _ in 0..1000 {
            let t = Instant::now();
            std::hint::black_box(key.sign(body.as_bytes()));
            signs.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        report(
            &format!("RSA-SHA256 signature alone ({} B body)", body.len()),
            signs,
        );
    });
}
