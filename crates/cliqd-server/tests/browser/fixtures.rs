//! What several scenarios set up through the API: functions with handlers, and posts into
//! `general` as the admin.

use crate::helpers::TestApp;
use crate::support::check;
use anyhow::{Context, Result};
use serde_json::{Value, json};

/// Creates a function of `kind` with `handlers` (type, script), as the admin.
pub async fn function(
    app: &TestApp,
    name: &str,
    kind: &str,
    handlers: &[(&str, &str)],
) -> Result<()> {
    let r = app
        .post(
            "/api/v3/functions",
            &app.admin_token,
            json!({"name": name, "description": "web test", "function_type": kind}),
        )
        .await;
    let id = r.body["data"]["id"]
        .as_str()
        .context("function id")?
        .to_string();
    for (ty, script) in handlers {
        let r = app
            .post(
                &format!("/api/v3/functions/{id}/handlers"),
                &app.admin_token,
                json!({"type": ty, "script": script}),
            )
            .await;
        let r = if r.status.is_success() {
            r
        } else {
            app.patch(
                &format!("/api/v3/functions/{id}/handlers/{ty}"),
                &app.admin_token,
                json!({"script": script}),
            )
            .await
        };
        check(r.status.is_success(), || {
            format!("{ty}: {} {}", r.status, r.body)
        })?;
    }
    Ok(())
}

pub async fn post_general(app: &TestApp, body: Value) -> Result<String> {
    let mut body = body;
    body["sync_message"] = true.into();
    let r = app
        .post(
            "/api/v2/channelsbyname/general/message",
            &app.admin_token,
            body,
        )
        .await;
    check(r.status.is_success(), || {
        format!("post failed: {} {}", r.status, r.body)
    })?;
    Ok(r.body["message_id"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}
