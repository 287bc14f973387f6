//! The plan of a post. A backend loads the [`PostFacts`] inside its write transaction (the
//! target chat, its parent, the sender's membership, the bot's association, the thread's
//! parent message and its thread, the chat `reply_to` lives in), asks [`plan_post`], and then
//! either answers the [`Refusal`] having written nothing or writes what the [`PostPlan`] says.
//!
//! The checks run in this order, and the first that fails is the answer: the target exists
//! (channel, then chat, in the poster's organization); the sender is a member of the chat's
//! access chat; a bot poster is associated with the chat's channel (or owns the bot chat); a
//! thread is not opened inside a thread and its parent message exists in the chat; the chat
//! the post lands in is not a closed thread; `reply_to` names a message of the landing chat,
//! of its parent chat or of the new thread's parent chat.

use crate::ids::ChatSuffix;
use crate::kinds::ChatKind;

/// A chat as the plan needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatFacts {
    pub id: String,
    pub org_id: i64,
    pub kind: ChatKind,
    pub creator_id: i64,
    pub channel_id: Option<String>,
    /// Bot chats: the bot.
    pub bot_id: Option<i64>,
    /// Threads: the chat they hang under.
    pub parent_chat_id: Option<String>,
    /// Threads: closed to new messages.
    pub closed: bool,
}

/// What the post's target resolved to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A channel id or unique name that names no channel of the organization.
    ChannelNotFound,
    /// A chat id that names no chat.
    ChatNotFound,
    Chat(ChatFacts),
}

/// A bot poster and its association with the chat's channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotFacts {
    pub bot_id: i64,
    /// The channel the chat belongs to ([`bot_channel`]), if any.
    pub channel_id: Option<String>,
    /// Whether the bot is associated with that channel (ignored without one).
    pub associated: bool,
}

/// The message a thread hangs under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentMessage {
    pub id: String,
    pub chat_id: String,
    /// Its position in its chat (numbers the thread: `-T-<seq>`).
    pub seq: i64,
    pub sender_id: i64,
    /// Its `text`, if it has one (a new thread's default title).
    pub text: Option<String>,
}

/// A post into the thread under a message (`thread_message_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadFacts {
    /// The parent message, `None` when it is not a message of the target chat. A backend
    /// need not look it up when the target is itself a thread.
    pub parent: Option<ParentMessage>,
    /// The thread already under it, if any.
    pub existing: Option<ChatFacts>,
    /// The title a new thread gets, when the request gives one.
    pub title: Option<String>,
}

/// A `reply_to` and the chat its message was found in (`None`: no such message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyFacts {
    pub message_id: String,
    pub found_in: Option<String>,
}

/// Everything [`plan_post`] decides from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostFacts {
    /// The poster's organization.
    pub org_id: i64,
    pub sender_id: i64,
    pub target: Target,
    /// The target chat's parent chat (threads), needed for a bot's channel.
    pub parent: Option<ChatFacts>,
    /// Whether the sender is a member of the target's access chat (itself or a thread's parent).
    pub sender_is_member: bool,
    pub bot: Option<BotFacts>,
    pub thread: Option<ThreadFacts>,
    pub reply_to: Option<ReplyFacts>,
    /// Also copy a thread post into the thread's parent chat.
    pub post_in_parent: bool,
}

/// Why a post was refused; nothing may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    ChatNotFound,
    ChannelNotFound,
    NotMember,
    BotNotMember,
    /// The thread's parent message does not exist in the chat.
    ThreadParentNotFound,
    /// A thread cannot hold another thread.
    NestedThread,
    /// `reply_to` names no message of the chat the post lands in (for a thread: of the thread
    /// or its parent chat).
    ReplyToNotFound,
    /// The thread the post lands in is closed.
    ThreadClosed,
}

/// A thread to open before posting into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewThread {
    pub org_id: i64,
    /// The chat it hangs under and the message it hangs under.
    pub parent_chat_id: String,
    pub parent_message_id: String,
    pub title: String,
    /// The parent chat's creator (threads are created in its name).
    pub creator_id: i64,
    pub suffix: ChatSuffix,
}

/// Where the message is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Landing {
    Chat(ChatFacts),
    /// Open this thread (mark the parent message with it) and post there.
    NewThread(NewThread),
}

/// A copy of a thread post in the thread's parent chat, naming the thread and the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentCopy {
    pub chat_id: String,
    /// Kept only when it names a message of the parent chat.
    pub reply_to: Option<String>,
}

/// What to write for an accepted post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPlan {
    pub landing: Landing,
    /// Users who follow the landing thread afterwards, in order: a new thread's parent
    /// sender, then the poster (posting in a thread follows it). Empty outside threads.
    pub follow: Vec<i64>,
    pub parent_copy: Option<ParentCopy>,
}

