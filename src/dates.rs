//! Reads the dates people write in front matter.
//!
//! Owns: the accepted date formats and the site time zone for dates that carry
//! no offset. Does not: know about files or front matter keys.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// A point in time with the offset it was written in (kept for display and feeds).
pub type Date = DateTime<FixedOffset>;

/// The zone that dates written without an offset are read in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    /// An IANA zone such as `Asia/Shanghai`; offsets follow its daylight-saving rules.
    Iana(chrono_tz::Tz),
    /// A fixed offset such as `+08:00`.
    Fixed(FixedOffset),
}

impl Default for Zone {
    fn default() -> Self {
        Zone::Iana(chrono_tz::UTC)
    }
}

impl Zone {
    /// Parses an IANA name (`Europe/Berlin`, `UTC`) or an offset (`+08:00`, `-0500`).
    pub fn parse(s: &str) -> Result<Zone, String> {
        if let Ok(tz) = s.parse::<chrono_tz::Tz>() {
            return Ok(Zone::Iana(tz));
        }
        if let Ok(off) = s.parse::<FixedOffset>() {
            return Ok(Zone::Fixed(off));
        }
        Err(format!(
            "unknown time zone `{s}`: expected an IANA name such as `Asia/Shanghai` or an offset such as `+08:00`"
        ))
    }

    /// Returns the calendar day `date` falls on in this zone (for `:day` in URLs: an
    /// article written at 23:30 UTC is already the next day in Shanghai).
    pub fn calendar_day(&self, date: &Date) -> NaiveDate {
        match self {
            Zone::Iana(tz) => date.with_timezone(tz).date_naive(),
            Zone::Fixed(off) => date.with_timezone(off).date_naive(),
        }
    }

    /// Returns `instant` as the wall clock of this zone shows it (`mdfeed new`).
    pub fn at(&self, instant: DateTime<chrono::Utc>) -> Date {
        match self {
            Zone::Iana(tz) => instant.with_timezone(tz).fixed_offset(),
            Zone::Fixed(off) => instant.with_timezone(off),
        }
    }

    fn localize(&self, naive: NaiveDateTime) -> Option<Date> {
        let date = match self {
            Zone::Iana(tz) => tz
                .from_local_datetime(&naive)
                .earliest()
                .map(|d| d.fixed_offset()),
            Zone::Fixed(off) => off.from_local_datetime(&naive).single(),
        }?;
        // Before standard time, IANA zones use local mean time (Shanghai was +08:05:43).
        // RFC 3339 and RFC 822 offsets have no seconds, so feeds would round the offset
        // and move the instant; such a date is given in UTC instead.
        if date.offset().local_minus_utc() % 60 != 0 {
            return Some(date.with_timezone(&FixedOffset::east_opt(0)?));
        }
        Some(date)
    }
}

/// Formats with an explicit offset, after RFC 3339 (Jekyll writes `2024-05-30 13:46:00 +0800`).
const WITH_OFFSET: &[&str] = &[
    "%Y-%m-%d %H:%M:%S%.f %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
    "%Y-%m-%d %H:%M:%S%.f%z",
];

/// Formats without an offset, read in the site zone.
const LOCAL: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
];

/// Parses a front matter date; dates without an offset are read in `zone`.
pub fn parse(s: &str, zone: &Zone) -> Result<Date, String> {
    let d = parse_any_year(s.trim(), zone)?;
    // RFC 822 (RSS) and RFC 3339 (Atom, JSON Feed) years have exactly four digits.
    if (1..=9999).contains(&d.year()) {
        Ok(d)
    } else {
        Err(format!(
            "`{}` is out of range: the year must be between 1 and 9999",
            s.trim()
        ))
    }
}

fn parse_any_year(s: &str, zone: &Zone) -> Result<Date, String> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Ok(d);
    }
    for fmt in WITH_OFFSET {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Ok(d);
        }
    }
    let naive = LOCAL
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(s, fmt).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(NaiveTime::MIN))
        });
    match naive {
        Some(naive) => zone.localize(naive).ok_or_else(|| {
            format!("`{s}` does not exist in the site time zone (a daylight-saving gap)")
        }),
        None => Err(format!(
            "cannot read date `{s}`: expected RFC 3339 (`2024-05-30T13:46:00+08:00`), `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS] [±HHMM]`"
        )),
    }
}

