//! Components (bots, functions, message actions, extensions, …), their handlers and tombstones.

use super::{SqliteStore, exists, map_err, next_counter, now_ms, unique_on};
use async_trait::async_trait;
use cliqd_store::rows::*;
use cliqd_store::{ComponentStore, ConflictOn, StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::Value;

const COLS: &str = "c.id, c.org_id, c.kind, c.name, c.unique_name, c.creator_id, u.name, c.scope, \
                    c.team_ids, c.attrs, c.created_at, c.updated_at, c.seq";
const FROM: &str = "components c JOIN users u ON u.id = c.creator_id";

/// Personal: creator only; team: creator and members of a listed team; organization: all.
const VISIBLE: &str = "(c.scope = 'organization' OR c.creator_id = ?3 OR (c.scope = 'team' AND EXISTS (
    SELECT 1 FROM json_each(c.team_ids) j JOIN team_members m ON m.team_id = j.value WHERE m.user_id = ?3)))";

/// The same rule applied to the visibility a tombstone recorded (NULLs, from before tombstones
/// recorded it, match nobody).
const TOMBSTONE_VISIBLE: &str = "(t.scope = 'organization' OR t.creator_id = ?3 OR (t.scope = 'team' AND EXISTS (
    SELECT 1 FROM json_each(t.team_ids) j JOIN team_members m ON m.team_id = j.value WHERE m.user_id = ?3)))";

/// Records that the component as it was in `row` left the sight of (some of) its viewers:
/// deleted, or narrowed by an update.
fn insert_tombstone(conn: &Connection, row: &ComponentRow) -> StoreResult<()> {
    let seq = next_counter(conn, "seq")?;
    conn.prepare_cached(
        "INSERT INTO tombstones (id, org_id, kind, seq, scope, creator_id, team_ids)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .map_err(map_err)?
    .execute(params![
        row.id,
        row.org_id,
        row.kind,
        seq,
        row.scope,
        row.creator_id,
        to_json(&row.team_ids)?
    ])
    .map_err(map_err)?;
    Ok(())
}

fn json_err(e: serde_json::Error) -> StoreError {
    StoreError::Other(format!("corrupt JSON column: {e}"))
}

fn component_from_row(r: &Row<'_>) -> rusqlite::Result<(ComponentRow, String, String)> {
    Ok((
        ComponentRow {
            id: r.get(0)?,
            org_id: r.get(1)?,
            kind: r.get(2)?,
            name: r.get(3)?,
            unique_name: r.get(4)?,
            creator_id: r.get(5)?,
            creator_name: r.get(6)?,
            scope: r.get(7)?,
            team_ids: Vec::new(),
            attrs: Value::Null,
            created_at: r.get(10)?,
            updated_at: r.get(11)?,
            seq: r.get(12)?,
        },
        r.get(8)?,
        r.get(9)?,
    ))
}

fn finish((mut row, teams, attrs): (ComponentRow, String, String)) -> StoreResult<ComponentRow> {
    row.team_ids = serde_json::from_str(&teams).map_err(json_err)?;
    row.attrs = serde_json::from_str(&attrs).map_err(json_err)?;
    Ok(row)
}

/// A component by id, on a connection (the handler engine's combined read uses it).
pub(crate) fn load(conn: &Connection, id: i64) -> StoreResult<ComponentRow> {
    let raw = conn
        .prepare_cached(&format!("SELECT {COLS} FROM {FROM} WHERE c.id = ?1"))
        .map_err(map_err)?
        .query_row([id], component_from_row)
        .map_err(map_err)?;
    finish(raw)
}

fn query_rows(
    conn: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
) -> StoreResult<Vec<ComponentRow>> {
    let raws = crate::query_all(conn, sql, p, component_from_row)?;
    raws.into_iter().map(finish).collect()
}

fn handler_from_row(r: &Row<'_>) -> rusqlite::Result<(HandlerRow, String)> {
    Ok((
        HandlerRow {
            id: r.get(0)?,
            component_id: r.get(1)?,
            handler_type: r.get(2)?,
            script: r.get(3)?,
            attrs: Value::Null,
            position: r.get(5)?,
            created_at: r.get(6)?,
            updated_at: r.get(7)?,
        },
        r.get(4)?,
    ))
}

const HANDLER_COLS: &str =
    "id, component_id, type, script, attrs, position, created_at, updated_at";

/// Marks the component as changed so incremental sync returns it.
fn touch(conn: &Connection, component_id: i64) -> StoreResult<()> {
    let seq = next_counter(conn, "seq")?;
    let n = conn
        .execute(
            "UPDATE components SET seq = ?1, updated_at = ?2 WHERE id = ?3",
            params![seq, now_ms(), component_id],
        )
        .map_err(map_err)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

fn free_unique_name(conn: &Connection, org_id: i64, kind: &str, base: &str) -> StoreResult<String> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT 1 FROM components WHERE org_id = ?1 AND kind = ?2 AND unique_name = ?3",
        )
        .map_err(map_err)?;
    for n in 1..10_000u32 {
        let candidate = if n == 1 {
            base.to_string()
        } else {
            format!("{base}{n}")
        };
        let taken = stmt
            .query_row(params![org_id, kind, candidate], |_| Ok(()))
            .optional()
            .map_err(map_err)?
            .is_some();
        if !taken {
            return Ok(candidate);
        }
    }
    Err(StoreError::Conflict(ConflictOn::UniqueName))
}

