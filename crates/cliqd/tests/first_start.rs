//! The first minutes with `cliqd serve`, through the real binary: a start that cannot listen
//! says why once and creates nothing, so the next start is the first and shows the admin token;
//! every later start names the token file; each request gets a log line on stderr, without
//! colours when stderr is not a terminal; with JSON logs the banner is JSON.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn cliqd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cliqd"));
    c.env_remove("CLIQD_DATA")
        .env_remove("CLIQD_DATABASE")
        .env_remove("CLIQD_LOG")
        .env_remove("CLIQD_LOG_FORMAT");
    c
}

/// Starts `cliqd serve` on a free port; returns the child and the banner up to its listening
/// line (the last banner line: `cliqd listening on …`, or the JSON banner).
fn start(dir: &std::path::Path, json: bool) -> (Child, Vec<String>) {
    let mut cmd = cliqd();
    cmd.args(["serve", "--bind", "127.0.0.1:0", "--data"])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if json {
        cmd.env("CLIQD_LOG_FORMAT", "json");
    }
    let mut child = cmd.spawn().expect("spawn cliqd");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut banner = Vec::new();
    loop {
        let line = lines
            .next()
            .expect("cliqd exited before listening")
            .expect("read stdout");
        let last = line.starts_with("cliqd listening on ") || line.contains("\"url\"");
        banner.push(line);
        if last {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    (child, banner)
}

fn stop(mut child: Child) -> String {
    let _ = child.kill();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .unwrap();
    let _ = child.wait();
    stderr
}

fn address(banner: &[String]) -> String {
    let last = banner.last().unwrap();
    match last.strip_prefix("cliqd listening on http://") {
        Some(addr) => addr.to_string(),
        None => {
            let v: serde_json::Value = serde_json::from_str(last).unwrap();
            v["url"]
                .as_str()
                .unwrap()
                .trim_start_matches("http://")
                .to_string()
        }
    }
}

/// A request over a raw socket (no client library needed); returns the status line.
fn get(addr: &str, path: &str, token: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Zoho-oauthtoken {token}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.lines().next().unwrap_or_default().to_string()
}

#[test]
fn a_failed_first_start_leaves_the_token_for_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let out = cliqd()
        .args(["serve", "--bind", &port, "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("the port is in use").count(), 1, "{stderr}");
    assert!(!dir.path().join("admin.token").exists());
    drop(taken);

    let (first, banner) = start(dir.path(), false);
    let text = banner.join("\n");
    assert!(text.contains("Admin token (also in "), "{text}");
    let token = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    assert!(text.contains(token.trim()), "{text}");
    stop(first);

    let (again, banner) = start(dir.path(), false);
    let text = banner.join("\n");
    assert!(text.contains("Admin token: in "), "{text}");
    assert!(text.contains("admin.token"), "{text}");
    stop(again);
}

#[test]
fn requests_are_logged_plainly_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let (child, banner) = start(dir.path(), false);
    let addr = address(&banner);
    let token = std::fs::read_to_string(dir.path().join("admin.token")).unwrap();
    assert!(get(&addr, "/api/v3/bots", token.trim()).contains(" 200 "));
    assert!(get(&addr, "/api/v3/bots", "nope").contains(" 401 "));
    // The log is written after the response; give it a moment.
    let deadline = Instant::now() + Duration::from_millis(300);
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = stop(child);
    assert!(!stderr.contains('\u{1b}'), "colours on a pipe: {stderr}");
    assert!(
        stderr.contains("method=GET route=\"/api/v3/bots\" status=200"),
        "{stderr}"
    );
    assert!(stderr.contains("user=\"admin@zylker.com\""), "{stderr}");
    assert!(
        stderr.contains("status=401") && stderr.contains("reason=\"unknown access token\""),
        "{stderr}"
    );
}

#[test]
fn with_json_logs_the_banner_is_json() {
    let dir = tempfile::tempdir().unwrap();
    let (child, banner) = start(dir.path(), true);
    assert_eq!(banner.len(), 1, "{banner:?}");
    let v: serde_json::Value = serde_json::from_str(&banner[0]).unwrap();
    assert_eq!(v["admin_token_file_state"], "created");
    assert!(
        v["admin_token_file"]
            .as_str()
            .unwrap()
            .ends_with("admin.token")
    );
    assert_eq!(v["demo"]["admin"], "admin@zylker.com");
    let stderr = stop(child);
    for line in stderr.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
    }
}
