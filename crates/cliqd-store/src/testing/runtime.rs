//! The trigger outbox and the execution journal: triggers are written with their events
//! (posts in bot chats and in channels with bots, subscriptions, associations, edits,
//! deletions, calls), read in commit order, and completed exactly once together with the
//! run's reply posts and journal record; the journal filters, pages and keeps its retention.

use super::TestStore;
use super::messaging::{post, setup};
use crate::*;
use serde_json::json;

async fn bot(store: &dyn Store, owner: &UserRow, name: &str) -> ComponentRow {
    store
        .create_component(super::components::bot(owner, name))
        .await
        .unwrap()
}

fn record(org_id: i64, bot: &ComponentRow, user: i64, outcome: &str, at: i64) -> NewExecution {
    NewExecution {
        org_id,
        component_id: bot.id,
        component_kind: "bot".into(),
        component_name: bot.name.clone(),
        component_creator_id: bot.creator_id,
        handler: "message_handler".into(),
        user_id: user,
        outcome: outcome.into(),
        started_at: at,
        duration_us: 1200,
        detail: json!({"inputs": {"message": "hi"}}),
    }
}

fn kinds(rows: &[TriggerRow]) -> Vec<(TriggerKind, i64)> {
    rows.iter()
        .map(|r| (r.trigger.kind, r.trigger.bot_id))
        .collect()
}

