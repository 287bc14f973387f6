//! Java `SimpleDateFormat`-style patterns (`dd-MMM-yyyy HH:mm:ss`, `'T'` quoting) for
//! `toString(format)`, `toDate(format)`, `toDateTime(format)` and `toDateTimeString`.

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Timelike};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// One piece of a pattern: a run of one format letter, or literal text.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Field(char, usize),
    Literal(String),
}

/// Letters `SimpleDateFormat` knows; any other unquoted letter makes the pattern invalid.
const LETTERS: &str = "GyYMLwWDdFEuaHkKhmsSzZX";

/// Splits a pattern into tokens; `None` for an invalid pattern (unknown letter, open quote).
fn tokenize(pattern: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is a literal quote; 'text' is quoted literal text.
            if chars.get(i + 1) == Some(&'\'') {
                out.push(Token::Literal("'".into()));
                i += 2;
                continue;
            }
            let mut lit = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return None,
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        lit.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(&ch) => {
                        lit.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Token::Literal(lit));
        } else if c.is_ascii_alphabetic() {
            if !LETTERS.contains(c) {
                return None;
            }
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            out.push(Token::Field(c, n));
            i += n;
        } else {
            match out.last_mut() {
                Some(Token::Literal(l)) => l.push(c),
                _ => out.push(Token::Literal(c.to_string())),
            }
            i += 1;
        }
    }
    Some(out)
}

