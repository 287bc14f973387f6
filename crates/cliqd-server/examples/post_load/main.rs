//! Messaging benchmark (not a test): post throughput and latency, and get-messages latency
//! against chats of different sizes.
//!
//! ```text
//! cargo run --release -p cliqd-server --example post_load -- \
//!     [--connections 64] [--seconds 10] [--small 10000] [--big 1000000]
//!     [--url http://HOST:PORT --token T [--server-pid PID]] [--no-baseline]
//! ```
//!
//! Without `--url` it starts a server on a fresh data directory (rate limits off) on a
//! multi-threaded runtime of its own; the load generator (module `load`: raw hyper, one
//! keep-alive HTTP/1.1 connection per task) runs on a single-threaded runtime on the main
//! thread, so both share the machine's cores as two processes would.
//!
//! Phase 1 measures a baseline in the same run: `GET /healthz` (no auth, no store) with the same
//! connections, which is the ceiling of the HTTP stack and the load generator on this machine.
//! Phase 2 posts `{"text": …}` to the `general` channel and prints messages per second,
//! p50/p99/max latency, the ratio to the baseline and the CPU time per post of the server and
//! of the load generator; every 204 is a committed, durable write. Phase 3 (in-process only)
//! seeds two channels with `--small` and `--big` messages through the store API and times
//! get-messages over HTTP: the newest page, a page from a `fromtime` in the middle, and a
//! `next_token` page.

// A benchmark harness, not product code: a failed setup step stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The allocator of the `cliqd` binary, so the figures are the served binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod load;
mod seed;

use load::{ServerCpu, client_cpu, summary};

use serde_json::{Value, json};
use std::time::{Duration, Instant};

struct Args {
    connections: usize,
    seconds: u64,
    small: usize,
    big: usize,
    url: Option<String>,
    token: Option<String>,
    server_pid: Option<u32>,
    baseline: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        connections: 64,
        seconds: 10,
        small: 10_000,
        big: 1_000_000,
        url: None,
        token: None,
        server_pid: None,
        baseline: true,
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
            "--no-baseline" => a.baseline = false,
            "--server-pid" => a.server_pid = Some(val()?.parse().map_err(|e| format!("{e}"))?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

fn post_body(c: usize, i: u64) -> String {
    json!({"text": format!("load {c}/{i}")}).to_string()
}

async fn post_phase(
    addr: std::net::SocketAddr,
    token: &str,
    connections: usize,
    seconds: u64,
    server: ServerCpu,
    with_baseline: bool,
) {
    let duration = Duration::from_secs(seconds);
    let baseline = load::Load {
        addr,
        method: hyper::Method::GET,
        paths: vec!["/healthz".into()],
        token: token.into(),
        ok_status: 200,
        body: None,
    };
    let base = if with_baseline {
        let base = load::run(&baseline, connections, duration).await;
        println!(
            "baseline GET /healthz: {connections} connections, {:.1} s: {} ok, {} errors, {:.0} req/s",
            base.secs,
            base.ok,
            base.errors,
            base.per_sec()
        );
        summary("baseline latency", base.micros.clone());
        Some(base.per_sec())
    } else {
        None
    };
    let posts = load::Load {
        method: hyper::Method::POST,
        paths: vec!["/api/v3/channelsbyname/general/messages".into()],
        ok_status: 204,
        body: Some(post_body),
        ..baseline
    };
    let (s0, c0) = (server.read(), client_cpu());
    let out = load::run(&posts, connections, duration).await;
    let (s1, c1) = (server.read(), client_cpu());
    println!(
        "post: {connections} connections, {:.1} s: {} ok, {} errors, {:.0} msgs/s{}",
        out.secs,
        out.ok,
        out.errors,
        out.per_sec(),
        base.map_or(String::new(), |b| format!(
            " ({:.2}x the baseline)",
            out.per_sec() / b.max(1.0)
        ))
    );
    let n = out.ok.max(1) as f64;
    let per_post = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => format!("{:.0} µs", (b - a) * 1e6 / n),
        _ => "unknown".into(),
    };
    println!(
        "cpu per post: server {}, load generator {}",
        per_post(s0, s1),
        per_post(c0, c1)
    );
    summary("post latency", out.micros);
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

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    if let Some(url) = &args.url {
        let Some(token) = &args.token else {
            eprintln!("error: --url needs --token");
            std::process::exit(2);
        };
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap_or_else(|e| {
                eprintln!("error: --url must be http://IP:PORT ({e})");
                std::process::exit(2);
            });
        let server = args
            .server_pid
            .map_or(ServerCpu::Unknown, ServerCpu::Process);
        client.block_on(post_phase(
            addr,
            token,
            args.connections,
            args.seconds,
            server,
            args.baseline,
        ));
        return;
    }
    // The server gets the multi-threaded runtime `cliqd serve` would have.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let (server, _dir) = seed::start_in_process(&server_rt, |_| {});
    let demo = server.demo.as_ref().expect("demo org");
    let base = format!("http://{}", server.addr);
    let token = demo.admin_token.clone();
    println!(
        "server at {base} (in-process, own runtime); cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    client.block_on(post_phase(
        server.addr,
        &token,
        args.connections,
        args.seconds,
        ServerCpu::AllButMain,
        args.baseline,
    ));

    let store = server.state.store.clone();
    let (org, user) = (demo.org.id, demo.admin.id);
    for (label, n) in [("small", args.small), ("big", args.big)] {
        if n < 100 {
            continue;
        }
        let chat = server_rt.block_on(seed::seed(
            store.clone(),
            org,
            user,
            &format!("bench{label}"),
            n,
        ));
        client.block_on(read_phase(&base, &token, &format!("{n} stored"), &chat));
    }
    let _ = server_rt.block_on(server.shutdown());
}
