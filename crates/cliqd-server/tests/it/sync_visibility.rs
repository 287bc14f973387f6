//! Incremental sync reports in `deleted` only components the caller could see: deletions of
//! others' personal or other teams' components stay private, and narrowing a component's
//! visibility reads, for those who lose sight of it, as a deletion.

use crate::helpers::{Reply, TestApp, spawn};
use serde_json::json;

fn strings(v: &serde_json::Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

fn changed(r: &Reply) -> Vec<String> {
    let mut out: Vec<String> = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

async fn sync_token(app: &TestApp, path: &str, token: &str) -> String {
    let r = app.get(path, token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["sync_token"].as_str().unwrap().to_string()
}

async fn sync(app: &TestApp, path: &str, token: &str, since: &str) -> Reply {
    let r = app.get(&format!("{path}?sync_token={since}"), token).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r
}

#[tokio::test]
async fn deleted_lists_only_components_the_caller_could_see() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let (ts, to, tj) = (
        app.token_for(scott).await,
        app.token_for(olivia).await,
        app.token_for(james).await,
    );
    let ta = app.admin_token.clone();
    let personal = app
        .create_bot_as(
            &ts,
            json!({"name": "Mine", "description": "d", "scope": "personal"}),
        )
        .await;
    let team = app
        .create_bot_as(
            &ts,
            json!({"name": "Eng", "description": "d", "scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    let org = app
        .create_bot_as(
            &ts,
            json!({"name": "All", "description": "d", "scope": "organization"}),
        )
        .await;
    // Functions are always personal to their creator.
    let f = app
        .post(
            "/api/v3/functions",
            &ts,
            json!({"name": "pf", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    let function = f.body["data"]["id"].as_str().unwrap().to_string();

    let mut since = Vec::new();
    for t in [&ts, &to, &tj, &ta] {
        since.push((
            sync_token(&app, "/api/v3/bots", t).await,
            sync_token(&app, "/api/v3/functions", t).await,
        ));
    }
    for id in [&personal, &team, &org] {
        let r = app.delete(&format!("/api/v3/bots/{id}"), &ts).await;
        assert_eq!(r.status, 204, "{}", r.body);
    }
    let r = app
        .delete(&format!("/api/v3/functions/{function}"), &ts)
        .await;
    assert_eq!(r.status, 204, "{}", r.body);

    let mut all = vec![personal.clone(), team.clone(), org.clone()];
    all.sort();
    let mut team_and_org = vec![team.clone(), org.clone()];
    team_and_org.sort();
    let expected: [(&str, Vec<String>, Vec<String>); 4] = [
        ("scott (creator)", all, vec![function.clone()]),
        ("olivia (same team)", team_and_org.clone(), vec![]),
        ("james (other team)", vec![org.clone()], vec![]),
        // The admin is in Engineering; being an organization admin does not show others'
        // personal components in lists, so neither does it report their deletion.
        ("admin", team_and_org.clone(), vec![]),
    ];
    for ((who, bots, functions), (t, (bot_since, fn_since))) in expected
        .into_iter()
        .zip([&ts, &to, &tj, &ta].into_iter().zip(&since))
    {
        let r = sync(&app, "/api/v3/bots", t, bot_since).await;
        assert_eq!(strings(&r.body["deleted"]), bots, "bots deleted for {who}");
        let r = sync(&app, "/api/v3/functions", t, fn_since).await;
        assert_eq!(
            strings(&r.body["deleted"]),
            functions,
            "functions deleted for {who}"
        );
    }
}

#[tokio::test]
async fn narrowing_visibility_reads_as_a_deletion_for_those_who_lose_sight() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let (ts, to, tj) = (
        app.token_for(scott).await,
        app.token_for(olivia).await,
        app.token_for(james).await,
    );
    let bot = app
        .create_bot_as(
            &ts,
            json!({"name": "Shared", "description": "d", "scope": "organization"}),
        )
        .await;
    let s0 = sync_token(&app, "/api/v3/bots", &ts).await;
    let o0 = sync_token(&app, "/api/v3/bots", &to).await;
    let j0 = sync_token(&app, "/api/v3/bots", &tj).await;

    // Organization → the Engineering team: james (Support) loses it, olivia keeps it.
    let r = app
        .patch(
            &format!("/api/v3/bots/{bot}"),
            &ts,
            json!({"scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let s = sync(&app, "/api/v3/bots", &ts, &s0).await;
    assert_eq!(changed(&s), vec![bot.clone()]);
    assert_eq!(strings(&s.body["deleted"]), Vec::<String>::new());
    let o = sync(&app, "/api/v3/bots", &to, &o0).await;
    assert_eq!(changed(&o), vec![bot.clone()]);
    assert_eq!(strings(&o.body["deleted"]), Vec::<String>::new());
    let j = sync(&app, "/api/v3/bots", &tj, &j0).await;
    assert_eq!(changed(&j), Vec::<String>::new());
    assert_eq!(strings(&j.body["deleted"]), vec![bot.clone()]);

    // Team → personal: now olivia loses it too; james hears nothing new.
    let o1 = o.body["sync_token"].as_str().unwrap().to_string();
    let j1 = j.body["sync_token"].as_str().unwrap().to_string();
    let r = app
        .patch(
            &format!("/api/v3/bots/{bot}"),
            &ts,
            json!({"scope": "personal"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let o = sync(&app, "/api/v3/bots", &to, &o1).await;
    assert_eq!(changed(&o), Vec::<String>::new());
    assert_eq!(strings(&o.body["deleted"]), vec![bot.clone()]);
    let j = sync(&app, "/api/v3/bots", &tj, &j1).await;
    assert_eq!(strings(&j.body["deleted"]), Vec::<String>::new());

    // Widened again: it comes back as a change, not as a deletion, even when synced from
    // before the narrowing.
    let r = app
        .patch(
            &format!("/api/v3/bots/{bot}"),
            &ts,
            json!({"scope": "organization"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = sync(&app, "/api/v3/bots", &tj, &j0).await;
    assert_eq!(changed(&j), vec![bot.clone()]);
    assert_eq!(strings(&j.body["deleted"]), Vec::<String>::new());
}
