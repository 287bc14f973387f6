//! Message actions: success paths, every documented error code, scopes, visibility,
//! permissions, cross-organization isolation, pagination, sync and rate limits. The execution
//! handler is tested in [`handlers`].

use crate::helpers::{Reply, TestApp, spawn, spawn_with};
use cliqd_server::config::RateLimitMode;
use serde_json::{Value, json};

const SCRIPT: &str =
    "response = Map();\nresponse.put(\"text\", \"Ticket created\");\nreturn response;";

async fn create_action(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v3/messageactions", token, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_string()
}

fn code(r: &Reply) -> (u16, &str) {
    (r.status.as_u16(), r.code())
}

fn ids(r: &Reply) -> Vec<String> {
    r.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data list: {}", r.body))
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

mod handlers;

#[tokio::test]
async fn message_action_lifecycle() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let r = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "Create Ticket", "hint": "Convert this message into a support ticket",
                   "scope": "organization", "message_types": ["text", "attachment"],
                   "execution_type": "deluge"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["url"], "/api/v3/messageactions");
    assert_eq!(r.body["type"], "messageaction");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        r.body["data"],
        json!({
            "name": "Create Ticket", "id": id, "hint": "Convert this message into a support ticket",
            "multi_selectable": false, "message_types": ["text", "attachment"],
            "handlers": [{"type": "execution_handler"}], "execution_type": "deluge",
            "scope": "organization",
            "creator": {"name": app.admin.name, "id": app.admin.id.to_string()},
            "status": "enabled", "type": "custom",
        })
    );
    let path = format!("/api/v3/messageactions/{id}");
    let g = app.get(&path, &t).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["url"], path);
    assert_eq!(g.body["data"], r.body["data"]);

    let u = app
        .patch(
            &path,
            &t,
            json!({"name": "Create Ticket", "hint": "Convert this message into a support ticket - updated",
                   "scope": "organization", "multi_selectable": true,
                   "message_types": ["text", "link", "attachment"]}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["url"], path);
    assert_eq!(u.body["type"], "messageaction");
    assert_eq!(
        u.body["data"]["hint"],
        "Convert this message into a support ticket - updated"
    );
    assert_eq!(u.body["data"]["multi_selectable"], true);
    assert_eq!(
        u.body["data"]["message_types"],
        json!(["text", "link", "attachment"])
    );
    // Only what is sent changes.
    let u = app.patch(&path, &t, json!({"hint": "Short"})).await;
    assert_eq!(u.body["data"]["hint"], "Short");
    assert_eq!(u.body["data"]["multi_selectable"], true);
    assert_eq!(u.body["data"]["name"], "Create Ticket");

    let l = app.get("/api/v3/messageactions", &t).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.body["type"], "messageaction");
    assert_eq!(ids(&l), vec![id.clone()]);
    assert!(l.body["sync_token"].is_string());

    let del = app.delete(&path, &t).await;
    assert_eq!(del.status, 204);
    assert!(del.body.is_null());
    for r in [
        app.get(&path, &t).await,
        app.delete(&path, &t).await,
        app.patch(&path, &t, json!({"hint": "x"})).await,
        app.get(&format!("{path}/handlers/execution_handler"), &t)
            .await,
    ] {
        assert_eq!(code(&r), (404, "msgaction_not_found"));
    }
}

