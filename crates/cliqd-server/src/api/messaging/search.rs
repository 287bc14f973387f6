//! Search Messages (`GET /api/v3/messages/search`): full-text search (the store's FTS5
//! index) over the messages of chats the caller is a member of, newest first, with the
//! documented filters and an int64 `next_token` cursor.

use crate::api::Endpoint;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::CliqQuery;
use crate::ratelimit::Limit;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use cliqd_store::{MessageSearch, SearchHit};
use serde::Deserialize;
use serde_json::{Map, Value, json};

pub const SEARCH: Endpoint = Endpoint::new(
    "messages.search",
    Method::GET,
    "/api/v3/messages/search",
    "chats.read",
    Limit::per_min(50, 600),
);

pub fn routes() -> Router<AppState> {
    Router::new().route(SEARCH.path, get(search))
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 50;
const QUERY_MAX: usize = 1000;
const FILE_QUERY_MAX: usize = 500;

#[derive(Debug, Deserialize)]
struct SearchParams {
    query: Option<String>,
    limit: Option<String>,
    next_token: Option<String>,
    from_user_ids: Option<String>,
    to_user_ids: Option<String>,
    mentioned_user_ids: Option<String>,
    chat_ids: Option<String>,
    chat_type: Option<String>,
    // messages.yml spells it `parent_chatid`; the seed page `parent_chat_id`: both are accepted.
    parent_chatid: Option<String>,
    parent_chat_id: Option<String>,
    channel_type: Option<String>,
    team_ids: Option<String>,
    include_allowed_channels: Option<String>,
    from_time: Option<String>,
    to_time: Option<String>,
    file_name: Option<String>,
    file_type: Option<String>,
    file_content_query: Option<String>,
    message_type: Option<String>,
    is_pinned: Option<String>,
    has_mentions: Option<String>,
    star_types: Option<String>,
    include_bot_messages: Option<String>,
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError::with_message(ErrorCode::InvalidInputsSubmitted, message)
}

/// A comma-separated list: trimmed, no empties, at most `max` entries.
fn csv(name: &str, v: Option<&str>, max: usize) -> ApiResult<Vec<String>> {
    let items: Vec<String> = v
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > max {
        return Err(bad(format!("{name} allows at most {max} values")));
    }
    Ok(items)
}

fn zuids(name: &str, v: Option<&str>) -> ApiResult<Vec<i64>> {
    csv(name, v, 5)?
        .iter()
        .map(|s| {
            s.parse::<i64>()
                .map_err(|_| bad(format!("{name}: `{s}` is not a user ID")))
        })
        .collect()
}

fn flag(name: &str, v: Option<&str>) -> ApiResult<Option<bool>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(s) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(_) => Err(bad(format!("{name} must be true or false"))),
    }
}

/// Epoch milliseconds, or ISO 8601 (a date-time with offset, or a date meaning its midnight UTC).
fn time(name: &str, v: Option<&str>) -> ApiResult<Option<i64>> {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let invalid = || {
        ApiError::with_message(
            ErrorCode::InvalidTimeSubmitted,
            format!("{name} must be epoch milliseconds or an ISO 8601 date-time"),
        )
    };
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse::<i64>().map(Some).map_err(|_| invalid());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(Some(t.timestamp_millis()));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|t| Some(t.and_utc().timestamp_millis()))
            .ok_or_else(invalid);
    }
    Err(invalid())
}

/// Splits a query into phrases: `"quoted text"` is one phrase, other words one each.
fn phrases(q: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, part) in q.split('"').enumerate() {
        if i % 2 == 1 {
            out.push(part.trim().to_string());
        } else {
            out.extend(part.split_whitespace().map(str::to_string));
        }
    }
    // A phrase with nothing the tokenizer indexes (only punctuation) cannot match.
    out.retain(|p| p.chars().any(char::is_alphanumeric));
    out
}

/// cliqd's channel kinds under the documented spelling (`organisation`).
fn channel_type_out(kind: &str) -> &str {
    if kind == "organization" {
        "organisation"
    } else {
        kind
    }
}

