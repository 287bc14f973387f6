//! The "Possible Error Codes" HTML tables inside operation descriptions, as data.

use serde::Serialize;

/// One documented error code of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorCode {
    /// The `code` value of the error body, e.g. `function_name_already_exists`.
    pub code: String,
    /// The HTTP status, when the table gives one (Zoho's tables usually do not).
    pub http_status: Option<u16>,
    /// The table's description of the error.
    pub message: String,
    /// The sub-heading the table sits under, for operations with several tables
    /// (e.g. `read_status_update` in chats.yml).
    pub group: Option<String>,
}

const HEADING: &str = "Possible Error Codes";

/// Parses every error-code table that follows a "Possible Error Codes" heading in `html`.
pub fn parse_error_codes(html: &str) -> Vec<ErrorCode> {
    let Some(start) = html.find(HEADING) else {
        return Vec::new();
    };
    let section = &html[start..];
    // The explanation of the error body format closes the section.
    let section = match section.find("Error Response Format") {
        Some(end) => &section[..end],
        None => section,
    };
    let mut out = Vec::new();
    let mut rest = section;
    let mut consumed = 0usize;
    while let Some(open) = find_ci(rest, "<table") {
        let before = &section[..consumed + open];
        let group = group_heading(before);
        let after_open = &rest[open..];
        let close = find_ci(after_open, "</table>").unwrap_or(after_open.len());
        parse_table(&after_open[..close], group.as_deref(), &mut out);
        let advance = open + close.max(1);
        consumed += advance;
        rest = &rest[advance..];
    }
    out
}

/// The text of the last `<p>` before a table that reads "Possible Error Codes - X (…)".
fn group_heading(before: &str) -> Option<String> {
    let p_start = before.rfind("<p")?;
    let text = html_text(&before[p_start..]);
    let label = text
        .strip_prefix(HEADING)?
        .trim_start_matches([' ', '-', '–']);
    // Prefer the machine name in parentheses: "Mark Chats as Read (read_status_update)".
    let name = match (label.rfind('('), label.rfind(')')) {
        (Some(a), Some(b)) if a < b => label[a + 1..b].trim(),
        _ => label.trim(),
    };
    (!name.is_empty()).then(|| name.to_string())
}

fn parse_table(table: &str, group: Option<&str>, out: &mut Vec<ErrorCode>) {
    let rows = split_tag(table, "tr");
    let mut code_col = 0usize;
    let mut message_col = 1usize;
    let mut status_col = None;
    for row in rows {
        let headers = split_tag(row, "th");
        if !headers.is_empty() {
            for (i, h) in headers.iter().enumerate() {
                let h = html_text(h).to_ascii_lowercase();
                if h.contains("status") || h.contains("http") {
                    status_col = Some(i);
                } else if h.contains("code") {
                    code_col = i;
                } else if h.contains("description") || h.contains("message") {
                    message_col = i;
                }
            }
            continue;
        }
        let cells: Vec<String> = split_tag(row, "td").iter().map(|c| html_text(c)).collect();
        let Some(code) = cells.get(code_col).filter(|c| !c.is_empty()) else {
            continue;
        };
        let message = cells.get(message_col).cloned().unwrap_or_default();
        let http_status = status_col
            .and_then(|i| cells.get(i))
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse::<u16>().ok());
        out.push(ErrorCode {
            code: code.clone(),
            http_status,
            message,
            group: group.map(str::to_string),
        });
    }
}

/// Inner HTML of each `<tag …>…</tag>` element (not nested-aware; the tables are flat).
fn split_tag<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = find_ci(rest, &open) {
        let after = &rest[i + open.len()..];
        // `<tr` must not match `<track`, `<td` must not match `<tdx`.
        if !after.starts_with(['>', ' ', '\n', '\t', '\r', '/']) {
            rest = after;
            continue;
        }
        let Some(gt) = after.find('>') else { break };
        let body = &after[gt + 1..];
        let end = find_ci(body, &close).unwrap_or(body.len());
        out.push(&body[..end]);
        rest = &body[end..];
    }
    out
}

fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    (0..=h.len() - n.len()).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Visible text of an HTML fragment: tags removed, common entities decoded, whitespace collapsed.
pub(crate) fn html_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    let text = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let mut out = text.split_whitespace().collect::<Vec<_>>().join(" ");
    // Tags between a word and its punctuation leave a stray space ("(<code>x</code>)").
    for (from, to) in [(" )", ")"), ("( ", "("), (" ,", ","), (" .", ".")] {
        out = out.replace(from, to);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_two_column_table() {
        let html = r#"<p>x</p><details><summary>Possible Error Codes</summary>
        <table><thead><tr><th>Error Code</th><th>Description</th></tr></thead><tbody>
        <tr><td><span>bot_not_found</span></td><td>The bot &amp; co was not found.</td></tr>
        <tr style="a"><td><span>invalid_inputs</span></td><td>Bad <code>name</code>.</td></tr>
        </tbody></table><b>Error Response Format</b><table><tr><td>nope</td></tr></table>"#;
        let codes = parse_error_codes(html);
        assert_eq!(codes.len(), 2);
        assert_eq!(codes[0].code, "bot_not_found");
        assert_eq!(codes[0].message, "The bot & co was not found.");
        assert_eq!(codes[1].message, "Bad name.");
        assert_eq!(codes[1].http_status, None);
    }

    #[test]
    fn parses_status_column_and_groups() {
        let html = r#"Possible Error Codes
        <p>Possible Error Codes - Mark Chats as Read (<code>read_status_update</code>)</p>
        <table><tr><th>Error Code</th><th>HTTP Status</th><th>Description</th></tr>
        <tr><td>chat_not_found</td><td>404 Not Found</td><td>No such chat.</td></tr></table>"#;
        let codes = parse_error_codes(html);
        assert_eq!(codes.len(), 1);
        assert_eq!(codes[0].http_status, Some(404));
        assert_eq!(codes[0].message, "No such chat.");
        assert_eq!(codes[0].group.as_deref(), Some("read_status_update"));
    }

    #[test]
    fn no_heading_no_codes() {
        assert!(parse_error_codes("<table><tr><td>a</td><td>b</td></tr></table>").is_empty());
    }
}
