//! The typed, normalized message: what validation returns and what serializes back to the
//! canonical JSON the read APIs show.

use indexmap::IndexMap;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// A validated message, with spelling variants normalized (see the crate docs).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Message {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slides: Vec<Slide>,
    /// Sender name/avatar override.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotSender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub styles: Option<MessageStyles>,
    /// Instant buttons, keyed by the reference used in the text (`[Yes]($1)` → `"1"`).
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    pub references: IndexMap<String, Reference>,
    /// A top-level `confirm` (where the buttons schema puts it) that had no button to attach to;
    /// when there are top-level buttons it is moved into their `action.confirm` instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Confirm>,
    /// Bot-message recipients (`user_ids` or v2 `userids`, CSV or array): ZUIDs or emails.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_csv"
    )]
    pub user_ids: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub broadcast: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notify_edit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mark_as_read: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_message: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_chat_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_in_parent: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thread_title: Option<String>,
    /// Handler returns only: start a bot context (a question flow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context: Option<BotContext>,
    /// Handler returns only: reply suggestions shown under the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Suggestions>,
    /// Handler returns only: how a function's reply is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<String>,
    /// Keys this crate does not interpret, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn serialize_csv<S: Serializer>(v: &Option<Vec<String>>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(ids) => s.serialize_str(&ids.join(",")),
        None => s.serialize_none(),
    }
}

/// `card.theme`. `basic` is the legacy theme (and what a card without a theme renders as).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CardTheme {
    #[serde(rename = "basic")]
    Basic,
    #[serde(rename = "poll")]
    Poll,
    #[serde(rename = "modern-inline")]
    ModernInline,
    #[serde(rename = "prompt")]
    Prompt,
}

