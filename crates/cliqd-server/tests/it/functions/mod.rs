//! Functions: success paths, every documented error code, scopes, visibility, cross-organization
//! isolation, pagination, total_count, sync and rate limits. Handlers are tested in [`handlers`].

use crate::helpers::{Reply, TestApp, spawn, spawn_with};
use cliqd_server::config::RateLimitMode;
use serde_json::{Value, json};

/// The `button_handler` params of the documented `GET handler` reply (<https://www.zoho.com/cliq/help/restapi/v3/functions/>).
const BUTTON_PARAMS: &[(&str, &str)] = &[
    ("access", "MAP"),
    ("environment", "MAP"),
    ("chat", "MAP"),
    ("user", "MAP"),
    ("message", "MAP"),
    ("target", "MAP"),
    ("arguments", "MAP"),
    ("event", "STRING"),
    ("location", "MAP"),
];

const SCRIPT: &str =
    "response = Map();\nresponse.put(\"text\", \"Button clicked!\");\nreturn response;";

async fn create_fn(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post("/api/v3/functions", token, body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["id"].as_str().unwrap().to_string()
}

async fn button(app: &TestApp, name: &str) -> String {
    create_fn(
        app,
        &app.admin_token,
        json!({"name": name, "description": "d", "function_type": "button"}),
    )
    .await
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
async fn function_lifecycle() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let r = app
        .post(
            "/api/v3/functions",
            &t,
            json!({"name": "ApproveRequest", "description": "Handles approval button clicks in messages",
                   "function_type": "button", "execution_type": "deluge"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["url"], "/api/v3/functions");
    assert_eq!(r.body["type"], "function");
    let d = &r.body["data"];
    let id = d["id"].as_str().unwrap().to_string();
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(
        d,
        &json!({
            "name": "ApproveRequest", "id": id, "function_type": "button",
            "handlers": [{"type": "button_handler"}], "execution_type": "deluge",
            "description": "Handles approval button clicks in messages", "scope": "personal",
            "creator": {"name": app.admin.name, "id": app.admin.id.to_string()},
            "status": "enabled", "type": "custom",
        })
    );

    let path = format!("/api/v3/functions/{id}");
    let g = app.get(&path, &t).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["url"], path);
    assert_eq!(g.body["type"], "function");
    assert_eq!(&g.body["data"], d);

    let u = app
        .patch(
            &path,
            &t,
            json!({"name": "createTaskUpdated", "description": "Updated function description"}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(u.body["url"], path);
    assert_eq!(u.body["data"]["name"], "createTaskUpdated");
    assert_eq!(
        u.body["data"]["description"],
        "Updated function description"
    );
    assert_eq!(u.body["data"]["function_type"], "button");
    // Repeating the immutable fields unchanged is fine; an empty update changes nothing.
    let same = app
        .patch(
            &path,
            &t,
            json!({"function_type": "button", "execution_type": "deluge"}),
        )
        .await;
    assert_eq!(same.status, 200, "{}", same.body);
    assert_eq!(app.patch(&path, &t, json!({})).await.status, 200);

    let l = app.get("/api/v3/functions", &t).await;
    assert_eq!(l.status, 200);
    assert_eq!(l.body["url"], "/api/v3/functions");
    assert_eq!(l.body["type"], "function");
    assert_eq!(l.body["total_count"], 1);
    assert!(l.body["sync_token"].is_string());
    assert!(l.body.get("next_token").is_none());
    assert_eq!(l.body["data"][0]["name"], "createTaskUpdated");

    let del = app.delete(&path, &t).await;
    assert_eq!(del.status, 204);
    assert!(del.body.is_null());
    assert_eq!(code(&app.get(&path, &t).await), (404, "function_not_found"));
    assert_eq!(
        code(&app.delete(&path, &t).await),
        (404, "function_not_found")
    );
    assert_eq!(
        code(&app.patch(&path, &t, json!({"description": "x"})).await),
        (404, "function_not_found")
    );
    let gh = app
        .get(&format!("{path}/handlers/button_handler"), &t)
        .await;
    assert_eq!(code(&gh), (404, "function_not_found"));
    assert_eq!(
        app.get("/api/v3/functions", &t).await.body["total_count"],
        0
    );
}

#[tokio::test]
async fn webhook_functions_and_every_function_type() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let r = app
        .post(
            "/api/v3/functions",
            &t,
            json!({"name": "ApproveExpense", "description": "Forwards approval clicks",
                   "function_type": "button", "execution_type": "webhook",
                   "execution_url": "https://api.yourcompany.com/cliq/functions/handler"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["execution_type"], "webhook");
    assert_eq!(
        r.body["data"]["execution_url"],
        "https://api.yourcompany.com/cliq/functions/handler"
    );
    let id = r.body["data"]["id"].as_str().unwrap();
    let u = app
        .patch(
            &format!("/api/v3/functions/{id}"),
            &t,
            json!({"execution_url": "https://api.yourcompany.com/cliq/functions/updated-handler"}),
        )
        .await;
    assert_eq!(u.status, 200, "{}", u.body);
    assert_eq!(
        u.body["data"]["execution_url"],
        "https://api.yourcompany.com/cliq/functions/updated-handler"
    );
    assert_eq!(u.body["data"]["name"], "ApproveExpense");

    for (ft, default) in [
        ("form", "form_submit_handler"),
        ("widget_button", "widget_button_handler"),
    ] {
        let r = app
            .post(
                "/api/v3/functions",
                &t,
                json!({"name": format!("F {ft}"), "description": "d", "function_type": ft}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["data"]["function_type"], ft);
        assert_eq!(r.body["data"]["handlers"], json!([{"type": default}]));
        assert_eq!(r.body["data"]["execution_type"], "deluge", "the default");
        assert!(r.body["data"].get("execution_url").is_none());
    }
}

#[tokio::test]
async fn create_and_update_validation_codes() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let base = |extra: Value| {
        let mut b = json!({"name": "n", "description": "d", "function_type": "button"});
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let url225 = format!("https://example.com/{}", "x".repeat(205));
    let url226 = format!("https://example.com/{}", "x".repeat(206));
    let cases = [
        (json!({"name": null}), 400, "invalid_inputs"),
        (json!({"description": null}), 400, "invalid_inputs"),
        (json!({"function_type": null}), 400, "invalid_inputs"),
        (json!({"name": "  "}), 400, "invalid_inputs"),
        (json!({"name": "a".repeat(31)}), 400, "invalid_inputs"),
        (json!({"description": ""}), 400, "invalid_inputs"),
        (
            json!({"description": "d".repeat(301)}),
            400,
            "invalid_inputs",
        ),
        (json!({"function_type": "slider"}), 400, "invalid_inputs"),
        (json!({"function_type": 1}), 400, "invalid_inputs"),
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
            json!({"execution_type": "deluge", "execution_url": "https://example.com/x"}),
            400,
            "execution_url_not_allowed",
        ),
        (
            json!({"execution_type": "webhook", "execution_url": "ftp://example.com/x"}),
            400,
            "invalid_inputs",
        ),
        (
            json!({"execution_type": "webhook", "execution_url": url226}),
            400,
            "invalid_inputs",
        ),
        (json!({"scope": "organization"}), 400, "invalid_inputs"),
        (json!({"colour": "red"}), 400, "invalid_inputs"),
    ];
    for (extra, status, want) in cases {
        let body = base(extra);
        let r = app.post("/api/v3/functions", &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
        assert!(r.body["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // The limits themselves are accepted.
    create_fn(
        &app,
        &t,
        json!({"name": "a".repeat(30), "description": "d".repeat(300), "function_type": "form",
               "execution_type": "webhook", "execution_url": url225}),
    )
    .await;

    // Names are unique per organization, case-insensitively, on create and update.
    let first = button(&app, "ApproveTask").await;
    let dup = app
        .post(
            "/api/v3/functions",
            &t,
            json!({"name": "approvetask", "description": "d", "function_type": "form"}),
        )
        .await;
    assert_eq!(code(&dup), (409, "function_name_already_exists"));
    let second = button(&app, "Other").await;
    let clash = app
        .patch(
            &format!("/api/v3/functions/{second}"),
            &t,
            json!({"name": "APPROVETASK"}),
        )
        .await;
    assert_eq!(code(&clash), (409, "function_name_already_exists"));
    // Renaming to its own name is not a clash.
    let own = app
        .patch(
            &format!("/api/v3/functions/{first}"),
            &t,
            json!({"name": "ApproveTask"}),
        )
        .await;
    assert_eq!(own.status, 200, "{}", own.body);

    let path = format!("/api/v3/functions/{first}");
    let updates = [
        (json!({"function_type": "form"}), 400, "invalid_inputs"),
        (json!({"execution_type": "webhook"}), 400, "invalid_inputs"),
        (json!({"name": ""}), 400, "invalid_inputs"),
        (json!({"name": "a".repeat(31)}), 400, "invalid_inputs"),
        (
            json!({"description": "d".repeat(301)}),
            400,
            "invalid_inputs",
        ),
        (json!({"scope": "team"}), 400, "invalid_inputs"),
    ];
    for (body, status, want) in updates {
        let r = app.patch(&path, &t, body.clone()).await;
        assert_eq!(code(&r), (status, want), "{body} -> {}", r.body);
    }
    for bad in ["abc", "12x", "99999999999999999999999", "-1"] {
        let r = app.get(&format!("/api/v3/functions/{bad}"), &t).await;
        assert_eq!(code(&r), (404, "function_not_found"), "{bad}");
    }
    let r = app
        .call(reqwest::Method::PUT, &path, &t, Some(json!({})))
        .await;
    assert_eq!(r.status, 405);
}

#[tokio::test]
async fn creation_limit() {
    let app = spawn_with(|c| {
        c.rate_limits = RateLimitMode::Off;
        c.max_components_per_org = 2;
    })
    .await;
    button(&app, "One").await;
    button(&app, "Two").await;
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": "Three", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(code(&r), (400, "function_creation_limit_exceeded"));
}

#[tokio::test]
async fn scopes_are_enforced() {
    let app = spawn().await;
    let scott = app.users[0].clone();
    let read = app
        .token_with(&scott, "ZohoCliq.Functions.READ", None)
        .await;
    let create = app
        .token_with(&scott, "ZohoCliq.Functions.CREATE", None)
        .await;
    let variant = app
        .token_with(&scott, "zohocliq.functions.update,Functions.DELETE", None)
        .await;
    let body = json!({"name": "f", "description": "d", "function_type": "button"});
    assert_eq!(
        code(&app.post("/api/v3/functions", &read, body.clone()).await),
        (403, "invalid_oauthscope")
    );
    let id = create_fn(&app, &create, body).await;
    let path = format!("/api/v3/functions/{id}");
    let handler = format!("{path}/handlers/button_handler");
    assert_eq!(app.get("/api/v3/functions", &read).await.status, 200);
    assert_eq!(app.get(&path, &read).await.status, 200);
    assert_eq!(app.get(&handler, &read).await.status, 200);
    for r in [
        app.get("/api/v3/functions", &create).await,
        app.get(&handler, &create).await,
        app.patch(&path, &read, json!({"description": "x"})).await,
        app.delete(&path, &read).await,
        app.post(
            &format!("{path}/handlers"),
            &create,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await,
        app.patch(&handler, &read, json!({"script": SCRIPT})).await,
        app.delete(&handler, &read).await,
    ] {
        assert_eq!(code(&r), (403, "invalid_oauthscope"), "{}", r.body);
    }
    // Handler writes need Functions.UPDATE (case and prefix variants accepted).
    let r = app
        .post(
            &format!("{path}/handlers"),
            &variant,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.delete(&path, &variant).await.status, 204);
}

#[tokio::test]
async fn functions_are_personal_and_organizations_isolated() {
    let app = spawn().await;
    let (scott, olivia) = (app.users[0].clone(), app.users[1].clone());
    let ts = app.token_for(&scott).await;
    let to = app.token_for(&olivia).await;
    let id = create_fn(
        &app,
        &ts,
        json!({"name": "ScottsFn", "description": "d", "function_type": "form"}),
    )
    .await;
    let path = format!("/api/v3/functions/{id}");
    // Only the creator sees it: not a teammate, not even an organization admin.
    for t in [&to, &app.admin_token] {
        let l = app.get("/api/v3/functions", t).await;
        assert_eq!(ids(&l), Vec::<String>::new());
        assert_eq!(l.body["total_count"], 0);
        for r in [
            app.get(&path, t).await,
            app.patch(&path, t, json!({"description": "x"})).await,
            app.delete(&path, t).await,
            app.post(
                &format!("{path}/handlers"),
                t,
                json!({"type": "form_view_handler", "script": SCRIPT}),
            )
            .await,
            app.get(&format!("{path}/handlers/form_submit_handler"), t)
                .await,
            app.patch(
                &format!("{path}/handlers/form_submit_handler"),
                t,
                json!({"script": SCRIPT}),
            )
            .await,
            app.delete(&format!("{path}/handlers/form_submit_handler"), t)
                .await,
        ] {
            assert_eq!(code(&r), (404, "function_not_found"), "{}", r.body);
        }
    }
    let l = app.get("/api/v3/functions", &ts).await;
    assert_eq!(ids(&l), vec![id.clone()]);
    assert_eq!(l.body["total_count"], 1);
    // Names are unique across the organization, seen or not.
    let dup = app
        .post(
            "/api/v3/functions",
            &to,
            json!({"name": "scottsfn", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(code(&dup), (409, "function_name_already_exists"));

    // Another organization sees nothing and may reuse the name.
    let org2 = app.store().create_org("Other Inc").await.unwrap();
    let boss = cliqd_server::admin::add_user(app.store(), org2.id, "boss@other.com", "Boss", true)
        .await
        .unwrap();
    let t2 = app.token_for(&boss).await;
    for r in [
        app.get(&path, &t2).await,
        app.patch(&path, &t2, json!({"name": "x"})).await,
        app.delete(&path, &t2).await,
        app.get(&format!("{path}/handlers/form_submit_handler"), &t2)
            .await,
    ] {
        assert_eq!(code(&r), (404, "function_not_found"));
    }
    let other = create_fn(
        &app,
        &t2,
        json!({"name": "ScottsFn", "description": "d", "function_type": "button"}),
    )
    .await;
    assert_eq!(ids(&app.get("/api/v3/functions", &t2).await), vec![other]);
    assert_eq!(app.get(&path, &ts).await.status, 200);
}

#[tokio::test]
async fn pagination_total_count_and_sync() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let mut created = Vec::new();
    for i in 0..23 {
        created.push(button(&app, &format!("fn{i:02}")).await);
    }
    let first = app.get("/api/v3/functions", &t).await;
    assert_eq!(ids(&first), created[..20].to_vec(), "default limit is 20");
    assert_eq!(first.body["total_count"], 23);
    let sync = first.body["sync_token"].as_str().unwrap().to_string();
    let next = first.body["next_token"].as_str().unwrap().to_string();
    let second = app
        .get(&format!("/api/v3/functions?next_token={next}"), &t)
        .await;
    assert_eq!(ids(&second), created[20..].to_vec());
    assert!(second.body.get("next_token").is_none());
    let max = app.get("/api/v3/functions?limit=50", &t).await;
    assert_eq!(ids(&max).len(), 23, "the maximum limit is 50");
    assert_eq!(
        ids(&app.get("/api/v3/functions?limit=5", &t).await).len(),
        5
    );
    for bad in [
        "limit=0",
        "limit=-3",
        "limit=many",
        "limit=500",
        "next_token=xyz",
        "sync_token=%%%",
    ] {
        assert_eq!(
            code(&app.get(&format!("/api/v3/functions?{bad}"), &t).await),
            (400, "invalid_inputs"),
            "{bad}"
        );
    }

    // Sync: what changed since the first listing, including handler changes and deletions.
    app.patch(
        &format!("/api/v3/functions/{}", created[1]),
        &t,
        json!({"description": "changed"}),
    )
    .await;
    let r = app
        .post(
            &format!("/api/v3/functions/{}/handlers", created[2]),
            &t,
            json!({"type": "button_handler", "script": SCRIPT}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        app.delete(&format!("/api/v3/functions/{}", created[3]), &t)
            .await
            .status,
        204
    );
    let late = button(&app, "late").await;
    let s = app
        .get(&format!("/api/v3/functions?sync_token={sync}"), &t)
        .await;
    assert_eq!(s.status, 200, "{}", s.body);
    assert_eq!(
        ids(&s),
        vec![created[1].clone(), created[2].clone(), late.clone()]
    );
    assert_eq!(s.body["deleted"], json!([created[3]]));
    assert_eq!(s.body["total_count"], 23);
    let s2 = app
        .get(
            &format!(
                "/api/v3/functions?sync_token={}",
                s.body["sync_token"].as_str().unwrap()
            ),
            &t,
        )
        .await;
    assert_eq!(ids(&s2), Vec::<String>::new());
    assert_eq!(s2.body["deleted"], json!([]));
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
    let mut id = String::new();
    for i in 0..10 {
        let r = app
            .post(
                "/api/v3/functions",
                &t,
                json!({"name": format!("f{i}"), "description": "d", "function_type": "button"}),
            )
            .await;
        assert_eq!(r.status, 200, "request {i}: {}", r.body);
        assert_eq!(r.headers["x-ratelimit-limit"], "10");
        id = r.body["data"]["id"].as_str().unwrap().to_string();
    }
    let r = app
        .post(
            "/api/v3/functions",
            &t,
            json!({"name": "f10", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(r.status, 429);
    assert_eq!(r.headers["retry-after"], "60");
    // Reads have their own, larger budget; handler reads 10 per minute.
    let g = app.get(&format!("/api/v3/functions/{id}"), &t).await;
    assert_eq!(g.status, 200);
    assert_eq!(g.headers["x-ratelimit-limit"], "30");
    let h = app
        .get(
            &format!("/api/v3/functions/{id}/handlers/button_handler"),
            &t,
        )
        .await;
    assert_eq!(h.headers["x-ratelimit-limit"], "10");
    assert_eq!(
        app.get("/api/v3/functions", &t).await.headers["x-ratelimit-limit"],
        "30"
    );
}
