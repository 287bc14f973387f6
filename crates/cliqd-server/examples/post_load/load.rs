//! The load generator: N keep-alive HTTP/1.1 connections on raw hyper, each sending one request
//! after another for a fixed time, recording each request's latency.
//!
//! It runs on a single-threaded runtime of its own, so it costs little CPU per request and does
//! not share worker threads with the server under test.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HOST};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// What each connection sends.
#[derive(Clone)]
pub struct Load {
    pub addr: SocketAddr,
    pub method: hyper::Method,
    /// Connection `c` requests `paths[c % paths.len()]`.
    pub paths: Vec<String>,
    pub token: String,
    /// The expected status of a successful request.
    pub ok_status: u16,
    /// Builds the JSON body of request `i` on connection `c`; `None` sends no body.
    pub body: Option<fn(usize, u64) -> String>,
}

pub struct Outcome {
    pub ok: usize,
    pub errors: u64,
    pub secs: f64,
    /// Latency of every successful request, in microseconds.
    pub micros: Vec<u64>,
}

impl Outcome {
    pub fn per_sec(&self) -> f64 {
        self.ok as f64 / self.secs
    }
}

/// Runs `load` on `connections` connections for `duration`.
pub async fn run(load: &Load, connections: usize, duration: Duration) -> Outcome {
    let stop = Instant::now() + duration;
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for c in 0..connections {
        let load = load.clone();
        set.spawn(async move { connection(&load, c, stop).await });
    }
    let mut out = Outcome {
        ok: 0,
        errors: 0,
        secs: 0.0,
        micros: Vec::new(),
    };
    while let Some(r) = set.join_next().await {
        match r {
            Ok((micros, errors)) => {
                out.micros.extend(micros);
                out.errors += errors;
            }
            Err(_) => out.errors += 1,
        }
    }
    out.secs = started.elapsed().as_secs_f64();
    out.ok = out.micros.len();
    out
}

async fn connection(load: &Load, c: usize, stop: Instant) -> (Vec<u64>, u64) {
    let mut micros = Vec::new();
    let mut errors = 0u64;
    let stream = match tokio::net::TcpStream::connect(load.addr).await {
        Ok(s) => s,
        Err(_) => return (micros, 1),
    };
    let _ = stream.set_nodelay(true);
    let Ok((mut sender, conn)) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await
    else {
        return (micros, 1);
    };
    tokio::spawn(conn);
    let host = load.addr.to_string();
    let path = load.paths[c % load.paths.len()].as_str();
    let auth = format!("Zoho-oauthtoken {}", load.token);
    let mut i = 0u64;
    while Instant::now() < stop {
        i += 1;
        let body = load.body.map(|f| f(c, i)).unwrap_or_default();
        let req = Request::builder()
            .method(load.method.clone())
            .uri(path)
            .header(HOST, host.as_str())
            .header(AUTHORIZATION, auth.as_str())
            .header(CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)));
        let Ok(req) = req else {
            return (micros, errors + 1);
        };
        let t0 = Instant::now();
        if sender.ready().await.is_err() {
            // The connection is gone; count it and stop this connection.
            return (micros, errors + 1);
        }
        match sender.send_request(req).await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let drained = resp.into_body().collect().await.is_ok();
                if status == load.ok_status && drained {
                    micros.push(t0.elapsed().as_micros() as u64);
                } else {
                    errors += 1;
                }
            }
            Err(_) => return (micros, errors + 1),
        }
    }
    (micros, errors)
}

/// CPU time (user + system) in seconds of a process, or of one thread of this process, read
/// from `/proc` (Linux only; `None` elsewhere).
pub fn cpu_secs(stat_path: &str) -> Option<f64> {
    let text = std::fs::read_to_string(stat_path).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of stat(5), so 11 and 12 after the name and state.
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    // Linux reports in USER_HZ, which is 100 on every mainstream configuration.
    Some(ticks / 100.0)
}

/// CPU time of the main thread, where the load generator runs.
pub fn client_cpu() -> Option<f64> {
    cpu_secs(&format!("/proc/self/task/{}/stat", std::process::id()))
}

/// Where the server's CPU time is read: its process, or (in-process) every thread of this
/// process but the main one, which runs the load generator.
pub enum ServerCpu {
    Process(u32),
    AllButMain,
    Unknown,
}

impl ServerCpu {
    pub fn read(&self) -> Option<f64> {
        match self {
            ServerCpu::Process(pid) => cpu_secs(&format!("/proc/{pid}/stat")),
            ServerCpu::AllButMain => {
                let all = cpu_secs("/proc/self/stat")?;
                Some(all - client_cpu()?)
            }
            ServerCpu::Unknown => None,
        }
    }
}

/// The `p` percentile of sorted microseconds, in milliseconds.
pub fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)] as f64 / 1000.0
}

pub fn summary(label: &str, mut micros: Vec<u64>) {
    micros.sort_unstable();
    println!(
        "{label}: n={} p50={:.2} ms p99={:.2} ms max={:.2} ms",
        micros.len(),
        percentile(&micros, 0.50),
        percentile(&micros, 0.99),
        percentile(&micros, 1.0),
    );
}
