//! The real-time WebSocket: authentication, delivery only to members, event order.

use crate::helpers::{TestApp, spawn};
use crate::messaging::{general_chat, post_sync};
use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

pub(crate) type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub(crate) async fn connect(app: &TestApp, token: &str) -> Ws {
    let url = format!(
        "{}/api/v3/realtime?access_token={token}",
        app.base.replace("http://", "ws://")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket");
    let hello = next(&mut ws).await;
    assert_eq!(hello["event"], "ready");
    ws
}

pub(crate) async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .expect("stream open")
            .expect("frame");
        if let Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Nothing arrives within a short while.
pub(crate) async fn quiet(ws: &mut Ws) {
    let r = tokio::time::timeout(Duration::from_millis(300), ws.next()).await;
    assert!(r.is_err(), "unexpected frame: {r:?}");
}

#[tokio::test]
async fn events_reach_members_in_order() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let olivia = app.token_for(&app.users[1]).await;
    let chat = general_chat(&app, &scott).await;
    let mut ws = connect(&app, &olivia).await;

    let id = post_sync(
        &app,
        "/api/v2/channelsbyname/general/message",
        &scott,
        "one",
    )
    .await;
    let path = format!("/api/v2/chats/{chat}/messages/{id}");
    let r = app
        .call(Method::PUT, &path, &scott, Some(json!({"text": "one!"})))
        .await;
    assert_eq!(r.status, 204);
    app.post(
        &format!("{path}/reactions"),
        &scott,
        json!({"emoji_code": "👍"}),
    )
    .await;
    app.delete(&format!("{path}/reactions?emoji_code=%F0%9F%91%8D"), &scott)
        .await;
    assert_eq!(app.delete(&path, &scott).await.status, 204);

    let e = next(&mut ws).await;
    assert_eq!(e["event"], "message_created");
    assert_eq!(e["chat_id"], chat.as_str());
    assert_eq!(e["data"]["id"], id.as_str());
    assert_eq!(e["data"]["content"]["text"], "one");
    let e = next(&mut ws).await;
    assert_eq!(
        (e["event"].as_str(), e["data"]["content"]["text"].as_str()),
        (Some("message_edited"), Some("one!"))
    );
    assert_eq!(e["data"]["is_edited"], true);
    let e = next(&mut ws).await;
    assert_eq!(e["event"], "reaction_added");
    assert_eq!(e["data"]["emoji_code"], "👍");
    assert_eq!(e["data"]["user_id"], app.users[0].id.to_string());
    assert_eq!(next(&mut ws).await["event"], "reaction_removed");
    let e = next(&mut ws).await;
    assert_eq!(
        (e["event"].as_str(), e["data"]["id"].as_str()),
        (Some("message_deleted"), Some(id.as_str()))
    );

    // Many posts from concurrent clients arrive in the order of their ids' commit (ascending seq).
    let mut tasks = Vec::new();
    for i in 0..20 {
        let c = app.client.clone();
        let url = format!("{}/api/v3/channelsbyname/general/messages", app.base);
        let t = scott.clone();
        tasks.push(tokio::spawn(async move {
            c.post(url)
                .header("Authorization", format!("Bearer {t}"))
                .json(&json!({"text": format!("c{i}")}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 204);
    }
    let mut got = Vec::new();
    for _ in 0..20 {
        let e = next(&mut ws).await;
        assert_eq!(e["event"], "message_created");
        got.push(e["data"]["id"].as_str().unwrap().to_string());
    }
    let stored = app
        .get(&format!("/api/v2/chats/{chat}/messages?limit=20"), &olivia)
        .await;
    let order: Vec<String> = stored.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, order, "events follow the stored order");
    ws.close(None).await.ok();
}

#[tokio::test]
async fn only_members_receive_and_membership_changes_apply() {
    let app = spawn().await;
    let scott = app.token_for(&app.users[0]).await;
    let james = app.token_for(&app.users[2]).await;
    let r = app
        .post(
            "/api/v3/channels",
            &scott,
            json!({"name": "inner", "level": "private"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let chat = r.body["data"]["chat_id"].as_str().unwrap().to_string();
    let mut ws = connect(&app, &james).await;
    post_sync(
        &app,
        "/api/v3/channelsbyname/inner/messages",
        &scott,
        "private",
    )
    .await;
    quiet(&mut ws).await;

    let r = app
        .post(
            "/api/v3/channels/inner/members",
            &scott,
            json!({"email_ids": "james.smith@zylker.com"}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    let e = next(&mut ws).await;
    assert_eq!(
        (e["event"].as_str(), e["chat_id"].as_str()),
        (Some("member_joined"), Some(chat.as_str()))
    );
    assert_eq!(e["data"]["user_id"], app.users[2].id.to_string());
    post_sync(
        &app,
        "/api/v3/channelsbyname/inner/messages",
        &scott,
        "welcome",
    )
    .await;
    let e = next(&mut ws).await;
    assert_eq!(e["data"]["content"]["text"], "welcome");

    let r = app
        .delete(
            &format!("/api/v3/channels/inner/members/{}", app.users[2].id),
            &scott,
        )
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(next(&mut ws).await["event"], "member_left");
    post_sync(&app, "/api/v3/channelsbyname/inner/messages", &scott, "bye").await;
    quiet(&mut ws).await;
}

#[tokio::test]
async fn stream_requires_a_valid_token() {
    let app = spawn().await;
    let url = format!(
        "{}/api/v3/realtime?access_token=nope",
        app.base.replace("http://", "ws://")
    );
    assert!(tokio_tungstenite::connect_async(url).await.is_err());
    let r = app.get("/api/v3/realtime", "nope").await;
    assert_eq!(r.status, 401);
    // The header works too (non-browser clients).
    let olivia = app.token_for(&app.users[1]).await;
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("{}/api/v3/realtime", app.base.replace("http://", "ws://")),
    )
    .unwrap();
    req.headers_mut().insert(
        "Authorization",
        format!("Zoho-oauthtoken {olivia}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req)
        .await
        .expect("header auth");
    assert_eq!(next(&mut ws).await["event"], "ready");
}

/// Browsers offer the token as the subprotocol `cliqd.token.<token>` beside `cliqd` (it stays
/// out of the URL); the server selects `cliqd` and never echoes the token back.
#[tokio::test]
async fn stream_accepts_the_token_as_a_subprotocol() {
    let app = spawn().await;
    let olivia = app.token_for(&app.users[1]).await;
    let request = |protocols: String| {
        let mut req =
            tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
                format!("{}/api/v3/realtime", app.base.replace("http://", "ws://")),
            )
            .unwrap();
        req.headers_mut()
            .insert("Sec-WebSocket-Protocol", protocols.parse().unwrap());
        req
    };
    let (mut ws, response) =
        tokio_tungstenite::connect_async(request(format!("cliqd, cliqd.token.{olivia}")))
            .await
            .expect("subprotocol auth");
    assert_eq!(response.headers()["sec-websocket-protocol"], "cliqd");
    let hello = next(&mut ws).await;
    assert_eq!(hello["event"], "ready");
    assert_eq!(hello["user_id"], app.users[1].id.to_string());
    // A wrong token offered this way is refused like any other.
    let refused = tokio_tungstenite::connect_async(request("cliqd, cliqd.token.nope".into())).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("expected 401, got {other:?}"),
    }
}
