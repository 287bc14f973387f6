//! Messaging storage: channels, chats and their members, messages, reactions, bot channel
//! associations and bot subscriptions, thread followers and state, per-user chat mutes, plus
//! the change feed of committed chat events.
//!
//! Ids follow Cliq's shapes (<https://www.zoho.com/cliq/help/restapi/v3/glossary/>): chats `CT_<19 digits>_<creator zuid>` (bot chats end in
//! `-B2`, threads in `-T-<n>`), channels `O…`/`T…`/`P…`/`E…` + digits by kind, messages
//! `<epoch_ms>_<n>`. Within a chat, messages carry a sequence number allocated by the single
//! writer, so sequence order is commit order and time never goes backwards along it.

use crate::StoreResult;
use crate::rows::UserRow;
use async_trait::async_trait;
use serde_json::Value;
use serde_json::value::RawValue;
use std::sync::{Arc, OnceLock};

/// Channel kinds and the letter their ids start with.
pub const CHANNEL_KINDS: &[(&str, char)] = &[
    ("organization", 'O'),
    ("team", 'T'),
    ("personal", 'P'),
    ("external", 'E'),
];

#[derive(Debug, Clone, PartialEq)]
pub struct NewChannel {
    pub org_id: i64,
    /// One of [`CHANNEL_KINDS`].
    pub kind: String,
    pub name: String,
    pub unique_name: String,
    pub description: String,
    pub creator_id: i64,
    pub team_ids: Vec<i64>,
    /// Initial members besides the creator.
    pub members: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChannelRow {
    pub id: String,
    pub org_id: i64,
    pub kind: String,
    pub name: String,
    pub unique_name: String,
    pub description: String,
    pub creator_id: i64,
    pub team_ids: Vec<i64>,
    /// The channel's message stream.
    pub chat_id: String,
    pub created_at: i64,
    pub member_count: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatRow {
    pub id: String,
    pub org_id: i64,
    /// `channel`, `direct_message`, `group_chat`, `bot` or `thread` (<https://www.zoho.com/cliq/help/restapi/v3/chats/>).
    pub kind: String,
    pub title: String,
    pub creator_id: i64,
    pub channel_id: Option<String>,
    pub bot_id: Option<i64>,
    /// Threads: the chat and message they hang under.
    pub parent_chat_id: Option<String>,
    pub thread_message_id: Option<String>,
    /// The chat whose members may read and write this one (itself, or a thread's parent).
    pub acl_chat_id: String,
    pub created_at: i64,
    /// Time of the newest message (or creation).
    pub last_time: i64,
    /// Threads: closed to new messages (`PUT /threads/{id}` `close`).
    pub closed: bool,
}

/// What a chat listing shows of a chat besides its row (see `MessagingStore::chat_listings`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatListing {
    /// The viewer muted the chat.
    pub muted: bool,
    /// Members of its access chat.
    pub participant_count: i64,
    /// `None` when the creator is no longer a user.
    pub creator_name: Option<String>,
}

/// A message as stored: the canonical JSON of the validated message plus indexed columns.
#[derive(Debug, Clone, PartialEq)]
pub struct MessageRow {
    pub id: String,
    pub chat_id: String,
    /// Position in the chat, in commit order.
    pub seq: i64,
    /// Unix milliseconds.
    pub time: i64,
    pub sender_id: i64,
    pub sender_name: String,
    /// Set when the message was posted as a bot.
    pub bot_id: Option<i64>,
    pub bot_name: Option<String>,
    /// `text` or `card` (a card, buttons or slides).
    pub kind: String,
    /// The canonical message object (text, card, buttons, slides, styles, references, …).
    pub body: MessageBody,
    pub edited: bool,
    pub reply_to: Option<String>,
    /// Set on a message that has a thread under it.
    pub thread_chat_id: Option<String>,
    /// Set on the copy of a thread reply posted with `post_in_parent`: the thread and the
    /// reply it copies.
    pub origin_chat_id: Option<String>,
    pub origin_message_id: Option<String>,
    /// What the text mentioned, resolved when the message was posted (empty: nothing).
    pub mentions: Vec<MentionRow>,
}

/// A message as a page read visits it ([`MessagingStore::member_page_into`]): the fields of a
/// [`MessageRow`], borrowed from wherever the store holds them while it reads, so a page is
/// rendered without copying each message into owned strings first. A row lends one with
/// [`MessageRow::as_ref`]; [`MessageRef::to_row`] makes the owned row back.
#[derive(Debug, Clone, Copy)]
pub struct MessageRef<'a> {
    pub id: &'a str,
    pub chat_id: &'a str,
    pub seq: i64,
    pub time: i64,
    pub sender_id: i64,
    pub sender_name: &'a str,
    pub bot_id: Option<i64>,
    pub bot_name: Option<&'a str>,
    pub kind: &'a str,
    /// The stored JSON text of the body: checked to be JSON when it was written (bodies are
    /// stored only as serialized values), not parsed again when read.
    pub body: &'a str,
    pub edited: bool,
    pub reply_to: Option<&'a str>,
    pub thread_chat_id: Option<&'a str>,
    pub origin_chat_id: Option<&'a str>,
    pub origin_message_id: Option<&'a str>,
    pub mentions: &'a [MentionRow],
}

