//! The `zoho.cliq.*` Deluge tasks (<https://www.zoho.com/deluge/help/cliq/post-to-chat.html>
//! and its sibling pages), performed as the actor through the same domain functions the HTTP
//! API uses, with the same validation, membership rules and refusals.
//!
//! [`CliqTask::parse`] reads a task call as the interpreter hands it over (the lower-case name
//! without `zoho.cliq.`, the arguments as JSON); [`perform`] does it. Each task maps onto one v2
//! endpoint (`/api/v2/chats/{id}/message`, `/api/v2/channelsbyname/{name}/message` with
//! `?bot_unique_name=`, `/api/v2/bots/{name}/message`, `/api/v2/buddies/{user}/message`), and
//! its result map is that endpoint's `sync_message` reply with `"status": "SUCCESS"` in front,
//! so a script sees the same map whether the task ran inside the server or against it over
//! HTTP (`cliqd deluge run --server`):
//!
//! - posts into a chat, channel, thread or direct chat: `{"status": "SUCCESS", "message_id":
//!   "…"}`, plus `"thread_chat_id"` when the message opened (or joined) a thread with
//!   `thread_message_id`;
//! - posts as a bot into users' bot chats: `{"status": "SUCCESS", "user_ids": ["…"],
//!   "message_details": {"<user id>": {"chat_id": "…", "message_id": "…"}}}`.
//!
//! The datastore tasks (`createRecord`, `getRecords`, …) parse but are refused: cliqd has no
//! datastores yet.

use crate::{
    Actor, PostAs, ServiceError, ServiceResult, find_bot, open_direct_chat, post_bot_messages,
    post_message, validate_post,
};
use cliqd_message::{Message, MessageContext};
use cliqd_store::{MessageRow, PostTarget, Store, UserRow};
use serde_json::{Map, Value, json};

/// A `zoho.cliq.*` task with its arguments read. `message` is a JSON object (a text message
/// `"hi"` is read as `{"text": "hi"}`); it is validated when the task is performed, exactly
/// as the HTTP API validates a posted body.
#[derive(Debug, Clone, PartialEq)]
pub enum CliqTask {
    /// `zoho.cliq.postToChat(chat_id, message[, connection])`: a chat or a thread chat.
    PostToChat { chat_id: String, message: Value },
    /// `zoho.cliq.postToChannel(channel_unique_name, message[, connection])`.
    PostToChannel {
        channel_unique_name: String,
        message: Value,
    },
    /// `zoho.cliq.postToChannelAsBot(channel_unique_name, bot_unique_name, message[,
    /// connection])`: the bot must be associated with the channel.
    PostToChannelAsBot {
        channel_unique_name: String,
        bot_unique_name: String,
        message: Value,
    },
    /// `zoho.cliq.postToBot(bot_unique_name, message[, connection])`: into bot chats; the
    /// message may carry `userids`/`user_ids` and `broadcast`.
    PostToBot {
        bot_unique_name: String,
        message: Value,
    },
    /// `zoho.cliq.postToBotAsAdmin(bot_unique_name, message[, connection])`: every subscriber
    /// receives it. `message` already carries `"broadcast": true` (unless it names
    /// `userids`/`user_ids` or sets `broadcast` itself).
    PostToBotAsAdmin {
        bot_unique_name: String,
        message: Value,
    },
    /// `zoho.cliq.postToUser(email or ZUID, message[, connection])`: the direct chat with that
    /// user, opened on first use.
    PostToUser { user: String, message: Value },
    /// A datastore task (`createrecord`, `getrecords`, `getrecordbyid`, `updaterecord`,
    /// `deleterecord`, `deleterecords`), lower-case.
    Datastore { task: String },
}

/// The datastore tasks, lower-case.
const DATASTORE_TASKS: &[&str] = &[
    "createrecord",
    "getrecords",
    "getrecordbyid",
    "updaterecord",
    "deleterecord",
    "deleterecords",
];

