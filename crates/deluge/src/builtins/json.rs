//! JSON functions: toMap, toJSONList, getJSON (text and map receivers), toXML, and the
//! relaxed JSON reader Zoho accepts (unquoted keys and values, single-quoted strings).
//!
//! Parsed objects keep their source key order (DECISIONS.md §18.4). toXML emits each
//! object's keys in Java `HashMap` order, as the toXML doc's output shows.

use rust_decimal::Decimal;

use super::{CallCtx, Dispatch, arity};
use crate::error::{LimitKind, RuntimeError};
use crate::value::{CollectionValue, Key, MAX_NESTING, Value};

/// Largest text the JSON functions parse (toMap doc: less than 5 MB).
const MAX_JSON_BYTES: usize = 5 * 1024 * 1024;

fn invalid(msg: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::value_error(format!("invalid JSON: {msg}"))
}

/// Parses relaxed JSON text into a value, with no limit but the 5 MB text cap.
pub fn parse(text: &str) -> Result<Value, RuntimeError> {
    parse_limited(text, usize::MAX, usize::MAX)
}

/// Parses relaxed JSON text, failing when a container would exceed `max_size` elements
/// or the whole document `max_nodes` values, before they are allocated.
pub fn parse_limited(text: &str, max_size: usize, max_nodes: usize) -> Result<Value, RuntimeError> {
    if text.len() > MAX_JSON_BYTES {
        return Err(invalid("text longer than 5 MB"));
    }
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        max_size,
        nodes_left: max_nodes,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(invalid(format!("unexpected text at offset {}", p.pos)));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    max_size: usize,
    nodes_left: usize,
}

impl Parser<'_> {
    fn check_size(&self, n: usize) -> Result<(), RuntimeError> {
        if n > self.max_size {
            return Err(RuntimeError::limit(
                LimitKind::CollectionSize,
                format!(
                    "a JSON container holds more than {} elements",
                    self.max_size
                ),
            ));
        }
        Ok(())
    }

    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn value(&mut self, depth: usize) -> Result<Value, RuntimeError> {
        if depth > MAX_NESTING {
            return Err(invalid("nested too deeply"));
        }
        if self.nodes_left == 0 {
            return Err(RuntimeError::limit(
                LimitKind::CollectionSize,
                "JSON text holds too many values",
            ));
        }
        self.nodes_left -= 1;
        match self.peek() {
            None => Err(invalid("unexpected end of text")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(q @ (b'"' | b'\'')) => self.string(q).map(Value::text),
            Some(_) => self.bare(),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, RuntimeError> {
        self.pos += 1;
        let mut entries = crate::value::key_map(0);
        loop {
            self.ws();
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(invalid("unterminated object")),
                _ => {}
            }
            let key = match self.peek() {
                Some(q @ (b'"' | b'\'')) => self.string(q)?,
                _ => self.word()?,
            };
            self.ws();
            if self.peek() != Some(b':') {
                return Err(invalid(format!("expected ':' after key '{key}'")));
            }
            self.pos += 1;
            self.ws();
            let v = self.value(depth + 1)?;
            entries.insert(Key(Value::text(key)), v);
            self.check_size(entries.len())?;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(invalid("expected ',' or '}' in object")),
            }
        }
        Ok(Value::map(entries))
    }

    fn array(&mut self, depth: usize) -> Result<Value, RuntimeError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            self.ws();
            match self.peek() {
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                None => return Err(invalid("unterminated array")),
                _ => {}
            }
            items.push(self.value(depth + 1)?);
            self.check_size(items.len())?;
            self.ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    break;
                }
                _ => return Err(invalid("expected ',' or ']' in array")),
            }
        }
        Ok(Value::list(items))
    }

    fn string(&mut self, quote: u8) -> Result<String, RuntimeError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self.pos < self.s.len() && self.s[self.pos] != quote && self.s[self.pos] != b'\\'
            {
                self.pos += 1;
            }
            out.push_str(self.text.get(start..self.pos).unwrap_or_default());
            match self.peek() {
                None => return Err(invalid("unterminated string")),
                Some(b'\\') => {
                    self.pos += 1;
                    let esc = self.peek().ok_or_else(|| invalid("unterminated string"))?;
                    if !esc.is_ascii() {
                        // A backslash before a multi-byte character keeps the character.
                        let c = self.text.get(self.pos..).and_then(|r| r.chars().next());
                        let c = c.ok_or_else(|| invalid("bad escape"))?;
                        out.push(c);
                        self.pos += c.len_utf8();
                        continue;
                    }
                    self.pos += 1;
                    match esc {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'u' => out.push(self.unicode_escape()?),
                        other => out.push(char::from(other)),
                    }
                }
                Some(_) => {
                    self.pos += 1;
                    return Ok(out);
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, RuntimeError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| invalid("bad \\u escape"))?;
        self.pos += 4;
        u32::from_str_radix(digits, 16).map_err(|_| invalid("bad \\u escape"))
    }

    fn unicode_escape(&mut self) -> Result<char, RuntimeError> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) && self.s.get(self.pos..self.pos + 2) == Some(b"\\u") {
            self.pos += 2;
            let lo = self.hex4()?;
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
            return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    /// An unquoted token up to the next structural character.
    fn word(&mut self) -> Result<String, RuntimeError> {
        let start = self.pos;
        while self.pos < self.s.len()
            && !matches!(self.s[self.pos], b',' | b':' | b'}' | b']' | b'{' | b'[')
        {
            self.pos += 1;
        }
        let w = self.text.get(start..self.pos).unwrap_or_default().trim();
        if w.is_empty() {
            return Err(invalid(format!("unexpected character at offset {start}")));
        }
        Ok(w.to_string())
    }

    /// Numbers, true/false/null, or an unquoted text value (org.json is this lenient).
    fn bare(&mut self) -> Result<Value, RuntimeError> {
        let start = self.pos;
        while self.pos < self.s.len()
            && !matches!(self.s[self.pos], b',' | b'}' | b']' | b'{' | b'[' | b':')
        {
            self.pos += 1;
        }
        let w = self.text.get(start..self.pos).unwrap_or_default().trim();
        if w.is_empty() {
            return Err(invalid(format!("unexpected character at offset {start}")));
        }
        Ok(match w {
            _ if w.eq_ignore_ascii_case("true") => Value::Bool(true),
            _ if w.eq_ignore_ascii_case("false") => Value::Bool(false),
            _ if w.eq_ignore_ascii_case("null") => Value::Null,
            _ => number(w).unwrap_or_else(|| Value::text(w)),
        })
    }
}

