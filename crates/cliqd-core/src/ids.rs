//! Id formats and their parsing (<https://www.zoho.com/cliq/help/restapi/v3/glossary/>):
//! component ids (numeric, bots also `b-<n>` in paths), bot unique names, chat ids
//! `CT_<n>_<creator>` (bot chats `-B2`, threads `-T-<n>`), channel ids (kind letter + digits)
//! and message ids `<epoch_ms>_<n>`.

use crate::kinds::ChannelKind;

/// The prefix bot ids carry in paths and mentions (`b-123`).
pub const BOT_ID_PREFIX: &str = "b-";

/// A numeric component id, tolerating `prefix` (such as [`BOT_ID_PREFIX`]); `None` if it is
/// not one (empty, not digits, too large).
pub fn parse_component_id(raw: &str, prefix: &str) -> Option<i64> {
    let digits = raw.strip_prefix(prefix).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether `raw` could be a bot unique name (lower-case letters and digits, not empty).
pub fn is_unique_name(raw: &str) -> bool {
    !raw.is_empty()
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A bot's `unique_name` from its display name: lower-case letters only (`Support Bot` →
/// `supportbot`), `bot` when nothing is left.
pub fn derive_bot_unique_name(name: &str) -> String {
    let base: String = name
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    if base.is_empty() {
        "bot".to_string()
    } else {
        base
    }
}

/// What follows a chat id's creator: nothing, a bot chat's `-B2` or a thread's `-T-<n>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatSuffix {
    None,
    Bot,
    /// A thread, numbered by its parent message's position in the parent chat.
    Thread(i64),
}

impl ChatSuffix {
    pub fn render(self) -> String {
        match self {
            ChatSuffix::None => String::new(),
            ChatSuffix::Bot => "-B2".to_string(),
            ChatSuffix::Thread(n) => format!("-T-{n}"),
        }
    }
}

/// The parts of a `CT_<n>_<creator><suffix>` chat id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatId {
    pub n: i64,
    pub creator_id: i64,
    pub suffix: ChatSuffix,
}

impl ChatId {
    pub fn render(&self) -> String {
        format!("CT_{}_{}{}", self.n, self.creator_id, self.suffix.render())
    }

    /// Parses a chat id of the shape cliqd issues; `None` for anything else.
    pub fn parse(raw: &str) -> Option<ChatId> {
        let rest = raw.strip_prefix("CT_")?;
        let (n, rest) = rest.split_once('_')?;
        let n = parse_component_id(n, "")?;
        let (creator, suffix) = match rest.split_once('-') {
            None => (rest, ChatSuffix::None),
            Some((c, "B2")) => (c, ChatSuffix::Bot),
            Some((c, t)) => (
                c,
                ChatSuffix::Thread(parse_component_id(t.strip_prefix("T-")?, "")?),
            ),
        };
        Some(ChatId {
            n,
            creator_id: parse_component_id(creator, "")?,
            suffix,
        })
    }
}

/// A channel id: its kind's letter and a number (`O12`, `P7`).
pub fn channel_id(kind: ChannelKind, n: i64) -> String {
    format!("{}{n}", kind.letter())
}

/// The kind and number of a channel id; `None` if it is not one.
pub fn parse_channel_id(raw: &str) -> Option<(ChannelKind, i64)> {
    let mut chars = raw.chars();
    let kind = ChannelKind::from_letter(chars.next()?)?;
    Some((kind, parse_component_id(chars.as_str(), "")?))
}

/// A message id: `<epoch_ms>_<n>`.
pub fn message_id(time_ms: i64, n: i64) -> String {
    format!("{time_ms}_{n}")
}

/// A message id as clients send it: also space-separated or with the space URL-encoded
/// (`1709038327622%2029706114886`); all three name the same message.
pub fn normalize_message_id(id: &str) -> String {
    id.trim().replace("%20", "_").replace(' ', "_")
}

/// The time and number of a (normalized) message id; `None` if it is not one.
pub fn parse_message_id(raw: &str) -> Option<(i64, i64)> {
    let (time, n) = raw.split_once('_')?;
    Some((parse_component_id(time, "")?, parse_component_id(n, "")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_ids() {
        assert_eq!(parse_component_id("b-123", BOT_ID_PREFIX), Some(123));
        assert_eq!(parse_component_id("123", BOT_ID_PREFIX), Some(123));
        assert_eq!(parse_component_id("b-", BOT_ID_PREFIX), None);
        assert_eq!(parse_component_id("12a", BOT_ID_PREFIX), None);
        assert_eq!(parse_component_id("99999999999999999999999", ""), None);
        assert!(is_unique_name("supportbot2"));
        assert!(!is_unique_name("Support"));
        assert!(!is_unique_name(""));
    }

    #[test]
    fn unique_names() {
        assert_eq!(derive_bot_unique_name("Clientcare Bot"), "clientcarebot");
        assert_eq!(derive_bot_unique_name("CRM Bot"), "crmbot");
        assert_eq!(derive_bot_unique_name("123"), "bot");
        assert_eq!(derive_bot_unique_name("Ünïcode Bot 2"), "ncodebot");
    }

    #[test]
    fn chat_ids_round_trip() {
        for suffix in [ChatSuffix::None, ChatSuffix::Bot, ChatSuffix::Thread(4)] {
            let id = ChatId {
                n: 17,
                creator_id: 55,
                suffix,
            };
            assert_eq!(ChatId::parse(&id.render()), Some(id));
        }
        assert_eq!(
            ChatId::parse("CT_1_2-T-3").map(|c| c.suffix),
            Some(ChatSuffix::Thread(3))
        );
        for bad in [
            "CD_1_2",
            "CT_1",
            "CT_x_2",
            "CT_1_2-Q",
            "CT_1_2-T-",
            "2198144177691461096",
        ] {
            assert_eq!(ChatId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn channel_ids_round_trip() {
        for k in ChannelKind::ALL.iter() {
            assert_eq!(parse_channel_id(&channel_id(*k, 42)), Some((*k, 42)));
        }
        assert_eq!(parse_channel_id("X1"), None);
        assert_eq!(parse_channel_id("O"), None);
        assert_eq!(parse_channel_id(""), None);
    }

    #[test]
    fn message_ids() {
        assert_eq!(message_id(1599387839188, 3), "1599387839188_3");
        for raw in [
            "1709038327622 29706",
            "1709038327622%2029706",
            " 1709038327622_29706 ",
        ] {
            assert_eq!(normalize_message_id(raw), "1709038327622_29706");
        }
        assert_eq!(parse_message_id("17_3"), Some((17, 3)));
        assert_eq!(parse_message_id("17"), None);
        assert_eq!(parse_message_id("a_3"), None);
    }
}
