//! Mentions: resolving what a posted text mentions ([`cliqd_message::parse_mentions`]) within
//! the poster's organization, and the JSON shapes a mention is read and handed to handlers in
//! (the `mentions` item, <https://www.zoho.com/cliq/help/platform/cliq-objects/message-details-object.html>).
//!
//! Every post path resolves the text's mentions (`post_message`, `post_bot_messages`), and an
//! edit resolves the new text's in their place; a forwarded copy keeps its original's.
//!
//! A mention that names nothing the poster may name — no such user, team, bot or channel in
//! the organization, a bot the poster cannot see, a private channel the poster is not in — is
//! dropped: Cliq renders it as the text it is, and so does the stored message, whose text is
//! kept as posted.
//!
//! Choices where the documentation is silent:
//! - `{@<digits>}` is a user's ZUID or a team's id; a user of the organization wins.
//! - `{@all}` and `{@available}` resolve in any chat: cliqd keeps no per-channel roles, so
//!   every member may use them (Cliq refuses the post when the poster lacks that permission).
//! - Team mentions resolve in any chat, though Cliq documents them for team-level and
//!   organization-level channels.
//! - At most [`MAX_MENTIONS`] distinct mentions of a text are resolved; later ones stay text.
//! - `first_name` is a user's name up to its first space, `last_name` the rest; `dname` is
//!   `@` and the name (`#` for a channel), as the mentions API shows `display_name`.

use crate::{Actor, ServiceResult, find_component};
use cliqd_core::ComponentKind;
use cliqd_core::ids::BOT_ID_PREFIX;
use cliqd_message::{MentionRef, MentionTarget, parse_mentions};
use cliqd_store::{MentionKind, MentionRow, MessageRow, Store, StoreError, TeamRow, UserRow};
use serde_json::{Map, Value};

/// Most mentions of one text that are resolved.
pub const MAX_MENTIONS: usize = 100;

/// The mentions of `text`, resolved for `actor`, in order of appearance, each once. A text
/// without mention syntax costs no store call.
pub async fn resolve_mentions(
    store: &dyn Store,
    actor: &Actor,
    text: &str,
) -> ServiceResult<Vec<MentionRow>> {
    let refs = parse_mentions(text);
    if refs.is_empty() {
        return Ok(Vec::new());
    }
    let mut teams: Option<Vec<TeamRow>> = None;
    let mut out: Vec<MentionRow> = Vec::new();
    for r in refs.into_iter().take(MAX_MENTIONS) {
        let Some(row) = resolve_one(store, actor, &r, &mut teams).await? else {
            continue;
        };
        // `{@55000001}` and `{@ann@zylker.com}` may name the same user.
        match out
            .iter_mut()
            .find(|o| o.kind == row.kind && o.id == row.id)
        {
            Some(o) => o.silent &= row.silent,
            None => out.push(row),
        }
    }
    Ok(out)
}

/// The resolved mentions of a posted message's text (none without text).
pub(crate) async fn mentions_of(
    store: &dyn Store,
    actor: &Actor,
    text: Option<&str>,
) -> ServiceResult<Vec<MentionRow>> {
    match text {
        Some(t) => resolve_mentions(store, actor, t).await,
        None => Ok(Vec::new()),
    }
}

/// `Ok(None)` when the store has no such row; other store errors pass through.
fn found<T>(r: Result<T, StoreError>) -> ServiceResult<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn resolve_one(
    store: &dyn Store,
    actor: &Actor,
    r: &MentionRef,
    teams: &mut Option<Vec<TeamRow>>,
) -> ServiceResult<Option<MentionRow>> {
    let org = actor.org_id();
    let user_in_org = |u: Option<UserRow>| u.filter(|u| u.org_id == org);
    let row = match &r.target {
        MentionTarget::User(id) => user_in_org(found(store.user_by_id(*id).await)?).map(user),
        MentionTarget::Email(email) => {
            user_in_org(found(store.user_by_email(email).await)?).map(user)
        }
        MentionTarget::UserOrTeam(id) => match user_in_org(found(store.user_by_id(*id).await)?) {
            Some(u) => Some(user(u)),
            None => {
                if teams.is_none() {
                    *teams = Some(store.teams_of_org(org).await?);
                }
                teams
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .find(|t| t.id == *id)
                    .map(team)
            }
        },
        MentionTarget::Bot(id) => {
            let raw = format!("{BOT_ID_PREFIX}{id}");
            find_component(store, actor, ComponentKind::Bot, BOT_ID_PREFIX, false, &raw)
                .await?
                .map(|b| MentionRow {
                    kind: MentionKind::Bot,
                    id: raw,
                    name: b.name,
                    dname: None,
                    first_name: None,
                    last_name: None,
                    email: None,
                    silent: false,
                })
        }
        MentionTarget::Channel(id) => channel(store, actor, id).await?,
        MentionTarget::All => Some(keyword(MentionKind::All)),
        MentionTarget::Available => Some(keyword(MentionKind::Available)),
    };
    Ok(row.map(|mut m| {
        m.silent = r.silent;
        m
    }))
}

fn user(u: UserRow) -> MentionRow {
    let (first, last) = match u.name.split_once(' ') {
        Some((f, l)) => (f.to_string(), l.trim().to_string()),
        None => (u.name.clone(), String::new()),
    };
    MentionRow {
        kind: MentionKind::User,
        id: u.id.to_string(),
        dname: Some(format!("@{}", u.name)),
        name: u.name,
        first_name: Some(first),
        last_name: Some(last),
        email: Some(u.email),
        silent: false,
    }
}

