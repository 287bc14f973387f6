//! Which documented operations cliqd implements, per area: the one list the conformance
//! plans and reports read.

use crate::model::{Operation, Spec};

/// An area of the platform that brings a set of endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Area {
    /// Platform APIs for bots, functions, message actions and extensions.
    Platform,
    /// Messaging (messages, threads, chats, bot messages).
    Messaging,
}

impl Area {
    pub fn name(self) -> &'static str {
        match self {
            Area::Platform => "platform",
            Area::Messaging => "messaging",
        }
    }
}

/// Which operations of a document an entry selects.
#[derive(Debug, Clone, Copy)]
pub enum Selection {
    All,
    /// Every operation except those on these documented path templates.
    ExceptPaths(&'static [&'static str]),
    /// Exactly these operation IDs.
    Only(&'static [&'static str]),
}

/// One line of the scope list.
#[derive(Debug, Clone, Copy)]
pub struct ScopeEntry {
    pub area: Area,
    pub document: &'static str,
    pub selection: Selection,
}

/// The bot endpoints that deliver messages or associate channels: they come with messaging.
const BOT_MESSAGING_PATHS: &[&str] = &[
    "/bots/{BOT_UNIQUE_NAME}/messages",
    "/bots/{BOT_UNIQUE_NAME}/incoming",
    "/bots/{BOT_UNIQUE_NAME}/calls",
    "/bots/{BOT_UNIQUE_NAME}/associate",
];

/// The one list of in-scope operations.
pub const SCOPE: &[ScopeEntry] = &[
    ScopeEntry {
        area: Area::Platform,
        document: "bots",
        selection: Selection::ExceptPaths(BOT_MESSAGING_PATHS),
    },
    ScopeEntry {
        area: Area::Platform,
        document: "functions",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Platform,
        document: "messageactions",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Platform,
        document: "extensions",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "bots",
        selection: Selection::Only(&[
            "send_a_bot_message",
            "send_an_incoming_webhook_message",
            "Trigger Bot Calls",
            "associate_bot_to_channel",
        ]),
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "messages",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "threads",
        selection: Selection::Only(&[
            "createThreadMessageByChannelId",
            "createThreadMessageByChatId",
            "createThreadMessageByChannelUniqueName",
            "Send a message to an existing thread",
            "getThreadDetailsV3",
            "Get main message of a thread",
            "Update the state of a thread",
            "Get thread followers",
            "Add followers to a thread",
            "Remove followers from a thread",
            "Get non-followers of a thread",
            "Join-follow a thread",
            "Leave-unfollow a thread",
            "Retrieve members of a thread",
            "Leave a thread",
            "Mute a thread",
            "Unmute a thread",
        ]),
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "chats",
        selection: Selection::Only(&[
            "Retrieve all direct chats",
            "createChatV3",
            "getChatV3",
            "Retrieve members of a chat",
            "addMembersToChatV3",
            "removeMembersFromChatV3",
            "Leave a chat",
            "Mute a chat",
            "Unmute a chat",
        ]),
    },
    // The card, format and button pages document message bodies posted to a chat.
    ScopeEntry {
        area: Area::Messaging,
        document: "messagecards",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "messageformat",
        selection: Selection::All,
    },
    ScopeEntry {
        area: Area::Messaging,
        document: "buttons",
        selection: Selection::All,
    },
];

impl ScopeEntry {
    fn selects(&self, op: &Operation) -> bool {
        op.document == self.document
            && match self.selection {
                Selection::All => true,
                Selection::ExceptPaths(paths) => !paths.contains(&op.path.as_str()),
                Selection::Only(ids) => ids.contains(&op.operation_id.as_str()),
            }
    }
}

/// The area that brings `op`, if any.
pub fn area_of(op: &Operation) -> Option<Area> {
    SCOPE.iter().find(|e| e.selects(op)).map(|e| e.area)
}

/// The in-scope operations of `area` (all areas when `None`), in document order.
pub fn in_scope(spec: &Spec, area: Option<Area>) -> Vec<&Operation> {
    spec.operations()
        .filter(|op| match (area_of(op), area) {
            (Some(found), Some(wanted)) => found == wanted,
            (Some(_), None) => true,
            (None, _) => false,
        })
        .collect()
}

/// Scope entries whose operation IDs or paths match nothing: a renamed operation must not
/// silently fall out of scope.
pub fn dangling_entries(spec: &Spec) -> Vec<String> {
    let mut out = Vec::new();
    for entry in SCOPE {
        let Some(doc) = spec.document(entry.document) else {
            out.push(format!("document {} is missing", entry.document));
            continue;
        };
        match entry.selection {
            Selection::All => {}
            Selection::ExceptPaths(paths) => {
                for p in paths {
                    if !doc.operations.iter().any(|o| o.path == *p) {
                        out.push(format!("{}: no path {p}", entry.document));
                    }
                }
            }
            Selection::Only(ids) => {
                for id in ids {
                    if !doc.operations.iter().any(|o| o.operation_id == *id) {
                        out.push(format!("{}: no operation {id}", entry.document));
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    mod upstream_conformance {
        use super::*;

        #[test]
        #[ignore = "upstream conformance: run .ci/upstream-conformance"]
        fn scope_matches_the_documents() {
            let spec = crate::model::test_spec();
            assert_eq!(dangling_entries(spec), Vec::<String>::new());
            let platform = in_scope(spec, Some(Area::Platform));
            // Bots 14 − 4 messaging endpoints, functions 9, message actions 7, extensions 6.
            assert_eq!(platform.len(), 10 + 9 + 7 + 6);
            assert!(!platform.iter().any(|o| o.path.ends_with("/incoming")));
            let messaging = in_scope(spec, Some(Area::Messaging));
            assert!(
                messaging
                    .iter()
                    .any(|o| o.operation_id == "send_a_bot_message")
            );
            assert!(
                !messaging
                    .iter()
                    .any(|o| o.operation_id == "markChatAsUnreadV3")
            );
            assert_eq!(in_scope(spec, None).len(), platform.len() + messaging.len());
            // Slash commands are not in any area yet.
            assert!(
                !in_scope(spec, None)
                    .iter()
                    .any(|o| o.document == "slashcommands")
            );
        }
    }
}
