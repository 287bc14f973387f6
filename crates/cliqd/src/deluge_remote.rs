//! `cliqd deluge run --server URL --token T`: a script's `zoho.cliq.*` tasks performed against
//! a running cliqd through its HTTP API, as the token's user.
//!
//! Each task is read by [`cliqd_service::CliqTask::parse`] (the same reading the server's own
//! handler engine uses) and sent to the v2 endpoint it maps onto, with `sync_message` set so
//! the reply names what was posted; the result map is built from that reply by
//! [`cliqd_service::task_result`], so it equals what the in-process
//! [`cliqd_service::perform`] answers for the same outcome. A refusal becomes a catchable
//! script error quoting Cliq's `{"code", "message"}`. Requests go through the outbound client,
//! with loopback and private addresses allowed: the server URL is the user's explicit choice.

use crate::server_client::ServerClient;
use cliqd_service::{CliqTask, task_result};
use serde_json::{Map, Value};

#[cfg(test)]
#[path = "deluge_remote_tests.rs"]
mod tests;

/// The user a token acts as, as far as the server lets them read it.
#[derive(Debug, Clone)]
struct Identity {
    email: String,
}

/// A running cliqd, reached with one token.
pub struct Remote {
    server: ServerClient,
    runtime: tokio::runtime::Runtime,
    /// The token's user, read on first use of a system variable (an error is kept too, so it
    /// is reported once).
    me: Option<Result<Identity, String>>,
}

impl Remote {
    /// A client for the server at `server` (e.g. `http://127.0.0.1:8080`) acting with `token`.
    pub fn new(server: &str, token: &str) -> anyhow::Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(Remote {
            server: ServerClient::with_token(server, token)?,
            runtime,
            me: None,
        })
    }

    fn url(&self, segments: &[&str], query: &[(&str, &str)]) -> String {
        self.server.url(segments, query)
    }

    /// Sends one request with the token; returns the status and the body parsed as JSON
    /// (`Null` when empty or not JSON).
    fn call(
        &self,
        method: &str,
        url: String,
        body: Option<&Value>,
    ) -> Result<(u16, Value), String> {
        let answer = self
            .runtime
            .block_on(self.server.call_url(method, url, body))
            .map_err(|e| format!("{e:#}"))?;
        Ok((answer.status, answer.body))
    }

    /// Performs `zoho.cliq.<task>(args)` on the server.
    pub fn cliq_task(&mut self, task: &str, args: &[Value]) -> Result<Value, String> {
        let task = CliqTask::parse(task, args)?;
        let (url, message) = match &task {
            CliqTask::PostToChat { chat_id, message } => (
                self.url(&["api", "v2", "chats", chat_id.as_str(), "message"], &[]),
                message,
            ),
            CliqTask::PostToChannel {
                channel_unique_name,
                message,
            } => (
                self.url(
                    &[
                        "api",
                        "v2",
                        "channelsbyname",
                        channel_unique_name,
                        "message",
                    ],
                    &[],
                ),
                message,
            ),
            CliqTask::PostToChannelAsBot {
                channel_unique_name,
                bot_unique_name,
                message,
            } => (
                self.url(
                    &[
                        "api",
                        "v2",
                        "channelsbyname",
                        channel_unique_name,
                        "message",
                    ],
                    &[("bot_unique_name", bot_unique_name)],
                ),
                message,
            ),
            CliqTask::PostToBot {
                bot_unique_name,
                message,
            }
            | CliqTask::PostToBotAsAdmin {
                bot_unique_name,
                message,
            } => (
                self.url(&["api", "v2", "bots", bot_unique_name, "message"], &[]),
                message,
            ),
            CliqTask::PostToUser { user, message } => (
                self.url(&["api", "v2", "buddies", user, "message"], &[]),
                message,
            ),
            CliqTask::Datastore { .. } => {
                return Err(format!(
                    "zoho.cliq.{} is not supported yet: cliqd has no datastores",
                    task.name()
                ));
            }
        };
        // Ask for the reply that names what was posted (the task's result).
        let mut body = message.clone();
        if let Value::Object(m) = &mut body {
            m.insert("sync_message".into(), true.into());
        }
        let (status, reply) = self.call("POST", url, Some(&body))?;
        if (200..300).contains(&status) {
            return Ok(task_result(reply.as_object().unwrap_or(&Map::new())));
        }
        Err(refusal(task.name(), status, &reply))
    }

    /// A `zoho.*` user variable of the token's user (see [`cliqd_service::system_variable`]).
    /// No API names the organization's admin to a user, so `adminuser`/`adminuserid` are not
    /// available against a server.
    pub fn system_variable(&mut self, name: &str) -> Option<Value> {
        let lower = name.trim().to_ascii_lowercase();
        if !matches!(lower.as_str(), "loginuser" | "loginuserid") {
            return None;
        }
        if self.me.is_none() {
            let me = self.identity();
            if let Err(e) = &me {
                eprintln!("zoho.{lower}: cannot read the token's user: {e}");
            }
            self.me = Some(me);
        }
        match &self.me {
            Some(Ok(me)) => Some(me.email.clone().into()),
            _ => None,
        }
    }

    /// The token's user: their id from the real-time stream's greeting, their email from the
    /// member list of one of their chats (every chat lists its members, the caller included).
    fn identity(&self) -> Result<Identity, String> {
        let url = self.url(&["api", "v3", "realtime"], &[]);
        let user_id = self
            .runtime
            .block_on(
                self.server
                    .outbound()
                    .websocket_first_text(&url, &[self.server.authorization()]),
            )
            .map_err(|e| e.to_string())
            .and_then(|text| {
                serde_json::from_str::<Value>(&text)
                    .ok()
                    .and_then(|v| v["user_id"].as_str().map(str::to_string))
                    .ok_or_else(|| format!("unexpected greeting {text}"))
            })?;
        let (status, chats) = self.call("GET", self.url(&["api", "v3", "chats"], &[]), None)?;
        if status != 200 {
            return Err(refusal("chats", status, &chats));
        }
        for chat in chats["data"].as_array().into_iter().flatten() {
            let Some(id) = chat["chat_id"].as_str() else {
                continue;
            };
            let (status, members) = self.call(
                "GET",
                self.url(&["api", "v3", "chats", id, "members"], &[]),
                None,
            )?;
            if status != 200 {
                continue;
            }
            let list = members["data"]
                .as_array()
                .or_else(|| members["members"].as_array());
            if let Some(me) = list
                .into_iter()
                .flatten()
                .find(|m| m["user_id"].as_str() == Some(&user_id))
                && let Some(email) = me["email_id"].as_str()
            {
                return Ok(Identity {
                    email: email.to_string(),
                });
            }
        }
        Err(format!(
            "user {user_id} is in no chat whose members list names their email"
        ))
    }
}

/// A refused request as a script error: the task, the status and Cliq's `{"code", "message"}`.
fn refusal(task: &str, status: u16, reply: &Value) -> String {
    let quoted = match (reply.get("code"), reply.get("message")) {
        (Some(code), Some(message)) => {
            let mut m = Map::new();
            m.insert("code".into(), code.clone());
            m.insert("message".into(), message.clone());
            Value::Object(m).to_string()
        }
        _ => reply.to_string(),
    };
    format!("zoho.cliq.{task} failed (HTTP {status}): {quoted}")
}
