//! Date-time literal parsing (`'15-Aug-1947'`, `'01-Jan-2019 15:00:00'`), shared by the
//! parser and the `toDate`/`toDateTime` built-ins.

use chrono::{NaiveDate, NaiveTime};

use crate::value::Value;

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Month number (1-12) from an English month name or its 3+ letter prefix.
pub fn month_from_name(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    if lower.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&lower))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn two_digit_year(y: i32, digits: usize) -> i32 {
    if digits <= 2 {
        if y < 50 { 2000 + y } else { 1900 + y }
    } else {
        y
    }
}

fn num(part: &str, max_digits: usize, what: &str) -> Result<u32, String> {
    if part.is_empty() || part.len() > max_digits || !part.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("invalid {what} '{part}'"));
    }
    part.parse::<u32>()
        .map_err(|_| format!("invalid {what} '{part}'"))
}

/// Whether a single-quoted literal's text has the shape of a date-time literal: three parts
/// joined by `-` or `/` (the first and last digits, the middle digits or a month word),
/// optionally followed by a time of digits and `:`. Such a literal is a date (and an impossible
/// one such as `'31-Feb-2019'` is an error); anything else in single quotes is text.
pub fn has_date_shape(text: &str) -> bool {
    let mut halves = text.split_whitespace();
    let Some(date) = halves.next() else {
        return false;
    };
    let time_ok = match halves.next() {
        None => true,
        Some(t) => t.contains(':') && t.chars().all(|c| c.is_ascii_digit() || c == ':'),
    };
    if !time_ok || halves.next().is_some() {
        return false;
    }
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
    let parts: Vec<&str> = date.split(['-', '/']).collect();
    match parts.as_slice() {
        [a, b, c] => {
            digits(a)
                && digits(c)
                && (digits(b) || (!b.is_empty() && b.chars().all(|c| c.is_ascii_alphabetic())))
        }
        _ => false,
    }
}

/// Parses a date literal's text. Accepted: `dd-MMM-yyyy`, `dd-MMMM-yy[yy]`, `yyyy-MM-dd`,
/// `MM-dd-yyyy` (or `dd-MM-yyyy` when the first part exceeds 12), with `-` or `/`, each
/// optionally followed by `HH:mm[:ss]`. Zoho's documented quirks apply: an hour of 24 or
/// more resets the time to midnight, minutes of 60 or more reset minutes and seconds,
/// seconds of 60 or more reset seconds; more than two digits in a time part, a day beyond
/// the month's length, an unknown month or a year of more than four digits are errors.
pub fn parse_date_literal(text: &str) -> Result<Value, String> {
    let text = text.trim();
    let mut halves = text.split_whitespace();
    let date_part = halves.next().ok_or("empty date literal")?;
    let time_part = halves.next();
    if halves.next().is_some() {
        return Err(format!("invalid date literal '{text}'"));
    }
    let parts: Vec<&str> = date_part.split(['-', '/']).collect();
    let [a, b, c] = parts.as_slice() else {
        return Err(format!("invalid date literal '{text}'"));
    };
    let (day, month, year) = if b.chars().all(|ch| ch.is_ascii_alphabetic()) {
        let month = month_from_name(b).ok_or_else(|| format!("invalid month '{b}'"))?;
        let y = num(c, 4, "year")? as i32;
        (num(a, 2, "day")?, month, two_digit_year(y, c.len()))
    } else if a.len() == 4 {
        (
            num(c, 2, "day")?,
            num(b, 2, "month")?,
            num(a, 4, "year")? as i32,
        )
    } else {
        let (x, y) = (num(a, 2, "month")?, num(b, 2, "day")?);
        let (month, day) = if x > 12 { (y, x) } else { (x, y) };
        let year = num(c, 4, "year")? as i32;
        (day, month, two_digit_year(year, c.len()))
    };
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or_else(|| format!("invalid date '{text}': no such day"))?;
    let Some(time) = time_part else {
        return Ok(Value::Date(date));
    };
    let t: Vec<&str> = time.split(':').collect();
    if t.len() < 2 || t.len() > 3 {
        return Err(format!("invalid time '{time}'"));
    }
    let h = num(t[0], 2, "hour")?;
    let m = num(t[1], 2, "minute")?;
    let s = match t.get(2) {
        Some(s) => num(s, 2, "second")?,
        None => 0,
    };
    let (h, m, s) = if h >= 24 {
        (0, 0, 0)
    } else if m >= 60 {
        (h, 0, 0)
    } else if s >= 60 {
        (h, m, 0)
    } else {
        (h, m, s)
    };
    let time = NaiveTime::from_hms_opt(h, m, s).ok_or_else(|| format!("invalid time '{time}'"))?;
    Ok(Value::DateTime(date.and_time(time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_forms() {
        assert_eq!(
            parse_date_literal("15-Aug-1947").unwrap().to_text(),
            "15-Aug-1947"
        );
        assert_eq!(
            parse_date_literal("01-Jan-2019 15:00:00")
                .unwrap()
                .to_text(),
            "01-Jan-2019 15:00:00"
        );
        assert_eq!(
            parse_date_literal("01-January-19 25:10:10")
                .unwrap()
                .to_text(),
            "01-Jan-2019 00:00:00"
        );
        assert_eq!(
            parse_date_literal("2020-02-01").unwrap().to_text(),
            "01-Feb-2020"
        );
        assert!(parse_date_literal("31-Feb-2019").is_err());
        assert!(parse_date_literal("01-Jan-20190").is_err());
        assert!(parse_date_literal("01-Jan-2019 100:00:00").is_err());
    }

    #[test]
    fn date_shape() {
        for d in [
            "15-Aug-1947",
            "2020-02-01",
            "01/15/2020 10:00",
            "31-Feb-2019",
            "1-2-3",
        ] {
            assert!(has_date_shape(d), "{d}");
        }
        for t in [
            "",
            "12",
            "Approved",
            "Jan-2020",
            "2022-07-20T10:00:00",
            "a-b-c",
            "1-2-3 x",
        ] {
            assert!(!has_date_shape(t), "{t}");
        }
    }
}
