//! The Cliq message object: parsing and validation of text, cards, buttons and slides (no IO).
//!
//! [`validate_message`] walks a JSON message as posted through the v2/v3 message APIs, sent as
//! a bot message or returned by a handler, and either returns a typed, normalized [`Message`]
//! or every problem found, each naming its field by JSON path (`slides[2].data.headers`).
//!
//! Error reporting: every invalid field is reported once, with its first problem; the fields
//! inside a value of the wrong type are not looked at. At most [`MAX_ERRORS`] errors are
//! listed, followed by one `too_many_errors` entry when there were more.
//!
//! Normalization (spelling variants of Zoho's pages disagree and friends): slide type `image` → `images`;
//! label data `{"label":…,"value":…}` → `{"Key":"Value"}`; `preview.url` data `web` → `url`;
//! a top-level `confirm` → each top-level button's `action.confirm`; a table's `data.styles`
//! → the slide's `styles`; list style `bulleted` → `disc`; v2 `userids` and CSV or array
//! `user_ids` → one list (serialized as CSV); `"true"`/`"false"` strings → booleans (confirm
//! `mandatory` goes back out as the documented string); numbers in table cells, list items
//! and label values → their text; message ids with a space or `%20` → the underscore form.
//! Keys this crate does not interpret are kept as sent (`extra`), so nothing is dropped.
//!
//! Choices where the documents disagree or are silent (each also noted at its rule):
//! - Text may hold 10,000 characters everywhere (posts, bot messages, edits, banners): the
//!   larger of the two documented limits (5,000 on some pages). Lengths count Unicode
//!   characters, not bytes or UTF-16 units.
//! - A message needs non-blank text, a card or slides (a handler reply may also have only a
//!   bot `context`). Null values count as absent.
//! - `card.theme` may be absent (legacy cards, rendered as `basic`); `card.title` is required
//!   for `poll` and `prompt` only, as Cliq's own buttons example has a modern-inline card with
//!   just a thumbnail. Card thumbnails and icons may be site-relative paths (`/img.png`), as in
//!   that example; other URLs must be http(s), `open.url` also tel/sms/sip.
//! - Button labels may have 30 characters (the cards page), not 20 (the buttons page).
//! - `system.api` accepts `audiocall|videocall|startchat|invite|joinchannel/{id}`,
//!   `locationpermission` and `set_reminder[/…]`.
//! - Slides: at most 10,000 characters of content in titles and data strings together (JSON
//!   syntax, keys like `headers` and styles do not count); data must not be empty; a table
//!   row may leave columns out but may not name one that is not a header; table widths must
//!   match the column count and add up to 100.
//! - A label item with several keys is several labels, in order.
//! - Poll options always start at zero votes (a posted `votes` is ignored); the server counts
//!   votes on its stored copy, so stored messages are not meant to be validated again.
//! - `user_ids` is checked only on bot messages: ZUIDs (digits) or email addresses, at most 100.
//! - `thread_chat_id` together with `thread_message_id` is not an error here; which one wins is
//!   the server's call.
//! - Instant-button references in the text (`[Yes]($1)`) are not cross-checked against
//!   `references`, since `($1)` may be plain text.

mod button;
mod card;
mod context;
mod error;
mod form;
mod handler;
pub mod mentions;
mod message;
pub mod model;
mod read;
mod slide;
mod widget;

pub use context::{Handler, MessageContext, ResponseKind, allows};
pub use error::{FieldError, MAX_ERRORS, codes};
pub use form::{
    DynamicSelectOptions, Form, FormError, FormInput, FormModification, FormModificationAction,
    SelectOption,
};
pub use handler::{
    Banner, BannerStatus, CommandSuggestion, HandlerResponse, InstallationStatus, MessageEdit,
    validate_handler_response,
};
pub use mentions::{MentionRef, MentionTarget, may_mention, parse_mentions};
pub use message::{EditRequest, MAX_USER_IDS, TEXT_MAX, normalize_message_id};
pub use model::Message;

/// Most buttons in one place (message, card, slide).
pub const MAX_BUTTONS: usize = button::MAX_BUTTONS;
/// Most slides in one message.
pub const MAX_SLIDES: usize = slide::MAX_SLIDES;
/// Most characters of content across all slides of one message.
pub const MAX_SLIDE_CHARS: usize = slide::MAX_SLIDE_CHARS;

/// Validates a message object and returns its normalized form, or every error found.
pub fn validate_message(
    value: &serde_json::Value,
    ctx: MessageContext,
) -> Result<Message, Vec<FieldError>> {
    let mut errs = error::Errors::default();
    let root = error::Path::Root;
    match message::message(value, &root, ctx, &mut errs) {
        Some(m) => errs.into_result(m),
        // `message` returns None only after reporting at least one error.
        None => Err(errs.into_result(()).err().unwrap_or_default()),
    }
}

/// Validates the body of a message edit: `text` (required, at most [`TEXT_MAX`] characters)
/// and `notify_edit`.
pub fn validate_edit_request(value: &serde_json::Value) -> Result<EditRequest, Vec<FieldError>> {
    let mut errs = error::Errors::default();
    let root = error::Path::Root;
    match message::edit_request(value, &root, &mut errs) {
        Some(e) => errs.into_result(e),
        None => Err(errs.into_result(()).err().unwrap_or_default()),
    }
}

/// The handler's reply inside a webhook response. Cliq's SDK answers `{"output": <reply>}`;
/// a bare reply is accepted too (<https://www.zoho.com/cliq/help/platform/bothandlers.html>), so anything that is not exactly a one-key
/// `output` object is taken as the reply itself.
pub fn webhook_output(body: &serde_json::Value) -> &serde_json::Value {
    match body.as_object() {
        Some(m) if m.len() == 1 => m.get("output").unwrap_or(body),
        _ => body,
    }
}