fn pad(out: &mut String, v: i64, width: usize) {
    if v < 0 {
        out.push('-');
    }
    let digits = v.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

fn offset_text(offset: FixedOffset, colon: bool) -> String {
    let secs = offset.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let m = secs.abs() / 60;
    if colon {
        format!("{sign}{:02}:{:02}", m / 60, m % 60)
    } else {
        format!("{sign}{:02}{:02}", m / 60, m % 60)
    }
}

/// Formats `dt` (wall time in zone `offset`) with a Java pattern; `None` if the pattern
/// is invalid (the toText doc: an unquoted non-pattern letter gives null).
pub fn format(
    dt: NaiveDateTime,
    pattern: &str,
    offset: FixedOffset,
    abbrev: Option<&str>,
) -> Option<String> {
    let tokens = tokenize(pattern)?;
    let mut out = String::new();
    for tok in tokens {
        let (c, n) = match tok {
            Token::Literal(l) => {
                out.push_str(&l);
                continue;
            }
            Token::Field(c, n) => (c, n),
        };
        let month0 = dt.month0() as usize;
        let weekday = dt.weekday().num_days_from_monday() as usize;
        match c {
            'G' => out.push_str(if dt.year() > 0 { "AD" } else { "BC" }),
            'y' | 'Y' => {
                let y = i64::from(if c == 'Y' {
                    dt.iso_week().year()
                } else {
                    dt.year()
                });
                if n == 2 {
                    pad(&mut out, y.rem_euclid(100), 2);
                } else {
                    pad(&mut out, y, n);
                }
            }
            'M' | 'L' => match n {
                1 | 2 => pad(&mut out, i64::from(dt.month()), n),
                3 => out.push_str(MONTHS[month0].get(..3).unwrap_or_default()),
                _ => out.push_str(MONTHS[month0]),
            },
            'w' => pad(&mut out, i64::from(week_of_year(dt.date())), n),
            'W' => pad(&mut out, i64::from(week_of_month(dt.date())), n),
            'D' => pad(&mut out, i64::from(dt.ordinal()), n),
            'd' => pad(&mut out, i64::from(dt.day()), n),
            'F' => pad(&mut out, i64::from(dt.day0() / 7 + 1), n),
            'E' => {
                if n >= 4 {
                    out.push_str(DAYS[weekday]);
                } else {
                    out.push_str(DAYS[weekday].get(..3).unwrap_or_default());
                }
            }
            'u' => pad(&mut out, weekday as i64 + 1, n),
            'a' => out.push_str(if dt.hour() < 12 { "AM" } else { "PM" }),
            'H' => pad(&mut out, i64::from(dt.hour()), n),
            'k' => pad(
                &mut out,
                i64::from(if dt.hour() == 0 { 24 } else { dt.hour() }),
                n,
            ),
            'K' => pad(&mut out, i64::from(dt.hour() % 12), n),
            'h' => pad(
                &mut out,
                i64::from(if dt.hour().is_multiple_of(12) {
                    12
                } else {
                    dt.hour() % 12
                }),
                n,
            ),
            'm' => pad(&mut out, i64::from(dt.minute()), n),
            's' => pad(&mut out, i64::from(dt.second()), n),
            'S' => pad(&mut out, i64::from(dt.nanosecond() / 1_000_000 % 1000), n),
            'z' => match abbrev {
                Some(a) if !a.starts_with(['+', '-']) => out.push_str(a),
                _ if offset.local_minus_utc() == 0 => out.push_str("GMT"),
                _ => {
                    out.push_str("GMT");
                    out.push_str(&offset_text(offset, true));
                }
            },
            'Z' => out.push_str(&offset_text(offset, false)),
            'X' => {
                if offset.local_minus_utc() == 0 {
                    out.push('Z');
                } else if n == 1 {
                    out.push_str(offset_text(offset, false).get(..3).unwrap_or_default());
                } else {
                    out.push_str(&offset_text(offset, n >= 3));
                }
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Week of the year with weeks starting on Sunday, week 1 holding January 1st (Java's
/// default US calendar).
pub fn week_of_year(d: NaiveDate) -> u32 {
    week_of_year_from(d, chrono::Weekday::Sun)
}

/// Week of the year with weeks starting on `start`; week 1 holds January 1st, and the last
/// days of December in the week holding the next January 1st are week 1 (getWeekOfYear doc).
pub fn week_of_year_from(d: NaiveDate, start: chrono::Weekday) -> u32 {
    let since_start =
        |x: NaiveDate| (x.weekday().num_days_from_monday() + 7 - start.num_days_from_monday()) % 7;
    let jan1 = NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d);
    let week = (d.ordinal0() + since_start(jan1)) / 7 + 1;
    if d.month() == 12 {
        let next = NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(d);
        let next_off = since_start(next);
        if next_off > 0 && d.day() + next_off > 31 {
            return 1;
        }
    }
    week
}

fn week_of_month(d: NaiveDate) -> u32 {
    let first = d.with_day(1).unwrap_or(d);
    (d.day0() + first.weekday().num_days_from_sunday()) / 7 + 1
}

/// Parses `text` with a Java pattern. Missing date parts default to 1970-01-01, missing
/// time parts to zero. `None` when the text does not fit the pattern.
pub fn parse(text: &str, pattern: &str) -> Option<NaiveDateTime> {
    let tokens = tokenize(pattern)?;
    let chars: Vec<char> = text.chars().collect();
    let mut pos = 0;
    let (mut year, mut month, mut day) = (1970i32, 1u32, 1u32);
    let (mut hour, mut minute, mut second, mut milli) = (0u32, 0u32, 0u32, 0u32);
    let mut pm: Option<bool> = None;
    let mut hour12 = false;
    for (idx, tok) in tokens.iter().enumerate() {
        match tok {
            Token::Literal(l) => {
                for lc in l.chars() {
                    if chars.get(pos).is_some_and(|c| c.eq_ignore_ascii_case(&lc)) {
                        pos += 1;
                    } else if lc == ' ' {
                        // Lenient about missing spaces.
                    } else {
                        return None;
                    }
                }
            }
            Token::Field(c, n) => {
                let next_numeric = matches!(
                    tokens.get(idx + 1),
                    Some(Token::Field(nc, nn)) if is_numeric_field(*nc, *nn)
                );
                match c {
                    'M' | 'L' if *n >= 3 => {
                        let (m, used) = month_name(chars.get(pos..).unwrap_or_default())?;
                        month = m;
                        pos += used;
                    }
                    'E' => {
                        let used = day_name(chars.get(pos..).unwrap_or_default())?;
                        pos += used;
                    }
                    'a' => {
                        let rest: String = chars.iter().skip(pos).take(2).collect();
                        pm = Some(match rest.to_ascii_uppercase().as_str() {
                            "AM" => false,
                            "PM" => true,
                            _ => return None,
                        });
                        pos += 2;
                    }
                    'z' | 'Z' | 'X' => {
                        // Zone text is accepted and ignored: values are wall times.
                        while pos < chars.len()
                            && (chars[pos].is_ascii_alphanumeric()
                                || matches!(chars[pos], '+' | '-' | ':'))
                        {
                            pos += 1;
                        }
                    }
                    'G' => {
                        pos += 2.min(chars.len().saturating_sub(pos));
                    }
                    _ => {
                        let max = if next_numeric { *n } else { usize::MAX };
                        let (v, used) = digits(chars.get(pos..).unwrap_or_default(), max)?;
                        pos += used;
                        match c {
                            'y' | 'Y' => {
                                let v = i32::try_from(v).ok()?;
                                year = if used <= 2 && *n <= 2 {
                                    if v < 50 { 2000 + v } else { 1900 + v }
                                } else {
                                    v
                                };
                            }
                            'M' | 'L' => month = u32::try_from(v).ok()?,
                            'd' => day = u32::try_from(v).ok()?,
                            'H' | 'k' => hour = u32::try_from(v).ok()? % 24,
                            'K' | 'h' => {
                                hour = u32::try_from(v).ok()? % 12;
                                hour12 = true;
                            }
                            'm' => minute = u32::try_from(v).ok()?,
                            's' => second = u32::try_from(v).ok()?,
                            'S' => milli = u32::try_from(v).ok()?,
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    if chars.iter().skip(pos).any(|c| !c.is_whitespace()) {
        return None;
    }
    if pm == Some(true) && (hour12 || hour < 12) {
        hour += 12;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_milli_opt(hour, minute, second, milli)?;
    Some(date.and_time(time))
}

fn is_numeric_field(c: char, n: usize) -> bool {
    matches!(
        c,
        'y' | 'Y' | 'd' | 'D' | 'H' | 'k' | 'K' | 'h' | 'm' | 's' | 'S' | 'w' | 'u'
    ) || (matches!(c, 'M' | 'L') && n <= 2)
}

fn digits(chars: &[char], max: usize) -> Option<(i64, usize)> {
    let mut used = 0;
    let mut v: i64 = 0;
    while used < max && used < 10 {
        let Some(d) = chars.get(used).and_then(|c| c.to_digit(10)) else {
            break;
        };
        v = v * 10 + i64::from(d);
        used += 1;
    }
    (used > 0).then_some((v, used))
}

fn month_name(chars: &[char]) -> Option<(u32, usize)> {
    let rest: String = chars.iter().take(9).collect::<String>().to_lowercase();
    for (i, m) in MONTHS.iter().enumerate() {
        let full = m.to_lowercase();
        if rest.starts_with(&full) {
            return Some((i as u32 + 1, full.chars().count()));
        }
    }
    for (i, m) in MONTHS.iter().enumerate() {
        let short = m.get(..3).unwrap_or_default().to_lowercase();
        if rest.starts_with(&short) {
            return Some((i as u32 + 1, 3));
        }
    }
    None
}

fn day_name(chars: &[char]) -> Option<usize> {
    let rest: String = chars.iter().take(9).collect::<String>().to_lowercase();
    for d in DAYS {
        let full = d.to_lowercase();
        if rest.starts_with(&full) {
            return Some(full.len());
        }
    }
    for d in DAYS {
        if rest.starts_with(&d.get(..3).unwrap_or_default().to_lowercase()) {
            return Some(3);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn pst() -> FixedOffset {
        FixedOffset::west_opt(8 * 3600).unwrap()
    }

    #[test]
    fn formats_java_patterns() {
        let d = dt("2019-01-08 15:04:05");
        assert_eq!(
            format(d, "dd-MMM-yyyy HH:mm:ss", pst(), None).unwrap(),
            "08-Jan-2019 15:04:05"
        );
        assert_eq!(
            format(d, "yyyy-MM-dd'T'HH:mm:ssZ", pst(), None).unwrap(),
            "2019-01-08T15:04:05-0800"
        );
        assert_eq!(
            format(d, "EEEE, MMMM d, yy", pst(), None).unwrap(),
            "Tuesday, January 8, 19"
        );
        assert_eq!(format(d, "hh:mm a", pst(), None).unwrap(), "03:04 PM");
        assert_eq!(format(d, "'It''s' E", pst(), None).unwrap(), "It's Tue");
        assert!(format(d, "dd-bb", pst(), None).is_none());
        assert!(format(d, "'open", pst(), None).is_none());
    }

    #[test]
    fn parses_java_patterns() {
        assert_eq!(
            parse("2019-01-08", "yyyy-MM-dd").unwrap(),
            dt("2019-01-08 00:00:00")
        );
        assert_eq!(
            parse("08/Jan/2019 03:04 PM", "dd/MMM/yyyy hh:mm a").unwrap(),
            dt("2019-01-08 15:04:00")
        );
        assert_eq!(
            parse("20190108", "yyyyMMdd").unwrap(),
            dt("2019-01-08 00:00:00")
        );
        assert_eq!(
            parse("January 8, 2019", "MMMM d, yyyy").unwrap(),
            dt("2019-01-08 00:00:00")
        );
        assert!(parse("2019-02-31", "yyyy-MM-dd").is_none());
        assert!(parse("hello", "yyyy-MM-dd").is_none());
    }

    #[test]
    fn weeks() {
        let d = NaiveDate::from_ymd_opt(2019, 1, 1).unwrap();
        assert_eq!(week_of_year(d), 1);
        let d = NaiveDate::from_ymd_opt(2019, 1, 6).unwrap();
        assert_eq!(week_of_year(d), 2);
        let d = NaiveDate::from_ymd_opt(2019, 12, 31).unwrap();
        assert_eq!(week_of_year(d), 1);
    }
}
