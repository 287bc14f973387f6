//! Form sessions ([`cliqd_store::FormStore`]): one row per session, the form as JSON text.

use super::{SqliteStore, map_err};
use async_trait::async_trait;
use cliqd_store::{FormSessionRow, FormStore, StoreError, StoreResult};
use rusqlite::{OptionalExtension, params};

const COLS: &str =
    "id, org_id, user_id, component_id, chat_id, message_id, form, created_at, expires_at, closed";

fn json_text(v: &serde_json::Value) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Other(e.to_string()))
}

#[async_trait]
impl FormStore for SqliteStore {
    async fn create_form_session(&self, row: FormSessionRow) -> StoreResult<()> {
        let form = json_text(&row.form)?;
        self.write(move |c| {
            c.execute(
                &format!("INSERT INTO form_sessions ({COLS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
                params![
                    row.id,
                    row.org_id,
                    row.user_id,
                    row.component_id,
                    row.chat_id,
                    row.message_id,
                    form,
                    row.created_at,
                    row.expires_at,
                    row.closed
                ],
            )
            .map_err(map_err)?;
            Ok(())
        })
        .await
    }

    async fn form_session(&self, org_id: i64, id: &str) -> StoreResult<FormSessionRow> {
        let id = id.to_string();
        let found = self
            .read(move |c| {
                c.query_row(
                    &format!("SELECT {COLS} FROM form_sessions WHERE id = ?1 AND org_id = ?2"),
                    params![id, org_id],
                    |r| {
                        Ok((
                            FormSessionRow {
                                id: r.get(0)?,
                                org_id: r.get(1)?,
                                user_id: r.get(2)?,
                                component_id: r.get(3)?,
                                chat_id: r.get(4)?,
                                message_id: r.get(5)?,
                                form: serde_json::Value::Null,
                                created_at: r.get(7)?,
                                expires_at: r.get(8)?,
                                closed: r.get(9)?,
                            },
                            r.get::<_, String>(6)?,
                        ))
                    },
                )
                .optional()
                .map_err(map_err)
            })
            .await?;
        let (mut row, form) = found.ok_or(StoreError::NotFound)?;
        row.form = serde_json::from_str(&form)
            .map_err(|e| StoreError::Other(format!("corrupt form column: {e}")))?;
        Ok(row)
    }

    async fn update_form_session(
        &self,
        id: &str,
        form: serde_json::Value,
        expires_at: i64,
    ) -> StoreResult<()> {
        let id = id.to_string();
        let form = json_text(&form)?;
        self.write(move |c| {
            let n = c
                .execute(
                    "UPDATE form_sessions SET form = ?2, expires_at = ?3 WHERE id = ?1 AND closed = 0",
                    params![id, form, expires_at],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }

    async fn close_form_session(&self, id: &str) -> StoreResult<bool> {
        let id = id.to_string();
        self.write(move |c| {
            let n = c
                .execute(
                    "UPDATE form_sessions SET closed = 1 WHERE id = ?1 AND closed = 0",
                    params![id],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn purge_form_sessions(&self, now: i64) -> StoreResult<u64> {
        self.write(move |c| {
            let n = c
                .execute(
                    "DELETE FROM form_sessions WHERE expires_at < ?1 OR closed = 1",
                    params![now],
                )
                .map_err(map_err)?;
            Ok(n as u64)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[tokio::test]
    async fn sessions_survive_reopening_update_close_and_purge() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path()).unwrap();
        let row = FormSessionRow {
            id: "f1".into(),
            org_id: 1,
            user_id: 2,
            component_id: 3,
            chat_id: Some("c".into()),
            message_id: None,
            form: json!({"name": "a"}),
            created_at: 10,
            expires_at: 100,
            closed: false,
        };
        store.create_form_session(row.clone()).await.unwrap();
        store.close();
        let store = SqliteStore::open(dir.path()).unwrap();
        assert_eq!(store.form_session(1, "f1").await.unwrap(), row);
        assert!(matches!(
            store.form_session(9, "f1").await,
            Err(StoreError::NotFound)
        ));
        store
            .update_form_session("f1", json!({"name": "b"}), 200)
            .await
            .unwrap();
        let got = store.form_session(1, "f1").await.unwrap();
        assert_eq!((got.form, got.expires_at), (json!({"name": "b"}), 200));
        assert!(store.close_form_session("f1").await.unwrap());
        assert!(!store.close_form_session("f1").await.unwrap());
        assert!(matches!(
            store.update_form_session("f1", json!({}), 300).await,
            Err(StoreError::NotFound)
        ));
        assert_eq!(store.purge_form_sessions(0).await.unwrap(), 1);
    }
}
