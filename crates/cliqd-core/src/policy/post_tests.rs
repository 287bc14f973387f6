//! Every refusal of [`plan_post`] and every plan it makes.

use super::*;

const ORG: i64 = 1;
const ME: i64 = 10;
const BOT: i64 = 77;

fn chat(id: &str, kind: ChatKind) -> ChatFacts {
    ChatFacts {
        id: id.into(),
        org_id: ORG,
        kind,
        creator_id: 5,
        channel_id: None,
        bot_id: None,
        parent_chat_id: None,
        closed: false,
    }
}

fn channel_chat() -> ChatFacts {
    ChatFacts {
        channel_id: Some("O1".into()),
        ..chat("CT_1_5", ChatKind::Channel)
    }
}

fn thread_chat() -> ChatFacts {
    ChatFacts {
        parent_chat_id: Some("CT_1_5".into()),
        ..chat("CT_2_5-T-3", ChatKind::Thread)
    }
}

fn parent_message() -> ParentMessage {
    ParentMessage {
        id: "100_1".into(),
        chat_id: "CT_1_5".into(),
        seq: 3,
        sender_id: 20,
        text: Some("Release plan".into()),
    }
}

fn facts(target: ChatFacts) -> PostFacts {
    PostFacts {
        org_id: ORG,
        sender_id: ME,
        target: Target::Chat(target),
        parent: None,
        sender_is_member: true,
        bot: None,
        thread: None,
        reply_to: None,
        post_in_parent: false,
    }
}

fn reply(found_in: Option<&str>) -> Option<ReplyFacts> {
    Some(ReplyFacts {
        message_id: "50_9".into(),
        found_in: found_in.map(String::from),
    })
}

fn new_thread(existing: Option<ChatFacts>) -> Option<ThreadFacts> {
    Some(ThreadFacts {
        parent: Some(parent_message()),
        existing,
        title: None,
    })
}

#[test]
fn refusals_of_the_target_and_the_sender() {
    let mut f = facts(channel_chat());
    f.target = Target::ChannelNotFound;
    assert_eq!(plan_post(&f), Err(Refusal::ChannelNotFound));
    f.target = Target::ChatNotFound;
    assert_eq!(plan_post(&f), Err(Refusal::ChatNotFound));
    f.target = Target::Chat(ChatFacts {
        org_id: 2,
        ..channel_chat()
    });
    assert_eq!(plan_post(&f), Err(Refusal::ChatNotFound));
    let mut f = facts(channel_chat());
    f.sender_is_member = false;
    // Membership is checked before anything about threads or replies.
    f.thread = Some(ThreadFacts {
        parent: None,
        existing: None,
        title: None,
    });
    assert_eq!(plan_post(&f), Err(Refusal::NotMember));
}

#[test]
fn bots_post_only_where_associated() {
    let mut f = facts(channel_chat());
    f.bot = Some(BotFacts {
        bot_id: BOT,
        channel_id: Some("O1".into()),
        associated: false,
    });
    assert_eq!(plan_post(&f), Err(Refusal::BotNotMember));
    f.bot = Some(BotFacts {
        bot_id: BOT,
        channel_id: Some("O1".into()),
        associated: true,
    });
    assert!(plan_post(&f).is_ok());
    // Outside channels: only the bot's own chat.
    let mut f = facts(ChatFacts {
        bot_id: Some(BOT),
        ..chat("CT_3_10-B2", ChatKind::Bot)
    });
    f.bot = Some(BotFacts {
        bot_id: BOT,
        channel_id: None,
        associated: false,
    });
    assert!(plan_post(&f).is_ok());
    f.bot = Some(BotFacts {
        bot_id: BOT + 1,
        channel_id: None,
        associated: true,
    });
    assert_eq!(plan_post(&f), Err(Refusal::BotNotMember));
}

#[test]
fn a_threads_channel_is_its_parents() {
    let t = thread_chat();
    let parent = channel_chat();
    assert_eq!(bot_channel(&t, Some(&parent)), Some("O1"));
    assert_eq!(bot_channel(&t, None), None);
    assert_eq!(bot_channel(&parent, None), Some("O1"));
    assert_eq!(
        bot_channel(&chat("CT_9_1", ChatKind::GroupChat), None),
        None
    );
}

#[test]
fn thread_refusals() {
    let mut f = facts(thread_chat());
    f.thread = new_thread(None);
    assert_eq!(plan_post(&f), Err(Refusal::NestedThread));
    let mut f = facts(channel_chat());
    f.thread = Some(ThreadFacts {
        parent: None,
        existing: None,
        title: None,
    });
    assert_eq!(plan_post(&f), Err(Refusal::ThreadParentNotFound));
    let closed = ChatFacts {
        closed: true,
        ..thread_chat()
    };
    let mut f = facts(channel_chat());
    f.thread = new_thread(Some(closed.clone()));
    assert_eq!(plan_post(&f), Err(Refusal::ThreadClosed));
    // Posting straight into a closed thread, too.
    assert_eq!(plan_post(&facts(closed)), Err(Refusal::ThreadClosed));
    // A closed flag means nothing outside threads.
    let closed_channel = ChatFacts {
        closed: true,
        ..channel_chat()
    };
    assert!(plan_post(&facts(closed_channel)).is_ok());
}