pub async fn triggers_are_written_with_their_events(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let helper = bot(store.as_ref(), &a, "Helper").await;
    let other = bot(store.as_ref(), &a, "Other").await;
    // A subscription opens the bot chat and writes a welcome trigger, once.
    let sub = store
        .subscribe_with_welcome(a.org_id, helper.id, b.id)
        .await
        .unwrap();
    assert!(sub.new && sub.first_ever);
    assert_eq!(sub.chat.bot_id, Some(helper.id));
    let again = store
        .subscribe_with_welcome(a.org_id, helper.id, b.id)
        .await
        .unwrap();
    assert!(!again.new && !again.first_ever);
    assert_eq!(again.chat.id, sub.chat.id);
    let pending = store.pending_triggers(0, 100).await.unwrap();
    assert_eq!(kinds(&pending), [(TriggerKind::Subscribed, helper.id)]);
    assert_eq!(pending[0].trigger.data["newuser"], true);
    assert_eq!(
        pending[0].trigger.chat_id.as_deref(),
        Some(sub.chat.id.as_str())
    );
    // Leaving and coming back: a trigger with newuser false.
    assert!(store.unsubscribe_bot(helper.id, b.id).await.unwrap());
    let back = store
        .subscribe_with_welcome(a.org_id, helper.id, b.id)
        .await
        .unwrap();
    assert!(back.new && !back.first_ever);

    // A user's post in the bot chat notifies the bot; the bot's own post does not.
    let m = store
        .post_message(post(&b, PostTarget::Chat(sub.chat.id.clone()), "hi"))
        .await
        .unwrap()
        .unwrap();
    let mut from_bot = post(&b, PostTarget::Chat(sub.chat.id.clone()), "re: hi");
    from_bot.bot_id = Some(helper.id);
    store.post_message(from_bot).await.unwrap().unwrap();
    // A channel post notifies every associated bot; a refused post writes no trigger.
    assert!(
        store
            .add_bot_to_channel(a.org_id, &general.id, helper.id, a.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_bot_to_channel(a.org_id, &general.id, helper.id, a.id)
            .await
            .unwrap()
    );
    assert!(store.associate_bot(&general.id, other.id).await.unwrap());
    let c = store
        .post_message(post(&a, PostTarget::Chat(general.chat_id.clone()), "all"))
        .await
        .unwrap()
        .unwrap();
    let refused = store
        .post_message(post(&a, PostTarget::ChannelUniqueName("nope".into()), "x"))
        .await
        .unwrap();
    assert!(refused.is_err());
    // An edit and a deletion in the channel notify its bots too.
    store
        .edit_message(&general.chat_id, &c.id, json!({"text": "all!"}), Vec::new())
        .await
        .unwrap();
    store.delete_message(&general.chat_id, &c.id).await.unwrap();

    let all = store.pending_triggers(0, 100).await.unwrap();
    assert_eq!(
        kinds(&all),
        [
            (TriggerKind::Subscribed, helper.id),
            (TriggerKind::Subscribed, helper.id),
            (TriggerKind::MessagePosted, helper.id),
            (TriggerKind::BotAdded, helper.id),
            (TriggerKind::MessagePosted, helper.id),
            (TriggerKind::MessagePosted, other.id),
            (TriggerKind::MessageEdited, helper.id),
            (TriggerKind::MessageEdited, other.id),
            (TriggerKind::MessageDeleted, helper.id),
            (TriggerKind::MessageDeleted, other.id),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].id < w[1].id), "commit order");
    // The same triggers are handed over once, in commit order, with their context as of the
    // commit (a backend that does not hand them over says it lagged).
    let handed = store.take_committed();
    if !handed.lagged {
        let ids: Vec<i64> = handed.triggers.iter().map(|t| t.row.id).collect();
        assert_eq!(ids, all.iter().map(|r| r.id).collect::<Vec<_>>());
        let posted = &handed.triggers[2].context;
        assert_eq!(
            posted.message.as_ref().map(|m| m.id.as_str()),
            Some(m.id.as_str())
        );
        assert_eq!(posted.bot.as_ref().map(|b| b.id), Some(helper.id));
        assert_eq!(posted.user.as_ref().map(|u| u.id), Some(b.id));
        assert_eq!(
            posted.chat.as_ref().map(|c| c.id.as_str()),
            Some(sub.chat.id.as_str())
        );
        assert!(store.take_committed().triggers.is_empty());
    }
    assert_eq!(all[1].trigger.data["newuser"], false);
    assert_eq!(all[2].trigger.message_id.as_deref(), Some(m.id.as_str()));
    assert_eq!(all[2].trigger.user_id, b.id);
    assert_eq!(
        all[3].trigger.chat_id.as_deref(),
        Some(general.chat_id.as_str())
    );
    assert_eq!(all[8].trigger.data["message"]["text"], "all!");
    // Paging: after an id, at most a limit.
    let page = store.pending_triggers(all[2].id, 2).await.unwrap();
    assert_eq!(page.len(), 2);
    assert_eq!(page[0].id, all[3].id);

    // Calls: one ringing trigger per user; a state only from a user the call rings.
    store
        .create_call(a.org_id, helper.id, "call-1", vec![a.id, b.id])
        .await
        .unwrap();
    store
        .report_call(a.org_id, "call-1", b.id, "answered")
        .await
        .unwrap();
    let stranger = store
        .create_user(NewUser {
            org_id: a.org_id,
            email: "c@o".into(),
            name: "C".into(),
            is_admin: false,
        })
        .await
        .unwrap();
    assert!(matches!(
        store
            .report_call(a.org_id, "call-1", stranger.id, "answered")
            .await,
        Err(StoreError::NotFound)
    ));
    let calls: Vec<TriggerRow> = store.pending_triggers(all[9].id, 100).await.unwrap();
    let ops: Vec<(i64, String)> = calls
        .iter()
        .map(|r| {
            (
                r.trigger.user_id,
                r.trigger.data["operation"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            (a.id, "ringing".to_string()),
            (b.id, "ringing".to_string()),
            (b.id, "answered".to_string())
        ]
    );
    assert!(calls.iter().all(|r| r.trigger.data["call_id"] == "call-1"));
}

pub async fn a_trigger_completes_once_with_its_reply_and_record(t: TestStore) {
    let (_dir, store, a, b, general) = setup(t).await;
    let helper = bot(store.as_ref(), &a, "Helper").await;
    let sub = store
        .subscribe_with_welcome(a.org_id, helper.id, b.id)
        .await
        .unwrap();
    let trigger = store.pending_triggers(0, 10).await.unwrap()[0].id;
    let mut events = store.chat_events();
    let mut reply = post(&b, PostTarget::Chat(sub.chat.id.clone()), "welcome!");
    reply.bot_id = Some(helper.id);
    let finish = Finish {
        trigger_id: Some(trigger),
        record: Some(record(a.org_id, &helper, b.id, "success", 1000)),
        deliveries: vec![Delivery::Post(reply)],
        retention: 100,
    };
    let done = store
        .finish_execution(finish.clone())
        .await
        .unwrap()
        .expect("the first completion");
    let rec = done.record.unwrap();
    assert_eq!(rec.delivered.len(), 1);
    let Delivered::Posted(rows) = &done.delivered[0] else {
        panic!("posted")
    };
    assert_eq!(rows[0].bot_id, Some(helper.id));
    assert_eq!(rec.delivered[0], rows[0].id);
    // The post was published after the commit.
    let ev = events.recv().await.unwrap();
    assert!(matches!(ev.kind, ChatEventKind::MessageCreated(_)));
    // Run again (a crash between run and completion): nothing is posted or journaled twice.
    assert!(store.finish_execution(finish).await.unwrap().is_none());
    assert!(store.pending_triggers(0, 10).await.unwrap().is_empty());
    let list = store
        .list_messages(MessageQuery {
            chat_id: sub.chat.id.clone(),
            from_time: None,
            to_time: None,
            after_seq: None,
            limit: 100,
        })
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    let journal = store
        .executions(ExecutionQuery {
            org_id: a.org_id,
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(journal.len(), 1);
    assert_eq!(journal[0], rec);
    assert_eq!(store.execution(a.org_id, rec.id).await.unwrap(), rec);
    assert!(matches!(
        store.execution(a.org_id + 1, rec.id).await,
        Err(StoreError::NotFound)
    ));

    // A refused delivery writes nothing of itself and turns success into refused.
    let mut stray = post(
        &a,
        PostTarget::Chat(general.chat_id.clone()),
        "not associated",
    );
    stray.bot_id = Some(helper.id);
    let done = store
        .finish_execution(Finish {
            trigger_id: None,
            record: Some(record(a.org_id, &helper, b.id, "success", 2000)),
            deliveries: vec![Delivery::Post(stray)],
            retention: 100,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.delivered, [Delivered::Refused(Refusal::BotNotMember)]);
    assert_eq!(done.record.unwrap().execution.outcome, "refused");
    // Bot messages open the recipients' bot chats.
    let done = store
        .finish_execution(Finish {
            trigger_id: None,
            record: None,
            deliveries: vec![Delivery::BotMessages {
                org_id: a.org_id,
                bot_id: helper.id,
                sender_id: a.id,
                user_ids: vec![a.id, b.id],
                kind: "text".into(),
                body: json!({"text": "hello all"}),
                mentions: Vec::new(),
            }],
            retention: 100,
        })
        .await
        .unwrap()
        .unwrap();
    let Delivered::Posted(rows) = &done.delivered[0] else {
        panic!("posted")
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].chat_id, sub.chat.id);
}

pub async fn the_journal_filters_pages_and_keeps_its_retention(t: TestStore) {
    let (_dir, store, a, b, _general) = setup(t).await;
    let mine = bot(store.as_ref(), &a, "Mine").await;
    let theirs = bot(store.as_ref(), &b, "Theirs").await;
    for i in 0..6 {
        let (component, outcome) = if i % 2 == 0 {
            (&mine, "success")
        } else {
            (&theirs, "error")
        };
        store
            .finish_execution(Finish {
                trigger_id: None,
                record: Some(record(a.org_id, component, a.id, outcome, 1000 + i)),
                deliveries: Vec::new(),
                retention: 5,
            })
            .await
            .unwrap()
            .unwrap();
    }
    let q = |f: &dyn Fn(&mut ExecutionQuery)| {
        let mut q = ExecutionQuery {
            org_id: a.org_id,
            limit: 100,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    // Retention 5: the oldest record is gone; newest first.
    let all = store.executions(q(&|_| {})).await.unwrap();
    let times: Vec<i64> = all.iter().map(|r| r.execution.started_at).collect();
    assert_eq!(times, [1005, 1004, 1003, 1002, 1001]);
    let by_creator = store
        .executions(q(&|q| q.creator_id = Some(b.id)))
        .await
        .unwrap();
    assert!(
        by_creator
            .iter()
            .all(|r| r.execution.component_id == theirs.id)
    );
    assert_eq!(by_creator.len(), 3);
    let errors = store
        .executions(q(&|q| q.outcome = Some("error".into())))
        .await
        .unwrap();
    assert_eq!(errors.len(), 3);
    let of_mine = store
        .executions(q(&|q| q.component_id = Some(mine.id)))
        .await
        .unwrap();
    assert_eq!(of_mine.len(), 2);
    let window = store
        .executions(q(&|q| {
            q.from_time = Some(1002);
            q.to_time = Some(1003);
        }))
        .await
        .unwrap();
    assert_eq!(window.len(), 2);
    let page = store
        .executions(q(&|q| {
            q.before_id = Some(all[1].id);
            q.limit = 2;
        }))
        .await
        .unwrap();
    assert_eq!(page, all[2..4].to_vec());
    let newer = store
        .executions(q(&|q| q.after_id = Some(all[2].id)))
        .await
        .unwrap();
    assert_eq!(newer, all[..2].to_vec());
    let other_org = store
        .executions(ExecutionQuery {
            org_id: a.org_id + 1,
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(other_org.is_empty());
}

pub async fn removals_and_thread_states_write_triggers(t: TestStore) {
    let (_dir, store, a, _b, general) = setup(t).await;
    let helper = bot(store.as_ref(), &a, "Helper").await;
    assert!(
        store
            .add_bot_to_channel(a.org_id, &general.id, helper.id, a.id)
            .await
            .unwrap()
    );
    let parent = store
        .post_message(post(&a, PostTarget::Chat(general.chat_id.clone()), "q"))
        .await
        .unwrap()
        .unwrap();
    let mut reply = post(&a, PostTarget::Chat(general.chat_id.clone()), "a");
    reply.thread_message_id = Some(parent.id.clone());
    let in_thread = store.post_message(reply).await.unwrap().unwrap();
    let thread = in_thread.chat_id.clone();
    assert!(store.close_thread(&thread, true, a.id).await.unwrap());
    assert!(!store.close_thread(&thread, true, a.id).await.unwrap());
    assert!(store.close_thread(&thread, false, a.id).await.unwrap());
    assert!(
        store
            .remove_bot_from_channel(a.org_id, &general.id, helper.id, a.id)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_bot_from_channel(a.org_id, &general.id, helper.id, a.id)
            .await
            .unwrap()
    );
    assert!(store.channel_bots(&general.id).await.unwrap().is_empty());
    let all = store.pending_triggers(0, 100).await.unwrap();
    assert_eq!(
        kinds(&all),
        [
            (TriggerKind::BotAdded, helper.id),
            (TriggerKind::MessagePosted, helper.id),
            (TriggerKind::MessagePosted, helper.id),
            (TriggerKind::ThreadClosed, helper.id),
            (TriggerKind::ThreadReopened, helper.id),
            (TriggerKind::BotRemoved, helper.id),
        ]
    );
    assert_eq!(all[2].trigger.chat_id.as_deref(), Some(thread.as_str()));
    assert_eq!(all[3].trigger.data["thread"]["chat_id"], thread.as_str());
    assert_eq!(
        all[5].trigger.chat_id.as_deref(),
        Some(general.chat_id.as_str())
    );
}
