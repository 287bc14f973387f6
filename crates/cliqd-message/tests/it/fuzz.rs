//! No panics on any input: random JSON and mutations of valid messages, in every context.
//! Whatever is accepted must serialize to JSON that validates back to the same message.

use cliqd_message::{Handler, MessageContext, codes, validate_message};
use serde_json::{Map, Value, json};

/// xorshift64*: small, deterministic, good enough to explore shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const KEYS: [&str; 40] = [
    "text",
    "card",
    "buttons",
    "slides",
    "bot",
    "styles",
    "references",
    "confirm",
    "user_ids",
    "userids",
    "broadcast",
    "reply_to",
    "thread_chat_id",
    "thread_message_id",
    "sync_message",
    "context",
    "suggestions",
    "view",
    "type",
    "data",
    "title",
    "theme",
    "options",
    "label",
    "action",
    "name",
    "web",
    "url",
    "api",
    "headers",
    "rows",
    "width",
    "sticky",
    "list",
    "params",
    "id",
    "timeout",
    "value",
    "values",
    "1",
];

const STRINGS: [&str; 22] = [
    "",
    " ",
    "x",
    "+",
    "-",
    "poll",
    "prompt",
    "modern-inline",
    "table",
    "list",
    "label",
    "image",
    "images",
    "text",
    "graph",
    "percentage_chart",
    "invoke.function",
    "open.url",
    "preview.url",
    "https://zylker.example/a.png",
    "javascript:alert(1)",
    "é🙂\u{0}\"\\",
];

fn scalar(rng: &mut Rng) -> Value {
    match rng.below(9) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => json!(rng.next() as i64),
        3 => json!(rng.below(200)),
        4 => json!(-1.5),
        5 => serde_json::from_str("1e308").unwrap_or(Value::Null),
        6 => serde_json::from_str("123456789012345678901234567890").unwrap_or(Value::Null),
        7 => Value::String("y".repeat(rng.below(3) * 6000)),
        _ => Value::String((*rng.pick(&STRINGS)).to_string()),
    }
}

fn random(rng: &mut Rng, depth: usize) -> Value {
    if depth == 0 {
        return scalar(rng);
    }
    match rng.below(4) {
        0 => {
            let wide = rng.below(8) == 0;
            let n = rng.below(if wide { 30 } else { 6 });
            Value::Array((0..n).map(|_| random(rng, depth - 1)).collect())
        }
        1 => {
            let n = rng.below(7);
            let mut m = Map::new();
            for _ in 0..n {
                m.insert((*rng.pick(&KEYS)).to_string(), random(rng, depth - 1));
            }
            Value::Object(m)
        }
        _ => scalar(rng),
    }
}

/// Replaces, removes or duplicates one random node of `v`.
fn mutate(rng: &mut Rng, v: &mut Value, depth: usize) {
    let descend = depth < 8 && rng.below(3) != 0;
    match v {
        Value::Object(m) if !m.is_empty() && descend => {
            let i = rng.below(m.len());
            if let Some((_, child)) = m.iter_mut().nth(i) {
                mutate(rng, child, depth + 1);
            }
        }
        Value::Object(m) if !m.is_empty() && rng.below(2) == 0 => {
            let i = rng.below(m.len());
            let key = m.keys().nth(i).cloned().unwrap_or_default();
            m.remove(&key);
        }
        Value::Array(a) if !a.is_empty() && descend => {
            let i = rng.below(a.len());
            mutate(rng, &mut a[i], depth + 1);
        }
        Value::Array(a) if !a.is_empty() && rng.below(2) == 0 => {
            let i = rng.below(a.len());
            let copy = a[i].clone();
            for _ in 0..rng.below(25) {
                a.push(copy.clone());
            }
        }
        _ => *v = random(rng, 2),
    }
}

