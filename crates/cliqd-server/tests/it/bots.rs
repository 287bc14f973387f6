//! Bots: success paths, validation codes, visibility, permissions and cross-org isolation.

use crate::helpers::spawn;
use serde_json::json;

#[tokio::test]
async fn bot_lifecycle() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Support Bot", "description": "Handles support", "scope": "organization",
                   "status_messages": ["Here to help"], "channel_participation": ["listen_message", "send_message"],
                   "calls": "enable"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["url"], "/api/v3/bots");
    assert_eq!(r.body["type"], "bot");
    let d = &r.body["data"];
    assert_eq!(d["unique_name"], "supportbot");
    assert_eq!(d["calls"], "enabled");
    assert_eq!(d["handlers"], json!([]));
    assert_eq!(d["execution_type"], "deluge");
    assert_eq!(d["creator"]["id"], app.admin.id.to_string());
    assert!(d.get("execution_url").is_none());
    let id = d["id"].as_str().unwrap().to_string();

    // Both ID forms and the unique name address the bot; `url` echoes the request path.
    for path in [
        format!("/api/v3/bots/b-{id}"),
        format!("/api/v3/bots/{id}"),
        "/api/v3/bots/supportbot".into(),
    ] {
        let g = app.get(&path, &t).await;
        assert_eq!(g.status, 200);
        assert_eq!(g.body["url"], path);
        assert_eq!(g.body["data"]["id"], id);
    }
    let g = app
        .get(
            &format!("/api/v3/bots/b-{id}?fields=subscription_details"),
            &t,
        )
        .await;
    assert_eq!(g.body["data"]["subscribers"], json!([]));

    let u = app
        .patch(
            &format!("/api/v3/bots/b-{id}"),
            &t,
            json!({"name": "Helpdesk", "calls": "disabled"}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["data"]["name"], "Helpdesk");
    assert_eq!(
        u.body["data"]["unique_name"], "supportbot",
        "unique_name never changes"
    );
    assert_eq!(u.body["data"]["calls"], "disabled");

    let del = app.delete(&format!("/api/v3/bots/b-{id}"), &t).await;
    assert_eq!(del.status, 204);
    assert!(del.body.is_null());
    let gone = app.get(&format!("/api/v3/bots/b-{id}"), &t).await;
    assert_eq!((gone.status.as_u16(), gone.code()), (404, "bot_not_found"));
    let again = app.delete(&format!("/api/v3/bots/b-{id}"), &t).await;
    assert_eq!(again.code(), "bot_not_found");
}

#[tokio::test]
async fn create_validation_codes() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let cases = [
        (json!({"description": "d"}), 400, "invalid_inputs"),
        (json!({"name": "x", }), 400, "invalid_inputs"),
        (
            json!({"name": "a".repeat(21), "description": "d"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d".repeat(301)}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "scope": "world"}),
            400,
            "invalid_scope",
        ),
        (
            json!({"name": "n", "description": "d", "execution_type": "webhook"}),
            400,
            "execution_url_required",
        ),
        (
            json!({"name": "n", "description": "d", "execution_url": "https://example.com/x"}),
            400,
            "execution_url_not_allowed",
        ),
        (
            json!({"name": "n", "description": "d", "execution_type": "lambda"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "execution_type": "webhook", "execution_url": "not a url"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "scope": "team"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "scope": "team", "team_ids": [1, 2, 3, 4, 5]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "scope": "team", "team_ids": [999]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "scope": "organization", "team_ids": [app.teams[0]]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "status_messages": vec!["s"; 11]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "status_messages": ["s".repeat(51)]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "channel_participation": ["dance"]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": "n", "description": "d", "calls": "maybe"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"name": 5, "description": "d"}),
            400,
            "invalid_inputs",
        ),
    ];
    for (body, status, code) in cases {
        let r = app.post("/api/v3/bots", &t, body.clone()).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, code),
            "{body} -> {}",
            r.body
        );
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }

    // Webhook bots carry their URL; team bots their teams.
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Hook", "description": "d", "execution_type": "webhook", "execution_url": "https://example.com/hook",
                   "scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["execution_url"], "https://example.com/hook");
    assert_eq!(r.body["data"]["team_ids"], json!([app.teams[0]]));
    let id = r.body["data"]["id"].as_str().unwrap();
    let imm = app
        .patch(
            &format!("/api/v3/bots/{id}"),
            &t,
            json!({"execution_type": "deluge"}),
        )
        .await;
    assert_eq!(imm.code(), "invalid_inputs");

    // Names are unique per organization (case-insensitively); unique names stay unique.
    app.create_bot("Pipeline Bot").await;
    let dup = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "pipeline bot", "description": "d"}),
        )
        .await;
    assert_eq!(
        (dup.status.as_u16(), dup.code()),
        (409, "bot_name_already_exists")
    );
    let r = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Pipeline-Bot", "description": "d"}),
        )
        .await;
    assert_eq!(r.body["data"]["unique_name"], "pipelinebot2");
    assert_eq!(r.body["data"]["scope"], "personal", "default scope");
    let other = app.create_bot("Other").await;
    let clash = app
        .patch(
            &format!("/api/v3/bots/{other}"),
            &t,
            json!({"name": "PIPELINE BOT"}),
        )
        .await;
    assert_eq!(clash.code(), "bot_name_already_exists");
}

