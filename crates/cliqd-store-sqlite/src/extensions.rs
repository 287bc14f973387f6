//! Extensions: their registration, installations per organization and properties.

use super::{SqliteStore, exists, map_err, next_counter, now_ms};
use async_trait::async_trait;
use cliqd_store::rows::*;
use cliqd_store::{ConflictOn, ExtensionStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, Row, params};

const EXT_COLS: &str = "id, org_id, name, creator_id, key_hash, created_at";
const INST_COLS: &str =
    "extension_id, org_id, scope, team_ids, installed_by, installed_at, updated_at";

fn extension_from_row(r: &Row<'_>) -> rusqlite::Result<ExtensionRow> {
    Ok(ExtensionRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        name: r.get(2)?,
        creator_id: r.get(3)?,
        key_hash: r.get(4)?,
        created_at: r.get(5)?,
    })
}

fn installation_from_row(r: &Row<'_>) -> rusqlite::Result<(InstallationRow, String)> {
    Ok((
        InstallationRow {
            extension_id: r.get(0)?,
            org_id: r.get(1)?,
            scope: r.get(2)?,
            team_ids: Vec::new(),
            installed_by: r.get(4)?,
            installed_at: r.get(5)?,
            updated_at: r.get(6)?,
        },
        r.get(3)?,
    ))
}

fn teams_json(ids: &[i64]) -> StoreResult<String> {
    serde_json::to_string(ids).map_err(|e| StoreError::Other(e.to_string()))
}

fn finish_installation(
    (mut row, teams): (InstallationRow, String),
) -> StoreResult<InstallationRow> {
    row.team_ids = serde_json::from_str(&teams)
        .map_err(|e| StoreError::Other(format!("corrupt team_ids column: {e}")))?;
    Ok(row)
}

#[async_trait]
impl ExtensionStore for SqliteStore {
    async fn create_extension(&self, new: NewExtension) -> StoreResult<ExtensionRow> {
        self.write(move |c| {
            let name_key = new.name.to_lowercase();
            if exists(
                c,
                "SELECT 1 FROM extensions WHERE org_id = ?1 AND name_key = ?2",
                params![new.org_id, name_key],
            )? {
                return Err(StoreError::Conflict(ConflictOn::Name));
            }
            let id = next_counter(c, "component_id")?;
            let now = now_ms();
            c.prepare_cached("INSERT INTO extensions (id, org_id, name, name_key, creator_id, key_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)").map_err(map_err)?.execute(params![
                    id,
                    new.org_id,
                    new.name,
                    name_key,
                    new.creator_id,
                    new.key_hash,
                    now
                ],
            )
            .map_err(map_err)?;
            Ok(ExtensionRow {
                id,
                org_id: new.org_id,
                name: new.name,
                creator_id: new.creator_id,
                key_hash: new.key_hash,
                created_at: now,
            })
        })
        .await
    }

    async fn get_extension(&self, id: i64) -> StoreResult<ExtensionRow> {
        self.read(move |c| {
            c.prepare_cached(&format!("SELECT {EXT_COLS} FROM extensions WHERE id = ?1"))
                .map_err(map_err)?
                .query_row([id], extension_from_row)
                .map_err(map_err)
        })
        .await
    }

    async fn installation(
        &self,
        extension_id: i64,
        org_id: i64,
    ) -> StoreResult<Option<InstallationRow>> {
        self.read(move |c| {
            let raw = c
                .prepare_cached(&format!(
                    "SELECT {INST_COLS} FROM extension_installations
                     WHERE extension_id = ?1 AND org_id = ?2"
                ))
                .map_err(map_err)?
                .query_row(params![extension_id, org_id], installation_from_row)
                .optional()
                .map_err(map_err)?;
            raw.map(finish_installation).transpose()
        })
        .await
    }

    async fn count_installations(&self, org_id: i64) -> StoreResult<u64> {
        self.read(move |c| {
            let n: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM extension_installations WHERE org_id = ?1")
                .map_err(map_err)?
                .query_row([org_id], |r| r.get(0))
                .map_err(map_err)?;
            Ok(n.max(0) as u64)
        })
        .await
    }

    async fn insert_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow> {
        self.write(move |c| {
            let inserted = c
                .execute(
                    "INSERT INTO extension_installations
                         (extension_id, org_id, scope, team_ids, installed_by, installed_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                    params![
                        row.extension_id,
                        row.org_id,
                        row.scope,
                        teams_json(&row.team_ids)?,
                        row.installed_by,
                        row.installed_at,
                        row.updated_at
                    ],
                )
                .map_err(map_err)?;
            if inserted == 0 {
                return Err(StoreError::Conflict(ConflictOn::Installation));
            }
            Ok(row)
        })
        .await
    }

    async fn update_installation(&self, row: InstallationRow) -> StoreResult<InstallationRow> {
        self.write(move |c| {
            let n = c
                .execute(
                    "UPDATE extension_installations
                     SET scope = ?3, team_ids = ?4, updated_at = ?5
                     WHERE extension_id = ?1 AND org_id = ?2",
                    params![
                        row.extension_id,
                        row.org_id,
                        row.scope,
                        teams_json(&row.team_ids)?,
                        row.updated_at
                    ],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(row)
        })
        .await
    }

    async fn set_properties(
        &self,
        extension_id: i64,
        props: Vec<(String, String)>,
        max: usize,
    ) -> StoreResult<()> {
        self.write(move |c| {
            let now = now_ms();
            let mut upsert = c
                .prepare_cached(
                    "INSERT INTO extension_properties (extension_id, key, value, updated_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (extension_id, key) DO UPDATE SET value = excluded.value,
                         updated_at = excluded.updated_at",
                )
                .map_err(map_err)?;
            for (key, value) in &props {
                upsert
                    .execute(params![extension_id, key, value, now])
                    .map_err(map_err)?;
            }
            // Counted after the writes, inside the job's savepoint: an error rolls them back.
            let n: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM extension_properties WHERE extension_id = ?1")
                .map_err(map_err)?
                .query_row([extension_id], |r| r.get(0))
                .map_err(map_err)?;
            if n.max(0) as usize > max {
                return Err(StoreError::Conflict(ConflictOn::Properties));
            }
            Ok(())
        })
        .await
    }

    async fn get_properties(
        &self,
        extension_id: i64,
        keys: Vec<String>,
    ) -> StoreResult<Vec<(String, String)>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT value FROM extension_properties WHERE extension_id = ?1 AND key = ?2",
                )
                .map_err(map_err)?;
            let mut out = Vec::new();
            for key in keys {
                let value: Option<String> = stmt
                    .query_row(params![extension_id, key], |r| r.get(0))
                    .optional()
                    .map_err(map_err)?;
                if let Some(value) = value {
                    out.push((key, value));
                }
            }
            Ok(out)
        })
        .await
    }

    async fn delete_property(&self, extension_id: i64, key: &str) -> StoreResult<bool> {
        let key = key.to_string();
        self.write(move |c| {
            let n = c
                .execute(
                    "DELETE FROM extension_properties WHERE extension_id = ?1 AND key = ?2",
                    params![extension_id, key],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }
}