impl CardTheme {
    pub const ALL: [&'static str; 4] = ["basic", "poll", "modern-inline", "prompt"];

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "basic" => Some(Self::Basic),
            "poll" => Some(Self::Poll),
            "modern-inline" => Some(Self::ModernInline),
            "prompt" => Some(Self::Prompt),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Card {
    /// Absent on legacy cards; those render as `basic`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<CardTheme>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail: Option<String>,
    /// Poll options; serialized with their vote count as the read APIs show it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<PollOption>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<CardSection>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollOption {
    pub text: String,
    pub votes: u64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardSection {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub fields: Vec<CardField>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CardField {
    pub title: String,
    pub value: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `+` (positive, green) or `-` (negative, red).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ButtonStyle {
    #[serde(rename = "+")]
    Positive,
    #[serde(rename = "-")]
    Negative,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Button {
    pub label: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub style: Option<ButtonStyle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Reaches the invoked function as `arguments.key`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub action: Action,
    /// Custom arguments passed to the invoked function (instant buttons).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Map<String, Value>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    #[serde(flatten)]
    pub kind: ActionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirm: Option<Confirm>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `action.type` with its `action.data`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "data")]
pub enum ActionKind {
    #[serde(rename = "invoke.function")]
    InvokeFunction {
        name: String,
        /// Email of the function's creator; may be omitted when it is the poster.
        #[serde(skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    #[serde(rename = "open.url")]
    OpenUrl {
        #[serde(skip_serializing_if = "Option::is_none")]
        web: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        windows: Option<String>,
        #[serde(rename = "iOS", skip_serializing_if = "Option::is_none")]
        ios: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        android: Option<String>,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    /// Normalized to `url` (the cards page spells it `web`).
    #[serde(rename = "preview.url")]
    PreviewUrl {
        url: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    #[serde(rename = "system.api")]
    SystemApi {
        api: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    #[serde(rename = "copy")]
    Copy {
        text: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
    #[serde(rename = "invoke.bot")]
    InvokeBot {
        bot_name: String,
        message: String,
        #[serde(flatten)]
        extra: Map<String, Value>,
    },
}

impl ActionKind {
    pub const ALL: [&'static str; 6] = [
        "invoke.function",
        "open.url",
        "preview.url",
        "system.api",
        "copy",
        "invoke.bot",
    ];

    /// The wire name of the action type.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::InvokeFunction { .. } => "invoke.function",
            Self::OpenUrl { .. } => "open.url",
            Self::PreviewUrl { .. } => "preview.url",
            Self::SystemApi { .. } => "system.api",
            Self::Copy { .. } => "copy",
            Self::InvokeBot { .. } => "invoke.bot",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Emotion {
    Positive,
    Neutral,
    Negative,
}

/// A confirmation dialog shown before a button's action runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confirm {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub input: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub emotion: Option<Emotion>,
    pub button_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_button_label: Option<String>,
    /// Sent as the string `"true"`/`"false"` (booleans are accepted on input).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "serialize_bool_string"
    )]
    pub mandatory: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn serialize_bool_string<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(true) => s.serialize_str("true"),
        Some(false) => s.serialize_str("false"),
        None => s.serialize_none(),
    }
}

/// An instant button: `{"type":"button","object":{…}}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reference {
    #[serde(rename = "type")]
    pub kind: String,
    pub object: Button,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BotSender {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageStyles {
    /// `red`, `yellow`, `green`, `blue` or `grey`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<bool>,
    /// Legacy SDK style.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub highlight: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `slides[].type`; the messageformat page's `image` is normalized to `images`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SlideType {
    #[serde(rename = "text")]
    Text,
    #[serde(rename = "table")]
    Table,
    #[serde(rename = "list")]
    List,
    #[serde(rename = "label")]
    Label,
    #[serde(rename = "images")]
    Images,
    #[serde(rename = "percentage_chart")]
    PercentageChart,
    #[serde(rename = "graph")]
    Graph,
}

impl SlideType {
    pub const ALL: [&'static str; 8] = [
        "text",
        "table",
        "list",
        "label",
        "images",
        "image",
        "percentage_chart",
        "graph",
    ];

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "text" => Some(Self::Text),
            "table" => Some(Self::Table),
            "list" => Some(Self::List),
            "label" => Some(Self::Label),
            "images" | "image" => Some(Self::Images),
            "percentage_chart" => Some(Self::PercentageChart),
            "graph" => Some(Self::Graph),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slide {
    #[serde(rename = "type")]
    pub kind: SlideType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    pub data: SlideData,
    /// Validated styles for the slide type (a table's styles may arrive inside `data`, as the
    /// messageformat schema has it; they are moved here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub styles: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<Button>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SlideData {
    Text(String),
    Table {
        headers: Vec<String>,
        /// Cells as (header, text) in the order sent; numbers and booleans were turned into
        /// their text.
        rows: Vec<Vec<(String, String)>>,
    },
    List(Vec<String>),
    /// Label/value pairs; serialized as single-key objects `[{"Revenue":"$500,000"}]`.
    Label(Vec<(String, String)>),
    Images(Vec<String>),
    PercentageChart(Vec<ChartPoint>),
    Graph(Vec<GraphCategory>),
}

impl Serialize for SlideData {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            SlideData::Text(t) => s.serialize_str(t),
            SlideData::Table { headers, rows } => {
                let mut m = s.serialize_map(Some(2))?;
                m.serialize_entry("headers", headers)?;
                m.serialize_entry("rows", &Rows(rows))?;
                m.end()
            }
            SlideData::List(items) | SlideData::Images(items) => items.serialize(s),
            SlideData::Label(pairs) => {
                let mut seq = s.serialize_seq(Some(pairs.len()))?;
                for (k, v) in pairs {
                    let mut one = Map::new();
                    one.insert(k.clone(), Value::String(v.clone()));
                    seq.serialize_element(&one)?;
                }
                seq.end()
            }
            SlideData::PercentageChart(points) => points.serialize(s),
            SlideData::Graph(cats) => cats.serialize(s),
        }
    }
}

/// Serializes table rows as objects without building maps.
struct Rows<'a>(&'a [Vec<(String, String)>]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for row in self.0 {
            seq.serialize_element(&Cells(row))?;
        }
        seq.end()
    }
}

struct Cells<'a>(&'a [(String, String)]);

impl Serialize for Cells<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartPoint {
    pub label: String,
    pub value: serde_json::Number,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphCategory {
    pub category: String,
    pub values: Vec<ChartPoint>,
}

/// A bot context (question flow) started by a handler's reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BotContext {
    pub id: String,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<u64>,
    pub params: Vec<ContextParam>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextParam {
    pub name: String,
    pub question: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestions: Option<Suggestions>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestions {
    pub list: Vec<Suggestion>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message {
    /// The canonical JSON object for this message.
    pub fn to_json(&self) -> Value {
        // Serializing plain data into a Value cannot fail; fall back to null rather than panic.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}
