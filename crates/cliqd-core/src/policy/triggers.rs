//! Which bots an event may fire, and which of a bot's handlers a posted message runs
//! (<https://www.zoho.com/cliq/help/platform/bot-handlers.html>).
//!
//! Two decisions, made at two times. When a message is written, [`bots_to_notify`] names the
//! bots that get a trigger in the same transaction: the bot of a bot chat (unless it posted
//! the message itself), and every bot associated with the channel the chat belongs to (a
//! thread's parent channel) except the posting bot. When the engine runs a trigger,
//! [`route_message`] decides from the bot's state which handlers run.

use crate::kinds::{ChatKind, HandlerKind};

/// Bots a new message in `chat_kind` notifies.
///
/// `chat_bot` is the bot of a bot chat; `channel_bots` the bots associated with the chat's
/// channel (empty outside channels and their threads); `from_bot` the bot that posted.
pub fn bots_to_notify(
    chat_kind: ChatKind,
    chat_bot: Option<i64>,
    channel_bots: &[i64],
    from_bot: Option<i64>,
) -> Vec<i64> {
    let mut out: Vec<i64> = Vec::new();
    if chat_kind == ChatKind::Bot {
        if let Some(bot) = chat_bot
            && from_bot != Some(bot)
        {
            out.push(bot);
        }
        return out;
    }
    for &bot in channel_bots {
        if from_bot != Some(bot) && !out.contains(&bot) {
            out.push(bot);
        }
    }
    out
}

/// What the engine knows when a posted message reaches one bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageFacts {
    /// The message is in the bot's own chat with the user.
    pub in_bot_chat: bool,
    /// The message mentions the bot.
    pub mentions_bot: bool,
    /// The bot listens to its channels' messages (`channel_participation` has
    /// `listen_message`).
    pub listens: bool,
    /// A conversation (bot context) of this bot with this user is open in this chat.
    pub context_open: bool,
}

/// What a posted message runs in one bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageRoute {
    /// It answers the open conversation's current question; no handler runs now.
    ContextAnswer,
    /// Run this handler (for the participation handler, with operation `message_sent`).
    Run(HandlerKind),
}

/// The runs a posted message causes in one bot, in order. An open conversation takes the
/// message and suppresses every other handler; in the bot chat the message handler runs; in a
/// channel the mention handler runs when the bot is mentioned and the participation handler
/// (`message_sent`) when the bot listens — both when both hold.
pub fn route_message(f: MessageFacts) -> Vec<MessageRoute> {
    if f.context_open {
        return vec![MessageRoute::ContextAnswer];
    }
    if f.in_bot_chat {
        return vec![MessageRoute::Run(HandlerKind::BotMessage)];
    }
    let mut out = Vec::new();
    if f.mentions_bot {
        out.push(MessageRoute::Run(HandlerKind::BotMention));
    }
    if f.listens {
        out.push(MessageRoute::Run(HandlerKind::BotParticipation));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bot_chat_notifies_its_bot_unless_the_bot_posted() {
        assert_eq!(bots_to_notify(ChatKind::Bot, Some(7), &[], None), [7]);
        assert!(bots_to_notify(ChatKind::Bot, Some(7), &[], Some(7)).is_empty());
        // A bot chat's channel bots are not consulted.
        assert_eq!(bots_to_notify(ChatKind::Bot, Some(7), &[8], None), [7]);
    }

    #[test]
    fn a_channel_notifies_its_bots_but_not_the_poster() {
        assert_eq!(
            bots_to_notify(ChatKind::Channel, None, &[1, 2, 2], None),
            [1, 2]
        );
        assert_eq!(
            bots_to_notify(ChatKind::Thread, None, &[1, 2], Some(1)),
            [2]
        );
        assert!(bots_to_notify(ChatKind::DirectMessage, None, &[], None).is_empty());
    }

    #[test]
    fn routes() {
        let base = MessageFacts {
            in_bot_chat: false,
            mentions_bot: false,
            listens: false,
            context_open: false,
        };
        assert!(route_message(base).is_empty());
        assert_eq!(
            route_message(MessageFacts {
                in_bot_chat: true,
                ..base
            }),
            [MessageRoute::Run(HandlerKind::BotMessage)]
        );
        assert_eq!(
            route_message(MessageFacts {
                mentions_bot: true,
                listens: true,
                ..base
            }),
            [
                MessageRoute::Run(HandlerKind::BotMention),
                MessageRoute::Run(HandlerKind::BotParticipation)
            ]
        );
        assert_eq!(
            route_message(MessageFacts {
                in_bot_chat: true,
                context_open: true,
                ..base
            }),
            [MessageRoute::ContextAnswer]
        );
    }
}
