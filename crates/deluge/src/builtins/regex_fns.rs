//! Regular-expression TEXT functions with Java semantics: replaceAll, replaceFirst (and their
//! IgnoreCase forms) and matches. Patterns run on `fancy-regex` (back-references and
//! look-around, like `java.util.regex`), replacements follow `Matcher.replaceAll` (`$1`,
//! `${name}`, `\` escapes).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use fancy_regex::{Regex, RegexBuilder};

use super::text::flag;
use super::{CallCtx, Dispatch, arity, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// Compiled patterns kept per thread, so a loop calling replaceAll compiles once.
const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Rc<Regex>>> = RefCell::new(HashMap::new());
}

/// `text.name(args)` for the regex functions.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    let Value::Text(t) = recv else { return None };
    Some(match name {
        "replaceall" => replace(ctx, name, t, args, true, false),
        "replacefirst" => replace(ctx, name, t, args, false, false),
        "replaceallignorecase" => replace(ctx, name, t, args, true, true),
        "replacefirstignorecase" => replace(ctx, name, t, args, false, true),
        "matches" => (|| {
            arity(name, args, 1, 1)?;
            let pattern = text_arg(name, args, 0)?;
            let re = compile(&format!(r"\A(?:{pattern})\z"), false)?;
            re.is_match(&**t)
                .map(Value::Bool)
                .map_err(|e| RuntimeError::value_error(format!("regex failed: {e}")))
        })(),
        _ => return None,
    })
}

fn compile(pattern: &str, ignore_case: bool) -> Result<Rc<Regex>, RuntimeError> {
    let key = (pattern.to_string(), ignore_case);
    if let Some(re) = CACHE.with(|c| c.borrow().get(&key).cloned()) {
        return Ok(re);
    }
    let re = RegexBuilder::new(pattern)
        .case_insensitive(ignore_case)
        .backtrack_limit(100_000)
        .build()
        .map_err(|e| RuntimeError::value_error(format!("invalid regular expression: {e}")))?;
    let re = Rc::new(re);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(key, re.clone());
    });
    Ok(re)
}

/// replaceAll(search, replacement[, literal]): `search` is a Java regex unless `literal`
/// is true, in which case search and replacement are both taken as plain text.
fn replace(
    ctx: &CallCtx<'_>,
    name: &str,
    t: &str,
    args: &[Value],
    all: bool,
    ignore_case: bool,
) -> Result<Value, RuntimeError> {
    arity(name, args, 2, 3)?;
    let search = text_arg(name, args, 0)?;
    let replacement = match args.get(1) {
        Some(Value::Null) => String::new(),
        _ => text_arg(name, args, 1)?,
    };
    let literal = flag(name, args, 2)?;
    let pattern = if literal {
        fancy_regex::escape(&search).into_owned()
    } else {
        search
    };
    let re = compile(&pattern, ignore_case)?;
    let mut out = String::with_capacity(t.len());
    let mut last = 0;
    for caps in re.captures_iter(t) {
        let caps = caps.map_err(|e| RuntimeError::value_error(format!("regex failed: {e}")))?;
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&t[last..m.start()]);
        if literal {
            out.push_str(&replacement);
        } else {
            expand(&caps, &replacement, &mut out)?;
        }
        last = m.end();
        ctx.check_text_len(out.len())?;
        if !all {
            break;
        }
    }
    out.push_str(&t[last..]);
    ctx.check_text_len(out.len())?;
    Ok(Value::text(out))
}

/// Java replacement syntax: `$n` / `${name}` insert a group, `\x` inserts `x` literally.
fn expand(
    caps: &fancy_regex::Captures<'_, str>,
    replacement: &str,
    out: &mut String,
) -> Result<(), RuntimeError> {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(x) => out.push(x),
                None => {
                    return Err(RuntimeError::value_error(
                        "character to be escaped is missing in the replacement",
                    ));
                }
            },
            '$' => {
                if chars.peek() == Some(&'{') {
                    chars.next();
                    let mut group = String::new();
                    for g in chars.by_ref() {
                        if g == '}' {
                            break;
                        }
                        group.push(g);
                    }
                    let m = caps.name(&group).ok_or_else(|| {
                        RuntimeError::value_error(format!("no group named '{group}'"))
                    })?;
                    out.push_str(m.as_str());
                    continue;
                }
                let mut digits = String::new();
                while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                    // Java takes more digits only while they still name an existing group.
                    let candidate = format!("{digits}{d}");
                    let n: usize = candidate.parse().unwrap_or(usize::MAX);
                    if digits.is_empty() || n < caps.len() {
                        digits = candidate;
                        chars.next();
                    } else {
                        break;
                    }
                }
                if digits.is_empty() {
                    return Err(RuntimeError::value_error(
                        "illegal group reference in the replacement",
                    ));
                }
                let n: usize = digits.parse().unwrap_or(usize::MAX);
                if n >= caps.len() {
                    return Err(RuntimeError::value_error(format!("no group {n}")));
                }
                if let Some(m) = caps.get(n) {
                    out.push_str(m.as_str());
                }
            }
            other => out.push(other),
        }
    }
    Ok(())
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

    fn t(s: &str) -> Value {
        Value::text(s)
    }

    #[test]
    fn replace_all_is_regex_by_default() {
        let r = call("a1b22c333", "replaceall", &[t("[0-9]+"), t("#")]).unwrap();
        assert_eq!(r.to_text(), "a#b#c#");
        let r = call("1+1=2", "replaceall", &[t("+"), t("-"), Value::Bool(true)]).unwrap();
        assert_eq!(r.to_text(), "1-1=2");
        assert!(call("1+1", "replaceall", &[t("+"), t("-")]).is_err());
        let r = call(
            "John Smith",
            "replaceall",
            &[t("(\\w+) (\\w+)"), t("$2, $1")],
        )
        .unwrap();
        assert_eq!(r.to_text(), "Smith, John");
        let r = call("a.b", "replaceall", &[t("\\."), t("\\$")]).unwrap();
        assert_eq!(r.to_text(), "a$b");
    }

    #[test]
    fn replace_first_and_ignore_case() {
        let r = call("a-b-c", "replacefirst", &[t("-"), t("+")]).unwrap();
        assert_eq!(r.to_text(), "a+b-c");
        let r = call(
            "Zoho zoho ZOHO",
            "replacefirstignorecase",
            &[t("ZOHO"), t("Z")],
        )
        .unwrap();
        assert_eq!(r.to_text(), "Z zoho ZOHO");
        let r = call("Zoho zoho", "replaceallignorecase", &[t("ZOHO"), t("Z")]).unwrap();
        assert_eq!(r.to_text(), "Z Z");
    }

    #[test]
    fn matches_whole_text() {
        let yes = call("ID004500F", "matches", &[t("[A-Z]{2}[0-9]{6}[A-Z]")]).unwrap();
        assert_eq!(yes.to_text(), "true");
        let no = call("xID004500F", "matches", &[t("[A-Z]{2}[0-9]{6}[A-Z]")]).unwrap();
        assert_eq!(no.to_text(), "false");
        assert_eq!(
            call("ab", "matches", &[t("(a)\\1?b")]).unwrap().to_text(),
            "true"
        );
        assert!(call("a", "matches", &[t("(")]).is_err());
    }
}
