//! The UTC calendar date of a Unix timestamp, as the credential scope writes it (`YYYY-MM-DD`).
//!
//! Computed here rather than with a date crate: one well-known formula, checked against a
//! day-by-day walk of the whole range and a slow reference in the tests below.

/// Seconds in a UTC day (TC3 ignores leap seconds, as Unix time does).
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// Day number (since 1970-01-01) of 0000-01-01, the first date [`UtcDate`] represents.
const FIRST_DAY: i64 = -719_528;
/// Day number of 9999-12-31, the last date [`UtcDate`] represents.
const LAST_DAY: i64 = 2_932_896;

/// A `YYYY-MM-DD` UTC date, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct UtcDate([u8; 10]);

impl UtcDate {
    /// The date containing the Unix `timestamp`, clamped to 0000-01-01..=9999-12-31.
    pub(crate) fn of_timestamp(timestamp: i64) -> Self {
        Self::of_day(timestamp.div_euclid(SECONDS_PER_DAY))
    }

    /// The date of `day` days after 1970-01-01, clamped to 0000-01-01..=9999-12-31.
    pub(crate) fn of_day(day: i64) -> Self {
        let (year, month, day) = civil_from_days(day.clamp(FIRST_DAY, LAST_DAY));
        let mut out = *b"0000-00-00";
        out[0] = b'0' + (year / 1000) as u8;
        out[1] = b'0' + (year / 100 % 10) as u8;
        out[2] = b'0' + (year / 10 % 10) as u8;
        out[3] = b'0' + (year % 10) as u8;
        out[5] = b'0' + (month / 10) as u8;
        out[6] = b'0' + (month % 10) as u8;
        out[8] = b'0' + (day / 10) as u8;
        out[9] = b'0' + (day % 10) as u8;
        UtcDate(out)
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Digits and `-` are ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Converts a day count since 1970-01-01 into a proleptic Gregorian (year, month, day).
///
/// This is the well-known `civil_from_days` of Howard Hinnant's date algorithms: shift the epoch
/// to 0000-03-01 so leap days fall at the end of the year, split into 400-year eras, and read
/// the month off a 153-day five-month cycle.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // day of era, 0..=146_096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // year of era, 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1st, 0..=365
    let mp = (5 * doy + 2) / 153; // month from March, 0..=11
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Formats the UTC calendar date (`YYYY-MM-DD`) that contains the Unix `timestamp`.
///
/// This date goes into the credential scope. Timestamps before the year 0 or after the year
/// 9999 are clamped to `0000-01-01` and `9999-12-31`.
pub fn utc_date(timestamp: i64) -> String {
    UtcDate::of_timestamp(timestamp).as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_date_handles_edges() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(utc_date(1551113065), "2019-02-25");
        assert_eq!(utc_date(86_399), "1970-01-01");
        assert_eq!(utc_date(86_400), "1970-01-02");
        assert_eq!(utc_date(i64::MAX), "9999-12-31");
        assert!(!utc_date(i64::MIN).is_empty());
    }

    #[test]
    fn utc_date_clamps_to_years_0_through_9999() {
        let first = FIRST_DAY * SECONDS_PER_DAY;
        let last = (LAST_DAY + 1) * SECONDS_PER_DAY - 1;
        assert_eq!(utc_date(first), "0000-01-01");
        assert_eq!(utc_date(first - 1), "0000-01-01");
        assert_eq!(utc_date(i64::MIN), "0000-01-01");
        assert_eq!(utc_date(last), "9999-12-31");
        assert_eq!(utc_date(last + 1), "9999-12-31");
        assert_eq!(utc_date(253_402_300_799), "9999-12-31"); // 9999-12-31T23:59:59Z
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(-2_203_891_200), "1900-03-01"); // 1900 is not a leap year
    }

    /// Walks every day from 0000-01-01 to 9999-12-31 with a naive calendar and compares.
    #[test]
    fn civil_from_days_matches_a_day_by_day_walk() {
        let (mut y, mut m, mut d) = (0i64, 1u32, 1u32);
        for day in FIRST_DAY..=LAST_DAY {
            assert_eq!(civil_from_days(day), (y, m, d), "day {day}");
            d += 1;
            if d > month_length(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
        assert_eq!((y, m, d), (10_000, 1, 1));
    }

    fn is_leap(year: i64) -> bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    fn month_length(year: i64, month: u32) -> u32 {
        match month {
            2 if is_leap(year) => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        }
    }

    /// A slow but obviously right reference: count whole years, then whole months, from 1970.
    fn reference_date(timestamp: i64) -> String {
        let year_length = |y: i64| if is_leap(y) { 366 } else { 365 };
        let mut days = timestamp.div_euclid(SECONDS_PER_DAY);
        let mut year = 1970;
        while days < 0 {
            year -= 1;
            days += year_length(year);
        }
        while days >= year_length(year) {
            days -= year_length(year);
            year += 1;
        }
        let mut month = 1;
        while days >= i64::from(month_length(year, month)) {
            days -= i64::from(month_length(year, month));
            month += 1;
        }
        format!("{year:04}-{month:02}-{:02}", days + 1)
    }

    proptest::proptest! {
        #[test]
        fn utc_date_matches_reference(
            timestamp in (FIRST_DAY * SECONDS_PER_DAY)..((LAST_DAY + 1) * SECONDS_PER_DAY),
        ) {
            proptest::prop_assert_eq!(utc_date(timestamp), reference_date(timestamp));
        }

        #[test]
        fn utc_date_matches_reference_1970_to_9999(timestamp in 0i64..253_402_300_800) {
            proptest::prop_assert_eq!(utc_date(timestamp), reference_date(timestamp));
        }
    }
}
