//! What the log actions check alike: times and periods (format, order, the
//! 24-hour span and 7-day reach of the slow logs), thresholds, node names,
//! and the lists of strings their filters take.

use mongodb_errors::ErrorCode;

use crate::actions::errors;
use crate::synth::slow::MIN_SLOW_MS;
use crate::synth::view::{View, RETENTION_MS};
use crate::util::{format_time, parse_time, ApiError};

/// The longest period one slow log query covers.
pub(super) const MAX_SPAN_MS: i64 = 86_400_000;

/// The longest period one audit log query or file covers.
pub(super) const MAX_AUDIT_SPAN_MS: i64 = 30 * 86_400_000;

/// `YYYY-MM-DD HH:MM:SS` (UTC+8) in milliseconds; a field may have one digit
/// (`2024-03-07 9:22:15`), as the service's own parser allows.
pub(super) fn time(name: &str, text: &str) -> Result<i64, ApiError> {
    let bad = || {
        errors::error(
            ErrorCode::InvalidParameterValueTimeFormatErr,
            format!("{name} must look like `2024-03-07 09:22:15` (UTC+8); got `{text}`."),
        )
    };
    let mut halves = text.split_whitespace();
    let (Some(date), Some(clock), None) = (halves.next(), halves.next(), halves.next()) else {
        return Err(bad());
    };
    let fields = |s: &str, sep: char| -> Option<Vec<u32>> {
        let parts: Vec<&str> = s.split(sep).collect();
        (parts.len() == 3 && parts.iter().all(|p| (1..=4).contains(&p.len())))
            .then(|| parts.iter().map(|p| p.parse().ok()).collect())
            .flatten()
    };
    let (Some(d), Some(c)) = (fields(date, '-'), fields(clock, ':')) else {
        return Err(bad());
    };
    let canonical = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        d[0], d[1], d[2], c[0], c[1], c[2]
    );
    parse_time(&canonical).ok_or_else(bad)
}

/// How far a period may reach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reach {
    /// Any period (log download files).
    Any,
    /// At most 30 days long (audit logs and their files).
    Month,
    /// Starting within the last 7 days.
    Recent,
    /// Starting within the last 7 days and at most 24 hours long (slow logs).
    RecentDay,
}

/// `StartTime..EndTime` checked: readable, in order, within `reach` of `now_ms`.
pub(super) fn period(
    start: &str,
    end: &str,
    reach: Reach,
    now_ms: i64,
) -> Result<(i64, i64), ApiError> {
    let (a, b) = (time("StartTime", start)?, time("EndTime", end)?);
    if a >= b {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueStartTimeNotBeforeThanEndTime,
            format!("StartTime ({start}) must be before EndTime ({end})."),
        ));
    }
    if reach == Reach::RecentDay && b - a > MAX_SPAN_MS {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueQueryTimeRangeBeyondLimit,
            format!("StartTime ({start}) and EndTime ({end}) may be at most 24 hours apart; ask for the period a day at a time."),
        ));
    }
    if reach == Reach::Month && b - a > MAX_AUDIT_SPAN_MS {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueQueryTimeRangeBeyondLimit,
            format!("StartTime ({start}) and EndTime ({end}) may be at most 30 days apart; ask for the period a month at a time."),
        ));
    }
    if matches!(reach, Reach::Recent | Reach::RecentDay) && a < now_ms - RETENTION_MS {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueQueryTimeOutOfRange,
            format!(
                "StartTime ({start}) is more than 7 days ago; logs are kept 7 days, so start at {} or later.",
                format_time(now_ms - RETENTION_MS + 999)
            ),
        ));
    }
    Ok((a, b))
}

/// A slow-query threshold of at least 100 ms.
pub(super) fn threshold(name: &str, ms: i64) -> Result<u64, ApiError> {
    if ms < MIN_SLOW_MS as i64 {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueSlowMSBelowLimit,
            format!("{name} must be at least {MIN_SLOW_MS} (milliseconds); got {ms}."),
        ));
    }
    Ok(ms as u64)
}

/// A list parameter, blanks dropped.
pub(super) fn list(values: Option<Vec<String>>) -> Vec<String> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .collect()
}

/// `NodeNames`, each a node of the instance.
pub(super) fn node_names(
    view: &View,
    values: Option<Vec<String>>,
) -> Result<Vec<String>, ApiError> {
    let names = list(values);
    if let Some(bad) = names.iter().find(|n| view.node(n).is_none()) {
        let known: Vec<&str> = view.nodes.iter().map(|n| n.name.as_str()).collect();
        return Err(errors::invalid(format!(
            "NodeNames: `{bad}` is not a node of `{}`; its nodes are {} (DescribeDBInstanceNodeProperty lists them).",
            view.id,
            known.join(", ")
        )));
    }
    Ok(names)
}

/// `Offset` at most 10000, as the slow and error log actions allow.
pub(super) fn offset_within(offset: u64, code: ErrorCode) -> Result<(), ApiError> {
    errors::in_range(code, "Offset", offset, (0, 10_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_leniently_and_periods_checked() {
        let t = time("StartTime", "2024-03-07 9:22:15").unwrap();
        assert_eq!(format_time(t), "2024-03-07 09:22:15");
        for bad in [
            "2023-03-0310:51:21",
            "yesterday",
            "2024-03-07",
            "2024-13-01 00:00:00",
        ] {
            let e = time("EndTime", bad).unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::InvalidParameterValueTimeFormatErr,
                "{bad}"
            );
            assert!(e.message.contains("EndTime"));
        }
        let now = parse_time("2024-03-10 00:00:00").unwrap();
        let p = |a, b, r| period(a, b, r, now).map_err(|e| e.code);
        assert!(p(
            "2024-03-09 00:00:00",
            "2024-03-09 12:00:00",
            Reach::RecentDay
        )
        .is_ok());
        assert_eq!(
            p("2024-03-09 00:00:00", "2024-03-09 00:00:00", Reach::Any),
            Err(ErrorCode::InvalidParameterValueStartTimeNotBeforeThanEndTime)
        );
        assert_eq!(
            p(
                "2024-03-08 00:00:00",
                "2024-03-09 00:00:01",
                Reach::RecentDay
            ),
            Err(ErrorCode::InvalidParameterValueQueryTimeRangeBeyondLimit)
        );
        assert!(p("2024-03-08 00:00:00", "2024-03-09 00:00:01", Reach::Recent).is_ok());
        assert_eq!(
            p("2024-03-01 00:00:00", "2024-03-01 10:00:00", Reach::Recent),
            Err(ErrorCode::InvalidParameterValueQueryTimeOutOfRange)
        );
        assert!(p("2020-01-01 00:00:00", "2020-01-02 00:00:00", Reach::Any).is_ok());
        assert!(p("2020-01-01 00:00:00", "2020-01-31 00:00:00", Reach::Month).is_ok());
        assert_eq!(
            p("2020-01-01 00:00:00", "2020-01-31 00:00:01", Reach::Month),
            Err(ErrorCode::InvalidParameterValueQueryTimeRangeBeyondLimit)
        );
        assert_eq!(
            threshold("SlowMS", 99).unwrap_err().code,
            ErrorCode::InvalidParameterValueSlowMSBelowLimit
        );
        assert_eq!(list(Some(vec![" a ".into(), "".into()])), ["a"]);
    }
}
