//! The in-process benchmarks' setup: a server on a fresh data directory, and chats seeded
//! through the store API (not through HTTP: filling a chat with a million messages over HTTP
//! would take most of a run).

use cliqd_server::config::{Config, RateLimitMode};
use cliqd_store::{NewChannel, NewPost, PostTarget, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::Instant;

/// Starts a server (rate limits off) on `rt` with a fresh data directory, which lives as long
/// as the returned guard.
pub fn start_in_process(
    rt: &tokio::runtime::Runtime,
    tweak: impl FnOnce(&mut Config),
) -> (cliqd_server::RunningServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        data_dir: dir.path().to_path_buf(),
        bind: "127.0.0.1:0".parse().expect("addr"),
        rate_limits: RateLimitMode::Off,
        ..Config::default()
    };
    tweak(&mut config);
    let store = cliqd_store_sqlite::SqliteStore::open(dir.path()).expect("store");
    let closer = store.clone();
    let backend = cliqd_server::Backend {
        store: Arc::new(store),
        close: Box::new(move || closer.close()),
    };
    let server = rt
        .block_on(cliqd_server::start(config, backend))
        .expect("server");
    (server, dir)
}

/// A new organization channel created by `user`; its chat id.
pub async fn create_channel(store: &Arc<dyn Store>, org: i64, user: i64, name: &str) -> String {
    store
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
        .expect("channel")
        .chat_id
}

/// Seeds `n` messages into a new channel through the store (many writes in flight, so the
/// writer fills its group-commit batches); returns the channel's chat id.
pub async fn seed(store: Arc<dyn Store>, org: i64, user: i64, name: &str, n: usize) -> String {
    let chat_id = create_channel(&store, org, user, name).await;
    let t0 = Instant::now();
    let mut done = 0;
    while done < n {
        let chunk = (n - done).min(2048);
        let mut set = tokio::task::JoinSet::new();
        for i in 0..chunk {
            let store = store.clone();
            let chat = chat_id.clone();
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
                        mentions: Vec::new(),
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
    chat_id
}