fn hit_json(h: &SearchHit) -> Value {
    let m = &h.message;
    let mut o = Map::new();
    o.insert("message_id".into(), m.id.clone().into());
    let time = chrono::DateTime::from_timestamp_millis(m.time)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default();
    o.insert("time".into(), time.into());
    let sender = match m.bot_id {
        Some(id) => format!("b-{id}"),
        None => m.sender_id.to_string(),
    };
    o.insert("sender".into(), sender.into());
    o.insert("chat_id".into(), m.chat_id.clone().into());
    o.insert("chat_title".into(), h.chat_title.clone().into());
    o.insert("type".into(), m.kind.clone().into());
    let mut content = m.body.value().clone();
    if let Some(map) = content.as_object_mut() {
        map.remove(super::forward::FORWARDED_FROM);
    }
    o.insert("content".into(), content);
    if let Some(k) = &h.channel_kind {
        o.insert("channel_type".into(), channel_type_out(k).into());
    }
    if let Some(r) = &m.reply_to {
        o.insert("reply_message_id".into(), r.clone().into());
    }
    if let Some(p) = &h.parent_chat_id {
        o.insert("parent_chat_id".into(), p.clone().into());
        if let Some(t) = &h.parent_chat_title {
            o.insert("parent_chat_title".into(), t.clone().into());
        }
        if let Some(t) = &h.thread_message_id {
            o.insert("thread_message_id".into(), t.clone().into());
        }
        let state = if h.thread_closed { "closed" } else { "open" };
        o.insert("thread_state".into(), state.into());
    }
    if let Some(f) = m.body.get(super::forward::FORWARDED_FROM) {
        o.insert("forwarded_from".into(), f.clone());
    }
    if !m.mentions.is_empty() {
        o.insert("mentions".into(), cliqd_service::mentions_json(&m.mentions));
    }
    Value::Object(o)
}

