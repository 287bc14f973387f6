//! Reading a page of a chat's messages: the cursor and the time bounds become positions in
//! the chat, and the page is one walk of the table's key.

use super::super::{exec_cached, map_err};
use super::rows::*;
use cliqd_store::StoreResult;
use cliqd_store::messaging::*;
use rusqlite::{OptionalExtension, params};

/// A page of a chat's messages (see [`MessagingStore::list_messages`]).
///
/// Every shape walks the table's key (chat_id, seq) from one end and stops after `limit`
/// rows, so the cost does not grow with the chat's size. Time bounds become bounds on `seq`:
/// time never decreases along seq (the writer assigns both, [`super::write::next_slot`]), so the
/// messages at or after a time are those from one position on, found by [`seq_from_time`].
pub(super) fn list_messages(
    c: &rusqlite::Connection,
    q: &MessageQuery,
) -> StoreResult<Vec<MessageRow>> {
    if q.from_time.is_none() && q.to_time.is_none() {
        return read_page(c, q);
    }
    // The bounds and the page from one snapshot: a message posted between them would be
    // past the bounds' last position and could be before `from_time`.
    exec_cached(c, "BEGIN")?;
    let page = read_page(c, q);
    let end = exec_cached(c, if page.is_ok() { "COMMIT" } else { "ROLLBACK" });
    let page = page?;
    end?;
    Ok(page)
}

fn read_page(c: &rusqlite::Connection, q: &MessageQuery) -> StoreResult<Vec<MessageRow>> {
    // Positions [from, to) of the chat that the time bounds and the cursor allow.
    let mut from = q.after_seq.map_or(0, |a| a.saturating_add(1));
    if let Some(t) = q.from_time {
        from = from.max(seq_from_time(c, &q.chat_id, t)?);
    }
    let to = match q.to_time {
        Some(t) if t < i64::MAX => seq_from_time(c, &q.chat_id, t + 1)?,
        _ => i64::MAX,
    };
    // The newest page unless a lower bound was given; the one clients poll has no bound
    // at all (`?2 <= ?3` always holds: one statement for both).
    let (sql, newest_first) = if q.after_seq.is_none() && q.from_time.is_none() {
        (
            concat!(
                select_msg!(),
                " WHERE m.chat_id = ?1 AND m.seq >= ?2 AND m.seq < ?3 ORDER BY m.seq DESC LIMIT ?4"
            ),
            true,
        )
    } else {
        (
            concat!(
                select_msg!(),
                " WHERE m.chat_id = ?1 AND m.seq >= ?2 AND m.seq < ?3 ORDER BY m.seq LIMIT ?4"
            ),
            false,
        )
    };
    if from >= to {
        return Ok(Vec::new());
    }
    let mut stmt = c.prepare_cached(sql).map_err(map_err)?;
    let raw = stmt
        .query_map(params![q.chat_id, from, to, q.limit], message_from_row)
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    let mut names = Names::default();
    let mut rows = raw
        .into_iter()
        .map(|raw| finish_message(c, &mut names, raw))
        .collect::<StoreResult<Vec<_>>>()?;
    if newest_first {
        rows.reverse();
    }
    Ok(rows)
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
