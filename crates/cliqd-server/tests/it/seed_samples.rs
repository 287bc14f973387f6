//! The seed pages' request samples, read leniently: a handler body with both `script` and
//! `permissions` applies the one that fits the component, and deleting a default handler
//! empties it (204).

use crate::helpers::spawn;
use serde_json::json;

#[tokio::test]
async fn both_script_and_permissions_apply_the_fitting_one() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let bot = app.create_bot("Sample Bot").await;
    let r = app
        .post(
            &format!("/api/v3/bots/b-{bot}/handlers"),
            &t,
            json!({"type": "welcome_handler", "script": "return {};", "permissions": ["user"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["script"], "return {};");
    assert!(r.body["data"].get("permissions").is_none(), "{}", r.body);

    let hook = app
        .post(
            "/api/v3/bots",
            &t,
            json!({"name": "Hook Bot", "description": "d", "scope": "organization",
                   "execution_type": "webhook", "execution_url": "https://example.com/hook"}),
        )
        .await;
    assert_eq!(hook.status, 200, "{}", hook.body);
    let hook = hook.body["data"]["id"].as_str().unwrap().to_string();
    let r = app
        .post(
            &format!("/api/v3/bots/b-{hook}/handlers"),
            &t,
            json!({"type": "welcome_handler", "script": "return {};", "permissions": ["user"]}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["permissions"], json!(["user"]));
    assert!(r.body["data"].get("script").is_none(), "{}", r.body);
}

#[tokio::test]
async fn deleting_a_default_handler_empties_it() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    let f = app
        .post(
            "/api/v3/functions",
            &t,
            json!({"name": "Approve", "description": "d", "function_type": "button"}),
        )
        .await;
    assert_eq!(f.status, 200, "{}", f.body);
    let id = f.body["data"]["id"].as_str().unwrap().to_string();
    let handler = format!("/api/v3/functions/{id}/handlers/button_handler");
    let set = app
        .patch(
            &handler,
            &t,
            json!({"script": "return {\"text\": \"ok\"};"}),
        )
        .await;
    assert_eq!(set.status, 200, "{}", set.body);
    let d = app.delete(&handler, &t).await;
    assert_eq!(d.status, 204, "{}", d.body);
    assert_eq!(app.get(&handler, &t).await.body["data"]["script"], "");
    let again = app
        .patch(
            &handler,
            &t,
            json!({"script": "return {\"text\": \"again\"};"}),
        )
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(
        again.body["data"]["script"],
        "return {\"text\": \"again\"};"
    );
}

#[tokio::test]
async fn an_execution_url_in_a_deluge_update_is_ignored() {
    let app = spawn().await;
    let t = app.admin_token.clone();
    for (path, create, update) in [
        (
            "/api/v3/functions",
            json!({"name": "Approve", "description": "d", "function_type": "button"}),
            json!({"description": "updated", "execution_url": "https://example.com/x"}),
        ),
        (
            "/api/v3/messageactions",
            json!({"name": "Ticket", "hint": "h", "scope": "organization"}),
            json!({"hint": "updated", "execution_url": "https://example.com/x"}),
        ),
    ] {
        let made = app.post(path, &t, create).await;
        assert_eq!(made.status, 200, "{}", made.body);
        let id = made.body["data"]["id"].as_str().unwrap().to_string();
        let r = app.patch(&format!("{path}/{id}"), &t, update).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        assert!(r.body["data"].get("execution_url").is_none(), "{}", r.body);
        assert_eq!(r.body["data"]["execution_type"], "deluge");
    }
}
