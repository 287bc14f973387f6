//! Business-hour arithmetic: `addBusinessHour` (<https://www.zoho.com/deluge/help/functions/datetime/add-business-hour.html>)
//! and the day arguments of `nextWeekDay` / `previousWeekDay`.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rust_decimal::Decimal;

use super::arity;
use super::datetime::{Calendar, calendar, date_arg, weekday_from_name};
use crate::error::RuntimeError;
use crate::value::{Key, Value};

/// Most days one call may walk through (about 270 years).
const MAX_DAYS: u32 = 100_000;

fn out_of_range() -> RuntimeError {
    RuntimeError::value_error("date out of range")
}

/// A day of the week given by name (`"Sunday"`, `"sun"`) or number (1 = Sunday ... 7 = Saturday).
pub(super) fn weekday_arg(name: &str, v: &Value) -> Result<Weekday, RuntimeError> {
    let bad = || RuntimeError::value_error(format!("'{name}': '{}' is not a day", v.to_text()));
    match v {
        Value::Number(n) => {
            const DAYS: [Weekday; 7] = [
                Weekday::Sun,
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
            ];
            n.checked_sub(1)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| DAYS.get(i).copied())
                .ok_or_else(bad)
        }
        other => weekday_from_name(&other.to_text()).ok_or_else(bad),
    }
}

/// The business time to add, in minutes. A DECIMAL's digits after the point are minutes as
/// written (`0.1` and `0.01` are one minute, `1.30` is an hour and a half), which is what the
/// doc's "supply 0.1 to add one business minute" and published scripts using `0.01` agree on.
fn minutes_arg(name: &str, v: Option<&Value>) -> Result<i64, RuntimeError> {
    match v {
        Some(Value::Number(h)) => h.checked_mul(60).ok_or_else(out_of_range),
        Some(Value::Decimal(d)) => {
            let whole = d.trunc();
            let text = (d.abs() - whole.abs()).to_string();
            let frac = text.strip_prefix("0.").unwrap_or("0");
            let minutes: i64 = frac.parse().map_err(|_| out_of_range())?;
            let hours = i64::try_from(whole.mantissa() / 10i128.pow(whole.scale()))
                .map_err(|_| out_of_range())?;
            let total = hours
                .checked_mul(60)
                .and_then(|m| {
                    m.checked_add(if d.is_sign_negative() {
                        -minutes
                    } else {
                        minutes
                    })
                })
                .ok_or_else(out_of_range)?;
            Ok(total)
        }
        Some(Value::Text(t)) => match t.trim().parse::<Decimal>() {
            Ok(d) => minutes_arg(name, Some(&Value::Decimal(d))),
            Err(_) => Err(RuntimeError::type_error(format!(
                "'{name}' needs a number of hours, got '{t}'"
            ))),
        },
        Some(other) => Err(RuntimeError::type_error(format!(
            "'{name}' needs a number of hours, got {}",
            other.type_name()
        ))),
        None => Err(RuntimeError::type_error(format!(
            "'{name}' needs a number of hours"
        ))),
    }
}

/// The working day's hours `{"start": 9, "end": 17}` (the default), as whole hours.
fn hours_arg(name: &str, v: Option<&Value>) -> Result<(u32, u32), RuntimeError> {
    let Some(Value::Map(m)) = v.filter(|v| !v.is_null()) else {
        return match v.filter(|v| !v.is_null()) {
            None => Ok((9, 17)),
            Some(other) => Err(RuntimeError::type_error(format!(
                "'{name}': business hours must be {{\"start\": h, \"end\": h}}, got {}",
                other.type_name()
            ))),
        };
    };
    let m = m.borrow();
    let hour = |key: &str, default: u32| -> Result<u32, RuntimeError> {
        match m.entries.get(&Key::from(key)) {
            None => Ok(default),
            Some(v) => v
                .to_text()
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|h| *h <= 24)
                .ok_or_else(|| {
                    RuntimeError::value_error(format!(
                        "'{name}': business hour '{}' is not an hour from 0 to 24",
                        v.to_text()
                    ))
                }),
        }
    };
    let (start, end) = (hour("start", 9)?, hour("end", 17)?);
    if start >= end {
        return Err(RuntimeError::value_error(format!(
            "'{name}': business hours start ({start}) must be before end ({end})"
        )));
    }
    Ok((start, end))
}

fn at_hour(d: NaiveDate, h: u32) -> Result<NaiveDateTime, RuntimeError> {
    if h == 24 {
        return d
            .succ_opt()
            .map(|n| n.and_time(NaiveTime::MIN))
            .ok_or_else(out_of_range);
    }
    d.and_hms_opt(h, 0, 0).ok_or_else(out_of_range)
}