fn to_json<T: serde::Serialize + ?Sized>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

fn insert_handler(c: &Connection, new: NewHandler) -> StoreResult<HandlerRow> {
    let id = next_counter(c, "component_id")?;
    let position: i64 = c
        .query_row(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM handlers WHERE component_id = ?1 AND type = ?2",
            params![new.component_id, new.handler_type],
            |r| r.get(0),
        )
        .map_err(map_err)?;
    let now = now_ms();
    c.prepare_cached("INSERT INTO handlers (id, component_id, type, script, attrs, position, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)").map_err(map_err)?.execute(params![id, new.component_id, new.handler_type, new.script, to_json(&new.attrs)?, position, now],
    )
    .map_err(map_err)?;
    Ok(HandlerRow {
        id,
        component_id: new.component_id,
        handler_type: new.handler_type,
        script: new.script,
        attrs: new.attrs,
        position,
        created_at: now,
        updated_at: now,
    })
}

fn insert_component(c: &Connection, new: NewComponent) -> StoreResult<ComponentRow> {
    let id = next_counter(c, "component_id")?;
    let seq = next_counter(c, "seq")?;
    let unique_name = match &new.unique_name_base {
        Some(base) => Some(free_unique_name(c, new.org_id, &new.kind, base)?),
        None => None,
    };
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO components (id, org_id, kind, name, name_key, unique_name, creator_id, scope,
                     team_ids, attrs, created_at, updated_at, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
    )
    .map_err(map_err)?
    .execute(params![
        id,
        new.org_id,
        new.kind,
        new.name,
        new.name.to_lowercase(),
        unique_name,
        new.creator_id,
        new.scope,
        to_json(&new.team_ids)?,
        to_json(&new.attrs)?,
        now,
        seq
    ])
    // Of the two UNIQUE rules only the name's can break: the unique name was just found free.
    .map_err(unique_on(ConflictOn::Name))?;
    load(c, id)
}

#[async_trait]
impl ComponentStore for SqliteStore {
    async fn create_component(&self, new: NewComponent) -> StoreResult<ComponentRow> {
        self.write(move |c| insert_component(c, new)).await
    }

    async fn create_component_with_handlers(
        &self,
        new: NewComponent,
        handlers: Vec<NewHandler>,
    ) -> StoreResult<(ComponentRow, Vec<HandlerRow>)> {
        self.write(move |c| {
            let row = insert_component(c, new)?;
            let mut out = Vec::with_capacity(handlers.len());
            for h in handlers {
                out.push(insert_handler(
                    c,
                    NewHandler {
                        component_id: row.id,
                        ..h
                    },
                )?);
            }
            Ok((row, out))
        })
        .await
    }

    async fn get_component(&self, org_id: i64, kind: &str, id: i64) -> StoreResult<ComponentRow> {
        let kind = kind.to_string();
        self.read(move |c| {
            let row = load(c, id)?;
            if row.org_id != org_id || row.kind != kind {
                return Err(StoreError::NotFound);
            }
            Ok(row)
        })
        .await
    }

    async fn get_component_by_unique_name(
        &self,
        org_id: i64,
        kind: &str,
        unique_name: &str,
    ) -> StoreResult<ComponentRow> {
        let (kind, unique_name) = (kind.to_string(), unique_name.to_string());
        self.read(move |c| {
            let raw = c
                .query_row(
                    &format!(
                        "SELECT {COLS} FROM {FROM} WHERE c.org_id = ?1 AND c.kind = ?2 AND c.unique_name = ?3"
                    ),
                    params![org_id, kind, unique_name],
                    component_from_row,
                )
                .map_err(map_err)?;
            finish(raw)
        })
        .await
    }

    async fn count_components(&self, org_id: i64, kind: &str) -> StoreResult<u64> {
        let kind = kind.to_string();
        self.read(move |c| {
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM components WHERE org_id = ?1 AND kind = ?2",
                    params![org_id, kind],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            Ok(n.max(0) as u64)
        })
        .await
    }

