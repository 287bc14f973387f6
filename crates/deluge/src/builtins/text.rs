//! TEXT functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): case, search, substrings, padding, splitting.
//!
//! Positions are 0-based character (not byte) offsets. Regular-expression functions live in
//! `regex_fns`; JSON/XML parsing in `json`; conversions (`toNumber`, `toDate`, ...) in
//! `convert`.

use super::{CallCtx, Dispatch, arity, bool_arg, int_arg, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// `text.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Text(t) = recv else { return None };
    let t: &str = t;
    Some(match name {
        "length" | "len" => {
            arity(name, args, 0, 0).map(|_| Value::Number(t.chars().count() as i64))
        }
        "touppercase" | "upper" => arity(name, args, 0, 0).map(|_| Value::text(t.to_uppercase())),
        "tolowercase" | "lower" => arity(name, args, 0, 0).map(|_| Value::text(t.to_lowercase())),
        "contains" => search(name, args).map(|s| Value::Bool(t.contains(s.as_str()))),
        "notcontains" => search(name, args).map(|s| Value::Bool(!t.contains(s.as_str()))),
        "containsignorecase" => {
            search(name, args).map(|s| Value::Bool(lower(t).contains(&lower(&s))))
        }
        "startswith" => search(name, args).map(|s| Value::Bool(t.starts_with(s.as_str()))),
        "endswith" => search(name, args).map(|s| Value::Bool(t.ends_with(s.as_str()))),
        "startswithignorecase" => {
            search(name, args).map(|s| Value::Bool(lower(t).starts_with(&lower(&s))))
        }
        "endswithignorecase" => {
            search(name, args).map(|s| Value::Bool(lower(t).ends_with(&lower(&s))))
        }
        "equalsignorecase" => search(name, args).map(|s| Value::Bool(lower(t) == lower(&s))),
        "equals" => search(name, args).map(|s| Value::Bool(t == s)),
        "concat" => (|| {
            arity(name, args, 1, 1)?;
            let s = args.first().map(Value::to_text).unwrap_or_default();
            ctx.check_text_len(t.len() + s.len())?;
            Ok(Value::text(format!("{t}{s}")))
        })(),
        "indexof" | "find" => index_of(name, t, args, false),
        "lastindexof" => index_of(name, t, args, true),
        "getoccurencecount" | "getoccurrencecount" => search(name, args).map(|s| {
            Value::Number(if s.is_empty() {
                0
            } else {
                t.matches(s.as_str()).count() as i64
            })
        }),
        "getprefix" => search(name, args).map(|s| prefix(t, &s, false)),
        "getprefixignorecase" => search(name, args).map(|s| prefix(t, &s, true)),
        "getsuffix" => search(name, args).map(|s| suffix(t, &s, false)),
        "getsuffixignorecase" => search(name, args).map(|s| suffix(t, &s, true)),
        "substring" | "subtext" | "mid" | "substr" => substring(name, t, args),
        "left" => (|| {
            arity(name, args, 1, 1)?;
            let n = int_arg(name, args, 0)?;
            let len = char_len(t);
            if n < 0 {
                return Ok(Value::text(t));
            }
            if n > len {
                return Err(RuntimeError::value_error(format!(
                    "left({n}) on a text of {len} characters"
                )));
            }
            Ok(Value::text(chars_range(t, 0, n)))
        })(),
        "right" => (|| {
            arity(name, args, 1, 1)?;
            let n = int_arg(name, args, 0)?;
            let len = char_len(t);
            if n < 0 || n > len {
                return Err(RuntimeError::value_error(format!(
                    "right({n}) on a text of {len} characters"
                )));
            }
            Ok(Value::text(chars_range(t, len - n, len)))
        })(),
        "remove" => search(name, args).map(|s| {
            if s.is_empty() {
                Value::text(t)
            } else {
                Value::text(t.replace(s.as_str(), ""))
            }
        }),
        "removefirstoccurence" | "removefirstoccurrence" => search(name, args).map(|s| {
            Value::text(match t.find(s.as_str()) {
                Some(i) if !s.is_empty() => format!("{}{}", &t[..i], &t[i + s.len()..]),
                _ => t.to_string(),
            })
        }),
        "removelastoccurence" | "removelastoccurrence" => search(name, args).map(|s| {
            Value::text(match t.rfind(s.as_str()) {
                Some(i) if !s.is_empty() => format!("{}{}", &t[..i], &t[i + s.len()..]),
                _ => t.to_string(),
            })
        }),
        "removeallalpha" => keep(name, args, t, |c| !c.is_ascii_alphabetic()),
        "removeallalphanumeric" => keep(name, args, t, |c| !c.is_ascii_alphanumeric()),
        "getalpha" => keep(name, args, t, |c| c.is_ascii_alphabetic()),
        "getalphanumeric" => keep(name, args, t, |c| c.is_ascii_alphanumeric()),
        "proper" => arity(name, args, 0, 0).map(|_| Value::text(proper(t))),
        "trim" => arity(name, args, 0, 0).map(|_| Value::text(t.trim_matches(java_space))),
        "ltrim" => arity(name, args, 0, 0).map(|_| Value::text(t.trim_start_matches(java_space))),
        "rtrim" => arity(name, args, 0, 0).map(|_| Value::text(t.trim_end_matches(java_space))),
        "leftpad" => pad(ctx, name, t, args, true),
        "rightpad" => pad(ctx, name, t, args, false),
        "reverse" => {
            arity(name, args, 0, 0).map(|_| Value::text(t.chars().rev().collect::<String>()))
        }
        "repeat" => (|| {
            arity(name, args, 1, 1)?;
            let n = int_arg(name, args, 0)?;
            let n = usize::try_from(n).unwrap_or(0);
            ctx.check_text_len(t.len().saturating_mul(n))?;
            Ok(Value::text(t.repeat(n)))
        })(),
        "isascii" => arity(name, args, 0, 0).map(|_| Value::Bool(t.is_ascii())),
        "texttohex" => arity(name, args, 0, 0).and_then(|_| {
            ctx.check_text_len(t.len().saturating_mul(2))?;
            Ok(Value::text(hex::encode(t.as_bytes())))
        }),
        "hextotext" => (|| {
            arity(name, args, 0, 0)?;
            let bytes = hex::decode(t.trim())
                .map_err(|e| RuntimeError::value_error(format!("invalid hex text: {e}")))?;
            String::from_utf8(bytes)
                .map(Value::text)
                .map_err(|_| RuntimeError::value_error("hex text is not valid UTF-8"))
        })(),
        // toList doc: without a separator, or when the separator does not occur, the whole
        // text is the single element. (JSON array text is parsed by `json` first.)
        "tolist" => (|| {
            arity(name, args, 0, 1)?;
            if args.is_empty() || args[0].is_null() {
                return Ok(Value::list(vec![Value::text(t)]));
            }
            split(ctx, t, &text_arg(name, args, 0)?)
        })(),
        "toliststring" => (|| {
            arity(name, args, 0, 1)?;
            let sep = if args.is_empty() {
                ",".to_string()
            } else {
                text_arg(name, args, 0)?
            };
            split(ctx, t, &sep)
        })(),
        _ => return None,
    })
}

