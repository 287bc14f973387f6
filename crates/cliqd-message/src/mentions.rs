//! Mentions in a message's text (the Mentions page of <https://www.zoho.com/cliq/help/restapi/v2/>):
//! what the text references, parsed without IO; the service layer resolves them.
//!
//! Syntax recognized:
//! - `{@<ZUID>}`: a user by ZUID — or a team by its id: both are digits, so the text cannot
//!   tell them apart ([`MentionTarget::UserOrTeam`]);
//! - `{@<email>}`: a user by email;
//! - `{@b-<bot id>}`: a bot;
//! - `{#<CHANNEL_ID>}`: a channel;
//! - `{@all}`, `{@available}` (ASCII case ignored): every participant, the available ones;
//! - the silent forms `[Name](zohoid:<ZUID>)` and `[Name](mail:<email>)`: a user mentioned
//!   without being notified.
//!
//! Anything else between braces (`{@someone}`, `{@ spaced }`, an empty `{@}`) is not a
//! mention and stays text. The scan visits each byte a bounded number of times, so parsing is
//! linear in the text's length whatever it holds.

use std::collections::HashMap;

/// What one mention names, as written (not yet resolved).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MentionTarget {
    /// `{@<digits>}`: a user's ZUID or a team's id.
    UserOrTeam(i64),
    /// `[Name](zohoid:<digits>)`: a user's ZUID (silent mentions name users only).
    User(i64),
    /// `{@<email>}` or `[Name](mail:<email>)`, as written.
    Email(String),
    /// `{@b-<digits>}`: a bot's id.
    Bot(i64),
    /// `{#<id>}`: a channel's id (`O…`, `T…`, `P…`, `E…`), as written.
    Channel(String),
    /// `{@all}`.
    All,
    /// `{@available}`.
    Available,
}

/// One mention in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentionRef {
    pub target: MentionTarget,
    /// Named without notifying (`[Name](zohoid:…)`, `[Name](mail:…)`). When the same target is
    /// mentioned both ways, it is notified: the mention is not silent.
    pub silent: bool,
}

/// Longest content between `{@`/`{#` and `}` taken as a mention (an email may have 254
/// characters).
const MAX_INNER: usize = 320;

/// Bytes that end a mention's content: none of the mention forms contains them.
fn is_stop(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'{' | b'}' | b'[' | b']' | b'(' | b')')
}

/// Scans from `start` up to the first stop byte; returns its position (or the text's end).
fn scan_to_stop(b: &[u8], start: usize) -> usize {
    let mut j = start;
    while j < b.len() && !is_stop(b[j]) {
        j += 1;
    }
    j
}

/// Digits only, fitting an `i64`, not zero.
fn positive_id(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

/// A plausible email address: one `@`, a non-empty local part, a dotted domain without empty
/// labels, no quoting or list punctuation. (Whether it names a user is the resolver's call.)
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') || !domain.contains('.') {
        return false;
    }
    if domain.split('.').any(str::is_empty) {
        return false;
    }
    !s.chars()
        .any(|c| c.is_whitespace() || matches!(c, '"' | '<' | '>' | ',' | ';' | ':' | '\\'))
}

/// The content of `{@…}`.
fn at_target(inner: &str) -> Option<MentionTarget> {
    if inner.eq_ignore_ascii_case("all") {
        return Some(MentionTarget::All);
    }
    if inner.eq_ignore_ascii_case("available") {
        return Some(MentionTarget::Available);
    }
    if let Some(bot) = inner.strip_prefix("b-") {
        return positive_id(bot).map(MentionTarget::Bot);
    }
    if let Some(id) = positive_id(inner) {
        return Some(MentionTarget::UserOrTeam(id));
    }
    is_email(inner).then(|| MentionTarget::Email(inner.to_string()))
}

/// The content of `{#…}`: letters, digits, `_` and `-`.
fn channel_target(inner: &str) -> Option<MentionTarget> {
    let ok = !inner.is_empty()
        && inner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    ok.then(|| MentionTarget::Channel(inner.to_string()))
}

/// What a silent link's destination names: `zohoid:<digits>` or `mail:<email>`.
fn silent_target(dest: &str) -> Option<MentionTarget> {
    if let Some(id) = dest.strip_prefix("zohoid:") {
        return positive_id(id).map(MentionTarget::User);
    }
    let mail = dest.strip_prefix("mail:")?;
    is_email(mail).then(|| MentionTarget::Email(mail.to_string()))
}

/// The key two mentions of the same target share (emails compare without ASCII case, as the
/// users table does).
fn dedup_key(t: &MentionTarget) -> MentionTarget {
    match t {
        MentionTarget::Email(e) => MentionTarget::Email(e.to_ascii_lowercase()),
        other => other.clone(),
    }
}

/// Whether `text` may hold a mention at all: a cheap test that lets a post without one skip
/// the parse (and the resolution) entirely.
pub fn may_mention(text: &str) -> bool {
    text.contains("{@")
        || text.contains("{#")
        || text.contains("](zohoid:")
        || text.contains("](mail:")
}

/// The mentions in `text`, in order of first appearance, each target once.
pub fn parse_mentions(text: &str) -> Vec<MentionRef> {
    if !may_mention(text) {
        return Vec::new();
    }
    let b = text.as_bytes();
    let mut out: Vec<MentionRef> = Vec::new();
    let mut seen: HashMap<MentionTarget, usize> = HashMap::new();
    let mut push = |target: MentionTarget, silent: bool| {
        let key = dedup_key(&target);
        match seen.get(&key) {
            Some(&i) => {
                if let Some(m) = out.get_mut(i) {
                    m.silent &= silent;
                }
            }
            None => {
                seen.insert(key, out.len());
                out.push(MentionRef { target, silent });
            }
        }
    };
    // The newest `[` not yet closed by a `]`: a silent mention's name starts after it.
    let mut open: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' if matches!(b.get(i + 1), Some(b'@' | b'#')) => {
                let start = i + 2;
                let end = scan_to_stop(b, start);
                if b.get(end) == Some(&b'}') {
                    let inner = &text[start..end];
                    let target = if inner.len() > MAX_INNER {
                        None
                    } else if b[i + 1] == b'@' {
                        at_target(inner)
                    } else {
                        channel_target(inner)
                    };
                    if let Some(t) = target {
                        push(t, false);
                    }
                    i = end + 1;
                } else {
                    // Resume at the stop byte: it may open something itself (`{`, `[`).
                    i = end;
                }
                continue;
            }
            b'[' => open = Some(i),
            b']' => {
                if let Some(o) = open.take()
                    && b.get(i + 1) == Some(&b'(')
                {
                    let start = i + 2;
                    let end = scan_to_stop(b, start);
                    let name = &text[o + 1..i];
                    if b.get(end) == Some(&b')') && !name.trim().is_empty() && !name.contains('\n')
                    {
                        if let Some(t) = silent_target(&text[start..end]) {
                            push(t, true);
                        }
                        i = end + 1;
                    } else {
                        i = end;
                    }
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

#[cfg(test)]
#[path = "mentions_tests.rs"]
mod tests;