fn number(w: &str) -> Option<Value> {
    let first = w.as_bytes().first()?;
    if !(first.is_ascii_digit() || *first == b'-' || *first == b'+') {
        return None;
    }
    if let Ok(n) = w.parse::<i64>() {
        return Some(Value::Number(n));
    }
    if w.contains(['e', 'E']) {
        return Decimal::from_scientific(w).ok().map(Value::Decimal);
    }
    w.parse::<Decimal>().ok().map(Value::Decimal)
}

/// `text.toMap()`, `text.getJSON(k)`, `map.getJSON(k)`, `toJSONList()`, `toXML()`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let max_size = ctx.limits.max_collection_size;
    // The whole document may hold a few full-size containers, no more.
    let max_nodes = max_size.saturating_mul(4);
    let parse = |t: &str| parse_limited(t, max_size, max_nodes);
    Some(match (recv, name) {
        (Value::Text(t), "tomap") => arity(name, args, 0, 0).and_then(|_| {
            if t.trim().is_empty() {
                return Ok(Value::empty_map());
            }
            match parse(t)? {
                v @ Value::Map(_) => Ok(v),
                _ => Err(invalid("text is not a JSON object")),
            }
        }),
        (Value::Text(t), "tojsonlist") => arity(name, args, 0, 0).and_then(|_| match parse(t)? {
            v @ Value::List(_) => Ok(v),
            _ => Err(invalid("text is not a JSON array")),
        }),
        (Value::List(l), "tojsonlist") => arity(name, args, 0, 0).map(|_| {
            let l = l.borrow();
            Value::typed_list(l.elem_type, l.items.clone())
        }),
        (Value::Text(t), "getjson") => (|| {
            arity(name, args, 1, 1)?;
            match parse(t)? {
                Value::Map(m) => Ok(m
                    .borrow()
                    .entries
                    .get(&Key(args[0].clone()))
                    .cloned()
                    .unwrap_or_default()),
                _ => Err(invalid("text is not a JSON object")),
            }
        })(),
        (Value::Map(m), "getjson") => arity(name, args, 1, 1).map(|_| {
            m.borrow()
                .entries
                .get(&Key(args[0].clone()))
                .cloned()
                .unwrap_or_default()
        }),
        (Value::Collection(c), "getjson") => arity(name, args, 1, 1).map(|_| match &*c.borrow() {
            CollectionValue::Map(m) => m.get(&Key(args[0].clone())).cloned().unwrap_or_default(),
            _ => Value::Null,
        }),
        (Value::Text(t), "toxml") => {
            arity(name, args, 0, 0).and_then(|_| Ok(Value::text(to_xml(&parse(t)?))))
        }
        (Value::Map(_) | Value::List(_), "toxml") => {
            arity(name, args, 0, 0).map(|_| Value::text(to_xml(recv)))
        }
        (Value::Text(t), "tolist") if args.is_empty() && looks_like_array(t) => parse(t),
        _ => return None,
    })
}

fn looks_like_array(t: &str) -> bool {
    let t = t.trim();
    t.starts_with('[') && t.ends_with(']')
}

/// Receiver-less JSON functions.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    let _ = (ctx, name, args);
    None
}

/// `<root>...</root>` XML for a parsed JSON value (toXML doc).
pub(crate) fn to_xml(v: &Value) -> String {
    let mut out = String::from("<root>");
    write_xml_content(v, &mut out, 0);
    out.push_str("</root>");
    out
}