/// Returns the date in a `YYYY-MM-DD-` prefix of a file name, and the rest of the name.
pub fn from_file_prefix<'a>(stem: &'a str, zone: &Zone) -> Option<(Date, &'a str)> {
    let mut parts = stem.splitn(4, '-');
    let (y, m, d, rest) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |p: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
    };
    if !(all_digits(y, 4..=4) && all_digits(m, 1..=2) && all_digits(d, 1..=2)) || rest.is_empty() {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        .filter(|d| d.year() >= 1)?;
    Some((zone.localize(date.and_time(NaiveTime::MIN))?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shanghai() -> Zone {
        Zone::parse("Asia/Shanghai").unwrap()
    }

    #[test]
    fn accepts_every_documented_format() {
        let z = shanghai();
        let want = "2024-05-30T13:46:00+08:00";
        for s in [
            "2024-05-30T13:46:00+08:00",
            "2024-05-30T05:46:00Z",
            "2024-05-30 13:46:00 +0800",
            "2024-05-30 13:46 +0800",
            "2024-05-30 13:46:00",
            "2024-05-30T13:46:00",
            "2024-05-30 13:46",
        ] {
            let d = parse(s, &z).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(d, DateTime::parse_from_rfc3339(want).unwrap(), "{s}");
        }
        assert_eq!(
            parse("2024-4-9", &z).unwrap().to_rfc3339(),
            "2024-04-09T00:00:00+08:00"
        );
    }

    #[test]
    fn rejects_nonsense_and_out_of_range() {
        let z = Zone::default();
        for s in [
            "yesterday",
            "2024-13-01",
            "2024-02-30",
            "30/05/2024",
            "",
            "+10000-01-01T00:00:00Z",
            "-0001-01-01 00:00",
            "0000-01-01",
        ] {
            assert!(parse(s, &z).is_err(), "{s}");
        }
    }

    #[test]
    fn local_mean_time_offsets_become_utc() {
        // Found by fuzzing: Shanghai was +08:05:43 before 1901; feeds cannot write seconds.
        let d = parse("1012-05-30 13:46:00", &shanghai()).unwrap();
        assert_eq!(d.to_rfc3339(), "1012-05-30T05:40:17+00:00");
        assert_eq!(parse(&d.to_rfc3339(), &shanghai()), Ok(d));
    }

    #[test]
    fn zone_accepts_names_and_offsets() {
        assert!(matches!(Zone::parse("UTC"), Ok(Zone::Iana(_))));
        assert!(matches!(Zone::parse("+08:00"), Ok(Zone::Fixed(_))));
        assert!(Zone::parse("Mars/Olympus").is_err());
    }

    #[test]
    fn calendar_day_is_taken_in_the_zone() {
        let d = parse("2024-01-01T23:30:00Z", &Zone::default()).unwrap();
        assert_eq!(shanghai().calendar_day(&d).to_string(), "2024-01-02");
        assert_eq!(Zone::default().calendar_day(&d).to_string(), "2024-01-01");
        let minus = Zone::parse("-05:00").unwrap();
        assert_eq!(minus.calendar_day(&d).to_string(), "2024-01-01");
    }

    #[test]
    fn instants_show_in_the_zone() {
        let noon = DateTime::parse_from_rfc3339("2024-07-01T12:00:00Z")
            .unwrap()
            .to_utc();
        let berlin = Zone::parse("Europe/Berlin").unwrap().at(noon);
        assert_eq!(berlin.to_rfc3339(), "2024-07-01T14:00:00+02:00");
        let fixed = Zone::parse("-05:00").unwrap().at(noon);
        assert_eq!(fixed.to_rfc3339(), "2024-07-01T07:00:00-05:00");
    }

    #[test]
    fn file_prefix_dates() {
        let z = Zone::default();
        let (d, rest) = from_file_prefix("2023-1-5-hello-world", &z).unwrap();
        assert_eq!(
            (d.to_rfc3339().as_str(), rest),
            ("2023-01-05T00:00:00+00:00", "hello-world")
        );
        assert!(from_file_prefix("2023-01-05", &z).is_none());
        assert!(from_file_prefix("hello-world-again-x", &z).is_none());
    }
}