/// Receiver-less text functions: the function forms whose first argument is not TEXT
/// (`reverse(123)` converts to text first, per the reverse doc).
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    match (name, args) {
        ("reverse", [v]) if !matches!(v, Value::Text(_) | Value::Null) => {
            let t = Value::text(v.to_text());
            method(ctx, &t, name, &[])
        }
        ("concat", [a, rest @ ..]) if !matches!(a, Value::Text(_) | Value::Null) => {
            let t = Value::text(a.to_text());
            method(ctx, &t, name, rest)
        }
        _ => None,
    }
}

/// The single TEXT argument of a search-style function.
fn search(name: &str, args: &[Value]) -> Result<String, RuntimeError> {
    arity(name, args, 1, 1)?;
    text_arg(name, args, 0)
}

fn lower(s: &str) -> String {
    s.to_lowercase()
}

/// Java `String.trim()` strips every char up to U+0020.
fn java_space(c: char) -> bool {
    c <= ' '
}

pub(crate) fn char_len(t: &str) -> i64 {
    t.chars().count() as i64
}

/// Characters `from..to` (0-based, end exclusive); the caller has checked the bounds.
pub(crate) fn chars_range(t: &str, from: i64, to: i64) -> String {
    let from = usize::try_from(from).unwrap_or(0);
    let to = usize::try_from(to).unwrap_or(0);
    t.chars().skip(from).take(to.saturating_sub(from)).collect()
}

/// Byte offset → character offset.
fn char_index(t: &str, byte: usize) -> i64 {
    t.get(..byte).map_or(0, |p| p.chars().count() as i64)
}

/// Character offset → byte offset (clamped to the end).
fn byte_index(t: &str, chars: usize) -> usize {
    t.char_indices().nth(chars).map_or(t.len(), |(b, _)| b)
}

