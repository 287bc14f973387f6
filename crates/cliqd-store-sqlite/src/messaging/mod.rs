//! Messaging tables: chats, members, channels, messages, reactions, bot associations and
//! subscriptions. Every write that others can observe records a [`ChatEvent`].

mod page;
use page::{list_messages, visit_member_page, visit_messages};
mod post;
mod rows;
mod runtime;
pub(crate) use runtime::{captured_mark, clear_writer_cache, rollback_captured, take_captured};
mod search;
pub(crate) use search::index_pending_messages;
mod write;

use super::{Containment, SqliteStore, exists, map_err, next_counter, now_ms, unique_on};
use async_trait::async_trait;
use cliqd_core::policy::reply_to_allowed;
use cliqd_store::messaging::*;
use cliqd_store::rows::UserRow;
use cliqd_store::{ConflictOn, StoreError, StoreResult};
use rows::*;
use rusqlite::{OptionalExtension, params};
use serde_json::Value;
use write::*;

#[async_trait]
impl MessagingStore for SqliteStore {
    fn chat_events(&self) -> cliqd_store::EventStream {
        self.events().subscribe()
    }

    async fn create_channel(&self, new: NewChannel) -> StoreResult<ChannelRow> {
        self.write_events(move |c, events| {
            let letter = CHANNEL_KINDS
                .iter()
                .find(|(k, _)| *k == new.kind)
                .map(|(_, l)| *l)
                .ok_or_else(|| StoreError::Other(format!("unknown channel kind {}", new.kind)))?;
            let mut members = vec![new.creator_id];
            members.extend(new.members.iter().copied().filter(|m| *m != new.creator_id));
            check_users_in_org(c, new.org_id, &members)?;
            let id = format!("{letter}{}", next_counter(c, "channel_id")?);
            let chat = insert_chat(
                c,
                new.org_id,
                "channel",
                &new.name,
                new.creator_id,
                Some(&id),
                None,
                None,
                None,
                "",
            )?;
            let teams = serde_json::to_string(&new.team_ids).map_err(json_err)?;
            c.prepare_cached("INSERT INTO channels (id, org_id, kind, name, unique_name, description, creator_id,
                     team_ids, chat_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)").map_err(map_err)?.execute(params![
                    id,
                    new.org_id,
                    new.kind,
                    new.name,
                    new.unique_name,
                    new.description,
                    new.creator_id,
                    teams,
                    chat.id,
                    chat.created_at
                ],
            )
            // The id is fresh, so the one UNIQUE rule that can break is the unique name's.
            .map_err(unique_on(ConflictOn::UniqueName))?;
            add_members(c, &chat.id, &members, events)?;
            load_channel_where(c, "ch.id = ?1", &[&id])
        })
        .await
    }

    async fn channel_by_id(&self, org_id: i64, id: &str) -> StoreResult<ChannelRow> {
        let id = id.to_string();
        self.read(move |c| load_channel_where(c, "ch.id = ?1 AND ch.org_id = ?2", &[&id, &org_id]))
            .await
    }

    async fn channel_by_unique_name(
        &self,
        org_id: i64,
        unique_name: &str,
    ) -> StoreResult<ChannelRow> {
        let name = unique_name.to_string();
        self.read(move |c| {
            load_channel_where(
                c,
                "ch.unique_name = ?1 AND ch.org_id = ?2",
                &[&name, &org_id],
            )
        })
        .await
    }

    async fn channels_of_user(&self, user_id: i64) -> StoreResult<Vec<ChannelRow>> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(&channels_of_user_sql()).map_err(map_err)?;
            let raw = stmt
                .query_map([user_id], channel_from_row)
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            raw.into_iter().map(finish_channel).collect()
        })
        .await
    }

    async fn get_chat(&self, org_id: i64, chat_id: &str) -> StoreResult<ChatRow> {
        let id = chat_id.to_string();
        self.read(move |c| {
            let chat = load_chat(c, &id)?;
            if chat.org_id != org_id {
                return Err(StoreError::NotFound);
            }
            Ok(chat)
        })
        .await
    }

    async fn is_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.read(move |c| {
            let acl: String = c
                .prepare_cached("SELECT acl_chat_id FROM chats WHERE id = ?1")
                .map_err(map_err)?
                .query_row([&id], |r| r.get(0))
                .map_err(map_err)?;
            is_member_conn(c, &acl, user_id)
        })
        .await
    }

    async fn chat_for_member(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
    ) -> StoreResult<(ChatRow, bool)> {
        let id = chat_id.to_string();
        self.read_short(move |c| {
            let chat = load_chat(c, &id)?;
            if chat.org_id != org_id {
                return Err(StoreError::NotFound);
            }
            let member = is_member_conn(c, &chat.acl_chat_id, user_id)?;
            Ok((chat, member))
        })
        .await
    }

    async fn member_page(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
        page: Option<MessageQuery>,
    ) -> StoreResult<(bool, Vec<MessageRow>)> {
        let id = chat_id.to_string();
        // As in `list_messages`: only a page larger than the clients' goes to the pool.
        let short = page.as_ref().is_none_or(|q| q.limit <= SHORT_PAGE);
        let read = move |c: &rusqlite::Connection| {
            let member = member_of(c, org_id, &id, user_id)?;
            let rows = match page {
                Some(mut q) if member => {
                    q.chat_id = id;
                    list_messages(c, &q)?
                }
                _ => Vec::new(),
            };
            Ok((member, rows))
        };
        if short {
            self.read_short(read).await
        } else {
            self.read(read).await
        }
    }

    async fn member_page_into(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
        page: Option<MessageQuery>,
        mut sink: Box<dyn PageSink>,
    ) -> StoreResult<(bool, Box<dyn PageSink>)> {
        let id = chat_id.to_string();
        // As `member_page`, with the page handed to `sink` as it is read.
        let short = page.as_ref().is_none_or(|q| q.limit <= SHORT_PAGE);
        let read = move |c: &rusqlite::Connection| {
            let mut page = page.map(|q| MessageQuery {
                chat_id: id.clone(),
                ..q
            });
            // A page without time bounds reads the membership in its own statement: a
            // message read proves it.
            if let Some(q) = page
                .as_ref()
                .filter(|q| q.from_time.is_none() && q.to_time.is_none())
            {
                if visit_member_page(c, org_id, user_id, q, sink.as_mut())? {
                    return Ok((true, sink));
                }
                // No message: the page is empty, or the caller may not read it; only the
                // membership is left to ask.
                page = None;
            }
            let member = member_of(c, org_id, &id, user_id)?;
            if let Some(q) = page.filter(|_| member) {
                visit_messages(c, &q, sink.as_mut())?;
            }
            Ok((member, sink))
        };
        if short {
            self.read_short(read).await
        } else {
            self.read(read).await
        }
    }

    async fn chat_listings(
        &self,
        chats: &[ChatRow],
        viewer_id: i64,
    ) -> StoreResult<Vec<ChatListing>> {
        let keys: Vec<(String, String, i64)> = chats
            .iter()
            .map(|c| (c.id.clone(), c.acl_chat_id.clone(), c.creator_id))
            .collect();
        // One statement per chat, three answers: each statement run has a cost of its own.
        self.read(move |c| {
            let mut listing = c
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM chat_mutes WHERE chat_id = ?1 AND user_id = ?2),
                     (SELECT COUNT(*) FROM chat_members m JOIN users u ON u.id = m.user_id
                      WHERE m.chat_id = ?3),
                     (SELECT name FROM users WHERE id = ?4)",
                )
                .map_err(map_err)?;
            keys.iter()
                .map(|(id, acl, creator_id)| {
                    listing
                        .query_row(params![id, viewer_id, acl, creator_id], |r| {
                            Ok(ChatListing {
                                muted: r.get(0)?,
                                participant_count: r.get(1)?,
                                creator_name: r.get(2)?,
                            })
                        })
                        .map_err(map_err)
                })
                .collect()
        })
        .await
    }

    async fn chat_members(&self, chat_id: &str) -> StoreResult<Vec<UserRow>> {
        let id = chat_id.to_string();
        self.read(move |c| members_of(c, &id)).await
    }

    async fn add_chat_members(&self, chat_id: &str, user_ids: Vec<i64>) -> StoreResult<Vec<i64>> {
        let id = chat_id.to_string();
        self.write_events(move |c, events| {
            let chat = load_chat(c, &id)?;
            check_users_in_org(c, chat.org_id, &user_ids)?;
            add_members(c, &chat.acl_chat_id, &user_ids, events)
        })
        .await
    }

    async fn remove_chat_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.write_events(move |c, events| {
            let chat = load_chat(c, &id)?;
            let n = c
                .execute(
                    "DELETE FROM chat_members WHERE chat_id = ?1 AND user_id = ?2",
                    params![chat.acl_chat_id, user_id],
                )
                .map_err(map_err)?;
            if n > 0 {
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    seq: chat_seq(c, &chat.acl_chat_id)?,
                    kind: ChatEventKind::MemberLeft {
                        chat_id: chat.acl_chat_id,
                        user_id,
                    },
                });
            }
            Ok(n > 0)
        })
        .await
    }

    async fn chats_of_user(&self, user_id: i64) -> StoreResult<Vec<ChatRow>> {
        self.read(move |c| {
            chats_query(
                c,
                &format!(
                    "SELECT {CHAT_COLS} FROM chats WHERE id IN
                     (SELECT chat_id FROM chat_members WHERE user_id = ?1)
                     OR (id IN (SELECT chat_id FROM thread_followers WHERE user_id = ?1)
                         AND acl_chat_id IN
                         (SELECT chat_id FROM chat_members WHERE user_id = ?1))
                     ORDER BY last_time DESC, id"
                ),
                &[&user_id],
            )
        })
        .await
    }

    async fn chat_ids_of_user(&self, user_id: i64) -> StoreResult<Vec<String>> {
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT chat_id FROM chat_members WHERE user_id = ?1")
                .map_err(map_err)?;
            let ids = stmt
                .query_map([user_id], |r| r.get(0))
                .map_err(map_err)?
                .collect::<Result<Vec<String>, _>>()
                .map_err(map_err)?;
            Ok(ids)
        })
        .await
    }

    async fn open_direct_chat(&self, org_id: i64, a: i64, b: i64) -> StoreResult<ChatRow> {
        self.write_events(move |c, events| {
            check_users_in_org(c, org_id, &[a, b])?;
            let key = format!("dm:{}:{}", a.min(b), a.max(b));
            let existing = c
                .prepare_cached("SELECT id FROM chats WHERE pair_key = ?1")
                .map_err(map_err)?
                .query_row([&key], |r| r.get::<_, String>(0))
                .optional()
                .map_err(map_err)?;
            if let Some(id) = existing {
                return load_chat(c, &id);
            }
            let title = user_name(c, b)?;
            let chat = insert_chat(
                c,
                org_id,
                "direct_message",
                &title,
                a,
                None,
                None,
                None,
                Some(&key),
                "",
            )?;
            add_members(c, &chat.id, &[a, b], events)?;
            Ok(chat)
        })
        .await
    }

    async fn create_group_chat(
        &self,
        org_id: i64,
        creator_id: i64,
        title: &str,
        members: Vec<i64>,
    ) -> StoreResult<ChatRow> {
        let title = title.to_string();
        self.write_events(move |c, events| {
            let mut all = vec![creator_id];
            all.extend(members.iter().copied().filter(|m| *m != creator_id));
            check_users_in_org(c, org_id, &all)?;
            let chat = insert_chat(
                c,
                org_id,
                "group_chat",
                &title,
                creator_id,
                None,
                None,
                None,
                None,
                "",
            )?;
            add_members(c, &chat.id, &all, events)?;
            Ok(chat)
        })
        .await
    }

    async fn post_message_with(
        &self,
        p: NewPost,
        opts: PostOptions,
    ) -> StoreResult<Result<MessageRow, Refusal>> {
        // `post` answers every refusal before it writes, so it needs no savepoint.
        self.write_events_with(Containment::Batch, move |c, events| {
            post::post(c, p, opts, events)
        })
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn post_bot_messages(
        &self,
        org_id: i64,
        bot_id: i64,
        sender_id: i64,
        user_ids: Vec<i64>,
        kind: String,
        body: Value,
        reply_to: Option<String>,
        mentions: Vec<MentionRow>,
    ) -> StoreResult<Vec<(i64, MessageRow)>> {
        self.write_events(move |c, events| {
            check_users_in_org(c, org_id, &user_ids)?;
            let mut out = Vec::new();
            for u in user_ids {
                let chat = bot_chat(c, org_id, bot_id, u, events)?;
                // The reply names a message of the chat the post lands in (the core's rule).
                if let Some(r) = &reply_to
                    && !chat_of_message(c, r)?
                        .is_some_and(|found| reply_to_allowed(&found, &chat.id, None, None))
                {
                    // The job's savepoint undoes any bot chat opened above.
                    return Err(StoreError::Conflict(ConflictOn::ReplyTo));
                }
                let row = insert_message(
                    c,
                    Insert {
                        chat_id: &chat.id,
                        sender_id,
                        bot_id: Some(bot_id),
                        kind: &kind,
                        body: &body,
                        reply_to: reply_to.as_deref(),
                        origin: None,
                        mentions: &mentions,
                    },
                )?;
                events.push(ChatEvent {
                    acl_chat_id: chat.acl_chat_id.clone(),
                    seq: row.seq,
                    kind: ChatEventKind::MessageCreated(row.clone()),
                });
                out.push((u, row));
            }
            Ok(out)
        })
        .await
    }

    async fn list_messages(&self, q: MessageQuery) -> StoreResult<Vec<MessageRow>> {
        // Every page walks the key for at most `limit` rows, after a binary search per time
        // bound; only a page larger than the clients' (at most 100) goes to the pool.
        if q.limit > SHORT_PAGE {
            return self.read(move |c| list_messages(c, &q)).await;
        }
        self.read_short(move |c| list_messages(c, &q)).await
    }

    async fn search_messages(&self, query: MessageSearch) -> StoreResult<Vec<SearchHit>> {
        self.read(move |c| search::search(c, &query)).await
    }

    async fn get_message(&self, chat_id: &str, message_id: &str) -> StoreResult<MessageRow> {
        let (chat, id) = (chat_id.to_string(), message_id.to_string());
        self.read_short(move |c| load_message(c, &chat, &id)).await
    }

    async fn edit_message(
        &self,
        chat_id: &str,
        message_id: &str,
        body: Value,
        mentions: Vec<MentionRow>,
    ) -> StoreResult<MessageRow> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.write_events(move |c, events| {
            let text = serde_json::to_string(&body).map_err(json_err)?;
            let n = c
                .execute(
                    "UPDATE messages SET body = ?1, edited = 1, mentions = ?4
                     WHERE id = ?2 AND chat_id = ?3",
                    params![text, id, chat_id, mentions_to_json(&mentions)],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            c.execute("DELETE FROM message_mentions WHERE message_id = ?1", [&id])
                .map_err(map_err)?;
            index_mentions(c, &id, &mentions)?;
            let row = load_message(c, &chat_id, &id)?;
            runtime::changed_message_triggers(c, &row, cliqd_store::TriggerKind::MessageEdited)?;
            let (acl, seq) = acl_and_seq(c, &chat_id)?;
            events.push(ChatEvent {
                acl_chat_id: acl,
                seq,
                kind: ChatEventKind::MessageEdited(row.clone()),
            });
            Ok(row)
        })
        .await
    }

    async fn delete_message(&self, chat_id: &str, message_id: &str) -> StoreResult<()> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.write_events(move |c, events| {
            // The deleted message as it was, for the bots that listen in its channel.
            let old = match load_message(c, &chat_id, &id) {
                Ok(row) => row,
                Err(StoreError::NotFound) => return Err(StoreError::NotFound),
                Err(e) => return Err(e),
            };
            runtime::changed_message_triggers(c, &old, cliqd_store::TriggerKind::MessageDeleted)?;
            let n = c
                .execute(
                    "DELETE FROM messages WHERE id = ?1 AND chat_id = ?2",
                    params![id, chat_id],
                )
                .map_err(map_err)?;
            if n == 0 {
                return Err(StoreError::NotFound);
            }
            c.prepare_cached("DELETE FROM reactions WHERE message_id = ?1")
                .map_err(map_err)?
                .execute([&id])
                .map_err(map_err)?;
            let (acl, seq) = acl_and_seq(c, &chat_id)?;
            events.push(ChatEvent {
                acl_chat_id: acl,
                seq,
                kind: ChatEventKind::MessageDeleted {
                    chat_id,
                    message_id: id,
                },
            });
            Ok(())
        })
        .await
    }

    async fn add_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool> {
        let (chat_id, id, emoji) = (
            chat_id.to_string(),
            message_id.to_string(),
            emoji.to_string(),
        );
        self.write_events(move |c, events| {
            load_message(c, &chat_id, &id)?;
            let time = now_ms();
            let n = c
                .execute(
                    "INSERT OR IGNORE INTO reactions (message_id, emoji, user_id, time)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![id, emoji, user_id, time],
                )
                .map_err(map_err)?;
            if n > 0 {
                let (acl, seq) = acl_and_seq(c, &chat_id)?;
                events.push(ChatEvent {
                    acl_chat_id: acl,
                    seq,
                    kind: ChatEventKind::ReactionAdded {
                        chat_id,
                        message_id: id,
                        reaction: ReactionRow {
                            emoji,
                            user_id,
                            user_name: user_name(c, user_id)?,
                            time,
                        },
                    },
                });
            }
            Ok(n > 0)
        })
        .await
    }

    async fn remove_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool> {
        let (chat_id, id, emoji) = (
            chat_id.to_string(),
            message_id.to_string(),
            emoji.to_string(),
        );
        self.write_events(move |c, events| {
            load_message(c, &chat_id, &id)?;
            let time: Option<i64> = c
                .query_row(
                    "DELETE FROM reactions WHERE message_id = ?1 AND emoji = ?2 AND user_id = ?3
                     RETURNING time",
                    params![id, emoji, user_id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(map_err)?;
            let Some(time) = time else {
                return Ok(false);
            };
            let (acl, seq) = acl_and_seq(c, &chat_id)?;
            events.push(ChatEvent {
                acl_chat_id: acl,
                seq,
                kind: ChatEventKind::ReactionRemoved {
                    chat_id,
                    message_id: id,
                    reaction: ReactionRow {
                        emoji,
                        user_id,
                        user_name: user_name(c, user_id)?,
                        time,
                    },
                },
            });
            Ok(true)
        })
        .await
    }

    async fn reactions(&self, chat_id: &str, message_id: &str) -> StoreResult<Vec<ReactionRow>> {
        let (chat_id, id) = (chat_id.to_string(), message_id.to_string());
        self.read(move |c| {
            load_message(c, &chat_id, &id)?;
            let mut stmt = c
                .prepare_cached(
                    "SELECT r.emoji, r.user_id, u.name, r.time FROM reactions r
                     JOIN users u ON u.id = r.user_id WHERE r.message_id = ?1
                     ORDER BY r.time, r.user_id",
                )
                .map_err(map_err)?;
            let rows = stmt
                .query_map([&id], |r| {
                    Ok(ReactionRow {
                        emoji: r.get(0)?,
                        user_id: r.get(1)?,
                        user_name: r.get(2)?,
                        time: r.get(3)?,
                    })
                })
                .map_err(map_err)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(map_err)?;
            Ok(rows)
        })
        .await
    }

    async fn associate_bot(&self, channel_id: &str, bot_id: i64) -> StoreResult<bool> {
        let id = channel_id.to_string();
        self.write(move |c| associate(c, &id, bot_id)).await
    }

    async fn channel_bots(&self, channel_id: &str) -> StoreResult<Vec<i64>> {
        let id = channel_id.to_string();
        self.read(move |c| {
            let mut stmt = c
                .prepare_cached("SELECT bot_id FROM channel_bots WHERE channel_id = ?1")
                .map_err(map_err)?;
            let ids = stmt
                .query_map([&id], |r| r.get(0))
                .map_err(map_err)?
                .collect::<Result<Vec<i64>, _>>()
                .map_err(map_err)?;
            Ok(ids)
        })
        .await
    }

    async fn subscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool> {
        self.write(move |c| subscribe(c, bot_id, user_id)).await
    }

    async fn unsubscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool> {
        self.write(move |c| {
            let n = c
                .execute(
                    "DELETE FROM bot_subscribers WHERE bot_id = ?1 AND user_id = ?2",
                    params![bot_id, user_id],
                )
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn bot_subscribers(&self, bot_id: i64) -> StoreResult<Vec<UserRow>> {
        self.read(move |c| {
            users_query(
                c,
                "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM bot_subscribers s
                 JOIN users u ON u.id = s.user_id WHERE s.bot_id = ?1
                 ORDER BY s.created_at, u.id",
                [bot_id],
            )
        })
        .await
    }

    async fn thread_followers(&self, thread_chat_id: &str) -> StoreResult<Vec<UserRow>> {
        let id = thread_chat_id.to_string();
        self.read(move |c| {
            let chat = load_chat(c, &id)?;
            users_query(
                c,
                "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM thread_followers f
                 JOIN users u ON u.id = f.user_id
                 JOIN chat_members m ON m.chat_id = ?2 AND m.user_id = f.user_id
                 WHERE f.chat_id = ?1 ORDER BY f.followed_at, u.id",
                params![chat.id, chat.acl_chat_id],
            )
        })
        .await
    }

    async fn thread_nonfollowers(&self, thread_chat_id: &str) -> StoreResult<Vec<UserRow>> {
        let id = thread_chat_id.to_string();
        self.read(move |c| {
            let chat = load_chat(c, &id)?;
            users_query(
                c,
                "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM chat_members m
                 JOIN users u ON u.id = m.user_id
                 WHERE m.chat_id = ?2 AND NOT EXISTS (SELECT 1 FROM thread_followers f
                     WHERE f.chat_id = ?1 AND f.user_id = m.user_id)
                 ORDER BY m.joined_at, u.id",
                params![chat.id, chat.acl_chat_id],
            )
        })
        .await
    }

    async fn is_following(&self, thread_chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = thread_chat_id.to_string();
        self.read(move |c| {
            exists(
                c,
                "SELECT 1 FROM thread_followers WHERE chat_id = ?1 AND user_id = ?2",
                params![id, user_id],
            )
        })
        .await
    }

    async fn follow_thread(
        &self,
        thread_chat_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<Vec<i64>> {
        let id = thread_chat_id.to_string();
        self.write(move |c| {
            let mut added = Vec::new();
            for u in user_ids {
                if follow(c, &id, u)? {
                    added.push(u);
                }
            }
            Ok(added)
        })
        .await
    }

    async fn unfollow_thread(
        &self,
        thread_chat_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<Vec<i64>> {
        let id = thread_chat_id.to_string();
        self.write(move |c| {
            let mut removed = Vec::new();
            for u in user_ids {
                let n = c
                    .prepare_cached(
                        "DELETE FROM thread_followers WHERE chat_id = ?1 AND user_id = ?2",
                    )
                    .map_err(map_err)?
                    .execute(params![id, u])
                    .map_err(map_err)?;
                if n > 0 {
                    removed.push(u);
                }
            }
            Ok(removed)
        })
        .await
    }

    async fn set_thread_closed(&self, thread_chat_id: &str, closed: bool) -> StoreResult<bool> {
        let id = thread_chat_id.to_string();
        self.write(move |c| set_closed(c, &id, closed)).await
    }

    async fn set_chat_muted(&self, chat_id: &str, user_id: i64, muted: bool) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.write(move |c| {
            let sql = if muted {
                "INSERT OR IGNORE INTO chat_mutes (chat_id, user_id) VALUES (?1, ?2)"
            } else {
                "DELETE FROM chat_mutes WHERE chat_id = ?1 AND user_id = ?2"
            };
            let n = c
                .prepare_cached(sql)
                .map_err(map_err)?
                .execute(params![id, user_id])
                .map_err(map_err)?;
            Ok(n > 0)
        })
        .await
    }

    async fn is_muted(&self, chat_id: &str, user_id: i64) -> StoreResult<bool> {
        let id = chat_id.to_string();
        self.read(move |c| {
            exists(
                c,
                "SELECT 1 FROM chat_mutes WHERE chat_id = ?1 AND user_id = ?2",
                params![id, user_id],
            )
        })
        .await
    }

    async fn create_webhook_token(
        &self,
        user_id: i64,
        hash: &str,
        name: &str,
        max: usize,
    ) -> StoreResult<bool> {
        let (hash, name) = (hash.to_string(), name.to_string());
        self.write(move |c| {
            let n: i64 = c
                .query_row(
                    "SELECT COUNT(*) FROM webhook_tokens WHERE user_id = ?1",
                    [user_id],
                    |r| r.get(0),
                )
                .map_err(map_err)?;
            if n as usize >= max {
                return Ok(false);
            }
            c.prepare_cached("INSERT INTO webhook_tokens (hash, user_id, name, created_at) VALUES (?1, ?2, ?3, ?4)").map_err(map_err)?.execute(params![hash, user_id, name, now_ms()],
            )
            .map_err(map_err)?;
            Ok(true)
        })
        .await
    }

    async fn webhook_token_user(&self, hash: &str) -> StoreResult<UserRow> {
        let hash = hash.to_string();
        self.read(move |c| {
            c.prepare_cached(
                "SELECT u.id, u.org_id, u.email, u.name, u.is_admin FROM webhook_tokens w
                 JOIN users u ON u.id = w.user_id WHERE w.hash = ?1",
            )
            .map_err(map_err)?
            .query_row([hash], crate::identity::user_from_row)
            .map_err(map_err)
        })
        .await
    }
}

/// Associates a bot with a channel; whether it was not yet.
pub(super) fn associate(
    c: &rusqlite::Connection,
    channel_id: &str,
    bot_id: i64,
) -> StoreResult<bool> {
    let n = c
        .prepare_cached("INSERT OR IGNORE INTO channel_bots (channel_id, bot_id) VALUES (?1, ?2)")
        .map_err(map_err)?
        .execute(params![channel_id, bot_id])
        .map_err(map_err)?;
    Ok(n > 0)
}

/// Subscribes a user to a bot; whether they were not yet.
pub(super) fn subscribe(c: &rusqlite::Connection, bot_id: i64, user_id: i64) -> StoreResult<bool> {
    let n = c
        .prepare_cached(
            "INSERT OR IGNORE INTO bot_subscribers (bot_id, user_id, created_at) VALUES (?1, ?2, ?3)",
        )
        .map_err(map_err)?
        .execute(params![bot_id, user_id, now_ms()])
        .map_err(map_err)?;
    Ok(n > 0)
}

/// Closes or reopens a thread; whether that changed it.
pub(super) fn set_closed(
    c: &rusqlite::Connection,
    thread_chat_id: &str,
    closed: bool,
) -> StoreResult<bool> {
    let n = c
        .prepare_cached(
            "UPDATE chats SET closed = ?2 WHERE id = ?1 AND kind = 'thread' AND closed != ?2",
        )
        .map_err(map_err)?
        .execute(params![thread_chat_id, closed])
        .map_err(map_err)?;
    Ok(n > 0)
}

/// The largest page [`MessagingStore::list_messages`] reads on the calling thread.
const SHORT_PAGE: u32 = 100;

/// Whether `user_id` may read chat `chat_id` of organization `org_id` (`NotFound`: no such
/// chat there): one statement, reading only what the membership needs of the chat.
/// The channels whose chat user `?1` is a member of, oldest first: from the user's
/// memberships (index `chat_members_user`), each channel found by its chat (`channels_chat`).
pub(crate) fn channels_of_user_sql() -> String {
    format!(
        "SELECT {CHANNEL_COLS} FROM channels ch JOIN chat_members m
         ON m.chat_id = ch.chat_id AND m.user_id = ?1 ORDER BY ch.created_at, ch.id"
    )
}

fn member_of(
    c: &rusqlite::Connection,
    org_id: i64,
    chat_id: &str,
    user_id: i64,
) -> StoreResult<bool> {
    let (chat_org, member): (i64, bool) = c
        .prepare_cached(
            "SELECT c.org_id, EXISTS (SELECT 1 FROM chat_members m \
             WHERE m.chat_id = c.acl_chat_id AND m.user_id = ?2) FROM chats c WHERE c.id = ?1",
        )
        .map_err(map_err)?
        .query_row(params![chat_id, user_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(map_err)?;
    if chat_org != org_id {
        return Err(StoreError::NotFound);
    }
    Ok(member)
}