    async fn count_visible_components(&self, q: ListQuery) -> StoreResult<u64> {
        self.read(move |c| {
            let sql = format!(
                "SELECT COUNT(*) FROM components c WHERE c.org_id = ?1 AND c.kind = ?2 AND {VISIBLE}"
            );
            let n: i64 = c
                .prepare_cached(&sql)
                .map_err(map_err)?
                .query_row(params![q.org_id, q.kind, q.viewer_id], |r| r.get(0))
                .map_err(map_err)?;
            Ok(n.max(0) as u64)
        })
        .await
    }

    async fn update_component(&self, id: i64, patch: ComponentPatch) -> StoreResult<ComponentRow> {
        self.write(move |c| {
            let mut row = load(c, id)?;
            let before = row.clone();
            if let Some(name) = patch.name {
                row.name = name;
            }
            if let Some(scope) = patch.scope {
                row.scope = scope;
            }
            if let Some(teams) = patch.team_ids {
                row.team_ids = teams;
            }
            if let Some(attrs) = patch.attrs {
                row.attrs = attrs;
            }
            c.prepare_cached("UPDATE components SET name = ?1, name_key = ?2, scope = ?3, team_ids = ?4, attrs = ?5 WHERE id = ?6").map_err(map_err)?.execute(params![
                    row.name,
                    row.name.to_lowercase(),
                    row.scope,
                    to_json(&row.team_ids)?,
                    to_json(&row.attrs)?,
                    id
                ],
            )
            // The unique name does not change, so only the name's UNIQUE rule can break.
            .map_err(unique_on(ConflictOn::Name))?;
            // Whoever could see the component before but not after learns it is gone on their
            // next sync (the sync query drops the id for viewers who still see it).
            if before.scope != row.scope || before.team_ids != row.team_ids {
                insert_tombstone(c, &before)?;
            }
            touch(c, id)?;
            load(c, id)
        })
        .await
    }

    async fn delete_component(&self, org_id: i64, kind: &str, id: i64) -> StoreResult<()> {
        let kind = kind.to_string();
        self.write(move |c| {
            let row = match load(c, id) {
                Ok(row) if row.org_id == org_id && row.kind == kind => row,
                Ok(_) | Err(StoreError::NotFound) => return Err(StoreError::NotFound),
                Err(e) => return Err(e),
            };
            c.prepare_cached("DELETE FROM components WHERE id = ?1")
                .map_err(map_err)?
                .execute(params![id])
                .map_err(map_err)?;
            insert_tombstone(c, &row)
        })
        .await
    }

