//! Slow or stuck clients, over a raw socket: a partial request head gets `408` within the
//! header-read timeout, an idle keep-alive connection is closed silently, and a stalled body
//! gets `408` from the body-read timeout.

use crate::helpers::spawn_with;
use cliqd_server::config::RateLimitMode;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn spawn_fast_timeouts() -> crate::helpers::TestApp {
    spawn_with(|c| {
        c.rate_limits = RateLimitMode::Off;
        c.header_read_timeout = Duration::from_millis(500);
        c.body_read_timeout = Duration::from_millis(500);
    })
    .await
}

async fn connect(app: &crate::helpers::TestApp) -> TcpStream {
    let addr = app.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Everything the server sends until it closes the connection (bounded by 10 s).
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")
        .unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn partial_head_gets_408_and_is_closed() {
    let app = spawn_fast_timeouts().await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n")
        .await
        .unwrap();
    let reply = read_to_close(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 408 "), "{reply}");
    assert!(reply.contains("\"code\":\"request_timeout\""), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn idle_keep_alive_is_closed_silently() {
    let app = spawn_fast_timeouts().await;
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let reply = read_to_close(&mut stream).await;
    // One answer to the one request, then the idle connection is closed with nothing more.
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");
    assert!(reply.ends_with("ok"), "{reply}");
    assert!(!reply.contains("408"), "{reply}");
}

#[tokio::test]
async fn silent_connection_is_closed() {
    let app = spawn_fast_timeouts().await;
    let mut stream = connect(&app).await;
    assert_eq!(read_to_close(&mut stream).await, "");
}

#[tokio::test]
async fn stalled_body_gets_408() {
    let app = spawn_fast_timeouts().await;
    let mut stream = connect(&app).await;
    let head = format!(
        "POST /api/v3/bots HTTP/1.1\r\nHost: localhost\r\nAuthorization: Zoho-oauthtoken {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        app.admin_token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let reply = read_to_close(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 408 "), "{reply}");
    assert!(reply.contains("\"code\":\"request_timeout\""), "{reply}");
}

#[tokio::test]
async fn a_prompt_client_is_served_as_before() {
    let app = spawn_fast_timeouts().await;
    let mut stream = connect(&app).await;
    for _ in 0..2 {
        stream
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
            .await
            .unwrap();
        let mut buf = [0u8; 512];
        let n = stream.read(&mut buf).await.unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 "));
    }
}
