//! Time zones for the date functions: fixed offsets (`GMT+05:30`, `-0800`, `UTC`) and IANA
//! names with their daylight-saving rules (`America/New_York`), via chrono-tz. Three-letter
//! abbreviations map to the zone Java's `TimeZone.getTimeZone` gives them.

use chrono::{FixedOffset, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetName, Tz};

/// A zone a date-time can be shown in or read from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Fixed(FixedOffset),
    Named(Tz),
}

/// Java's legacy three-letter IDs that are not IANA names themselves.
const ALIASES: &[(&str, &str)] = &[
    ("PST", "America/Los_Angeles"),
    ("PDT", "America/Los_Angeles"),
    ("CST", "America/Chicago"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("AET", "Australia/Sydney"),
    ("AEST", "Australia/Sydney"),
    ("ACT", "Australia/Darwin"),
    ("BST", "Asia/Dhaka"),
    ("CTT", "Asia/Shanghai"),
    ("ECT", "Europe/Paris"),
    ("NST", "Pacific/Auckland"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("BET", "America/Sao_Paulo"),
    ("SST", "Pacific/Guadalcanal"),
];

impl Zone {
    /// Parses `UTC`, `GMT`, `Z`, `GMT+05:30`, `+0530`, `-08:00`, an IANA name (any case) or
    /// a Java three-letter ID. `None` for anything else.
    pub fn parse(name: &str) -> Option<Zone> {
        let n = name.trim();
        let upper = n.to_ascii_uppercase();
        if let Some(rest) = upper
            .strip_prefix("GMT")
            .or_else(|| upper.strip_prefix("UTC"))
            .or(Some(upper.as_str()).filter(|u| u.starts_with(['+', '-']) || *u == "Z"))
        {
            return fixed(rest).map(Zone::Fixed);
        }
        if let Ok(tz) = Tz::from_str_insensitive(n) {
            return Some(Zone::Named(tz));
        }
        ALIASES
            .iter()
            .find(|(alias, _)| *alias == upper)
            .and_then(|(_, iana)| iana.parse::<Tz>().ok())
            .map(Zone::Named)
    }

    /// Epoch milliseconds of wall time `local` in this zone. A time skipped by a
    /// daylight-saving change moves forward an hour; a repeated one takes the first.
    pub fn millis_of(&self, local: NaiveDateTime) -> Option<i64> {
        match self {
            Zone::Fixed(f) => f
                .from_local_datetime(&local)
                .single()
                .map(|t| t.timestamp_millis()),
            Zone::Named(tz) => tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    let later = local.checked_add_signed(chrono::Duration::hours(1))?;
                    tz.from_local_datetime(&later).earliest()
                })
                .map(|t| t.timestamp_millis()),
        }
    }

    /// Wall time, UTC offset and (for named zones) abbreviation at an epoch instant.
    pub fn local_at_millis(&self, ms: i64) -> Option<(NaiveDateTime, FixedOffset, Option<String>)> {
        let utc = chrono::DateTime::from_timestamp_millis(ms)?;
        Some(match self {
            Zone::Fixed(f) => (utc.with_timezone(f).naive_local(), *f, None),
            Zone::Named(tz) => {
                let t = utc.with_timezone(tz);
                let off = t.offset();
                let abbrev = off.abbreviation().map(str::to_string);
                (t.naive_local(), off.fix(), abbrev)
            }
        })
    }
}

/// `""`/`Z` (zero), `+5`, `+05`, `+0530`, `+05:30`, `-8`.
fn fixed(rest: &str) -> Option<FixedOffset> {
    if rest.is_empty() || rest == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = rest.chars().next().filter(|c| matches!(c, '+' | '-'))?;
    let body: String = rest[1..].chars().filter(|c| *c != ':').collect();
    if body.is_empty() || body.len() > 4 || !body.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if body.len() <= 2 {
        (body.parse::<i32>().ok()?, 0)
    } else {
        let split = body.len() - 2;
        (
            body[..split].parse::<i32>().ok()?,
            body[split..].parse::<i32>().ok()?,
        )
    };
    if h > 18 || m > 59 {
        return None;
    }
    let secs = (h * 60 + m) * 60;
    FixedOffset::east_opt(if sign == '-' { -secs } else { secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    #[test]
    fn parses_zone_names() {
        assert_eq!(
            Zone::parse("GMT+05:30"),
            Some(Zone::Fixed(FixedOffset::east_opt(19800).unwrap()))
        );
        assert_eq!(
            Zone::parse("-0800"),
            Some(Zone::Fixed(FixedOffset::west_opt(28800).unwrap()))
        );
        assert_eq!(
            Zone::parse("utc"),
            Some(Zone::Fixed(FixedOffset::east_opt(0).unwrap()))
        );
        assert_eq!(
            Zone::parse("asia/kolkata"),
            Some(Zone::Named(Tz::Asia__Kolkata))
        );
        assert_eq!(
            Zone::parse("PST"),
            Some(Zone::Named(Tz::America__Los_Angeles))
        );
        assert_eq!(Zone::parse("Mars/Base"), None);
        assert_eq!(Zone::parse("GMT+99"), None);
    }

    #[test]
    fn daylight_saving_is_applied() {
        let ny = Zone::parse("America/New_York").unwrap();
        // 12:00 UTC is 07:00 EST in January and 08:00 EDT in July.
        let jan = dt("2023-01-15 12:00:00").and_utc().timestamp_millis();
        let jul = dt("2023-07-15 12:00:00").and_utc().timestamp_millis();
        let (w, off, ab) = ny.local_at_millis(jan).unwrap();
        assert_eq!(
            (w, off.local_minus_utc(), ab.as_deref()),
            (dt("2023-01-15 07:00:00"), -18000, Some("EST"))
        );
        let (w, _, ab) = ny.local_at_millis(jul).unwrap();
        assert_eq!((w, ab.as_deref()), (dt("2023-07-15 08:00:00"), Some("EDT")));
        assert_eq!(ny.millis_of(dt("2023-07-15 08:00:00")), Some(jul));
        // 02:30 on 12 March 2023 does not exist in New York: it moves forward.
        assert!(ny.millis_of(dt("2023-03-12 02:30:00")).is_some());
    }
}
