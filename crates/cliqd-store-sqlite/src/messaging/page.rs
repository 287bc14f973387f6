//! Reading a page of a chat's messages: the cursor and the time bounds become positions in
//! the chat, and the page is one walk of the table's key.

use super::super::{exec_cached, map_err};
use super::rows::*;
use cliqd_store::messaging::*;
use cliqd_store::{StoreError, StoreResult};
use rusqlite::{OptionalExtension, params};

/// A page of a chat's messages (see [`MessagingStore::list_messages`]): [`visit_messages`]
/// with a sink that keeps owned rows.
///
/// Every shape walks the table's key (chat_id, seq) from one end and stops after `limit`
/// rows, so the cost does not grow with the chat's size. Time bounds become bounds on `seq`:
/// time never decreases along seq (the writer assigns both, [`super::write::next_slot`]), so the
/// messages at or after a time are those from one position on, found by [`seq_from_time`].
pub(super) fn list_messages(
    c: &rusqlite::Connection,
    q: &MessageQuery,
) -> StoreResult<Vec<MessageRow>> {
    struct Rows(Vec<MessageRow>);
    impl PageSink for Rows {
        fn message(&mut self, m: &MessageRef<'_>) -> StoreResult<()> {
            self.0.push(m.to_row().map_err(json_err)?);
            Ok(())
        }
    }
    let mut rows = Rows(Vec::with_capacity(q.limit.min(100) as usize));
    visit_messages(c, q, &mut rows)?;
    if newest_first(q) {
        rows.0.reverse();
    }
    Ok(rows.0)
}

/// Positions [from, to) of the chat that the query's time bounds and cursor allow.
fn bounds(c: &rusqlite::Connection, q: &MessageQuery) -> StoreResult<(i64, i64)> {
    let mut from = q.after_seq.map_or(0, |a| a.saturating_add(1));
    if let Some(t) = q.from_time {
        from = from.max(seq_from_time(c, &q.chat_id, t)?);
    }
    let to = match q.to_time {
        Some(t) if t < i64::MAX => seq_from_time(c, &q.chat_id, t + 1)?,
        _ => i64::MAX,
    };
    Ok((from, to))
}

/// Whether the query asks for the newest page (no lower bound): read from the top down. The
/// page clients poll has no bound at all (`?2 <= ?3` always holds: one statement for both).
fn newest_first(q: &MessageQuery) -> bool {
    q.after_seq.is_none() && q.from_time.is_none()
}

/// A page of a chat's messages, each handed to `sink` as it is read, borrowed from the
/// statement's row: no [`MessageRow`] and no owned string per message. The newest page (no
/// lower bound) is read newest first, from the top of the range down; the sink puts the page
/// in order.
pub(super) fn visit_messages(
    c: &rusqlite::Connection,
    q: &MessageQuery,
    sink: &mut dyn PageSink,
) -> StoreResult<()> {
    if q.from_time.is_none() && q.to_time.is_none() {
        return visit_page(c, q, sink);
    }
    // The bounds and the page from one snapshot: a message posted between them would be
    // past the bounds' last position and could be before `from_time`.
    exec_cached(c, "BEGIN")?;
    let done = visit_page(c, q, sink);
    let end = exec_cached(c, if done.is_ok() { "COMMIT" } else { "ROLLBACK" });
    done?;
    end
}

/// The columns [`visit_page`] reads, by position (the chat's id is the query's).
macro_rules! visit_cols {
    () => {
        "SELECT id, seq, time, sender_id, bot_id, kind, body, edited, reply_to, \
         thread_chat_id, origin_chat_id, origin_message_id, mentions"
    };
}