impl MessageRow {
    /// The row's fields, borrowed.
    pub fn as_ref(&self) -> MessageRef<'_> {
        MessageRef {
            id: &self.id,
            chat_id: &self.chat_id,
            seq: self.seq,
            time: self.time,
            sender_id: self.sender_id,
            sender_name: &self.sender_name,
            bot_id: self.bot_id,
            bot_name: self.bot_name.as_deref(),
            kind: &self.kind,
            body: self.body.text(),
            edited: self.edited,
            reply_to: self.reply_to.as_deref(),
            thread_chat_id: self.thread_chat_id.as_deref(),
            origin_chat_id: self.origin_chat_id.as_deref(),
            origin_message_id: self.origin_message_id.as_deref(),
            mentions: &self.mentions,
        }
    }
}

impl MessageRef<'_> {
    /// The owned row (for the rare reply that needs the parsed body); an error when the body
    /// is not JSON.
    pub fn to_row(&self) -> Result<MessageRow, serde_json::Error> {
        let owned = |s: Option<&str>| s.map(str::to_string);
        Ok(MessageRow {
            id: self.id.to_string(),
            chat_id: self.chat_id.to_string(),
            seq: self.seq,
            time: self.time,
            sender_id: self.sender_id,
            sender_name: self.sender_name.to_string(),
            bot_id: self.bot_id,
            bot_name: owned(self.bot_name),
            kind: self.kind.to_string(),
            body: MessageBody::from_stored(self.body.to_string())?,
            edited: self.edited,
            reply_to: owned(self.reply_to),
            thread_chat_id: owned(self.thread_chat_id),
            origin_chat_id: owned(self.origin_chat_id),
            origin_message_id: owned(self.origin_message_id),
            mentions: self.mentions.to_vec(),
        })
    }
}

/// What a page read hands each message to ([`MessagingStore::member_page_into`]): a renderer
/// that writes the reply as the store reads, with no [`MessageRow`] in between. It is handed
/// back when the read is done, and its owner takes it back by downcasting (`Box<dyn Any>`).
pub trait PageSink: std::any::Any + Send {
    /// One message of the page. Messages come in the order the store reads them (the newest
    /// page newest first): a page is in `seq` order, which the sink restores.
    fn message(&mut self, m: &MessageRef<'_>) -> StoreResult<()>;

    /// Whether the sink keeps pages it rendered, by the chat's [`PageVersion`]: a store that
    /// can tell a chat's version then calls [`Self::at_version`] when it reads the newest
    /// page (no cursor, no time bound). Sinks that keep nothing say no, and are spared it.
    fn keeps_pages(&self) -> bool {
        false
    }

    /// The version of the chat the page is read at, told once, before any message (the
    /// membership checked; an empty page tells none): `true` when the sink already holds
    /// this page at this version, and the store then hands it no message.
    fn at_version(&mut self, _version: PageVersion) -> bool {
        false
    }
}

/// What every page of a chat's messages, as read, depends on, in one comparable value: it
/// changes whenever a message of the chat is posted, edited, deleted or starts a thread, and
/// whenever a user or a component (a bot's name) is renamed or removed, whoever wrote it (this
/// server or another process on the same database). Two reads at the same version read the
/// same page for the same query. Opaque: compared, never interpreted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageVersion(pub [i64; 3]);

/// A message's canonical JSON object as stored: its text, which a read splices into its reply
/// as it is, and the parsed object, built only when something asks for it (a rule that reads
/// the text, a card's buttons, a handler's input). Reads of message lists never parse it.
/// Cheap to clone; dereferences to the parsed [`Value`].
#[derive(Clone)]
pub struct MessageBody(Arc<BodyInner>);

struct BodyInner {
    text: Box<RawValue>,
    value: OnceLock<Value>,
}

impl MessageBody {
    /// A body read back from storage; an error when the text is not JSON.
    pub fn from_stored(text: String) -> Result<Self, serde_json::Error> {
        Ok(MessageBody(Arc::new(BodyInner {
            text: RawValue::from_string(text)?,
            value: OnceLock::new(),
        })))
    }

