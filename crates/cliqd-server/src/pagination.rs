//! Shared list pagination and incremental sync: `limit`, opaque `next_token`, `sync_token` and
//! `deleted`, for every component kind.
//!
//! Pages are keyed by ascending id (new items land after the cursor, deleted ones simply vanish),
//! so no page skips or repeats an item under concurrent changes. Sync tokens carry the store's
//! change sequence number; a full listing's sync token is the watermark read *before* its first
//! page, so changes made while a client pages are caught by its next sync.
//!
//! `deleted` names only components the caller could see when they went (deleted, or narrowed
//! out of its sight by an update) and does not see now; the store filters the tombstones.

use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cliqd_store::{ComponentRow, ListQuery, Store};
use serde::Deserialize;

/// The query parameters every list endpoint accepts.
#[derive(Debug, Default, Deserialize)]
pub struct PageParams {
    pub limit: Option<String>,
    pub next_token: Option<String>,
    pub sync_token: Option<String>,
}

/// A list endpoint's default and maximum `limit`.
#[derive(Debug, Clone, Copy)]
pub struct PageSpec {
    pub default_limit: u32,
    pub max_limit: u32,
}

/// One page, ready to be put in the list envelope.
#[derive(Debug)]
pub struct Page {
    pub rows: Vec<ComponentRow>,
    pub next_token: Option<String>,
    pub sync_token: String,
    /// Present only on incremental sync replies.
    pub deleted: Option<Vec<String>>,
}

impl Page {
    /// Adds the paging fields to a list envelope (`url`, `type` and `data` are the caller's).
    pub fn envelope_fields(&self, obj: &mut serde_json::Map<String, serde_json::Value>) {
        if let Some(t) = &self.next_token {
            obj.insert("next_token".into(), t.clone().into());
        }
        obj.insert("sync_token".into(), self.sync_token.clone().into());
        if let Some(d) = &self.deleted {
            obj.insert("deleted".into(), d.clone().into());
        }
    }
}

enum Cursor {
    /// Next page of a full listing: after this id, started at this watermark.
    List { after_id: i64, watermark: i64 },
    /// Changes after this sequence number.
    Sync { since: i64 },
}

fn encode(limit: u32, a: i64, b: i64) -> String {
    STANDARD.encode(format!("{limit}|{a}|{b}"))
}

/// A sync token for sequence `seq` (for lists that are not component listings).
pub fn sync_token_at(limit: u32, seq: i64) -> String {
    encode(limit, -1, seq)
}

fn decode(token: &str) -> Option<(i64, i64)> {
    let raw = STANDARD.decode(token.trim()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let mut parts = text.split('|');
    let _limit: u32 = parts.next()?.parse().ok()?;
    let a: i64 = parts.next()?.parse().ok()?;
    let b: i64 = parts.next()?.parse().ok()?;
    parts.next().is_none().then_some((a, b))
}

// Token layouts (base64 of `limit|a|b`, opaque to clients):
//   next_token of a listing:     a = last id, b = watermark  (b >= 0)
//   next_token of a sync:        a = -1,      b = sequence to resume from
//   sync_token:                  a = -1,      b = sequence
fn parse_next(token: &str) -> Option<Cursor> {
    match decode(token)? {
        (-1, since) if since >= 0 => Some(Cursor::Sync { since }),
        (after_id, watermark) if after_id >= 0 && watermark >= 0 => Some(Cursor::List {
            after_id,
            watermark,
        }),
        _ => None,
    }
}

fn parse_sync(token: &str) -> Option<i64> {
    match decode(token)? {
        (-1, since) if since >= 0 => Some(since),
        _ => None,
    }
}

/// Runs one list or sync request of `kind` for `viewer` in `org_id`.
pub async fn list_components(
    store: &dyn Store,
    org_id: i64,
    viewer_id: i64,
    kind: &str,
    params: &PageParams,
    spec: PageSpec,
) -> Result<Page, ApiError> {
    let limit = match &params.limit {
        None => spec.default_limit,
        Some(raw) => match raw.trim().parse::<u32>() {
            // One rule on every list endpoint: a `limit` outside 1..=maximum is refused with
            // the range, never silently changed (README, "List endpoints").
            Ok(n) if (1..=spec.max_limit).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid(format!(
                    "limit must be a number from 1 to {}",
                    spec.max_limit
                )));
            }
        },
    };
    let cursor = match (&params.next_token, &params.sync_token) {
        (Some(t), _) => parse_next(t).ok_or_else(|| ApiError::invalid("next_token is invalid"))?,
        (None, Some(t)) => Cursor::Sync {
            since: parse_sync(t).ok_or_else(|| ApiError::invalid("sync_token is invalid"))?,
        },
        (None, None) => Cursor::List {
            after_id: 0,
            watermark: store.current_seq().await?,
        },
    };
    let query = |after_id: i64, limit: u32| ListQuery {
        org_id,
        kind: kind.to_string(),
        viewer_id,
        after_id,
        limit,
    };
    match cursor {
        Cursor::List {
            after_id,
            watermark,
        } => {
            let mut rows = store.list_components(query(after_id, limit + 1)).await?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            let next_token = match (more, rows.last()) {
                (true, Some(last)) => Some(encode(limit, last.id, watermark)),
                _ => None,
            };
            Ok(Page {
                rows,
                next_token,
                sync_token: encode(limit, -1, watermark),
                deleted: None,
            })
        }
        Cursor::Sync { since } => {
            let changes = store.changes_since(query(0, limit), since).await?;
            Ok(Page {
                rows: changes.changed,
                next_token: changes.more.then(|| encode(limit, -1, changes.next_seq)),
                sync_token: encode(limit, -1, changes.next_seq),
                deleted: Some(changes.deleted.iter().map(|id| id.to_string()).collect()),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        assert!(matches!(
            parse_next(&encode(5, 42, 7)),
            Some(Cursor::List {
                after_id: 42,
                watermark: 7
            })
        ));
        assert!(matches!(
            parse_next(&encode(5, -1, 7)),
            Some(Cursor::Sync { since: 7 })
        ));
        assert_eq!(parse_sync(&encode(5, -1, 9)), Some(9));
        assert!(parse_sync("garbage!").is_none());
        assert!(parse_next(&encode(5, -5, 7)).is_none());
    }
}