    async fn list_components(&self, q: ListQuery) -> StoreResult<Vec<ComponentRow>> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {COLS} FROM {FROM} WHERE c.org_id = ?1 AND c.kind = ?2 AND {VISIBLE} AND c.id > ?4
                 ORDER BY c.id LIMIT ?5"
            );
            query_rows(c, &sql, params![q.org_id, q.kind, q.viewer_id, q.after_id, q.limit])
        })
        .await
    }

    async fn changes_since(&self, q: ListQuery, since_seq: i64) -> StoreResult<Changes> {
        self.read(move |c| {
            // One read transaction: the watermark and the rows come from the same snapshot.
            let tx = c.unchecked_transaction().map_err(map_err)?;
            let watermark: i64 = tx
                .query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| r.get(0))
                .map_err(map_err)?;
            let sql = format!(
                "SELECT {COLS} FROM {FROM} WHERE c.org_id = ?1 AND c.kind = ?2 AND {VISIBLE} AND c.seq > ?4
                 ORDER BY c.seq LIMIT ?5"
            );
            let mut changed = query_rows(
                &tx,
                &sql,
                params![q.org_id, q.kind, q.viewer_id, since_seq, q.limit + 1],
            )?;
            let more = changed.len() > q.limit as usize;
            let next_seq = if more {
                changed.truncate(q.limit as usize);
                changed.last().map(|r| r.seq).unwrap_or(watermark)
            } else {
                watermark
            };
            // Only ids the viewer could see when they went, and not ones it sees again now
            // (a narrowing it is not affected by, or one undone since: then it is in `changed`).
            let sql = format!(
                "SELECT t.id FROM tombstones t WHERE t.org_id = ?1 AND t.kind = ?2 AND t.seq > ?4 AND t.seq <= ?5
                   AND {TOMBSTONE_VISIBLE}
                   AND NOT EXISTS (SELECT 1 FROM components c WHERE c.id = t.id AND {VISIBLE})
                 GROUP BY t.id ORDER BY MAX(t.seq)"
            );
            let mut stmt = tx.prepare_cached(&sql).map_err(map_err)?;
            let deleted = stmt
                .query_map(
                    params![q.org_id, q.kind, q.viewer_id, since_seq, next_seq],
                    |r| r.get(0),
                )
                .map_err(map_err)?
                .collect::<Result<Vec<i64>, _>>()
                .map_err(map_err)?;
            Ok(Changes {
                changed,
                deleted,
                next_seq,
                more,
            })
        })
        .await
    }

    async fn current_seq(&self) -> StoreResult<i64> {
        self.read(|c| {
            c.prepare_cached("SELECT value FROM counters WHERE name = 'seq'")
                .map_err(map_err)?
                .query_row([], |r| r.get(0))
                .map_err(map_err)
        })
        .await
    }

    async fn handlers_of(&self, component_id: i64) -> StoreResult<Vec<HandlerRow>> {
        self.handlers_of_many(vec![component_id]).await
    }

    async fn handlers_of_many(&self, component_ids: Vec<i64>) -> StoreResult<Vec<HandlerRow>> {
        if component_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&component_ids).map_err(json_err)?;
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(&format!(
                    "SELECT {HANDLER_COLS} FROM handlers
                     WHERE component_id IN (SELECT value FROM json_each(?1))
                     ORDER BY component_id, type, position, id"
                ))
                .map_err(map_err)?;
            let raws = stmt
                .query_map([ids], handler_from_row)
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            raws.into_iter()
                .map(|(mut h, attrs)| {
                    h.attrs = serde_json::from_str(&attrs).map_err(json_err)?;
                    Ok(h)
                })
                .collect()
        })
        .await
    }

    async fn create_handler(&self, new: NewHandler, max_of_type: usize) -> StoreResult<HandlerRow> {
        self.write(move |c| {
            touch(c, new.component_id)?;
            // The writer runs jobs one at a time in an immediate transaction, so this count
            // cannot go stale before the insert.
            let n: i64 = c
                .prepare_cached(
                    "SELECT COUNT(*) FROM handlers WHERE component_id = ?1 AND type = ?2",
                )
                .map_err(map_err)?
                .query_row(params![new.component_id, new.handler_type], |r| r.get(0))
                .map_err(map_err)?;
            if usize::try_from(n).unwrap_or(usize::MAX) >= max_of_type {
                return Err(StoreError::Conflict(ConflictOn::Handler));
            }
            insert_handler(c, new)
        })
        .await
    }

    async fn update_handler(&self, mut row: HandlerRow) -> StoreResult<HandlerRow> {
        self.write(move |c| {
            touch(c, row.component_id)?;
            row.updated_at = now_ms();
            let n = c
                .execute(
                    "UPDATE handlers SET script = ?1, attrs = ?2, updated_at = ?3 WHERE id = ?4 AND component_id = ?5",
                    params![row.script, to_json(&row.attrs)?, row.updated_at, row.id, row.component_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(row)
        })
        .await
    }

    async fn configure_handler(&self, mut row: HandlerRow) -> StoreResult<HandlerRow> {
        self.write(move |c| {
            touch(c, row.component_id)?;
            row.updated_at = now_ms();
            // json_type is NULL only when the key is absent (a JSON null reads 'null').
            let n = c
                .execute(
                    "UPDATE handlers SET script = ?1, attrs = ?2, updated_at = ?3 WHERE id = ?4 AND component_id = ?5
                       AND script IS NULL AND json_type(attrs, '$.permissions') IS NULL",
                    params![row.script, to_json(&row.attrs)?, row.updated_at, row.id, row.component_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                let found = exists(
                    c,
                    "SELECT 1 FROM handlers WHERE id = ?1 AND component_id = ?2",
                    params![row.id, row.component_id],
                )?;
                return Err(if found {
                    StoreError::Conflict(ConflictOn::Handler)
                } else {
                    StoreError::NotFound
                });
            }
            Ok(row)
        })
        .await
    }

    async fn delete_handler(&self, component_id: i64, handler_id: i64) -> StoreResult<()> {
        self.write(move |c| {
            touch(c, component_id)?;
            let n = c
                .execute(
                    "DELETE FROM handlers WHERE id = ?1 AND component_id = ?2",
                    params![handler_id, component_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }
}

/// The handlers of one component, on a connection, in position order.
pub(crate) fn handlers_on(conn: &Connection, component_id: i64) -> StoreResult<Vec<HandlerRow>> {
    let raws = crate::query_all(
        conn,
        &format!(
            "SELECT {HANDLER_COLS} FROM handlers WHERE component_id = ?1
             ORDER BY component_id, type, position, id"
        ),
        [component_id],
        handler_from_row,
    )?;
    raws.into_iter()
        .map(|(mut h, attrs)| {
            h.attrs = serde_json::from_str(&attrs).map_err(json_err)?;
            Ok(h)
        })
        .collect()
}