#[tokio::test]
async fn defaults_webhooks_and_teams() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    // Omitted: personal scope, single selection, every message type, Deluge.
    let r = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "Translate", "hint": "Translate selected message to English"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["scope"], "personal");
    assert_eq!(d["multi_selectable"], false);
    assert_eq!(d["message_types"], json!(["text", "link", "attachment"]));
    assert_eq!(d["execution_type"], "deluge");
    assert!(d.get("team_ids").is_none());

    let r = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "Log to Jira", "hint": "Send this message to Jira as an issue",
                   "scope": "organization", "message_types": ["text", "link", "attachment"],
                   "execution_type": "webhook",
                   "execution_url": "https://api.yourcompany.com/cliq/messageactions/handler",
                   "image": "iVBORw0KGgo="}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["execution_type"], "webhook");
    assert_eq!(
        r.body["data"]["execution_url"],
        "https://api.yourcompany.com/cliq/messageactions/handler"
    );
    assert_eq!(r.body["data"]["image"], "iVBORw0KGgo=");
    let hook = r.body["data"]["id"].as_str().unwrap().to_string();
    let u = app
        .patch(
            &format!("/api/v3/messageactions/{hook}"),
            &t,
            json!({"execution_url": "https://api.yourcompany.com/cliq/messageactions/updated-handler"}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body["data"]["execution_url"],
        "https://api.yourcompany.com/cliq/messageactions/updated-handler"
    );

    let (eng, support) = (app.teams[0], app.teams[1]);
    let r = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "Bulk Archive", "hint": "Archive selected messages", "scope": "team",
                   "team_ids": [eng, support], "multi_selectable": true, "message_types": ["text"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut teams = vec![eng, support];
    teams.sort();
    assert_eq!(r.body["data"]["team_ids"], json!(teams));
    assert_eq!(r.body["data"]["multi_selectable"], true);
    let team_action = r.body["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v3/messageactions/{team_action}");
    // Scope changes: to organization drops the teams; back to team needs them.
    let u = app.patch(&path, &t, json!({"scope": "organization"})).await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert!(u.body["data"].get("team_ids").is_none());
    assert_eq!(
        code(&app.patch(&path, &t, json!({"scope": "team"})).await),
        (400, "invalid_inputs")
    );
    let u = app
        .patch(
            &path,
            &t,
            json!({"scope": "team", "team_ids": [eng], "multi_selectable": true, "message_types": ["text"]}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["data"]["team_ids"], json!([eng]));
    // Only team_ids: the scope stays team.
    let u = app.patch(&path, &t, json!({"team_ids": [support]})).await;
    assert_eq!(u.body["data"]["scope"], "team");
    assert_eq!(u.body["data"]["team_ids"], json!([support]));
}

#[tokio::test]
async fn create_and_update_validation_codes() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let base = |extra: Value| {
        let mut b = json!({"name": "n", "hint": "h"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let team = app.teams[0];
    let cases = [
        (json!({"name": null}), 400, "invalid_inputs"),
        (json!({"hint": null}), 400, "invalid_inputs"),
        (json!({"name": ""}), 400, "invalid_inputs"),
        (json!({"name": "a".repeat(31)}), 400, "invalid_inputs"),
        (json!({"hint": " "}), 400, "invalid_inputs"),
        (json!({"hint": "h".repeat(129)}), 400, "invalid_inputs"),
        (json!({"scope": "world"}), 400, "invalid_scope"),
        (json!({"scope": "team"}), 400, "invalid_inputs"),
        (
            json!({"scope": "team", "team_ids": [team, team + 1, team + 2, team + 3, team + 4]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"scope": "team", "team_ids": [987654]}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"scope": "organization", "team_ids": [team]}),
            400,
            "invalid_inputs",
        ),
        (json!({"message_types": []}), 400, "invalid_inputs"),
        (json!({"message_types": ["video"]}), 400, "invalid_inputs"),
        (
            json!({"message_types": ["text", "link", "attachment", "text"]}),
            400,
            "invalid_inputs",
        ),
        (json!({"message_types": "text"}), 400, "invalid_inputs"),
        (json!({"multi_selectable": "yes"}), 400, "invalid_inputs"),
        (json!({"image": ""}), 400, "invalid_inputs"),
        (json!({"execution_type": "lambda"}), 400, "invalid_inputs"),
        (
            json!({"execution_type": "webhook"}),
            400,
            "execution_url_required",
        ),
        (
            json!({"execution_url": "https://example.com/x"}),
            400,
            "execution_url_not_allowed",
        ),
        (
            json!({"execution_type": "webhook", "execution_url": format!("https://example.com/{}", "x".repeat(206))}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"execution_type": "webhook", "execution_url": "not a url"}),
            400,
            "invalid_inputs",
        ),
        (json!({"function_type": "button"}), 400, "invalid_inputs"),
    ];
    for (extra, status, want) in cases {
        let body = base(extra);
        let r = app.post("/api/v3/messageactions", &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The limits themselves are accepted; team ids may be strings of digits.
    create_action(
        &app,
        &t,
        json!({"name": "a".repeat(30), "hint": "h".repeat(128), "scope": "team",
               "team_ids": [team.to_string()], "message_types": ["link", "link"]}),
    )
    .await;

    let first = create_action(&app, &t, json!({"name": "Create Ticket", "hint": "h"})).await;
    let dup = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "CREATE TICKET", "hint": "h"}),
        )
        .await;
    assert_eq!(code(&dup), (409, "msgaction_name_already_exists"));
    let second = create_action(&app, &t, json!({"name": "Other", "hint": "h"})).await;
    let clash = app
        .patch(
            &format!("/api/v3/messageactions/{second}"),
            &t,
            json!({"name": "create ticket"}),
        )
        .await;
    assert_eq!(code(&clash), (409, "msgaction_name_already_exists"));

    let path = format!("/api/v3/messageactions/{first}");
    let updates = [
        (json!({"execution_type": "webhook"}), 400, "invalid_inputs"),
        (json!({"name": ""}), 400, "invalid_inputs"),
        (json!({"hint": "h".repeat(129)}), 400, "invalid_inputs"),
        (json!({"scope": "galaxy"}), 400, "invalid_scope"),
        (json!({"team_ids": [team]}), 400, "invalid_inputs"),
        (json!({"message_types": []}), 400, "invalid_inputs"),
        (json!({"multi_selectable": 1}), 400, "invalid_inputs"),
    ];
    for (body, status, want) in updates {
        let r = app.patch(&path, &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
    }
    let same = app
        .patch(&path, &t, json!({"execution_type": "deluge"}))
        .await;
    assert_eq!(same.status, 200);
    for bad in ["abc", "1.5", "99999999999999999999999"] {
        let r = app.get(&format!("/api/v3/messageactions/{bad}"), &t).await;
        assert_eq!(code(&r), (404, "msgaction_not_found"), "{bad}");
    }
}

#[tokio::test]
async fn creation_limit() {
    let app = spawn_with(|c| {
        c.rate_limits = RateLimitMode::Off;
        c.max_components_per_org = 1;
    })
    .await;
    create_action(&app, &app.admin_token, json!({"name": "One", "hint": "h"})).await;
    let r = app
        .post(
            "/api/v3/messageactions",
            &app.admin_token,
            json!({"name": "Two", "hint": "h"}),
        )
        .await;
    assert_eq!(code(&r), (400, "msgaction_creation_limit_exceeded"));
}

#[tokio::test]
async fn visibility_permissions_and_isolation() {
    let app = spawn().await;
    let (scott, olivia, james) = (&app.users[0], &app.users[1], &app.users[2]);
    let ts = app.token_for(scott).await;
    let to = app.token_for(olivia).await;
    let tj = app.token_for(james).await;
    let personal = create_action(
        &app,
        &ts,
        json!({"name": "Mine", "hint": "h", "scope": "personal"}),
    )
    .await;
    let team = create_action(
        &app,
        &ts,
        json!({"name": "Eng", "hint": "h", "scope": "team", "team_ids": [app.teams[0]]}),
    )
    .await;
    let org = create_action(
        &app,
        &ts,
        json!({"name": "All", "hint": "h", "scope": "organization"}),
    )
    .await;
    let mut all = vec![personal.clone(), team.clone(), org.clone()];
    all.sort();
    assert_eq!(ids(&app.get("/api/v3/messageactions", &ts).await), all);
    assert_eq!(
        ids(&app.get("/api/v3/messageactions", &to).await),
        vec![team.clone(), org.clone()]
    );
    assert_eq!(
        ids(&app.get("/api/v3/messageactions", &tj).await),
        vec![org.clone()]
    );
    let p = |id: &str| format!("/api/v3/messageactions/{id}");
    let h = |id: &str| format!("/api/v3/messageactions/{id}/handlers/execution_handler");
    for (id, token) in [
        (&personal, &to),
        (&team, &tj),
        (&personal, &app.admin_token),
    ] {
        for r in [
            app.get(&p(id), token).await,
            app.get(&h(id), token).await,
            app.patch(&p(id), token, json!({"hint": "x"})).await,
            app.delete(&p(id), token).await,
        ] {
            assert_eq!(code(&r), (404, "msgaction_not_found"), "{}", r.body);
        }
    }
    assert_eq!(app.get(&p(&team), &to).await.status, 200);
    assert_eq!(app.get(&h(&team), &to).await.status, 200);

    // Visible but not theirs: refused; the organization admin may.
    for r in [
        app.patch(&p(&org), &to, json!({"hint": "x"})).await,
        app.delete(&p(&team), &to).await,
        app.patch(&h(&org), &tj, json!({"script": SCRIPT})).await,
    ] {
        assert_eq!(code(&r), (403, "msgaction_permission_denied"), "{}", r.body);
    }
    let r = app
        .patch(&p(&org), &app.admin_token, json!({"hint": "by admin"}))
        .await;
    assert_eq!(r.status, 200);
    let r = app
        .patch(&h(&org), &app.admin_token, json!({"script": SCRIPT}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.delete(&p(&team), &app.admin_token).await.status, 204);
    // The creator keeps full control.
    assert_eq!(
        app.patch(&p(&personal), &ts, json!({"hint": "x"}))
            .await
            .status,
        200
    );

    // Another organization sees nothing; names are per organization.
    let org2 = app.store().create_org("Other Inc").await.unwrap();
    let boss = cliqd_server::admin::add_user(app.store(), org2.id, "boss@other.com", "Boss", true)
        .await
        .unwrap();
    let t2 = app.token_for(&boss).await;
    assert_eq!(
        ids(&app.get("/api/v3/messageactions", &t2).await),
        Vec::<String>::new()
    );
    for r in [
        app.get(&p(&org), &t2).await,
        app.patch(&p(&org), &t2, json!({"hint": "x"})).await,
        app.delete(&p(&org), &t2).await,
        app.get(&h(&org), &t2).await,
        app.patch(&h(&org), &t2, json!({"script": SCRIPT})).await,
    ] {
        assert_eq!(code(&r), (404, "msgaction_not_found"));
    }
    create_action(
        &app,
        &t2,
        json!({"name": "All", "hint": "h", "scope": "organization"}),
    )
    .await;
    let r = app
        .post(
            "/api/v3/messageactions",
            &t2,
            json!({"name": "T", "hint": "h", "scope": "team", "team_ids": [app.teams[0]]}),
        )
        .await;
    assert_eq!(code(&r), (400, "invalid_inputs"), "teams of another org");
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = spawn().await;
    let scott = app.users[0].clone();
    // The seed page spells the scopes in lower case.
    let create = app
        .token_with(&scott, "ZohoCliq.messageactions.CREATE", None)
        .await;
    let read = app
        .token_with(&scott, "ZohoCliq.MessageActions.READ", None)
        .await;
    let update = app
        .token_with(&scott, "ZohoCliq.messageactions.UPDATE", None)
        .await;
    let id = create_action(&app, &create, json!({"name": "a", "hint": "h"})).await;
    let path = format!("/api/v3/messageactions/{id}");
    let handler = format!("{path}/handlers/execution_handler");
    for r in [
        app.post(
            "/api/v3/messageactions",
            &read,
            json!({"name": "b", "hint": "h"}),
        )
        .await,
        app.get("/api/v3/messageactions", &create).await,
        app.get(&path, &update).await,
        app.get(&handler, &update).await,
        app.patch(&path, &read, json!({"hint": "x"})).await,
        app.patch(&handler, &read, json!({"script": SCRIPT})).await,
        app.delete(&path, &update).await,
    ] {
        assert_eq!(code(&r), (403, "invalid_oauthscope"), "{}", r.body);
    }
    assert_eq!(app.get(&path, &read).await.status, 200);
    assert_eq!(app.get(&handler, &read).await.status, 200);
    assert_eq!(
        app.patch(&path, &update, json!({"hint": "x"})).await.status,
        200
    );
    assert_eq!(
        app.patch(&handler, &update, json!({"script": SCRIPT}))
            .await
            .status,
        200
    );
    let delete = app.token_with(&scott, "MessageActions.DELETE", None).await;
    assert_eq!(app.delete(&path, &delete).await.status, 204);
}

#[tokio::test]
async fn pagination_and_sync() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let mut created = Vec::new();
    for i in 0..105 {
        created.push(
            create_action(
                &app,
                &t,
                json!({"name": format!("a{i:03}"), "hint": "h", "scope": "organization"}),
            )
            .await,
        );
    }
    let first = app.get("/api/v3/messageactions", &t).await;
    assert_eq!(ids(&first), created[..20].to_vec(), "default limit is 20");
    assert!(first.body.get("total_count").is_none());
    let sync = first.body["sync_token"].as_str().unwrap().to_string();
    // Above the maximum is refused (one rule on every list endpoint), naming the range.
    let over = app.get("/api/v3/messageactions?limit=1000", &t).await;
    assert_eq!(code(&over), (400, "invalid_inputs"));
    assert_eq!(over.body["message"], "limit must be a number from 1 to 100");
    let capped = app.get("/api/v3/messageactions?limit=100", &t).await;
    assert_eq!(ids(&capped), created[..100].to_vec(), "maximum 100");
    let next = capped.body["next_token"].as_str().unwrap();
    let rest = app
        .get(
            &format!("/api/v3/messageactions?limit=100&next_token={next}"),
            &t,
        )
        .await;
    assert_eq!(ids(&rest), created[100..].to_vec());
    assert!(rest.body.get("next_token").is_none());
    for bad in ["limit=0", "limit=x", "next_token=abc", "sync_token=abc"] {
        assert_eq!(
            code(&app.get(&format!("/api/v3/messageactions?{bad}"), &t).await),
            (400, "invalid_inputs"),
            "{bad}"
        );
    }

    app.patch(
        &format!(
            "/api/v3/messageactions/{}/handlers/execution_handler",
            created[7]
        ),
        &t,
        json!({"script": SCRIPT}),
    )
    .await;
    app.delete(&format!("/api/v3/messageactions/{}", created[8]), &t)
        .await;
    let s = app
        .get(&format!("/api/v3/messageactions?sync_token={sync}"), &t)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(ids(&s), vec![created[7].clone()]);
    assert_eq!(s.body["deleted"], json!([created[8]]));
}

#[tokio::test]
async fn rate_limits_follow_the_spec() {
    // Windows and locks divided by 5 (one minute → 12 s, five minutes → 60 s): long enough
    // for a loaded machine to send a whole window's requests; recovery is tested with bots.
    let app = spawn_with(|c| {
        c.rate_limits = RateLimitMode::Spec;
        c.rate_limit_time_divisor = 5;
    })
    .await;
    let t = app.admin_token.clone();
    // Create allows 30 per minute; get allows only 10.
    let r = app
        .post(
            "/api/v3/messageactions",
            &t,
            json!({"name": "a", "hint": "h"}),
        )
        .await;
    assert_eq!(r.headers["x-ratelimit-limit"], "30");
    let id = r.body["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v3/messageactions/{id}");
    for i in 0..10 {
        let g = app.get(&path, &t).await;
        assert_eq!(g.status, 200, "request {i}");
        assert_eq!(g.headers["x-ratelimit-limit"], "10");
    }
    let locked = app.get(&path, &t).await;
    assert_eq!(locked.status, 429);
    assert_eq!(
        locked.body,
        json!({"message": "Too many requests within a certain time frame."})
    );
    assert_eq!(locked.headers["retry-after"], "60");
    // Other endpoints are separate buckets.
    let l = app.get("/api/v3/messageactions", &t).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.headers["x-ratelimit-limit"], "30");
    let h = app
        .get(&format!("{path}/handlers/execution_handler"), &t)
        .await;
    assert_eq!(h.headers["x-ratelimit-limit"], "10");
}