fn seeds() -> Vec<Value> {
    vec![
        json!({"text": "Hi [Yes]($1)", "references": {"1": {"type": "button", "object": {"label": "Yes", "type": "+", "action": {"type": "invoke.function", "data": {"name": "f"}}}}},
               "bot": {"name": "B", "image": "https://i.example/b.png"}, "styles": {"background": "red", "markdown": true},
               "user_ids": "1,2", "reply_to": "1_2", "sync_message": true, "thread_message_id": "1 2",
               "context": {"id": "c", "timeout": 30, "params": [{"name": "a", "question": "q", "suggestions": {"list": [{"text": "s"}]}}]},
               "suggestions": {"list": [{"text": "Good"}]}}),
        json!({"text": "t", "card": {"theme": "poll", "title": "Q", "options": [{"text": "a"}, {"text": "b"}]},
               "confirm": {"title": "c", "input": "i", "button_label": "b", "mandatory": "true"},
               "buttons": [{"label": "A", "action": {"type": "open.url", "data": {"web": "https://a.example"}}},
                           {"label": "B", "hint": "h", "key": "k", "action": {"type": "preview.url", "data": {"web": "https://a.example"}}},
                           {"label": "C", "action": {"type": "system.api", "data": {"api": "audiocall/1"}}},
                           {"label": "D", "action": {"type": "copy", "data": {"text": "x"}}},
                           {"label": "E", "action": {"type": "invoke.bot", "data": {"bot_name": "b", "message": "m"}}}]}),
        json!({"card": {"theme": "prompt", "title": "Q", "buttons": [{"label": "A", "action": {"type": "invoke.function", "data": {"name": "f"}}}]},
        "slides": [
            {"type": "table", "title": "T", "data": {"headers": ["A", "B"], "rows": [{"A": "1", "B": 2}], "styles": {"width": [50, 50]}}},
            {"type": "list", "data": ["a", "b"], "styles": {"type": "bulleted"}},
            {"type": "label", "data": [{"k": "v"}, {"label": "l", "value": "v"}]},
            {"type": "image", "data": ["https://i.example/a.png"]},
            {"type": "text", "data": "hello"},
            {"type": "percentage_chart", "data": [{"label": "a", "value": 1}], "styles": {"preview": "pie"}},
            {"type": "graph", "data": [{"category": "c", "values": [{"label": "l", "value": "2"}]}], "styles": {"preview": "trend", "x_axis": "x"}}
        ]}),
        json!({"text": "t", "card": {"theme": "modern-inline", "title": "T", "thumbnail": "/a.png",
               "sections": [{"title": "S", "fields": [{"title": "a", "value": "b"}]}]}}),
    ]
}

const CONTEXTS: [MessageContext; 5] = [
    MessageContext::Post,
    MessageContext::BotMessage,
    MessageContext::HandlerReturn(Handler::BotMessage),
    MessageContext::HandlerReturn(Handler::BotWelcome),
    MessageContext::HandlerReturn(Handler::FunctionButton),
];

/// Iterations scale with `CLIQD_FUZZ_SCALE` (default 1) for longer local runs; the seed with
/// `CLIQD_FUZZ_SEED`.
fn scale() -> (usize, u64) {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    (
        env("CLIQD_FUZZ_SCALE").unwrap_or(1).max(1) as usize,
        env("CLIQD_FUZZ_SEED").unwrap_or(0),
    )
}

fn check(v: &Value) {
    for ctx in CONTEXTS {
        match validate_message(v, ctx) {
            Ok(m) => {
                let again = validate_message(&m.to_json(), ctx);
                assert_eq!(again.as_ref(), Ok(&m), "round trip of {v}");
            }
            Err(errs) => {
                assert!(!errs.is_empty());
                assert!(errs.len() <= cliqd_message::MAX_ERRORS + 1);
                for e in &errs {
                    assert!(
                        !e.path.is_empty()
                            || e.code == codes::INVALID_MESSAGE
                            || e.code == codes::TOO_MANY_ERRORS,
                        "error without a path: {e:?} for {v}"
                    );
                    assert!(!e.message.is_empty());
                }
            }
        }
    }
}