/// The newest page of [`visit_member_page`] for a sink that keeps pages: the columns of
/// [`visit_cols`] (the message's, by the same positions), then the chat's [`PageVersion`]
/// (13 to 15: the parts migration 14 describes). The chat's row is the outer loop (one row,
/// by its key, which also gives the organization and the access chat for the membership);
/// the version is read once, with the first row, from the same snapshot as the page.
const VERSIONED_NEWEST: &str = "SELECT m.id, m.seq, m.time, m.sender_id, m.bot_id, m.kind, \
     m.body, m.edited, m.reply_to, m.thread_chat_id, m.origin_chat_id, m.origin_message_id, \
     m.mentions, c.last_seq, c.changes, (SELECT value FROM counters WHERE name = 'names') \
     FROM chats c JOIN messages m ON m.chat_id = c.id \
     WHERE c.id = ?1 AND c.org_id = ?5 AND m.seq >= ?2 AND m.seq < ?3 \
     AND EXISTS (SELECT 1 FROM chat_members cm \
     WHERE cm.chat_id = c.acl_chat_id AND cm.user_id = ?6) \
     ORDER BY m.seq DESC LIMIT ?4";

/// The range of positions [`visit_page`] reads, from the top down or from the bottom up.
macro_rules! visit_range {
    () => {
        " FROM messages WHERE chat_id = ?1 AND seq >= ?2 AND seq < ?3"
    };
}

/// The condition [`visit_member_page`] adds: the chat is in organization `?5` and user `?6`
/// is a member of it (of its access chat). It names no column of `messages`, so SQLite
/// evaluates it once, at the first row (an empty range never asks it).
macro_rules! member_cond {
    () => {
        " AND EXISTS (SELECT 1 FROM chats c JOIN chat_members m \
         ON m.chat_id = c.acl_chat_id AND m.user_id = ?6 WHERE c.id = ?1 AND c.org_id = ?5)"
    };
}

fn visit_page(
    c: &rusqlite::Connection,
    q: &MessageQuery,
    sink: &mut dyn PageSink,
) -> StoreResult<()> {
    visit_page_as(c, q, None, sink).map(|_| ())
}

/// A page without time bounds (the page clients poll, and `next_token` pages) in one
/// statement with the membership: the page when user `user_id` is a member of the chat and
/// the chat is in organization `org_id`. `true` when a message came, which proves both;
/// `false` says nothing (no message, or no membership: [`super::member_of`] tells which).
///
/// A sink that keeps pages ([`PageSink::keeps_pages`]) is told the chat's version with the
/// newest page's first row, before any message, and when it holds the page at that version
/// the statement stops there: a page it holds costs one step. (An empty page tells no
/// version.)
pub(super) fn visit_member_page(
    c: &rusqlite::Connection,
    org_id: i64,
    user_id: i64,
    q: &MessageQuery,
    sink: &mut dyn PageSink,
) -> StoreResult<bool> {
    debug_assert!(q.from_time.is_none() && q.to_time.is_none());
    visit_page_as(c, q, Some((org_id, user_id)), sink)
}

/// The page of `q` in one statement, with the membership condition of `member` (organization,
/// user) when given; whether any message came.
fn visit_page_as(
    c: &rusqlite::Connection,
    q: &MessageQuery,
    member: Option<(i64, i64)>,
    sink: &mut dyn PageSink,
) -> StoreResult<bool> {
    let (from, to) = bounds(c, q)?;
    if from >= to {
        return Ok(false);
    }
    let versioned = member.is_some() && newest_first(q) && sink.keeps_pages();
    let sql = match (newest_first(q), member.is_some()) {
        (true, true) if versioned => VERSIONED_NEWEST,
        (true, true) => concat!(
            visit_cols!(),
            visit_range!(),
            member_cond!(),
            " ORDER BY seq DESC LIMIT ?4"
        ),
        (false, true) => concat!(
            visit_cols!(),
            visit_range!(),
            member_cond!(),
            " ORDER BY seq LIMIT ?4"
        ),
        (true, false) => concat!(visit_cols!(), visit_range!(), " ORDER BY seq DESC LIMIT ?4"),
        (false, false) => concat!(visit_cols!(), visit_range!(), " ORDER BY seq LIMIT ?4"),
    };
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let rows = match member {
        None => stmt.query(params![q.chat_id, from, to, q.limit]),
        Some((org_id, user_id)) => {
            stmt.query(params![q.chat_id, from, to, q.limit, org_id, user_id])
        }
    }
    .map_err(map_err)?;
    visit_rows(c, q, rows, versioned, sink)
}