fn index_of(name: &str, t: &str, args: &[Value], last: bool) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 2)?;
    let s = text_arg(name, args, 0)?;
    let found = if args.len() == 2 {
        let from = int_arg(name, args, 1)?.max(0);
        let from_b = byte_index(t, usize::try_from(from).unwrap_or(usize::MAX));
        if last {
            // Java lastIndexOf(s, from): the last match starting at or before `from`.
            let end = (from_b + s.len()).min(t.len());
            let end = (0..=end)
                .rev()
                .find(|&e| t.is_char_boundary(e))
                .unwrap_or(0);
            t[..end].rfind(s.as_str())
        } else {
            t[from_b..].find(s.as_str()).map(|i| i + from_b)
        }
    } else if last {
        t.rfind(s.as_str())
    } else {
        t.find(s.as_str())
    };
    Ok(Value::Number(found.map_or(-1, |b| char_index(t, b))))
}

/// Byte range of the first match of `s` in `t`, optionally ignoring case.
fn find_first(t: &str, s: &str, ignore_case: bool) -> Option<(usize, usize)> {
    if !ignore_case {
        return t.find(s).map(|i| (i, i + s.len()));
    }
    // Lower-case both, remembering where each lower-cased byte came from, then search
    // linearly; a match must start and end on whole original characters.
    let mut lowered = String::with_capacity(t.len());
    let mut origin = Vec::with_capacity(t.len() + 1);
    for (b, c) in t.char_indices() {
        for lc in c.to_lowercase() {
            for _ in 0..lc.len_utf8() {
                origin.push(b);
            }
            lowered.push(lc);
        }
    }
    origin.push(t.len());
    let needle = s.to_lowercase();
    if needle.is_empty() {
        return Some((0, 0));
    }
    let mut from = 0;
    while let Some(i) = lowered.get(from..).and_then(|rest| rest.find(&needle)) {
        let (ls, le) = (from + i, from + i + needle.len());
        let start = origin.get(ls).copied().unwrap_or(t.len());
        let end = origin.get(le).copied().unwrap_or(t.len());
        let clean_start = ls == 0 || origin.get(ls - 1) != Some(&start);
        let clean_end = le == lowered.len() || origin.get(le - 1) != Some(&end);
        if clean_start && clean_end {
            return Some((start, end));
        }
        from = ls
            + lowered
                .get(ls..)
                .and_then(|r| r.chars().next())
                .map_or(1, char::len_utf8);
    }
    None
}

fn prefix(t: &str, s: &str, ignore_case: bool) -> Value {
    match find_first(t, s, ignore_case) {
        Some((start, _)) => Value::text(&t[..start]),
        None => Value::Null,
    }
}

fn suffix(t: &str, s: &str, ignore_case: bool) -> Value {
    match find_first(t, s, ignore_case) {
        Some((_, end)) => Value::text(&t[end..]),
        None => Value::Null,
    }
}

/// subString(start[, end]): end exclusive; end omitted or negative → to the end; start
/// negative, start or end beyond the length, or end < start → error (subString doc).
fn substring(name: &str, t: &str, args: &[Value]) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 2)?;
    let len = char_len(t);
    let start = int_arg(name, args, 0)?;
    let end = if args.len() == 2 {
        let e = int_arg(name, args, 1)?;
        if e < 0 { len } else { e }
    } else {
        len
    };
    if start < 0 || start > len || end > len || end < start {
        return Err(RuntimeError::value_error(format!(
            "{name}({start}, {end}) is out of range for a text of {len} characters"
        )));
    }
    Ok(Value::text(chars_range(t, start, end)))
}

fn keep(
    name: &str,
    args: &[Value],
    t: &str,
    f: impl Fn(char) -> bool,
) -> Result<Value, RuntimeError> {
    arity(name, args, 0, 0)?;
    Ok(Value::text(t.chars().filter(|c| f(*c)).collect::<String>()))
}

