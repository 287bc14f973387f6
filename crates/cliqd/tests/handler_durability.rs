//! Handler durability: every post a server acknowledged into a bot chat gets exactly one bot
//! reply, even when the server is killed with `kill -9` mid-stream and restarted.
//!
//! Spawns the real `cliqd serve` binary; eight users post into their bot chats at once; the
//! process is killed once several hundred posts are acknowledged; after a restart on the same
//! data directory the pending triggers run and every chat is read back.

// Test code: a failed step stops the test with its message. clippy.toml allows unwrap and expect
// in #[test] functions; the helpers of this test crate are test code too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::start;

use serde_json::{Value, json};
use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// Runs an admin command of the binary; answers its standard output.
fn admin(dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cliqd"))
        .args(args)
        .arg("--data")
        .arg(dir)
        .output()
        .expect("run cliqd");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

async fn texts(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    chat: &str,
) -> Vec<(bool, String)> {
    let mut out = Vec::new();
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
            return out;
        }
        out.extend(data.iter().map(|m| {
            (
                m["sender"]["type"] == "bot",
                m["content"]["text"].as_str().unwrap_or("").to_string(),
            )
        }));
        let next = r["next_token"].as_str().unwrap();
        url = format!("{base}/api/v2/chats/{chat}/messages?limit=100&next_token={next}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_acknowledged_post_gets_exactly_one_reply_across_kill_9() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let (mut child, base) = start(dir.path());
    let admin_token = std::fs::read_to_string(dir.path().join("admin.token"))
        .unwrap()
        .trim()
        .to_string();
    let client = reqwest::Client::new();
    let bot: Value = client
        .post(format!("{base}/api/v3/bots"))
        .bearer_auth(&admin_token)
        .json(&json!({"name": "Echo", "description": "d", "scope": "organization"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bot_id = bot["data"]["id"].as_str().unwrap().to_string();
    let r = client
        .post(format!("{base}/api/v3/bots/b-{bot_id}/handlers"))
        .bearer_auth(&admin_token)
        .json(
            &json!({"type": "message_handler", "script": "return {\"text\": \"re:\" + message};"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Eight users, each with a token and a bot chat.
    let mut users = Vec::new();
    for i in 0..8 {
        let email = format!("user{i}@zylker.com");
        admin(
            dir.path(),
            &[
                "users",
                "add",
                "--email",
                &email,
                "--name",
                &format!("User {i}"),
            ],
        );
        let token = admin(
            dir.path(),
            &["token", "create", "--user", &email, "--scopes", "all"],
        );
        let sub: Value = client
            .post(format!("{base}/api/v3/bots/b-{bot_id}/subscribe"))
            .bearer_auth(&token)
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let chat = sub["chat_id"].as_str().expect("chat_id").to_string();
        users.push((token, chat));
    }

    let acked = Arc::new(std::sync::Mutex::new(Vec::<(usize, String)>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (u, (token, chat)) in users.iter().cloned().enumerate() {
        let (client, base) = (client.clone(), base.clone());
        let (acked, count, stop) = (acked.clone(), count.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                i += 1;
                let text = format!("u{u} m{i}");
                let sent = client
                    .post(format!("{base}/api/v3/chats/{chat}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"text": text, "sync_message": true}))
                    .send()
                    .await;
                let Ok(resp) = sent else { break };
                if !resp.status().is_success() {
                    break;
                }
                acked.lock().unwrap().push((u, text));
                count.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::Relaxed) < 400 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    child.kill().expect("kill -9");
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 400,
        "only {} posts acknowledged",
        acked.len()
    );

    // After the restart the pending triggers run; wait until every acknowledged post has its
    // reply, then check that none has two.
    let (mut child, base) = start(dir.path());
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    let (missing, doubled) = loop {
        let mut replies: HashMap<String, usize> = HashMap::new();
        for (token, chat) in &users {
            for (from_bot, text) in texts(&client, &base, token, chat).await {
                if from_bot {
                    *replies.entry(text).or_default() += 1;
                }
            }
        }
        let missing: Vec<&(usize, String)> = acked
            .iter()
            .filter(|(_, t)| !replies.contains_key(&format!("re:{t}")))
            .collect();
        let doubled: Vec<(String, usize)> = replies.into_iter().filter(|(_, n)| *n > 1).collect();
        if missing.is_empty() || std::time::Instant::now() > deadline {
            break (missing.len(), doubled);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    child.kill().ok();
    child.wait().ok();
    assert_eq!(
        missing,
        0,
        "{missing} of {} acknowledged posts got no reply",
        acked.len()
    );
    assert!(doubled.is_empty(), "replies posted twice: {doubled:?}");
}
