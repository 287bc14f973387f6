//! DATE and DATE-TIME functions (<https://www.zoho.com/deluge/help/built-in-functions.html>): parts, arithmetic, differences, formatting.
//!
//! Values are wall times in the script's time zone (`ctx.time_zone()`); epoch conversions
//! go through that zone.

use chrono::{
    Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, TimeZone, Timelike, Weekday,
};

use super::zone::Zone;
use super::{CallCtx, Dispatch, arity, datefmt, int_arg, text_arg};
use crate::error::RuntimeError;
use crate::value::Value;

/// The date-time a DATE or DATE-TIME value stands for (a DATE is at midnight).
pub(crate) fn as_datetime(v: &Value) -> Option<NaiveDateTime> {
    match v {
        Value::Date(d) => d.and_hms_opt(0, 0, 0),
        Value::DateTime(dt) => Some(*dt),
        _ => None,
    }
}

/// Wraps `dt` in the same type as `like` (DATE stays DATE).
fn same_kind(like: &Value, dt: NaiveDateTime) -> Value {
    match like {
        Value::Date(_) => Value::Date(dt.date()),
        _ => Value::DateTime(dt),
    }
}

fn out_of_range() -> RuntimeError {
    RuntimeError::value_error("date out of range")
}

/// Date methods that also accept a date-time in text as their receiver.
const TEXT_RECEIVER: &[&str] = &[
    "addbusinesshour",
    "addbusinesshours",
    "subbusinesshour",
    "subbusinesshours",
    "addbusinessday",
    "addbusinessdays",
    "subbusinessday",
    "subbusinessdays",
    "workday",
    "workdayslist",
    "workdaysbetween",
    "nextweekday",
    "previousweekday",
    "addday",
    "subday",
    "addweek",
    "subweek",
    "addmonth",
    "submonth",
    "addyear",
    "subyear",
    "addhour",
    "subhour",
    "addminutes",
    "subminutes",
    "addseconds",
    "subseconds",
];