/// `GET /api/v3/messages/search`.
async fn search(
    State(state): State<AppState>,
    auth: AuthContext,
    CliqQuery(p): CliqQuery<SearchParams>,
) -> ApiResult<Response> {
    let query = p.query.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if query.is_some_and(|q| q.chars().count() > QUERY_MAX) {
        return Err(bad(format!("query can be at most {QUERY_MAX} characters")));
    }
    let limit = match p.limit.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => DEFAULT_LIMIT,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad(format!("limit must be a number from 1 to {MAX_LIMIT}")))?,
    };
    let before = match p
        .next_token
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| bad("next_token must be a value from a previous reply"))?,
        ),
    };
    let from_time = time("from_time", p.from_time.as_deref())?;
    let to_time = time("to_time", p.to_time.as_deref())?;
    if let (Some(f), Some(t)) = (from_time, to_time)
        && f >= t
    {
        return Err(ApiError::with_message(
            ErrorCode::InvalidTimeSubmitted,
            "from_time must be earlier than to_time",
        ));
    }
    let sender_ids = zuids("from_user_ids", p.from_user_ids.as_deref())?;
    let to_user_ids = zuids("to_user_ids", p.to_user_ids.as_deref())?;
    let mentioned = zuids("mentioned_user_ids", p.mentioned_user_ids.as_deref())?;
    let chat_ids = csv("chat_ids", p.chat_ids.as_deref(), 5)?;
    let team_ids = csv("team_ids", p.team_ids.as_deref(), 5)?;
    let star_types = csv("star_types", p.star_types.as_deref(), 5)?;
    let file_names = csv("file_name", p.file_name.as_deref(), 10)?;
    let file_types = csv("file_type", p.file_type.as_deref(), 10)?;
    for (name, v) in [("file_name", &p.file_name), ("file_type", &p.file_type)] {
        if v.as_deref()
            .is_some_and(|s| s.chars().count() > FILE_QUERY_MAX)
        {
            return Err(bad(format!(
                "{name} can be at most {FILE_QUERY_MAX} characters"
            )));
        }
    }
    let file_query = p
        .file_content_query
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if file_query.is_some_and(|q| q.chars().count() > FILE_QUERY_MAX) {
        return Err(bad(format!(
            "file_content_query can be at most {FILE_QUERY_MAX} characters"
        )));
    }
    let mut chat_kinds = Vec::new();
    let mut guests_only = false;
    let types = csv("chat_type", p.chat_type.as_deref(), 6)?;
    for t in &types {
        let kind = match t.as_str() {
            "direct_message" | "group_chat" | "channel" | "bot" => t.as_str(),
            "threads" | "thread" => "thread",
            // cliqd has no guest users, so no chat has guests.
            "guests" => continue,
            other => return Err(bad(format!("chat_type: unknown value `{other}`"))),
        };
        chat_kinds.push(kind.to_string());
    }
    if !types.is_empty() && chat_kinds.is_empty() {
        guests_only = true;
    }
    let mut channel_kinds = Vec::new();
    for t in csv("channel_type", p.channel_type.as_deref(), 4)? {
        let kind = match t.as_str() {
            "organisation" | "organization" => "organization",
            "team" | "personal" | "external" => t.as_str(),
            "private" => "personal",
            other => return Err(bad(format!("channel_type: unknown value `{other}`"))),
        };
        channel_kinds.push(kind.to_string());
    }
    let links_only = match p
        .message_type
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None | Some("text") => false,
        Some("link") => true,
        // cliqd stores no attachments.
        Some("file") => {
            return Ok(reply(&[], limit, query));
        }
        Some(other) => return Err(bad(format!("message_type: unknown value `{other}`"))),
    };
    let is_pinned = flag("is_pinned", p.is_pinned.as_deref())?;
    if is_pinned == Some(true) && chat_ids.len() != 1 {
        return Err(bad("is_pinned needs exactly one chat ID in chat_ids"));
    }
    flag(
        "include_allowed_channels",
        p.include_allowed_channels.as_deref(),
    )?;
    let has_mentions = flag("has_mentions", p.has_mentions.as_deref())?;
    let include_bots =
        flag("include_bot_messages", p.include_bot_messages.as_deref())?.unwrap_or(false);
    // Filters cliqd cannot answer honestly are refused rather than ignored.
    for (name, used) in [
        ("to_user_ids", !to_user_ids.is_empty()),
        ("team_ids", !team_ids.is_empty()),
    ] {
        if used {
            return Err(bad(format!("{name} is not supported by cliqd")));
        }
    }
    // cliqd keeps no attachments, pins or stars: those filters match nothing.
    if guests_only
        || is_pinned == Some(true)
        || !star_types.is_empty()
        || !file_names.is_empty()
        || !file_types.is_empty()
        || file_query.is_some()
    {
        return Ok(reply(&[], limit, query));
    }
    let words = query.map(phrases).unwrap_or_default();
    if query.is_some() && words.is_empty() {
        return Ok(reply(&[], limit, query));
    }
    let parent = p
        .parent_chatid
        .or(p.parent_chat_id)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let hits = state
        .store
        .search_messages(MessageSearch {
            user_id: auth.user.id,
            phrases: words,
            before,
            from_time,
            to_time,
            sender_ids,
            chat_ids,
            chat_kinds,
            parent_chat_id: parent,
            channel_kinds,
            include_bots,
            links_only,
            mentioned_user_ids: mentioned,
            has_mentions,
            limit,
        })
        .await?;
    Ok(reply(&hits, limit, query))
}

/// `{"messages", "next_token" (only when the page is full), "matched_search_value"}`.
fn reply(hits: &[SearchHit], limit: u32, query: Option<&str>) -> Response {
    let mut out = Map::new();
    out.insert(
        "messages".into(),
        Value::Array(hits.iter().map(hit_json).collect()),
    );
    if hits.len() == limit as usize
        && let Some(last) = hits.last()
    {
        out.insert("next_token".into(), json!(last.position));
    }
    if let Some(q) = query {
        out.insert("matched_search_value".into(), q.into());
    }
    axum::Json(Value::Object(out)).into_response()
}
