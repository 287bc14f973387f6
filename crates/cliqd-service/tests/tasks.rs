//! The `zoho.cliq.*` tasks: reading a task call, and performing it against a real store (the
//! embedded SQLite backend in a temporary directory) with the HTTP API's refusals.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use cliqd_service::{
    Actor, CliqTask, ServiceError, org_admin, perform, system_variable, task_error,
};
use cliqd_store::{MessageQuery, NewChannel, NewComponent, NewUser, Store, UserRow};
use serde_json::{Value, json};
use std::sync::Arc;

// ---- parse ----

#[test]
fn a_text_message_becomes_a_map_and_the_connection_is_ignored() {
    let t = CliqTask::parse("posttochannel", &[json!("General"), json!("hi")]).unwrap();
    assert_eq!(
        t,
        CliqTask::PostToChannel {
            channel_unique_name: "general".into(),
            message: json!({"text": "hi"}),
        }
    );
    let with_conn = CliqTask::parse(
        "postToChannel",
        &[json!("general"), json!({"text": "hi"}), json!("cliq_conn")],
    )
    .unwrap();
    assert_eq!(with_conn, t, "names case-insensitive, connection ignored");
    assert_eq!(
        CliqTask::parse("zoho.cliq.POSTTOCHAT", &[json!(123), json!("x")]).unwrap(),
        CliqTask::PostToChat {
            chat_id: "123".into(),
            message: json!({"text": "x"}),
        },
        "a number names a chat"
    );
    assert_eq!(
        CliqTask::parse(
            "posttochannelasbot",
            &[json!("eng"), json!("helper"), json!("m")]
        )
        .unwrap()
        .name(),
        "postToChannelAsBot"
    );
    assert_eq!(
        CliqTask::parse("posttouser", &[json!("b@o"), json!("m")]).unwrap(),
        CliqTask::PostToUser {
            user: "b@o".into(),
            message: json!({"text": "m"}),
        }
    );
}

#[test]
fn wrong_argument_counts_and_types_say_what_is_expected() {
    let e = CliqTask::parse("posttochat", &[json!("c")]).unwrap_err();
    assert_eq!(
        e,
        "zoho.cliq.postToChat takes 2 or 3 arguments (chat_id, message[, connection]), not 1"
    );
    let e = CliqTask::parse(
        "posttochannelasbot",
        &[json!("a"), json!("b"), json!("c"), json!("d"), json!("e")],
    )
    .unwrap_err();
    assert!(e.contains("takes 3 or 4 arguments"), "{e}");
    let e = CliqTask::parse("posttochannel", &[json!({"a": 1}), json!("m")]).unwrap_err();
    assert_eq!(
        e,
        "zoho.cliq.postToChannel: channel_unique_name must be a text, not a map"
    );
    let e = CliqTask::parse("posttochannel", &[json!("  "), json!("m")]).unwrap_err();
    assert_eq!(e, "zoho.cliq.postToChannel: channel_unique_name is empty");
    let e = CliqTask::parse("posttobot", &[json!("b"), json!(5)]).unwrap_err();
    assert_eq!(
        e,
        "zoho.cliq.postToBot: the message must be a text or a map, not a number"
    );
    let e = CliqTask::parse("posttouser", &[json!("u@o"), json!([{"file": 1}])]).unwrap_err();
    assert!(e.contains("files cannot be posted yet"), "{e}");
    let e = CliqTask::parse("postToNowhere", &[]).unwrap_err();
    assert_eq!(e, "unknown task zoho.cliq.posttonowhere");
}

#[test]
fn post_to_bot_as_admin_broadcasts_unless_the_message_targets_users() {
    let t = CliqTask::parse("posttobotasadmin", &[json!("helper"), json!("hi")]).unwrap();
    assert_eq!(
        t,
        CliqTask::PostToBotAsAdmin {
            bot_unique_name: "helper".into(),
            message: json!({"text": "hi", "broadcast": true}),
        }
    );
    let t = CliqTask::parse(
        "posttobotasadmin",
        &[
            json!("helper"),
            json!({"text": "hi", "userids": "1"}),
            json!("c"),
        ],
    )
    .unwrap();
    assert_eq!(
        t,
        CliqTask::PostToBotAsAdmin {
            bot_unique_name: "helper".into(),
            message: json!({"text": "hi", "userids": "1"}),
        }
    );
}