#[test]
fn seeds_are_valid() {
    for s in seeds() {
        for ctx in CONTEXTS.into_iter().take(3) {
            if let Err(e) = validate_message(&s, ctx) {
                // Targeting and handler keys are per context; the seeds use them all.
                panic!("seed rejected in {ctx:?}: {e:?}");
            }
        }
    }
}

#[test]
fn random_json_never_panics() {
    let (scale, seed) = scale();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ seed);
    for _ in 0..1500 * scale {
        let v = random(&mut rng, 5);
        check(&v);
    }
}

#[test]
fn mutated_messages_never_panic_and_round_trip() {
    let (scale, seed) = scale();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ seed);
    let seeds = seeds();
    for i in 0..3000 * scale {
        let mut v = seeds[i % seeds.len()].clone();
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut v, 0);
        }
        check(&v);
    }
}

fn handler_seeds() -> Vec<Value> {
    vec![
        json!({"type": "banner", "text": "ok", "status": "failure"}),
        json!({"type": "message_edit", "text": "t", "slides": [{"type": "list", "data": ["a"]}]}),
        json!({"type": "form", "title": "F", "name": "f", "version": 1, "action": {"type": "invoke.function", "name": "x"},
               "inputs": [{"type": "text", "name": "a", "label": "A", "placeholder": "p"},
                          {"type": "radio", "name": "r", "label": "R", "options": [{"label": "a", "value": "a"}, {"label": "b", "value": "b"}]},
                          {"type": "toggle", "name": "t", "label": "T", "value": "true"}]}),
        json!({"type": "form_error", "text": "x", "inputs": {"a": "bad"}}),
        json!({"type": "form_modification", "actions": [{"type": "add_before", "name": "a", "input": {"type": "date", "name": "d", "label": "D"}}]}),
        json!({"options": [{"label": "a", "value": "b"}]}),
        json!({"type": "applet", "tabs": [{"id": "a", "label": "A"}], "active_tab": "a", "data_type": "sections",
               "sections": [{"id": 1, "elements": [{"type": "title", "text": "T", "buttons": [{"label": "L", "type": "preview.url", "url": "https://a.example"}]}]}]}),
        json!({"type": "section", "id": "1", "elements": [{"type": "divider"}]}),
        json!([{"title": "t", "imageurl": "/a.png"}]),
        json!({"status": 200, "note": ["n"]}),
    ]
}

fn check_handler(v: &Value) {
    for h in Handler::ALL {
        match cliqd_message::validate_handler_response(v, h) {
            Ok(r) => {
                if r != cliqd_message::HandlerResponse::Empty {
                    let again = cliqd_message::validate_handler_response(&r.to_json(), h);
                    assert_eq!(again.as_ref(), Ok(&r), "round trip of {v} for {h:?}");
                }
            }
            Err(errs) => {
                assert!(!errs.is_empty() && errs.len() <= cliqd_message::MAX_ERRORS + 1);
            }
        }
    }
}

#[test]
fn handler_replies_never_panic_and_round_trip() {
    let (scale, seed) = scale();
    let mut rng = Rng(0x94D0_49BB_1331_11EB ^ seed);
    let seeds = handler_seeds();
    for s in &seeds {
        assert!(
            Handler::ALL
                .iter()
                .any(|h| cliqd_message::validate_handler_response(s, *h).is_ok()),
            "seed accepted by no handler: {s}"
        );
    }
    for i in 0..1000 * scale {
        let mut v = if i % 4 == 0 {
            random(&mut rng, 4)
        } else {
            seeds[i % seeds.len()].clone()
        };
        for _ in 0..=rng.below(3) {
            mutate(&mut rng, &mut v, 0);
        }
        check_handler(&v);
    }
}