/// `date.name(args)`.
pub fn method(ctx: &mut CallCtx<'_>, recv: &Value, name: &str, args: &[Value]) -> Dispatch {
    if let (Value::Number(_), "todatetimestring") = (recv, name) {
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(recv.clone());
        all.extend_from_slice(args);
        return function(ctx, name, &all);
    }
    // Date arithmetic on a date-time written as text (`"1-Jan-2020 16:00:00".addBusinessHour(2)`):
    // the docs take DATE-TIME/TEXT receivers outside Creator.
    if let Value::Text(t) = recv
        && TEXT_RECEIVER.contains(&name)
    {
        let v = crate::dates::parse_date_literal(t).ok()?;
        return method(ctx, &v, name, args);
    }
    let dt = as_datetime(recv)?;
    let num = |n: u32| Ok(Value::Number(i64::from(n)));
    Some(match name {
        "getday" | "day" => arity(name, args, 0, 0).and_then(|_| num(dt.day())),
        "getmonth" | "month" => arity(name, args, 0, 0).and_then(|_| num(dt.month())),
        "getyear" | "year" => arity(name, args, 0, 0).map(|_| Value::Number(i64::from(dt.year()))),
        "gethour" | "hour" => arity(name, args, 0, 0).and_then(|_| num(dt.hour())),
        "getminutes" | "minute" | "getminute" | "minutes" => {
            arity(name, args, 0, 0).and_then(|_| num(dt.minute()))
        }
        "getseconds" | "second" | "getsecond" | "seconds" => {
            arity(name, args, 0, 0).and_then(|_| num(dt.second()))
        }
        "getdayofyear" | "dayofyear" => arity(name, args, 0, 0).and_then(|_| num(dt.ordinal())),
        // getWeekOfYear([startDay]): weeks start on Sunday unless a day name is given.
        "getweekofyear" | "weekofyear" => (|| {
            arity(name, args, 0, 1)?;
            let start = match args.first().filter(|v| !v.is_null()) {
                Some(v) => weekday_from_name(&v.to_text()).ok_or_else(|| {
                    RuntimeError::value_error(format!("'{name}': '{}' is not a day", v.to_text()))
                })?,
                None => Weekday::Sun,
            };
            num(datefmt::week_of_year_from(dt.date(), start))
        })(),
        "weekday" | "getdayofweek" | "dayofweek" => {
            // 1 = Sunday ... 7 = Saturday (weekday doc).
            arity(name, args, 0, 0).and_then(|_| num(dt.weekday().num_days_from_sunday() + 1))
        }
        "addday" | "adddays" => shift(name, recv, dt, args, 1, Unit::Day),
        "subday" | "subdays" => shift(name, recv, dt, args, -1, Unit::Day),
        "addweek" | "addweeks" => shift(name, recv, dt, args, 1, Unit::Week),
        "subweek" | "subweeks" => shift(name, recv, dt, args, -1, Unit::Week),
        "addmonth" | "addmonths" => shift(name, recv, dt, args, 1, Unit::Month),
        // edate(n): the date n months later, without the time (like eomonth).
        "edate" => (|| {
            arity(name, args, 1, 1)?;
            Ok(Value::Date(add_months(dt.date(), int_arg(name, args, 0)?)?))
        })(),
        "submonth" | "submonths" => shift(name, recv, dt, args, -1, Unit::Month),
        "addyear" | "addyears" => shift(name, recv, dt, args, 1, Unit::Year),
        "subyear" | "subyears" => shift(name, recv, dt, args, -1, Unit::Year),
        "addhour" | "addhours" => shift(name, recv, dt, args, 1, Unit::Hour),
        "subhour" | "subhours" => shift(name, recv, dt, args, -1, Unit::Hour),
        "addminutes" | "addminute" => shift(name, recv, dt, args, 1, Unit::Minute),
        "subminutes" | "subminute" => shift(name, recv, dt, args, -1, Unit::Minute),
        "addseconds" | "addsecond" => shift(name, recv, dt, args, 1, Unit::Second),
        "subseconds" | "subsecond" => shift(name, recv, dt, args, -1, Unit::Second),
        "addbusinessday" | "addbusinessdays" | "subbusinessday" | "subbusinessdays" | "workday" => {
            business_days(name, recv, dt, args)
        }
        "nextweekday" | "previousweekday" => (|| {
            arity(name, args, 0, 1)?;
            // With a day (`nextWeekDay("Sunday")` or 1 = Sunday ... 7 = Saturday), the next
            // (previous) date on that day, strictly after (before) this one; without, the
            // next (previous) Monday-Friday date.
            let target = match args.first() {
                None => None,
                Some(v) => Some(super::business::weekday_arg(name, v)?),
            };
            let step = if name == "nextweekday" { 1 } else { -1 };
            let mut d = dt;
            loop {
                d = d
                    .checked_add_signed(Duration::days(step))
                    .ok_or_else(out_of_range)?;
                let hit = match target {
                    Some(day) => d.weekday() == day,
                    None => !is_weekend(d.date()),
                };
                if hit {
                    return Ok(same_kind(recv, d));
                }
            }
        })(),
        "addbusinesshour" | "addbusinesshours" | "subbusinesshour" | "subbusinesshours" => {
            super::business::add_business_hours(name, dt, args)
        }
        "eomonth" => (|| {
            arity(name, args, 0, 1)?;
            let n = if args.is_empty() {
                0
            } else {
                int_arg(name, args, 0)?
            };
            let first = dt.date().with_day(1).ok_or_else(out_of_range)?;
            let shifted = add_months(first, n.checked_add(1).ok_or_else(out_of_range)?)?;
            let last = shifted.pred_opt().ok_or_else(out_of_range)?;
            Ok(Value::Date(last))
        })(),
        "tostartofmonth" => arity(name, args, 0, 0).and_then(|_| {
            let d = dt.date().with_day(1).ok_or_else(out_of_range)?;
            Ok(Value::Date(d))
        }),
        "tostartofweek" => arity(name, args, 0, 0).and_then(|_| {
            let back = i64::from(dt.weekday().num_days_from_sunday());
            let d = dt
                .date()
                .checked_sub_signed(Duration::days(back))
                .ok_or_else(out_of_range)?;
            Ok(Value::Date(d))
        }),
        "daysbetween" => between(name, dt, args, |a, b| Ok((b.date() - a.date()).num_days())),
        "hoursbetween" => between(name, dt, args, |a, b| Ok((b - a).num_hours())),
        "minutesbetween" => between(name, dt, args, |a, b| Ok((b - a).num_minutes())),
        // monthsBetween counts 30-day months and yearsBetween 365-day years, ignoring the
        // time (monthsBetween/yearsDiff docs); monthsDiff/yearsDiff count calendar months.
        "monthsbetween" | "totalmonth" => between(name, dt, args, |a, b| {
            Ok((b.date() - a.date()).num_days() / 30)
        }),
        "yearsbetween" | "totalyear" => between(name, dt, args, |a, b| {
            Ok((b.date() - a.date()).num_days() / 365)
        }),
        "monthsdiff" => between(name, dt, args, |a, b| Ok(months_between(a, b))),
        "yearsdiff" => between(name, dt, args, |a, b| Ok(months_between(a, b) / 12)),
        "workdaysbetween" => between(name, dt, args, |a, b| {
            Ok(workdays_between(a.date(), b.date()))
        }),
        "workdayslist" => super::business::work_days_list(name, dt, args),
        "days360" => between(name, dt, args, |a, b| Ok(days360(a.date(), b.date()))),
        "getdate" => arity(name, args, 0, 0).map(|_| Value::text(long_date(dt.date()))),
        "getdatetime" => get_date_time(name, dt, args),
        "todate" if args.is_empty() => Ok(Value::Date(dt.date())),
        "todatetime" if args.is_empty() => Ok(Value::DateTime(dt)),
        // unixEpoch doc: the receiver must be TEXT; another date type is a runtime error.
        "unixepoch" => Err(RuntimeError::type_error(
            "unixEpoch needs the date-time as TEXT, got a DATE-TIME",
        )),
        "tolong" | "tonumber" => (|| {
            arity(name, args, 0, 1)?;
            match args.first() {
                Some(z) => zone_arg(name, z)?.millis_of(dt).ok_or_else(out_of_range),
                None => epoch_millis(dt, ctx.time_zone()),
            }
            .map(Value::Number)
        })(),
        "tostring" | "totext" | "todatetimestring" if !args.is_empty() => {
            format_with(ctx, name, dt, args)
        }
        _ => return None,
    })
}

