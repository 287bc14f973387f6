//! Durability: every post that got a 2xx reply survives `kill -9` of the server.
//!
//! Spawns the real `cliqd serve` binary, posts from several clients at once, kills the process
//! with SIGKILL mid-stream, restarts it on the same data directory and reads everything back.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::start;

use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

async fn read_all(client: &reqwest::Client, base: &str, token: &str, chat: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut url = format!("{base}/api/v2/chats/{chat}/messages?fromtime=0&limit=100");
    loop {
        let r: Value = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let data = r["data"].as_array().expect("data");
        if data.is_empty() {
            return ids;
        }
        ids.extend(data.iter().map(|m| m["id"].as_str().unwrap().to_string()));
        let next = r["next_token"].as_str().unwrap();
        url = format!("{base}/api/v2/chats/{chat}/messages?limit=100&next_token={next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_posts_survive_kill_9() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = start(dir.path());
    let token = std::fs::read_to_string(dir.path().join("admin.token"))
        .unwrap()
        .trim()
        .to_string();
    let client = reqwest::Client::new();
    let general: Value = client
        .get(format!("{base}/api/v3/channels/general"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let chat = general["data"]["chat_id"].as_str().unwrap().to_string();

    let acked = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut clients = Vec::new();
    for c in 0..8 {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        let (acked, count, stop) = (acked.clone(), count.clone(), stop.clone());
        clients.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let sent = client
                    .post(format!("{base}/api/v3/channelsbyname/general/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"text": format!("client {c} message {i}"), "sync_message": true}))
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if !resp.status().is_success() {
                    break;
                }
                let Ok(body) = resp.json::<Value>().await else {
                    break;
                };
                if let Some(id) = body["message_id"].as_str() {
                    acked.lock().unwrap().push(id.to_string());
                    count.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    // Kill mid-stream, once a good number of posts have been acknowledged.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::Relaxed) < 400 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("kill -9");
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 400,
        "only {} posts acknowledged",
        acked.len()
    );

    let (mut child, base) = start(dir.path());
    let stored = read_all(&client, &base, &token, &chat).await;
    child.kill().ok();
    child.wait().ok();
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged posts lost, e.g. {:?}",
        lost.len(),
        acked.len(),
        lost.first()
    );
}
