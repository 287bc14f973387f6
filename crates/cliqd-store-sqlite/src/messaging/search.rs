//! Message search: the FTS5 index `messages_fts` (migration 6) joined with the caller's
//! memberships, so only chats the caller may read are ever candidates.

use super::rows::{MSG_COL_COUNT, MSG_COLS, Names, finish_message, message_from_row};
use crate::map_err;
use cliqd_store::StoreResult;
use cliqd_store::{MessageSearch, SearchHit};
use rusqlite::Connection;
use rusqlite::types::Value as Sql;

/// Quotes one phrase for FTS5: inside double quotes every character is literal text for the
/// tokenizer, so user input can never be parsed as query syntax.
fn fts_phrase(p: &str) -> String {
    format!("\"{}\"", p.replace('"', "\"\""))
}

fn push_in(conds: &mut Vec<String>, args: &mut Vec<Sql>, column: &str, values: Vec<Sql>) {
    if values.is_empty() {
        return;
    }
    let marks = vec!["?"; values.len()].join(", ");
    conds.push(format!("{column} IN ({marks})"));
    args.extend(values);
}

pub(super) fn search(c: &Connection, q: &MessageSearch) -> StoreResult<Vec<SearchHit>> {
    let mut conds = Vec::new();
    // The membership join's user comes first.
    let mut args: Vec<Sql> = vec![Sql::Integer(q.user_id)];
    let phrases: Vec<String> = q
        .phrases
        .iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| fts_phrase(p))
        .collect();
    if !phrases.is_empty() {
        conds.push("f.text MATCH ?".to_string());
        args.push(Sql::Text(phrases.join(" ")));
    }
    if let Some(before) = q.before {
        conds.push("f.rowid < ?".into());
        args.push(Sql::Integer(before));
    }
    if let Some(from) = q.from_time {
        conds.push("m.time >= ?".into());
        args.push(Sql::Integer(from));
    }
    if let Some(to) = q.to_time {
        conds.push("m.time <= ?".into());
        args.push(Sql::Integer(to));
    }
    let ints = |v: &[i64]| v.iter().map(|n| Sql::Integer(*n)).collect::<Vec<_>>();
    let texts = |v: &[String]| v.iter().map(|s| Sql::Text(s.clone())).collect::<Vec<_>>();
    push_in(&mut conds, &mut args, "m.sender_id", ints(&q.sender_ids));
    push_in(&mut conds, &mut args, "m.chat_id", texts(&q.chat_ids));
    push_in(&mut conds, &mut args, "ct.kind", texts(&q.chat_kinds));
    push_in(&mut conds, &mut args, "ch.kind", texts(&q.channel_kinds));
    if let Some(parent) = &q.parent_chat_id {
        conds.push("ct.parent_chat_id = ?".into());
        args.push(Sql::Text(parent.clone()));
    }
    if !q.include_bots {
        conds.push("m.bot_id IS NULL".into());
    }
    if !q.mentioned_user_ids.is_empty() {
        let marks = vec!["?"; q.mentioned_user_ids.len()].join(", ");
        conds.push(format!(
            "m.id IN (SELECT mm.message_id FROM message_mentions mm WHERE mm.user_id IN ({marks}))"
        ));
        args.extend(ints(&q.mentioned_user_ids));
    }
    match q.has_mentions {
        Some(true) => conds.push("m.mentions IS NOT NULL".into()),
        Some(false) => conds.push("m.mentions IS NULL".into()),
        None => {}
    }
    if q.links_only {
        conds.push("(f.text LIKE '%http://%' OR f.text LIKE '%https://%')".into());
    }
    let filter = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    args.push(Sql::Integer(i64::from(q.limit)));
    // Newest first along the index's rowid (the message counter, which grows in commit
    // order); LIMIT bounds the rows returned.
    let sql = format!(
        "SELECT {MSG_COLS}, f.rowid, ct.kind, ct.title, ch.kind, ct.parent_chat_id, pc.title,
                ct.thread_message_id, ct.closed
         FROM messages_fts f
         JOIN messages m ON m.id = f.message_id
         JOIN chats ct ON ct.id = m.chat_id
         JOIN chat_members cm ON cm.chat_id = ct.acl_chat_id AND cm.user_id = ?
         LEFT JOIN chats pc ON pc.id = ct.parent_chat_id
         LEFT JOIN channels ch ON ch.id = coalesce(pc.channel_id, ct.channel_id)
         {filter}
         ORDER BY f.rowid DESC LIMIT ?"
    );
    let mut stmt = c.prepare(&sql).map_err(map_err)?;
    // The hit's columns follow the message's.
    let n = MSG_COL_COUNT;
    let raw = stmt
        .query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                message_from_row(r)?,
                r.get::<_, i64>(n)?,
                r.get::<_, String>(n + 1)?,
                r.get::<_, String>(n + 2)?,
                r.get::<_, Option<String>>(n + 3)?,
                r.get::<_, Option<String>>(n + 4)?,
                r.get::<_, Option<String>>(n + 5)?,
                r.get::<_, Option<String>>(n + 6)?,
                r.get::<_, bool>(n + 7)?,
            ))
        })
        .map_err(map_err)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(map_err)?;
    let mut names = Names::default();
    raw.into_iter()
        .map(
            |(m, position, kind, title, channel, parent, ptitle, tmid, closed)| {
                Ok(SearchHit {
                    message: finish_message(c, &mut names, m)?,
                    position,
                    chat_kind: kind,
                    chat_title: title,
                    channel_kind: channel,
                    parent_chat_id: parent,
                    parent_chat_title: ptitle,
                    thread_message_id: tmid,
                    thread_closed: closed,
                })
            },
        )
        .collect()
}

/// Indexes the messages queued since the last call (migration 7) and empties the queue. The
/// writer calls this once per batch, just before COMMIT, so FTS5 writes one segment per batch.
/// A message deleted before its batch committed is skipped; one edited meanwhile is indexed
/// with its current text.
pub(crate) fn index_pending_messages(c: &rusqlite::Connection) -> cliqd_store::StoreResult<()> {
    use super::super::map_err;
    if !super::super::exists(c, "SELECT 1 FROM messages_fts_pending LIMIT 1", [])? {
        return Ok(());
    }
    c.prepare_cached(
        "INSERT INTO messages_fts (rowid, text, message_id)
         SELECT p.n, coalesce(json_extract(m.body, '$.text'), '') || ' ' ||
                     coalesce(json_extract(m.body, '$.card.title'), ''),
                p.message_id
         FROM messages_fts_pending p JOIN messages m ON m.chat_id = p.chat_id AND m.seq = p.seq",
    )
    .map_err(map_err)?
    .execute([])
    .map_err(map_err)?;
    c.prepare_cached("DELETE FROM messages_fts_pending")
        .map_err(map_err)?
        .execute([])
        .map_err(map_err)?;
    Ok(())
}