    /// The JSON text, as stored (compact, keys in the message's order).
    pub fn text(&self) -> &str {
        self.0.text.get()
    }

    /// The JSON text, to splice into a serialized reply without parsing it.
    pub fn raw(&self) -> &RawValue {
        &self.0.text
    }

    /// The parsed object, parsed on first use.
    pub fn value(&self) -> &Value {
        // The text was checked to be JSON when the body was made, so it parses.
        self.0
            .value
            .get_or_init(|| serde_json::from_str(self.0.text.get()).unwrap_or_default())
    }
}

impl From<Value> for MessageBody {
    fn from(value: Value) -> Self {
        #[expect(clippy::expect_used, reason = "a Value always prints as JSON")]
        let text = RawValue::from_string(value.to_string()).expect("a Value prints as JSON");
        MessageBody(Arc::new(BodyInner {
            text,
            value: OnceLock::from(value),
        }))
    }
}

impl std::ops::Deref for MessageBody {
    type Target = Value;
    fn deref(&self) -> &Value {
        self.value()
    }
}

impl PartialEq for MessageBody {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() || self.value() == other.value()
    }
}

impl PartialEq<Value> for MessageBody {
    fn eq(&self, other: &Value) -> bool {
        self.value() == other
    }
}

impl std::fmt::Debug for MessageBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.text())
    }
}

impl serde::Serialize for MessageBody {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.raw().serialize(s)
    }
}

/// What a resolved mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MentionKind {
    User,
    Bot,
    Channel,
    Team,
    /// `{@all}`: every participant.
    All,
    /// `{@available}`: the participants who are available.
    Available,
}

impl MentionKind {
    pub const ALL: [MentionKind; 6] = [
        MentionKind::User,
        MentionKind::Bot,
        MentionKind::Channel,
        MentionKind::Team,
        MentionKind::All,
        MentionKind::Available,
    ];

    /// The `type` of a mentions item (<https://www.zoho.com/cliq/help/platform/cliq-objects/message-details-object.html>).
    pub fn as_str(self) -> &'static str {
        match self {
            MentionKind::User => "user",
            MentionKind::Bot => "bot",
            MentionKind::Channel => "channel",
            MentionKind::Team => "team",
            MentionKind::All => "all",
            MentionKind::Available => "available",
        }
    }

    pub fn parse(s: &str) -> Option<MentionKind> {
        MentionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A mention of a message as stored: resolved within the poster's organization when the
/// message was posted, so it reads back as it was then.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRow {
    pub kind: MentionKind,
    /// Users and teams: their id; bots: `b-<id>`; channels: the channel id; `all` and
    /// `available`: the keyword.
    pub id: String,
    pub name: String,
    /// How it is shown (`@Scott Fisher`, `#general`).
    pub dname: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// Named without notifying (`[Name](zohoid:…)`).
    pub silent: bool,
}

impl MentionRow {
    /// The user a user mention names.
    pub fn user_id(&self) -> Option<i64> {
        match self.kind {
            MentionKind::User => self.id.parse().ok(),
            _ => None,
        }
    }

    /// The bot a bot mention names.
    pub fn bot_id(&self) -> Option<i64> {
        match self.kind {
            MentionKind::Bot => {
                cliqd_core::ids::parse_component_id(&self.id, cliqd_core::ids::BOT_ID_PREFIX)
            }
            _ => None,
        }
    }
}

/// Where a post goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostTarget {
    Chat(String),
    ChannelId(String),
    ChannelUniqueName(String),
}

/// A message to post; the writer resolves the target, checks membership and assigns id and time.
#[derive(Debug, Clone)]
pub struct NewPost {
    pub org_id: i64,
    pub target: PostTarget,
    pub sender_id: i64,
    /// Post as this bot: it must be associated with the channel the chat belongs to.
    pub bot_id: Option<i64>,
    pub kind: String,
    pub body: Value,
    pub reply_to: Option<String>,
    /// Start (or reuse) the thread under this message of the target chat and post there.
    pub thread_message_id: Option<String>,
    pub thread_title: Option<String>,
    /// The text's mentions, resolved by the caller; stored with the message as they are.
    pub mentions: Vec<MentionRow>,
}

