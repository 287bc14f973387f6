//! HTTP input that is not what an endpoint takes gets an error that says what is wrong: a body
//! that is not JSON under another Content-Type, a JSON value that is not an object, a NUL in a
//! string; and a lookup by email never reveals a user of another organization.

use crate::helpers::spawn;
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
