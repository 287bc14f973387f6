//! Page versions ([`PageVersion`]): a sink that keeps pages learns the chat's version before
//! the page, and the version moves with every change a page shows — and only then (a version
//! that moved with every write anywhere would keep nothing).

use super::TestStore;
use super::messaging::{post, setup};
use crate::*;
use serde_json::json;

/// A sink that keeps pages: it records the version it is told and holds the page at `held`.
struct Keeping {
    held: Option<PageVersion>,
    told: Option<PageVersion>,
    messages: Vec<String>,
}

impl PageSink for Keeping {
    fn message(&mut self, m: &MessageRef<'_>) -> StoreResult<()> {
        self.messages.push(m.id.to_string());
        Ok(())
    }

    fn keeps_pages(&self) -> bool {
        true
    }

    fn at_version(&mut self, version: PageVersion) -> bool {
        assert!(
            self.told.is_none(),
            "a version is told once, before any message"
        );
        assert!(
            self.messages.is_empty(),
            "a version is told before any message"
        );
        self.told = Some(version);
        self.held == Some(version)
    }
}

fn newest(chat_id: &str) -> MessageQuery {
    MessageQuery {
        chat_id: chat_id.to_string(),
        from_time: None,
        to_time: None,
        after_seq: None,
        limit: 50,
    }
}

/// `user` posts `text` into `chat_id`.
async fn say(store: &dyn Store, user: &UserRow, chat_id: &str, text: &str) -> MessageRow {
    store
        .post_message(post(user, PostTarget::Chat(chat_id.into()), text))
        .await
        .unwrap()
        .unwrap()
}

/// The newest page of `chat_id` read by `user` with a keeping sink that holds `held`: the
/// membership, the version told, and the messages handed over.
async fn read(
    store: &dyn Store,
    user: &UserRow,
    chat_id: &str,
    held: Option<PageVersion>,
) -> StoreResult<(bool, Option<PageVersion>, Vec<String>)> {
    let sink = Box::new(Keeping {
        held,
        told: None,
        messages: Vec::new(),
    });
    let (member, sink) = store
        .member_page_into(user.org_id, chat_id, user.id, Some(newest(chat_id)), sink)
        .await?;
    let sink: Box<dyn std::any::Any> = sink;
    let k = sink.downcast::<Keeping>().unwrap();
    Ok((member, k.told, k.messages))
}

/// The version of `chat_id` as its member `user` reads it, checking that a sink holding that
/// version is handed no message and one holding another version is handed the page.
async fn version(store: &dyn Store, user: &UserRow, chat_id: &str) -> PageVersion {
    let (member, told, messages) = read(store, user, chat_id, None).await.unwrap();
    assert!(member);
    let v = told.expect("a keeping sink is told the version");
    let (_, again, none) = read(store, user, chat_id, Some(v)).await.unwrap();
    assert_eq!(again, Some(v), "nothing changed between two reads");
    assert!(
        none.is_empty(),
        "a sink holding the version gets no message"
    );
    let (_, _, all) = read(store, user, chat_id, Some(PageVersion([-1, -1, -1])))
        .await
        .unwrap();
    assert_eq!(
        all, messages,
        "a sink holding another version gets the page"
    );
    // The page is the page a sink that keeps nothing reads (newest first, as it comes).
    let (_, rows) = store
        .member_page(user.org_id, chat_id, user.id, Some(newest(chat_id)))
        .await
        .unwrap();
    let mut ids: Vec<String> = rows.into_iter().map(|m| m.id).collect();
    ids.reverse();
    assert_eq!(messages, ids);
    v
}