/// The documented spelling of a task, for messages a script shows.
fn display_name(task: &str) -> &str {
    match task {
        "posttochat" => "postToChat",
        "posttochannel" => "postToChannel",
        "posttochannelasbot" => "postToChannelAsBot",
        "posttobot" => "postToBot",
        "posttobotasadmin" => "postToBotAsAdmin",
        "posttouser" => "postToUser",
        "createrecord" => "createRecord",
        "getrecords" => "getRecords",
        "getrecordbyid" => "getRecordById",
        "updaterecord" => "updateRecord",
        "deleterecord" => "deleteRecord",
        "deleterecords" => "deleteRecords",
        other => other,
    }
}

/// A JSON value's type as a script knows it.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a text",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

/// Reads the arguments of one task: `params` names the required ones (the last is the
/// message); one more, the `connection`, is accepted and ignored.
struct Args<'a> {
    task: &'a str,
    args: &'a [Value],
}

impl Args<'_> {
    fn check_count(&self, params: &[&str]) -> Result<(), String> {
        let n = self.args.len();
        if n == params.len() || n == params.len() + 1 {
            return Ok(());
        }
        Err(format!(
            "zoho.cliq.{} takes {} or {} arguments ({}[, connection]), not {n}",
            self.task,
            params.len(),
            params.len() + 1,
            params.join(", "),
        ))
    }

    /// A name or id argument: a text, or a number (a ZUID or chat id written unquoted).
    fn name(&self, i: usize, param: &str) -> Result<String, String> {
        match self.args.get(i) {
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim().to_string()),
            Some(Value::String(_)) => Err(format!("zoho.cliq.{}: {param} is empty", self.task)),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(other) => Err(format!(
                "zoho.cliq.{}: {param} must be a text, not {}",
                self.task,
                type_name(other)
            )),
            None => Err(format!("zoho.cliq.{}: {param} is missing", self.task)),
        }
    }

    /// The message argument: a map as given, a text as `{"text": …}`.
    fn message(&self, i: usize) -> Result<Value, String> {
        match self.args.get(i) {
            Some(Value::Object(m)) => Ok(Value::Object(m.clone())),
            Some(Value::String(s)) => Ok(json!({"text": s})),
            Some(Value::Array(_)) => Err(format!(
                "zoho.cliq.{}: files cannot be posted yet; the message must be a text or a map",
                self.task
            )),
            Some(other) => Err(format!(
                "zoho.cliq.{}: the message must be a text or a map, not {}",
                self.task,
                type_name(other)
            )),
            None => Err(format!("zoho.cliq.{}: the message is missing", self.task)),
        }
    }
}

impl CliqTask {
    /// Reads `zoho.cliq.<task>(args…)`. `task` is matched case-insensitively, with or without
    /// the `zoho.cliq.` prefix. An `Err` is a message for the script: an unknown task, a wrong
    /// number of arguments, or an argument of the wrong type.
    pub fn parse(task: &str, args: &[Value]) -> Result<CliqTask, String> {
        let lower = task.trim().to_ascii_lowercase();
        let lower = lower.strip_prefix("zoho.cliq.").unwrap_or(&lower);
        let a = Args {
            task: display_name(lower),
            args,
        };
        let parsed = match lower {
            "posttochat" => {
                a.check_count(&["chat_id", "message"])?;
                CliqTask::PostToChat {
                    chat_id: a.name(0, "chat_id")?,
                    message: a.message(1)?,
                }
            }
            "posttochannel" => {
                a.check_count(&["channel_unique_name", "message"])?;
                CliqTask::PostToChannel {
                    channel_unique_name: a.name(0, "channel_unique_name")?.to_lowercase(),
                    message: a.message(1)?,
                }
            }
            "posttochannelasbot" => {
                a.check_count(&["channel_unique_name", "bot_unique_name", "message"])?;
                CliqTask::PostToChannelAsBot {
                    channel_unique_name: a.name(0, "channel_unique_name")?.to_lowercase(),
                    bot_unique_name: a.name(1, "bot_unique_name")?,
                    message: a.message(2)?,
                }
            }
            "posttobot" => {
                a.check_count(&["bot_unique_name", "message"])?;
                CliqTask::PostToBot {
                    bot_unique_name: a.name(0, "bot_unique_name")?,
                    message: a.message(1)?,
                }
            }
            "posttobotasadmin" => {
                a.check_count(&["bot_unique_name", "message"])?;
                let mut message = a.message(1)?;
                if let Value::Object(m) = &mut message
                    && !["user_ids", "userids", "broadcast"]
                        .iter()
                        .any(|k| m.contains_key(*k))
                {
                    m.insert("broadcast".into(), true.into());
                }
                CliqTask::PostToBotAsAdmin {
                    bot_unique_name: a.name(0, "bot_unique_name")?,
                    message,
                }
            }
            "posttouser" => {
                a.check_count(&["user", "message"])?;
                CliqTask::PostToUser {
                    user: a.name(0, "user")?,
                    message: a.message(1)?,
                }
            }
            t if DATASTORE_TASKS.contains(&t) => CliqTask::Datastore {
                task: t.to_string(),
            },
            other => return Err(format!("unknown task zoho.cliq.{other}")),
        };
        Ok(parsed)
    }

