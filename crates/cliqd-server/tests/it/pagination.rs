//! Pagination and incremental sync, including under concurrent changes.

use crate::helpers::{Reply, spawn};
use serde_json::json;
use std::collections::HashSet;

fn ids(r: &Reply) -> Vec<String> {
    r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn pages_without_skips_or_repeats_under_changes() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let mut created = Vec::new();
    for i in 0..25 {
        created.push(app.create_bot(&format!("Bot {i:02}")).await);
    }
    let first = app.get("/api/v3/bots", &t).await;
    assert_eq!(ids(&first).len(), 20, "default limit is 20");
    let max = app.get("/api/v3/bots?limit=50", &t).await;
    assert_eq!(ids(&max).len(), 25, "the maximum limit is 50");
    for bad in [
        "limit=0",
        "limit=abc",
        "limit=500",
        "next_token=xyz",
        "sync_token=%%%",
    ] {
        assert_eq!(
            app.get(&format!("/api/v3/bots?{bad}"), &t).await.code(),
            "invalid_inputs",
            "{bad}"
        );
    }

    let p1 = app.get("/api/v3/bots?limit=10", &t).await;
    let page1 = ids(&p1);
    assert_eq!(page1, created[..10].to_vec());
    let sync_token = p1.body["sync_token"].as_str().unwrap().to_string();
    // Between pages: delete one item already seen and one not yet seen, create two more.
    assert_eq!(
        app.delete(&format!("/api/v3/bots/{}", created[3]), &t)
            .await
            .status,
        204
    );
    assert_eq!(
        app.delete(&format!("/api/v3/bots/{}", created[15]), &t)
            .await
            .status,
        204
    );
    let late1 = app.create_bot("Late 1").await;
    let late2 = app.create_bot("Late 2").await;
    let mut seen: Vec<String> = page1.clone();
    let mut token = p1.body["next_token"].as_str().map(str::to_string);
    while let Some(tok) = token {
        let r = app
            .get(&format!("/api/v3/bots?limit=10&next_token={tok}"), &t)
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        seen.extend(ids(&r));
        token = r.body["next_token"].as_str().map(str::to_string);
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no repeats");
    for id in created
        .iter()
        .filter(|id| **id != created[3] && **id != created[15])
    {
        assert!(seen.contains(id), "no skips: {id}");
    }
    assert!(!seen.contains(&created[15]), "deleted before its page");
    assert!(
        seen.contains(&late1) && seen.contains(&late2),
        "created items appear at the end"
    );

    // Incremental sync from the first page's token: the changes made while paging.
    app.patch(
        &format!("/api/v3/bots/{}", created[0]),
        &t,
        json!({"description": "changed"}),
    )
    .await;
    let s = app
        .get(&format!("/api/v3/bots?sync_token={sync_token}"), &t)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    let mut changed = ids(&s);
    changed.sort();
    let mut expected = vec![late1.clone(), late2.clone(), created[0].clone()];
    expected.sort();
    assert_eq!(changed, expected);
    let mut deleted: Vec<String> = s.body["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    deleted.sort();
    assert_eq!(deleted, vec![created[3].clone(), created[15].clone()]);
    // Nothing new since: an empty sync, with a fresh token.
    let s2 = app
        .get(
            &format!(
                "/api/v3/bots?sync_token={}",
                s.body["sync_token"].as_str().unwrap()
            ),
            &t,
        )
        .await;
    assert_eq!(ids(&s2), Vec::<String>::new());
    assert_eq!(s2.body["deleted"], json!([]));
}

#[tokio::test]
async fn sync_pages_through_many_changes() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let start = app.get("/api/v3/bots", &t).await.body["sync_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut created = Vec::new();
    for i in 0..7 {
        created.push(app.create_bot(&format!("S{i}")).await);
    }
    let mut got = Vec::new();
    let mut tok = start;
    loop {
        let r = app
            .get(&format!("/api/v3/bots?limit=3&sync_token={tok}"), &t)
            .await;
        got.extend(ids(&r));
        tok = r.body["sync_token"].as_str().unwrap().to_string();
        if r.body.get("next_token").is_none() {
            break;
        }
    }
    assert_eq!(got, created);
}

#[tokio::test]
async fn concurrent_writers_and_readers() {
    let app = std::sync::Arc::new(spawn().await);
    let mut tasks = Vec::new();
    for w in 0..4 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..10 {
                app.create_bot(&format!("W{w} B{i}")).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let q = token
            .as_ref()
            .map(|t| format!("&next_token={t}"))
            .unwrap_or_default();
        let r = app
            .get(&format!("/api/v3/bots?limit=7{q}"), &app.admin_token)
            .await;
        all.extend(ids(&r));
        token = r.body["next_token"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(all.len(), 40);
    assert_eq!(all.iter().collect::<HashSet<_>>().len(), 40);
}
