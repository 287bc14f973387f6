//! HTTP input that is not what an endpoint takes gets an error that says what is wrong: a body
//! that is not JSON under another Content-Type, a JSON value that is not an object, a NUL in a
//! string; and a lookup by email never reveals a user of another organization.

use crate::helpers::{Reply, spawn};
use crate::messaging::outsider;
use serde_json::{Value, json};

#[tokio::test]
async fn bodies_that_are_not_json_objects_say_so() {
    let app = spawn().await;
    let url = format!("{}/api/v3/bots", app.base);
    let auth = format!("Zoho-oauthtoken {}", app.admin_token);

    // Not JSON, sent as a form: 415, naming the type.
    let r = app
        .client
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=Bot")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 415);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "unsupported_media_type");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("application/x-www-form-urlencoded"),
        "{body}"
    );

    // JSON sent under curl's default type is still read.
    let r = app
        .client
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(r#"{"name": "Form Bot", "description": "d", "scope": "organization"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // An array where an object is expected.
    let r = app.post("/api/v3/bots", &app.admin_token, json!([1])).await;
    assert_eq!(r.code(), "invalid_inputs");
    assert_eq!(r.body["message"], "expected a JSON object, found an array");

    // A NUL in a name.
    let r = app
        .post(
            "/api/v3/bots",
            &app.admin_token,
            json!({"name": "Nul\u{0}Bot", "description": "d", "scope": "organization"}),
        )
        .await;
    assert_eq!(r.code(), "invalid_inputs");
    assert!(
        r.body["message"].as_str().unwrap().contains("NUL"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn an_email_of_another_organization_is_not_revealed() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    outsider(&app).await;
    let known_elsewhere = app
        .post(
            "/api/v2/buddies/eve@other.example/message",
            &scott,
            json!({"text": "x"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v2/buddies/nobody@other.example/message",
            &scott,
            json!({"text": "x"}),
        )
        .await;
    assert_eq!(known_elsewhere.status, unknown.status);
    assert_eq!(known_elsewhere.code(), "user_not_found");
    assert_eq!(unknown.code(), "user_not_found");
}

fn chat_ids(r: &crate::helpers::Reply) -> Vec<String> {
    r.body["data"]
        .as_array()
        .unwrap_or_else(|| panic!("no data: {}", r.body))
        .iter()
        .map(|c| c["chat_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_chat_list_honours_its_filters() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let (olivia, james) = (app.users[1].id, app.users[2].id);
    let crew = app
        .post(
            "/api/v3/chats",
            &scott,
            json!({"chat_type": "group_chat", "title": "Crew", "user_ids": [olivia.to_string()]}),
        )
        .await;
    let crew = crew.body["data"]["chat_id"].as_str().unwrap().to_string();
    let dm = app
        .post(
            "/api/v3/chats",
            &scott,
            json!({"chat_type": "direct_message", "user_id": james.to_string()}),
        )
        .await;
    let dm = dm.body["data"]["chat_id"].as_str().unwrap().to_string();

    let all = chat_ids(&app.get("/api/v3/chats", &scott).await);
    assert!(all.contains(&crew) && all.contains(&dm), "{all:?}");
    // A direct chat is named after the other participant, on both sides.
    let name_of_dm = |r: &Reply| {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["chat_id"] == dm.as_str())
            .map(|c| c["name"].clone())
    };
    let james_token = app.token_for(&app.users[2]).await;
    assert_eq!(
        name_of_dm(&app.get("/api/v3/chats", &scott).await),
        Some(app.users[2].name.clone().into())
    );
    assert_eq!(
        name_of_dm(&app.get("/api/v3/chats", &james_token).await),
        Some(app.users[0].name.clone().into())
    );
    assert_eq!(
        chat_ids(&app.get("/api/v3/chats?name=cre", &scott).await),
        [crew.as_str()]
    );
    assert_eq!(
        chat_ids(&app.get("/api/v3/chats?type=dm", &scott).await),
        [dm.as_str()]
    );
    // The organization channel and the direct chat include James; the group does not.
    let with_james = chat_ids(
        &app.get(&format!("/api/v3/chats?recipient={james}"), &scott)
            .await,
    );
    assert!(
        with_james.contains(&dm) && !with_james.contains(&crew),
        "{with_james:?}"
    );
    assert_eq!(
        chat_ids(
            &app.get(&format!("/api/v3/chats?chat_ids={dm}"), &scott)
                .await
        ),
        [dm.as_str()]
    );
    assert_eq!(
        chat_ids(&app.get("/api/v3/chats?limit=1", &scott).await).len(),
        1
    );
    assert!(chat_ids(&app.get("/api/v3/chats?pinned=true", &scott).await).is_empty());
    let muted = app
        .post(&format!("/api/v3/chats/{crew}/mute"), &scott, json!({}))
        .await;
    assert!(muted.status.is_success(), "{}", muted.body);
    assert_eq!(
        chat_ids(&app.get("/api/v3/chats?muted=true", &scott).await),
        [crew.as_str()]
    );
    // A thread the caller follows is one of their chats: `type=threads` and `parent_chid`
    // find it, with its parent and head message; Olivia, who does not follow it, has none.
    let path = format!("/api/v3/chats/{crew}/messages");
    let head_id = super::messaging::post_sync(&app, &path, &scott, "Plan?").await;
    let reply = app
        .post(
            &path,
            &scott,
            json!({"text": "Tomorrow", "thread_message_id": head_id, "sync_message": true}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let threads = app.get("/api/v3/chats?type=threads", &scott).await;
    let listed = threads.body["data"].as_array().unwrap();
    assert_eq!(listed.len(), 1, "{}", threads.body);
    assert_eq!(listed[0]["chat_type"], "thread");
    assert_eq!(listed[0]["parent_chat_id"], crew.as_str());
    assert_eq!(listed[0]["thread_message_id"], head_id.as_str());
    let thread = listed[0]["chat_id"].as_str().unwrap().to_string();
    assert_eq!(
        chat_ids(
            &app.get(&format!("/api/v3/chats?parent_chid={crew}"), &scott)
                .await
        ),
        [thread.as_str()]
    );
    let olivia_token = app.token_for(&app.users[1]).await;
    assert!(chat_ids(&app.get("/api/v3/chats?type=threads", &olivia_token).await).is_empty());
    for bad in [
        "limit=0",
        "limit=101",
        "muted=maybe",
        "type=nope",
        "modified_after=x",
    ] {
        let r = app.get(&format!("/api/v3/chats?{bad}"), &scott).await;
        assert_eq!(r.code(), "invalid_inputs", "{bad}");
    }
}