/// First letter of each whitespace-separated word upper case, the rest lower case.
fn proper(t: &str) -> String {
    let mut out = String::with_capacity(t.len());
    let mut at_start = true;
    for c in t.chars() {
        if c.is_whitespace() {
            at_start = true;
            out.push(c);
        } else if at_start {
            out.extend(c.to_uppercase());
            at_start = false;
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Largest padding leftpad/rightpad accept (the doc's "Maximum value: 100,00").
const MAX_PAD: i64 = 10_000;

/// leftpad(n) / rightpad(n): adds `n` spaces (see DECISIONS.md); negative n → unchanged.
fn pad(
    ctx: &CallCtx<'_>,
    name: &str,
    t: &str,
    args: &[Value],
    left: bool,
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 1)?;
    let n = int_arg(name, args, 0)?;
    if n <= 0 {
        return Ok(Value::text(t));
    }
    if n > MAX_PAD {
        return Err(RuntimeError::value_error(format!(
            "{name}({n}): at most {MAX_PAD} spaces can be padded"
        )));
    }
    let n = usize::try_from(n).unwrap_or(0);
    ctx.check_text_len(t.len() + n)?;
    let spaces = " ".repeat(n);
    Ok(Value::text(if left {
        format!("{spaces}{t}")
    } else {
        format!("{t}{spaces}")
    }))
}

/// Splits on a literal separator, keeping empty parts (toList doc).
fn split(ctx: &CallCtx<'_>, t: &str, sep: &str) -> Result<Value, RuntimeError> {
    // Count before allocating: a short separator can split a long text into millions.
    let count = if sep.is_empty() {
        t.chars().count()
    } else {
        t.matches(sep).count() + 1
    };
    ctx.check_size(count)?;
    let parts: Vec<Value> = if sep.is_empty() {
        t.chars().map(|c| Value::text(c.to_string())).collect()
    } else {
        t.split(sep).map(Value::text).collect()
    };
    Ok(Value::list(parts))
}

/// `bool_arg` re-export for sibling modules that parse optional flags.
pub(crate) fn flag(name: &str, args: &[Value], i: usize) -> Result<bool, RuntimeError> {
    if args.get(i).is_none() {
        return Ok(false);
    }
    bool_arg(name, args, i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(recv: &str, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        method(&mut ctx, &Value::text(recv), name, args).expect("handled")
    }

    fn text(recv: &str, name: &str, args: &[Value]) -> String {
        call(recv, name, args).expect("ok").to_text()
    }

    fn t(s: &str) -> Value {
        Value::text(s)
    }

    #[test]
    fn length_and_case() {
        assert_eq!(text("Zoho", "length", &[]), "4");
        assert_eq!(text("Zoho", "upper", &[]), "ZOHO");
        assert_eq!(text("ZoHo", "lower", &[]), "zoho");
        assert_eq!(text("héllo", "len", &[]), "5");
    }

    #[test]
    fn searching() {
        let s = "Hello world, welcome to the universe";
        assert_eq!(text(s, "indexof", &[t("e")]), "1");
        assert_eq!(text(s, "lastindexof", &[t("e")]), "35");
        assert_eq!(text(s, "find", &[t("z")]), "-1");
        assert_eq!(text("Zoho Creator", "contains", &[t("creator ")]), "false");
        assert_eq!(
            text("Zoho Creator", "containsignorecase", &[t("CREATOR")]),
            "true"
        );
        assert_eq!(text("Zoho Creator", "notcontains", &[t("CRM")]), "true");
        assert_eq!(text("Zoho", "startswithignorecase", &[t("zo")]), "true");
        assert_eq!(text("Zoho", "endswithignorecase", &[t("HO")]), "true");
        assert_eq!(text("Zoho", "equalsignorecase", &[t("zOHO")]), "true");
        assert_eq!(text("aaaa", "getoccurencecount", &[t("aa")]), "2");
        assert_eq!(text("a b", "indexof", &[t("b"), Value::Number(1)]), "2");
    }

    #[test]
    fn prefixes_and_suffixes() {
        assert_eq!(text("Zoho Creator", "getprefix", &[t(" ")]), "Zoho");
        assert!(
            call("Zoho Creator", "getprefix", &[t("#")])
                .unwrap()
                .is_null()
        );
        assert_eq!(
            text("Split the text and get", "getsuffixignorecase", &[t("AND")]),
            " get"
        );
        assert_eq!(text("aXbxc", "getprefixignorecase", &[t("x")]), "a");
        assert!(call("abc", "getsuffix", &[t("B")]).unwrap().is_null());
        assert_eq!(
            text("Straße ÉTÉ x", "getsuffixignorecase", &[t("été")]),
            " x"
        );
        assert_eq!(text("İx", "getprefixignorecase", &[t("X")]), "İ");
        assert_eq!(text("abc", "getprefixignorecase", &[t("")]), "");
    }

    #[test]
    fn substrings() {
        assert_eq!(
            text("Zoho Creator", "substring", &[Value::Number(5)]),
            "Creator"
        );
        assert_eq!(
            text("Zoho Creator", "mid", &[Value::Number(0), Value::Number(4)]),
            "Zoho"
        );
        assert_eq!(
            text("Zoho", "subtext", &[Value::Number(1), Value::Number(-1)]),
            "oho"
        );
        assert_eq!(
            text("Zoho", "substring", &[Value::Number(2), Value::Number(2)]),
            ""
        );
        assert!(call("Zoho", "substring", &[Value::Number(0), Value::Number(10)]).is_err());
        assert!(call("Zoho", "substring", &[Value::Number(3), Value::Number(1)]).is_err());
        assert!(call("Zoho", "substring", &[Value::Number(-1)]).is_err());
        assert_eq!(text("Zoho Creator", "left", &[Value::Number(4)]), "Zoho");
        assert_eq!(text("Zoho", "left", &[Value::Number(-2)]), "Zoho");
        assert!(call("Zoho", "left", &[Value::Number(5)]).is_err());
        assert_eq!(
            text("Zoho Creator", "right", &[Value::Number(7)]),
            "Creator"
        );
        assert!(call("Zoho", "right", &[Value::Number(-1)]).is_err());
        assert!(call("Zoho", "right", &[Value::Number(9)]).is_err());
    }

    #[test]
    fn removal_and_filters() {
        assert_eq!(text("Zoho Creator", "remove", &[t("Creator")]), "Zoho ");
        assert_eq!(text("a-b-c", "removefirstoccurence", &[t("-")]), "ab-c");
        assert_eq!(text("a-b-c", "removelastoccurence", &[t("-")]), "a-bc");
        assert_eq!(
            text("Your joining date is January 25th, 2019", "getalpha", &[]),
            "YourjoiningdateisJanuaryth"
        );
        assert_eq!(text("Zoho Creator 5", "removeallalpha", &[]), "  5");
        assert_eq!(text("a1 b2!", "removeallalphanumeric", &[]), " !");
        assert_eq!(text("a1 b2!", "getalphanumeric", &[]), "a1b2");
    }

    #[test]
    fn shaping() {
        assert_eq!(text("hello WORLD", "proper", &[]), "Hello World");
        assert_eq!(text("  x \t", "trim", &[]), "x");
        assert_eq!(text("  x  ", "ltrim", &[]), "x  ");
        assert_eq!(text("  x  ", "rtrim", &[]), "  x");
        assert_eq!(text("Left", "leftpad", &[Value::Number(2)]), "  Left");
        assert_eq!(text("Right", "rightpad", &[Value::Number(1)]), "Right ");
        assert_eq!(text("Left", "leftpad", &[Value::Number(-1)]), "Left");
        assert!(call("x", "leftpad", &[Value::Number(1_000_000)]).is_err());
        assert_eq!(text("Zoho Creator", "reverse", &[]), "rotaerC ohoZ");
        assert_eq!(text("Zoho", "repeat", &[Value::Number(3)]), "ZohoZohoZoho");
        assert!(call("Zoho", "repeat", &[Value::Number(i64::MAX)]).is_err());
        assert_eq!(text("Zoho", "concat", &[t("Deluge")]), "ZohoDeluge");
    }

    #[test]
    fn size_limits_checked_before_allocating() {
        let mut host = NullHost::default();
        let limits = Limits {
            max_collection_size: 3,
            max_text_length: 10,
            ..Limits::default()
        };
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        let t = Value::text("a,b,c,d");
        assert!(
            method(&mut ctx, &t, "tolist", &[Value::text(",")])
                .unwrap()
                .is_err()
        );
        let t = Value::text("abcdef");
        assert!(
            method(&mut ctx, &t, "repeat", &[Value::Number(2)])
                .unwrap()
                .is_err()
        );
        assert!(
            method(&mut ctx, &t, "leftpad", &[Value::Number(5)])
                .unwrap()
                .is_err()
        );
        assert!(method(&mut ctx, &t, "texttohex", &[]).unwrap().is_err());
        assert!(
            method(&mut ctx, &t, "concat", &[Value::text("123456")])
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn hex_ascii_and_lists() {
        assert_eq!(text("Zoho", "texttohex", &[]), "5a6f686f");
        assert_eq!(text("5a6f686f", "hextotext", &[]), "Zoho");
        assert!(call("zz", "hextotext", &[]).is_err());
        assert_eq!(text("abc", "isascii", &[]), "true");
        assert_eq!(text("é", "isascii", &[]), "false");
        assert_eq!(text("a/b", "tolist", &[t("/")]), "a,b");
        let whole = call("a,,b", "tolist", &[]).unwrap();
        assert_eq!(whole.to_json_text(), r#"["a,,b"]"#);
        let absent = call("ZohoCreator", "tolist", &[t("/")]).unwrap();
        assert_eq!(absent.to_json_text(), r#"["ZohoCreator"]"#);
        let l = call("1,2,3", "toliststring", &[]).unwrap();
        assert_eq!(l.to_json_text(), r#"["1","2","3"]"#);
    }
}