#[tokio::test]
async fn creation_limit() {
    let app = crate::helpers::spawn_with(|c| {
        c.rate_limits = cliqd_server::config::RateLimitMode::Off;
        c.max_components_per_org = 2;
    })
    .await;
    app.create_bot("One").await;
    app.create_bot("Two").await;
    let r = app
        .post(
            "/api/v3/bots",
            &app.admin_token,
            json!({"name": "Three", "description": "d"}),
        )
        .await;
    assert_eq!(r.code(), "bot_creation_limit_exceeded");
}

#[tokio::test]
async fn visibility_and_permissions() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let ts = app.token_for(scott).await;
    let to = app.token_for(olivia).await;
    let tj = app.token_for(james).await;
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

    let ids = |r: &crate::helpers::Reply| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_str().unwrap().to_string())
            .collect()
    };
    let mut all = vec![personal.clone(), team.clone(), org.clone()];
    all.sort();
    assert_eq!(ids(&app.get("/api/v3/bots", &ts).await), all);
    assert_eq!(
        ids(&app.get("/api/v3/bots", &to).await),
        vec![team.clone(), org.clone()]
    );
    assert_eq!(ids(&app.get("/api/v3/bots", &tj).await), vec![org.clone()]);
    assert_eq!(
        app.get(&format!("/api/v3/bots/{personal}"), &to)
            .await
            .code(),
        "bot_not_found"
    );
    assert_eq!(
        app.get(&format!("/api/v3/bots/{team}"), &tj).await.code(),
        "bot_not_found"
    );
    assert_eq!(
        app.get(&format!("/api/v3/bots/{team}"), &to).await.status,
        200
    );

    // Visible but not theirs: refused; the admin may.
    let r = app
        .patch(
            &format!("/api/v3/bots/{org}"),
            &to,
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(
        (r.status.as_u16(), r.code()),
        (403, "bot_permission_denied")
    );
    let r = app.delete(&format!("/api/v3/bots/{org}"), &tj).await;
    assert_eq!(r.code(), "bot_permission_denied");
    let r = app
        .post(
            &format!("/api/v3/bots/{org}/handlers"),
            &tj,
            json!({"type": "message_handler", "script": "return {};"}),
        )
        .await;
    assert_eq!(r.code(), "bot_permission_denied");
    let r = app
        .patch(
            &format!("/api/v3/bots/{org}"),
            &app.admin_token,
            json!({"description": "by admin"}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        app.delete(&format!("/api/v3/bots/{team}"), &app.admin_token)
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn organizations_are_isolated() {
    let app = spawn().await;
    let org2 = app.store().create_org("Other Inc").await.unwrap();
    let boss = cliqd_server::admin::add_user(app.store(), org2.id, "boss@other.com", "Boss", true)
        .await
        .unwrap();
    let t2 = app.token_for(&boss).await;
    let id = app.create_bot("Support Bot").await;
    // Same name is fine in another organization.
    let other = app
        .create_bot_as(
            &t2,
            json!({"name": "Support Bot", "description": "d", "scope": "organization"}),
        )
        .await;
    let list = app.get("/api/v3/bots", &t2).await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["data"][0]["id"], other);
    for r in [
        app.get(&format!("/api/v3/bots/{id}"), &t2).await,
        app.patch(
            &format!("/api/v3/bots/{id}"),
            &t2,
            json!({"description": "x"}),
        )
        .await,
        app.delete(&format!("/api/v3/bots/{id}"), &t2).await,
        app.get(&format!("/api/v3/bots/{id}/handlers/message_handler"), &t2)
            .await,
    ] {
        assert_eq!(r.code(), "bot_not_found");
    }
    // Teams of another org are unknown.
    let r = app
        .post(
            "/api/v3/bots",
            &t2,
            json!({"name": "T", "description": "d", "scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
}

#[tokio::test]
async fn subscribers_for_creator_or_admin() {
    let app = spawn().await;
    let id = app.create_bot("Support Bot").await;
    for path in [
        format!("/api/v3/bots/{id}/subscribers"),
        format!("/api/v3/bots/b-{id}/subscribers?limit=5"),
        "/api/v3/bots/supportbot/subscribers".to_string(),
    ] {
        let r = app.get(&path, &app.admin_token).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert_eq!(r.body["type"], "bot_subscriber");
        assert_eq!(r.body["url"], path.split('?').next().unwrap());
        assert!(r.body["sync_token"].as_str().is_some_and(|t| !t.is_empty()));
        // Subscriptions come with messaging; nobody has subscribed yet.
        assert_eq!(r.body["data"], json!([]));
    }
    let scott = app.token_for(&app.users[0]).await;
    let r = app
        .get(&format!("/api/v3/bots/{id}/subscribers"), &scott)
        .await;
    assert_eq!(r.code(), "bot_permission_denied");
    let r = app
        .get(
            &format!("/api/v3/bots/{id}/subscribers?limit=0"),
            &app.admin_token,
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    let r = app
        .get("/api/v3/bots/404/subscribers", &app.admin_token)
        .await;
    assert_eq!(r.code(), "bot_not_found");
}