/// The channel a chat belongs to: its own, or for a thread its parent chat's.
pub fn bot_channel<'a>(chat: &'a ChatFacts, parent: Option<&'a ChatFacts>) -> Option<&'a str> {
    match (&chat.parent_chat_id, parent) {
        (Some(_), Some(p)) => p.channel_id.as_deref(),
        (Some(_), None) => None,
        (None, _) => chat.channel_id.as_deref(),
    }
}

/// A new thread's default title: the first 100 characters of its parent message's text.
pub fn thread_title(parent: &ParentMessage) -> String {
    parent
        .text
        .as_deref()
        .unwrap_or("Thread")
        .chars()
        .take(100)
        .collect()
}

/// Whether a `reply_to` found in chat `found_in` may be named by a post landing in chat
/// `landing` (a thread's parent chat is `landing_parent`) or opening a thread under a message
/// of `new_thread_parent` (a new thread is empty). A post into a chat that is neither (such as
/// a bot's message into each recipient's bot chat) passes `None` for both.
pub fn reply_to_allowed(
    found_in: &str,
    landing: &str,
    landing_parent: Option<&str>,
    new_thread_parent: Option<&str>,
) -> bool {
    found_in == landing || landing_parent == Some(found_in) || new_thread_parent == Some(found_in)
}

/// Decides a post: the first refusal that applies, or what to write.
pub fn plan_post(f: &PostFacts) -> Result<PostPlan, Refusal> {
    let chat = match &f.target {
        Target::ChannelNotFound => return Err(Refusal::ChannelNotFound),
        Target::ChatNotFound => return Err(Refusal::ChatNotFound),
        Target::Chat(c) if c.org_id != f.org_id => return Err(Refusal::ChatNotFound),
        Target::Chat(c) => c,
    };
    if !f.sender_is_member {
        return Err(Refusal::NotMember);
    }
    if let Some(bot) = &f.bot {
        let associated = match &bot.channel_id {
            Some(_) => bot.associated,
            None => chat.bot_id == Some(bot.bot_id),
        };
        if !associated {
            return Err(Refusal::BotNotMember);
        }
    }
    let (thread_parent, existing_thread) = match &f.thread {
        None => (None, None),
        Some(t) => {
            if chat.kind == ChatKind::Thread {
                return Err(Refusal::NestedThread);
            }
            let parent = t.parent.as_ref().ok_or(Refusal::ThreadParentNotFound)?;
            (Some((parent, t)), t.existing.as_ref())
        }
    };
    let landing = existing_thread.unwrap_or(chat);
    if landing.kind == ChatKind::Thread && landing.closed {
        return Err(Refusal::ThreadClosed);
    }
    let mut reply_chat = None;
    if let Some(reply) = &f.reply_to {
        match &reply.found_in {
            Some(found)
                if reply_to_allowed(
                    found,
                    &landing.id,
                    landing.parent_chat_id.as_deref(),
                    thread_parent.map(|(m, _)| m.chat_id.as_str()),
                ) =>
            {
                reply_chat = Some(found)
            }
            _ => return Err(Refusal::ReplyToNotFound),
        }
    }
    // Accepted: where it lands, who follows, what is copied.
    let mut follow = Vec::new();
    let (landing, thread_parent_chat) = match (thread_parent, existing_thread) {
        (Some(_), Some(t)) => (Landing::Chat(t.clone()), t.parent_chat_id.clone()),
        (Some((parent, t)), None) => {
            follow.push(parent.sender_id);
            let new = NewThread {
                org_id: chat.org_id,
                parent_chat_id: chat.id.clone(),
                parent_message_id: parent.id.clone(),
                title: t.title.clone().unwrap_or_else(|| thread_title(parent)),
                creator_id: chat.creator_id,
                suffix: ChatSuffix::Thread(parent.seq),
            };
            (Landing::NewThread(new), Some(chat.id.clone()))
        }
        (None, _) if chat.kind == ChatKind::Thread => {
            (Landing::Chat(chat.clone()), chat.parent_chat_id.clone())
        }
        (None, _) => (Landing::Chat(chat.clone()), None),
    };
    let in_thread = matches!(&landing, Landing::NewThread(_))
        || matches!(&landing, Landing::Chat(c) if c.kind == ChatKind::Thread);
    let mut parent_copy = None;
    if in_thread {
        if !follow.contains(&f.sender_id) {
            follow.push(f.sender_id);
        }
        if f.post_in_parent
            && let Some(parent_chat) = thread_parent_chat
        {
            let reply_to = f
                .reply_to
                .as_ref()
                .filter(|_| reply_chat.map(String::as_str) == Some(parent_chat.as_str()))
                .map(|r| r.message_id.clone());
            parent_copy = Some(ParentCopy {
                chat_id: parent_chat,
                reply_to,
            });
        }
    }
    Ok(PostPlan {
        landing,
        follow,
        parent_copy,
    })
}

#[cfg(test)]
#[path = "post_tests.rs"]
mod tests;
