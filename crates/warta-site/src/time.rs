//! Instants as the site shows them: `<time datetime>` (RFC 3339), HTTP and
//! RSS dates (RFC 1123 / RFC 822), and a human date in the page's language.
//!
//! All times are UTC. The calendar arithmetic is Howard Hinnant's
//! `civil_from_days` ("chrono-Compatible Low-Level Date Algorithms"); the
//! tests check it against the `httpdate` crate.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time, in whole seconds since the Unix epoch (UTC).
///
/// Clamped to 1970-01-01T00:00:00Z ..= 9999-12-31T23:59:59Z, the range
/// every format this crate writes (HTTP dates in particular) can express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

/// Parts of a UTC date and time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl Timestamp {
    /// 9999-12-31T23:59:59Z.
    pub const MAX_UNIX_SECS: i64 = 253_402_300_799;

    pub fn from_unix_secs(secs: i64) -> Timestamp {
        Timestamp(secs.clamp(0, Self::MAX_UNIX_SECS))
    }

    pub fn from_system_time(t: SystemTime) -> Timestamp {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => Timestamp::from_unix_secs(i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
            Err(_) => Timestamp(0),
        }
    }

    pub fn unix_secs(self) -> i64 {
        self.0
    }

    pub fn to_system_time(self) -> SystemTime {
        // In range by construction: 0 ..= MAX_UNIX_SECS.
        UNIX_EPOCH + Duration::from_secs(self.0 as u64)
    }

    /// `2025-03-03T14:05:09Z`: for `<time datetime>` and sitemap `<lastmod>`.
    pub fn rfc3339(self) -> String {
        let c = self.civil();
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            c.year, c.month, c.day, c.hour, c.minute, c.second
        )
    }

    /// `Mon, 03 Mar 2025 14:05:09 GMT`: the IMF-fixdate of HTTP, which is also
    /// a valid RFC 822 date as RSS 2.0 `pubDate` requires.
    pub fn http_date(self) -> String {
        httpdate::fmt_http_date(self.to_system_time())
    }

    pub(crate) fn civil(self) -> Civil {
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

    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];

    #[test]
    fn civil_parts_agree_with_httpdate() {
        // Oracle: the httpdate crate's own calendar code, through its RFC 1123
        // output, over leap days, century boundaries and the range ends.
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
            let c = t.civil();
            let expected = t.http_date(); // "Mon, 03 Mar 2025 14:05:09 GMT"
            let mine = format!(
                "{:02} {} {:04} {:02}:{:02}:{:02} GMT",
                c.day,
                MONTHS[c.month as usize - 1],
                c.year,
                c.hour,
                c.minute,
                c.second
            );
            assert_eq!(&expected[5..], mine, "unix {secs}");
        }
    }

    #[test]
    fn rfc3339_of_a_known_instant() {
        // 1740960309 = 2025-03-03T00:05:09Z (GNU `date -u -d @1740960309`).
        assert_eq!(
            Timestamp::from_unix_secs(1_740_960_309).rfc3339(),
            "2025-03-03T00:05:09Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(0).rfc3339(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn out_of_range_instants_are_clamped_not_panicking() {
        assert_eq!(
            Timestamp::from_unix_secs(-5).rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(i64::MAX).rfc3339(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_unix_secs(i64::MAX).http_date(),
            "Fri, 31 Dec 9999 23:59:59 GMT"
        );
        let before_epoch = UNIX_EPOCH - Duration::from_secs(10);
        assert_eq!(Timestamp::from_system_time(before_epoch).unix_secs(), 0);
    }
}