/// Java `String.hashCode`.
fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// Keys in the order a Java `HashMap` (default capacity 16, load factor 0.75) iterates
/// them after inserting in source order: by bucket, then insertion order within a bucket.
fn java_hashmap_order(keys: &[String]) -> Vec<usize> {
    let mut cap: usize = 16;
    while keys.len() * 4 > cap * 3 {
        cap *= 2;
    }
    let mut idx: Vec<usize> = (0..keys.len()).collect();
    idx.sort_by_key(|&i| {
        let h = java_hash(&keys[i]) as u32;
        ((h ^ (h >> 16)) as usize & (cap - 1), i)
    });
    idx
}

fn xml_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// org.json `XML.toString` shape: object keys become elements, array items repeat the
/// element name.
fn write_xml_content(v: &Value, out: &mut String, depth: usize) {
    if depth > MAX_NESTING || out.len() > crate::value::MAX_RENDER_BYTES {
        return;
    }
    match v {
        Value::Map(m) => {
            let m = m.borrow();
            let entries: Vec<(String, Value)> = m
                .entries
                .iter()
                .map(|(k, v)| (k.0.to_text(), v.clone()))
                .collect();
            let keys: Vec<String> = entries.iter().map(|(k, _)| k.clone()).collect();
            for i in java_hashmap_order(&keys) {
                let (k, val) = &entries[i];
                write_xml_element(k, val, out, depth + 1);
            }
        }
        Value::List(l) => {
            for item in l.borrow().items.iter() {
                write_xml_element("array", item, out, depth + 1);
            }
        }
        other => xml_escape(&other.to_text(), out),
    }
}

fn write_xml_element(tag: &str, v: &Value, out: &mut String, depth: usize) {
    if let Value::List(l) = v {
        for item in l.borrow().items.iter() {
            write_xml_element(tag, item, out, depth + 1);
        }
        return;
    }
    out.push('<');
    out.push_str(tag);
    out.push('>');
    write_xml_content(v, out, depth);
    out.push_str("</");
    out.push_str(tag);
    out.push('>');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(recv: Value, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, &recv, name, args).expect("handled")
    }

    #[test]
    fn relaxed_json() {
        let m = parse("{company:Zoho, product:Creator}").unwrap();
        assert_eq!(m.to_text(), r#"{"company":"Zoho","product":"Creator"}"#);
        let m = parse("{Name:'Lia Shelton', OrderNo:[343,443,577]}").unwrap();
        assert_eq!(
            m.to_json_text(),
            r#"{"Name":"Lia Shelton","OrderNo":[343,443,577]}"#
        );
        let v = parse(r#"{"a": 1.50, "b": -2, "c": true, "d": null, "e": "x\"\u00e9"}"#).unwrap();
        assert_eq!(
            v.to_json_text(),
            r#"{"a":1.50,"b":-2,"c":true,"d":null,"e":"x\"é"}"#
        );
        assert!(parse("abc").is_ok_and(|v| v.to_text() == "abc"));
        assert!(parse("{a:1").is_err());
        assert!(parse("[1,2").is_err());
        assert!(parse("{a 1}").is_err());
        assert!(parse(&"[".repeat(200)).is_err());
    }

    #[test]
    fn methods() {
        let t = Value::text(r#"{"response" : {"employee": {"id" : "EMP-001"}}}"#);
        let r = call(t.clone(), "getjson", &[Value::text("response")]).unwrap();
        let e = call(r, "getjson", &[Value::text("employee")]).unwrap();
        assert_eq!(
            call(e, "getjson", &[Value::text("id")]).unwrap().to_text(),
            "EMP-001"
        );
        assert!(
            call(t.clone(), "getjson", &[Value::text("x")])
                .unwrap()
                .is_null()
        );
        assert!(call(Value::text("abc"), "tojsonlist", &[]).is_err());
        assert!(call(Value::text("[1"), "tomap", &[]).is_err());
        assert!(call(Value::text("[1]"), "tomap", &[]).is_err());
        let l = call(Value::text("[343,443,577]"), "tojsonlist", &[]).unwrap();
        assert_eq!(l.to_text(), "343,443,577");
        assert_eq!(call(l, "tojsonlist", &[]).unwrap().to_text(), "343,443,577");
    }

    #[test]
    fn size_limits_apply_while_parsing() {
        let e = parse_limited("[1,2,3]", 2, 100).unwrap_err();
        assert!(matches!(
            e.kind,
            crate::error::ErrorKind::Limit(LimitKind::CollectionSize)
        ));
        let e = parse_limited("[[1],[2],[3]]", 10, 5).unwrap_err();
        assert!(!e.is_catchable());
        assert!(parse_limited("{a:[1,2]}", 2, 4).is_ok());
    }

    #[test]
    fn xml_in_java_hashmap_order() {
        let x = call(
            Value::text("{Name:'Lia Shelton', OrderNo:[343,443,577]}"),
            "toxml",
            &[],
        )
        .unwrap()
        .to_text();
        assert_eq!(
            x,
            "<root><OrderNo>343</OrderNo><OrderNo>443</OrderNo><OrderNo>577</OrderNo><Name>Lia Shelton</Name></root>"
        );
        assert_eq!(java_hash("Name"), 2_420_395);
    }
}