#[test]
fn reply_to_must_be_in_the_landing_chat_or_its_parent() {
    let mut f = facts(channel_chat());
    f.reply_to = reply(None);
    assert_eq!(plan_post(&f), Err(Refusal::ReplyToNotFound));
    f.reply_to = reply(Some("CT_other"));
    assert_eq!(plan_post(&f), Err(Refusal::ReplyToNotFound));
    f.reply_to = reply(Some("CT_1_5"));
    assert!(plan_post(&f).is_ok());
    // In a thread: the thread or its parent chat.
    let mut f = facts(thread_chat());
    for ok in ["CT_2_5-T-3", "CT_1_5"] {
        f.reply_to = reply(Some(ok));
        assert!(plan_post(&f).is_ok(), "{ok}");
    }
    // A new thread is empty: its parent chat.
    let mut f = facts(channel_chat());
    f.thread = new_thread(None);
    f.reply_to = reply(Some("CT_1_5"));
    assert!(plan_post(&f).is_ok());
    f.reply_to = reply(Some("CT_2_5-T-3"));
    assert_eq!(plan_post(&f), Err(Refusal::ReplyToNotFound));
}

#[test]
fn plain_post() {
    let plan = plan_post(&facts(channel_chat())).unwrap();
    assert_eq!(
        plan,
        PostPlan {
            landing: Landing::Chat(channel_chat()),
            follow: vec![],
            parent_copy: None,
        }
    );
    // Outside threads, post_in_parent does nothing.
    let mut f = facts(channel_chat());
    f.post_in_parent = true;
    assert_eq!(plan_post(&f).unwrap().parent_copy, None);
}

#[test]
fn opening_a_thread() {
    let mut f = facts(channel_chat());
    f.thread = new_thread(None);
    let plan = plan_post(&f).unwrap();
    assert_eq!(
        plan.landing,
        Landing::NewThread(NewThread {
            org_id: ORG,
            parent_chat_id: "CT_1_5".into(),
            parent_message_id: "100_1".into(),
            title: "Release plan".into(),
            creator_id: 5,
            suffix: ChatSuffix::Thread(3),
        })
    );
    // The parent message's sender follows, then the poster.
    assert_eq!(plan.follow, vec![20, ME]);
    assert_eq!(plan.parent_copy, None);
    // A given title wins; replying to your own message follows once.
    let mut f = facts(channel_chat());
    f.thread = Some(ThreadFacts {
        parent: Some(ParentMessage {
            sender_id: ME,
            text: None,
            ..parent_message()
        }),
        existing: None,
        title: Some("Mine".into()),
    });
    let plan = plan_post(&f).unwrap();
    assert!(matches!(&plan.landing, Landing::NewThread(t) if t.title == "Mine"));
    assert_eq!(plan.follow, vec![ME]);
}

#[test]
fn default_titles() {
    let mut m = parent_message();
    m.text = None;
    assert_eq!(thread_title(&m), "Thread");
    m.text = Some("é".repeat(150));
    assert_eq!(thread_title(&m).chars().count(), 100);
}

#[test]
fn posting_into_an_existing_thread() {
    let mut f = facts(channel_chat());
    f.thread = new_thread(Some(thread_chat()));
    let plan = plan_post(&f).unwrap();
    assert_eq!(plan.landing, Landing::Chat(thread_chat()));
    assert_eq!(plan.follow, vec![ME]);
    let plan = plan_post(&facts(thread_chat())).unwrap();
    assert_eq!(plan.landing, Landing::Chat(thread_chat()));
    assert_eq!(plan.follow, vec![ME]);
}

#[test]
fn copies_to_the_parent_chat() {
    // Into a thread directly, replying to a message of the parent chat: the copy keeps it.
    let mut f = facts(thread_chat());
    f.post_in_parent = true;
    f.reply_to = reply(Some("CT_1_5"));
    assert_eq!(
        plan_post(&f).unwrap().parent_copy,
        Some(ParentCopy {
            chat_id: "CT_1_5".into(),
            reply_to: Some("50_9".into()),
        })
    );
    // Replying to a message of the thread: the copy does not.
    f.reply_to = reply(Some("CT_2_5-T-3"));
    assert_eq!(
        plan_post(&f).unwrap().parent_copy,
        Some(ParentCopy {
            chat_id: "CT_1_5".into(),
            reply_to: None,
        })
    );
    // Opening a thread copies too.
    let mut f = facts(channel_chat());
    f.thread = new_thread(None);
    f.post_in_parent = true;
    assert_eq!(
        plan_post(&f).unwrap().parent_copy,
        Some(ParentCopy {
            chat_id: "CT_1_5".into(),
            reply_to: None,
        })
    );
    // And posting into an existing thread by its parent message.
    let mut f = facts(channel_chat());
    f.thread = new_thread(Some(thread_chat()));
    f.post_in_parent = true;
    f.reply_to = reply(Some("CT_1_5"));
    assert_eq!(
        plan_post(&f).unwrap().parent_copy,
        Some(ParentCopy {
            chat_id: "CT_1_5".into(),
            reply_to: Some("50_9".into()),
        })
    );
}

#[test]
fn reply_to_outside_plans() {
    // A plain chat (a bot chat): only its own messages.
    assert!(reply_to_allowed("CT_3_10-B2", "CT_3_10-B2", None, None));
    assert!(!reply_to_allowed("CT_1_5", "CT_3_10-B2", None, None));
    // A thread: also its parent chat; a new thread: the parent message's chat.
    assert!(reply_to_allowed(
        "CT_1_5",
        "CT_2_5-T-3",
        Some("CT_1_5"),
        None
    ));
    assert!(reply_to_allowed("CT_1_5", "CT_1_5", None, Some("CT_1_5")));
    assert!(!reply_to_allowed(
        "CT_9_1",
        "CT_2_5-T-3",
        Some("CT_1_5"),
        None
    ));
}
