//! Identity tables: organizations, users, teams, tokens and OAuth clients.

use super::{SqliteStore, map_err, next_counter, query_all, unique_on};
use async_trait::async_trait;
use cliqd_store::rows::*;
use cliqd_store::{ConflictOn, IdentityStore, StoreError, StoreResult};
use rusqlite::{Connection, OptionalExtension, Row, params};

pub(super) fn user_from_row(r: &Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        id: r.get(0)?,
        org_id: r.get(1)?,
        email: r.get(2)?,
        name: r.get(3)?,
        is_admin: r.get(4)?,
    })
}

const USER_COLS: &str = "id, org_id, email, name, is_admin";

fn token_kind(s: &str) -> TokenKind {
    if s == "refresh" {
        TokenKind::Refresh
    } else {
        TokenKind::Access
    }
}

/// A token from the first seven columns `hash, user_id, kind, scopes, expires_at, revoked,
/// client_id`.
fn token_from_row(r: &Row<'_>) -> rusqlite::Result<TokenRow> {
    let kind: String = r.get(2)?;
    Ok(TokenRow {
        hash: r.get(0)?,
        user_id: r.get(1)?,
        kind: token_kind(&kind),
        scopes: r.get(3)?,
        expires_at: r.get(4)?,
        revoked: r.get(5)?,
        client_id: r.get(6)?,
    })
}

/// A client from `client_id, secret_hash, name, user_id, scopes`.
fn client_from_row(r: &Row<'_>) -> rusqlite::Result<ClientRow> {
    Ok(ClientRow {
        client_id: r.get(0)?,
        secret_hash: r.get(1)?,
        name: r.get(2)?,
        user_id: r.get(3)?,
        scopes: r.get(4)?,
    })
}

