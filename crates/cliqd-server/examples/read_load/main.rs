//! Read benchmark (not a test): the hot reads of a chat server against a `/healthz` baseline
//! and the post rate, all measured in one run.
//!
//! ```text
//! cargo build --release -p cliqd-server --example read_load
//! ./target/release/examples/read_load [--connections 64] [--seconds 5] [--small 10000]
//!     [--big 1000000] [--chats 64] [--page-cache-bytes N]
//! ```
//!
//! It starts a server on a fresh data directory (rate limits off) on a multi-threaded runtime
//! of its own; the load generator (`post_load`'s `load` module: raw hyper, one keep-alive
//! HTTP/1.1 connection per task) runs on a single-threaded runtime on the main thread, so the
//! two share the machine's cores as two processes would. Every line prints requests per
//! second, its ratio to the `/healthz` rate at the same number of connections, p50 and p99
//! latency, and the CPU time per request of the server (every thread of the process but the
//! main one) and of the load generator (the main thread).
//!
//! Phases, in order:
//! 1. baseline: `GET /healthz` at 1 and at `--connections` connections;
//! 2. posts (`POST /api/v3/channelsbyname/{name}/messages`, each a committed write) into one
//!    channel, then spread over `--chats` channels (connection `c` posts into channel
//!    `c % chats`);
//! 3. two channels are seeded through the store API with `--small` and `--big` messages, then
//!    the newest 50 messages of each are read at 1 and at `--connections` connections, then
//!    at one connection fewer while that one posts into the chat (the newest page changes
//!    all the time: the server's kept page is stale at most reads; its CPU per request counts
//!    the posts too);
//! 4. the other hot reads at `--connections`: retrieve one message, its reactions, the chats
//!    and channels lists, a thread's messages and a search.

// A benchmark harness, not product code: a failed setup step stops the run with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

/// The allocator of the `cliqd` binary, so the figures are the served binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

// Shared with post_load, which uses all of it.
#[allow(dead_code)]
#[path = "../post_load/load.rs"]
mod load;
#[path = "../post_load/seed.rs"]
mod seed;

use cliqd_store::{NewPost, PostTarget};
use hyper::Method;
use load::{Load, ServerCpu, client_cpu, percentile};
use serde_json::json;
use std::net::SocketAddr;
use std::time::Duration;

