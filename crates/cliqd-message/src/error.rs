//! Field errors: the JSON path of the offending field, a Cliq-style code and a message.

use std::fmt;

/// One problem found in a message, named by the JSON path of the offending field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, thiserror::Error)]
#[error("{path}: {message}")]
pub struct FieldError {
    /// JSON path, e.g. `slides[2].data.headers` or `references["1"].object.label`; empty for the
    /// whole body.
    pub path: String,
    /// Cliq-style error code (see [`codes`]).
    pub code: &'static str,
    /// Human-readable description, without a trailing period.
    pub message: String,
}

/// The error codes this crate produces.
pub mod codes {
    /// The body (or a handler return) is not a JSON object.
    pub const INVALID_MESSAGE: &str = "invalid_message";
    /// The message carries nothing to show: no text, card, slides (or bot context).
    pub const TEXT_REQUIRED: &str = "text_required";
    /// A mandatory field is absent, null or an empty string.
    pub const FIELD_REQUIRED: &str = "field_required";
    /// A field has the wrong JSON type.
    pub const INVALID_FIELD_TYPE: &str = "invalid_field_type";
    /// A field's value is outside its allowed set or format.
    pub const INVALID_FIELD_VALUE: &str = "invalid_field_value";
    /// The message text is longer than allowed.
    pub const TEXT_LENGTH_EXCEEDED: &str = "text_length_exceeded";
    /// A string other than the message text is longer than allowed.
    pub const FIELD_LENGTH_EXCEEDED: &str = "field_length_exceeded";
    /// More than 5 buttons in one place.
    pub const BUTTON_LIMIT_EXCEEDED: &str = "button_limit_exceeded";
    /// More than 20 slides.
    pub const SLIDE_LIMIT_EXCEEDED: &str = "slide_limit_exceeded";
    /// More than 10,000 characters across all slides.
    pub const SLIDE_CONTENT_LIMIT_EXCEEDED: &str = "slide_content_limit_exceeded";
    /// An array has more items than allowed (other than buttons and slides).
    pub const ITEM_LIMIT_EXCEEDED: &str = "item_limit_exceeded";
    /// An array has fewer items than required.
    pub const TOO_FEW_ITEMS: &str = "too_few_items";
    /// `card.theme` is not a known theme.
    pub const INVALID_CARD_THEME: &str = "invalid_card_theme";
    /// A button's `action.type` is unknown or not allowed where the button is.
    pub const INVALID_BUTTON_ACTION: &str = "invalid_button_action";
    /// A slide's `type` is unknown.
    pub const INVALID_SLIDE_TYPE: &str = "invalid_slide_type";
    /// A URL is malformed or uses a scheme that is not allowed there.
    pub const INVALID_URL: &str = "invalid_url";
    /// A table row names a column that is not in `headers`, or the headers repeat.
    pub const INVALID_TABLE_DATA: &str = "invalid_table_data";
    /// Two fields that cannot be used together.
    pub const CONFLICTING_FIELDS: &str = "conflicting_fields";
    /// A handler returned a response kind it may not return.
    pub const RESPONSE_NOT_ALLOWED: &str = "response_not_allowed";
    /// The error list was cut short.
    pub const TOO_MANY_ERRORS: &str = "too_many_errors";
}

/// At most this many errors are reported; one more entry says the list was cut.
pub const MAX_ERRORS: usize = 100;

/// A JSON path built on the stack while walking the input; rendered only when an error is made.
#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    pub(crate) fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }

    fn write(&self, out: &mut String) {
        match self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.write(out);
                if is_identifier(key) {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(key);
                } else {
                    out.push('[');
                    // A JSON string literal cannot fail to serialize.
                    out.push_str(&serde_json::Value::from(*key).to_string());
                    out.push(']');
                }
            }
            Path::Index(parent, index) => {
                parent.write(out);
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Collects errors while a message is walked; caps the list at [`MAX_ERRORS`].
#[derive(Default)]
pub(crate) struct Errors {
    list: Vec<FieldError>,
    /// Every error found, including those past the cap; callers compare it before and after
    /// a sub-walk to tell whether that part was valid.
    count: usize,
}

impl Errors {
    pub(crate) fn push(&mut self, path: &Path<'_>, code: &'static str, message: impl Into<String>) {
        self.count += 1;
        if self.list.len() >= MAX_ERRORS {
            return;
        }
        self.list.push(FieldError {
            path: path.to_string(),
            code,
            message: message.into(),
        });
    }

    pub(crate) fn len(&self) -> usize {
        self.count
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.list.is_empty() {
            return Ok(value);
        }
        let mut list = self.list;
        if self.count > list.len() {
            list.push(FieldError {
                path: String::new(),
                code: codes::TOO_MANY_ERRORS,
                message: format!("more than {MAX_ERRORS} errors; the rest are not listed"),
            });
        }
        Err(list)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_render_like_json_paths() {
        let root = Path::Root;
        assert_eq!(root.to_string(), "");
        let slides = root.key("slides");
        let two = slides.index(2);
        let data = two.key("data");
        assert_eq!(data.key("headers").to_string(), "slides[2].data.headers");
        let refs = root.key("references");
        let one = refs.key("1");
        assert_eq!(one.key("object").to_string(), "references[\"1\"].object");
        assert_eq!(root.index(0).key("title").to_string(), "[0].title");
        assert_eq!(root.key("a\"b").to_string(), "[\"a\\\"b\"]");
        assert_eq!(root.key("").to_string(), "[\"\"]");
    }

    #[test]
    fn errors_are_capped_but_counted() {
        let mut errs = Errors::default();
        for _ in 0..MAX_ERRORS + 5 {
            errs.push(&Path::Root.key("x"), codes::FIELD_REQUIRED, "is required");
        }
        assert_eq!(errs.len(), MAX_ERRORS + 5);
        let list = errs.into_result(()).err().unwrap_or_default();
        assert_eq!(list.len(), MAX_ERRORS + 1);
        assert_eq!(list[MAX_ERRORS].code, codes::TOO_MANY_ERRORS);
    }
}
