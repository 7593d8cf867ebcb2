//! `load.warning`: a warning of the load report that was not there before
//! a change to the sessions. Which days a change can touch, and how a
//! warning is named so that it is announced once.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate};

use crate::domain::load::{LOAD_HISTORY_DAYS, LoadWarning};

/// The ACWR window: a session moves the warnings of its own day and of
/// the 28 days after it, no further.
const DAYS_A_SESSION_MOVES: i64 = 28;

/// The report to compute after a change to a session of `session_date`:
/// (history start, first day, last day), never past `today`.
pub fn window(session_date: NaiveDate, today: NaiveDate) -> (NaiveDate, NaiveDate, NaiveDate) {
    let from = session_date;
    let to = (session_date + Duration::days(DAYS_A_SESSION_MOVES - 1)).min(today.max(from));
    (from - Duration::days(LOAD_HISTORY_DAYS), from, to)
}

/// The stable name of a warning: its kind and day (`acwr:2027-01-05`).
pub fn warning_kind(warning: &LoadWarning) -> String {
    serde_json::to_value(warning.kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn warning_id(warning: &LoadWarning) -> String {
    format!("{}:{}", warning_kind(warning), warning.date)
}

/// The warnings of `report` not announced before.
pub fn unannounced<'a>(
    report: &'a [LoadWarning],
    announced: &HashSet<(String, NaiveDate)>,
) -> Vec<&'a LoadWarning> {
    let mut seen = HashSet::new();
    report
        .iter()
        .filter(|w| {
            let key = (warning_kind(w), w.date);
            !announced.contains(&key) && seen.insert(key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::load::WarningKind;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 1, d).unwrap()
    }

    fn warning(kind: WarningKind, date: NaiveDate) -> LoadWarning {
        LoadWarning {
            kind,
            date,
            message: String::new(),
        }
    }

    #[test]
    fn the_window_runs_from_the_session_to_today_at_most_four_weeks() {
        assert_eq!(
            window(day(1), day(3)),
            (day(1) - Duration::days(56), day(1), day(3))
        );
        assert_eq!(window(day(1), day(31)).2, day(28));
        // A session logged ahead of time: its own day only.
        assert_eq!(window(day(10), day(3)).2, day(10));
    }

    #[test]
    fn only_warnings_not_announced_are_new_and_each_once() {
        let report = vec![
            warning(WarningKind::Acwr, day(5)),
            warning(WarningKind::Acwr, day(5)),
            warning(WarningKind::Monotony, day(7)),
        ];
        let announced = HashSet::from([("monotony".to_owned(), day(7))]);
        let new = unannounced(&report, &announced);
        assert_eq!(new.len(), 1);
        assert_eq!(warning_id(new[0]), "acwr:2027-01-05");
    }
}