    /// The task's documented name, e.g. `postToChannel`.
    pub fn name(&self) -> &str {
        match self {
            CliqTask::PostToChat { .. } => "postToChat",
            CliqTask::PostToChannel { .. } => "postToChannel",
            CliqTask::PostToChannelAsBot { .. } => "postToChannelAsBot",
            CliqTask::PostToBot { .. } => "postToBot",
            CliqTask::PostToBotAsAdmin { .. } => "postToBotAsAdmin",
            CliqTask::PostToUser { .. } => "postToUser",
            CliqTask::Datastore { task } => display_name(task),
        }
    }
}

/// A task's result map: `"status": "SUCCESS"` followed by the fields of the HTTP endpoint's
/// `sync_message` reply (see the module documentation). Also what the CLI builds from a
/// server's reply, so both paths give a script the same map.
pub fn task_result(reply: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    out.insert("status".into(), "SUCCESS".into());
    for (k, v) in reply {
        out.insert(k.clone(), v.clone());
    }
    Value::Object(out)
}

/// The error a script sees when `task` was refused: the task and the refusal, with every
/// field error of an invalid message by JSON path, e.g. `zoho.cliq.postToChannel failed: not a
/// member of this chat`.
pub fn task_error(task: &CliqTask, e: &ServiceError) -> String {
    let why = match e {
        ServiceError::InvalidMessage(errs) => {
            let fields: Vec<String> = errs
                .iter()
                .map(|f| {
                    if f.path.is_empty() {
                        f.message.clone()
                    } else {
                        format!("{}: {}", f.path, f.message)
                    }
                })
                .collect();
            format!("invalid message: {}", fields.join("; "))
        }
        other => other.to_string(),
    };
    format!("zoho.cliq.{} failed: {why}", task.name())
}

/// Performs `task` as `actor`: validation, lookups, membership and refusals exactly as the v2
/// endpoint the task maps onto (see the module documentation for the result maps). The
/// datastore tasks are refused with [`ServiceError::Invalid`]: not supported yet.
pub async fn perform(store: &dyn Store, actor: &Actor, task: &CliqTask) -> ServiceResult<Value> {
    match task {
        CliqTask::PostToChat { chat_id, message } => {
            let target = PostTarget::Chat(chat_id.trim().to_string());
            post_as_user(store, actor, target, message, None).await
        }
        CliqTask::PostToChannel {
            channel_unique_name,
            message,
        } => {
            let target = PostTarget::ChannelUniqueName(channel_unique_name.trim().to_lowercase());
            post_as_user(store, actor, target, message, None).await
        }
        CliqTask::PostToChannelAsBot {
            channel_unique_name,
            bot_unique_name,
            message,
        } => {
            let target = PostTarget::ChannelUniqueName(channel_unique_name.trim().to_lowercase());
            post_as_user(store, actor, target, message, Some(bot_unique_name)).await
        }
        CliqTask::PostToUser { user, message } => {
            // Validate first so a bad message does not open a chat (as the HTTP API does).
            validate_post(message, MessageContext::Post)?;
            let chat = open_direct_chat(store, actor, user).await?;
            post_as_user(store, actor, PostTarget::Chat(chat.id), message, None).await
        }
        CliqTask::PostToBot {
            bot_unique_name,
            message,
        }
        | CliqTask::PostToBotAsAdmin {
            bot_unique_name,
            message,
        } => {
            let bot = find_bot(store, actor, bot_unique_name.trim()).await?;
            let msg = validate_post(message, MessageContext::BotMessage)?;
            let sent = post_bot_messages(store, actor, bot.id, &msg).await?;
            Ok(task_result(&bot_sync_reply(&sent)))
        }
        CliqTask::Datastore { task } => Err(ServiceError::Invalid(format!(
            "zoho.cliq.{} is not supported yet: cliqd has no datastores",
            display_name(task)
        ))),
    }
}