/// Receiver-less date functions: `toDateTimeString(epochMillis, format[, tz])`.
pub fn function(ctx: &mut CallCtx<'_>, name: &str, args: &[Value]) -> Dispatch {
    match (name, args.first()) {
        ("todatetimestring", Some(Value::Number(ms))) => Some((|| {
            arity(name, args, 1, 3)?;
            let tz = ctx.time_zone();
            let dt = from_epoch_millis(*ms, tz)?;
            if args.len() == 1 {
                return Ok(Value::text(Value::DateTime(dt).to_text()));
            }
            format_with(ctx, name, dt, &args[1..])
        })()),
        _ => None,
    }
}

#[derive(Clone, Copy)]
enum Unit {
    Second,
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

fn shift(
    name: &str,
    recv: &Value,
    dt: NaiveDateTime,
    args: &[Value],
    sign: i64,
    unit: Unit,
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 1)?;
    let n = int_arg(name, args, 0)?
        .checked_mul(sign)
        .ok_or_else(out_of_range)?;
    let secs = |k: i64| {
        n.checked_mul(k)
            .and_then(Duration::try_seconds)
            .and_then(|d| dt.checked_add_signed(d))
            .ok_or_else(out_of_range)
    };
    let shifted = match unit {
        Unit::Second => secs(1)?,
        Unit::Minute => secs(60)?,
        Unit::Hour => secs(3600)?,
        Unit::Day => secs(86_400)?,
        Unit::Week => secs(7 * 86_400)?,
        Unit::Month => add_months(dt.date(), n)?.and_time(dt.time()),
        Unit::Year => {
            add_months(dt.date(), n.checked_mul(12).ok_or_else(out_of_range)?)?.and_time(dt.time())
        }
    };
    Ok(match unit {
        Unit::Second | Unit::Minute | Unit::Hour => Value::DateTime(shifted),
        _ => same_kind(recv, shifted),
    })
}

