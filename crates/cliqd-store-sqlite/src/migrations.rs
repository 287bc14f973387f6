//! Versioned schema migrations, applied in order on open and recorded in `PRAGMA user_version`.

use super::map_err;
use cliqd_store::StoreResult;
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
    // 3: messaging: chats and members, channels, messages, reactions, bot associations and
    // subscriptions, webhook tokens
    r#"
    INSERT INTO counters (name, value) VALUES
        ('chat_id', 1203304812000146000), ('channel_id', 1000000022000), ('message_n', 229293271789);
    CREATE TABLE chats (
        id TEXT PRIMARY KEY, org_id INTEGER NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
        creator_id INTEGER NOT NULL, channel_id TEXT, bot_id INTEGER,
        parent_chat_id TEXT, thread_message_id TEXT, acl_chat_id TEXT NOT NULL,
        -- direct chats: "<low zuid>:<high zuid>"; bot chats: "<bot id>:<zuid>"
        pair_key TEXT UNIQUE,
        created_at INTEGER NOT NULL, last_seq INTEGER NOT NULL DEFAULT 0, last_time INTEGER NOT NULL);
    CREATE UNIQUE INDEX chats_thread ON chats(parent_chat_id, thread_message_id)
        WHERE thread_message_id IS NOT NULL;
    CREATE TABLE chat_members (
        chat_id TEXT NOT NULL REFERENCES chats(id), user_id INTEGER NOT NULL REFERENCES users(id),
        joined_at INTEGER NOT NULL, PRIMARY KEY (chat_id, user_id)) WITHOUT ROWID;
    CREATE INDEX chat_members_user ON chat_members(user_id, chat_id);
    CREATE TABLE channels (
        id TEXT PRIMARY KEY, org_id INTEGER NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL,
        unique_name TEXT NOT NULL, description TEXT NOT NULL, creator_id INTEGER NOT NULL,
        team_ids TEXT NOT NULL, chat_id TEXT NOT NULL REFERENCES chats(id), created_at INTEGER NOT NULL);
    CREATE UNIQUE INDEX channels_unique_name ON channels(org_id, unique_name);
    CREATE TABLE channel_bots (
        channel_id TEXT NOT NULL REFERENCES channels(id), bot_id INTEGER NOT NULL,
        PRIMARY KEY (channel_id, bot_id)) WITHOUT ROWID;
    CREATE TABLE messages (
        chat_id TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL UNIQUE, time INTEGER NOT NULL,
        sender_id INTEGER NOT NULL, bot_id INTEGER, kind TEXT NOT NULL, body TEXT NOT NULL,
        edited INTEGER NOT NULL DEFAULT 0, reply_to TEXT, thread_chat_id TEXT,
        PRIMARY KEY (chat_id, seq)) WITHOUT ROWID;
    CREATE INDEX messages_time ON messages(chat_id, time);
    CREATE TABLE reactions (
        message_id TEXT NOT NULL, emoji TEXT NOT NULL, user_id INTEGER NOT NULL, time INTEGER NOT NULL,
        PRIMARY KEY (message_id, emoji, user_id)) WITHOUT ROWID;
    CREATE TABLE bot_subscribers (
        bot_id INTEGER NOT NULL, user_id INTEGER NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (bot_id, user_id)) WITHOUT ROWID;
    -- per-user webhook tokens (`zapikey`), stored hashed
    CREATE TABLE webhook_tokens (
        hash TEXT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id), name TEXT NOT NULL,
        created_at INTEGER NOT NULL);
    CREATE INDEX webhook_tokens_user ON webhook_tokens(user_id);
    "#,
    // 4: tombstones remember who could see the component (scope, creator, teams) so incremental
    // sync reports a deletion only to those viewers; rows from before this version keep NULLs
    // and are reported to nobody (privacy over completeness). A tombstone is also written when
    // an update narrows a component's visibility, with the visibility it had before.
    r#"
    ALTER TABLE tombstones ADD COLUMN scope TEXT;
    ALTER TABLE tombstones ADD COLUMN creator_id INTEGER;
    ALTER TABLE tombstones ADD COLUMN team_ids TEXT;
    "#,
    // 5: thread follow and state, per-user chat mutes, and the link from a thread reply's copy
    // in the parent chat (`post_in_parent`) back to the thread and the reply. Threads created
    // before this version get their posters as followers.
    r#"
    ALTER TABLE messages ADD COLUMN origin_chat_id TEXT;
    ALTER TABLE messages ADD COLUMN origin_message_id TEXT;
    ALTER TABLE chats ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE thread_followers (
        chat_id TEXT NOT NULL REFERENCES chats(id), user_id INTEGER NOT NULL REFERENCES users(id),
        followed_at INTEGER NOT NULL, PRIMARY KEY (chat_id, user_id)) WITHOUT ROWID;
    INSERT OR IGNORE INTO thread_followers (chat_id, user_id, followed_at)
        SELECT m.chat_id, m.sender_id, MIN(m.time) FROM messages m
        JOIN chats c ON c.id = m.chat_id AND c.kind = 'thread' GROUP BY m.chat_id, m.sender_id;
    CREATE TABLE chat_mutes (
        chat_id TEXT NOT NULL REFERENCES chats(id), user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (chat_id, user_id)) WITHOUT ROWID;
    "#,
    // 6: full-text search over messages (FTS5). One index row per message, keyed by the
    // message id's counter part (`<ms>_<n>`: `n` is unique and grows in commit order), so the
    // index walks newest-first by rowid and the search cursor is that number. The indexed
    // text is the message's `text` and its card title; triggers keep it in step with posts,
    // edits and deletes, and existing messages are backfilled here.
    r#"
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, message_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts (rowid, text, message_id) VALUES (
            CAST(substr(new.id, instr(new.id, '_') + 1) AS INTEGER),
            coalesce(json_extract(new.body, '$.text'), '') || ' ' ||
                coalesce(json_extract(new.body, '$.card.title'), ''),
            new.id);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        UPDATE messages_fts SET text =
            coalesce(json_extract(new.body, '$.text'), '') || ' ' ||
                coalesce(json_extract(new.body, '$.card.title'), '')
        WHERE rowid = CAST(substr(new.id, instr(new.id, '_') + 1) AS INTEGER);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        DELETE FROM messages_fts
        WHERE rowid = CAST(substr(old.id, instr(old.id, '_') + 1) AS INTEGER);
    END;
    INSERT INTO messages_fts (rowid, text, message_id)
        SELECT CAST(substr(id, instr(id, '_') + 1) AS INTEGER),
            coalesce(json_extract(body, '$.text'), '') || ' ' ||
                coalesce(json_extract(body, '$.card.title'), ''),
            id
        FROM messages;
    "#,
    // 7: new messages are indexed for search once per write batch, not by a trigger per
    // message. Writing to the FTS5 table inside each post made FTS5 flush its pending terms
    // at every statement savepoint (one tiny segment per message, then merging), which cost
    // more than the rest of the post. The trigger now only queues the message; the writer
    // indexes the queue just before each COMMIT (`index_pending_messages`), so a message is
    // searchable exactly when it is committed.
    r#"
    DROP TRIGGER messages_fts_insert;
    CREATE TABLE messages_fts_pending (
        n INTEGER PRIMARY KEY, message_id TEXT NOT NULL, chat_id TEXT NOT NULL,
        seq INTEGER NOT NULL);
    CREATE TRIGGER messages_fts_queue AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts_pending (n, message_id, chat_id, seq) VALUES (
            CAST(substr(new.id, instr(new.id, '_') + 1) AS INTEGER), new.id, new.chat_id,
            new.seq);
    END;
    "#,
    // 8: mentions. A message keeps the mentions of its text, resolved when it was posted, as
    // a JSON array (NULL: none); `message_mentions` indexes the users it mentions for the
    // search filter `mentioned_user_ids`, and goes with the message when it is deleted.
    r#"
    ALTER TABLE messages ADD COLUMN mentions TEXT;
    CREATE TABLE message_mentions (
        user_id INTEGER NOT NULL, message_id TEXT NOT NULL,
        PRIMARY KEY (user_id, message_id)) WITHOUT ROWID;
    CREATE INDEX message_mentions_message ON message_mentions(message_id);
    CREATE TRIGGER message_mentions_delete AFTER DELETE ON messages
        WHEN old.mentions IS NOT NULL BEGIN
        DELETE FROM message_mentions WHERE message_id = old.id;
    END;
    "#,
    // 9: the handler engine's trigger outbox and execution journal, and who was ever
    // subscribed to a bot (its welcome handler's `newuser`).
    r#"
    CREATE TABLE triggers (
        id INTEGER PRIMARY KEY AUTOINCREMENT, org_id INTEGER NOT NULL,
        bot_id INTEGER NOT NULL, kind TEXT NOT NULL, user_id INTEGER NOT NULL,
        chat_id TEXT, message_id TEXT, data TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE TABLE executions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, org_id INTEGER NOT NULL,
        component_id INTEGER NOT NULL, component_kind TEXT NOT NULL,
        component_name TEXT NOT NULL, component_creator_id INTEGER NOT NULL,
        handler TEXT NOT NULL, user_id INTEGER NOT NULL, outcome TEXT NOT NULL,
        started_at INTEGER NOT NULL, duration_us INTEGER NOT NULL, detail TEXT NOT NULL,
        delivered TEXT NOT NULL);
    CREATE INDEX executions_org ON executions (org_id, id);
    CREATE TABLE execution_counts (org_id INTEGER PRIMARY KEY, n INTEGER NOT NULL);
    CREATE TABLE bot_welcomed (
        bot_id INTEGER NOT NULL, user_id INTEGER NOT NULL, PRIMARY KEY (bot_id, user_id))
        WITHOUT ROWID;
    INSERT OR IGNORE INTO bot_welcomed (bot_id, user_id)
        SELECT bot_id, user_id FROM bot_subscribers;
    CREATE TABLE bot_calls (
        id TEXT NOT NULL, user_id INTEGER NOT NULL, org_id INTEGER NOT NULL,
        bot_id INTEGER NOT NULL, state TEXT NOT NULL, created_at INTEGER NOT NULL,
        PRIMARY KEY (id, user_id)) WITHOUT ROWID;
    "#,
    // 10: form sessions (forms.rs); idempotent, so a database taken back to an older version
    // by hand migrates again.
    r#"
    CREATE TABLE IF NOT EXISTS form_sessions (
        id TEXT PRIMARY KEY, org_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
        component_id INTEGER NOT NULL, chat_id TEXT, message_id TEXT, form TEXT NOT NULL,
        created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, closed INTEGER NOT NULL)
        WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS form_sessions_expiry ON form_sessions (expires_at);
    "#,
    // 11: webhook execution: each organization's signing key, each component's webhook
    // secret, and the `response_url` tokens of deferred replies (IF NOT EXISTS: a test takes a
    // database back to an older version by dropping only the tables it knows).
    r#"
    CREATE TABLE IF NOT EXISTS org_signing_keys (org_id INTEGER PRIMARY KEY, key TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS webhook_secrets (component_id INTEGER PRIMARY KEY, secret TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS response_tokens (
        token_hash TEXT PRIMARY KEY, org_id INTEGER NOT NULL, component_id INTEGER NOT NULL,
        handler_id INTEGER NOT NULL, user_id INTEGER NOT NULL, deliver TEXT NOT NULL,
        expires_at INTEGER NOT NULL, uses INTEGER NOT NULL, uses_left INTEGER NOT NULL)
        WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS response_tokens_expiry ON response_tokens (expires_at);
    "#,
    // 12: the threads a user follows, found by user (a user's chat list includes them).
    r#"
    CREATE INDEX IF NOT EXISTS thread_followers_user ON thread_followers (user_id, chat_id);
    "#,
    // 13: no time index on messages. Time never decreases along a chat's seq, so a time bound
    // is found by a binary search on the key (messaging::seq_from_time); the index cost a
    // second B-tree insert on every post, and posts spread over many chats wrote one more
    // page per chat per batch (docs/messaging.md, "Posts spread over many chats").
    r#"
    DROP INDEX IF EXISTS messages_time;
    "#,
    // 14: a chat's page version (`PageVersion`, messaging::page_version): what a rendered page
    // of its messages depends on. Posts already move `chats.last_seq`; `chats.changes` counts
    // the edits and deletions of its messages (a thread's start is an edit of its parent), and
    // the `names` counter the renames and removals of users and components (a message shows
    // its sender's and its bot's current name). Triggers keep both, so writes by another
    // process on the same database (the admin commands) move them too.
    r#"
    ALTER TABLE chats ADD COLUMN changes INTEGER NOT NULL DEFAULT 0;
    INSERT OR IGNORE INTO counters (name, value) VALUES ('names', 0);
    CREATE TRIGGER messages_page_update AFTER UPDATE ON messages BEGIN
        UPDATE chats SET changes = changes + 1 WHERE id IN (old.chat_id, new.chat_id);
    END;
    CREATE TRIGGER messages_page_delete AFTER DELETE ON messages BEGIN
        UPDATE chats SET changes = changes + 1 WHERE id = old.chat_id;
    END;
    CREATE TRIGGER users_names_update AFTER UPDATE OF name ON users BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'names';
    END;
    CREATE TRIGGER users_names_delete AFTER DELETE ON users BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'names';
    END;
    CREATE TRIGGER components_names_update AFTER UPDATE OF name ON components BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'names';
    END;
    CREATE TRIGGER components_names_delete AFTER DELETE ON components BEGIN
        UPDATE counters SET value = value + 1 WHERE name = 'names';
    END;
    "#,
    // 15: a user's channels are found from their memberships: the channels list walked every
    // channel of the database (of every organization) to find the caller's.
    r#"
    CREATE INDEX IF NOT EXISTS channels_chat ON channels (chat_id);
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
