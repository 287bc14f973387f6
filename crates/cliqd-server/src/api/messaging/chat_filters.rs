//! The filters of `GET /api/v3/chats`, as its document lists them
//! (<https://www.zoho.com/cliq/help/restapi/v3/#Chats>): `name`, `recipient`, `muted`,
//! `limit`, `modified_before`/`modified_after`, `drafts`, `pinned`, `closed`, `joined`,
//! `chat_ids`, `parent_chid`, `type`, and cliqd's `chat_type` (the chat object's own kind).
//! cliqd keeps no drafts or pins: `drafts=true` and `pinned=true` match no chat; every chat
//! listed is one the caller has joined, so `joined=false` matches none.

use crate::error::{ApiError, ApiResult};
use cliqd_store::ChatRow;
use serde::Deserialize;

/// Most chats one page may hold, and the default.
pub(super) const MAX_LIMIT: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ChatFilters {
    chat_type: Option<String>,
    name: Option<String>,
    recipient: Option<String>,
    muted: Option<String>,
    limit: Option<String>,
    modified_before: Option<String>,
    modified_after: Option<String>,
    drafts: Option<String>,
    pinned: Option<String>,
    closed: Option<String>,
    joined: Option<String>,
    chat_ids: Option<String>,
    parent_chid: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// The filters, checked: every value parsed once, errors naming the parameter.
pub(super) struct Checked {
    pub chat_type: Option<String>,
    pub name: Option<String>,
    pub recipient: Option<i64>,
    pub muted: Option<bool>,
    pub limit: usize,
    pub before: Option<i64>,
    pub after: Option<i64>,
    pub closed: Option<bool>,
    pub chat_ids: Option<Vec<String>>,
    pub parent: Option<String>,
    pub kind: Option<String>,
    /// A filter no chat can pass (`drafts=true`, `pinned=true`, `joined=false`).
    pub none: bool,
}

fn flag(name: &str, v: Option<&str>) -> ApiResult<Option<bool>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(_) => Err(ApiError::invalid(format!("{name} must be true or false"))),
    }
}

fn millis(name: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("{name} must be a time in epoch milliseconds"))),
    }
}

fn text(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl ChatFilters {
    pub(super) fn check(self) -> ApiResult<Checked> {
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => MAX_LIMIT,
            Some(s) => s
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(format!("limit must be a number from 1 to {MAX_LIMIT}"))
                })?,
        };
        let recipient = match text(self.recipient) {
            None => None,
            Some(r) => Some(
                r.parse::<i64>()
                    .map_err(|_| ApiError::invalid("recipient must be a user ID"))?,
            ),
        };
        let kind = text(self.kind);
        if let Some(k) = &kind
            && !["guests", "threads", "channel", "bot", "dm", "muted"].contains(&k.as_str())
        {
            return Err(ApiError::invalid(
                "type must be one of guests, threads, channel, bot, dm, muted",
            ));
        }
        let none = flag("drafts", self.drafts.as_deref())? == Some(true)
            || flag("pinned", self.pinned.as_deref())? == Some(true)
            || flag("joined", self.joined.as_deref())? == Some(false);
        Ok(Checked {
            chat_type: text(self.chat_type),
            name: text(self.name).map(|n| n.to_lowercase()),
            recipient,
            muted: flag("muted", self.muted.as_deref())?,
            limit,
            before: millis("modified_before", self.modified_before.as_deref())?,
            after: millis("modified_after", self.modified_after.as_deref())?,
            closed: flag("closed", self.closed.as_deref())?,
            chat_ids: text(self.chat_ids).map(|ids| {
                ids.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            }),
            parent: text(self.parent_chid),
            kind,
            none,
        })
    }
}

impl Checked {
    /// Whether `chat` passes the filters that need nothing but its row.
    pub(super) fn row_matches(&self, chat: &ChatRow) -> bool {
        if self.none {
            return false;
        }
        let kind_ok = match self.kind.as_deref() {
            None | Some("muted") => true,
            Some("threads") => chat.kind == "thread",
            Some("channel") => chat.kind == "channel",
            Some("bot") => chat.kind == "bot",
            Some("dm") => chat.kind == "direct_message",
            // cliqd has no guest users.
            Some(_) => false,
        };
        kind_ok
            && self.chat_type.as_deref().is_none_or(|t| t == chat.kind)
            && self
                .name
                .as_deref()
                .is_none_or(|n| chat.title.to_lowercase().contains(n))
            && self.before.is_none_or(|t| chat.last_time < t)
            && self.after.is_none_or(|t| chat.last_time > t)
            && self.closed.is_none_or(|c| c == chat.closed)
            && self
                .chat_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&chat.id))
            && self
                .parent
                .as_deref()
                .is_none_or(|p| chat.parent_chat_id.as_deref() == Some(p))
    }

    /// Whether the filters ask about mutes (`muted=…` or `type=muted`).
    pub(super) fn wants_muted(&self) -> Option<bool> {
        if self.kind.as_deref() == Some("muted") {
            return Some(true);
        }
        self.muted
    }
}