/// Adds months, clamping the day to the target month's length (Java Calendar behaviour).
fn add_months(d: NaiveDate, n: i64) -> Result<NaiveDate, RuntimeError> {
    let magnitude = u32::try_from(n.unsigned_abs()).map_err(|_| out_of_range())?;
    let r = if n >= 0 {
        d.checked_add_months(Months::new(magnitude))
    } else {
        d.checked_sub_months(Months::new(magnitude))
    };
    r.ok_or_else(out_of_range)
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Which days count as working days: not a weekend day, not a holiday.
pub(super) struct Calendar {
    pub(super) weekends: Vec<Weekday>,
    pub(super) holidays: Vec<NaiveDate>,
}

impl Calendar {
    pub(super) fn is_working(&self, d: NaiveDate) -> bool {
        !self.weekends.contains(&d.weekday()) && !self.holidays.contains(&d)
    }
}

pub(super) fn weekday_from_name(name: &str) -> Option<Weekday> {
    let n = name.trim().to_ascii_lowercase();
    if n.len() < 3 {
        return None;
    }
    [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ]
    .into_iter()
    .find(|(full, _)| full.starts_with(&n))
    .map(|(_, w)| w)
}

/// The optional `[weekends]` (day names) and `[holidays]` (dates) arguments of
/// addBusinessDay/workday; defaults: Saturday and Sunday, no holidays (addBusinessDay doc).
pub(super) fn calendar(name: &str, args: &[Value]) -> Result<Calendar, RuntimeError> {
    let mut cal = Calendar {
        weekends: vec![Weekday::Sat, Weekday::Sun],
        holidays: Vec::new(),
    };
    // `{}` is an empty KEY-VALUE, but here it can only mean "no days".
    let given = |v: &&Value| match v {
        Value::Null => false,
        Value::Map(m) => !m.borrow().entries.is_empty(),
        _ => true,
    };
    if let Some(w) = args.get(1).filter(given) {
        cal.weekends = super::list::elements(name, w)?
            .iter()
            .map(|d| {
                weekday_from_name(&d.to_text()).ok_or_else(|| {
                    RuntimeError::value_error(format!("'{name}': '{}' is not a day", d.to_text()))
                })
            })
            .collect::<Result<_, _>>()?;
        if cal.weekends.len() >= 7 {
            return Err(RuntimeError::value_error(format!(
                "'{name}': every day is a weekend"
            )));
        }
    }
    if let Some(h) = args.get(2).filter(given) {
        let days = super::list::elements(name, h)?;
        for i in 0..days.len() {
            cal.holidays.push(date_arg(name, &days, i)?.date());
        }
    }
    Ok(cal)
}

/// addBusinessDay(n[, weekends[, holidays]]), subBusinessDay, workday. workday ignores
/// the time and leaves the date unchanged for a negative n (workday doc).
fn business_days(
    name: &str,
    recv: &Value,
    dt: NaiveDateTime,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 3)?;
    let mut n = int_arg(name, args, 0)?;
    let cal = calendar(name, args)?;
    if name.starts_with("sub") {
        n = n.checked_neg().ok_or_else(out_of_range)?;
    }
    if name == "workday" {
        let d = if n < 0 {
            dt.date()
        } else {
            add_business_days(dt.date(), n, &cal)?
        };
        return Ok(Value::Date(d));
    }
    let d = add_business_days(dt.date(), n, &cal)?;
    Ok(same_kind(recv, d.and_time(dt.time())))
}

/// Moves `n` working days, skipping weekends and holidays.
fn add_business_days(d: NaiveDate, n: i64, cal: &Calendar) -> Result<NaiveDate, RuntimeError> {
    if n.unsigned_abs() > 1_000_000 {
        return Err(out_of_range());
    }
    let step = if n >= 0 { 1 } else { -1 };
    let mut left = n.abs();
    let mut cur = d;
    while left > 0 {
        cur = cur
            .checked_add_signed(Duration::days(step))
            .ok_or_else(out_of_range)?;
        if cal.is_working(cur) {
            left -= 1;
        }
    }
    Ok(cur)
}

fn between(
    name: &str,
    dt: NaiveDateTime,
    args: &[Value],
    f: impl Fn(NaiveDateTime, NaiveDateTime) -> Result<i64, RuntimeError>,
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 1)?;
    let other = date_arg(name, args, 0)?;
    f(dt, other).map(Value::Number)
}

/// A DATE/DATE-TIME argument; text is parsed as a date literal.
pub(super) fn date_arg(
    name: &str,
    args: &[Value],
    i: usize,
) -> Result<NaiveDateTime, RuntimeError> {
    match args.get(i) {
        Some(Value::Text(t)) => crate::dates::parse_date_literal(t)
            .ok()
            .and_then(|v| as_datetime(&v))
            .ok_or_else(|| RuntimeError::value_error(format!("'{name}': '{t}' is not a date"))),
        Some(v) => as_datetime(v).ok_or_else(|| {
            RuntimeError::type_error(format!(
                "'{name}' argument {} must be a DATE-TIME, got {}",
                i + 1,
                v.type_name()
            ))
        }),
        None => Err(RuntimeError::type_error(format!("'{name}' needs a date"))),
    }
}