fn team_members(conn: &Connection, team_id: i64) -> StoreResult<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT user_id FROM team_members WHERE team_id = ?1 ORDER BY user_id")
        .map_err(map_err)?;
    let rows = stmt
        .query_map([team_id], |r| r.get(0))
        .map_err(map_err)?
        .collect::<Result<Vec<i64>, _>>()
        .map_err(map_err)?;
    Ok(rows)
}

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn is_empty(&self) -> StoreResult<bool> {
        self.read(|c| {
            let n: i64 = c
                .query_row("SELECT COUNT(*) FROM orgs", [], |r| r.get(0))
                .map_err(map_err)?;
            Ok(n == 0)
        })
        .await
    }

    async fn create_org(&self, name: &str) -> StoreResult<OrgRow> {
        let name = name.to_string();
        self.write(move |c| {
            let id = next_counter(c, "org_id")?;
            c.prepare_cached("INSERT INTO orgs (id, name) VALUES (?1, ?2)")
                .map_err(map_err)?
                .execute(params![id, name])
                .map_err(map_err)?;
            Ok(OrgRow { id, name })
        })
        .await
    }

    async fn first_org(&self) -> StoreResult<OrgRow> {
        self.read(|c| {
            c.prepare_cached("SELECT id, name FROM orgs ORDER BY id LIMIT 1")
                .map_err(map_err)?
                .query_row([], |r| {
                    Ok(OrgRow {
                        id: r.get(0)?,
                        name: r.get(1)?,
                    })
                })
                .map_err(map_err)
        })
        .await
    }

    async fn create_user(&self, user: NewUser) -> StoreResult<UserRow> {
        self.write(move |c| {
            let id = next_counter(c, "user_id")?;
            c.prepare_cached(
                "INSERT INTO users (id, org_id, email, name, is_admin) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(map_err)?
            .execute(params![
                id,
                user.org_id,
                user.email,
                user.name,
                user.is_admin
            ])
            // The id is fresh, so the one UNIQUE rule that can break is the email's.
            .map_err(unique_on(ConflictOn::Email))?;
            Ok(UserRow {
                id,
                org_id: user.org_id,
                email: user.email,
                name: user.name,
                is_admin: user.is_admin,
            })
        })
        .await
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<UserRow> {
        let email = email.to_string();
        self.read(move |c| {
            c.query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE email = ?1"),
                [email],
                user_from_row,
            )
            .map_err(map_err)
        })
        .await
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<UserRow> {
        self.read(move |c| {
            c.query_row(
                &format!("SELECT {USER_COLS} FROM users WHERE id = ?1"),
                [id],
                user_from_row,
            )
            .map_err(map_err)
        })
        .await
    }

    async fn create_team(
        &self,
        org_id: i64,
        name: &str,
        members: Vec<i64>,
    ) -> StoreResult<TeamRow> {
        let name = name.to_string();
        self.write(move |c| {
            let id = next_counter(c, "team_id")?;
            c.prepare_cached("INSERT INTO teams (id, org_id, name) VALUES (?1, ?2, ?3)")
                .map_err(map_err)?
                .execute(params![id, org_id, name])
                .map_err(map_err)?;
            for m in &members {
                let in_org: Option<i64> = c
                    .query_row(
                        "SELECT id FROM users WHERE id = ?1 AND org_id = ?2",
                        params![m, org_id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(map_err)?;
                if in_org.is_none() {
                    return Err(StoreError::NotFound);
                }
                c.prepare_cached(
                    "INSERT OR IGNORE INTO team_members (team_id, user_id) VALUES (?1, ?2)",
                )
                .map_err(map_err)?
                .execute(params![id, m])
                .map_err(map_err)?;
            }
            let members = team_members(c, id)?;
            Ok(TeamRow {
                id,
                org_id,
                name,
                members,
            })
        })
        .await
    }

    async fn existing_teams(&self, org_id: i64, ids: Vec<i64>) -> StoreResult<Vec<i64>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT id FROM teams WHERE id = ?1 AND org_id = ?2")
                .map_err(map_err)?;
            let mut found = Vec::new();
            for id in ids {
                if let Some(id) = stmt
                    .query_row(params![id, org_id], |r| r.get::<_, i64>(0))
                    .optional()
                    .map_err(map_err)?
                {
                    found.push(id);
                }
            }
            Ok(found)
        })
        .await
    }

    async fn teams_of_user(&self, user_id: i64) -> StoreResult<Vec<i64>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT team_id FROM team_members WHERE user_id = ?1 ORDER BY team_id",
                )
                .map_err(map_err)?;
            let ids = stmt
                .query_map([user_id], |r| r.get(0))
                .map_err(map_err)?
                .collect::<Result<Vec<i64>, _>>()
                .map_err(map_err)?;
            Ok(ids)
        })
        .await
    }

    async fn insert_token(&self, t: NewToken) -> StoreResult<()> {
        self.write(move |c| {
            c.prepare_cached("INSERT INTO tokens (hash, user_id, kind, scopes, expires_at, client_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)").map_err(map_err)?.execute(params![t.hash, t.user_id, t.kind.as_str(), t.scopes, t.expires_at, t.client_id],
            )
            .map_err(map_err)?;
            Ok(())
        })
        .await
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<(TokenRow, UserRow)> {
        let hash = hash.to_string();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT t.hash, t.user_id, t.kind, t.scopes, t.expires_at, t.revoked, t.client_id,
                        u.id, u.org_id, u.email, u.name, u.is_admin
                 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1",
            )
            .map_err(map_err)?
            .query_row([hash], |r| {
                Ok((
                    token_from_row(r)?,
                    UserRow {
                        id: r.get(7)?,
                        org_id: r.get(8)?,
                        email: r.get(9)?,
                        name: r.get(10)?,
                        is_admin: r.get(11)?,
                    },
                ))
            })
            .map_err(map_err)
        })
        .await
    }

    async fn revoke_token(&self, hash: &str) -> StoreResult<()> {
        let hash = hash.to_string();
        self.write(move |c| {
            let n = c
                .execute("UPDATE tokens SET revoked = 1 WHERE hash = ?1", [hash])
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }

    async fn insert_client(&self, client: ClientRow) -> StoreResult<()> {
        self.write(move |c| {
            c.prepare_cached("INSERT INTO clients (client_id, secret_hash, name, user_id, scopes) VALUES (?1, ?2, ?3, ?4, ?5)").map_err(map_err)?.execute(params![client.client_id, client.secret_hash, client.name, client.user_id, client.scopes],
            )
            .map_err(map_err)?;
            Ok(())
        })
        .await
    }

    async fn client_by_id(&self, client_id: &str) -> StoreResult<ClientRow> {
        let client_id = client_id.to_string();
        self.read(move |c| {
            c.prepare_cached("SELECT client_id, secret_hash, name, user_id, scopes FROM clients WHERE client_id = ?1").map_err(map_err)?.query_row([client_id], client_from_row)
            .map_err(map_err)
        })
        .await
    }

    async fn list_orgs(&self) -> StoreResult<Vec<OrgRow>> {
        self.read(|c| {
            query_all(c, "SELECT id, name FROM orgs ORDER BY id", [], |r| {
                Ok(OrgRow {
                    id: r.get(0)?,
                    name: r.get(1)?,
                })
            })
        })
        .await
    }

    async fn users_of_org(&self, org_id: i64) -> StoreResult<Vec<UserRow>> {
        self.read(move |c| {
            query_all(
                c,
                &format!("SELECT {USER_COLS} FROM users WHERE org_id = ?1 ORDER BY id"),
                [org_id],
                user_from_row,
            )
        })
        .await
    }

    async fn teams_of_org(&self, org_id: i64) -> StoreResult<Vec<TeamRow>> {
        self.read(move |c| {
            let teams = query_all(
                c,
                "SELECT id, name FROM teams WHERE org_id = ?1 ORDER BY id",
                [org_id],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
            )?;
            teams
                .into_iter()
                .map(|(id, name)| {
                    Ok(TeamRow {
                        id,
                        org_id,
                        name,
                        members: team_members(c, id)?,
                    })
                })
                .collect()
        })
        .await
    }

    async fn tokens_of_org(&self, org_id: i64) -> StoreResult<Vec<TokenRow>> {
        self.read(move |c| {
            query_all(
                c,
                "SELECT t.hash, t.user_id, t.kind, t.scopes, t.expires_at, t.revoked, t.client_id
                 FROM tokens t JOIN users u ON u.id = t.user_id
                 WHERE u.org_id = ?1 ORDER BY t.user_id, t.hash",
                [org_id],
                token_from_row,
            )
        })
        .await
    }

    async fn clients_of_org(&self, org_id: i64) -> StoreResult<Vec<ClientRow>> {
        self.read(move |c| {
            query_all(
                c,
                "SELECT c.client_id, c.secret_hash, c.name, c.user_id, c.scopes
                 FROM clients c JOIN users u ON u.id = c.user_id
                 WHERE u.org_id = ?1 ORDER BY c.name, c.client_id",
                [org_id],
                client_from_row,
            )
        })
        .await
    }

    async fn delete_client(&self, client_id: &str) -> StoreResult<()> {
        let client_id = client_id.to_string();
        self.write(move |c| {
            c.prepare_cached("UPDATE tokens SET revoked = 1 WHERE client_id = ?1")
                .map_err(map_err)?
                .execute([&client_id])
                .map_err(map_err)?;
            let n = c
                .prepare_cached("DELETE FROM clients WHERE client_id = ?1")
                .map_err(map_err)?
                .execute([&client_id])
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        })
        .await
    }
}

/// A user by id, on a connection (`None`: no such user).
pub(crate) fn user_on(conn: &Connection, id: i64) -> StoreResult<Option<UserRow>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(&format!("SELECT {USER_COLS} FROM users WHERE id = ?1"))
        .map_err(map_err)?
        .query_row([id], user_from_row)
        .optional()
        .map_err(map_err)
}
