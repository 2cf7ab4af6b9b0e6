//! `SetInstanceMaintenance`: the daily window (UTC+8) in which changes asked
//! for "in the maintenance window" run, shown by `DescribeDBInstances`
//! (`MaintenanceStart`, `MaintenanceEnd`). The emulator runs such changes
//! like any other: its work moves by polls or by its own clock.

use mongodb_errors::ErrorCode;
use mongodb_models::{SetInstanceMaintenanceRequest, SetInstanceMaintenanceResponse};

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::util::ApiError;

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Minutes after midnight of `HH:MM` (or `HH:MM:00`) on the hour or half hour.
fn minutes(text: &str, name: &str) -> Result<u32, ApiError> {
    let bad = || {
        errors::error(
            ErrorCode::InvalidParameterValueTimeFormatErr,
            format!("{name} must be a time on the hour or half hour, HH:MM (00:00 to 23:30); got `{text}`."),
        )
    };
    let t = text.trim();
    let t = t.strip_suffix(":00").filter(|s| s.len() == 5).unwrap_or(t);
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    if h.len() != 2 || m.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || !(m == 0 || m == 30) {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

fn hhmmss(minutes: u32) -> String {
    format!("{:02}:{:02}:00", minutes / 60, minutes % 60)
}

/// `MaintenanceDays` (`1,3,5`, 1 Monday … 7 Sunday) as day names, in week
/// order; every day is an empty list.
fn days(text: Option<&str>) -> Result<Vec<String>, ApiError> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut picked = [false; 7];
    for part in text.split(',') {
        let d: usize = part.trim().parse().ok().filter(|d| (1..=7).contains(d)).ok_or_else(|| {
            errors::invalid(format!(
                "MaintenanceDays is a comma-separated list of days 1 (Monday) to 7 (Sunday); got `{text}`."
            ))
        })?;
        picked[d - 1] = true;
    }
    if picked.iter().all(|p| *p) {
        return Ok(Vec::new());
    }
    Ok(DAYS
        .iter()
        .zip(picked)
        .filter(|(_, p)| *p)
        .map(|(d, _)| (*d).to_owned())
        .collect())
}

pub(super) fn set_instance_maintenance(
    ctx: &mut Ctx<'_>,
    req: SetInstanceMaintenanceRequest,
) -> Result<SetInstanceMaintenanceResponse, ApiError> {
    let start = minutes(&req.maintenance_start, "MaintenanceStart")?;
    let end = minutes(&req.maintenance_end, "MaintenanceEnd")?;
    // A window may run past midnight (23:00 to 01:00).
    let length = (end + 24 * 60 - start) % (24 * 60);
    if !(30..=180).contains(&length) {
        let code = if length == 0 {
            ErrorCode::InvalidParameterValueStartTimeNotBeforeThanEndTime
        } else {
            ErrorCode::InvalidParameterValue
        };
        return Err(errors::error(
            code,
            format!(
                "The maintenance window lasts 30 minutes to 3 hours and MaintenanceEnd comes after MaintenanceStart; {} to {} lasts {length} minutes.",
                req.maintenance_start, req.maintenance_end
            ),
        ));
    }
    let days = days(req.maintenance_days.as_deref())?;
    let window = &mut ctx
        .instance_mut(&req.instance_id, Allow::NotIsolated)?
        .maintenance;
    window.start = hhmmss(start);
    window.end = hhmmss(end);
    window.days = days;
    Ok(SetInstanceMaintenanceResponse::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_days_follow_the_documented_forms() {
        assert_eq!(minutes("04:30", "S").unwrap(), 270);
        assert_eq!(minutes("04:30:00", "S").unwrap(), 270);
        for bad in ["4:30", "04:15", "24:00", "0430", "04:30:10", ""] {
            let e = minutes(bad, "MaintenanceStart").unwrap_err();
            assert_eq!(
                e.code,
                ErrorCode::InvalidParameterValueTimeFormatErr,
                "{bad}"
            );
            assert!(e.message.contains("MaintenanceStart"));
        }
        assert_eq!(hhmmss(270), "04:30:00");
        assert_eq!(
            days(Some("5,1,3")).unwrap(),
            ["Monday", "Wednesday", "Friday"]
        );
        assert!(days(Some("1,2,3,4,5,6,7")).unwrap().is_empty());
        assert!(days(None).unwrap().is_empty());
        assert!(days(Some("0,8")).is_err());
        assert!(days(Some("mon")).is_err());
    }
}