/// `dt.addBusinessHour(hours[, weekends[, holidays[, {"start", "end"}]]])`; `sub...` goes back.
/// Time outside the business hours of a working day does not count: the walk moves to the
/// next working day's start (or, going back, the previous one's end).
pub(super) fn add_business_hours(
    name: &str,
    dt: NaiveDateTime,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 4)?;
    let mut minutes = minutes_arg(name, args.first())?;
    if name.starts_with("sub") {
        minutes = minutes.checked_neg().ok_or_else(out_of_range)?;
    }
    let cal = calendar(name, args)?;
    let (start, end) = hours_arg(name, args.get(3))?;
    let walk = if minutes >= 0 { forward } else { backward };
    let span = minutes
        .checked_abs()
        .filter(|m| *m <= i64::from(MAX_DAYS) * 24 * 60)
        .and_then(Duration::try_minutes)
        .ok_or_else(out_of_range)?;
    walk(dt, span, &cal, start, end).map(Value::DateTime)
}

fn forward(
    mut t: NaiveDateTime,
    mut left: Duration,
    cal: &Calendar,
    start: u32,
    end: u32,
) -> Result<NaiveDateTime, RuntimeError> {
    if left.is_zero() {
        return Ok(t);
    }
    for _ in 0..MAX_DAYS {
        let day = t.date();
        let next_day = || -> Result<NaiveDateTime, RuntimeError> {
            at_hour(day.succ_opt().ok_or_else(out_of_range)?, start)
        };
        let (open, close) = (at_hour(day, start)?, at_hour(day, end)?);
        if !cal.is_working(day) || t >= close {
            t = next_day()?;
            continue;
        }
        t = t.max(open);
        let available = close - t;
        if left <= available {
            return Ok(t + left);
        }
        left -= available;
        t = next_day()?;
    }
    Err(out_of_range())
}

fn backward(
    mut t: NaiveDateTime,
    mut left: Duration,
    cal: &Calendar,
    start: u32,
    end: u32,
) -> Result<NaiveDateTime, RuntimeError> {
    if left.is_zero() {
        return Ok(t);
    }
    for _ in 0..MAX_DAYS {
        // A time of exactly midnight belongs to the day before when the day ends at 24.
        let day = if end == 24 && t.time() == NaiveTime::MIN {
            t.date().pred_opt().ok_or_else(out_of_range)?
        } else {
            t.date()
        };
        let prev_day = || -> Result<NaiveDateTime, RuntimeError> {
            at_hour(day.pred_opt().ok_or_else(out_of_range)?, end)
        };
        let (open, close) = (at_hour(day, start)?, at_hour(day, end)?);
        if !cal.is_working(day) || t <= open {
            t = prev_day()?;
            continue;
        }
        t = t.min(close);
        let available = t - open;
        if left <= available {
            return Ok(t - left);
        }
        left -= available;
        t = prev_day()?;
    }
    Err(out_of_range())
}

/// `d1.workDaysList(d2[, weekends[, holidays]])`: the working days after `d1` up to and
/// including `d2` (the days `workDaysBetween` counts), as DATEs in order; empty when `d2` is
/// not after `d1`. Listed among the business-day functions by published guides [C]; the
/// bounds follow `workDaysBetween` [I].
pub(super) fn work_days_list(
    name: &str,
    dt: NaiveDateTime,
    args: &[Value],
) -> Result<Value, RuntimeError> {
    arity(name, args, 1, 3)?;
    let end = date_arg(name, args, 0)?.date();
    let cal = calendar(name, args)?;
    let mut out = Vec::new();
    let mut day = dt.date();
    for _ in 0..MAX_DAYS {
        if day >= end {
            return Ok(Value::list(out));
        }
        day = day.succ_opt().ok_or_else(out_of_range)?;
        if cal.is_working(day) {
            out.push(Value::Date(day));
        }
    }
    Err(out_of_range())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn doc_example_and_minutes() {
        // addBusinessHour doc: 1-Jan-2020 16:00 + 2 h, weekends Sat/Sun, 2 and 3 Jan holidays,
        // 10 to 17: one hour on the 1st, the next on Monday 6 Jan.
        let cal = Calendar {
            weekends: vec![Weekday::Sat, Weekday::Sun],
            holidays: vec![
                NaiveDate::from_ymd_opt(2020, 1, 2).unwrap(),
                NaiveDate::from_ymd_opt(2020, 1, 3).unwrap(),
            ],
        };
        let r = forward(dt("2020-01-01 16:00:00"), Duration::hours(2), &cal, 10, 17).unwrap();
        assert_eq!(r, dt("2020-01-06 11:00:00"));
        let back = backward(r, Duration::hours(2), &cal, 10, 17).unwrap();
        assert_eq!(back, dt("2020-01-01 16:00:00"));
        let d = |s: &str| Value::Decimal(s.parse().unwrap());
        assert_eq!(minutes_arg("f", Some(&d("0.1"))).unwrap(), 1);
        assert_eq!(minutes_arg("f", Some(&d("0.01"))).unwrap(), 1);
        assert_eq!(minutes_arg("f", Some(&d("1.30"))).unwrap(), 90);
        assert_eq!(minutes_arg("f", Some(&d("-2.15"))).unwrap(), -135);
        assert_eq!(minutes_arg("f", Some(&Value::Number(3))).unwrap(), 180);
    }
}