/// How a post is delivered besides its target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostOptions {
    /// When the post lands in a thread, also post a copy in the thread's parent chat that
    /// names the thread and the reply (`origin_*`). No effect outside threads.
    pub post_in_parent: bool,
}

/// Why a post was refused; nothing was written. The posting rules live in the domain core
/// ([`cliqd_core::policy::plan_post`]), so its refusal is the store's.
pub use cliqd_core::policy::Refusal;

#[derive(Debug, Clone, PartialEq)]
pub struct ReactionRow {
    pub emoji: String,
    pub user_id: i64,
    pub user_name: String,
    pub time: i64,
}

/// Which messages of a chat to read. Ascending order always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageQuery {
    pub chat_id: String,
    /// Only messages at or after this time (ms).
    pub from_time: Option<i64>,
    /// Only messages at or before this time (ms).
    pub to_time: Option<i64>,
    /// Only messages after this sequence number (a cursor from a previous page).
    pub after_seq: Option<i64>,
    /// With no lower bound, the newest `limit` messages are returned (still ascending).
    pub limit: u32,
}

/// A message search (`GET /api/v3/messages/search`). Only messages of chats `user_id` is a
/// member of are candidates (a thread: a member of its parent chat), newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageSearch {
    pub user_id: i64,
    /// Phrases that must all occur in the message's text (or card title); each is matched as
    /// an FTS5 phrase, so no query syntax reaches the index. Empty: every message.
    pub phrases: Vec<String>,
    /// Only messages whose search position is below this cursor (a previous page's
    /// [`SearchHit::position`] of its last hit).
    pub before: Option<i64>,
    /// Inclusive time bounds (ms).
    pub from_time: Option<i64>,
    pub to_time: Option<i64>,
    /// Only messages sent by these users (empty: anyone).
    pub sender_ids: Vec<i64>,
    /// Only messages of these chats (empty: any).
    pub chat_ids: Vec<String>,
    /// Only chats of these kinds ([`ChatRow::kind`]; empty: any).
    pub chat_kinds: Vec<String>,
    /// Only messages of threads hanging in this chat.
    pub parent_chat_id: Option<String>,
    /// Only messages of channels of these kinds ([`CHANNEL_KINDS`]; empty: any chat).
    pub channel_kinds: Vec<String>,
    /// Include messages posted as a bot.
    pub include_bots: bool,
    /// Only messages whose text holds a URL.
    pub links_only: bool,
    /// Only messages that mention one of these users by ZUID or email, loudly or silently
    /// (`{@all}` names no one in particular; empty: any).
    pub mentioned_user_ids: Vec<i64>,
    /// Only messages with (`Some(true)`) or without (`Some(false)`) any mention.
    pub has_mentions: Option<bool>,
    pub limit: u32,
}

/// One search result with the chat facts the reply names.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub message: MessageRow,
    /// The message's position in the search order (newest first); the next page's cursor.
    pub position: i64,
    pub chat_kind: String,
    pub chat_title: String,
    /// The channel's kind when the chat (or a thread's parent) belongs to a channel.
    pub channel_kind: Option<String>,
    /// Threads: the parent chat, its title, the message the thread hangs under, and whether
    /// the thread is closed.
    pub parent_chat_id: Option<String>,
    pub parent_chat_title: Option<String>,
    pub thread_message_id: Option<String>,
    pub thread_closed: bool,
}

/// A committed change in a chat, published after COMMIT in commit order (see
/// [`crate::EventBus`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ChatEvent {
    /// The chat whose members may see the event.
    pub acl_chat_id: String,
    /// The sequence number of the chat the event is about (the message's chat; for member
    /// events the chat joined or left) once the event committed: a created message's own
    /// `seq`, otherwise that of the chat's newest message (0 before the first). Along one
    /// chat's events it never decreases and grows by one with each created message.
    pub seq: i64,
    pub kind: ChatEventKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ChatEventKind {
    MessageCreated(MessageRow),
    MessageEdited(MessageRow),
    MessageDeleted {
        chat_id: String,
        message_id: String,
    },
    ReactionAdded {
        chat_id: String,
        message_id: String,
        reaction: ReactionRow,
    },
    ReactionRemoved {
        chat_id: String,
        message_id: String,
        reaction: ReactionRow,
    },
    MemberJoined {
        chat_id: String,
        user_id: i64,
    },
    MemberLeft {
        chat_id: String,
        user_id: i64,
    },
}

