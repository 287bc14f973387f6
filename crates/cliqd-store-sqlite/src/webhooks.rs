//! Webhook execution's rows: signing keys, webhook secrets and `response_url` tokens.

use super::{SqliteStore, map_err};
use async_trait::async_trait;
use cliqd_store::{NewResponseToken, ResponseTokenRow, StoreError, StoreResult, WebhookStore};
use rusqlite::{OptionalExtension, params};

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn signing_key(&self, org_id: i64) -> StoreResult<Option<String>> {
        self.read(move |c| {
            c.prepare_cached("SELECT key FROM org_signing_keys WHERE org_id = ?1")
                .map_err(map_err)?
                .query_row(params![org_id], |r| r.get(0))
                .optional()
                .map_err(map_err)
        })
        .await
    }

    async fn keep_signing_key(&self, org_id: i64, key: String) -> StoreResult<String> {
        self.write(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO org_signing_keys (org_id, key) VALUES (?1, ?2)",
                params![org_id, key],
            )
            .map_err(map_err)?;
            c.query_row(
                "SELECT key FROM org_signing_keys WHERE org_id = ?1",
                params![org_id],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
        .await
    }

    async fn webhook_secret(&self, component_id: i64) -> StoreResult<Option<String>> {
        self.read(move |c| {
            c.prepare_cached("SELECT secret FROM webhook_secrets WHERE component_id = ?1")
                .map_err(map_err)?
                .query_row(params![component_id], |r| r.get(0))
                .optional()
                .map_err(map_err)
        })
        .await
    }

    async fn keep_webhook_secret(
        &self,
        component_id: i64,
        secret: String,
        replace: bool,
    ) -> StoreResult<String> {
        self.write(move |c| {
            let sql = if replace {
                "INSERT OR REPLACE INTO webhook_secrets (component_id, secret) VALUES (?1, ?2)"
            } else {
                "INSERT OR IGNORE INTO webhook_secrets (component_id, secret) VALUES (?1, ?2)"
            };
            c.execute(sql, params![component_id, secret])
                .map_err(map_err)?;
            c.query_row(
                "SELECT secret FROM webhook_secrets WHERE component_id = ?1",
                params![component_id],
                |r| r.get(0),
            )
            .map_err(map_err)
        })
        .await
    }

    async fn create_response_token(&self, t: NewResponseToken) -> StoreResult<()> {
        let deliver =
            serde_json::to_string(&t.deliver).map_err(|e| StoreError::Other(e.to_string()))?;
        self.write(move |c| {
            c.execute(
                "DELETE FROM response_tokens WHERE expires_at < ?1",
                params![super::now_ms()],
            )
            .map_err(map_err)?;
            c.execute(
                "INSERT INTO response_tokens (token_hash, org_id, component_id, handler_id,
                     user_id, deliver, expires_at, uses, uses_left)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![
                    t.token_hash,
                    t.org_id,
                    t.component_id,
                    t.handler_id,
                    t.user_id,
                    deliver,
                    t.expires_at,
                    t.uses
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
        .await
    }

    async fn use_response_token(
        &self,
        token_hash: &str,
        now: i64,
    ) -> StoreResult<Option<ResponseTokenRow>> {
        let token_hash = token_hash.to_string();
        self.write(move |c| {
            let changed = c
                .execute(
                    "UPDATE response_tokens SET uses_left = uses_left - 1
                     WHERE token_hash = ?1 AND expires_at >= ?2 AND uses_left > 0",
                    params![token_hash, now],
                )
                .map_err(map_err)?;
            if changed == 0 {
                return Ok(None);
            }
            let row = c
                .query_row(
                    "SELECT org_id, component_id, handler_id, user_id, deliver, expires_at,
                         uses, uses_left FROM response_tokens WHERE token_hash = ?1",
                    params![token_hash],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, i64>(7)?,
                        ))
                    },
                )
                .map_err(map_err)?;
            let deliver = serde_json::from_str(&row.4)
                .map_err(|e| StoreError::Other(format!("corrupt deliver column: {e}")))?;
            Ok(Some(ResponseTokenRow {
                token: NewResponseToken {
                    token_hash,
                    org_id: row.0,
                    component_id: row.1,
                    handler_id: row.2,
                    user_id: row.3,
                    deliver,
                    expires_at: row.5,
                    uses: row.6,
                },
                uses_left: row.7,
            }))
        })
        .await
    }
}