/// Hands each row of a page statement to `sink`; whether any came. With `versioned`, the
/// statement's rows carry the chat's version ([`VERSIONED_NEWEST`]), told to the sink with the
/// first row; the rows stop there when the sink holds that page.
fn visit_rows(
    c: &rusqlite::Connection,
    q: &MessageQuery,
    mut rows: rusqlite::Rows<'_>,
    versioned: bool,
    sink: &mut dyn PageSink,
) -> StoreResult<bool> {
    let mut names = Names::default();
    let mut any = false;
    while let Some(r) = rows.next().map_err(map_err)? {
        if versioned && !any {
            let version = PageVersion([
                r.get(13).map_err(map_err)?,
                r.get(14).map_err(map_err)?,
                r.get(15).map_err(map_err)?,
            ]);
            if sink.at_version(version) {
                return Ok(true);
            }
        }
        any = true;
        let sender_id: i64 = r.get(3).map_err(map_err)?;
        let bot_id: Option<i64> = r.get(4).map_err(map_err)?;
        let sender = names.user_index(c, sender_id)?;
        let bot = match bot_id {
            Some(b) => Some(names.bot_index(c, b)?),
            None => None,
        };
        let mentions = match opt_text(r, 12)? {
            Some(m) => mentions_from_json(m)?,
            None => Vec::new(),
        };
        sink.message(&MessageRef {
            id: text(r, 0)?,
            chat_id: &q.chat_id,
            seq: r.get(1).map_err(map_err)?,
            time: r.get(2).map_err(map_err)?,
            sender_id,
            sender_name: names.user_name(sender),
            bot_id,
            bot_name: bot.and_then(|b| names.bot_name(b)),
            kind: text(r, 5)?,
            body: text(r, 6)?,
            edited: r.get(7).map_err(map_err)?,
            reply_to: opt_text(r, 8)?,
            thread_chat_id: opt_text(r, 9)?,
            origin_chat_id: opt_text(r, 10)?,
            origin_message_id: opt_text(r, 11)?,
            mentions: &mentions,
        })?;
    }
    Ok(any)
}

/// Column `i` of `r` as text, borrowed from the row.
fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> StoreResult<&'r str> {
    opt_text(r, i)?.ok_or_else(|| StoreError::Other(format!("column {i} is NULL")))
}

/// Column `i` of `r` as text or NULL, borrowed from the row.
fn opt_text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> StoreResult<Option<&'r str>> {
    r.get_ref(i)
        .map_err(map_err)?
        .as_str_or_null()
        .map_err(|e| StoreError::Other(format!("column {i}: {e}")))
}

/// The first position of `chat_id` from which every message is at or after `time` (ms): the
/// smallest `x` such that the first message at or after position `x` (if any) has a time at
/// or after `time`. Messages at or after `time` are exactly those at positions `>= x`,
/// because time never decreases along seq; deleted messages leave gaps, which the probe
/// steps over. A binary search over the positions the chat has used, each probe one seek in
/// the table's key: about 20 seeks in a chat of a million messages, and no time index to
/// write on every post.
fn seq_from_time(c: &rusqlite::Connection, chat_id: &str, time: i64) -> StoreResult<i64> {
    let last_seq: i64 = c
        .prepare_cached("SELECT last_seq FROM chats WHERE id = ?1")
        .map_err(map_err)?
        .query_row([chat_id], |r| r.get(0))
        .optional()
        .map_err(map_err)?
        .unwrap_or(0);
    let mut probe = c
        .prepare_cached(
            "SELECT time FROM messages WHERE chat_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT 1",
        )
        .map_err(map_err)?;
    // Invariant: the answer lies in [lo, hi]; position last_seq + 1 has no message at or
    // after it, so it qualifies.
    let (mut lo, mut hi) = (1i64, last_seq.max(0) + 1);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let first_time: Option<i64> = probe
            .query_row(params![chat_id, mid], |r| r.get(0))
            .optional()
            .map_err(map_err)?;
        if first_time.is_none_or(|t| t >= time) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}
