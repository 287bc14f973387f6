//! Messaging benchmark (not a test): post throughput and latency, and get-messages latency
//! against chats of different sizes.
//!
//! ```text
//! cargo run --release -p cliqd-server --example post_load -- \
//!     [--connections 64] [--seconds 10] [--small 10000] [--big 1000000] [--url http://HOST:PORT --token T]
//! ```
//!
//! Without `--url` it starts a server in-process on a fresh data directory (rate limits off),
//! so client and server share the machine. Phase 1 posts `{"text": …}` to the `general`
//! channel with N concurrent keep-alive HTTP/1.1 connections (one client and one connection
//! each) and prints messages per second and p50/p99/max latency; every 204 is a committed,
//! durable write. Phase 2 (in-process only) seeds two channels with `--small` and `--big`
//! messages through the store API and times get-messages over HTTP: the newest page, a page
//! from a `fromtime` in the middle, and a `next_token` page.

use cliqd_server::config::{Config, RateLimitMode};
use cliqd_store::{NewChannel, NewPost, PostTarget, Store};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Args {
    connections: usize,
    seconds: u64,
    small: usize,
    big: usize,
    url: Option<String>,
    token: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        connections: 64,
        seconds: 10,
        small: 10_000,
        big: 1_000_000,
        url: None,
        token: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--connections" => a.connections = val()?.parse().map_err(|e| format!("{e}"))?,
            "--seconds" => a.seconds = val()?.parse().map_err(|e| format!("{e}"))?,
            "--small" => a.small = val()?.parse().map_err(|e| format!("{e}"))?,
            "--big" => a.big = val()?.parse().map_err(|e| format!("{e}"))?,
            "--url" => a.url = Some(val()?),
            "--token" => a.token = Some(val()?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)] as f64 / 1000.0
}

fn summary(label: &str, mut micros: Vec<u64>) {
    micros.sort_unstable();
    println!(
        "{label}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        micros.len(),
        percentile(&micros, 0.50),
        percentile(&micros, 0.99),
        percentile(&micros, 1.0),
    );
}

async fn post_phase(base: &str, token: &str, connections: usize, seconds: u64) {
    let stop = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let url = format!("{base}/api/v3/channelsbyname/general/messages");
        let auth = format!("Zoho-oauthtoken {token}");
        tasks.push(tokio::spawn(async move {
            // One client with one pooled connection per task: N keep-alive connections.
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(1)
                .http1_only()
                .build()
                .expect("client");
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut i = 0u64;
            while Instant::now() < stop {
                i += 1;
                let t0 = Instant::now();
                let r = client
                    .post(&url)
                    .header("Authorization", &auth)
                    .json(&json!({"text": format!("load {c}/{i}")}))
                    .send()
                    .await;
                match r {
                    Ok(resp) if resp.status().as_u16() == 204 => {
                        lat.push(t0.elapsed().as_micros() as u64);
                    }
                    _ => errors += 1,
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (lat, e) = t.await.expect("task");
        all.extend(lat);
        errors += e;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "post: {connections} connections, {:.1} s: {} ok, {errors} errors, {:.0} msgs/s",
        secs,
        all.len(),
        all.len() as f64 / secs
    );
    summary("post latency", all);
}

/// Seeds `n` messages into a new channel through the store (many writes in flight, so the
/// writer fills its group-commit batches); returns the channel's chat id.
async fn seed(store: Arc<dyn Store>, org: i64, user: i64, name: &str, n: usize) -> String {
    let channel = store
        .create_channel(NewChannel {
            org_id: org,
            kind: "organization".into(),
            name: name.into(),
            unique_name: name.into(),
            description: String::new(),
            creator_id: user,
            team_ids: vec![],
            members: vec![],
        })
        .await
        .expect("channel");
    let t0 = Instant::now();
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(2048);
        let mut set = tokio::task::JoinSet::new();
        for i in 0..chunk {
            let store = store.clone();
            let chat = channel.chat_id.clone();
            let k = done + i;
            set.spawn(async move {
                store
                    .post_message(NewPost {
                        org_id: org,
                        target: PostTarget::Chat(chat),
                        sender_id: user,
                        bot_id: None,
                        kind: "text".into(),
                        body: json!({"text": format!("seed message {k}")}),
                        reply_to: None,
                        thread_message_id: None,
                        thread_title: None,
                    })
                    .await
            });
        }
        while let Some(r) = set.join_next().await {
            r.expect("join").expect("store").expect("posted");
        }
        done += chunk;
    }
    println!(
        "seeded {n} messages into #{name} in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    channel.chat_id
}

async fn read_phase(base: &str, token: &str, label: &str, chat: &str) {
    let client = reqwest::Client::new();
    let auth = format!("Zoho-oauthtoken {token}");
    let get = |url: String| {
        let client = client.clone();
        let auth = auth.clone();
        async move {
            let t0 = Instant::now();
            let v: Value = client
                .get(url)
                .header("Authorization", auth)
                .send()
                .await
                .expect("get")
                .json()
                .await
                .expect("json");
            (t0.elapsed().as_micros() as u64, v)
        }
    };
    let (_, newest) = get(format!("{base}/api/v2/chats/{chat}/messages?limit=50")).await;
    let data = newest["data"].as_array().expect("data");
    assert_eq!(data.len(), 50);
    let oldest: Value = get(format!(
        "{base}/api/v2/chats/{chat}/messages?fromtime=0&limit=1"
    ))
    .await
    .1;
    let t_first = oldest["data"][0]["time"].as_i64().unwrap_or(0);
    let t_last = data[49]["time"].as_i64().unwrap_or(0);
    let middle = t_first + (t_last - t_first) / 2;
    let token_mid = oldest["next_token"].as_str().unwrap_or("").to_string();
    for (what, url) in [
        (
            "newest 50",
            format!("{base}/api/v2/chats/{chat}/messages?limit=50"),
        ),
        (
            "fromtime middle, 50",
            format!("{base}/api/v2/chats/{chat}/messages?fromtime={middle}&limit=50"),
        ),
        (
            "next_token, 50",
            format!("{base}/api/v2/chats/{chat}/messages?next_token={token_mid}&limit=50"),
        ),
    ] {
        let mut lat = Vec::new();
        for _ in 0..300 {
            lat.push(get(url.clone()).await.0);
        }
        summary(&format!("get messages [{label}] {what}"), lat);
    }
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let Some(url) = &args.url {
        let Some(token) = &args.token else {
            eprintln!("error: --url needs --token");
            std::process::exit(2);
        };
        post_phase(url, token, args.connections, args.seconds).await;
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        rate_limits: RateLimitMode::Off,
        ..Config::default()
    };
    let server = cliqd_server::start(config).await.expect("server");
    let demo = server.demo.as_ref().expect("demo org");
    let base = format!("http://{}", server.addr);
    let token = demo.admin_token.clone();
    println!(
        "in-process server at {base}; cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    post_phase(&base, &token, args.connections, args.seconds).await;

    let store = server.state.store.clone();
    let (org, user) = (demo.org.id, demo.admin.id);
    for (label, n) in [("small", args.small), ("big", args.big)] {
        if n < 100 {
            continue;
        }
        let chat = seed(store.clone(), org, user, &format!("bench{label}"), n).await;
        read_phase(&base, &token, &format!("{n} stored"), &chat).await;
    }
    let _ = server.shutdown().await;
}