#[async_trait]
pub trait MessagingStore: Send + Sync {
    /// Committed chat events from now on, from the backend's [`crate::EventBus`] (whose
    /// contract says what a subscriber that falls too far behind gets).
    fn chat_events(&self) -> crate::EventStream;

    /// Creates a channel, its chat and memberships. `Conflict(UniqueName)` when taken.
    async fn create_channel(&self, new: NewChannel) -> StoreResult<ChannelRow>;
    async fn channel_by_id(&self, org_id: i64, id: &str) -> StoreResult<ChannelRow>;
    async fn channel_by_unique_name(
        &self,
        org_id: i64,
        unique_name: &str,
    ) -> StoreResult<ChannelRow>;
    /// Channels `user_id` belongs to, by creation.
    async fn channels_of_user(&self, user_id: i64) -> StoreResult<Vec<ChannelRow>>;

    async fn get_chat(&self, org_id: i64, chat_id: &str) -> StoreResult<ChatRow>;
    /// Whether `user_id` may read and write `chat_id` (threads follow their parent).
    async fn is_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool>;
    /// [`Self::get_chat`] and [`Self::is_member`] for `user_id` in one read: every read of a
    /// chat's messages starts with both.
    async fn chat_for_member(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
    ) -> StoreResult<(ChatRow, bool)> {
        let chat = self.get_chat(org_id, chat_id).await?;
        let member = self.is_member(&chat.id, user_id).await?;
        Ok((chat, member))
    }
    /// Whether `user_id` is a member of `chat_id` of organization `org_id` (as
    /// [`Self::chat_for_member`], `NotFound` for no such chat) and, when they are and a page is
    /// asked for, that page of the chat's messages ([`Self::list_messages`]; the query's
    /// `chat_id` is `chat_id`), in one read: get-messages costs one trip to the store, not two.
    async fn member_page(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
        page: Option<MessageQuery>,
    ) -> StoreResult<(bool, Vec<MessageRow>)> {
        let (chat, member) = self.chat_for_member(org_id, chat_id, user_id).await?;
        let rows = match page {
            Some(mut q) if member => {
                q.chat_id = chat.id;
                self.list_messages(q).await?
            }
            _ => Vec::new(),
        };
        Ok((member, rows))
    }
    /// [`Self::member_page`], with each message of the page handed to `sink` as it is read
    /// rather than returned as rows; `sink` comes back with the membership.
    async fn member_page_into(
        &self,
        org_id: i64,
        chat_id: &str,
        user_id: i64,
        page: Option<MessageQuery>,
        mut sink: Box<dyn PageSink>,
    ) -> StoreResult<(bool, Box<dyn PageSink>)> {
        let (member, rows) = self.member_page(org_id, chat_id, user_id, page).await?;
        for row in &rows {
            sink.message(&row.as_ref())?;
        }
        Ok((member, sink))
    }
    async fn chat_members(&self, chat_id: &str) -> StoreResult<Vec<UserRow>>;
    /// What a listing shows of each chat besides its row, for `viewer_id`, in the order of
    /// `chats`; one read for the whole list.
    async fn chat_listings(
        &self,
        chats: &[ChatRow],
        viewer_id: i64,
    ) -> StoreResult<Vec<ChatListing>>;
    /// Adds members (users of the chat's org only; `NotFound` otherwise); returns those newly added.
    async fn add_chat_members(&self, chat_id: &str, user_ids: Vec<i64>) -> StoreResult<Vec<i64>>;
    /// Returns false when the user was not a member.
    async fn remove_chat_member(&self, chat_id: &str, user_id: i64) -> StoreResult<bool>;
    /// Chats `user_id` belongs to, and the threads they follow in those chats, most recently
    /// active first.
    async fn chats_of_user(&self, user_id: i64) -> StoreResult<Vec<ChatRow>>;
    /// Ids of every chat `user_id` belongs to (for real-time delivery).
    async fn chat_ids_of_user(&self, user_id: i64) -> StoreResult<Vec<String>>;
    /// The direct chat between two users of `org_id`, created on first use.
    async fn open_direct_chat(&self, org_id: i64, a: i64, b: i64) -> StoreResult<ChatRow>;
    async fn create_group_chat(
        &self,
        org_id: i64,
        creator_id: i64,
        title: &str,
        members: Vec<i64>,
    ) -> StoreResult<ChatRow>;