/// Whole months from `a` to `b` (negative when b is earlier).
fn months_between(a: NaiveDateTime, b: NaiveDateTime) -> i64 {
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let mut months =
        i64::from(hi.year() - lo.year()) * 12 + i64::from(hi.month()) - i64::from(lo.month());
    let lo_rest = (lo.day(), lo.time());
    let hi_rest = (hi.day(), hi.time());
    if hi_rest < lo_rest {
        months -= 1;
    }
    sign * months.max(0)
}

/// Working days (Mon–Fri) after `a` up to and including `b`.
fn workdays_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let days = (hi - lo).num_days();
    let weeks = days / 7;
    let mut count = weeks * 5;
    let mut cur = lo + Duration::days(weeks * 7);
    while cur < hi {
        cur += Duration::days(1);
        if !is_weekend(cur) {
            count += 1;
        }
    }
    sign * count
}

/// US (NASD) 30/360 day count.
fn days360(a: NaiveDate, b: NaiveDate) -> i64 {
    let mut d1 = i64::from(a.day());
    let mut d2 = i64::from(b.day());
    if d1 == 31 {
        d1 = 30;
    }
    if d2 == 31 && d1 >= 30 {
        d2 = 30;
    }
    (i64::from(b.year()) - i64::from(a.year())) * 360
        + (i64::from(b.month()) - i64::from(a.month())) * 30
        + (d2 - d1)
}

fn ordinal_suffix(day: u32) -> &'static str {
    match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    }
}

/// `17th January 2018` (getDate doc).
fn long_date(d: NaiveDate) -> String {
    format!(
        "{}{} {} {}",
        d.day(),
        ordinal_suffix(d.day()),
        d.format("%B"),
        d.year()
    )
}

/// getDateTime([12|24[, showSeconds]]): `17th January 2018,09:00 AM` by default.
fn get_date_time(name: &str, dt: NaiveDateTime, args: &[Value]) -> Result<Value, RuntimeError> {
    arity(name, args, 0, 2)?;
    let clock = if args.is_empty() {
        12
    } else {
        int_arg(name, args, 0)?
    };
    let seconds = match args.get(1) {
        Some(_) => super::bool_arg(name, args, 1)?,
        None => false,
    };
    let time = match (clock, seconds) {
        (24, true) => dt.format("%H:%M:%S").to_string(),
        (24, false) => dt.format("%H:%M").to_string(),
        (12, true) => dt.format("%I:%M:%S %p").to_string(),
        (12, false) => dt.format("%I:%M %p").to_string(),
        _ => {
            return Err(RuntimeError::value_error(format!(
                "'{name}': the clock must be 12 or 24, got {clock}"
            )));
        }
    };
    Ok(Value::text(format!("{},{time}", long_date(dt.date()))))
}

pub(crate) fn zone_arg(name: &str, v: &Value) -> Result<Zone, RuntimeError> {
    let z = v.to_text();
    Zone::parse(&z)
        .ok_or_else(|| RuntimeError::value_error(format!("'{name}': unknown time zone '{z}'")))
}

/// Milliseconds since the Unix epoch of wall time `dt` in zone `tz`.
pub(crate) fn epoch_millis(dt: NaiveDateTime, tz: FixedOffset) -> Result<i64, RuntimeError> {
    tz.from_local_datetime(&dt)
        .single()
        .map(|t| t.timestamp_millis())
        .ok_or_else(out_of_range)
}

/// Wall time in zone `tz` of an epoch in milliseconds.
pub(crate) fn from_epoch_millis(ms: i64, tz: FixedOffset) -> Result<NaiveDateTime, RuntimeError> {
    // Years 1 to 9999 only, so shifting into a zone can never leave chrono's range.
    const MIN_MS: i64 = -62_135_596_800_000;
    const MAX_MS: i64 = 253_402_300_799_999;
    if !(MIN_MS..=MAX_MS).contains(&ms) {
        return Err(out_of_range());
    }
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&tz).naive_local())
        .ok_or_else(out_of_range)
}