pub async fn page_versions_move_with_what_a_page_shows(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let store = store.as_ref();
    let chat = general.chat_id.as_str();
    let other = store
        .create_channel(NewChannel {
            org_id: a.org_id,
            kind: "organization".into(),
            name: "Other".into(),
            unique_name: "other".into(),
            description: String::new(),
            creator_id: a.id,
            team_ids: vec![],
            members: vec![],
        })
        .await
        .unwrap();
    // An empty page tells no version: there is nothing to keep.
    let (member, told, _) = read(store, &a, chat, None).await.unwrap();
    assert_eq!((member, told), (true, None));
    say(store, &a, chat, "zero").await;
    let mut seen = vec![version(store, &a, chat).await];
    let moved = |seen: &mut Vec<PageVersion>, v: PageVersion, what: &str| {
        assert!(
            !seen.contains(&v),
            "{what}: the version moved to one never seen"
        );
        seen.push(v);
    };

    let first = say(store, &a, chat, "one").await;
    moved(&mut seen, version(store, &a, chat).await, "a post");
    // Another member reads the same version; joining is not a change of the page.
    store.add_chat_members(chat, vec![b.id]).await.unwrap();
    assert_eq!(version(store, &b, chat).await, *seen.last().unwrap());

    // Writes that no page of this chat shows leave its version alone.
    let before = *seen.last().unwrap();
    say(store, &a, &other.chat_id, "elsewhere").await;
    store
        .add_reaction(chat, &first.id, ":smile:", b.id)
        .await
        .unwrap();
    assert_eq!(version(store, &a, chat).await, before, "unrelated writes");

    store
        .edit_message(chat, &first.id, json!({"text": "one, edited"}), Vec::new())
        .await
        .unwrap();
    moved(&mut seen, version(store, &a, chat).await, "an edit");

    let mut reply = post(&a, PostTarget::Chat(chat.into()), "a reply in a thread");
    reply.thread_message_id = Some(first.id.clone());
    let reply = store.post_message(reply).await.unwrap().unwrap();
    moved(
        &mut seen,
        version(store, &a, chat).await,
        "a thread's start",
    );
    // The thread is a chat of its own, with its own version.
    let thread = version(store, &a, &reply.chat_id).await;
    say(store, &a, &reply.chat_id, "two").await;
    assert_ne!(version(store, &a, &reply.chat_id).await, thread);

    let second = say(store, &a, chat, "two").await;
    moved(&mut seen, version(store, &a, chat).await, "a second post");
    store.delete_message(chat, &second.id).await.unwrap();
    moved(&mut seen, version(store, &a, chat).await, "a deletion");

    // A bot's name shows on its messages: renaming or deleting a component moves it.
    let bot = store
        .create_component(super::components::bot(&a, "Helper"))
        .await
        .unwrap();
    store
        .update_component(
            bot.id,
            ComponentPatch {
                name: Some("Helper Two".into()),
                scope: None,
                team_ids: None,
                attrs: None,
            },
        )
        .await
        .unwrap();
    moved(
        &mut seen,
        version(store, &a, chat).await,
        "a component's rename",
    );
    store
        .delete_component(a.org_id, &bot.kind, bot.id)
        .await
        .unwrap();
    moved(
        &mut seen,
        version(store, &a, chat).await,
        "a component's deletion",
    );

    // A restore moves every version past the old content's, though its counts repeat.
    store.save_snapshot("page-versions").await.unwrap();
    say(store, &a, chat, "after the snapshot").await;
    moved(
        &mut seen,
        version(store, &a, chat).await,
        "a post after the snapshot",
    );
    store.restore_snapshot("page-versions").await.unwrap();
    moved(&mut seen, version(store, &a, chat).await, "a restore");
    say(store, &a, chat, "same count, new text").await;
    moved(
        &mut seen,
        version(store, &a, chat).await,
        "a post after the restore",
    );

    // Refusals tell no version: not a member, another organization's chat.
    let stranger = super::messaging_more::user(store, a.org_id, "stranger@o", "S").await;
    let (member, told, messages) = read(store, &stranger, &other.chat_id, None).await.unwrap();
    assert_eq!((member, told, messages.len()), (false, None, 0));
    let elsewhere = store.create_org("elsewhere").await.unwrap();
    let outsider = super::messaging_more::user(store, elsewhere.id, "out@x", "O").await;
    assert!(matches!(
        read(store, &outsider, chat, None).await,
        Err(StoreError::NotFound)
    ));
}