    /// Posts one message; `Ok(Err(_))` when refused.
    async fn post_message(&self, post: NewPost) -> StoreResult<Result<MessageRow, Refusal>> {
        self.post_message_with(post, PostOptions::default()).await
    }
    /// Posts one message with delivery options; `Ok(Err(_))` when refused. The returned row is
    /// the message in the target chat (with `post_in_parent`, the copy is published as its
    /// own `MessageCreated` event in the same commit).
    async fn post_message_with(
        &self,
        post: NewPost,
        opts: PostOptions,
    ) -> StoreResult<Result<MessageRow, Refusal>>;
    /// Posts `body` as `bot_id` into each user's bot chat (created on first use), in one job,
    /// each copy with `mentions`.
    /// `reply_to` must name a message of every recipient's bot chat, else nothing is written
    /// and the reply is `Conflict(ReplyTo)`.
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
    ) -> StoreResult<Vec<(i64, MessageRow)>>;
    async fn list_messages(&self, query: MessageQuery) -> StoreResult<Vec<MessageRow>>;
    /// Full-text search over the messages `query.user_id` may read, newest first.
    async fn search_messages(&self, query: MessageSearch) -> StoreResult<Vec<SearchHit>>;
    async fn get_message(&self, chat_id: &str, message_id: &str) -> StoreResult<MessageRow>;
    /// Replaces the message body and its mentions (those of the new text) and marks it edited.
    async fn edit_message(
        &self,
        chat_id: &str,
        message_id: &str,
        body: Value,
        mentions: Vec<MentionRow>,
    ) -> StoreResult<MessageRow>;
    async fn delete_message(&self, chat_id: &str, message_id: &str) -> StoreResult<()>;

    /// False when the user had already reacted with that emoji.
    async fn add_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// False when there was no such reaction.
    async fn remove_reaction(
        &self,
        chat_id: &str,
        message_id: &str,
        emoji: &str,
        user_id: i64,
    ) -> StoreResult<bool>;
    /// Reactions of a message, oldest first.
    async fn reactions(&self, chat_id: &str, message_id: &str) -> StoreResult<Vec<ReactionRow>>;

    /// Associates a bot with a channel; false when it already was.
    async fn associate_bot(&self, channel_id: &str, bot_id: i64) -> StoreResult<bool>;
    async fn channel_bots(&self, channel_id: &str) -> StoreResult<Vec<i64>>;
    /// False when already subscribed.
    async fn subscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool>;
    /// False when not subscribed.
    async fn unsubscribe_bot(&self, bot_id: i64, user_id: i64) -> StoreResult<bool>;
    async fn bot_subscribers(&self, bot_id: i64) -> StoreResult<Vec<UserRow>>;

    /// Users following a thread (who are still members of its parent chat), by follow time.
    async fn thread_followers(&self, thread_chat_id: &str) -> StoreResult<Vec<UserRow>>;
    /// Members of a thread's parent chat who do not follow it.
    async fn thread_nonfollowers(&self, thread_chat_id: &str) -> StoreResult<Vec<UserRow>>;
    async fn is_following(&self, thread_chat_id: &str, user_id: i64) -> StoreResult<bool>;
    /// Makes users follow a thread; returns those who did not already.
    async fn follow_thread(
        &self,
        thread_chat_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<Vec<i64>>;
    /// Stops users following a thread; returns those who did.
    async fn unfollow_thread(
        &self,
        thread_chat_id: &str,
        user_ids: Vec<i64>,
    ) -> StoreResult<Vec<i64>>;
    /// Closes or reopens a thread; false when it already was in that state.
    async fn set_thread_closed(&self, thread_chat_id: &str, closed: bool) -> StoreResult<bool>;
    /// Mutes or unmutes a chat for one user; false when it already was in that state.
    async fn set_chat_muted(&self, chat_id: &str, user_id: i64, muted: bool) -> StoreResult<bool>;
    async fn is_muted(&self, chat_id: &str, user_id: i64) -> StoreResult<bool>;

    /// Stores a webhook token's hash for `user_id`; false (nothing stored) when the user
    /// already has `max` tokens.
    async fn create_webhook_token(
        &self,
        user_id: i64,
        hash: &str,
        name: &str,
        max: usize,
    ) -> StoreResult<bool>;
    /// The owner of the webhook token with this hash.
    async fn webhook_token_user(&self, hash: &str) -> StoreResult<UserRow>;
}