/// toString(format[, tz]): the value is a wall time in the script's zone; with `tz` it is
/// shown in that zone. An invalid pattern gives null (toText doc).
pub(crate) fn format_with(
    ctx: &CallCtx<'_>,
    name: &str,
    dt: NaiveDateTime,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 2)?;
    let pattern = text_arg(name, args, 0)?;
    let home = ctx.time_zone();
    let (shown, offset, abbrev) = match args.get(1) {
        Some(z) if !z.is_null() => {
            let zone = zone_arg(name, z)?;
            let utc_ms = epoch_millis(dt, home)?;
            // Same range guard as from_epoch_millis.
            from_epoch_millis(utc_ms, home)?;
            zone.local_at_millis(utc_ms).ok_or_else(out_of_range)?
        }
        _ => (dt, home, None),
    };
    Ok(
        datefmt::format(shown, &pattern, offset, abbrev.as_deref())
            .map_or(Value::Null, Value::text),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::parse_date_literal;
    use crate::host::NullHost;
    use crate::limits::Limits;

    fn call(recv: &str, name: &str, args: &[Value]) -> Result<Value, RuntimeError> {
        let mut host = NullHost::default();
        let limits = Limits::default();
        let mut ctx = CallCtx {
            host: &mut host,
            limits: &limits,
        };
        let d = parse_date_literal(recv).unwrap();
        method(&mut ctx, &d, name, args).expect("handled")
    }

    fn text(recv: &str, name: &str, args: &[Value]) -> String {
        call(recv, name, args).unwrap().to_text()
    }

    fn n(v: i64) -> Value {
        Value::Number(v)
    }

    #[test]
    fn parts() {
        assert_eq!(text("08-Jan-2019", "getday", &[]), "8");
        assert_eq!(text("14-Dec-2023", "month", &[]), "12");
        assert_eq!(text("01-Jan-2019", "year", &[]), "2019");
        assert_eq!(text("15-Mar-2019", "weekday", &[]), "6");
        assert_eq!(text("15-Mar-2019", "getdayofweek", &[]), "6");
        assert_eq!(text("01-Jan-2019 15:04:05", "gethour", &[]), "15");
        assert_eq!(text("01-Jan-2019 15:04:05", "getminutes", &[]), "4");
        assert_eq!(text("01-Jan-2019 15:04:05", "getseconds", &[]), "5");
        assert_eq!(text("01-Feb-2019", "getdayofyear", &[]), "32");
    }

    #[test]
    fn arithmetic() {
        assert_eq!(
            text("01-Jan-2019 15:00:00", "addday", &[n(40)]),
            "10-Feb-2019 15:00:00"
        );
        assert_eq!(text("01-Jan-2019", "subday", &[n(1)]), "31-Dec-2018");
        assert_eq!(
            text("01-Jan-2019 15:00:00", "addmonth", &[n(13)]),
            "01-Feb-2020 15:00:00"
        );
        assert_eq!(text("31-Jan-2019", "addmonth", &[n(1)]), "28-Feb-2019");
        assert_eq!(text("29-Feb-2020", "addyear", &[n(1)]), "28-Feb-2021");
        assert_eq!(
            text("01-Jan-2019", "addhour", &[n(25)]),
            "02-Jan-2019 01:00:00"
        );
        assert_eq!(
            text("01-Jan-2019 00:00:00", "subminutes", &[n(1)]),
            "31-Dec-2018 23:59:00"
        );
        assert_eq!(
            text("15-Mar-2019", "addbusinessday", &[n(1)]),
            "18-Mar-2019"
        );
        assert_eq!(
            text("18-Mar-2019", "subbusinessday", &[n(1)]),
            "15-Mar-2019"
        );
        assert_eq!(text("15-Mar-2019", "addweek", &[n(1)]), "22-Mar-2019");
        assert_eq!(text("15-Mar-2019", "workday", &[n(1)]), "18-Mar-2019");
        assert_eq!(text("15-Mar-2019", "workday", &[n(-3)]), "15-Mar-2019");
        let sunday_only = Value::list(vec![Value::text("Sunday")]);
        let holiday = Value::list(vec![parse_date_literal("25-May-2020").unwrap()]);
        assert_eq!(
            text("23-May-2020", "workday", &[n(5), sunday_only, holiday]),
            "30-May-2020"
        );
        let every = Value::list(
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
                .into_iter()
                .map(Value::text)
                .collect(),
        );
        assert!(call("15-Mar-2019", "addbusinessday", &[n(1), every]).is_err());
        assert!(
            call(
                "15-Mar-2019",
                "addbusinessday",
                &[n(1), Value::list(vec![Value::text("x")])]
            )
            .is_err()
        );
        assert!(call("01-Jan-2019", "addday", &[n(i64::MAX)]).is_err());
        assert!(call("01-Jan-2019", "addyear", &[n(i64::MAX / 2)]).is_err());
    }

    #[test]
    fn differences_and_month_edges() {
        let d = |s: &str| parse_date_literal(s).unwrap();
        assert_eq!(
            text("01-Feb-2020", "monthsbetween", &[d("01-Mar-2020")]),
            "0"
        );
        assert_eq!(text("01-Feb-2020", "monthsdiff", &[d("01-Mar-2020")]), "1");
        assert_eq!(
            text("02-Jan-2020", "yearsbetween", &[d("01-Jan-2021")]),
            "1"
        );
        assert_eq!(text("02-Jan-2020", "yearsdiff", &[d("01-Jan-2021")]), "0");
        assert_eq!(text("07-Feb-2021", "getweekofyear", &[]), "7");
        assert_eq!(
            text("07-Feb-2021", "getweekofyear", &[Value::text("Monday")]),
            "6"
        );
        assert!(call("07-Feb-2021", "getweekofyear", &[Value::text("Funday")]).is_err());
        let end = parse_date_literal("10-Feb-2019").unwrap();
        assert_eq!(
            text("01-Jan-2019", "daysbetween", std::slice::from_ref(&end)),
            "40"
        );
        assert_eq!(
            text("01-Jan-2019", "monthsbetween", std::slice::from_ref(&end)),
            "1"
        );
        assert_eq!(
            text("10-Feb-2019", "daysbetween", &[Value::text("01-Jan-2019")]),
            "-40"
        );
        assert_eq!(
            text("01-Jan-2019", "yearsbetween", std::slice::from_ref(&end)),
            "0"
        );
        assert_eq!(
            text(
                "15-Mar-2019",
                "workdaysbetween",
                &[Value::text("22-Mar-2019")]
            ),
            "5"
        );
        assert_eq!(text("15-Feb-2019", "eomonth", &[n(0)]), "28-Feb-2019");
        assert_eq!(text("01-Jan-2019", "eomonth", &[n(1)]), "28-Feb-2019");
        assert_eq!(
            text("31-Jan-2019 10:00:00", "edate", &[n(1)]),
            "28-Feb-2019"
        );
        assert_eq!(text("15-Feb-2019", "eomonth", &[n(1)]), "31-Mar-2019");
        assert_eq!(text("15-Feb-2019", "tostartofmonth", &[]), "01-Feb-2019");
        assert_eq!(text("15-Mar-2019", "tostartofweek", &[]), "10-Mar-2019");
        assert!(call("01-Jan-2019", "daysbetween", &[n(1)]).is_err());
    }

    #[test]
    fn rendering() {
        assert_eq!(
            text("17-Jan-2018 18:10:37", "getdate", &[]),
            "17th January 2018"
        );
        assert_eq!(
            text("17-Jan-2018 09:00:59", "getdatetime", &[]),
            "17th January 2018,09:00 AM"
        );
        assert_eq!(
            text(
                "17-Jan-2018 10:10:37",
                "getdatetime",
                &[n(12), Value::Bool(true)]
            ),
            "17th January 2018,10:10:37 AM"
        );
        assert_eq!(
            text(
                "01-Jan-2019 15:00:00",
                "tostring",
                &[Value::text("yyyy-MM-dd'T'HH:mm")]
            ),
            "2019-01-01T15:00"
        );
        assert_eq!(
            text(
                "01-Jan-2019 15:00:00",
                "tostring",
                &[Value::text("HH:mm"), Value::text("GMT")]
            ),
            "23:00"
        );
        assert!(
            call("01-Jan-2019", "tostring", &[Value::text("bad")])
                .unwrap()
                .is_null()
        );
        assert_eq!(text("31-Dec-1969 16:00:01", "tolong", &[]), "1000");
        assert!(call("01-Jan-1970", "unixepoch", &[]).is_err());
    }
}