fn team(t: &TeamRow) -> MentionRow {
    MentionRow {
        kind: MentionKind::Team,
        id: t.id.to_string(),
        name: t.name.clone(),
        dname: Some(format!("@{}", t.name)),
        first_name: None,
        last_name: None,
        email: None,
        silent: false,
    }
}

fn keyword(kind: MentionKind) -> MentionRow {
    let word = kind.as_str();
    MentionRow {
        kind,
        id: word.to_string(),
        name: word.to_string(),
        dname: Some(format!("@{word}")),
        first_name: None,
        last_name: None,
        email: None,
        silent: false,
    }
}

/// A channel of the organization the poster may name: any organization-wide channel; a team
/// channel when they are in it or in one of its teams; a personal or external channel only
/// when they are in it.
async fn channel(store: &dyn Store, actor: &Actor, id: &str) -> ServiceResult<Option<MentionRow>> {
    let Some(ch) = found(store.channel_by_id(actor.org_id(), id).await)? else {
        return Ok(None);
    };
    let visible = match ch.kind.as_str() {
        "organization" => true,
        "team" => {
            store.is_member(&ch.chat_id, actor.id()).await? || {
                let mine = store.teams_of_user(actor.id()).await?;
                ch.team_ids.iter().any(|t| mine.contains(t))
            }
        }
        _ => store.is_member(&ch.chat_id, actor.id()).await?,
    };
    Ok(visible.then(|| MentionRow {
        kind: MentionKind::Channel,
        id: ch.id,
        dname: Some(format!("#{}", ch.name)),
        name: ch.name,
        first_name: None,
        last_name: None,
        email: None,
        silent: false,
    }))
}

/// One mentions item: `{id, type, name, dname?, first_name?, last_name?, email?}` (bots as
/// `b-<id>`).
pub fn mention_json(m: &MentionRow) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), m.id.clone().into());
    o.insert("type".into(), m.kind.as_str().into());
    o.insert("name".into(), m.name.clone().into());
    for (k, v) in [
        ("dname", &m.dname),
        ("first_name", &m.first_name),
        ("last_name", &m.last_name),
        ("email", &m.email),
    ] {
        if let Some(v) = v {
            o.insert(k.into(), v.clone().into());
        }
    }
    Value::Object(o)
}

/// A message's mentions as a JSON array (what reads show under `mentions`).
pub fn mentions_json(mentions: &[MentionRow]) -> Value {
    Value::Array(mentions.iter().map(mention_json).collect())
}

/// The `mentions` LIST a handler gets for the message `row` (empty when it mentions nothing).
pub fn mentions_input(row: &MessageRow) -> Value {
    mentions_json(&row.mentions)
}

/// The bots `row` mentions, in order: whose mention handlers the message fires.
pub fn mentioned_bot_ids(row: &MessageRow) -> Vec<i64> {
    row.mentions.iter().filter_map(MentionRow::bot_id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(mentions: Vec<MentionRow>) -> MessageRow {
        MessageRow {
            id: "1_1".into(),
            chat_id: "CT_1_1".into(),
            seq: 1,
            time: 1,
            sender_id: 1,
            sender_name: "S".into(),
            bot_id: None,
            bot_name: None,
            kind: "text".into(),
            body: json!({"text": "x"}).into(),
            edited: false,
            reply_to: None,
            thread_chat_id: None,
            origin_chat_id: None,
            origin_message_id: None,
            mentions,
        }
    }

    fn bot(id: &str) -> MentionRow {
        MentionRow {
            kind: MentionKind::Bot,
            id: id.into(),
            name: "Support Bot".into(),
            dname: None,
            first_name: None,
            last_name: None,
            email: None,
            silent: false,
        }
    }

    #[test]
    fn user_items_split_the_name_and_show_the_documented_keys() {
        let u = user(UserRow {
            id: 55000001,
            org_id: 1,
            email: "scott.fisher@zylker.com".into(),
            name: "Scott  van Fisher".into(),
            is_admin: false,
        });
        assert_eq!(
            mention_json(&u),
            json!({"id": "55000001", "type": "user", "name": "Scott  van Fisher",
                   "dname": "@Scott  van Fisher", "first_name": "Scott",
                   "last_name": "van Fisher", "email": "scott.fisher@zylker.com"})
        );
        let single = user(UserRow {
            id: 2,
            org_id: 1,
            email: "a@b.c".into(),
            name: "Admin".into(),
            is_admin: true,
        });
        assert_eq!(single.first_name.as_deref(), Some("Admin"));
        assert_eq!(single.last_name.as_deref(), Some(""));
    }

    #[test]
    fn keyword_and_bot_items() {
        assert_eq!(
            mention_json(&keyword(MentionKind::Available)),
            json!({"id": "available", "type": "available", "name": "available",
                   "dname": "@available"})
        );
        // As the documented bot mention: no dname, no user fields.
        assert_eq!(
            mention_json(&bot("b-1775998000015152705")),
            json!({"name": "Support Bot", "id": "b-1775998000015152705", "type": "bot"})
        );
    }

    #[test]
    fn handler_inputs() {
        assert_eq!(mentions_input(&row(vec![])), json!([]));
        assert!(mentioned_bot_ids(&row(vec![])).is_empty());
        let r = row(vec![
            keyword(MentionKind::All),
            bot("b-7"),
            bot("b-9"),
            bot("not-a-bot-id"),
        ]);
        assert_eq!(mentioned_bot_ids(&r), vec![7, 9]);
        let input = mentions_input(&r);
        assert_eq!(input.as_array().map(Vec::len), Some(4));
        assert_eq!(input[1]["id"], "b-7");
    }
}
