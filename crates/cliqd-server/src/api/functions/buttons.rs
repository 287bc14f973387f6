//! Finding the button a click names in a stored message
//! (<https://www.zoho.com/cliq/help/restapi/v3/buttons/>): by its JSON path (`buttons[0]`,
//! `card.buttons[1]`, `slides[2].buttons[0]`, `references.1` for an instant button,
//! `text[0]` for the first markdown instant button of the text), or by its `key`.

use serde_json::{Map, Value, json};

/// A button found in a message: where it is, and the button object.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Its JSON path in the message (`buttons[0]`, `references.1`, `text[0]`, …).
    pub path: String,
    pub button: Value,
}

/// One step of a path: a key, optionally followed by an index (`buttons[2]`).
fn step<'a>(v: &'a Value, seg: &str) -> Option<&'a Value> {
    let (name, index) = match seg.split_once('[') {
        Some((n, rest)) => {
            let i: usize = rest.strip_suffix(']')?.parse().ok()?;
            (n, Some(i))
        }
        None => (seg, None),
    };
    let mut cur = v.as_object()?.get(name)?;
    if let Some(i) = index {
        cur = cur.as_array()?.get(i)?;
    }
    Some(cur)
}

/// A path as the click names it, walked in `body`; a reference's `object` is its button.
fn by_path(body: &Value, text: &str, sel: &str) -> Option<Found> {
    if let Some(rest) = sel.strip_prefix("text[") {
        let i: usize = rest.strip_suffix(']')?.parse().ok()?;
        let button = markdown_buttons(text).into_iter().nth(i)?;
        return Some(Found {
            path: sel.to_string(),
            button,
        });
    }
    let mut cur = body;
    for seg in sel.split('.') {
        cur = step(cur, seg)?;
    }
    if sel.starts_with("references.") {
        cur = cur.get("object")?;
    }
    cur.get("action")?.as_object()?;
    Some(Found {
        path: sel.to_string(),
        button: cur.clone(),
    })
}

/// Every button of a message with its path, in the order a reader meets them.
pub fn all_buttons(body: &Value, text: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let push_list = |prefix: &str, list: Option<&Value>, out: &mut Vec<Found>| {
        for (i, b) in list
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            out.push(Found {
                path: format!("{prefix}[{i}]"),
                button: b.clone(),
            });
        }
    };
    push_list("buttons", body.get("buttons"), &mut out);
    push_list(
        "card.buttons",
        body.get("card").and_then(|c| c.get("buttons")),
        &mut out,
    );
    for (s, slide) in body
        .get("slides")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        push_list(
            &format!("slides[{s}].buttons"),
            slide.get("buttons"),
            &mut out,
        );
    }
    if let Some(refs) = body.get("references").and_then(Value::as_object) {
        for (k, r) in refs {
            if let Some(obj) = r.get("object") {
                out.push(Found {
                    path: format!("references.{k}"),
                    button: obj.clone(),
                });
            }
        }
    }
    for (i, b) in markdown_buttons(text).into_iter().enumerate() {
        out.push(Found {
            path: format!("text[{i}]"),
            button: b,
        });
    }
    out
}

/// The button `sel` names: a path first, else the button whose `key` it is.
pub fn find(body: &Value, text: &str, sel: &str) -> Option<Found> {
    let sel = sel.trim();
    if sel.is_empty() {
        return None;
    }
    if let Some(f) = by_path(body, text, sel) {
        return Some(f);
    }
    all_buttons(body, text)
        .into_iter()
        .find(|f| f.button.get("key").and_then(Value::as_str) == Some(sel))
}

