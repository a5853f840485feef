//! Instants, and the one place they are written as text: RFC 3339 for the
//! API, `<time datetime>` and sitemaps, the IMF-fixdate of HTTP (also a
//! valid RFC 822 date for RSS), and the parts of a human date.
//!
//! Every instant warta stores is unix epoch milliseconds (UTC), and an
//! article may be dated long before 1970 (an archive, a history piece), so
//! the whole range of four-digit years is kept as it is: 0001-01-01 to
//! 9999-12-31, clamped outside. The calendar arithmetic is Howard Hinnant's
//! `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"),
//! proleptic Gregorian; the tests check it against the `httpdate` crate
//! after 1970 and against GNU `date` before.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in whole seconds since the Unix epoch (UTC), within
/// 0001-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Parts of a UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Timestamp {
    /// 0001-01-01T00:00:00Z.
    pub const MIN_UNIX_SECS: i64 = -62_135_596_800;
    /// 9999-12-31T23:59:59Z.
    pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

    pub fn from_unix_secs(secs: i64) -> Timestamp {
        Timestamp(secs.clamp(Self::MIN_UNIX_SECS, Self::MAX_UNIX_SECS))
    }

    /// From unix epoch milliseconds, as the store keeps them (rounded down
    /// to the second).
    pub fn from_unix_millis(ms: i64) -> Timestamp {
        Timestamp::from_unix_secs(ms.div_euclid(1000))
    }

    pub fn from_system_time(t: SystemTime) -> Timestamp {
        let secs = match t.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => {
                let before = e.duration();
                let whole = i64::try_from(before.as_secs()).unwrap_or(i64::MAX);
                // -1.5 s is second -2, as div_euclid rounds.
                -whole.saturating_add(i64::from(before.subsec_nanos() > 0))
            }
        };
        Timestamp::from_unix_secs(secs)
    }

    pub fn unix_secs(self) -> i64 {
        self.0
    }

    pub fn to_system_time(self) -> SystemTime {
        if self.0 >= 0 {
            UNIX_EPOCH + Duration::from_secs(self.0 as u64)
        } else {
            UNIX_EPOCH - Duration::from_secs(self.0.unsigned_abs())
        }
    }

    /// `2025-03-03T14:05:09Z`: the API's instants, `<time datetime>` and
    /// sitemap `<lastmod>`.
    pub fn rfc3339(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// `Mon, 03 Mar 2025 14:05:09 GMT`: the IMF-fixdate of HTTP (RFC 9110),
    /// which is also a valid RFC 822 date as RSS 2.0 `pubDate` requires.
    pub fn http_date(self) -> String {
        let c = self.civil();
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = (self.0.div_euclid(86_400) + 3).rem_euclid(7) as usize;
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            WEEKDAYS[weekday],
            c.day,
            MONTHS[c.month as usize - 1],
            c.year,
            c.hour,
            c.minute,
            c.second
        )
    }

    /// Midnight UTC of a calendar date written `YYYY-MM-DD` (what an HTML
    /// `<input type="date">` submits, and ISO 8601's extended date), or
    /// `None` if it is not one, or names a day that does not exist
    /// (2026-02-30).
    pub fn parse_date(s: &str) -> Option<Timestamp> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            let part = &s[r];
            part.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| part.parse().ok())
                .flatten()
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if year < 1 || !(1..=12).contains(&month) || day < 1 {
            return None;
        }
        let days = days_from_civil(year, month as u32, day as u32);
        // Round-tripping rejects a day past the month's end.
        if civil_from_days(days) != (year, month as u32, day as u32) {
            return None;
        }
        Some(Timestamp::from_unix_secs(days * 86_400))
    }

    /// The date and time parts, for a human date in any language.
    pub fn civil(self) -> Civil {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
        }
    }
}

/// (year, month 1-12, day 1-31) to days since 1970-01-01, proleptic
/// Gregorian: Hinnant's `days_from_civil`, the inverse of [`civil_from_days`].
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = year - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400); // [0, 399]
    let mp = i64::from((month + 9) % 12); // [0, 11], March-based
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1; // [0, 365]
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_agree_with_httpdate_after_1970() {
        // Oracle: the httpdate crate's own calendar and weekday code, over
        // leap days, century boundaries and the range's end.
        let mut samples = vec![
            0,
            951_782_400,   // 2000-02-29
            4_107_542_400, // 2100-03-01 (2100 is not a leap year)
            1_740_960_309,
            Timestamp::MAX_UNIX_SECS,
        ];
        samples.extend((0..4000).map(|i| i * 63_113_851 % Timestamp::MAX_UNIX_SECS));
        for secs in samples {
            let t = Timestamp::from_unix_secs(secs);
            assert_eq!(
                t.http_date(),
                httpdate::fmt_http_date(t.to_system_time()),
                "unix {secs}"
            );
        }
    }

    #[test]
    fn dates_before_1970_are_shown_as_they_are() {
        // Expected values from GNU date 9.1:
        // `date -u -d @-140000000 '+%a, %d %b %Y %H:%M:%S GMT'` and `+%FT%TZ`.
        let t = Timestamp::from_unix_secs(-140_000_000);
        assert_eq!(t.rfc3339(), "1965-07-25T15:06:40Z");
        assert_eq!(t.http_date(), "Sun, 25 Jul 1965 15:06:40 GMT");
        // `date -u -d @-1 ...`: the second before the epoch.
        assert_eq!(
            Timestamp::from_unix_secs(-1).http_date(),
            "Wed, 31 Dec 1969 23:59:59 GMT"
        );
        // `date -u -d '1900-03-01' +%s` = -2203891200 (1900 is not a leap year).
        assert_eq!(
            Timestamp::from_unix_secs(-2_203_891_200).rfc3339(),
            "1900-03-01T00:00:00Z"
        );
        // Milliseconds round down: -1 ms is the last second of 1969.
        assert_eq!(
            Timestamp::from_unix_millis(-1).rfc3339(),
            "1969-12-31T23:59:59Z"
        );
        let before = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(Timestamp::from_system_time(before).unix_secs(), -2);
        assert_eq!(
            Timestamp::from_unix_secs(-2).to_system_time(),
            UNIX_EPOCH - Duration::from_secs(2)
        );
    }

    #[test]
    fn calendar_dates_parse_to_midnight_utc() {
        // Expected values: GNU `date -u -d DATE +%s`.
        for (date, secs) in [
            ("2026-11-24", 1_795_478_400),
            ("2024-02-29", 1_709_164_800),
            ("1969-12-31", -86_400),
            ("1970-01-01", 0),
            ("0001-01-01", -62_135_596_800),
        ] {
            assert_eq!(
                Timestamp::parse_date(date).map(Timestamp::unix_secs),
                Some(secs),
                "{date}"
            );
        }
        for bad in [
            "",
            "2026-2-3",
            "2026-02-30",
            "2025-02-29",
            "2026-13-01",
            "2026-00-10",
            "0000-01-01",
            "2026/11/24",
            "+026-11-24",
            "2026-11-24T00:00",
            "２０２６-11-24",
        ] {
            assert_eq!(Timestamp::parse_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn out_of_range_instants_are_clamped_not_panicking() {
        assert_eq!(
            Timestamp::from_unix_secs(i64::MIN).rfc3339(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_millis(i64::MAX).rfc3339(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(i64::MAX).http_date(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        // 0001-01-01 was a Monday (proleptic Gregorian).
        assert!(Timestamp::from_unix_secs(i64::MIN)
            .http_date()
            .starts_with("Mon, 01 Jan 0001"));
    }
}