#[test]
fn datastore_tasks_parse_whatever_their_arguments() {
    for (name, display) in [
        ("createRecord", "createRecord"),
        ("getrecords", "getRecords"),
        ("getRecordById", "getRecordById"),
        ("updaterecord", "updateRecord"),
        ("deleteRecord", "deleteRecord"),
        ("DELETERECORDS", "deleteRecords"),
    ] {
        let t = CliqTask::parse(name, &[json!("db"), json!({})]).unwrap();
        assert!(matches!(t, CliqTask::Datastore { .. }), "{name}");
        assert_eq!(t.name(), display);
    }
}

// ---- perform ----

struct Fixture {
    store: Arc<dyn Store>,
    /// Organization admin, in `eng`, subscribed to nothing.
    admin: Actor,
    /// In `eng`, subscribed to the bot.
    bob: Actor,
    /// In the organization, not in `eng`, subscribed to the bot.
    carol: Actor,
    /// Another organization's user.
    stranger: UserRow,
    eng_chat: String,
    bot_id: i64,
    _dir: tempfile::TempDir,
}

async fn user(store: &dyn Store, org_id: i64, email: &str, is_admin: bool) -> UserRow {
    store
        .create_user(NewUser {
            org_id,
            email: email.into(),
            name: email.split('@').next().unwrap().into(),
            is_admin,
        })
        .await
        .unwrap()
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(cliqd_store_sqlite::SqliteStore::open(dir.path()).unwrap());
    let s = store.as_ref();
    let org = s.create_org("o").await.unwrap();
    let other = s.create_org("x").await.unwrap();
    let admin = user(s, org.id, "admin@o", true).await;
    let bob = user(s, org.id, "bob@o", false).await;
    let carol = user(s, org.id, "carol@o", false).await;
    let stranger = user(s, other.id, "stranger@x", false).await;
    let eng = s
        .create_channel(NewChannel {
            org_id: org.id,
            kind: "team".into(),
            name: "Eng".into(),
            unique_name: "eng".into(),
            description: String::new(),
            creator_id: admin.id,
            team_ids: Vec::new(),
            members: vec![bob.id],
        })
        .await
        .unwrap();
    let bot = s
        .create_component(NewComponent {
            org_id: org.id,
            kind: "bot".into(),
            name: "Helper".into(),
            unique_name_base: Some("helper".into()),
            creator_id: admin.id,
            scope: "organization".into(),
            team_ids: Vec::new(),
            attrs: json!({}),
        })
        .await
        .unwrap();
    s.create_component(NewComponent {
        org_id: org.id,
        kind: "bot".into(),
        name: "Loner".into(),
        unique_name_base: Some("loner".into()),
        creator_id: admin.id,
        scope: "organization".into(),
        team_ids: Vec::new(),
        attrs: json!({}),
    })
    .await
    .unwrap();
    assert!(s.associate_bot(&eng.id, bot.id).await.unwrap());
    s.subscribe_bot(bot.id, bob.id).await.unwrap();
    s.subscribe_bot(bot.id, carol.id).await.unwrap();
    Fixture {
        admin: Actor::new(Arc::new(admin)),
        bob: Actor::new(Arc::new(bob)),
        carol: Actor::new(Arc::new(carol)),
        stranger,
        eng_chat: eng.chat_id,
        bot_id: bot.id,
        store,
        _dir: dir,
    }
}

impl Fixture {
    async fn run(&self, actor: &Actor, task: &str, args: Value) -> Result<Value, ServiceError> {
        let args = args.as_array().unwrap().clone();
        let task = CliqTask::parse(task, &args).unwrap();
        perform(self.store.as_ref(), actor, &task).await
    }

    async fn messages(&self, chat_id: &str) -> Vec<cliqd_store::MessageRow> {
        self.store
            .list_messages(MessageQuery {
                chat_id: chat_id.into(),
                from_time: None,
                to_time: None,
                after_seq: None,
                limit: 100,
            })
            .await
            .unwrap()
    }
}

fn message_id(result: &Value) -> &str {
    result["message_id"].as_str().unwrap()
}

