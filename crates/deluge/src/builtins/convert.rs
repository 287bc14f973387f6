//! Conversions (<https://www.zoho.com/deluge/help/>): toNumber/toLong, toDecimal, toDate/toDateTime/toTime (with an
//! optional Java date pattern), toBoolean.

use rust_decimal::Decimal;

use super::datetime::{as_datetime, epoch_millis};
use super::zone::Zone;
use super::{CallCtx, Dispatch, arity, datefmt, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// `x.name(args)` for the conversion functions.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    Some(match name {
        "tonumber" | "tolong" | "tobigint" | "toint" => {
            arity(name, args, 0, 0).and_then(|_| to_long(ctx, name, recv))
        }
        "todecimal" | "tofloat" => arity(name, args, 0, 0).and_then(|_| to_decimal(name, recv)),
        "todate" | "todatetime" | "totime" => (|| {
            arity(name, args, 0, 2)?;
            let dt = match recv {
                Value::Text(t) => {
                    let pattern = match args.first() {
                        Some(Value::Null) | None => None,
                        Some(_) => Some(text_arg(name, args, 0)?),
                    };
                    let dt = parse_text_date(name, t, pattern.as_deref())?;
                    // toTime doc: the zone argument is the zone the text's time is in.
                    match args.get(1).filter(|z| !z.is_null()) {
                        Some(z) if name != "todate" => {
                            let from = super::datetime::zone_arg(name, z)?;
                            let ms = from
                                .millis_of(dt)
                                .ok_or_else(|| RuntimeError::value_error("date out of range"))?;
                            super::datetime::from_epoch_millis(ms, ctx.time_zone())?
                        }
                        _ => dt,
                    }
                }
                Value::Number(ms) => super::datetime::from_epoch_millis(*ms, ctx.time_zone())?,
                other => as_datetime(other).ok_or_else(|| {
                    RuntimeError::type_error(format!(
                        "'{name}' cannot convert {} to a date",
                        other.type_name()
                    ))
                })?,
            };
            Ok(if name == "todate" {
                Value::Date(dt.date())
            } else {
                Value::DateTime(dt)
            })
        })(),
        // unixEpoch doc: milliseconds since the epoch of a date-time given as TEXT, in the
        // given zone (the script's zone when absent, GMT when unknown); text that is not a
        // date comes back unchanged.
        "unixepoch" if matches!(recv, Value::Text(_)) => (|| {
            arity(name, args, 0, 1)?;
            let Value::Text(t) = recv else {
                return Ok(Value::Null);
            };
            let zone = match args.first() {
                Some(z) => Zone::parse(&z.to_text()).unwrap_or(Zone::Fixed(
                    chrono::FixedOffset::east_opt(0).unwrap_or(ctx.time_zone()),
                )),
                None => Zone::Fixed(ctx.time_zone()),
            };
            match parse_text_date(name, t, None) {
                Ok(dt) => zone
                    .millis_of(dt)
                    .map(Value::Number)
                    .ok_or_else(|| RuntimeError::value_error("date out of range")),
                Err(_) => Ok(recv.clone()),
            }
        })(),
        // toString/toText(format[, zone]) on a NUMBER of epoch milliseconds or on date-time
        // TEXT (toString and toText docs). Text that is not a date: toText returns it as it
        // is, toString is an error. Other values ignore the format.
        "tostring" | "totext" if !args.is_empty() => (|| {
            arity(name, args, 1, 2)?;
            let dt = match recv {
                Value::Number(ms) => super::datetime::from_epoch_millis(*ms, ctx.time_zone())?,
                Value::Text(t) => match parse_text_date(name, t, None) {
                    Ok(dt) => dt,
                    Err(_) if name == "totext" => return Ok(recv.clone()),
                    Err(e) => return Err(e),
                },
                other => return Ok(Value::text(other.to_text())),
            };
            super::datetime::format_with(ctx, name, dt, args)
        })(),
        "toboolean" | "tobool" => arity(name, args, 0, 0).and_then(|_| match recv {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::Text(t) if t.trim().eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::Text(t) if t.trim().eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            Value::Number(n) => Ok(Value::Bool(*n != 0)),
            other => Err(RuntimeError::value_error(format!(
                "cannot convert '{}' to a BOOLEAN",
                other.to_text()
            ))),
        }),
        _ => return None,
    })
}