struct Args {
    connections: usize,
    seconds: u64,
    small: usize,
    big: usize,
    chats: usize,
    /// The server's `page_cache_bytes` (its default when not given; 0 keeps no page).
    page_cache_bytes: Option<usize>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        connections: 64,
        seconds: 5,
        small: 10_000,
        big: 1_000_000,
        chats: 64,
        page_cache_bytes: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut val = || -> Result<usize, String> {
            it.next()
                .ok_or(format!("{flag} needs a value"))?
                .parse()
                .map_err(|e| format!("{flag}: {e}"))
        };
        match flag.as_str() {
            "--connections" => a.connections = val()?,
            "--seconds" => a.seconds = val()? as u64,
            "--small" => a.small = val()?,
            "--big" => a.big = val()?,
            "--chats" => a.chats = val()?.max(1),
            "--page-cache-bytes" => a.page_cache_bytes = Some(val()?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(a)
}

/// The server under test and the baseline every line is compared with.
struct Bench {
    addr: SocketAddr,
    token: String,
    duration: Duration,
    /// `/healthz` rate by number of connections, measured first.
    baseline: Vec<(usize, f64)>,
}

impl Bench {
    fn load(&self, method: hyper::Method, paths: Vec<String>, ok_status: u16) -> Load {
        Load {
            addr: self.addr,
            method,
            paths,
            token: self.token.clone(),
            ok_status,
            body: None,
        }
    }

    /// Runs `load` on `connections` connections, prints its line, returns requests per second.
    async fn measure(&self, label: &str, load: &Load, connections: usize) -> f64 {
        self.measure_beside(label, load, connections, None).await
    }

    /// [`Self::measure`], with `beside` running on one more connection at the same time (its
    /// requests are not in the line; the server's CPU per request counts all of them).
    async fn measure_beside(
        &self,
        label: &str,
        load: &Load,
        connections: usize,
        beside: Option<&Load>,
    ) -> f64 {
        let server = ServerCpu::AllButMain;
        let (s0, c0) = (server.read(), client_cpu());
        let (mut out, other) = match beside {
            None => (load::run(load, connections, self.duration).await, None),
            Some(b) => {
                let (a, b) = tokio::join!(
                    load::run(load, connections, self.duration),
                    load::run(b, 1, self.duration)
                );
                (a, Some(b))
            }
        };
        let (s1, c1) = (server.read(), client_cpu());
        let rate = out.per_sec();
        // With a load beside, the line's ratio is to `/healthz` at as many connections as run.
        let ratio = self
            .baseline
            .iter()
            .find(|(n, _)| *n == connections + usize::from(other.is_some()))
            .map_or(String::new(), |(_, b)| {
                format!(" ({:>5.1}% of healthz)", rate * 100.0 / b.max(1.0))
            });
        let requests = out.ok + other.as_ref().map_or(0, |o| o.ok);
        let per_req = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => format!("{:>4.0} µs", (b - a) * 1e6 / requests.max(1) as f64),
            _ => "unknown".into(),
        };
        let (cpu, client) = (per_req(s0, s1), per_req(c0, c1));
        let beside = other.map_or(String::new(), |o| {
            format!("  beside it {:.0}/s", o.per_sec())
        });
        out.micros.sort_unstable();
        println!(
            "{label:<40} {connections:>2} conns {rate:>6.0}/s{ratio}  p50 {:>5.2} ms  p99 {:>6.2} ms  cpu/req server {cpu} load gen {client}  errors {}{beside}",
            percentile(&out.micros, 0.5),
            percentile(&out.micros, 0.99),
            out.errors,
        );
        rate
    }
}

fn post_body(c: usize, i: u64) -> String {
    json!({"text": format!("load {c}/{i}")}).to_string()
}

fn new_post(org: i64, user: i64, target: PostTarget, text: String) -> NewPost {
    NewPost {
        org_id: org,
        target,
        sender_id: user,
        bot_id: None,
        kind: "text".into(),
        body: json!({ "text": text }),
        reply_to: None,
        thread_message_id: None,
        thread_title: None,
        mentions: Vec::new(),
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
    let client = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    // The server gets the multi-threaded runtime `cliqd serve` would have.
    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("server runtime");
    let (server, _dir) = seed::start_in_process(&server_rt, |c| {
        if let Some(bytes) = args.page_cache_bytes {
            c.page_cache_bytes = bytes;
        }
    });
    let demo = server.demo.as_ref().expect("demo org");
    let store = server.state.store.clone();
    let (org, user) = (demo.org.id, demo.admin.id);
    println!(
        "server at http://{} (in-process, own runtime); cores: {}",
        server.addr,
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let conns = args.connections;
    let mut bench = Bench {
        addr: server.addr,
        token: demo.admin_token.clone(),
        duration: Duration::from_secs(args.seconds),
        baseline: Vec::new(),
    };
    // 1. The ceiling of the HTTP stack and the load generator.
    let healthz = bench.load(Method::GET, vec!["/healthz".into()], 200);
    for n in [1, conns] {
        let rate = client.block_on(bench.measure("GET /healthz (baseline)", &healthz, n));
        bench.baseline.push((n, rate));
    }

    // 2. Posts into one channel, then spread over `--chats` channels.
    let spread: Vec<String> = (0..args.chats).map(|i| format!("spread{i}")).collect();
    server_rt.block_on(async {
        for name in &spread {
            seed::create_channel(&store, org, user, name).await;
        }
    });
    let mut post = bench.load(
        Method::POST,
        vec!["/api/v3/channelsbyname/general/messages".into()],
        204,
    );
    post.body = Some(post_body);
    let one = client.block_on(bench.measure("post, one channel", &post, conns));
    post.paths = spread
        .iter()
        .map(|n| format!("/api/v3/channelsbyname/{n}/messages"))
        .collect();
    let many = client.block_on(bench.measure(
        &format!("post, spread over {} channels", args.chats),
        &post,
        conns,
    ));
    println!(
        "posts spread over {} channels: {:.0}% of the one-channel rate",
        args.chats,
        many * 100.0 / one.max(1.0)
    );

    // 3. Newest 50 of a chat, by the chat's size.
    let mut small_chat = None;
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
        let newest = bench.load(
            Method::GET,
            vec![format!("/api/v2/chats/{chat}/messages?limit=50")],
            200,
        );
        for c in [1, conns] {
            client.block_on(bench.measure(&format!("get messages, newest 50 of {n}"), &newest, c));
        }
        // The page changes all the time: one more connection posts into the chat.
        let mut posting = bench.load(
            Method::POST,
            vec![format!("/api/v3/chats/{chat}/messages")],
            204,
        );
        posting.body = Some(post_body);
        client.block_on(bench.measure_beside(
            "  the same, 1 conn posting into it",
            &newest,
            conns - 1,
            Some(&posting),
        ));
        small_chat.get_or_insert(chat);
    }

    // 4. The other hot reads, on the first seeded chat.
    let Some(chat) = small_chat else {
        let _ = server_rt.block_on(server.shutdown());
        return;
    };
    let (message_id, thread_id) = server_rt.block_on(async {
        let general = store
            .channel_by_unique_name(org, "general")
            .await
            .expect("general");
        let users: Vec<i64> = store
            .chat_members(&general.chat_id)
            .await
            .expect("members")
            .iter()
            .map(|u| u.id)
            .collect();
        store
            .add_chat_members(&chat, users.clone())
            .await
            .expect("members");
        let parent = store
            .post_message(new_post(
                org,
                user,
                PostTarget::Chat(chat.clone()),
                "a message with reactions and a thread".into(),
            ))
            .await
            .expect("store")
            .expect("posted");
        for (i, u) in users.iter().enumerate() {
            for emoji in [":thumbsup:", ":smile:", ":tada:"].iter().take(1 + i % 3) {
                store
                    .add_reaction(&chat, &parent.id, emoji, *u)
                    .await
                    .expect("reaction");
            }
        }
        let mut first = new_post(org, user, PostTarget::Chat(chat.clone()), "reply 0".into());
        first.thread_message_id = Some(parent.id.clone());
        let reply = store
            .post_message(first)
            .await
            .expect("store")
            .expect("posted");
        for i in 1..60 {
            store
                .post_message(new_post(
                    org,
                    user,
                    PostTarget::Chat(reply.chat_id.clone()),
                    format!("reply {i}"),
                ))
                .await
                .expect("store")
                .expect("posted");
        }
        (parent.id, reply.chat_id)
    });
    let reads = [
        (
            "retrieve one message",
            format!("/api/v2/chats/{chat}/messages/{message_id}"),
        ),
        (
            "reactions of a message",
            format!("/api/v2/chats/{chat}/messages/{message_id}/reactions"),
        ),
        (
            "thread messages, newest 50",
            format!("/api/v2/chats/{thread_id}/messages?limit=50"),
        ),
        ("chats list", "/api/v3/chats".to_string()),
        ("channels list", "/api/v3/channels".to_string()),
        (
            "search (one hit)",
            "/api/v3/messages/search?query=4242".to_string(),
        ),
    ];
    for (label, path) in reads {
        let load = bench.load(Method::GET, vec![path], 200);
        client.block_on(bench.measure(label, &load, conns));
    }
    let _ = server_rt.block_on(server.shutdown());
}