#[tokio::test]
async fn post_to_channel_posts_as_the_actor_and_answers_the_message_id() {
    let f = fixture().await;
    let r = f
        .run(&f.bob, "posttochannel", json!(["ENG", "hello team"]))
        .await
        .unwrap();
    assert_eq!(r.as_object().unwrap().len(), 2, "{r}");
    assert_eq!(r["status"], "SUCCESS");
    let msgs = f.messages(&f.eng_chat).await;
    let last = msgs.last().unwrap();
    assert_eq!(last.id, message_id(&r));
    assert_eq!(last.sender_id, f.bob.id());
    assert_eq!(last.bot_id, None);
    assert_eq!(last.body["text"], "hello team");

    // Refusals as the HTTP API's: not a member, no such channel, an invalid message.
    let e = f
        .run(&f.carol, "posttochannel", json!(["eng", "let me in"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotMember), "{e:?}");
    let e = f
        .run(&f.bob, "posttochannel", json!(["nope", "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::ChannelNotFound), "{e:?}");
    let e = f
        .run(&f.bob, "posttochannel", json!(["eng", {"txt": "typo"}]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::InvalidMessage(_)), "{e:?}");
    assert_eq!(f.messages(&f.eng_chat).await.len(), msgs.len());

    // What a script sees.
    let task = CliqTask::parse("posttochannel", &[json!("eng"), json!("x")]).unwrap();
    assert_eq!(
        task_error(&task, &ServiceError::NotMember),
        "zoho.cliq.postToChannel failed: not a member of this chat"
    );
    let text = task_error(&task, &e);
    assert!(
        text.starts_with("zoho.cliq.postToChannel failed: invalid message: "),
        "{text}"
    );
}

#[tokio::test]
async fn post_to_chat_posts_into_the_chat_and_opens_threads() {
    let f = fixture().await;
    let r = f
        .run(
            &f.bob,
            "posttochat",
            json!([f.eng_chat, {"text": "parent", "sync_message": false}]),
        )
        .await
        .unwrap();
    let parent = message_id(&r).to_string();
    let r = f
        .run(
            &f.admin,
            "posttochat",
            json!([f.eng_chat, {"text": "in thread", "thread_message_id": parent}, "conn"]),
        )
        .await
        .unwrap();
    let thread = r["thread_chat_id"].as_str().unwrap();
    assert_ne!(thread, f.eng_chat);
    let in_thread = f.messages(thread).await;
    assert_eq!(in_thread.last().unwrap().id, message_id(&r));

    let e = f
        .run(&f.carol, "posttochat", json!([f.eng_chat, "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::NotMember), "{e:?}");
    let e = f
        .run(&f.bob, "posttochat", json!(["CT_0_0", "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::ChatNotFound), "{e:?}");
}

#[tokio::test]
async fn post_to_channel_as_bot_needs_the_bot_in_the_channel() {
    let f = fixture().await;
    let r = f
        .run(
            &f.bob,
            "posttochannelasbot",
            json!(["eng", "helper", "beep"]),
        )
        .await
        .unwrap();
    let last = f.messages(&f.eng_chat).await.pop().unwrap();
    assert_eq!(last.id, message_id(&r));
    assert_eq!(last.bot_id, Some(f.bot_id));
    assert_eq!(last.sender_id, f.bob.id());

    let e = f
        .run(&f.bob, "posttochannelasbot", json!(["eng", "loner", "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::BotNotMember), "{e:?}");
    let e = f
        .run(&f.bob, "posttochannelasbot", json!(["eng", "ghost", "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::BotNotFound), "{e:?}");
}

#[tokio::test]
async fn post_to_user_opens_the_direct_chat_by_email_or_zuid() {
    let f = fixture().await;
    let r = f
        .run(&f.bob, "posttouser", json!(["CAROL@o", "psst"]))
        .await
        .unwrap();
    let chats = f.store.chats_of_user(f.carol.id()).await.unwrap();
    let direct = chats
        .iter()
        .find(|c| c.kind == "direct_message" || c.kind == "chat")
        .unwrap_or_else(|| panic!("no direct chat: {chats:?}"));
    let msgs = f.messages(&direct.id).await;
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].id, message_id(&r));
    assert_eq!(msgs[0].sender_id, f.bob.id());

    // By ZUID (a number argument), into the same chat.
    let r2 = f
        .run(&f.bob, "posttouser", json!([f.carol.id(), "again"]))
        .await
        .unwrap();
    let msgs = f.messages(&direct.id).await;
    assert_eq!(msgs.last().unwrap().id, message_id(&r2));

    let e = f
        .run(&f.bob, "posttouser", json!([f.stranger.email, "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::UserNotFound(_)), "{e:?}");
    let e = f
        .run(&f.bob, "posttouser", json!([f.stranger.id, "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::UserNotInOrganization), "{e:?}");

    // An invalid message opens no chat.
    let before = f.store.chats_of_user(f.admin.id()).await.unwrap().len();
    let e = f
        .run(&f.admin, "posttouser", json!(["bob@o", {}]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::InvalidMessage(_)), "{e:?}");
    assert_eq!(
        f.store.chats_of_user(f.admin.id()).await.unwrap().len(),
        before
    );
}

fn recipients(r: &Value) -> Vec<String> {
    let mut ids: Vec<String> = r["user_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[i64]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(i64::to_string).collect();
    v.sort();
    v
}

#[tokio::test]
async fn post_to_bot_reaches_the_actor_or_the_named_users_or_every_subscriber() {
    let f = fixture().await;
    // A user without targets: their own bot chat.
    let r = f
        .run(&f.bob, "posttobot", json!(["helper", "note to self"]))
        .await
        .unwrap();
    assert_eq!(r["status"], "SUCCESS");
    assert_eq!(recipients(&r), sorted(&[f.bob.id()]));
    let detail = &r["message_details"][f.bob.id().to_string()];
    let msgs = f.messages(detail["chat_id"].as_str().unwrap()).await;
    assert_eq!(
        msgs.last().unwrap().id,
        detail["message_id"].as_str().unwrap()
    );
    assert_eq!(msgs.last().unwrap().bot_id, Some(f.bot_id));

    // An admin without targets: every subscriber and the admin.
    let r = f
        .run(&f.admin, "posttobot", json!(["helper", "all hands"]))
        .await
        .unwrap();
    assert_eq!(
        recipients(&r),
        sorted(&[f.admin.id(), f.bob.id(), f.carol.id()])
    );

    // `userids` names the recipients.
    let r = f
        .run(
            &f.bob,
            "posttobot",
            json!(["helper", {"text": "hi", "userids": f.carol.id().to_string()}]),
        )
        .await
        .unwrap();
    assert_eq!(recipients(&r), sorted(&[f.carol.id()]));

    // As admin: every subscriber, not the sender.
    let r = f
        .run(
            &f.admin,
            "posttobotasadmin",
            json!(["helper", "notice", "conn"]),
        )
        .await
        .unwrap();
    assert_eq!(recipients(&r), sorted(&[f.bob.id(), f.carol.id()]));

    let e = f
        .run(&f.bob, "posttobot", json!(["ghost", "x"]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::BotNotFound), "{e:?}");
}

#[tokio::test]
async fn datastore_tasks_are_refused_as_not_supported_yet() {
    let f = fixture().await;
    let e = f
        .run(&f.bob, "createrecord", json!(["db", {"a": 1}]))
        .await
        .unwrap_err();
    assert!(matches!(e, ServiceError::Invalid(_)), "{e:?}");
    assert_eq!(
        e.to_string(),
        "zoho.cliq.createRecord is not supported yet: cliqd has no datastores"
    );
}

#[tokio::test]
async fn system_variables_name_the_actor_and_the_admin() {
    let f = fixture().await;
    let admin = org_admin(f.store.as_ref(), f.bob.org_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.id, f.admin.id());
    let var = |name| system_variable(&f.bob, Some(&admin), name);
    assert_eq!(var("loginuserid"), Some(json!("bob@o")));
    assert_eq!(var("loginuser"), Some(json!("bob@o")));
    assert_eq!(var("zoho.adminuserid"), Some(json!("admin@o")));
    assert_eq!(var("ADMINUSER"), Some(json!("admin@o")));
    assert_eq!(var("currenttime"), None);
    assert_eq!(system_variable(&f.bob, None, "adminuserid"), None);
    // The other organization has no admin.
    assert!(
        org_admin(f.store.as_ref(), f.stranger.org_id)
            .await
            .unwrap()
            .is_none()
    );
}