fn bad_number(name: &str, v: &Value) -> RuntimeError {
    RuntimeError::value_error(format!("'{name}': '{}' is not a number", v.to_text()))
}

/// toLong doc: numeric text parses, DECIMAL truncates, DATE-TIME gives epoch milliseconds
/// (in the script's zone); empty or non-numeric text is an error.
fn to_long(ctx: &CallCtx<'_>, name: &str, v: &Value) -> Result<Value, RuntimeError> {
    match v {
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::Decimal(d) => i64::try_from(d.trunc())
            .map(Value::Number)
            .map_err(|_| bad_number(name, v)),
        Value::Text(t) => {
            let s = t.trim();
            if let Ok(n) = s.parse::<i64>() {
                return Ok(Value::Number(n));
            }
            if super::common::is_numeric_text(s)
                && let Ok(d) = s.parse::<Decimal>()
            {
                return i64::try_from(d.trunc())
                    .map(Value::Number)
                    .map_err(|_| bad_number(name, v));
            }
            Err(bad_number(name, v))
        }
        Value::Date(_) | Value::DateTime(_) => {
            let dt = as_datetime(v).ok_or_else(|| bad_number(name, v))?;
            epoch_millis(dt, ctx.time_zone()).map(Value::Number)
        }
        _ => Err(bad_number(name, v)),
    }
}

fn to_decimal(name: &str, v: &Value) -> Result<Value, RuntimeError> {
    match v {
        Value::Number(n) => Ok(Value::Decimal(Decimal::from(*n))),
        Value::Decimal(d) => Ok(Value::Decimal(*d)),
        Value::Text(t) => {
            let s = t.trim();
            if !super::common::is_numeric_text(s) {
                return Err(bad_number(name, v));
            }
            s.parse::<Decimal>()
                .map(Value::Decimal)
                .map_err(|_| bad_number(name, v))
        }
        _ => Err(bad_number(name, v)),
    }
}