/// Validates and posts `message` to `target` as the actor, or as the bot named `bot` (found
/// with the actor's visibility, as `?bot_unique_name=` is).
async fn post_as_user(
    store: &dyn Store,
    actor: &Actor,
    target: PostTarget,
    message: &Value,
    bot: Option<&str>,
) -> ServiceResult<Value> {
    let msg = validate_post(message, MessageContext::Post)?;
    let from = match bot.map(str::trim) {
        None | Some("") => PostAs::User,
        Some(name) => PostAs::Bot(find_bot(store, actor, name).await?.id),
    };
    let row = post_message(store, actor, target, &msg, from).await?.row;
    Ok(task_result(&sync_reply(&msg, &row)))
}

/// The reply to a post that asked for `sync_message`: `{"message_id"}`, plus the
/// `thread_chat_id` the post landed in when it named a `thread_message_id`. What the v2 and v3
/// post endpoints answer, and the body of a post task's result.
pub fn sync_reply(msg: &Message, row: &MessageRow) -> Map<String, Value> {
    let mut reply = Map::new();
    reply.insert("message_id".into(), row.id.clone().into());
    if msg.thread_message_id.is_some() {
        reply.insert("thread_chat_id".into(), row.chat_id.clone().into());
    }
    reply
}

/// The reply to a bot message sent into users' bot chats with `sync_message`: `{"user_ids":
/// [...], "message_details": {"<user id>": {"chat_id", "message_id"}}}`, in the order sent.
pub fn bot_sync_reply(sent: &[(i64, MessageRow)]) -> Map<String, Value> {
    let mut details = Map::new();
    for (user, row) in sent {
        details.insert(
            user.to_string(),
            json!({"chat_id": row.chat_id, "message_id": row.id}),
        );
    }
    let ids: Vec<Value> = sent.iter().map(|(u, _)| u.to_string().into()).collect();
    let mut reply = Map::new();
    reply.insert("user_ids".into(), Value::Array(ids));
    reply.insert("message_details".into(), Value::Object(details));
    reply
}

/// The value of a `zoho.*` user variable for a script run by `actor`, in an organization whose
/// admin is `admin` (see [`org_admin`]); `None` for other names. `name` is matched
/// case-insensitively, with or without `zoho.`. As Zoho documents them
/// (<https://www.zoho.com/creator/help/script/deluge-system-variables.html>), `loginuserid`
/// is the email address of the user running the script and `adminuserid` that of the admin;
/// `loginuser` and `adminuser` are their user names, which for cliqd (where users sign in by
/// email and have no separate user name) are the email addresses too.
pub fn system_variable(actor: &Actor, admin: Option<&UserRow>, name: &str) -> Option<Value> {
    let lower = name.trim().to_ascii_lowercase();
    match lower.strip_prefix("zoho.").unwrap_or(&lower) {
        "loginuser" | "loginuserid" => Some(actor.user.email.clone().into()),
        "adminuser" | "adminuserid" => admin.map(|a| a.email.clone().into()),
        _ => None,
    }
}

/// The admin `zoho.adminuserid` names: the organization's first admin (by id), if any.
pub async fn org_admin(store: &dyn Store, org_id: i64) -> ServiceResult<Option<UserRow>> {
    Ok(store
        .users_of_org(org_id)
        .await?
        .into_iter()
        .find(|u| u.is_admin))
}
