//! The domain's closed sets as enums. Each parses from its string form ([`std::str::FromStr`])
//! and writes it back ([`as_str`](ComponentKind::as_str)); those strings are used only at the
//! edges: HTTP parsing and replies, store columns.

use std::fmt;
use std::str::FromStr;

/// A string that names no member of the set it was parsed as.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {what}")]
pub struct UnknownValue {
    /// What was expected, with its article (`a component kind`, `an execution type`).
    pub what: &'static str,
    pub value: String,
}

/// Declares a string enum: variants with their string forms, `ALL`, `as_str`, `FromStr`,
/// `Display` and serde as the string form.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident ($what:literal) {
            $($(#[$vmeta:meta])* $variant:ident => $s:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every member, in declaration order.
            pub const ALL: [$name; [$($s),+].len()] = [$($name::$variant,)+];

            /// The string form (store column, HTTP field).
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $s,)+
                }
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                match s {
                    $($s => Ok($name::$variant),)+
                    _ => Err(UnknownValue { what: $what, value: s.to_string() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

string_enum! {
    /// A kind of platform component; the string is the store's `kind` column and the
    /// envelope `type` of its replies (<https://www.zoho.com/cliq/help/platform/bothandlers.html> "component type").
    ComponentKind ("a component kind") {
        Bot => "bot",
        Function => "function",
        MessageAction => "messageaction",
        Command => "command",
        Widget => "widget",
        Scheduler => "scheduler",
        Extension => "extension",
    }
}

string_enum! {
    /// How a component's handlers run: a Deluge script here, or a POST to its `execution_url`.
    ExecutionType ("an execution type") {
        Deluge => "deluge",
        Webhook => "webhook",
    }
}

string_enum! {
    /// Who a component is visible to (<https://www.zoho.com/cliq/help/restapi/v3/bots/>).
    Scope ("a scope") {
        Personal => "personal",
        Team => "team",
        Organization => "organization",
    }
}

string_enum! {
    /// What a chat is (<https://www.zoho.com/cliq/help/restapi/v3/chats/>; the kinds cliqd creates).
    ChatKind ("a chat kind") {
        Channel => "channel",
        DirectMessage => "direct_message",
        GroupChat => "group_chat",
        Bot => "bot",
        Thread => "thread",
    }
}

string_enum! {
    /// A channel's kind; its id starts with [`ChannelKind::letter`] (<https://www.zoho.com/cliq/help/restapi/v3/glossary/>).
    ChannelKind ("a channel kind") {
        Organization => "organization",
        Team => "team",
        Personal => "personal",
        External => "external",
    }
}

string_enum! {
    /// A function's type, fixed at creation (<https://www.zoho.com/cliq/help/restapi/v3/functions/>); it decides the function's handlers.
    FunctionType ("a function type") {
        Button => "button",
        Form => "form",
        WidgetButton => "widget_button",
    }
}

string_enum! {
    /// Every handler of every component kind. The string form is `<component>.<api name>`
    /// (`bot.menu_handler`), unique across kinds; the API and wire names are in the
    /// [`crate::catalog`].
    HandlerKind ("a handler kind") {
        /// Slash command execution handler.
        Command => "command.execution_handler",
        /// Slash command suggestion handler.
        CommandSuggestion => "command.suggestion_handler",
        MessageAction => "messageaction.execution_handler",
        BotWelcome => "bot.welcome_handler",
        BotMessage => "bot.message_handler",
        BotMention => "bot.mention_handler",
        BotIncomingWebhook => "bot.incoming_webhook_handler",
        BotMenu => "bot.menu_handler",
        BotContext => "bot.context_handler",
        BotParticipation => "bot.participation_handler",
        BotCall => "bot.call_handler",
        /// Scheduler runs show nothing; their return value is ignored.
        Scheduler => "scheduler.execution_handler",
        FunctionButton => "function.button_handler",
        FunctionFormSubmit => "function.form_submit_handler",
        FunctionFormChange => "function.form_change_handler",
        FunctionFormDynamicSelect => "function.form_dynamic_select_handler",
        FunctionFormView => "function.form_view_handler",
        WidgetView => "widget.view_handler",
        WidgetButton => "function.widget_button_handler",
        ExtensionInstallation => "extension.installation_handler",
        ExtensionInstallationValidator => "extension.installation_validator",
    }
}

impl ChannelKind {
    /// The letter a channel id of this kind starts with (`O…`, `T…`, `P…`, `E…`).
    pub const fn letter(self) -> char {
        match self {
            ChannelKind::Organization => 'O',
            ChannelKind::Team => 'T',
            ChannelKind::Personal => 'P',
            ChannelKind::External => 'E',
        }
    }

    /// The kind whose ids start with `letter`.
    pub fn from_letter(letter: char) -> Option<ChannelKind> {
        ChannelKind::ALL
            .iter()
            .copied()
            .find(|k| k.letter() == letter)
    }
}

impl HandlerKind {
    /// A readable name for error messages (`bot menu`, `form submit`).
    pub fn name(self) -> &'static str {
        crate::catalog::spec(self).label
    }

    /// The handler's catalog entry.
    pub const fn spec(self) -> &'static crate::catalog::HandlerSpec {
        crate::catalog::spec(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trips<T: FromStr<Err = UnknownValue> + Copy + PartialEq + fmt::Debug>(
        all: &[T],
        as_str: fn(T) -> &'static str,
    ) {
        for v in all {
            assert_eq!(as_str(*v).parse::<T>().ok(), Some(*v));
        }
    }

    #[test]
    fn strings_round_trip() {
        round_trips(&ComponentKind::ALL, ComponentKind::as_str);
        round_trips(&ExecutionType::ALL, ExecutionType::as_str);
        round_trips(&Scope::ALL, Scope::as_str);
        round_trips(&ChatKind::ALL, ChatKind::as_str);
        round_trips(&ChannelKind::ALL, ChannelKind::as_str);
        round_trips(&FunctionType::ALL, FunctionType::as_str);
        round_trips(&HandlerKind::ALL, HandlerKind::as_str);
        let e = "lambda".parse::<ExecutionType>().unwrap_err();
        assert_eq!(e.to_string(), "`lambda` is not an execution type");
    }

    #[test]
    fn channel_letters() {
        for k in ChannelKind::ALL.iter() {
            assert_eq!(ChannelKind::from_letter(k.letter()), Some(*k));
        }
        assert_eq!(ChannelKind::from_letter('X'), None);
        assert_eq!(ChannelKind::Personal.letter(), 'P');
    }

    #[test]
    fn serde_uses_the_string_form() {
        let v = serde_json::to_value(Scope::Team).unwrap();
        assert_eq!(v, serde_json::json!("team"));
        let s: ExecutionType = serde_json::from_value(serde_json::json!("webhook")).unwrap();
        assert_eq!(s, ExecutionType::Webhook);
        assert!(serde_json::from_value::<Scope>(serde_json::json!("galaxy")).is_err());
    }
}