/// A date in text: with a pattern, parsed by it; without, as a date literal would be,
/// then a few common machine formats (ISO 8601).
fn parse_text_date(
    name: &str,
    t: &str,
    pattern: Option<&str>,
) -> Result<chrono::NaiveDateTime, RuntimeError> {
    let bad = || RuntimeError::value_error(format!("'{name}': '{t}' is not a valid date"));
    if let Some(p) = pattern {
        return datefmt::parse(t.trim(), p).ok_or_else(bad);
    }
    if let Some(dt) = crate::dates::parse_date_literal(t)
        .ok()
        .and_then(|v| as_datetime(&v))
    {
        return Ok(dt);
    }
    for p in [
        "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "yyyy-MM-dd'T'HH:mm:ssXXX",
        "yyyy-MM-dd'T'HH:mm:ss",
        // `2022-07-20 17:21:37-05:00` (CRM and Books timestamps); the offset is read and, as
        // everywhere, the wall time kept.
        "yyyy-MM-dd HH:mm:ss.SSSXXX",
        "yyyy-MM-dd HH:mm:ssXXX",
        "yyyy-MM-dd HH:mm:ss",
        "HH:mm:ss",
        "HH:mm",
        "hh:mm a",
    ] {
        if let Some(dt) = datefmt::parse(t.trim(), p) {
            return Ok(dt);
        }
    }
    Err(bad())
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
    fn numbers() {
        let d: Decimal = "99.9".parse().unwrap();
        assert_eq!(
            call(Value::Decimal(d), "tolong", &[]).unwrap().to_text(),
            "99"
        );
        assert_eq!(
            call(Value::text("100"), "tolong", &[]).unwrap().to_text(),
            "100"
        );
        assert_eq!(
            call(Value::text(" 12.7 "), "tonumber", &[])
                .unwrap()
                .to_text(),
            "12"
        );
        assert!(call(Value::text(""), "tolong", &[]).is_err());
        assert!(call(Value::text("134A123B"), "tonumber", &[]).is_err());
        assert!(call(Value::Bool(true), "tonumber", &[]).is_err());
        assert_eq!(
            call(Value::text("99.9"), "todecimal", &[])
                .unwrap()
                .to_text(),
            "99.9"
        );
        assert!(call(Value::text(""), "todecimal", &[]).is_err());
        assert!(call(Value::text("1e5x"), "todecimal", &[]).is_err());
    }

    #[test]
    fn dates() {
        let v = call(Value::text("01-Jan-2019"), "todate", &[]).unwrap();
        assert_eq!(v.to_text(), "01-Jan-2019");
        let v = call(
            Value::text("2019/01/08 10:30"),
            "todatetime",
            &[Value::text("yyyy/MM/dd HH:mm")],
        )
        .unwrap();
        assert_eq!(v.to_text(), "08-Jan-2019 10:30:00");
        let v = call(Value::text("2019-01-08T10:30:00Z"), "todatetime", &[]).unwrap();
        assert_eq!(v.to_text(), "08-Jan-2019 10:30:00");
        assert!(call(Value::text("tomorrow"), "todate", &[]).is_err());
        assert!(
            call(
                Value::text("2019-13-01"),
                "todate",
                &[Value::text("yyyy-MM-dd")]
            )
            .is_err()
        );
        let v = call(Value::Number(0), "todatetime", &[]).unwrap();
        assert_eq!(v.to_text(), "31-Dec-1969 16:00:00");
    }

    #[test]
    fn unix_epoch_of_text() {
        let utc = Value::text("UTC");
        let v = call(Value::text("01-Jan-1970 00:00:01"), "unixepoch", &[utc]).unwrap();
        assert_eq!(v.to_text(), "1000");
        let v = call(
            Value::text("01-Jan-1970"),
            "unixepoch",
            &[Value::text("Nowhere/City")],
        );
        assert_eq!(v.unwrap().to_text(), "0");
        let v = call(Value::text("31-Dec-1969 16:00:00"), "unixepoch", &[]).unwrap();
        assert_eq!(v.to_text(), "0");
        let v = call(Value::text("not a date"), "unixepoch", &[]).unwrap();
        assert_eq!(v.to_text(), "not a date");
    }

    #[test]
    fn formatting_numbers_and_date_text() {
        let f = Value::text("yyyy-MM-dd HH:mm");
        let v = call(
            Value::Number(0),
            "tostring",
            &[f.clone(), Value::text("UTC")],
        )
        .unwrap();
        assert_eq!(v.to_text(), "1970-01-01 00:00");
        let v = call(
            Value::text("01-Jan-2019 15:00:00"),
            "totext",
            std::slice::from_ref(&f),
        );
        assert_eq!(v.unwrap().to_text(), "2019-01-01 15:00");
        let v = call(Value::text("soon"), "totext", std::slice::from_ref(&f)).unwrap();
        assert_eq!(v.to_text(), "soon");
        assert!(call(Value::text("soon"), "tostring", std::slice::from_ref(&f)).is_err());
        let v = call(Value::Bool(true), "tostring", &[f]).unwrap();
        assert_eq!(v.to_text(), "true");
        let v = call(
            Value::text("2019-01-08 10:30"),
            "totime",
            &[Value::text("yyyy-MM-dd HH:mm"), Value::text("UTC")],
        )
        .unwrap();
        assert_eq!(v.to_text(), "08-Jan-2019 02:30:00");
    }

    #[test]
    fn booleans() {
        assert_eq!(
            call(Value::text("TRUE"), "toboolean", &[])
                .unwrap()
                .to_text(),
            "true"
        );
        assert!(call(Value::text("yes"), "toboolean", &[]).is_err());
    }
}
