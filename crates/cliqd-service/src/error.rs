//! What a service call can refuse, typed; the HTTP layer maps each to Cliq's error code.

use cliqd_message::FieldError;
use cliqd_store::StoreError;

/// Why a service call did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("the chat does not exist")]
    ChatNotFound,
    #[error("the channel does not exist")]
    ChannelNotFound,
    /// The actor is not a member of the chat (a thread: of its parent chat).
    #[error("not a member of this chat")]
    NotMember,
    /// The bot a post is sent as is not associated with the chat's channel.
    #[error("the bot is not a member of this channel")]
    BotNotMember,
    /// No such message; the text says which reference did not resolve, when one did not.
    #[error("the message does not exist")]
    MessageNotFound(Option<&'static str>),
    #[error("the thread is closed")]
    ThreadClosed,
    /// A thread cannot hold another thread.
    #[error("a thread cannot have threads")]
    NestedThread,
    /// Only the sender (or, to delete, an organization admin) may change a message.
    #[error("only the sender may change this message")]
    NotSender,
    #[error("{0}")]
    UserNotFound(String),
    #[error("the user is not in this organization")]
    UserNotInOrganization,
    #[error("the bot does not exist")]
    BotNotFound,
    /// Input that is wrong as a whole, with a message for the caller.
    #[error("{0}")]
    Invalid(String),
    /// A message object that failed validation, every error by JSON path.
    #[error("invalid message")]
    InvalidMessage(Vec<FieldError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<cliqd_store::Refusal> for ServiceError {
    fn from(r: cliqd_store::Refusal) -> Self {
        use cliqd_store::Refusal;
        match r {
            Refusal::ChatNotFound => ServiceError::ChatNotFound,
            Refusal::ChannelNotFound => ServiceError::ChannelNotFound,
            Refusal::NotMember => ServiceError::NotMember,
            Refusal::BotNotMember => ServiceError::BotNotMember,
            Refusal::ThreadParentNotFound => ServiceError::MessageNotFound(Some(
                "thread_message_id does not name a message of this chat",
            )),
            Refusal::NestedThread => ServiceError::NestedThread,
            Refusal::ReplyToNotFound => {
                ServiceError::MessageNotFound(Some("reply_to does not name a message of this chat"))
            }
            Refusal::ThreadClosed => ServiceError::ThreadClosed,
        }
    }
}
