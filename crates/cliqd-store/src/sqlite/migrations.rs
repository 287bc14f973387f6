//! Versioned schema migrations, applied in order on open and recorded in `PRAGMA user_version`.

use super::map_err;
use crate::StoreResult;
use rusqlite::Connection;

/// Each entry moves the schema from version `index` to `index + 1`. Append only; never edit.
const MIGRATIONS: &[&str] = &[
    // 1: identity, components, handlers, tombstones, counters
    r#"
    CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    -- Id bases mimic Cliq's shapes: long numeric component ids, 8-digit ZUIDs, org ids.
    INSERT INTO counters (name, value) VALUES
        ('component_id', 53719000000000000), ('user_id', 55000000), ('org_id', 60000000),
        ('team_id', 1901318000000000), ('seq', 0);
    CREATE TABLE orgs (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),
        email TEXT NOT NULL UNIQUE COLLATE NOCASE, name TEXT NOT NULL, is_admin INTEGER NOT NULL);
    CREATE TABLE teams (id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id), name TEXT NOT NULL);
    CREATE TABLE team_members (
        team_id INTEGER NOT NULL REFERENCES teams(id), user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (team_id, user_id));
    CREATE INDEX team_members_user ON team_members(user_id);
    CREATE TABLE tokens (
        hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), kind TEXT NOT NULL,
        scopes TEXT NOT NULL, expires_at INTEGER, revoked INTEGER NOT NULL DEFAULT 0, client_id TEXT);
    CREATE TABLE clients (
        client_id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, name TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users(id), scopes TEXT NOT NULL);
    CREATE TABLE components (
        id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL, kind TEXT NOT NULL,
        name TEXT NOT NULL, name_key TEXT NOT NULL, unique_name TEXT,
        creator_id INTEGER NOT NULL REFERENCES users(id), scope TEXT NOT NULL,
        team_ids TEXT NOT NULL, attrs TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, seq INTEGER NOT NULL);
    CREATE UNIQUE INDEX components_name ON components(org_id, kind, name_key);
    CREATE UNIQUE INDEX components_unique_name ON components(org_id, kind, unique_name);
    CREATE INDEX components_seq ON components(org_id, kind, seq);
    CREATE TABLE handlers (
        id INTEGER PRIMARY KEY, component_id INTEGER NOT NULL REFERENCES components(id) ON DELETE CASCADE,
        type TEXT NOT NULL, script TEXT, attrs TEXT NOT NULL, position INTEGER NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
    CREATE INDEX handlers_component ON handlers(component_id);
    CREATE TABLE tombstones (
        id INTEGER NOT NULL, org_id INTEGER NOT NULL, kind TEXT NOT NULL, seq INTEGER NOT NULL);
    CREATE INDEX tombstones_seq ON tombstones(org_id, kind, seq);
    "#,
    // 2: extensions (registered with the CLI), their installations and properties
    r#"
    CREATE TABLE extensions (
        id INTEGER PRIMARY KEY, org_id INTEGER NOT NULL REFERENCES orgs(id),
        name TEXT NOT NULL, name_key TEXT NOT NULL, creator_id INTEGER REFERENCES users(id),
        key_hash TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
    CREATE UNIQUE INDEX extensions_name ON extensions(org_id, name_key);
    CREATE TABLE extension_installations (
        extension_id INTEGER NOT NULL REFERENCES extensions(id), org_id INTEGER NOT NULL,
        scope TEXT NOT NULL, team_ids TEXT NOT NULL, installed_by INTEGER NOT NULL,
        installed_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (extension_id, org_id));
    CREATE INDEX extension_installations_org ON extension_installations(org_id);
    CREATE TABLE extension_properties (
        extension_id INTEGER NOT NULL REFERENCES extensions(id), key TEXT NOT NULL,
        value TEXT NOT NULL, updated_at INTEGER NOT NULL,
        PRIMARY KEY (extension_id, key));
    "#,
];

pub(super) fn apply(conn: &mut Connection) -> StoreResult<()> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(map_err)?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let tx = conn.transaction().map_err(map_err)?;
        tx.execute_batch(sql).map_err(map_err)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .map_err(map_err)?;
        tx.commit().map_err(map_err)?;
        tracing::info!(version = i + 1, "applied migration");
    }
    Ok(())
}