/// The markdown instant buttons of a text, in order: `[Label](invoke.function|Name)`,
/// `[Label](invoke.function|Name|owner@example.com)`, `[Label](system.api|api)`, `[Label](copy|text)` as button objects. Reference placeholders
/// (`[Yes]($1)`) and ordinary links are not buttons here.
pub fn markdown_buttons(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let tail = &rest[open + 1..];
        let Some(close) = tail.find("](") else {
            break;
        };
        let label = &tail[..close];
        let after = &tail[close + 2..];
        let Some(end) = after.find(')') else {
            break;
        };
        let target = &after[..end];
        rest = &after[end + 1..];
        if label.contains('[') {
            // A nested bracket: start again from the inner one.
            rest = &tail[label.rfind('[').unwrap_or(0)..];
            continue;
        }
        let Some((kind, arg)) = target.split_once('|') else {
            continue;
        };
        let data = match kind {
            // cliqd reads a third segment as the function's owner (an email), as a button's
            // `data.owner`: `[Approve](invoke.function|ApproveTask|owner@example.com)`.
            "invoke.function" => match arg.split_once('|') {
                Some((name, owner)) => json!({"name": name, "owner": owner}),
                None => json!({"name": arg}),
            },
            "system.api" => json!({"api": arg}),
            "copy" => json!({"text": arg}),
            _ => continue,
        };
        let mut b = Map::new();
        b.insert("label".into(), label.into());
        b.insert("action".into(), json!({"type": kind, "data": data}));
        out.push(Value::Object(b));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Value {
        json!({
            "text": "pick [Yes]($1) or [Approve](invoke.function|ApproveTask)",
            "buttons": [{"label": "A", "key": "a", "action": {"type": "invoke.function", "data": {"name": "f"}}}],
            "card": {"title": "t", "theme": "prompt", "buttons": [
                {"label": "B", "action": {"type": "copy", "data": {"text": "x"}}},
                {"label": "C", "key": "c", "action": {"type": "open.url", "data": {"web": "https://a.example"}}}]},
            "slides": [{"type": "text", "data": "s"}, {"type": "text", "data": "s", "buttons": [
                {"label": "D", "action": {"type": "system.api", "data": {"api": "startchat/1"}}}]}],
            "references": {"1": {"type": "button", "object": {"label": "Yes", "action": {"type": "invoke.function", "data": {"name": "g"}}}}}
        })
    }

    #[test]
    fn buttons_are_found_by_path_and_key() {
        let b = body();
        let text = b["text"].as_str().unwrap();
        assert_eq!(find(&b, text, "buttons[0]").unwrap().button["label"], "A");
        assert_eq!(
            find(&b, text, "card.buttons[1]").unwrap().button["label"],
            "C"
        );
        assert_eq!(
            find(&b, text, "slides[1].buttons[0]").unwrap().button["label"],
            "D"
        );
        assert_eq!(
            find(&b, text, "references.1").unwrap().button["label"],
            "Yes"
        );
        let md = find(&b, text, "text[0]").unwrap();
        assert_eq!(md.button["action"]["data"]["name"], "ApproveTask");
        let owned = markdown_buttons("[A](invoke.function|F|o@example.com)");
        assert_eq!(
            owned[0]["action"]["data"],
            json!({"name": "F", "owner": "o@example.com"})
        );
        let by_key = find(&b, text, "c").unwrap();
        assert_eq!(by_key.path, "card.buttons[1]");
        assert_eq!(find(&b, text, "a").unwrap().path, "buttons[0]");
        assert!(find(&b, text, "buttons[5]").is_none());
        assert!(find(&b, text, "slides[0].buttons[0]").is_none());
        assert!(find(&b, text, "text").is_none());
        assert!(find(&b, text, "nope").is_none());
        assert!(find(&b, text, "text[1]").is_none());
        assert_eq!(all_buttons(&b, text).len(), 6);
    }

    #[test]
    fn markdown_buttons_skip_links_and_placeholders() {
        let v = markdown_buttons("[x](https://a.example) [[y](copy|hi)] [z](system.api|invite/3)");
        assert_eq!(v.len(), 2);
        assert_eq!(v[0]["action"]["data"]["text"], "hi");
        assert_eq!(v[1]["action"]["type"], "system.api");
    }
}
