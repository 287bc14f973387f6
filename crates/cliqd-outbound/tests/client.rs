//! The outbound client against a real HTTP server on 127.0.0.1.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use cliqd_outbound::{OutboundClient, OutboundConfig, OutboundError, OutboundRequest};

async fn serve() -> String {
    let app = Router::new()
        .route("/hello", get(|| async { "hello" }))
        .route("/echo", post(|body: String| async move { body }))
        .route("/big", get(|| async { "x".repeat(10_000) }))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
        .route(
            "/redirect",
            get(|| async { axum::response::Redirect::temporary("http://127.0.0.1:1/hello") }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn get_req(url: String) -> OutboundRequest {
    OutboundRequest {
        method: "get".into(),
        url,
        ..Default::default()
    }
}

fn client(allow_private: bool) -> OutboundClient {
    OutboundClient::new(OutboundConfig {
        allow_private,
        timeout: Duration::from_millis(500),
        max_response_bytes: 1000,
        ..Default::default()
    })
    .unwrap()
}

#[tokio::test]
async fn loopback_is_refused_unless_allowed() {
    let base = serve().await;
    let err = client(false)
        .execute(get_req(format!("{base}/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Forbidden(_)), "{err}");

    let port = base.rsplit(':').next().unwrap();
    let err = client(false)
        .execute(get_req(format!("http://localhost:{port}/hello")))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Forbidden(_)), "{err}");

    let ok = client(true)
        .execute(get_req(format!("{base}/hello")))
        .await
        .unwrap();
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, b"hello");
}

#[tokio::test]
async fn sends_method_headers_and_body() {
    let base = serve().await;
    let response = client(true)
        .execute(OutboundRequest {
            method: "POST".into(),
            url: format!("{base}/echo"),
            headers: vec![("content-type".into(), "text/plain".into())],
            body: Some(b"ping".to_vec()),
        })
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, b"ping");
    assert!(response.header("Content-Length").is_some());
}

#[tokio::test]
async fn caps_response_size_and_time() {
    let base = serve().await;
    let err = client(true)
        .execute(get_req(format!("{base}/big")))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::TooLarge(1000)), "{err}");

    let err = client(true)
        .execute(get_req(format!("{base}/slow")))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Timeout), "{err}");
}

#[tokio::test]
async fn rejects_bad_urls() {
    for url in ["not a url", "ftp://example.com/x", "file:///etc/passwd"] {
        let err = client(true).execute(get_req(url.into())).await.unwrap_err();
        assert!(matches!(err, OutboundError::InvalidUrl(_)), "{url}: {err}");
    }
}

#[tokio::test]
async fn failures_say_why() {
    // Refused: the message names the flag that allows it.
    let err = client(false)
        .execute(get_req("http://127.0.0.1:9/x".to_string()))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--allow-private-network"), "{err}");
    // A closed port: the message says the connection failed, not only "error sending request".
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let err = client(true)
        .execute(get_req(format!("http://127.0.0.1:{port}/x")))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("cannot connect"), "{text}");
    assert!(text.to_lowercase().contains("refused"), "{text}");
}

#[tokio::test]
async fn reads_a_websocket_greeting() {
    use axum::extract::ws::{Message, WebSocketUpgrade};
    let app = Router::new().route(
        "/ws",
        get(
            |ws: WebSocketUpgrade, headers: axum::http::HeaderMap| async move {
                let who = headers
                    .get("x-who")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                ws.on_upgrade(move |mut socket| async move {
                    let _ = socket.send(Message::Ping(vec![1].into())).await;
                    let _ = socket.send(Message::text(format!("hello {who}"))).await;
                })
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let headers = vec![("X-Who".to_string(), "scott".to_string())];
    let text = client(true)
        .websocket_first_text(&format!("http://{addr}/ws"), &headers)
        .await
        .unwrap();
    assert_eq!(text, "hello scott");
    let err = client(false)
        .websocket_first_text(&format!("http://{addr}/ws"), &headers)
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Forbidden(_)), "{err}");
    // Not a WebSocket endpoint: the handshake is refused.
    let err = client(true)
        .websocket_first_text(&format!("http://{addr}/nope"), &[])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
}
