//! Bot conversations (<https://www.zoho.com/cliq/help/platform/bot-contexthandler.html>): a
//! reply carrying `context` asks its questions one by one in the chat; each following message
//! of that user in that chat answers the current question, and no other handler of the bot
//! runs for that user there meanwhile. After the last answer the context handler runs with
//! `context_id` and `answers` (`{"name": {"text": "…"}}`).
//!
//! Timeout: `context.timeout` seconds (default 300) after the last question was asked, the
//! conversation is dropped without running the context handler; the user's next message is
//! handled as any other. Conversations live in memory: they end with the process.

use cliqd_message::model::BotContext;
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Seconds a conversation waits for an answer when the context names no timeout.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// (bot, user, chat).
type Key = (i64, i64, String);

#[derive(Debug, Clone)]
struct Conversation {
    context: BotContext,
    /// The question being asked.
    next: usize,
    answers: Map<String, Value>,
    deadline: Instant,
}

/// What an answer led to.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Ask this question next (a message body with `text` and maybe `suggestions`).
    Ask(Value),
    /// Every question is answered: run the context handler with these.
    Done { context_id: String, answers: Value },
}

/// The open conversations.
#[derive(Default)]
pub struct Conversations {
    open: Mutex<HashMap<Key, Conversation>>,
}

fn timeout_of(c: &BotContext) -> Duration {
    Duration::from_secs(c.timeout.unwrap_or(DEFAULT_TIMEOUT_SECS).max(1))
}

/// The message that asks question `i` of `c`.
pub fn question(c: &BotContext, i: usize) -> Option<Value> {
    let p = c.params.get(i)?;
    let mut body = json!({"text": p.question});
    if let Some(s) = &p.suggestions {
        body["suggestions"] = serde_json::to_value(s).unwrap_or(Value::Null);
    }
    Some(body)
}

impl Conversations {
    /// Forgets every open conversation (the store's content was replaced: their bots, users
    /// and chats may now be others).
    pub fn clear(&self) {
        if let Ok(mut open) = self.open.lock() {
            open.clear();
        }
    }

    /// Opens a conversation (replacing any open one of the same bot, user and chat) and
    /// answers its first question, or `None` when it has none.
    pub fn open(&self, bot: i64, user: i64, chat: &str, context: BotContext) -> Option<Value> {
        let first = question(&context, 0)?;
        let conv = Conversation {
            deadline: Instant::now() + timeout_of(&context),
            context,
            next: 0,
            answers: Map::new(),
        };
        if let Ok(mut open) = self.open.lock() {
            open.insert((bot, user, chat.to_string()), conv);
        }
        Some(first)
    }

    /// Whether a conversation is open (and not timed out); a timed-out one is dropped.
    pub fn is_open(&self, bot: i64, user: i64, chat: &str) -> bool {
        let Ok(mut open) = self.open.lock() else {
            return false;
        };
        let key = (bot, user, chat.to_string());
        match open.get(&key) {
            Some(c) if c.deadline > Instant::now() => true,
            Some(_) => {
                open.remove(&key);
                false
            }
            None => false,
        }
    }

    /// Records `text` as the answer to the current question.
    pub fn answer(&self, bot: i64, user: i64, chat: &str, text: &str) -> Option<Step> {
        let mut open = self.open.lock().ok()?;
        let key = (bot, user, chat.to_string());
        let conv = open.get_mut(&key)?;
        let name = conv.context.params.get(conv.next)?.name.clone();
        conv.answers.insert(name, json!({"text": text}));
        conv.next += 1;
        if let Some(q) = question(&conv.context, conv.next) {
            conv.deadline = Instant::now() + timeout_of(&conv.context);
            return Some(Step::Ask(q));
        }
        let done = open.remove(&key)?;
        Some(Step::Done {
            context_id: done.context.id,
            answers: Value::Object(done.answers),
        })
    }
}
